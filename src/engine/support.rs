//! What the strategies need but students need not see: what starting a worker cost, a download
//! that fails because its worker could not start, locks that outlive a panicking holder, and the
//! queue a pool's workers share. The strategy files call these so that they read like the lesson.

use super::{Ctx, Failure, MAIN_THREAD, SpawnKind, Stopped, Task, WorkerEvent};
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
/// Refused like the OS refuses a thread (`EAGAIN`) once the run has no room left for one.
pub fn spawn<T: Send + 'static>(
    name: String,
    ctx: &Ctx,
    body: impl FnOnce() -> T + Send + 'static,
) -> io::Result<JoinHandle<T>> {
    ctx.room.take()?;
    thread::Builder::new().name(name).spawn(ctx.measured(body))
}

/// Memory maps one more thread takes while it is started and not yet joined: its stack and guard
/// page, and the signal stack and guard page Rust gives every thread (about 4 measured here;
/// one more for the memory allocator's arenas and the run's own bookkeeping).
const MAPS_PER_THREAD: usize = 5;

/// Maps left for everything else the process does (the screen, samplers, libraries).
const MAPS_KEPT: usize = 2_048;

/// How many threads a run may still start. Linux limits a process's memory maps
/// (`vm.max_map_count`, 65,530 by default, about 13,000 threads); past it a new thread cannot
/// set up its signal stack and Rust aborts the whole process, terminal and all. So a run
/// refuses a thread the way the OS refuses one (`EAGAIN`) before that point: that download
/// fails, the others go on. Counted per run, since a run's threads hold their maps until joined.
#[derive(Debug)]
pub struct ThreadRoom(std::sync::OnceLock<std::sync::atomic::AtomicUsize>);

impl Default for ThreadRoom {
    /// No limit known.
    fn default() -> Self {
        ThreadRoom::with(usize::MAX)
    }
}

impl ThreadRoom {
    /// The room this process has, read by [`ThreadRoom::measure`] (or at the first thread) on
    /// the run's own thread, not on the screen's that asks for the run.
    pub fn here() -> Self {
        ThreadRoom(std::sync::OnceLock::new())
    }

    /// Room for `threads` more threads.
    pub fn with(threads: usize) -> Self {
        ThreadRoom(std::sync::OnceLock::from(
            std::sync::atomic::AtomicUsize::new(threads),
        ))
    }

    /// Read the room now, if it was not yet: the run's own thread does it before its clock
    /// starts, so the `/proc` reads are neither on the screen's thread nor in the run's time.
    pub fn measure(&self) -> &std::sync::atomic::AtomicUsize {
        self.0.get_or_init(|| {
            let threads = match maps_left() {
                Some(left) => left.saturating_sub(MAPS_KEPT) / MAPS_PER_THREAD,
                None => usize::MAX,
            };
            std::sync::atomic::AtomicUsize::new(threads)
        })
    }

    /// One thread's room, or the OS's own refusal when there is none left.
    pub fn take(&self) -> io::Result<()> {
        use std::sync::atomic::Ordering::Relaxed;
        (self
            .measure()
            .fetch_update(Relaxed, Relaxed, |n| n.checked_sub(1)))
        .map(drop)
        .map_err(|_| io::Error::from_raw_os_error(libc::EAGAIN))
    }
}

/// Memory maps this process may still make: `vm.max_map_count` less those it has.
fn maps_left() -> Option<usize> {
    let limit = std::fs::read_to_string("/proc/sys/vm/max_map_count").ok()?;
    let limit: usize = limit.trim().parse().ok()?;
    let maps = std::fs::read("/proc/self/maps").ok()?;
    let used = maps.iter().filter(|&&b| b == b'\n').count();
    Some(limit.saturating_sub(used))
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
) -> ThreadHandle<T> {
    let started = spawn(name, ctx, body)
        .map_err(|e| could_not_start(std::slice::from_ref(task), ctx, SpawnKind::Thread, &e));
    ThreadHandle(started.ok())
}

