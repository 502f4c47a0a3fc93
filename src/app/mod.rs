//! The classroom screen's state and `update`: events in, intents out. No I/O, no clock reads,
//! no threads and nothing of the view here, so every behaviour can be tested by feeding events.
//! The edge (the runner) tells the state what it needs to know of the screen: its page size
//! ([`Event::Viewport`]) and what a click hit ([`Event::ClickTab`], [`Event::ClickDownload`]).

mod lanes;
pub use lanes::{Lane, Lanes};

use crate::code::Language;
use crate::engine::{Crash, Plan, ProcessOptions, RunEvent, Strategy, Task, WorkerEvent, Workload};
use crate::i18n::Lang;
use crate::keys::{Action, action_for};
use crate::lesson::{CoresSetting, Scene, TickerSetting};
use crate::look::Look;
use crate::procinfo::ThreadInfo;
use crate::report::RunState;
use crate::tasks;
use crossterm::event::KeyEvent;
use std::collections::{BTreeMap, VecDeque};
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
    /// What the crash demo did (the runner reports it back).
    Crashed(Crash),
    /// What a command did, or why it could not be carried out (cores here, where a trace went).
    Notice(String),
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
    /// Restrict the whole process to this many CPU cores.
    SetCores(usize),
    /// The crash demo: make one running worker of the current run blow up.
    Crash,
    /// Step mode: advance the paused run to its next event.
    Step,
    /// Write this run as a Chrome trace (`e`); the path is `--trace FILE` or one named after it.
    ExportTrace(Box<crate::report::RunReport>),
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
        reason: String,
    },
    Total {
        strategy: Strategy,
        elapsed: f64,
    },
    Note(&'static str),
}

/// The live run, or the last one.
#[derive(Debug, Clone)]
pub struct RunView {
    pub id: u64,
    pub state: RunState,
    /// Lesson seconds on the run's clock, as of the last tick.
    pub now: f64,
    /// One lane per worker, for the timeline.
    pub lanes: Lanes,
    /// The most OS threads the process had during this run, and its most resident memory.
    pub peak_threads: usize,
    pub peak_rss: u64,
}

impl RunView {
    /// Elapsed time to show: final once finished, live otherwise.
    pub fn elapsed(&self) -> f64 {
        self.state.elapsed.unwrap_or(self.now)
    }
}

/// The last result of one strategy on the current durations.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outcome {
    pub elapsed: f64,
    pub ideal: f64,
    pub workers: usize,
    /// Downloads that failed (the crash demo): the time is not comparable.
    pub failed: usize,
}

/// The Ping/Pong ticker as the screen shows it.
#[derive(Debug, Clone, Default)]
pub struct TickerView {
    pub on: bool,
    pub daemon: bool,
    /// The most recent words printed, oldest first.
    pub stream: VecDeque<&'static str>,
}

/// Where a class is in the lesson.
#[derive(Debug, Clone)]
pub struct LessonView {
    pub scenes: Arc<[Scene]>,
    pub index: usize,
    /// The run started from this scene, whose numbers the card shows once it finishes.
    pub ran: Option<u64>,
}

impl LessonView {
    /// The scene on screen.
    pub fn scene(&self) -> &Scene {
        &self.scenes[self.index]
    }
}

/// Lines PgUp and PgDn move the code panel by.
const CODE_PAGE: isize = 10;

/// Speeds the `[` and `]` keys step through.
pub const SPEEDS: [f64; 13] = [
    0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0,
];

const LOG_LINES: usize = 200;
const TICKER_WORDS: usize = 120;

