//! One thread per download, all started first and then all joined. Total ≈ the longest download.
//! The lesson's `Thread(target=download, kwargs={'filename': ...})`, then `start()` and `join()`.

use super::support::spawn_for;
use super::{Ctx, Stopped, Task, download};

// lesson:begin
/// Start a thread for every task, then wait for all of them.
pub fn run(tasks: &[Task], ctx: &Ctx) -> Result<(), Stopped> {
    let mut threads = Vec::new();
    for (i, task) in tasks.iter().enumerate() {
        // Thread(target=download, kwargs={'filename': ...}).start(), named like Python's.
        let (name, my_task, my_ctx) = (format!("Thread-{}", i + 1), task.clone(), ctx.clone());
        let thread = spawn_for(task, name, ctx, move || download(&my_task, &my_ctx));
        threads.push(thread);
    }
    for thread in threads {
        let _ = thread.join(); // Err: that thread panicked, and only that thread
    }
    Ok(())
}
// lesson:end
