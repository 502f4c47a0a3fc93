//! The concurrency being taught: tasks, strategies, the lesson clock and the events workers send.
//! Nothing here prints or touches the terminal; progress leaves only as [`WorkerEvent`]s on an mpsc channel.

pub mod async_tasks;
mod child;
mod clock;
mod crash;
pub mod custom_thread;
mod download;
pub mod failure;
pub mod ideal;
pub mod ipc;
pub mod pool;
pub mod process;
pub mod serial;
pub mod support;
pub mod threads;
pub mod worker;
mod workload;
pub mod workshops;

pub use child::{ChildProcess, Children, MAX_PROCESSES, Process, ProcessOptions};
pub use clock::{Clock, Stopped};
pub use crash::{Crash, CrashMode, CrashSwitch, WorkerPanic, is_worker_panic, quiet_worker_panics};
pub use download::{BYTES_PER_SECOND, bytes_after, download};
pub use failure::Failure;
pub use ideal::{Bound, Ideal};
pub use workload::{Computation, Workload, burn, set_units_per_second, units_per_second};

use std::fmt;
use std::io;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::Sender;
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// One simulated download.
#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    /// Position in the run's task list; events refer to tasks by it.
    pub id: usize,
    pub name: Arc<str>,
    /// Lesson seconds the download takes.
    pub duration: f64,
}

/// How the downloads are spread over threads. The derive names them (`crate::names`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, clap::ValueEnum)]
pub enum Strategy {
    Serial,
    Threads,
    Custom,
    Pool,
    Async,
    /// Each download in a child process of its own.
    Process,
    /// K child processes ("workshops") of M threads each.
    Workshops,
}

impl Strategy {
    /// Every strategy, in key order (`1`, `2`, ...).
    pub const ALL: [Strategy; 7] = [
        Strategy::Serial,
        Strategy::Threads,
        Strategy::Custom,
        Strategy::Pool,
        Strategy::Process,
        Strategy::Async,
        Strategy::Workshops,
    ];

    /// Where this strategy stands in [`Strategy::ALL`]: the tabs, the digit keys and the code
    /// panel's listings all follow this order.
    pub fn index(self) -> usize {
        // Exhaustive, so a new strategy is placed here and in ALL at compile time (a test
        // checks the two agree), rather than found missing from ALL at run time.
        match self {
            Strategy::Serial => 0,
            Strategy::Threads => 1,
            Strategy::Custom => 2,
            Strategy::Pool => 3,
            Strategy::Process => 4,
            Strategy::Async => 5,
            Strategy::Workshops => 6,
        }
    }

    /// The digit key that chooses this strategy on the live screen (`1` for the first of
    /// [`Strategy::ALL`]), as in PRODUCT.md.
    pub fn key(self) -> u8 {
        u8::try_from(self.index() + 1).expect("digit keys 1-9")
    }

    /// The strategy chosen by key `n`, if it exists yet.
    pub fn from_key(n: u8) -> Option<Strategy> {
        Strategy::ALL.into_iter().find(|s| s.key() == n)
    }

    /// Whether its downloads run in child processes, each with a clock of its own, rather than
    /// in threads of this process.
    pub fn in_child_processes(self) -> bool {
        match self {
            Strategy::Process | Strategy::Workshops => true,
            Strategy::Serial
            | Strategy::Threads
            | Strategy::Custom
            | Strategy::Pool
            | Strategy::Async => false,
        }
    }

    /// Whether a paused run can go on one event at a time (`.`): only a clock this process owns
    /// can be stepped, so not one kept by each child.
    pub fn can_step(self) -> bool {
        !self.in_child_processes()
    }

    /// Whether the class chooses how many workers it has (`+`/`-`, `--workers`): the pool's
    /// `max_workers`. Every other strategy's worker count follows from the downloads.
    pub fn has_pool_size(self) -> bool {
        match self {
            Strategy::Pool => true,
            Strategy::Serial
            | Strategy::Threads
            | Strategy::Custom
            | Strategy::Process
            | Strategy::Async
            | Strategy::Workshops => false,
        }
    }

    /// Whether every download runs on one thread: serial's loop, or async's event loop.
    pub fn on_one_thread(self) -> bool {
        match self {
            Strategy::Serial | Strategy::Async => true,
            Strategy::Threads
            | Strategy::Custom
            | Strategy::Pool
            | Strategy::Process
            | Strategy::Workshops => false,
        }
    }

