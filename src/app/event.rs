//! The screen's protocol: the events `update` takes, the commands it returns, and the event
//! log's lines (kept as data so they show in either language).

use crate::engine::{Crash, Plan, RunEvent, Strategy};
use crate::i18n::Key;
use crate::procinfo::ThreadInfo;
use crossterm::event::KeyEvent;
use std::sync::Arc;

/// Everything the loop feeds into the app, from one channel.
#[derive(Debug, Clone)]
pub enum Event {
    Key(KeyEvent),
    /// The terminal's new size; the runner answers it with a [`Event::Viewport`].
    Resize(u16, u16),
    /// What the screen has room for at its size and in the current language: download rows,
    /// and the lines help has (computed by the view's layout, at the edge).
    Viewport {
        page: usize,
        help_lines: usize,
        /// The rows, borders included, worth giving the code that rows no pane wants would
        /// show, sized from that code wrapped to the pane's width; with the listing it is for
        /// (what it shows, and the `d` flag its daemon line follows).
        code_rows: SpareCode,
    },
    /// Time moved on: the current run's lesson clock.
    Tick {
        now: f64,
    },
    Worker(RunEvent),
    /// Worker reports wait in the runner's inbox; the runner drains it after any input.
    WorkerReports,
    /// One line of the Ping/Pong ticker, from the thread that printed it.
    Ticker(&'static str),
    /// What the Ping/Pong program started with id `id` did, in its own process.
    PingPong {
        id: u64,
        news: crate::ticker_child::News,
    },
    /// A left click at (column, row), with `--mouse`; the runner turns it into what it hit.
    Click(u16, u16),
    /// A click on strategy tab `n` (1-based).
    ClickTab(u8),
    /// A click on download `i`.
    ClickDownload(usize),
    /// The process as last sampled, off the screen's thread: its threads with their context
    /// switches, and its resident memory in bytes.
    Sampled {
        threads: Vec<ThreadInfo>,
        rss: Option<u64>,
    },
    /// The CPU time this process and its waited-for children used during run `run`, read as
    /// the run ended on the run's own thread (never the screen's), against the same at its start.
    RunCpu {
        run: u64,
        cpu: std::time::Duration,
    },
    /// Run `run`'s worker threads (process, thread id) and the stretches they were on a core,
    /// from the on-core sampler.
    OnCore {
        run: u64,
        segments: Vec<(u32, u32, crate::oncore::OnCore)>,
    },
    /// What the crash demo did (the runner reports it back).
    Crashed(Crash),
    /// What a command did, or why it could not be carried out (cores here, where a trace went).
    Notice(String),
    /// The program was suspended (Ctrl-Z) for `seconds` of wall time; `run` is the run whose
    /// clock was held meanwhile (None: no run was under way, or it was paused already).
    Suspended {
        run: Option<u64>,
        seconds: f64,
    },
    /// The program was continued (SIGCONT) after a stop it did not ask for: `kill -STOP` from
    /// outside, which cannot be caught. The loop, which measured how long it did not run,
    /// turns it into [`Event::Stopped`].
    Continued,
    /// The program was stopped from outside for about `seconds` of wall time while run `run`'s
    /// clock ran on: unlike Ctrl-Z, nothing held the clock, so the run's figures include it.
    Stopped {
        run: u64,
        seconds: f64,
    },
    /// Speak `Lang` from now on: the language the class switched to on another screen (watch).
    Language(crate::i18n::Lang),
    /// A carried Python program ran under watch on this screen and the screen is back: what it
    /// showed.
    Watched(Box<crate::watch::carried::Watched>),
    /// The terminal is gone (read error, end of input) or a signal asked us to end.
    Shutdown(String),
}

impl From<RunEvent> for Event {
    fn from(e: RunEvent) -> Self {
        Event::Worker(e)
    }
}

/// A side effect `update` asks the runner to carry out.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Stop any run under way and start this one with the given id.
    StartRun {
        id: u64,
        plan: Plan,
    },
    StopRun,
    Pause,
    Resume,
    SetSpeed(f64),
    StartTicker {
        daemon: bool,
    },
    StopTicker,
    SetDaemon(bool),
    /// Run the lesson's Ping/Pong program in a child process (any earlier one is killed first).
    StartPingPong {
        id: u64,
        daemon: bool,
        speed: f64,
    },
    /// End the Ping/Pong program as Ctrl-C would (SIGINT).
    EndPingPong,
    /// Kill and reap the Ping/Pong program: the scene moved on.
    StopPingPong,
    /// Restrict the whole process to this many CPU cores.
    SetCores(usize),
    /// The crash demo: make one running worker of the current run blow up.
    Crash,
    /// Step mode: advance the paused run to its next event.
    Step,
    /// Write this run as a Chrome trace (`e`); the path is `--trace FILE` or one named after it.
    /// `lang`: the screen's, for the message saying where it went.
    ExportTrace {
        report: Box<crate::run_state::RunReport>,
        lang: crate::i18n::Lang,
    },
    /// Run this carried Python program (`assets/python/`) under watch on the same screen, at
    /// the screen's speed, until `q` brings the screen back.
    WatchPython {
        script: &'static str,
    },
    /// End the process now (restoring the terminal first).
    Quit,
}

/// One line of the event log, kept as data so it can be shown in either language.
#[derive(Debug, Clone, PartialEq)]
pub enum LogLine {
    Started {
        worker: Arc<str>,
        task: Arc<str>,
    },
    Finished {
        worker: Arc<str>,
        task: Arc<str>,
        took: f64,
    },
    Failed {
        worker: Arc<str>,
        task: Arc<str>,
        reason: crate::engine::Failure,
    },
    Total {
        strategy: Strategy,
        elapsed: f64,
    },
    Note(Key),
    /// A carried Python program ran under watch: what it measured, and what that supports.
    Watched(Arc<crate::watch::carried::Watched>),
    /// The program was suspended (Ctrl-Z) for `seconds`; `held`: a run's clock stopped meanwhile.
    Suspended {
        seconds: f64,
        held: bool,
    },
    /// The program was stopped from outside (SIGSTOP) for `seconds` while a run's clock ran on.
    Stopped {
        seconds: f64,
    },
    /// What the daemon lesson's Ping/Pong program did, from its own process (a translation key).
    Program {
        pid: Option<u32>,
        note: Key,
    },
}

/// The rows worth giving the code in spare rows, and the listing they were worked out for
/// (its subject and the `d` flag its daemon line follows).
pub type SpareCode = Option<((crate::code::Subject, bool), u16)>;