/// The whole state of the classroom screen.
#[derive(Debug, Clone)]
pub struct App {
    pub lang: Lang,
    pub strategy: Strategy,
    pub workers: usize,
    pub speed: f64,
    pub seed: u64,
    pub names: Vec<String>,
    pub min: f64,
    pub max: f64,
    pub workload: Workload,
    pub procs: ProcessOptions,
    /// CPU cores the process runs on, and how many the machine has.
    pub cores: usize,
    pub all_cores: usize,
    /// The run's worker threads as last sampled, for the context-switch table.
    pub switches: Vec<ThreadInfo>,
    /// Resident memory as last sampled, in bytes.
    pub rss: Option<u64>,
    /// What the last command did or why it failed, shown on the info line until the next key.
    pub notice: Option<String>,
    /// What the last crash demo did, explained under the downloads until the next run.
    pub crash_note: Option<Crash>,
    /// Lesson mode, when on.
    pub lesson: Option<LessonView>,
    /// The download clicked last (`--mouse`), whose details the screen shows.
    pub selected: Option<usize>,
    /// Whether the downloads list follows the work under way (until scrolled by hand).
    pub follow: bool,
    scenes: Arc<[Scene]>,
    /// The current downloads with their durations; every strategy runs these.
    pub tasks: Vec<Task>,
    /// The widest download name, in columns (names never change while the screen is up).
    pub name_width: usize,
    /// The current downloads all queued, as the next run would start: what the screen shows
    /// with no run, kept up to date by `update` when what it follows from changes.
    idle: RunState,
    pub run: Option<RunView>,
    pub paused: bool,
    /// Steps (`.`) asked for whose event has not arrived yet: while any is, the paused run
    /// goes on to its next event.
    pub steps_pending: u32,
    pub results: BTreeMap<Strategy, Outcome>,
    /// Strategies still to run for the `c` comparison.
    pub compare_queue: VecDeque<Strategy>,
    pub log: VecDeque<LogLine>,
    pub ticker: TickerView,
    /// First visible download row.
    pub scroll: usize,
    /// The terminal's size, as the last [`Event::Resize`] said.
    pub size: (u16, u16),
    /// Download rows that fit on screen, as the last [`Event::Viewport`] said.
    pub page: usize,
    /// Lines help has, as the last [`Event::Viewport`] said.
    help_lines: usize,
    pub help: bool,
    /// `q` was pressed while non-daemon tickers run: main is done, the process is not.
    pub main_finished: bool,
    /// A one-line hint for the status line (translation key).
    pub hint: Option<&'static str>,
    pub os_threads: usize,
    /// The code panel (`v` Rust, `V` Python), shown instead of the timeline and log.
    pub code: Option<Language>,
    /// Lines of the code panel's listing scrolled past; the arrows scroll the code while it shows.
    pub code_scroll: usize,
    /// Lines of help scrolled past, on a screen too short to show it all.
    pub help_scroll: usize,
    /// How the screen looks (`--theme`, `--ascii`); never where things go.
    pub look: Look,
    next_run: u64,
}

/// What the app starts from: the command line's choices.
#[derive(Debug, Clone)]
pub struct Start {
    pub lang: Lang,
    pub strategy: Strategy,
    pub workers: usize,
    pub speed: f64,
    pub seed: u64,
    pub names: Vec<String>,
    pub min: f64,
    pub max: f64,
    pub workload: Workload,
    pub cores: usize,
    pub all_cores: usize,
    /// The workshops' shape and how children are started.
    pub procs: ProcessOptions,
    /// The lesson's scenes, for lesson mode (`L`, `--lesson`).
    pub scenes: Vec<Scene>,
    /// How the screen looks, from `--theme`, `--ascii` and `NO_COLOR`.
    pub look: Look,
}

impl App {
    /// A fresh screen: downloads queued, nothing running, ticker off.
    pub fn new(start: Start) -> Self {
        let durations = tasks::durations(start.seed, start.names.len(), start.min, start.max);
        let tasks = tasks::make_tasks(&start.names, &durations);
        let idle = RunState::shaped(
            start.strategy,
            &tasks,
            start.workers,
            start.workload,
            start.cores,
            &start.procs,
        );
        App {
            lang: start.lang,
            strategy: start.strategy,
            workers: start.workers,
            speed: start.speed,
            seed: start.seed,
            name_width: (start.names.iter())
                .map(|n| crate::text::width(n))
                .max()
                .unwrap_or(0),
            tasks,
            idle,
            names: start.names,
            min: start.min,
            max: start.max,
            workload: start.workload,
            procs: start.procs,
            cores: start.cores,
            all_cores: start.all_cores,
            switches: Vec::new(),
            rss: None,
            notice: None,
            crash_note: None,
            lesson: None,
            selected: None,
            follow: true,
            scenes: start.scenes.into(),
            run: None,
            paused: false,
            steps_pending: 0,
            results: BTreeMap::new(),
            compare_queue: VecDeque::new(),
            log: VecDeque::new(),
            ticker: TickerView::default(),
            scroll: 0,
            size: (80, 24),
            page: 1,
            help_lines: 0,
            help: false,
            main_finished: false,
            hint: None,
            os_threads: 0,
            code: None,
            code_scroll: 0,
            help_scroll: 0,
            look: start.look,
            next_run: 1,
        }
    }