    /// What does its downloads: a process for the process strategies, else a thread.
    pub fn worker_kind(self) -> SpawnKind {
        match self.in_child_processes() {
            true => SpawnKind::Process,
            false => SpawnKind::Thread,
        }
    }

    /// The name used on the command line, in JSON and in lesson files.
    pub fn name(self) -> String {
        crate::names::name(&self)
    }

    /// Every strategy's name, in key order, joined by ", ".
    pub fn names() -> String {
        Strategy::ALL.map(Strategy::name).join(", ")
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

impl FromStr for Strategy {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        crate::names::parse(s)
            .ok_or_else(|| format!("unknown strategy '{s}' (expected {})", Strategy::names()))
    }
}

/// What a worker tells the caller; times are lesson seconds on the run's clock.
#[derive(Debug, Clone, PartialEq)]
pub enum WorkerEvent {
    /// A worker picked up a download (`Downloading X...`).
    Started {
        task: usize,
        worker: Arc<str>,
        at: f64,
    },
    /// Fraction of the download done, 0..=1.
    Progress { task: usize, done: f64 },
    /// The download completed (`Downloaded X`, `Download time: ...`).
    Finished {
        task: usize,
        worker: Arc<str>,
        at: f64,
        took: f64,
    },
    /// The download could not run to the end.
    Failed {
        task: usize,
        worker: Arc<str>,
        at: f64,
        reason: Failure,
    },
    /// Every worker of the run has been joined; `elapsed` is the run's total.
    RunFinished { elapsed: f64 },
    /// A worker thread or process began running, `cost` after it was asked for.
    Spawned {
        worker: Arc<str>,
        kind: SpawnKind,
        cost: Duration,
    },
    /// The run's downloaded bytes so far, and how that number reached the caller.
    Bytes { total: u64, via: BytesVia },
    /// `worker` runs on OS thread `tid` of process `pid`, so a sampler of `/proc/<pid>/task/<tid>`
    /// can say when that worker was on a core (sent once, as the thread begins).
    Thread {
        worker: Arc<str>,
        pid: u32,
        tid: u32,
    },
}

/// What kind of worker a [`WorkerEvent::Spawned`] started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SpawnKind {
    Thread,
    Process,
}

/// How a byte count travelled: the lesson's shared memory versus inter-process communication.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BytesVia {
    /// Every thread added to one counter they all share (an `AtomicU64`).
    SharedAtomic,
    /// Each child process counted its own and sent the totals as lines over a pipe.
    Messages,
}

/// A [`WorkerEvent`] tagged with the run it belongs to, so a listener can drop reports of an old run.
#[derive(Debug, Clone, PartialEq)]
pub struct RunEvent {
    pub run: u64,
    pub event: WorkerEvent,
}

type SendFn = dyn Fn(RunEvent) -> bool + Send + Sync;

/// Where workers send their events: any mpsc `Sender` whose message type can hold a [`RunEvent`].
#[derive(Clone)]
pub struct Reporter {
    run: u64,
    send: Arc<SendFn>,
    /// Wall seconds between two progress reports of one download.
    every: f64,
}

impl Reporter {
    /// Report run `run`'s events into `tx`.
    pub fn new<T: From<RunEvent> + Send + 'static>(run: u64, tx: Sender<T>) -> Self {
        Reporter {
            run,
            send: Arc::new(move |ev| tx.send(T::from(ev)).is_ok()),
            every: download::MIN_STEP_WALL,
        }
    }

    /// Report run `run`'s events to `sink`, which returns false once nobody listens.
    pub fn to(run: u64, sink: impl Fn(RunEvent) -> bool + Send + Sync + 'static) -> Self {
        Reporter {
            run,
            send: Arc::new(sink),
            every: download::MIN_STEP_WALL,
        }
    }

    /// Pace progress for `concurrent` downloads running at once: a frame apart, or further when
    /// that many would report more than [`download::REPORTS_PER_SECOND`] in all. Ten thousand
    /// threads waking 30 times a second each would leave the screen no core to draw on, and at
    /// most a few dozen of their bars are on screen.
    pub fn crowd(mut self, concurrent: usize) -> Self {
        self.every = download::MIN_STEP_WALL.max(concurrent as f64 / download::REPORTS_PER_SECOND);
        self
    }

    /// This reporter at another's pace: a child process reports at its parent run's pace, since
    /// the parent's screen receives the reports of all its children together. Never faster than
    /// a frame.
    pub fn paced(mut self, every: f64) -> Self {
        self.every = download::MIN_STEP_WALL.max(every);
        self
    }

    /// Wall seconds between two progress reports of one download.
    pub fn pace(&self) -> f64 {
        self.every
    }

    /// So many downloads run at once that each reports less often than every frame.
    pub fn is_crowded(&self) -> bool {
        self.every > download::MIN_STEP_WALL
    }

    /// Lesson seconds between two progress reports of a download of `duration` at `speed`:
    /// every 1% of it, but no more often than this reporter's pace.
    pub(crate) fn step(&self, duration: f64, speed: f64) -> f64 {
        (duration / 100.0).max(speed * self.every)
    }

    /// Send one event; false when nobody listens any more, which workers treat as "stop".
    pub fn send(&self, event: WorkerEvent) -> bool {
        (self.send)(RunEvent {
            run: self.run,
            event,
        })
    }
}

