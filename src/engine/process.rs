//! One child process per download: the same program started again, each in a workshop with walls
//! of its own. Its progress comes back as lines over a pipe (IPC), and if it dies, only its own
//! download fails. The lesson's processes section: `Process(target=download, ...)`, then `join()`.

use super::{ChildProcess, Ctx, ProcessOptions, Task, WorkerEvent};

// lesson:begin
/// Start a child process for every task, then wait for all of them.
pub fn run(tasks: &[Task], opts: &ProcessOptions, ctx: &Ctx) {
    let mut children = Vec::new();
    for task in tasks {
        // Process(target=download, args=(filename,)).start(): a fork and exec, far dearer than a thread.
        match ChildProcess::start(std::slice::from_ref(task), 0, opts, ctx) {
            Ok(child) => children.push(child),
            Err(e) => could_not_start(task, ctx, &e),
        }
    }
    // process.join() for every child: main waits until the last one has exited.
    for child in children {
        child.join();
    }
}
// lesson:end

/// The OS refused a process (or the run was stopped meanwhile): that download fails, the others go on.
pub(crate) fn could_not_start(task: &Task, ctx: &Ctx, e: &std::io::Error) {
    if !ctx.clock.is_stopped() {
        ctx.reporter.send(WorkerEvent::Failed {
            task: task.id,
            worker: super::MAIN_THREAD.into(),
            at: ctx.clock.now(),
            reason: format!("could not start a process: {e}"),
        });
    }
}