    /// Open lesson mode at its first scene, setting that scene's stage (`--lesson`).
    pub fn open_lesson(&mut self) -> Vec<Command> {
        if self.scenes.is_empty() {
            return vec![];
        }
        self.lesson = Some(LessonView {
            scenes: self.scenes.clone(),
            index: 0,
            ran: None,
        });
        let cmds = self.set_stage();
        self.refresh_idle();
        cmds
    }

    /// Apply the current scene's preset: strategy, workload, cores, workers and ticker.
    fn set_stage(&mut self) -> Vec<Command> {
        let Some(lesson) = &self.lesson else {
            return vec![];
        };
        let p = lesson.scene().preset.clone();
        let mut cmds = Vec::new();
        if let Some(s) = p.strategy {
            self.strategy = s;
        }
        if let Some(w) = p.workload {
            self.workload = w;
        }
        if let Some(w) = p.workers {
            self.workers = w;
        }
        if let Some(c) = p.cores {
            let n = match c {
                CoresSetting::One => 1,
                CoresSetting::All => self.all_cores,
            };
            if n != self.cores {
                self.cores = n;
                cmds.push(Command::SetCores(n));
            }
        }
        match p.ticker {
            Some(TickerSetting::Off) if self.ticker.on => cmds.extend(self.toggle_ticker()),
            Some(want @ (TickerSetting::On | TickerSetting::Daemon)) => {
                let daemon = want == TickerSetting::Daemon;
                if !self.ticker.on {
                    self.ticker.daemon = daemon;
                    cmds.extend(self.toggle_ticker());
                } else if self.ticker.daemon != daemon {
                    cmds.extend(self.toggle_daemon());
                }
            }
            _ => {}
        }
        cmds
    }

    fn move_scene(&mut self, delta: isize) -> Vec<Command> {
        let Some(lesson) = &mut self.lesson else {
            return vec![];
        };
        let last = lesson.scenes.len() - 1;
        let next = lesson.index.saturating_add_signed(delta).min(last);
        if next == lesson.index {
            return vec![];
        }
        lesson.index = next;
        lesson.ran = None;
        let mut cmds = Vec::new();
        if self.is_running() {
            // A new scene is a new stage: the old run would only confuse it.
            self.run = None;
            self.paused = false;
            self.steps_pending = 0;
            self.compare_queue.clear();
            cmds.push(Command::StopRun);
        }
        cmds.extend(self.set_stage());
        cmds
    }

    /// Whether anything on screen moves by itself (so the loop should keep drawing frames).
    pub fn is_animating(&self) -> bool {
        self.run.as_ref().is_some_and(|r| !r.state.is_finished())
            && (!self.paused || self.steps_pending > 0)
    }

    /// Whether a run is under way (started and not finished).
    pub fn is_running(&self) -> bool {
        self.run.as_ref().is_some_and(|r| !r.state.is_finished())
    }

    /// The state the screen shows for the downloads: the live run's, or all queued.
    pub fn view_state(&self) -> &RunState {
        match &self.run {
            Some(r) => &r.state,
            None => &self.idle,
        }
    }

    /// The current downloads, all queued, as the next run would start.
    pub fn queued(&self) -> &RunState {
        &self.idle
    }

    /// Apply one event; return what the runner should do.
    pub fn update(&mut self, event: Event) -> Vec<Command> {
        let cmds = self.handle(event);
        self.refresh_idle();
        cmds
    }

    /// Rebuild the idle picture when something it follows from changed (a key, never a worker
    /// report: those change the run, not the plan).
    fn refresh_idle(&mut self) {
        let i = &self.idle;
        let same = i.strategy == self.strategy
            && i.workers == self.workers
            && i.workload == self.workload
            && i.cores == self.cores
            && i.workshops == self.procs.workshops
            && i.workshop_threads == self.procs.workshop_threads
            && i.tasks.len() == self.tasks.len();
        if !same {
            self.idle = self.plan_state();
        }
    }

