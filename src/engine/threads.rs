//! One thread per download, all started first and then all joined. Total ≈ the longest download.
//! The lesson's `Thread(target=download, kwargs={'filename': ...})`, then `start()` and `join()`.

use super::{Ctx, Task, WorkerEvent, download};
use std::thread;

// lesson:begin
/// Start a thread for every task, then wait for all of them.
pub fn run(tasks: &[Task], ctx: &Ctx) {
    let mut threads = Vec::new();
    for (i, task) in tasks.iter().enumerate() {
        // Each thread gets its own copy of what it needs, like kwargs={'filename': ...}.
        let (my_task, my_ctx) = (task.clone(), ctx.clone());
        // Thread(target=download, ...).start(); `measured` times how long the thread took to start.
        let started = thread::Builder::new()
            .name(format!("Thread-{}", i + 1))
            .spawn(ctx.measured(move || download(&my_task, &my_ctx)));
        match started {
            Ok(handle) => threads.push(handle),
            Err(e) => could_not_start(task, ctx, e),
        }
    }
    // thread.join() for every thread: main waits until the last download is done.
    for handle in threads {
        // Err means that thread panicked: the panic stayed inside it, and its download already
        // reported the failure. Main and every other thread carry on.
        let _ = handle.join();
    }
}
// lesson:end

/// The OS refused a thread (too many threads, say): that download fails, the others go on.
pub(crate) fn could_not_start(task: &Task, ctx: &Ctx, e: std::io::Error) {
    ctx.reporter.send(WorkerEvent::Failed {
        task: task.id,
        worker: super::MAIN_THREAD.into(),
        at: ctx.clock.now(),
        reason: format!("could not start a thread: {e}"),
    });
}