/// What every worker of a run shares: the clock to pace against, where to report, and
/// whether downloads wait or compute.
#[derive(Clone)]
pub struct Ctx {
    pub clock: Arc<Clock>,
    pub reporter: Reporter,
    pub workload: Workload,
    /// Bytes downloaded by the whole run: threads add to it directly; child processes cannot.
    pub bytes: Arc<AtomicU64>,
    /// The crash demo's request, taken by the first running download that sees it.
    pub crash: Arc<CrashSwitch>,
    /// The run's live child processes (none for thread strategies).
    pub children: Arc<Children>,
    /// How the process strategies start their children.
    pub procs: Arc<ProcessOptions>,
    /// How many more threads this run may start before the system runs out of room for them.
    pub room: Arc<support::ThreadRoom>,
}

#[cfg(test)]
impl Ctx {
    /// A run's context for a unit test: its clock at `speed`, reporting to `reporter`, the
    /// downloads waiting, the crash demo a panic, no child yet and no limit on threads.
    pub(crate) fn for_test(speed: f64, reporter: Reporter) -> Ctx {
        Ctx {
            clock: Arc::new(Clock::new(speed)),
            reporter,
            workload: Workload::Io,
            bytes: Arc::new(AtomicU64::new(0)),
            crash: Arc::new(CrashSwitch::new(CrashMode::Panic)),
            children: Default::default(),
            procs: Default::default(),
            room: Default::default(),
        }
    }
}

/// Everything that decides how a run goes.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub strategy: Strategy,
    pub tasks: Vec<Task>,
    /// Pool size; other strategies ignore it.
    pub workers: usize,
    pub speed: f64,
    pub workload: Workload,
    /// How the process strategies start their children.
    pub procs: ProcessOptions,
}

/// A run under way. Dropping it stops the run and joins every one of its threads.
pub struct RunHandle {
    clock: Arc<Clock>,
    main: Option<JoinHandle<()>>,
    strategy: Strategy,
    bytes: Arc<AtomicU64>,
    crash: Arc<CrashSwitch>,
    children: Arc<Children>,
}

/// A run's clock and children, to freeze the run while the whole program is stopped (Ctrl-Z):
/// a stopped process's clock still runs, and its children are not stopped with it.
#[derive(Clone)]
pub struct Hold {
    clock: Arc<Clock>,
    children: Arc<Children>,
}

impl Hold {
    /// Pause the run, child processes included, unless it is paused or over already; whether
    /// this did (only then is [`Hold::release`] owed: a teacher's pause stays).
    pub fn pause_if_running(&self) -> bool {
        if self.clock.is_paused() || self.clock.is_stopped() {
            return false;
        }
        self.clock.pause();
        self.children.tell_all(ipc::Control::Pause);
        true
    }

    /// Let the run go on after [`Hold::pause_if_running`] paused it.
    pub fn release(&self) {
        self.clock.resume();
        self.children.tell_all(ipc::Control::Resume);
    }
}

/// The name of the thread that plays the lesson's `main()`: it runs the strategy and reports the total.
pub const MAIN_THREAD: &str = "main";

impl Plan {
    /// How many downloads can be under way at once in this plan.
    fn concurrent(&self) -> usize {
        let n = self.tasks.len();
        match self.strategy {
            Strategy::Serial => 1,
            Strategy::Pool => self.workers.min(n),
            Strategy::Process => n.min(child::MAX_PROCESSES),
            Strategy::Workshops => n.min(self.procs.workshops * self.procs.workshop_threads),
            Strategy::Threads | Strategy::Custom | Strategy::Async => n,
        }
    }
}

/// The most threads a process run starts (and joins) to measure a thread's cost beside its
/// processes': enough for a median, few enough to cost well under a millisecond.
pub const THREAD_PROBES: usize = 16;

