//! A thread pool: up to N long-lived workers take downloads from one shared queue and are reused.
//! The lesson's `with ThreadPoolExecutor(max_workers=4) as pool: pool.submit(download, ...)`.

use super::{Ctx, Task, download, threads::could_not_start};
use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};

/// A unit of work waiting in the queue.
type Job = Box<dyn FnOnce() + Send>;

// lesson:begin
/// Submit every download to a pool of at most `workers` threads and wait for the pool to drain.
pub fn run(tasks: &[Task], workers: usize, ctx: &Ctx) {
    let pool = ThreadPool::new(workers, ctx);
    for task in tasks {
        let (my_task, my_ctx) = (task.clone(), ctx.clone());
        let submitted = pool.submit(move || {
            // A stopped run makes every queued download return at once, so the pool drains fast.
            let _ = download(&my_task, &my_ctx);
        });
        // lesson:end
        if let Err(e) = submitted {
            could_not_start(task, ctx, e);
        }
        // lesson:begin
    }
    // `pool` drops here: the queue closes and every worker is joined.
}
// lesson:end

/// Up to N named workers that pull jobs from one queue until the queue is closed.
pub struct ThreadPool {
    crew: Arc<Crew>,
    queue: Option<Sender<Job>>,
}

/// What the workers share: the queue's receiving end, and the handles of everyone hired.
struct Crew {
    jobs: Mutex<Receiver<Job>>,
    hired: Mutex<Vec<JoinHandle<()>>>,
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

impl ThreadPool {
    /// A pool of at most `max_workers` threads, `pool-1` to `pool-N`. Like `ThreadPoolExecutor`,
    /// it starts none yet: a worker is hired when a job arrives and nobody is free to take it.
    pub fn new(max_workers: usize, ctx: &Ctx) -> Self {
        let (queue, jobs) = mpsc::channel::<Job>();
        let crew = Arc::new(Crew {
            jobs: Mutex::new(jobs),
            hired: Mutex::new(Vec::with_capacity(max_workers)),
            named: AtomicUsize::new(0),
            alive: AtomicUsize::new(0),
            idle: AtomicUsize::new(0),
            max_workers,
            ctx: ctx.clone(),
        });
        ThreadPool {
            crew,
            queue: Some(queue),
        }
    }

    // lesson:begin
    /// Queue a job for the first free worker. Nobody free?
    /// Hire one more, up to max_workers. Err only when there is
    /// no worker at all and the OS will not start one.
    pub fn submit(&self, job: impl FnOnce() + Send + 'static) -> io::Result<()> {
        let crew = &self.crew;
        let someone_free = (crew.idle)
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1))
            .is_ok();
        if !someone_free || crew.alive.load(Ordering::Acquire) == 0 {
            // Claim a slot and fill it, if one is left: at most max_workers, however
            // many threads submit at once.
            match Crew::claim_and_hire(crew) {
                Err(e) if crew.alive.load(Ordering::Acquire) == 0 => return Err(e),
                // Fewer workers than asked for still drain the queue.
                _ => {}
            }
        }
        if let Some(queue) = &self.queue {
            // Only drop closes the queue, so this cannot fail.
            let _ = queue.send(Box::new(job));
        }
        Ok(())
    }
    // lesson:end
}

