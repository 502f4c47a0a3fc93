//! A thread type of our own: a struct that owns its download, with `run()` and `start()`.
//! The lesson's `class DownloadThread(Thread)` that overrides `run()`.

use super::{Ctx, Task, download, threads::could_not_start};
use std::io;
use std::thread::{self, JoinHandle};

/// One download and everything its thread needs; `start()` runs `run()` on a new named thread.
pub struct DownloadThread {
    name: String,
    task: Task,
    ctx: Ctx,
}

impl DownloadThread {
    /// Like `DownloadThread(filename)`: the thread is described, not yet started.
    pub fn new(number: usize, task: Task, ctx: Ctx) -> Self {
        DownloadThread {
            name: format!("DownloadThread-{number}"),
            task,
            ctx,
        }
    }

    // lesson:begin
    /// What the thread does once started: the lesson's overridden `run()`.
    pub fn run(self) {
        let _ = download(&self.task, &self.ctx);
    }

    /// Start `run()` on a new OS thread named after this one.
    pub fn start(self) -> io::Result<JoinHandle<()>> {
        let ctx = self.ctx.clone();
        thread::Builder::new()
            .name(self.name.clone())
            .spawn(ctx.measured(move || self.run()))
    }
    // lesson:end
}

// lesson:begin
/// Start a `DownloadThread` for every task, then join them all.
pub fn run(tasks: &[Task], ctx: &Ctx) {
    let mut threads = Vec::new();
    for (i, task) in tasks.iter().enumerate() {
        match DownloadThread::new(i + 1, task.clone(), ctx.clone()).start() {
            Ok(handle) => threads.push(handle),
            Err(e) => could_not_start(task, ctx, e),
        }
    }
    for handle in threads {
        // Err: that thread panicked, and only that thread (its download reported the failure).
        let _ = handle.join();
    }
}
// lesson:end