/// Start `plan` on its own threads, reporting to `reporter`.
pub fn start(plan: Plan, reporter: Reporter) -> io::Result<RunHandle> {
    if plan.workload == Workload::Cpu {
        // Measured once per process, here rather than in the middle of the first download.
        units_per_second();
    }
    let reporter = reporter.crowd(plan.concurrent());
    let clock = Arc::new(Clock::new(plan.speed).crowded(reporter.is_crowded()));
    let ctx = Ctx {
        clock: clock.clone(),
        reporter,
        workload: plan.workload,
        bytes: Arc::new(AtomicU64::new(0)),
        crash: Arc::new(CrashSwitch::new(CrashMode::Panic)),
        children: Arc::new(Children::default()),
        procs: Arc::new(plan.procs.clone()),
        room: Arc::new(support::ThreadRoom::here()),
    };
    let mut handle = RunHandle {
        clock,
        main: None,
        strategy: plan.strategy,
        bytes: ctx.bytes.clone(),
        crash: ctx.crash.clone(),
        children: ctx.children.clone(),
    };
    let main = thread::Builder::new()
        .name(MAIN_THREAD.into())
        .spawn(move || {
            if plan.strategy == Strategy::Process {
                // What a thread costs to start, measured as the thread strategies measure it and
                // under the same load, so a process run sets the two costs side by side; before
                // the clock starts, so it is not part of the run's time.
                support::probe_thread_starts(plan.tasks.len().min(THREAD_PROBES), &ctx);
            }
            // Before the clock starts: reading /proc here is not the run's time.
            ctx.room.measure();
            ctx.clock.zero();
            // Serial and async do their work on this thread: their lane is this one.
            support::report_thread(&ctx.reporter);
            let (tasks, procs) = (&plan.tasks, &plan.procs);
            // Err only means the run was stopped (or could not go on): either way it ends here.
            let _ = match plan.strategy {
                Strategy::Serial => serial::run(tasks, &ctx),
                Strategy::Threads => threads::run(tasks, &ctx),
                Strategy::Custom => custom_thread::run(tasks, &ctx),
                Strategy::Pool => pool::run(tasks, plan.workers, &ctx),
                Strategy::Async => async_tasks::run(tasks, &ctx),
                Strategy::Process => process::run(tasks, &ctx),
                Strategy::Workshops => {
                    workshops::run(tasks, procs.workshops, procs.workshop_threads, &ctx)
                }
            };
            if !ctx.clock.is_stopped() {
                let elapsed = ctx.clock.now();
                ctx.reporter.send(WorkerEvent::RunFinished { elapsed });
            }
        })?;
    handle.main = Some(main);
    Ok(handle)
}

impl RunHandle {
    /// The run's clock (lesson seconds since it started).
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// The run's clock, to read from another thread (the on-core sampler stamps with it).
    pub fn shared_clock(&self) -> Arc<Clock> {
        self.clock.clone()
    }

    /// What pauses and resumes this run from another thread: the terminal's, around a suspend.
    pub fn hold(&self) -> Hold {
        Hold {
            clock: self.clock.clone(),
            children: self.children.clone(),
        }
    }

    /// Freeze every worker where it is, child processes included.
    pub fn pause(&self) {
        self.clock.pause();
        self.children.tell_all(ipc::Control::Pause);
    }

    /// Let every worker go on from where it was.
    pub fn resume(&self) {
        self.clock.resume();
        self.children.tell_all(ipc::Control::Resume);
    }

    /// While paused: advance to the next lesson event (a download starts or finishes) and pause
    /// there. Thread strategies and async only: child processes keep clocks of their own.
    pub fn step(&self) {
        self.clock.step();
    }

    /// Change the time scale mid-run.
    pub fn set_speed(&self, speed: f64) {
        if speed.is_finite() && speed > 0.0 {
            self.clock.set_speed(speed);
            self.children.tell_all(ipc::Control::Speed(speed));
        }
    }

    /// Crash demo: a running worker thread panics (threads, custom, pool), a running child is
    /// killed (process), or a thread of one workshop aborts its process (workshops).
    pub fn crash(&self) -> Crash {
        match self.strategy {
            // An async task's panic is caught at the task's edge by the event loop: the one
            // thread and the other tasks on it go on.
            Strategy::Threads | Strategy::Custom | Strategy::Pool | Strategy::Async => {
                self.crash.crash_one(&self.clock)
            }
            Strategy::Process => self.children.kill_one(),
            Strategy::Workshops => self.children.abort_one(),
            Strategy::Serial => Crash::Unsupported,
        }
    }

