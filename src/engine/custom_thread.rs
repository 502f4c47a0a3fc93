//! A thread type of our own: a struct that owns its download, with `run()` and `start()`.
//! The lesson's `class DownloadThread(Thread)` that overrides `run()`.

use super::support::{ThreadHandle, spawn_for};
use super::{Ctx, Stopped, Task, download};

/// One download and everything its thread needs; `start()` runs `run()` on a new named thread.
pub struct DownloadThread {
    name: String,
    task: Task,
    ctx: Ctx,
}

impl DownloadThread {
    /// Like `DownloadThread(filename)`: the thread is described, not yet started.
    pub fn new(number: usize, task: &Task, ctx: &Ctx) -> Self {
        let (name, task, ctx) = (
            format!("DownloadThread-{number}"),
            task.clone(),
            ctx.clone(),
        );
        DownloadThread { name, task, ctx }
    }
}

// lesson:begin
impl DownloadThread {
    /// What the thread does once started: the lesson's overridden `run()`.
    pub fn run(self) -> Result<f64, Stopped> {
        download(&self.task, &self.ctx)
    }

    /// Start `run()` on a new OS thread named after this one.
    pub fn start(self) -> ThreadHandle<Result<f64, Stopped>> {
        let (task, ctx) = (self.task.clone(), self.ctx.clone());
        spawn_for(&task, self.name.clone(), &ctx, move || self.run())
    }
}
// lesson:end

// lesson:begin
/// Start a `DownloadThread` for every task, then join them all.
pub fn run(tasks: &[Task], ctx: &Ctx) -> Result<(), Stopped> {
    let mut threads = Vec::new();
    for (i, task) in tasks.iter().enumerate() {
        threads.push(DownloadThread::new(i + 1, task, ctx).start());
    }
    for thread in threads {
        let _ = thread.join(); // Err: that thread panicked, and only that thread
    }
    Ok(())
}
// lesson:end
