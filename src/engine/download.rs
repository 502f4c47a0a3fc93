//! The lesson's `download(filename)`, shared by every strategy: announce, wait out the duration
//! (or, for `cpu` work, compute it), report.

use super::{Computation, Ctx, Stopped, Task, WorkerEvent, Workload};
use std::sync::Arc;
use std::thread;

/// Progress is reported at least every 1% of a download, but no more often than this many wall
/// seconds, so a thousand downloads at high speed do not flood the channel.
const MIN_STEP_WALL: f64 = 0.02;

/// Run one simulated download on the calling thread, reporting as it goes.
///
/// Each step waits for a deadline computed from the download's start, so the time lost to
/// oversleeping one step is won back on the next and the total never drifts.
pub fn download(task: &Task, ctx: &Ctx) -> Result<f64, Stopped> {
    let clock = &ctx.clock;
    if clock.is_stopped() {
        return Err(Stopped);
    }
    let worker: Arc<str> = thread::current().name().unwrap_or("unnamed").into();
    let start = clock.now();
    let sent = ctx.reporter.send(WorkerEvent::Started {
        task: task.id,
        worker: worker.clone(),
        at: start,
    });
    if !sent {
        return Err(Stopped);
    }
    match ctx.workload {
        Workload::Io => wait(task, ctx, start)?,
        Workload::Cpu => compute(task, ctx)?,
    }
    let end = clock.now();
    let took = end - start;
    ctx.reporter.send(WorkerEvent::Finished {
        task: task.id,
        worker,
        at: end,
        took,
    });
    Ok(took)
}

/// `time.sleep(duration)`, in steps so progress shows.
fn wait(task: &Task, ctx: &Ctx, start: f64) -> Result<(), Stopped> {
    let clock = &ctx.clock;
    let mut done = 0.0;
    while done < task.duration {
        done = f64::min(
            done + report_step(task.duration, clock.speed()),
            task.duration,
        );
        clock.wait_until(start + done)?;
        let fraction = done / task.duration;
        if fraction < 1.0
            && !ctx.reporter.send(WorkerEvent::Progress {
                task: task.id,
                done: fraction,
            })
        {
            return Err(Stopped);
        }
    }
    Ok(())
}

/// Real computation, a millisecond at a time, stopping whenever the clock is paused.
fn compute(task: &Task, ctx: &Ctx) -> Result<(), Stopped> {
    let mut work = Computation::new(task.duration);
    let mut reported = 0.0;
    while !work.is_done() {
        let speed = ctx.clock.wait_running()?;
        let done = work.step(speed);
        if done < 1.0 && (done - reported) * task.duration >= report_step(task.duration, speed) {
            if !ctx.reporter.send(WorkerEvent::Progress {
                task: task.id,
                done,
            }) {
                return Err(Stopped);
            }
            reported = done;
        }
    }
    Ok(())
}

/// Lesson seconds between two progress reports: every 1% of a download, but no more often than
/// [`MIN_STEP_WALL`] wall seconds.
pub(crate) fn report_step(duration: f64, speed: f64) -> f64 {
    (duration / 100.0).max(speed * MIN_STEP_WALL)
}