    /// The current downloads all queued, under the current settings.
    fn plan_state(&self) -> RunState {
        RunState::shaped(
            self.strategy,
            &self.tasks,
            self.workers,
            self.workload,
            self.cores,
            &self.procs,
        )
    }

    fn handle(&mut self, event: Event) -> Vec<Command> {
        match event {
            Event::Key(key) => match action_for(&key) {
                Some(action) => self.act(action),
                None => vec![],
            },
            Event::Resize(w, h) => {
                // The runner follows it with the viewport, which only the view can work out.
                self.size = (w, h);
                vec![]
            }
            // The runner turns a click into what it hit, and drains worker reports itself.
            Event::Click(..) | Event::WorkerReports => vec![],
            Event::Viewport { page, help_lines } => {
                self.page = page.max(1);
                self.help_lines = help_lines;
                self.help_scroll = self.help_scroll.min(help_lines);
                self.clamp_scroll();
                vec![]
            }
            Event::Tick { now } => {
                if let Some(r) = &mut self.run
                    && !r.state.is_finished()
                    && now.is_finite()
                {
                    r.now = now.max(r.now);
                }
                self.follow_running();
                vec![]
            }
            Event::Worker(ev) => self.on_worker(ev),
            Event::Ticker(word) => {
                if self.ticker.on {
                    self.ticker.stream.push_back(word);
                    while self.ticker.stream.len() > TICKER_WORDS {
                        self.ticker.stream.pop_front();
                    }
                }
                vec![]
            }
            Event::Sampled { threads, rss } => {
                self.on_sample(threads, rss);
                vec![]
            }
            Event::ClickTab(n) => self.act(Action::Strategy(n)),
            Event::ClickDownload(i) => {
                self.selected = (i < self.tasks.len()).then_some(i);
                vec![]
            }
            Event::Crashed(c) => {
                self.crash_note = Some(c);
                vec![]
            }
            Event::Notice(p) => {
                self.notice = Some(p);
                vec![]
            }
            Event::Shutdown(_) => vec![Command::Quit],
        }
    }

