//! The classroom screen's state and `update`: events in, intents out. No I/O, no clock reads,
//! no threads here, so every behaviour can be tested by feeding events.

use crate::code::Language;
use crate::engine::{Crash, Plan, ProcessOptions, RunEvent, Strategy, Task, WorkerEvent, Workload};
use crate::i18n::Lang;
use crate::keys::{Action, action_for};
use crate::lesson::{CoresSetting, Scene, TickerSetting};
use crate::procinfo::ThreadInfo;
use crate::report::{Phase, RunState};
use crate::tasks;
use crate::ui::theme::Theme;
use crossterm::event::KeyEvent;
use std::borrow::Cow;
use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

/// Everything the loop feeds into the app, from one channel.
#[derive(Debug, Clone)]
pub enum Event {
    Key(KeyEvent),
    Resize(u16, u16),
    /// Time moved on: the current run's lesson clock and the process's OS thread count.
    Tick {
        now: f64,
        os_threads: usize,
    },
    Worker(RunEvent),
    /// One line of the Ping/Pong ticker, from the thread that printed it.
    Ticker(&'static str),
    /// A left click at (column, row), with `--mouse`.
    Click(u16, u16),
    /// The process's threads with their context switches, read now and then by the runner.
    Threads(Vec<ThreadInfo>),
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
    /// Worker lanes in order of first appearance, for the timeline.
    pub lanes: Vec<Arc<str>>,
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
    /// The process's threads as last read, for the context-switch table.
    pub threads: Vec<ThreadInfo>,
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
    /// Download rows that fit on screen, set by the view's layout rule from the last size.
    pub size: (u16, u16),
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
    pub theme: Theme,
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
    pub theme: Theme,
}

impl App {
    /// A fresh screen: downloads queued, nothing running, ticker off.
    pub fn new(start: Start) -> Self {
        let durations = tasks::durations(start.seed, start.names.len(), start.min, start.max);
        App {
            lang: start.lang,
            strategy: start.strategy,
            workers: start.workers,
            speed: start.speed,
            seed: start.seed,
            tasks: tasks::make_tasks(&start.names, &durations),
            names: start.names,
            min: start.min,
            max: start.max,
            workload: start.workload,
            procs: start.procs,
            cores: start.cores,
            all_cores: start.all_cores,
            threads: Vec::new(),
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
            help: false,
            main_finished: false,
            hint: None,
            os_threads: 0,
            code: None,
            code_scroll: 0,
            help_scroll: 0,
            theme: start.theme,
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
        self.set_stage()
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
    pub fn view_state(&self) -> Cow<'_, RunState> {
        match &self.run {
            Some(r) => Cow::Borrowed(&r.state),
            None => Cow::Owned(self.queued()),
        }
    }

    /// The current downloads, all queued, as the next run would start.
    pub fn queued(&self) -> RunState {
        let mut state = RunState::with(
            self.strategy,
            &self.tasks,
            self.workers,
            self.workload,
            self.cores,
        );
        state.workshops = self.procs.workshops;
        state.workshop_threads = self.procs.workshop_threads;
        state
    }

    /// Apply one event; return what the runner should do.
    pub fn update(&mut self, event: Event) -> Vec<Command> {
        match event {
            Event::Key(key) => match action_for(&key) {
                Some(action) => self.act(action),
                None => vec![],
            },
            Event::Resize(w, h) => {
                self.size = (w, h);
                self.clamp_scroll();
                vec![]
            }
            Event::Tick { now, os_threads } => {
                self.os_threads = os_threads;
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
            Event::Threads(threads) => {
                if !threads.is_empty() {
                    self.os_threads = threads.len();
                }
                self.threads = threads;
                vec![]
            }
            Event::Click(x, y) => {
                if y == 0 {
                    if let Some(n) = crate::ui::tab_at(self, x) {
                        return self.act(Action::Strategy(n));
                    }
                } else if let Some(i) = crate::ui::download_at(self, y) {
                    self.selected = Some(i);
                }
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
                            .min(crate::ui::help_lines());
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
                    r.state.cores = self.cores;
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
                self.workers = n.clamp(1, 256);
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
        let state = self.queued();
        self.run = Some(RunView {
            id,
            state,
            now: 0.0,
            lanes: Vec::new(),
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
                if !run.lanes.contains(worker) {
                    run.lanes.push(worker.clone());
                }
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
        let finished = run.state.is_finished();
        let outcome = Outcome {
            elapsed: run.state.elapsed.unwrap_or(0.0),
            ideal: run.state.ideal(),
            workers: run.state.worker_threads(),
            failed: run.state.failed(),
        };
        let strategy = run.state.strategy;
        if let Some(line) = line {
            self.log.push_back(line);
            self.trim_log();
        }
        if finished {
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

    /// Download rows visible at the current size (the view's layout rule decides).
    pub fn page(&self) -> usize {
        crate::ui::download_rows(self.size.0, self.size.1, self.lang, self.theme.ascii).max(1)
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
        if let Some(first) = run
            .state
            .tasks
            .iter()
            .position(|t| matches!(t.phase, Phase::Running | Phase::Queued))
        {
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
