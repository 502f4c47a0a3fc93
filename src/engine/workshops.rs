//! Workshops: K child processes, each with M worker threads sharing its memory. Threads of one
//! workshop share everything, so one that aborts takes the whole workshop down; the walls keep
//! the other workshops going. The lesson's "a worker who blows up the workshop stops it all".

use super::pool::ThreadPool;
use super::{Ctx, Process, Stopped, Task, download};

// lesson:begin
/// Split the downloads into K shares in order; each share is one workshop, a child process.
pub fn run(tasks: &[Task], workshops: usize, threads: usize, ctx: &Ctx) -> Result<(), Stopped> {
    let mut started = Vec::new();
    for share in tasks.chunks(share_size(tasks.len(), workshops)) {
        // Process(target=workshop, args=(share,)).start()
        started.push(Process::workshop(share, threads).start(ctx));
    }
    for workshop in started {
        workshop.join();
    }
    Ok(())
}
// lesson:end

// lesson:begin
/// Inside each workshop (the child process): M threads that share its memory, as a thread pool.
pub fn workshop(tasks: &[Task], threads: usize, ctx: &Ctx) -> Result<(), Stopped> {
    let pool = ThreadPool::named("t", threads, ctx); // ThreadPoolExecutor(max_workers=M)
    for task in tasks {
        let (my_task, my_ctx) = (task.clone(), ctx.clone());
        pool.submit(move || download(&my_task, &my_ctx));
    }
    Ok(())
}
// lesson:end

/// How many downloads each workshop gets: an even share, rounded up.
pub fn share_size(tasks: usize, workshops: usize) -> usize {
    tasks.div_ceil(workshops.max(1)).max(1)
}