    fn act(&mut self, action: Action) -> Vec<Command> {
        if action == Action::ForceQuit {
            return vec![Command::Quit];
        }
        if self.main_finished {
            return self.act_after_main(action);
        }
        if self.help {
            match action {
                // A small screen cannot show all of help at once: the arrows and pages scroll it.
                Action::Up | Action::PageUp => {
                    self.help_scroll = self
                        .help_scroll
                        .saturating_sub(1 + 9 * usize::from(action == Action::PageUp));
                    return vec![];
                }
                Action::Down | Action::PageDown => {
                    self.help_scroll =
                        (self.help_scroll + 1 + 9 * usize::from(action == Action::PageDown))
                            .min(self.help_lines);
                    return vec![];
                }
                Action::Language | Action::Quit => {}
                // Any other key closes help, as a teacher would expect; it does not also act.
                _ => {
                    self.help = false;
                    return vec![];
                }
            }
        }
        self.hint = None;
        self.notice = None;
        if self.lesson.is_some() {
            match action {
                // Only the page keys move between scenes: the arrows still scroll the downloads.
                Action::PageDown => return self.move_scene(1),
                Action::PageUp => return self.move_scene(-1),
                Action::Run => {
                    self.compare_queue.clear();
                    let mut cmds = self.set_stage();
                    cmds.extend(self.start_run());
                    let id = self.run.as_ref().map(|r| r.id);
                    if let Some(l) = &mut self.lesson {
                        l.ran = id;
                    }
                    return cmds;
                }
                _ => {}
            }
        }
        match action {
            Action::Lesson => {
                if self.lesson.take().is_some() {
                    return vec![];
                }
                self.open_lesson()
            }
            Action::Strategy(n) => {
                if let Some(s) = Strategy::from_key(n) {
                    self.strategy = s;
                    // Another strategy's code starts at its top.
                    self.code_scroll = 0;
                }
                vec![]
            }
            Action::Export => match &self.run {
                Some(r) if r.state.is_finished() || self.paused => {
                    vec![Command::ExportTrace(Box::new(
                        r.state.report(self.seed, self.speed),
                    ))]
                }
                Some(_) => {
                    self.hint = Some("hint_export_when_done");
                    vec![]
                }
                None => {
                    self.hint = Some("hint_nothing_to_export");
                    vec![]
                }
            },
            Action::Step => {
                let strategy = self.run.as_ref().map(|r| r.state.strategy);
                if !self.is_running() || !self.paused {
                    self.hint = Some("hint_step_needs_pause");
                    return vec![];
                }
                if matches!(strategy, Some(Strategy::Process | Strategy::Workshops)) {
                    // Each child keeps a clock of its own; stepping them together is not supported.
                    self.hint = Some("hint_step_threads_only");
                    return vec![];
                }
                self.steps_pending += 1;
                vec![Command::Step]
            }
            Action::Crash => {
                if !self.is_running() {
                    self.hint = Some("hint_nothing_to_crash");
                    return vec![];
                }
                vec![Command::Crash]
            }
            Action::Workload => {
                self.workload = self.workload.toggled();
                vec![]
            }
            Action::Cores => {
                self.cores = if self.cores == 1 { self.all_cores } else { 1 };
                if let Some(r) = &mut self.run {
                    // The ideal of a run under way changes with the cores it may use from now on.
                    r.state.set_cores(self.cores);
                }
                vec![Command::SetCores(self.cores)]
            }
            Action::Run => {
                self.compare_queue.clear();
                self.start_run()
            }
            Action::NewDurations => {
                self.seed = next_seed(self.seed);
                let durations = tasks::durations(self.seed, self.names.len(), self.min, self.max);
                self.tasks = tasks::make_tasks(&self.names, &durations);
                self.idle = self.plan_state();
                // Old results were on other durations: comparing them would mislead.
                self.results.clear();
                self.compare_queue.clear();
                let stop = self.is_running();
                self.run = None;
                self.paused = false;
                self.steps_pending = 0;
                if stop { vec![Command::StopRun] } else { vec![] }
            }
            Action::Compare => {
                self.compare_queue = Strategy::ALL.into_iter().collect();
                let first = self.compare_queue.pop_front().expect("strategies exist");
                self.strategy = first;
                self.start_run()
            }
            Action::MoreWorkers | Action::FewerWorkers => {
                let n = if action == Action::MoreWorkers {
                    self.workers + 1
                } else {
                    self.workers - 1
                };
                self.workers = n.clamp(1, crate::cli::MAX_WORKERS);
                if self.strategy != Strategy::Pool {
                    // Only the pool has a number of workers to choose: say where it shows.
                    self.hint = Some("hint_workers_pool_only");
                }
                vec![]
            }
            Action::Pause => {
                if !self.is_running() {
                    self.hint = Some("hint_nothing_to_pause");
                    return vec![];
                }
                self.paused = !self.paused;
                self.steps_pending = 0;
                vec![if self.paused {
                    Command::Pause
                } else {
                    Command::Resume
                }]
            }
            Action::Slower | Action::Faster => {
                let i = SPEEDS
                    .iter()
                    .position(|&s| s >= self.speed)
                    .unwrap_or(SPEEDS.len() - 1);
                let i = if action == Action::Faster {
                    if SPEEDS[i] > self.speed {
                        i
                    } else {
                        (i + 1).min(SPEEDS.len() - 1)
                    }
                } else {
                    i.saturating_sub(1)
                };
                self.speed = SPEEDS[i];
                vec![Command::SetSpeed(self.speed)]
            }
            Action::Ticker => self.toggle_ticker(),
            Action::Daemon => self.toggle_daemon(),
            Action::Language => {
                self.lang = self.lang.toggled();
                vec![]
            }
            Action::Help => {
                self.help = true;
                self.help_scroll = 0;
                vec![]
            }
            Action::Code(language) => {
                // The same key again closes the panel; the other language's key switches to it.
                self.code = (self.code != Some(language)).then_some(language);
                self.code_scroll = 0;
                vec![]
            }
            Action::Quit => {
                if self.help {
                    self.help = false;
                    return vec![];
                }
                self.quit()
            }
            Action::Up if self.code.is_some() => self.scroll_code(-1),
            Action::Down if self.code.is_some() => self.scroll_code(1),
            Action::PageUp if self.code.is_some() => self.scroll_code(-CODE_PAGE),
            Action::PageDown if self.code.is_some() => self.scroll_code(CODE_PAGE),
            Action::Up => self.scroll_by(-1),
            Action::Down => self.scroll_by(1),
            Action::PageUp => self.scroll_by(-(self.page() as isize)),
            Action::PageDown => self.scroll_by(self.page() as isize),
            Action::ForceQuit => unreachable!("handled above"),
        }
    }

