//! A thread pool: N long-lived workers take downloads from one shared queue and are reused.
//! The lesson's `with ThreadPoolExecutor(max_workers=4) as pool: pool.submit(download, ...)`.

use super::{Ctx, Task, download, threads::could_not_start};
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};

/// A unit of work waiting in the queue.
type Job = Box<dyn FnOnce() + Send>;

/// N named workers that pull jobs from one queue until the queue is closed.
pub struct ThreadPool {
    workers: Vec<JoinHandle<()>>,
    queue: Option<Sender<Job>>,
}

impl ThreadPool {
    /// Start `size` workers, `pool-1` to `pool-N`, all waiting on the same queue.
    pub fn new(size: usize) -> std::io::Result<Self> {
        let (queue, jobs) = mpsc::channel::<Job>();
        let jobs = Arc::new(Mutex::new(jobs));
        let mut workers = Vec::with_capacity(size);
        for i in 1..=size {
            let jobs = jobs.clone();
            let worker = thread::Builder::new()
                .name(format!("pool-{i}"))
                .spawn(move || {
                    loop {
                        // The lock is held only while taking a job, never while running it.
                        let next = jobs.lock().unwrap_or_else(|e| e.into_inner()).recv();
                        match next {
                            Ok(job) => job(),
                            Err(_) => return, // queue closed and empty: the pool is shutting down
                        }
                    }
                });
            match worker {
                Ok(handle) => workers.push(handle),
                // Fewer workers than asked for still drain the queue; none at all cannot.
                Err(e) if workers.is_empty() => return Err(e),
                Err(_) => break,
            }
        }
        Ok(ThreadPool {
            workers,
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

impl Drop for ThreadPool {
    /// Like leaving the `with` block: close the queue, let the workers finish it, join them.
    fn drop(&mut self) {
        drop(self.queue.take());
        for worker in self.workers.drain(..) {
            let _ = worker.join();
        }
    }
}

/// Submit every download to a pool of `workers` threads and wait for the pool to drain.
pub fn run(tasks: &[Task], workers: usize, ctx: &Ctx) {
    let pool = match ThreadPool::new(workers) {
        Ok(pool) => pool,
        Err(e) => {
            return tasks
                .iter()
                .for_each(|t| could_not_start(t, ctx, clone_err(&e)));
        }
    };
    for task in tasks {
        let (task, ctx) = (task.clone(), ctx.clone());
        pool.submit(move || {
            // A stopped run makes every queued download return at once, so the pool drains fast.
            let _ = download(&task, &ctx);
        });
    }
    // `pool` drops here: the queue closes and every worker is joined.
}

fn clone_err(e: &std::io::Error) -> std::io::Error {
    std::io::Error::new(e.kind(), e.to_string())
}
