//! The classroom screen's state and `update`: events in, intents out. No I/O, no clock reads,
//! no threads and nothing of the view here, so every behaviour can be tested by feeding events.
//! The edge (the runner) tells the state what it needs to know of the screen: its page size
//! ([`Event::Viewport`]) and what a click hit ([`Event::ClickTab`], [`Event::ClickDownload`]).

mod actions;
mod event;
mod lanes;
mod lesson;
mod ping_pong;
mod runs;
mod scroll;
mod view_models;
mod watched;
pub use event::{Command, Event, LogLine, SpareCode};
pub use lanes::{Lane, Lanes};
pub use view_models::{ChildView, Held, LessonView, Outcome, RunView, TickerView};

use crate::bindings::{Action, action_for};
use crate::code::Language;
use crate::engine::{Crash, Strategy, Task};
use crate::i18n::Key;
use crate::lesson::Scene;
use crate::procinfo::ThreadInfo;
use crate::run_state::RunState;
use crate::settings::Settings;
use crate::tasks;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;

/// Lines PgUp and PgDn move the code panel by.
const CODE_PAGE: isize = 10;

/// Speeds the `[` and `]` keys step through.
pub const SPEEDS: [f64; 13] = [
    0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0,
];

const LOG_LINES: usize = 200;
/// Ping/Pong words kept for the ticker's box.
pub(crate) const TICKER_WORDS: usize = 120;

/// The whole state of the classroom screen.
#[derive(Debug, Clone)]
pub struct App {
    /// The class's choices, as the command line set them and the keys changed them since.
    pub settings: Settings,
    /// CPU cores the next run uses (the `k` setting), and how many the machine has.
    pub cores: usize,
    pub all_cores: usize,
    /// Cores the process is restricted to now: `k` during a run changes only [`App::cores`],
    /// and this follows when no run is under way (a run keeps the cores it started on).
    applied_cores: usize,
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
    /// The scene the class was on when it left the lesson: `L` comes back to it.
    left_at_scene: usize,
    /// The download clicked last (`--mouse`), whose details the screen shows.
    pub selected: Option<usize>,
    /// Whether the downloads list follows the work under way (until scrolled by hand).
    pub follow: bool,
    scenes: Arc<[Scene]>,
    /// The class's downloads (`--tasks` or the lesson's), for scenes that name none of their own.
    base_names: Vec<String>,
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
    /// Results on other downloads of this seed (another lesson scene's), set aside while these
    /// run and brought back with their downloads: entering the pool scene once wiped them all.
    shelved: HashMap<Vec<String>, BTreeMap<Strategy, Outcome>>,
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
    /// The rows worth giving the code in spare rows at the current size, as the last
    /// [`Event::Viewport`] said (the view derives them once per size or listing, not per frame).
    pub code_rows: SpareCode,
    pub help: bool,
    /// `q` was pressed while non-daemon tickers run: main is done, the process is not.
    pub main_finished: bool,
    /// The download run `q` stopped as main finished (its downloads end unfinished): the box
    /// that says main has finished says so too, instead of the run vanishing without a word.
    pub stopped_with_main: Option<Strategy>,
    /// `q` was pressed once while the Ping/Pong program's process runs: a second `q` quits
    /// threadlab, and the program with it (the first says so instead of ending it silently).
    quit_pending: bool,
    /// A one-line hint for the status line (translation key).
    pub hint: Option<Key>,
    pub os_threads: usize,
    /// The code panel (`v` Rust, `V` Python), shown instead of the timeline and log.
    pub code: Option<Language>,
    /// Lines of the code panel's listing scrolled past; the arrows scroll the code while it shows.
    pub code_scroll: usize,
    /// Lines of help scrolled past, on a screen too short to show it all.
    pub help_scroll: usize,
    next_run: u64,
}

/// What the app starts from: the class's choices, the machine's cores and the lesson.
#[derive(Debug, Clone)]
pub struct Start {
    pub settings: Settings,
    /// CPU cores the process runs on, and how many the machine has.
    pub cores: usize,
    pub all_cores: usize,
    /// The lesson's scenes, for lesson mode (`L`, `--lesson`).
    pub scenes: Vec<Scene>,
}

