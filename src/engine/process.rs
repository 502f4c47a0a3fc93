//! One child process per download: the same program started again, each in a workshop with walls
//! of its own. Its progress comes back as lines over a pipe (IPC), and if it dies, only its own
//! download fails. The lesson's processes section: `Process(target=download, ...)`, then `join()`.

use super::{Ctx, Process, Stopped, Task};

// lesson:begin
/// Start a child process for every task, then wait for all of them.
pub fn run(tasks: &[Task], ctx: &Ctx) -> Result<(), Stopped> {
    let mut processes = Vec::new();
    for task in tasks {
        // Process(target=download, ...).start(): a fork and exec, far dearer than a thread.
        processes.push(Process::new(task).start(ctx));
    }
    // process.join() for every child: main waits until the last one has exited.
    for process in processes {
        process.join();
    }
    Ok(())
}
// lesson:end