/// A thread [`spawn_for`] started, to be joined; or the note that the OS refused it (its
/// download has already failed, saying why), which there is nothing to wait for.
pub struct ThreadHandle<T>(Option<JoinHandle<T>>);

impl<T> ThreadHandle<T> {
    /// Wait for the thread to end: `Err` if it panicked, `Ok(None)` if it never started.
    pub fn join(self) -> thread::Result<Option<T>> {
        self.0.map(JoinHandle::join).transpose()
    }
}

/// The OS refused a worker (a thread or a process): its downloads fail, the others go on.
pub(crate) fn could_not_start(tasks: &[Task], ctx: &Ctx, what: SpawnKind, e: &io::Error) {
    fail_all(tasks, ctx, &Failure::not_started(what, e));
}

/// Every one of `tasks` fails for `reason`, said by the run's main thread. A run stopped
/// meanwhile fails nothing: nobody is waiting for those downloads any more.
pub(crate) fn fail_all(tasks: &[Task], ctx: &Ctx, reason: &Failure) {
    if ctx.clock.is_stopped() {
        return;
    }
    for task in tasks {
        ctx.reporter.send(WorkerEvent::Failed {
            task: task.id,
            worker: MAIN_THREAD.into(),
            at: ctx.clock.now(),
            reason: reason.clone(),
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
/// If the OS will not give us one, every download fails saying so (not that a thread could not
/// start: a current-thread runtime starts none), and the run ends here.
pub(crate) fn new_current_thread(
    tasks: &[Task],
    ctx: &Ctx,
) -> Result<tokio::runtime::Runtime, Stopped> {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .map_err(|e| {
            fail_all(tasks, ctx, &Failure::no_event_loop(&e));
            Stopped
        })
}

#[cfg(test)]
mod tests {
    use super::ThreadRoom;
    use crate::engine::{Ctx, Reporter, Task, WorkerEvent};
    use crate::i18n::{Lang, failure};

    #[test]
    fn an_event_loop_that_cannot_be_built_fails_every_download_saying_so() {
        let (tx, rx) = std::sync::mpsc::channel::<crate::engine::RunEvent>();
        let ctx = Ctx::for_test(1.0, Reporter::new(0, tx));
        let tasks: Vec<Task> = (0..2)
            .map(|id| Task {
                id,
                name: format!("{id}.pdf").into(),
                duration: 1.0,
            })
            .collect();
        // What epoll_create refuses with when the process has no fds left.
        let e = std::io::Error::from_raw_os_error(libc::EMFILE);
        super::fail_all(&tasks, &ctx, &crate::engine::Failure::no_event_loop(&e));
        let said: Vec<[String; 2]> = (rx.try_iter())
            .map(|e| match e.event {
                WorkerEvent::Failed { reason, .. } => {
                    [failure(Lang::En, &reason), failure(Lang::Zh, &reason)]
                }
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(said.len(), 2);
        for [en, zh] in said {
            // EMFILE has no words of its own: its number says which error it was.
            assert_eq!(
                en,
                "could not build the event loop: system error (errno 24)"
            );
            assert_eq!(zh, "无法建立事件循环：系统错误（errno 24）");
        }
    }

    #[test]
    fn a_run_without_room_is_refused_as_the_os_refuses_a_thread() {
        let room = ThreadRoom::with(2);
        assert!(room.take().is_ok() && room.take().is_ok());
        let refused = room.take().expect_err("no room is left");
        assert_eq!(refused.raw_os_error(), Some(libc::EAGAIN));
        // Still none, however often it is asked.
        assert!(room.take().is_err());
    }

    #[test]
    fn room_here_leaves_this_process_its_own_maps() {
        let room = ThreadRoom::here();
        // Read at the first thread, not before.
        assert!(room.0.get().is_none());
        room.take().expect("room for one thread");
        // On Linux the default limit (65,530 maps) gives a test process room for thousands of
        // threads; elsewhere there is no limit to read.
        let n = room
            .0
            .get()
            .unwrap()
            .load(std::sync::atomic::Ordering::Relaxed);
        assert!(n >= 1_000, "room for {n} threads");
    }
}