impl Crew {
    /// Take a free slot, if any, and start a worker in it; `Ok` also when every slot is taken.
    fn claim_and_hire(crew: &Arc<Crew>) -> io::Result<()> {
        let claimed = (crew.alive)
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < crew.max_workers).then_some(n + 1)
            })
            .is_ok();
        if claimed { Crew::hire(crew) } else { Ok(()) }
    }

    /// Start a worker in a slot already claimed, named after how many were hired before it.
    /// If the thread cannot start, the slot is given back.
    fn hire(crew: &Arc<Crew>) -> io::Result<()> {
        let n = crew.named.fetch_add(1, Ordering::Relaxed) + 1;
        let me = crew.clone();
        let worker = thread::Builder::new()
            .name(format!("pool-{n}"))
            .spawn(crew.ctx.measured(move || me.work()));
        match worker {
            Ok(worker) => {
                (crew.hired.lock().unwrap_or_else(|e| e.into_inner())).push(worker);
                Ok(())
            }
            Err(e) => {
                crew.alive.fetch_sub(1, Ordering::AcqRel);
                Err(e)
            }
        }
    }

    // lesson:begin
    fn work(self: Arc<Crew>) {
        // If a job panics, this thread unwinds and dies; on its way out it hires its replacement.
        let _replacement = Replacement(self.clone());
        loop {
            // The lock is held only while taking a job, never while running it.
            let next = self.jobs.lock().unwrap_or_else(|e| e.into_inner()).recv();
            match next {
                Ok(job) => {
                    job();
                    // Free again: the next job comes here, no new hire. (Like Python's
                    // executor, this may count a worker that then finds a job already
                    // queued; that job still runs, only a hire is skipped.)
                    self.idle.fetch_add(1, Ordering::AcqRel);
                }
                Err(_) => return, // queue closed and empty: the pool is shutting down
            }
        }
    }
    // lesson:end
}

/// Dropped when a worker's thread ends: a panicking worker hands its slot to a replacement, so
/// the pool keeps the workers it had; a worker leaving a closed queue gives its slot back.
struct Replacement(Arc<Crew>);

impl Drop for Replacement {
    fn drop(&mut self) {
        if thread::panicking() {
            // The slot stays taken for the replacement; if it cannot start, `hire` frees it
            // and the others drain the queue.
            let _ = Crew::hire(&self.0);
        } else {
            self.0.alive.fetch_sub(1, Ordering::AcqRel);
        }
    }
}

impl Drop for ThreadPool {
    /// Like leaving the `with` block: close the queue, let the workers finish it, join them.
    fn drop(&mut self) {
        drop(self.queue.take());
        // A worker that dies meanwhile adds its replacement to the list before it ends, so
        // joining until the list is empty joins replacements too.
        loop {
            let next = self
                .crew
                .hired
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .pop();
            match next {
                Some(worker) => {
                    let _ = worker.join();
                }
                None => break,
            }
        }
        // Only if every worker died and none could be replaced (the OS refused threads) are
        // jobs left: run them here rather than lose them without a word.
        let left = self.crew.jobs.lock().unwrap_or_else(|e| e.into_inner());
        while let Ok(job) = left.try_recv() {
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::crash::{CrashMode, CrashSwitch};
    use crate::engine::{Clock, Reporter, RunEvent, SpawnKind, WorkerEvent, Workload};
    use std::sync::atomic::AtomicU64;

    fn ctx() -> (Ctx, Receiver<RunEvent>) {
        let (tx, rx) = mpsc::channel();
        let ctx = Ctx {
            clock: Arc::new(Clock::new(1.0)),
            reporter: Reporter::new(0, tx),
            workload: Workload::Io,
            bytes: Arc::new(AtomicU64::new(0)),
            crash: Arc::new(CrashSwitch::new(CrashMode::Panic)),
            children: Default::default(),
        };
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
            pool.submit(move || done.send(()).unwrap()).unwrap();
            finished.recv().unwrap();
            // The job has run; wait until its worker counts itself free again.
            while pool.crew.idle.load(Ordering::Acquire) == 0 {
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
                        let (open, most, crew) = (open.clone(), most.clone(), pool.crew.clone());
                        pool.submit(move || {
                            most.fetch_max(crew.alive.load(Ordering::Acquire), Ordering::AcqRel);
                            if i == 0 && j == 0 {
                                std::panic::panic_any(crate::engine::WorkerPanic {
                                    worker: "pool-1".into(),
                                    task: 0,
                                });
                            }
                            let _ = open.lock().unwrap().recv();
                        })
                        .unwrap();
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
            })
            .unwrap();
        }
        for _ in 0..5 {
            gate.send(()).unwrap();
            finished.recv().unwrap();
        }
        drop(pool);
        assert_eq!(hired(&events), ["pool-1", "pool-2"]);
    }
}
