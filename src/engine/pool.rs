//! A thread pool: up to N long-lived workers take downloads from one shared queue and are reused.
//! The lesson's `with ThreadPoolExecutor(max_workers=4) as pool: pool.submit(download, ...)`.
//! Built like the Rust Book's pool (workers pull jobs from one shared receiver; `Drop` closes the
//! queue and joins them), but hiring like Python's executor: a worker only when a job finds
//! nobody free, and a worker whose job panicked is replaced.

use super::support::{SharedReceiver, lock, spawn};
use super::{Ctx, Stopped, Task, download};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};

/// A unit of work waiting in the queue.
type Job = Box<dyn FnOnce() + Send>;

/// Submit every download to a pool of at most `max_workers` threads, then wait for it to drain.
// lesson:begin
pub fn run(tasks: &[Task], max_workers: usize, ctx: &Ctx) -> Result<(), Stopped> {
    let pool = ThreadPool::new(max_workers, ctx);
    for task in tasks {
        let (my_task, my_ctx) = (task.clone(), ctx.clone());
        pool.submit(move || download(&my_task, &my_ctx));
    }
    Ok(()) // `pool` drops here: the queue closes and every worker is joined
}
// lesson:end

/// Up to N named workers that pull jobs from one queue until the queue is closed.
pub struct ThreadPool {
    /// The queue's sending end: `None` once dropping the pool has closed the queue.
    sender: Option<Sender<Job>>,
    workers: Arc<Workers>,
}

impl ThreadPool {
    /// No worker yet: like `ThreadPoolExecutor`, it hires one when a job finds nobody free.
    pub fn new(max_workers: usize, ctx: &Ctx) -> ThreadPool {
        ThreadPool::named("pool-", max_workers, ctx)
    }

    /// Workers named `{prefix}1`, `{prefix}2`...: Python's `thread_name_prefix`. One queue:
    /// the pool sends, every worker receives.
    pub fn named(prefix: &'static str, max_workers: usize, ctx: &Ctx) -> ThreadPool {
        let (sender, receiver) = mpsc::channel();
        let workers = Workers::new(prefix, max_workers, SharedReceiver::new(receiver), ctx);
        let sender = Some(sender);
        ThreadPool { sender, workers }
    }

    // lesson:begin
    /// Queue a job for the first free worker; nobody free? Hire one more, up to max_workers.
    pub fn submit<T>(&self, job: impl FnOnce() -> T + Send + 'static) {
        self.workers.hire_if_nobody_is_free();
        if let Some(sender) = &self.sender {
            // Cannot fail: `self.workers` holds the receiver.
            let _ = sender.send(Box::new(move || drop(job())));
        }
    }
    // lesson:end
}

// lesson:begin
fn work(workers: &Workers) {
    while let Some(job) = workers.jobs.recv() {
        job();
        workers.free_again(); // the next job comes here: no new hire
    }
} // `recv` says `None` once the queue is closed and empty: the worker's life ends
// lesson:end

// lesson:begin
impl Drop for ThreadPool {
    fn drop(&mut self) {
        drop(self.sender.take()); // like leaving `with`: the queue closes,
        self.workers.join_all(); // every worker finishes it and is joined
    }
}
// lesson:end

/// What the workers share: the queue's receiving end, the handles of everyone hired, and the
/// counts that decide whether a new job needs a new worker.
struct Workers {
    jobs: SharedReceiver<Job>,
    hired: Mutex<Vec<JoinHandle<()>>>,
    prefix: &'static str,
    /// Names given so far, so a replacement gets a new one (`pool-5` after `pool-4` died).
    named: AtomicUsize,
    /// Worker slots taken: a slot is claimed before its thread starts and given back only when
    /// a thread ends for good (a panicking worker hands its slot to its replacement).
    alive: AtomicUsize,
    max_workers: usize,
    /// Workers that finished a job and wait for the next: a new job goes to one of them.
    idle: AtomicUsize,
    ctx: Ctx,
}

impl Workers {
    fn new(
        prefix: &'static str,
        max_workers: usize,
        jobs: SharedReceiver<Job>,
        ctx: &Ctx,
    ) -> Arc<Workers> {
        Arc::new(Workers {
            jobs,
            hired: Mutex::new(Vec::with_capacity(max_workers.min(1024))),
            prefix,
            named: AtomicUsize::new(0),
            alive: AtomicUsize::new(0),
            idle: AtomicUsize::new(0),
            max_workers,
            ctx: ctx.clone(),
        })
    }