impl App {
    /// A fresh screen: downloads queued, nothing running, ticker off.
    pub fn new(start: Start) -> Self {
        let Start {
            settings,
            cores,
            all_cores,
            scenes,
        } = start;
        let tasks = settings.tasks();
        let idle = RunState::shaped(
            settings.strategy,
            &tasks,
            settings.workers,
            settings.workload,
            cores,
            &settings.procs,
        );
        App {
            name_width: (settings.names.iter())
                .map(|n| crate::text::width(n))
                .max()
                .unwrap_or(0),
            tasks,
            idle,
            base_names: settings.names.clone(),
            settings,
            cores,
            all_cores,
            applied_cores: cores,
            switches: Vec::new(),
            rss: None,
            notice: None,
            crash_note: None,
            lesson: None,
            left_at_scene: 0,
            selected: None,
            follow: true,
            scenes: scenes.into(),
            run: None,
            paused: false,
            steps_pending: 0,
            results: BTreeMap::new(),
            shelved: HashMap::new(),
            compare_queue: VecDeque::new(),
            log: VecDeque::new(),
            ticker: TickerView::default(),
            scroll: 0,
            size: (80, 24),
            page: 1,
            help_lines: 0,
            code_rows: None,
            help: false,
            main_finished: false,
            stopped_with_main: None,
            quit_pending: false,
            hint: None,
            os_threads: 0,
            code: None,
            code_scroll: 0,
            help_scroll: 0,
            next_run: 1,
        }
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
        let same = i.strategy == self.settings.strategy
            && i.workers == self.settings.workers
            && i.workload == self.settings.workload
            && i.cores == self.cores
            && i.workshops == self.settings.procs.workshops
            && i.workshop_threads == self.settings.procs.workshop_threads
            && i.tasks.len() == self.tasks.len();
        if !same {
            self.idle = self.plan_state();
        }
    }

    /// Run these downloads from now on, with durations drawn from the current seed; the results
    /// were on the old downloads: they are set aside, and the new downloads' come back.
    fn set_names(&mut self, names: Vec<String>) {
        if names == self.settings.names {
            return;
        }
        let old = std::mem::take(&mut self.results);
        if !old.is_empty() {
            self.shelved.insert(self.settings.names.clone(), old);
        }
        self.results = self.shelved.remove(&names).unwrap_or_default();
        let durations = tasks::durations(
            self.settings.seed,
            names.len(),
            self.settings.min,
            self.settings.max,
        );
        self.tasks = tasks::make_tasks(&names, &durations);
        self.name_width = (names.iter())
            .map(|n| crate::text::width(n))
            .max()
            .unwrap_or(0);
        self.settings.names = names;
        self.selected = None;
        self.scroll = 0;
        self.idle = self.plan_state();
    }

    /// How many results are set aside with other downloads (another scene's), to say where
    /// they went.
    pub fn shelved_results(&self) -> usize {
        self.shelved.values().map(BTreeMap::len).sum()
    }

    /// New durations: every result, set aside or not, was on the old ones.
    pub(super) fn forget_results(&mut self) {
        self.results.clear();
        self.shelved.clear();
    }

    /// The current downloads all queued, under the current settings.
    fn plan_state(&self) -> RunState {
        RunState::shaped(
            self.settings.strategy,
            &self.tasks,
            self.settings.workers,
            self.settings.workload,
            self.cores,
            &self.settings.procs,
        )
    }

