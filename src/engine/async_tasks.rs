//! Async: every download is a task on one single-threaded event loop; one OS thread juggles them all.
//! The lesson's juggler: concurrency (every download under way at once) without parallelism (one
//! thread, one core). Waiting overlaps, so `io` work takes about the longest download; computing
//! cannot, so `cpu` work takes the sum, exactly like serial, only interleaved.

use super::threads::could_not_start;
use super::{Computation, Ctx, Stopped, Task, WorkerEvent, Workload, download::report_step};
use std::sync::Arc;
use std::thread;

// lesson:begin
/// Run every download as a task on one `current_thread` tokio runtime, on the calling thread.
pub fn run(tasks: &[Task], ctx: &Ctx) {
    // One thread, one event loop: like Python's `asyncio.run(main())`.
    let event_loop = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build();
    let event_loop = match event_loop {
        Ok(rt) => rt,
        Err(e) => {
            return tasks
                .iter()
                .for_each(|t| could_not_start(t, ctx, clone(&e)));
        }
    };
    event_loop.block_on(async {
        // Like `asyncio.gather(...)`: start a task for every download, then await them all.
        let running: Vec<_> = tasks
            .iter()
            .map(|task| tokio::spawn(download(task.clone(), ctx.clone())))
            .collect();
        for task in running {
            let _ = task.await;
        }
    });
}
// lesson:end

/// The lesson's `download`, as a coroutine: where the threaded one blocks, this one `await`s,
/// and while it waits the event loop runs the other downloads on the same thread.
async fn download(task: Task, ctx: Ctx) -> Result<f64, Stopped> {
    let clock = &ctx.clock;
    // Every task reports the same worker: the one thread that runs the event loop.
    let worker: Arc<str> = thread::current().name().unwrap_or("unnamed").into();
    // Step mode blocks the one thread here, which is right: the whole juggler stops.
    clock.gate()?;
    let start = clock.now();
    let started = ctx.reporter.send(WorkerEvent::Started {
        task: task.id,
        worker: worker.clone(),
        at: start,
    });
    if !started {
        return Err(Stopped);
    }
    match ctx.workload {
        Workload::Io => wait(&task, &ctx, start).await?,
        Workload::Cpu => compute(&task, &ctx).await?,
    }
    clock.gate()?;
    let end = clock.now();
    ctx.reporter.send(WorkerEvent::Finished {
        task: task.id,
        worker,
        at: end,
        took: end - start,
    });
    Ok(end - start)
}

/// `await asyncio.sleep(duration)`, in steps so progress shows.
async fn wait(task: &Task, ctx: &Ctx, start: f64) -> Result<(), Stopped> {
    let mut done = 0.0;
    while done < task.duration {
        done = f64::min(
            done + report_step(task.duration, ctx.clock.speed()),
            task.duration,
        );
        // lesson:begin
        // The thread is not blocked here: the event loop runs other tasks until the timer fires.
        ctx.clock.sleep_until(start + done).await?;
        // lesson:end
        progress(task, ctx, done / task.duration)?;
    }
    Ok(())
}

/// Real computation. Nothing else on this thread runs while a chunk computes, so after each
/// chunk the task yields to let the others have a turn: the juggler throws one ball at a time.
async fn compute(task: &Task, ctx: &Ctx) -> Result<(), Stopped> {
    let mut work = Computation::new(task.duration);
    let mut reported = 0.0;
    while !work.is_done() {
        let speed = ctx.clock.running().await?;
        let done = work.step(speed);
        if (done - reported) * task.duration >= report_step(task.duration, speed) {
            progress(task, ctx, done)?;
            reported = done;
        }
        tokio::task::yield_now().await;
    }
    Ok(())
}

fn progress(task: &Task, ctx: &Ctx, done: f64) -> Result<(), Stopped> {
    if done >= 1.0 {
        return Ok(()); // `Finished` says it
    }
    let sent = ctx.reporter.send(WorkerEvent::Progress {
        task: task.id,
        done,
    });
    if sent { Ok(()) } else { Err(Stopped) }
}

fn clone(e: &std::io::Error) -> std::io::Error {
    std::io::Error::new(e.kind(), e.to_string())
}