    /// `ThreadPoolExecutor._adjust_thread_count`: a worker waiting for work takes the job;
    /// otherwise hire one more if a slot is left (at most max_workers, however many threads
    /// submit at once). A pool that cannot hire anyone leaves its jobs to `run_leftovers`.
    fn hire_if_nobody_is_free(self: &Arc<Workers>) {
        let someone_free = (self.idle)
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1))
            .is_ok();
        if !someone_free || self.alive.load(Ordering::Acquire) == 0 {
            let claimed = (self.alive)
                .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                    (n < self.max_workers).then_some(n + 1)
                })
                .is_ok();
            if claimed {
                self.hire();
            }
        }
    }

    /// Start a worker in a slot already claimed, named after how many were hired before it.
    /// If the thread cannot start, the slot is given back; fewer workers still drain the queue.
    fn hire(self: &Arc<Workers>) {
        let n = self.named.fetch_add(1, Ordering::Relaxed) + 1;
        let me = self.clone();
        let worker = spawn(format!("{}{n}", self.prefix), &self.ctx, move || {
            // If a job panics, this thread unwinds and dies; on its way out it hires its replacement.
            let _replacement = Replacement(me.clone());
            work(&me);
        });
        match worker {
            Ok(worker) => lock(&self.hired).push(worker),
            Err(_) => {
                self.alive.fetch_sub(1, Ordering::AcqRel);
            }
        }
    }

    /// A worker is free again: the next job goes to it. (Like Python's executor, this may count
    /// a worker that then finds a job already queued; that job still runs, only a hire is skipped.)
    fn free_again(&self) {
        self.idle.fetch_add(1, Ordering::AcqRel);
    }

    /// Join every worker, once the queue is closed. A worker that dies meanwhile adds its
    /// replacement to the list before it ends, so joining until the list is empty joins
    /// replacements too.
    fn join_all(&self) {
        while let Some(worker) = self.next_to_join() {
            let _ = worker.join();
        }
        self.run_leftovers();
    }

    /// A worker not yet joined, taken under the lock and joined outside it (a dying worker's
    /// replacement needs the lock to add itself).
    fn next_to_join(&self) -> Option<JoinHandle<()>> {
        lock(&self.hired).pop()
    }

    /// Only if every worker died and none could be replaced, or none could ever start (the OS
    /// refused threads), are jobs left: run them here rather than lose them without a word.
    fn run_leftovers(&self) {
        while let Ok(job) = self.jobs.try_recv() {
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
        }
    }
}

/// Dropped when a worker's thread ends: a panicking worker hands its slot to a replacement, so
/// the pool keeps the workers it had; a worker leaving a closed queue gives its slot back.
struct Replacement(Arc<Workers>);

impl Drop for Replacement {
    fn drop(&mut self) {
        if thread::panicking() {
            // The slot stays taken for the replacement; if it cannot start, `hire` frees it
            // and the others drain the queue.
            self.0.hire();
        } else {
            self.0.alive.fetch_sub(1, Ordering::AcqRel);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Reporter, RunEvent, SpawnKind, WorkerEvent};
    use std::sync::mpsc::Receiver;

    fn ctx() -> (Ctx, Receiver<RunEvent>) {
        let (tx, rx) = mpsc::channel();
        let ctx = Ctx::for_test(1.0, Reporter::new(0, tx));
        (ctx, rx)
    }

    /// The workers that started, by name (threads start in any order).
    fn hired(events: &Receiver<RunEvent>) -> Vec<String> {
        let mut names: Vec<String> = (events.try_iter())
            .filter_map(|e| match e.event {
                WorkerEvent::Spawned {
                    worker,
                    kind: SpawnKind::Thread,
                    ..
                } => Some(worker.to_string()),
                _ => None,
            })
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_worker_waiting_for_work_takes_the_next_job_instead_of_a_new_hire() {
        let (ctx, events) = ctx();
        let pool = ThreadPool::new(4, &ctx);
        for _ in 0..3 {
            let (done, finished) = mpsc::channel();
            pool.submit(move || done.send(()).unwrap());
            finished.recv().unwrap();
            // The job has run; wait until its worker counts itself free again.
            while pool.workers.idle.load(Ordering::Acquire) == 0 {
                thread::yield_now();
            }
        }
        drop(pool);
        assert_eq!(hired(&events), ["pool-1"]);
    }

    #[test]
    fn many_submitters_and_a_panicking_job_never_make_more_than_max_workers() {
        crate::engine::quiet_worker_panics();
        let (ctx, events) = ctx();
        let pool = Arc::new(ThreadPool::new(2, &ctx));
        let (gate, open) = mpsc::channel::<()>();
        let open = Arc::new(Mutex::new(open));
        let most = Arc::new(AtomicUsize::new(0));
        let submitters: Vec<_> = (0..4)
            .map(|i| {
                let (pool, open, most) = (pool.clone(), open.clone(), most.clone());
                thread::spawn(move || {
                    for j in 0..25 {
                        let (open, most, workers) =
                            (open.clone(), most.clone(), pool.workers.clone());
                        pool.submit(move || {
                            most.fetch_max(workers.alive.load(Ordering::Acquire), Ordering::AcqRel);
                            if i == 0 && j == 0 {
                                std::panic::panic_any(crate::engine::WorkerPanic {
                                    worker: "pool-1".into(),
                                    task: 0,
                                });
                            }
                            let _ = open.lock().unwrap().recv();
                        });
                    }
                })
            })
            .collect();
        submitters.into_iter().for_each(|s| s.join().unwrap());
        for _ in 0..99 {
            gate.send(()).unwrap();
        }
        drop(Arc::into_inner(pool).expect("the submitters are done"));
        assert!(most.load(Ordering::Acquire) <= 2, "{most:?}");
        // Two hired for the queue, one more to replace the worker that panicked.
        assert_eq!(hired(&events).len(), 3);
    }

    #[test]
    fn busy_workers_mean_new_hires_up_to_max_workers_then_the_queue() {
        let (ctx, events) = ctx();
        let pool = ThreadPool::new(2, &ctx);
        let (gate, open) = mpsc::channel::<()>();
        let open = Arc::new(Mutex::new(open));
        let (done, finished) = mpsc::channel();
        for _ in 0..5 {
            let (open, done) = (open.clone(), done.clone());
            pool.submit(move || {
                // Every job holds its worker until the test lets one through.
                let _ = open.lock().unwrap().recv();
                done.send(()).unwrap();
            });
        }
        for _ in 0..5 {
            gate.send(()).unwrap();
            finished.recv().unwrap();
        }
        drop(pool);
        assert_eq!(hired(&events), ["pool-1", "pool-2"]);
    }
}
