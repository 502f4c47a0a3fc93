//! Serial: one worker, one download after another. Total time = the sum of the durations.
//! The lesson's `download('MySQL...'); download('Python...')` in `main()`.

use super::{Ctx, Task, download};

// lesson:begin
/// Download every task on the calling thread, each waiting for the one before it.
pub fn run(tasks: &[Task], ctx: &Ctx) {
    for task in tasks {
        // `?`-style early exit: a stopped run abandons the rest of the list.
        if download(task, ctx).is_err() {
            return;
        }
    }
}
// lesson:end
