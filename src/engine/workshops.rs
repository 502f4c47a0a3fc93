//! Workshops: K child processes, each with M worker threads sharing its memory. Threads of one
//! workshop share everything, so one that aborts takes the whole workshop down; the walls keep
//! the other workshops going. The lesson's "a worker who blows up the workshop stops it all".

use super::process::could_not_start;
use super::{ChildProcess, Ctx, ProcessOptions, Task};

// lesson:begin
/// Split the downloads into K workshops in order, each run by a child process of M threads.
pub fn run(tasks: &[Task], opts: &ProcessOptions, ctx: &Ctx) {
    let mut workshops = Vec::new();
    for share in tasks.chunks(share_size(tasks.len(), opts.workshops)) {
        match ChildProcess::start(share, opts.workshop_threads.max(1), opts, ctx) {
            Ok(workshop) => workshops.push(workshop),
            Err(e) => share.iter().for_each(|t| could_not_start(t, ctx, &e)),
        }
    }
    for workshop in workshops {
        workshop.join();
    }
}

/// How many downloads each workshop gets: an even share, rounded up.
pub fn share_size(tasks: usize, workshops: usize) -> usize {
    tasks.div_ceil(workshops.max(1)).max(1)
}
// lesson:end
