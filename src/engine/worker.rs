//! The child's side: `threadlab worker ...` (hidden) runs a few downloads in a process of its own
//! and reports over its stdout, listening for pause, speed and the crash demo on its stdin.

use super::crash::{CrashMode, CrashSwitch};
use super::ipc::{Control, Msg};
use super::{
    Clock, Ctx, Reporter, RunEvent, Task, WorkerEvent, Workload, serial, set_units_per_second,
    workshops,
};
use std::io::{self, BufRead, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread;

/// Where a child runs its downloads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Threads {
    /// One after another on its main thread: the lesson's `Process(target=download)`.
    Main,
    /// On a pool of M threads sharing its memory: a workshop.
    Pool(usize),
}

impl Threads {
    /// `--threads` as the child reads it: 0 means its main thread.
    pub fn from_arg(n: usize) -> Threads {
        match n {
            0 => Threads::Main,
            m => Threads::Pool(m),
        }
    }

    /// The inverse of [`Threads::from_arg`].
    pub fn to_arg(self) -> usize {
        match self {
            Threads::Main => 0,
            Threads::Pool(m) => m,
        }
    }
}

/// What a parent asks a child to do.
#[derive(Debug, Clone)]
pub struct Job {
    /// The parent's pid; the child ends if it is not (or no longer) its parent.
    pub parent: Option<u32>,
    pub speed: f64,
    pub paused: bool,
    pub threads: Threads,
    pub tasks: Vec<Task>,
    /// Tests only: write one malformed line after the first progress message.
    pub garble: bool,
    pub workload: Workload,
    /// The parent's cpu calibration, reused so every child computes at the same rate.
    pub units_per_second: Option<f64>,
    /// The parent run's wall seconds between two progress reports of a download, when its
    /// crowd of downloads reports less often than every frame.
    pub report_every: Option<f64>,
}

/// Run a job to the end in this process; returns the exit code.
pub fn serve(job: Job) -> i32 {
    die_with_parent(job.parent);
    let mut out = io::stdout();
    if writeln!(out, "{}", Msg::Hello)
        .and_then(|()| out.flush())
        .is_err()
    {
        return 1;
    }
    if let Some(rate) = job.units_per_second {
        set_units_per_second(rate);
    }
    // Each worker writes its own lines: a writer thread in between would cost this process a
    // thread to start, a hand-over per line and a join before it may exit.
    let pipe = Arc::new(Pipe::new(job.garble));
    let sink = pipe.clone();
    let mut reporter = Reporter::to(0, move |ev| sink.write(ev));
    if let Some(every) = job.report_every {
        reporter = reporter.paced(every);
    }
    // A crowded parent run's threads here are part of its crowd: they wait as its own do.
    let clock = Arc::new(Clock::new(job.speed).crowded(reporter.is_crowded()));
    if job.paused {
        clock.pause();
    }
    let ctx = Ctx {
        clock: clock.clone(),
        reporter,
        // This process's own counter: its threads share it, the parent cannot see it.
        bytes: Arc::new(AtomicU64::new(0)),
        crash: Arc::new(CrashSwitch::new(CrashMode::Abort)),
        children: Default::default(),
        procs: Default::default(),
        room: Arc::new(super::support::ThreadRoom::here()),
        workload: job.workload,
    };
    let (my_clock, crash) = (clock.clone(), ctx.crash.clone());
    let listener = thread::Builder::new()
        .name("control".into())
        .spawn(move || obey(&my_clock, &crash));
    if listener.is_err() {
        return 1;
    }
    work(&job.tasks, job.threads, &ctx);
    if pipe.is_broken() {
        1 // the parent stopped listening
    } else {
        0
    }
}

