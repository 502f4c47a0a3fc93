//! A thread pool: N long-lived workers take downloads from one shared queue and are reused.
//! The lesson's `with ThreadPoolExecutor(max_workers=4) as pool: pool.submit(download, ...)`.

use super::{Ctx, Task, download, threads::could_not_start};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};

/// A unit of work waiting in the queue.
type Job = Box<dyn FnOnce() + Send>;

/// N named workers that pull jobs from one queue until the queue is closed.
pub struct ThreadPool {
    crew: Arc<Crew>,
    queue: Option<Sender<Job>>,
}

/// What the workers share: the queue's receiving end, and the handles of everyone hired.
struct Crew {
    jobs: Mutex<Receiver<Job>>,
    hired: Mutex<Vec<JoinHandle<()>>>,
    count: AtomicUsize,
    ctx: Ctx,
}

impl ThreadPool {
    /// Start `size` workers, `pool-1` to `pool-N`, all waiting on the same queue.
    pub fn new(size: usize, ctx: &Ctx) -> std::io::Result<Self> {
        let (queue, jobs) = mpsc::channel::<Job>();
        let crew = Arc::new(Crew {
            jobs: Mutex::new(jobs),
            hired: Mutex::new(Vec::with_capacity(size)),
            count: AtomicUsize::new(0),
            ctx: ctx.clone(),
        });
        for _ in 0..size {
            match Crew::hire(&crew) {
                Ok(()) => {}
                // Fewer workers than asked for still drain the queue; none at all cannot.
                Err(e) if crew.count.load(Ordering::Relaxed) <= 1 => return Err(e),
                Err(_) => break,
            }
        }
        Ok(ThreadPool {
            crew,
            queue: Some(queue),
        })
    }

    /// Put a job in the queue; the first free worker runs it.
    pub fn submit(&self, job: impl FnOnce() + Send + 'static) {
        if let Some(queue) = &self.queue {
            // Workers only leave once the queue is closed, which happens in drop, so this cannot fail.
            let _ = queue.send(Box::new(job));
        }
    }
}

impl Crew {
    /// Start one more worker, named after how many were hired before it.
    fn hire(crew: &Arc<Crew>) -> std::io::Result<()> {
        let n = crew.count.fetch_add(1, Ordering::Relaxed) + 1;
        let me = crew.clone();
        let worker = thread::Builder::new()
            .name(format!("pool-{n}"))
            .spawn(crew.ctx.measured(move || me.work()))?;
        crew.hired
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(worker);
        Ok(())
    }

    // lesson:begin
    fn work(self: Arc<Crew>) {
        // If a job panics, this thread unwinds and dies; on its way out it hires its replacement.
        let _replacement = Replacement(self.clone());
        loop {
            // The lock is held only while taking a job, never while running it.
            let next = self.jobs.lock().unwrap_or_else(|e| e.into_inner()).recv();
            match next {
                Ok(job) => job(),
                Err(_) => return, // queue closed and empty: the pool is shutting down
            }
        }
    }
    // lesson:end
}

/// Dropped when a worker's thread ends: a panicking worker is replaced, so the pool keeps N workers.
struct Replacement(Arc<Crew>);

impl Drop for Replacement {
    fn drop(&mut self) {
        if thread::panicking() {
            // A replacement that cannot start leaves the others to drain the queue.
            let _ = Crew::hire(&self.0);
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
                None => return,
            }
        }
    }
}

// lesson:begin
/// Submit every download to a pool of `workers` threads and wait for the pool to drain.
pub fn run(tasks: &[Task], workers: usize, ctx: &Ctx) {
    let pool = match ThreadPool::new(workers, ctx) {
        // lesson:end
        Ok(pool) => pool,
        Err(e) => {
            return tasks
                .iter()
                .for_each(|t| could_not_start(t, ctx, clone_err(&e)));
        }
    };
    // lesson:begin
    for task in tasks {
        let (task, ctx) = (task.clone(), ctx.clone());
        pool.submit(move || {
            // A stopped run makes every queued download return at once, so the pool drains fast.
            let _ = download(&task, &ctx);
        });
    }
    // `pool` drops here: the queue closes and every worker is joined.
}
// lesson:end

fn clone_err(e: &std::io::Error) -> std::io::Error {
    std::io::Error::new(e.kind(), e.to_string())
}