    /// After main has finished, only the ticker keys matter: they decide whether the process can end.
    fn act_after_main(&mut self, action: Action) -> Vec<Command> {
        match action {
            Action::Daemon => self.toggle_daemon(),
            Action::Ticker => self.toggle_ticker(),
            Action::Language => {
                self.lang = self.lang.toggled();
                vec![]
            }
            _ => {
                self.hint = Some("hint_waiting_for_ticker");
                vec![]
            }
        }
    }

    /// The lesson's rule: the process ends when its last non-daemon thread ends.
    fn quit(&mut self) -> Vec<Command> {
        if self.ticker.on && !self.ticker.daemon {
            self.main_finished = true;
            self.help = false;
            self.compare_queue.clear();
            self.log.push_back(LogLine::Note("log_main_finished"));
            self.trim_log();
            let mut cmds = vec![];
            if self.is_running() {
                // A stopped run never reports that it finished: forget it, as `n` does.
                self.run = None;
                self.paused = false;
                self.steps_pending = 0;
                cmds.push(Command::StopRun);
            }
            cmds
        } else {
            vec![Command::Quit]
        }
    }

    /// Whether nothing but daemon threads would be left, so a finished main can end the process.
    fn may_end(&self) -> bool {
        !self.ticker.on || self.ticker.daemon
    }

    fn toggle_ticker(&mut self) -> Vec<Command> {
        self.ticker.on = !self.ticker.on;
        let mut cmds = if self.ticker.on {
            self.ticker.stream.clear();
            vec![Command::StartTicker {
                daemon: self.ticker.daemon,
            }]
        } else {
            vec![Command::StopTicker]
        };
        if self.main_finished && self.may_end() {
            cmds.push(Command::Quit);
        }
        cmds
    }

    fn toggle_daemon(&mut self) -> Vec<Command> {
        self.ticker.daemon = !self.ticker.daemon;
        let mut cmds = vec![Command::SetDaemon(self.ticker.daemon)];
        if self.main_finished && self.may_end() {
            // Daemon threads die with the process: nothing keeps it alive any more.
            cmds.push(Command::Quit);
        }
        cmds
    }

    fn start_run(&mut self) -> Vec<Command> {
        let id = self.next_run;
        self.next_run += 1;
        let state = self.plan_state();
        self.run = Some(RunView {
            id,
            state,
            now: 0.0,
            lanes: Lanes::default(),
            peak_threads: self.os_threads,
            peak_rss: self.rss.unwrap_or(0),
        });
        self.paused = false;
        self.steps_pending = 0;
        self.scroll = 0;
        self.follow = true;
        self.crash_note = None;
        vec![Command::StartRun {
            id,
            plan: Plan {
                strategy: self.strategy,
                tasks: self.tasks.clone(),
                workers: self.workers,
                speed: self.speed,
                workload: self.workload,
                procs: self.procs.clone(),
            },
        }]
    }