/// Linux: be killed (SIGKILL) when the parent dies, even by SIGKILL, so no child is ever orphaned.
/// Elsewhere, a closed stdin (see `obey`) does the same job a little later.
fn die_with_parent(parent: Option<u32>) {
    #[cfg(target_os = "linux")]
    // SAFETY: plain system calls on this process; setrlimit only reads the local `none`.
    unsafe {
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
        // The crash demo aborts on purpose; a core file of it would only litter the classroom.
        let none = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        libc::setrlimit(libc::RLIMIT_CORE, &none);
        // The parent may have died before prctl: then we already belong to someone else.
        if parent.is_some_and(|p| libc::getppid() as u32 != p) {
            std::process::exit(1);
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = parent;
}

/// Follow the parent's orders on stdin. Pause and speed go to this process's own clock: a
/// stopped process (SIGSTOP) would freeze too, but its clock would jump ahead on SIGCONT, and no
/// signal carries a new speed. End the process when the pipe closes: the parent is gone.
fn obey(clock: &Clock, crash: &CrashSwitch) {
    for line in io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        match Control::parse(&line) {
            Some(Control::Pause) => clock.pause(),
            Some(Control::Resume) => clock.resume(),
            Some(Control::Speed(x)) => clock.set_speed(x),
            Some(Control::Abort) => {
                crash.arm();
                clock.poke();
            }
            None => {}
        }
    }
    std::process::exit(0);
}

/// Run the downloads where the parent asked.
fn work(tasks: &[Task], threads: Threads, ctx: &Ctx) {
    // This thread is the workshop's `main`, the worker of a one-worker process.
    super::support::report_thread(&ctx.reporter);
    let _ = match threads {
        Threads::Main => serial::run(tasks, ctx),
        Threads::Pool(m) => workshops::workshop(tasks, m, ctx),
    };
}

/// The child's stdout as its workers share it: one whole line per event, in the order written.
struct Pipe {
    /// Tests only: a malformed line is still owed after the first progress message.
    garble: AtomicBool,
    broken: AtomicBool,
}

impl Pipe {
    fn new(garble: bool) -> Self {
        Pipe {
            garble: AtomicBool::new(garble),
            broken: AtomicBool::new(false),
        }
    }

    /// Write one event as a line; false once the parent has stopped listening, which the
    /// workers take as "stop".
    fn write(&self, ev: RunEvent) -> bool {
        let Some(msg) = message(ev.event) else {
            return true;
        };
        // Stdout's lock, held for the whole line (and the garbled one after it), keeps two
        // workers' lines from interleaving.
        let mut out = io::stdout().lock();
        let mut written = writeln!(out, "{msg}");
        if matches!(msg, Msg::Progress { .. }) && self.garble.swap(false, Ordering::Relaxed) {
            written = written.and_then(|()| writeln!(out, "%%% this is not a message %%%"));
        }
        if written.and_then(|()| out.flush()).is_err() {
            self.broken.store(true, Ordering::Relaxed);
        }
        !self.is_broken()
    }

    fn is_broken(&self) -> bool {
        self.broken.load(Ordering::Relaxed)
    }
}

/// What the parent hears of an event: the run's own end stays in this process.
fn message(event: WorkerEvent) -> Option<Msg> {
    Some(match event {
        WorkerEvent::Spawned { worker, cost, .. } => Msg::Spawned {
            thread: worker.to_string(),
            nanos: cost.as_nanos() as u64,
        },
        WorkerEvent::Thread { worker, tid, .. } => Msg::Thread {
            thread: worker.to_string(),
            tid,
        },
        WorkerEvent::Started { task, worker, .. } => Msg::Start {
            task,
            thread: worker.to_string(),
        },
        WorkerEvent::Progress { task, done } => Msg::Progress { task, done },
        WorkerEvent::Bytes { total, .. } => Msg::Bytes { total },
        WorkerEvent::Finished { task, took, .. } => Msg::Done { task, took },
        WorkerEvent::Failed { task, reason, .. } => Msg::Failed { task, reason },
        WorkerEvent::RunFinished { .. } => return None,
    })
}
