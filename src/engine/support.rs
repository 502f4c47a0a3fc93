//! What the strategies need but students need not see: what starting a worker cost, a download
//! that fails because its worker could not start, locks that outlive a panicking holder, and the
//! queue a pool's workers share. The strategy files call these so that they read like the lesson.

use super::{Ctx, MAIN_THREAD, SpawnKind, Stopped, Task, WorkerEvent};
use std::io;
use std::sync::mpsc::{Receiver, TryRecvError};
use std::sync::{Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::Instant;

/// Lock a mutex whose data stays consistent even if a holder panicked (the crash demo panics
/// on purpose, and the run must go on).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Ctx {
    /// Wrap a new thread's body so that the thread, once running, reports what creating it cost:
    /// the time from this call (just before `spawn`) to the body's first instruction.
    pub fn measured<T>(
        &self,
        body: impl FnOnce() -> T + Send + 'static,
    ) -> impl FnOnce() -> T + Send + 'static {
        let asked = Instant::now();
        let reporter = self.reporter.clone();
        move || {
            let cost = asked.elapsed();
            let worker = thread::current().name().unwrap_or("unnamed").into();
            let kind = SpawnKind::Thread;
            reporter.send(WorkerEvent::Spawned { worker, kind, cost });
            report_thread(&reporter);
            body()
        }
    }
}

/// Tell the caller which OS thread the current worker runs on (Linux; elsewhere nothing is sent).
pub(crate) fn report_thread(reporter: &super::Reporter) {
    #[cfg(target_os = "linux")]
    {
        let worker = thread::current().name().unwrap_or("unnamed").into();
        // SAFETY: gettid has no preconditions.
        let tid = unsafe { libc::gettid() } as u32;
        let pid = std::process::id();
        reporter.send(WorkerEvent::Thread { worker, pid, tid });
    }
    #[cfg(not(target_os = "linux"))]
    let _ = reporter;
}

/// `thread::Builder::new().name(name).spawn(body)`; the new thread reports what starting it cost.
pub fn spawn<T: Send + 'static>(
    name: String,
    ctx: &Ctx,
    body: impl FnOnce() -> T + Send + 'static,
) -> io::Result<JoinHandle<T>> {
    thread::Builder::new().name(name).spawn(ctx.measured(body))
}

/// Start and join `n` threads that do nothing, one after another, each reporting what starting
/// it cost (as [`spawn`] does): a thread's cost, measured beside a run that starts none.
pub fn probe_thread_starts(n: usize, ctx: &Ctx) {
    for i in 1..=n {
        // A refused thread only means one sample fewer.
        if let Ok(probe) = spawn(format!("thread-probe-{i}"), ctx, || ()) {
            let _ = probe.join();
        }
    }
}

/// [`spawn`] a thread for one download; if the OS refuses it (too many threads, say), that
/// download fails and the others go on.
pub fn spawn_for<T: Send + 'static>(
    task: &Task,
    name: String,
    ctx: &Ctx,
    body: impl FnOnce() -> T + Send + 'static,
) -> Option<JoinHandle<T>> {
    spawn(name, ctx, body)
        .map_err(|e| could_not_start(std::slice::from_ref(task), ctx, "a thread", &e))
        .ok()
}

/// The OS refused a worker (`what`: "a thread", "a process"): its downloads fail, the others go
/// on. A run stopped meanwhile fails nothing: nobody is waiting for those downloads any more.
pub(crate) fn could_not_start(tasks: &[Task], ctx: &Ctx, what: &str, e: &io::Error) {
    if ctx.clock.is_stopped() {
        return;
    }
    for task in tasks {
        ctx.reporter.send(WorkerEvent::Failed {
            task: task.id,
            worker: MAIN_THREAD.into(),
            at: ctx.clock.now(),
            reason: format!("could not start {what}: {e}"),
        });
    }
}

/// A receiver several workers share: each `recv` holds the lock only while it takes one item,
/// never while the item is worked on.
pub struct SharedReceiver<T>(Mutex<Receiver<T>>);

impl<T> SharedReceiver<T> {
    pub fn new(receiver: Receiver<T>) -> Self {
        SharedReceiver(Mutex::new(receiver))
    }

    /// The next item, waiting for one; `None` once every sender is gone and the queue is empty.
    pub fn recv(&self) -> Option<T> {
        lock(&self.0).recv().ok()
    }

    /// The next item if one is waiting right now.
    pub fn try_recv(&self) -> Result<T, TryRecvError> {
        lock(&self.0).try_recv()
    }
}

/// One thread, one event loop (like Python's `asyncio.run`): a tokio `current_thread` runtime.
/// If the OS will not give us one, every download fails saying why, and the run ends here.
pub(crate) fn new_current_thread(
    tasks: &[Task],
    ctx: &Ctx,
) -> Result<tokio::runtime::Runtime, Stopped> {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .map_err(|e| {
            could_not_start(tasks, ctx, "an event loop", &e);
            Stopped
        })
}