    fn handle(&mut self, event: Event) -> Vec<Command> {
        match event {
            Event::Key(key) => match action_for(&key) {
                Some(action) => self.act(action),
                // Help promises that any key closes it, bound to an action or not.
                None => {
                    self.help = false;
                    vec![]
                }
            },
            Event::Resize(w, h) => {
                // The runner follows it with the viewport, which only the view can work out.
                self.size = (w, h);
                vec![]
            }
            // The runner turns a click into what it hit, and drains worker reports itself.
            Event::Click(..) | Event::WorkerReports => vec![],
            Event::Viewport {
                page,
                help_lines,
                code_rows,
            } => {
                self.page = page.max(1);
                self.code_rows = code_rows;
                self.help_lines = help_lines;
                self.help_scroll = self.help_scroll.min(help_lines);
                self.clamp_scroll();
                vec![]
            }
            Event::Language(lang) => {
                self.settings.lang = lang;
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
            Event::PingPong { id, news } => {
                self.on_ping_pong(id, news);
                vec![]
            }
            Event::Sampled { threads, rss } => {
                self.on_sample(threads, rss);
                vec![]
            }
            Event::OnCore { run, segments } => {
                self.on_core(run, segments);
                vec![]
            }
            Event::ClickTab(n) => self.act(Action::Strategy(n)),
            Event::ClickDownload(i) => {
                self.selected = (i < self.tasks.len()).then_some(i);
                vec![]
            }
            Event::RunCpu { run, cpu } => {
                self.on_run_cpu(run, cpu);
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
            Event::Stopped { run, seconds } => {
                self.on_stopped(run, seconds);
                vec![]
            }
            // The loop turns it into `Stopped` when a run's clock was running; else nothing
            // was counted, and there is nothing to say.
            Event::Continued => vec![],
            Event::Suspended { run, seconds } => {
                self.on_suspended(run, seconds);
                vec![]
            }
            Event::Watched(w) => {
                self.on_watched(*w);
                vec![]
            }
            Event::Shutdown(_) => vec![Command::Quit],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ideal::MAKESPANS;
    use crate::engine::{RunEvent, WorkerEvent};
    use crossterm::event::KeyEvent;

    fn big_pool(count: usize, workers: usize) -> App {
        App::new(Start {
            settings: Settings {
                strategy: Strategy::Pool,
                workers,
                speed: 100.0,
                names: tasks::generated_names(count),
                ..Settings::default()
            },
            cores: 2,
            all_cores: 2,
            scenes: Vec::new(),
        })
    }

    fn worker(app: &mut App, run: u64, event: WorkerEvent) {
        app.update(Event::Worker(RunEvent { run, event }));
    }

    /// Download `task` of run `run` starts on `w` at `at` lesson seconds.
    fn started(app: &mut App, run: u64, task: usize, w: &Arc<str>, at: f64) {
        let worker = w.clone();
        self::worker(app, run, WorkerEvent::Started { task, worker, at });
    }

    /// The watch screen hands back the language the class switched to there: it is set, not
    /// toggled, so it holds whatever this screen was showing (help, a lesson scene) meanwhile.
    #[test]
    fn a_language_chosen_on_another_screen_holds_here() {
        use crate::i18n::Lang;
        let mut app = big_pool(3, 2);
        app.update(Event::Key(KeyEvent::from(crossterm::event::KeyCode::Char(
            '?',
        ))));
        for _ in 0..2 {
            app.update(Event::Language(Lang::Zh));
            assert_eq!(app.settings.lang, Lang::Zh);
        }
        app.update(Event::Language(Lang::En));
        assert_eq!(app.settings.lang, Lang::En);
    }

    /// `w` during a run is for the next one, and the screen says so; when idle it says nothing.
    #[test]
    fn w_during_a_run_says_it_is_for_the_next_run() {
        use crossterm::event::KeyCode;
        let mut app = big_pool(3, 2);
        app.update(Event::Key(KeyEvent::from(KeyCode::Char('w'))));
        assert_eq!(app.hint, None);
        app.update(Event::Key(KeyEvent::from(KeyCode::Enter)));
        assert!(app.is_running());
        app.update(Event::Key(KeyEvent::from(KeyCode::Char('w'))));
        assert_eq!(app.hint, Some(Key::hint_workload_next_run));
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
        started(&mut app, id, task, &w, 0.5);
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
            started(&mut app, id, task, &w, 0.0);
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
            reason: crate::engine::Failure::Panicked,
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

    #[test]
    fn help_closes_on_any_key_even_one_bound_to_nothing() {
        use crossterm::event::KeyCode;
        let mut app = big_pool(3, 2);
        app.update(Event::Key(KeyEvent::from(KeyCode::Char('?'))));
        assert!(app.help);
        // The arrows scroll it and l changes its language: it stays.
        app.update(Event::Key(KeyEvent::from(KeyCode::Down)));
        app.update(Event::Key(KeyEvent::from(KeyCode::Char('l'))));
        assert!(app.help);
        app.update(Event::Key(KeyEvent::from(KeyCode::Char('a'))));
        assert!(!app.help, "an unbound key closes help, as help says");
    }

    /// The built-in lesson, open at its first scene.
    fn lesson_app() -> App {
        let mut app = App::new(Start {
            settings: Settings::default(),
            cores: 2,
            all_cores: 2,
            scenes: crate::lesson::builtin(),
        });
        app.open_lesson();
        app
    }

    #[test]
    fn a_new_scene_forgets_the_last_scenes_crash() {
        use crossterm::event::KeyCode;
        let mut app = lesson_app();
        app.update(Event::Crashed(crate::engine::Crash::Panicked {
            worker: "Thread-1".into(),
            task: 0,
        }));
        assert!(app.crash_note.is_some());
        app.update(Event::Key(KeyEvent::from(KeyCode::PageDown)));
        assert!(
            app.crash_note.is_none(),
            "the note belonged to the last scene"
        );
    }

    #[test]
    fn another_strategy_forgets_the_finished_runs_crash() {
        let mut app = lesson_app();
        let enter = app.update(Event::Key(KeyEvent::from(crossterm::event::KeyCode::Enter)));
        let id = (enter.iter())
            .find_map(|c| match c {
                Command::StartRun { id, .. } => Some(*id),
                _ => None,
            })
            .expect("Enter starts the scene's run");
        app.update(Event::Crashed(crate::engine::Crash::Panicked {
            worker: "Thread-1".into(),
            task: 0,
        }));
        worker(&mut app, id, WorkerEvent::RunFinished { elapsed: 3.0 });
        assert!(!app.is_running());
        assert!(app.crash_note.is_some(), "the finished run keeps its note");
        assert_ne!(app.settings.strategy, Strategy::Threads);
        app.act(Action::Strategy(2));
        assert!(
            app.crash_note.is_none() && app.run.is_none(),
            "the note belonged to the last run, with its bars"
        );
    }

    #[test]
    fn leaving_the_lesson_and_coming_back_returns_to_the_same_scene() {
        use crossterm::event::KeyCode;
        let mut app = lesson_app();
        for _ in 0..4 {
            app.update(Event::Key(KeyEvent::from(KeyCode::PageDown)));
        }
        app.update(Event::Key(KeyEvent::from(KeyCode::Char('L'))));
        assert!(app.lesson.is_none());
        app.update(Event::Key(KeyEvent::from(KeyCode::Char('L'))));
        assert_eq!(app.lesson.as_ref().map(|l| l.index), Some(4));
    }
}
