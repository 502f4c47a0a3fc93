//! threadlab: a live concurrency lab in the terminal, for teaching.
//!
//! - [`engine`]: the concurrency being taught (strategies, the lesson clock, worker events); no terminal code.
//! - [`tasks`]: download names and seeded durations.
//! - [`run_state`]: a run rebuilt from its events (`RunState`, each download's `TaskState`, the plan's `Facts`), and its JSON summary (`RunReport`).
//! - [`settings`]: the class's choices, one struct the command line, the screen and the tests share.
//! - [`cli`]: the command line, [`cli_text`] its help and errors in either language; [`names`]: enum values as typed (clap's derive); [`headless`]: `run` and `compare` without a TUI.
//! - [`trace`]: finished runs as Chrome trace-event JSON, for Perfetto.
//! - [`app`]: the classroom screen's state and `update` (never the view); [`bindings`]: the one key table (each key bound to an `Action`, with its label and its `i18n::Key` words); [`ui`]: the view; [`look`]: the chosen look.
//! - [`lesson`]: the lesson's scenes (`assets/lesson.txt`): each one's card, the stage it sets and what a run adds to it.
//! - [`runner`]: the loop and the edge between screen and state; [`terminal`]: the only code that touches the real terminal (init, restore, signals, suspend).
//! - [`bench`]: everything `threadlab bench` measures, the screen's loop included.
//! - [`code`]: the strategies' own source and their Python counterparts, highlighted for the code panel.
//! - [`i18n`]: every string on screen in English and Chinese, by `Key` (generated from `assets/strings.tsv` by `build.rs`); [`text`]: display-width helpers.
//! - [`chart`]: the comparison as text bars, for `compare` and the screen.
//! - [`verdict`]: a finished run's conclusion, stated only when its measured figures support it.
//! - [`cores`]: how many CPU cores the process may use; [`procinfo`]: its threads and their context switches;
//!   [`oncore`]: when each worker thread was on a core, sampled off the screen's thread.
//! - [`ticker`]: threadlab's own Ping/Pong threads; [`ticker_child`]: the daemon lesson's Ping/Pong program, run as a child process.
//! - [`watch`]: `threadlab watch`, a real Python program's threads under a probe, shown on the same screen.

pub mod app;
pub mod bench;
pub mod bindings;
pub mod chart;
pub mod cli;
pub mod cli_text;
pub mod code;
pub mod cores;
pub mod engine;
pub mod headless;
pub mod i18n;
pub mod lesson;
pub mod look;
pub mod names;
pub mod oncore;
pub mod procinfo;
pub mod run_state;
pub mod runner;
pub mod settings;
pub mod tasks;
pub mod terminal;
pub mod text;
pub mod ticker;
pub mod ticker_child;
pub mod trace;
pub mod ui;
pub mod verdict;
pub mod watch;