    fn on_worker(&mut self, ev: RunEvent) -> Vec<Command> {
        let Some(run) = &mut self.run else {
            return vec![];
        };
        // Reports from a run that was stopped or replaced are stale: drop them.
        if ev.run != run.id {
            return vec![];
        }
        run.state.apply(&ev.event);
        match ev.event {
            // A start or finish is what a step lets through the engine's gate, one per step.
            WorkerEvent::Started { .. } | WorkerEvent::Finished { .. } => {
                self.steps_pending = self.steps_pending.saturating_sub(1);
            }
            WorkerEvent::RunFinished { .. } => self.steps_pending = 0,
            _ => {}
        }
        let name = |id: usize| -> Arc<str> {
            run.state
                .tasks
                .get(id)
                .map(|t| t.task.name.clone())
                .unwrap_or_else(|| "?".into())
        };
        let line = match &ev.event {
            WorkerEvent::Started { task, worker, at } => {
                run.lanes.add(worker, *task);
                if at.is_finite() {
                    run.now = run.now.max(*at);
                }
                Some(LogLine::Started {
                    worker: worker.clone(),
                    task: name(*task),
                })
            }
            WorkerEvent::Finished {
                task,
                worker,
                took,
                at,
            } => {
                if at.is_finite() {
                    run.now = run.now.max(*at);
                }
                Some(LogLine::Finished {
                    worker: worker.clone(),
                    task: name(*task),
                    took: *took,
                })
            }
            WorkerEvent::Failed {
                task,
                worker,
                reason,
                ..
            } => Some(LogLine::Failed {
                worker: worker.clone(),
                task: name(*task),
                reason: reason.clone(),
            }),
            WorkerEvent::Progress { .. }
            | WorkerEvent::Spawned { .. }
            | WorkerEvent::Bytes { .. } => None,
            WorkerEvent::RunFinished { elapsed } => {
                if elapsed.is_finite() {
                    run.now = *elapsed;
                }
                Some(LogLine::Total {
                    strategy: run.state.strategy,
                    elapsed: *elapsed,
                })
            }
        };
        // Built once, when the run ends: nothing per report depends on how big the run is.
        let outcome = run.state.is_finished().then(|| Outcome {
            elapsed: run.state.elapsed.unwrap_or(0.0),
            ideal: run.state.ideal(),
            workers: run.state.worker_threads(),
            failed: run.state.failed(),
        });
        let strategy = run.state.strategy;
        if let Some(line) = line {
            self.log.push_back(line);
            self.trim_log();
        }
        if let Some(outcome) = outcome {
            self.paused = false;
            self.steps_pending = 0;
            self.results.insert(strategy, outcome);
            if let Some(next) = self.compare_queue.pop_front() {
                self.strategy = next;
                return self.start_run();
            }
        }
        vec![]
    }

    fn trim_log(&mut self) {
        while self.log.len() > LOG_LINES {
            self.log.pop_front();
        }
    }

    /// Download rows visible at the current size, as the edge last said.
    pub fn page(&self) -> usize {
        self.page
    }

    /// Keep what the sample says about the run's own threads: the rest of the process (the
    /// screen, the ticker) is not what the class is watching.
    fn on_sample(&mut self, threads: Vec<ThreadInfo>, rss: Option<u64>) {
        if !threads.is_empty() {
            self.os_threads = threads.len();
        }
        self.rss = rss;
        self.switches = match &mut self.run {
            Some(run) => {
                run.peak_threads = run.peak_threads.max(self.os_threads);
                run.peak_rss = run.peak_rss.max(rss.unwrap_or(0));
                (threads.into_iter())
                    .filter(|t| run.lanes.has_kernel_name(&t.name))
                    .collect()
            }
            None => Vec::new(),
        };
    }

    /// Until the class scrolls by hand, keep the first download still under way in view, so a
    /// long list shows the work in progress rather than the finished top of it.
    fn follow_running(&mut self) {
        if !self.follow {
            return;
        }
        let Some(run) = &self.run else { return };
        let page = self.page();
        if run.state.tasks.len() <= page {
            return;
        }
        if let Some(first) = run.state.first_unfinished() {
            self.scroll = first;
            self.clamp_scroll();
        }
    }

    /// Scroll the code panel's listing, never past its last line.
    fn scroll_code(&mut self, delta: isize) -> Vec<Command> {
        let Some(language) = self.code else {
            return vec![];
        };
        let lines = crate::code::listing(crate::code::Subject::Strategy(self.strategy), language)
            .lines
            .len();
        self.code_scroll =
            (self.code_scroll.saturating_add_signed(delta)).min(lines.saturating_sub(1));
        vec![]
    }

    fn scroll_by(&mut self, delta: isize) -> Vec<Command> {
        self.follow = false;
        self.scroll = self.scroll.saturating_add_signed(delta);
        self.clamp_scroll();
        vec![]
    }

    fn clamp_scroll(&mut self) {
        let max = self.tasks.len().saturating_sub(self.page());
        self.scroll = self.scroll.min(max);
    }
}

