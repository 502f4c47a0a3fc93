//! The lesson's `download(filename)`, shared by every strategy: announce, wait out the duration, report.

use super::{Ctx, Stopped, Task, WorkerEvent};
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
    let mut done = 0.0;
    while done < task.duration {
        let step = (task.duration / 100.0).max(clock.speed() * MIN_STEP_WALL);
        done = f64::min(done + step, task.duration);
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