    /// The run's byte counter as it stands: what threads share, or what children's messages added up to.
    pub fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }

    /// How many child processes of this run are alive right now.
    pub fn live_processes(&self) -> usize {
        self.children.live()
    }

    /// Whether every thread of the run has ended.
    pub fn is_finished(&self) -> bool {
        self.main.as_ref().is_none_or(|h| h.is_finished())
    }

    /// Wait for the run to end by itself.
    pub fn join(mut self) {
        if let Some(h) = self.main.take() {
            let _ = h.join();
        }
    }

    /// End the run now: every worker returns, and all the run's threads are joined.
    pub fn stop(mut self) {
        self.stop_and_join();
    }

    fn stop_and_join(&mut self) {
        self.clock.stop();
        // Children do not watch our clock: they are killed, and their listeners reap them.
        self.children.kill_all();
        if let Some(h) = self.main.take() {
            // The main thread joins its workers before it returns, so this joins them all.
            let _ = h.join();
        }
    }
}

impl Drop for RunHandle {
    fn drop(&mut self) {
        self.stop_and_join();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_holds_every_strategy_once_at_its_index() {
        use clap::ValueEnum;
        assert_eq!(Strategy::ALL.len(), Strategy::value_variants().len());
        for &s in Strategy::value_variants() {
            assert_eq!(
                Strategy::ALL[s.index()],
                s,
                "{s:?} is not at its index in ALL"
            );
        }
    }

    fn plan(strategy: Strategy, count: usize, workers: usize) -> Plan {
        Plan {
            strategy,
            tasks: crate::tasks::make_tasks(
                &crate::tasks::generated_names(count),
                &crate::tasks::durations(7, count, 1.0, 2.0),
            ),
            workers,
            speed: 10.0,
            workload: Workload::Io,
            procs: ProcessOptions::default(),
        }
    }

    #[test]
    fn a_crowd_of_downloads_reports_less_often_each_a_few_report_every_frame() {
        let quiet = Reporter::to(1, |_| true);
        // The lesson's three threads: a report a frame (33 ms of wall at 10×), or every 1%.
        let few = quiet
            .clone()
            .crowd(plan(Strategy::Threads, 3, 4).concurrent());
        assert!((few.step(3.0, 10.0) - 0.33).abs() < 1e-9);
        assert!((few.step(300.0, 10.0) - 3.0).abs() < 1e-9);
        // Ten thousand threads at once: half a second of wall apart, 20,000 reports a second in all.
        let crowd = quiet
            .clone()
            .crowd(plan(Strategy::Threads, 10_000, 4).concurrent());
        assert!(crowd.is_crowded());
        assert!((crowd.step(3.0, 10.0) - 5.0).abs() < 1e-9);
        // A pool of 256 is no crowd: its workers are all a frame apart.
        let pool = quiet
            .clone()
            .crowd(plan(Strategy::Pool, 10_000, 256).concurrent());
        assert!(!pool.is_crowded());
        assert!((pool.step(3.0, 10.0) - 0.33).abs() < 1e-9);
        // The process strategy never has more than MAX_PROCESSES children alive, one download
        // each: however many downloads, no crowd.
        let processes = quiet
            .clone()
            .crowd(plan(Strategy::Process, 100_000, 4).concurrent());
        assert!(!processes.is_crowded());
        // Workshops can be: 16 workshops of 64 threads (the most the command line allows) run
        // 1,024 downloads at once, and their children are told the pace (see `child`).
        let mut w = plan(Strategy::Workshops, 1_024, 4);
        (w.procs.workshops, w.procs.workshop_threads) = (16, 64);
        assert!(quiet.crowd(w.concurrent()).is_crowded());
    }

    #[test]
    fn concurrency_follows_the_strategy() {
        assert_eq!(plan(Strategy::Serial, 50, 4).concurrent(), 1);
        assert_eq!(plan(Strategy::Pool, 50, 4).concurrent(), 4);
        assert_eq!(plan(Strategy::Pool, 3, 4).concurrent(), 3);
        assert_eq!(plan(Strategy::Async, 50, 4).concurrent(), 50);
        assert_eq!(
            plan(Strategy::Process, 1_000, 4).concurrent(),
            child::MAX_PROCESSES
        );
        // K workshops of M threads: at most K × M downloads at once.
        let w = plan(Strategy::Workshops, 1_000, 4);
        assert_eq!(w.concurrent(), w.procs.workshops * w.procs.workshop_threads);
    }
}