/// The seed after `seed` for the `n` key: different, and still short enough to read out in class.
fn next_seed(seed: u64) -> u64 {
    // a ≡ 1 (mod 20) and c coprime to 10: by Hull–Dobell this visits every seed below a million
    // before repeating.
    (seed.wrapping_mul(7921).wrapping_add(104_729)) % 1_000_000
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ideal::MAKESPANS;

    fn big_pool(count: usize, workers: usize) -> App {
        App::new(Start {
            lang: Lang::En,
            strategy: Strategy::Pool,
            workers,
            speed: 100.0,
            seed: 1,
            names: tasks::generated_names(count),
            min: 3.0,
            max: 6.0,
            workload: Workload::Io,
            cores: 2,
            all_cores: 2,
            procs: ProcessOptions::default(),
            scenes: Vec::new(),
            look: Look::default(),
        })
    }

    fn worker(app: &mut App, run: u64, event: WorkerEvent) {
        app.update(Event::Worker(RunEvent { run, event }));
    }

    /// The plan's facts are worked out when the run starts; no report recomputes them, and a
    /// report touches only its own download, however big the run.
    #[test]
    fn a_report_costs_the_same_in_a_run_of_100000() {
        let mut app = big_pool(100_000, 1024);
        let id = match &app.update(Event::Key(KeyEvent::from(crossterm::event::KeyCode::Enter)))[..]
        {
            [Command::StartRun { id, .. }] => *id,
            other => panic!("Enter starts a run: {other:?}"),
        };
        let before = app.run.as_ref().expect("a run").state.clone();
        MAKESPANS.with(|n| n.set(0));
        let w: Arc<str> = "pool-7".into();
        let task = 12_345;
        worker(
            &mut app,
            id,
            WorkerEvent::Started {
                task,
                worker: w.clone(),
                at: 0.5,
            },
        );
        worker(&mut app, id, WorkerEvent::Progress { task, done: 0.4 });
        let finished = WorkerEvent::Finished {
            task,
            worker: w,
            took: 4.0,
            at: 4.5,
        };
        worker(&mut app, id, finished);
        app.update(Event::Tick { now: 5.0 });
        assert_eq!(
            MAKESPANS.with(|n| n.get()),
            0,
            "no report recomputes the ideal"
        );
        let run = app.run.as_ref().expect("a run");
        let changed: Vec<usize> = (0..before.tasks.len())
            .filter(|&i| {
                let (a, b) = (&before.tasks[i], &run.state.tasks[i]);
                a.phase != b.phase || a.done != b.done || a.start != b.start
            })
            .collect();
        assert_eq!(changed, [task], "only the reported download changed");
        assert_eq!((run.state.finished(), run.state.running()), (1, 0));
        assert_eq!(run.state.ideal(), before.ideal());
        // The run's end builds its result once, from the facts already known.
        worker(&mut app, id, WorkerEvent::RunFinished { elapsed: 500.0 });
        assert_eq!(MAKESPANS.with(|n| n.get()), 0);
        assert_eq!(app.results[&Strategy::Pool].ideal, before.ideal());
    }

    #[test]
    fn counters_follow_the_downloads_and_a_repeat_report_counts_once() {
        let mut app = big_pool(5, 2);
        app.update(Event::Key(KeyEvent::from(crossterm::event::KeyCode::Enter)));
        let id = app.run.as_ref().expect("a run").id;
        let w: Arc<str> = "pool-1".into();
        for task in 0..2 {
            worker(
                &mut app,
                id,
                WorkerEvent::Started {
                    task,
                    worker: w.clone(),
                    at: 0.0,
                },
            );
        }
        let state = |app: &App| app.run.as_ref().expect("a run").state.clone();
        assert_eq!(
            (state(&app).running(), state(&app).first_unfinished()),
            (2, Some(0))
        );
        let fail = WorkerEvent::Failed {
            task: 0,
            worker: w.clone(),
            at: 1.0,
            reason: "x".into(),
        };
        worker(&mut app, id, fail.clone());
        worker(&mut app, id, fail);
        worker(
            &mut app,
            id,
            WorkerEvent::Finished {
                task: 1,
                worker: w,
                took: 1.0,
                at: 1.0,
            },
        );
        let s = state(&app);
        assert_eq!((s.failed(), s.finished(), s.running()), (1, 1, 0));
        assert_eq!(s.first_unfinished(), Some(2));
    }
}
