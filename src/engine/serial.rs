//! Serial: one worker, one download after another. Total time = the sum of the durations.
//! The lesson's `download('MySQL...'); download('Python...')` in `main()`.

use super::{Ctx, Stopped, Task, download};

// lesson:begin
/// Download every task on the calling thread, each waiting for the one before it.
pub fn run(tasks: &[Task], ctx: &Ctx) -> Result<(), Stopped> {
    for task in tasks {
        download(task, ctx)?;
    }
    Ok(())
}
// lesson:end
