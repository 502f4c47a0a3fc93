//! Async: every download is a task on one single-threaded event loop; one OS thread juggles them all.
//! The lesson's juggler: concurrency (every download under way at once) without parallelism (one
//! thread, one core). Waiting overlaps, so `io` work takes about the longest download; computing
//! cannot, so `cpu` work takes the sum, exactly like serial, only interleaved.

use super::download::{Running, announce};
use super::support::new_current_thread;
use super::{Computation, Ctx, Stopped, Task, Workload};

// lesson:begin
/// `asyncio.run(main())`: one thread, one event loop, every download a task on it.
pub fn run(tasks: &[Task], ctx: &Ctx) -> Result<(), Stopped> {
    let event_loop = new_current_thread(tasks, ctx)?;
    event_loop.block_on(async {
        // Like `asyncio.gather(...)`: start a task for every download, then await them all.
        let running: Vec<_> = (tasks.iter())
            .map(|task| tokio::spawn(download(task.clone(), ctx.clone())))
            .collect();
        for task in running {
            let _ = task.await;
        }
    });
    Ok(())
}
// lesson:end

// lesson:begin
/// The lesson's `async def download`: where the threaded one blocks, this one `await`s, and
/// while it waits the event loop runs the other downloads on the same thread.
async fn download(task: Task, ctx: Ctx) -> Result<f64, Stopped> {
    let mut running = announce(&task, &ctx)?; // print(f'Downloading {filename}...')
    match ctx.workload {
        Workload::Io => sleep(&mut running).await?, // await asyncio.sleep(duration)
        Workload::Cpu => compute(&mut running).await?, // no await inside: nobody else runs
    }
    running.report() // print(f'Downloaded {filename}')
}
// lesson:end

/// `await asyncio.sleep(duration)`, in steps so progress shows.
async fn sleep(running: &mut Running<'_>) -> Result<(), Stopped> {
    let (task, ctx) = (running.task, running.ctx);
    let mut done = 0.0;
    while done < task.duration {
        done = f64::min(
            done + ctx.reporter.step(task.duration, ctx.clock.speed()),
            task.duration,
        );
        // The thread is not blocked here: the event loop runs other tasks until the timer fires.
        // Only the last step must end on time; the others only show progress.
        let last = done >= task.duration;
        ctx.clock.sleep_until(running.start + done, last).await?;
        running.crash_if_asked(); // the crash demo: a task that panics
        running.progress(done / task.duration)?;
    }
    Ok(())
}

/// Real computation. Nothing else on this thread runs while a chunk computes, so after each
/// chunk the task yields to let the others have a turn: the juggler throws one ball at a time.
async fn compute(running: &mut Running<'_>) -> Result<(), Stopped> {
    let (task, ctx) = (running.task, running.ctx);
    let mut work = Computation::new(task.duration);
    let mut reported = 0.0;
    while !work.is_done() {
        let speed = ctx.clock.running().await?;
        running.crash_if_asked();
        let done = work.step(speed);
        if done >= 1.0
            || (done - reported) * task.duration >= ctx.reporter.step(task.duration, speed)
        {
            running.progress(done)?;
            reported = done;
        }
        tokio::task::yield_now().await;
    }
    Ok(())
}
