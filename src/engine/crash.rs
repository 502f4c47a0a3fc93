//! The crash demo: make one running worker blow up, to show what a crash takes down with it.
//! A thread that panics takes only itself; a thread that aborts takes its whole process.

use super::support::lock;
use super::{Clock, Ctx, WorkerEvent};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// What [`RunHandle::crash`](super::RunHandle::crash) blew up.
#[derive(Debug, Clone, PartialEq)]
pub enum Crash {
    /// A worker thread panicked: its download failed with "panicked", every other worker goes on.
    Panicked { worker: Arc<str>, task: usize },
    /// A child process was killed (SIGKILL): only its download failed.
    Killed {
        worker: Arc<str>,
        pid: u32,
        tasks: Vec<usize>,
    },
    /// A thread of a workshop called `std::process::abort()`: every download of that process failed.
    Aborted {
        worker: Arc<str>,
        pid: u32,
        tasks: Vec<usize>,
        /// The run's other workshops alive at that moment, each as the downloads it had not
        /// finished: what goes on, as the run had it, not as it was planned (one may have
        /// finished its share already).
        others: Vec<usize>,
    },
    /// No download was running, so there was nothing to crash.
    NothingRunning,
    /// This strategy has no worker to crash apart from the run's main thread.
    Unsupported,
}

/// The payload of the crash demo's panic, so a panic hook can tell the lesson's panic from a real bug
/// (see [`is_worker_panic`]).
#[derive(Debug, Clone)]
pub struct WorkerPanic {
    pub worker: Arc<str>,
    pub task: usize,
}

/// Whether a panic is the crash demo's, which the worker's own thread absorbs: a UI panic hook
/// should ignore it (neither restore the terminal nor print).
pub fn is_worker_panic(info: &std::panic::PanicHookInfo<'_>) -> bool {
    info.payload().is::<WorkerPanic>()
}

/// Wrap the current panic hook so it stays silent for the crash demo's panics; call it after
/// installing the hook that restores the terminal.
pub fn quiet_worker_panics() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !is_worker_panic(info) {
            previous(info);
        }
    }));
}

/// How a worker blows up when it picks up the crash request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CrashMode {
    /// `panic!`: unwinds only the worker's own thread.
    Panic,
    /// `std::process::abort()`: ends the whole process at once (inside a workshop child).
    Abort,
}

/// Where the worker that takes a crash request says who it is, and which download it was running.
type Taker = SyncSender<(Arc<str>, usize)>;

/// A request to crash, armed by the controller and taken by the first running download that sees it.
pub struct CrashSwitch {
    mode: CrashMode,
    armed: AtomicBool,
    taker: Mutex<Option<Taker>>,
    running: AtomicUsize,
}

impl CrashSwitch {
    /// A switch whose taker blows up in `mode`.
    pub fn new(mode: CrashMode) -> Self {
        CrashSwitch {
            mode,
            armed: AtomicBool::new(false),
            taker: Mutex::new(None),
            running: AtomicUsize::new(0),
        }
    }

    /// Whether a crash is waiting for a worker to take it.
    pub fn is_armed(&self) -> bool {
        self.armed.load(Ordering::Acquire)
    }

    fn take(&self) -> Option<Taker> {
        let taken = lock(&self.taker).take();
        self.armed.store(false, Ordering::Release);
        taken
    }

    /// Arm without waiting for a taker (a workshop child, told over its pipe).
    pub fn arm(&self) {
        let (tx, _) = mpsc::sync_channel(1);
        self.arm_with(tx);
    }

    fn arm_with(&self, tx: Taker) {
        *lock(&self.taker) = Some(tx);
        self.armed.store(true, Ordering::Release);
    }

    /// Make one running download blow up, and wait (briefly) to learn which one did.
    pub fn crash_one(&self, clock: &Clock) -> Crash {
        if self.running.load(Ordering::Acquire) == 0 {
            return Crash::NothingRunning;
        }
        let (tx, rx) = mpsc::sync_channel(1);
        self.arm_with(tx);
        // A waiting worker wakes at once, even while the run is paused.
        clock.poke();
        match rx.recv_timeout(Duration::from_secs(1)) {
            Ok((worker, task)) => Crash::Panicked { worker, task },
            Err(_) => match self.take() {
                // Nobody took it: every download ended meanwhile.
                Some(_) => Crash::NothingRunning,
                // Taken just now, after the timeout: the taker is about to say who it is.
                None => rx
                    .recv_timeout(Duration::from_secs(1))
                    .map(|(worker, task)| Crash::Panicked { worker, task })
                    .unwrap_or(Crash::NothingRunning),
            },
        }
    }

    /// Called by a download whose wait the crash request interrupted: the first one to get here blows up.
    pub(crate) fn blow_up_if_first(&self, task: usize, worker: &Arc<str>) {
        let Some(tx) = self.take() else { return };
        let _ = tx.try_send((worker.clone(), task));
        match self.mode {
            CrashMode::Panic => std::panic::panic_any(WorkerPanic {
                worker: worker.clone(),
                task,
            }),
            // The lesson's "a worker blows up the workshop": no unwinding, no destructors, the
            // process and every thread in it are gone.
            CrashMode::Abort => std::process::abort(),
        }
    }

    /// Count a download as running until the guard drops; if its thread unwinds, the guard fails it.
    pub(crate) fn running<'a>(
        &'a self,
        task: usize,
        worker: Arc<str>,
        ctx: &'a Ctx,
    ) -> RunningGuard<'a> {
        self.running.fetch_add(1, Ordering::AcqRel);
        RunningGuard { task, worker, ctx }
    }
}

/// A download in progress; dropped when it ends, normally or by a panic.
pub(crate) struct RunningGuard<'a> {
    task: usize,
    worker: Arc<str>,
    ctx: &'a Ctx,
}

impl Drop for RunningGuard<'_> {
    fn drop(&mut self) {
        self.ctx.crash.running.fetch_sub(1, Ordering::AcqRel);
        if thread::panicking() {
            // The panic unwinds this thread only; its download is the one casualty.
            self.ctx.reporter.send(WorkerEvent::Failed {
                task: self.task,
                worker: self.worker.clone(),
                at: self.ctx.clock.now(),
                reason: super::Failure::Panicked,
            });
        }
    }
}
