//! The lesson's `download(filename)`, shared by every strategy: announce, wait out the duration, report.

use super::{BytesVia, Ctx, Stopped, Task, WorkerEvent};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::thread;

/// Progress is reported at least every 1% of a download, but no more often than this many wall
/// seconds, so a thousand downloads at high speed do not flood the channel.
const MIN_STEP_WALL: f64 = 0.02;

/// The simulated line speed: a download of `d` lesson seconds moves `d` MB, so sizes follow durations.
pub const BYTES_PER_SECOND: f64 = 1_000_000.0;

/// Bytes moved after `seconds` of a download.
pub fn bytes_after(seconds: f64) -> u64 {
    (seconds * BYTES_PER_SECOND).round() as u64
}

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
    // Counts this download as running; if this thread panics, it reports the download failed.
    let _running = ctx.crash.running(task.id, worker.clone(), ctx);
    let mut done = 0.0;
    let mut moved = 0;
    while done < task.duration {
        let step = (task.duration / 100.0).max(clock.speed() * MIN_STEP_WALL);
        done = f64::min(done + step, task.duration);
        // The crash demo interrupts the wait; the first download to notice it blows up.
        while !clock.wait_until_or(start + done, || ctx.crash.is_armed())? {
            ctx.crash.blow_up_if_first(task.id, &worker);
        }
        // Shared memory: every thread adds to the same counter, no message needed.
        let delta = bytes_after(done) - moved;
        moved += delta;
        let total = ctx.bytes.fetch_add(delta, Ordering::Relaxed) + delta;
        let via = BytesVia::SharedAtomic;
        if !ctx.reporter.send(WorkerEvent::Bytes { total, via }) {
            return Err(Stopped);
        }
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
