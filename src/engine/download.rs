//! The lesson's `download(filename)`, shared by every strategy: announce, wait out the duration
//! (or, for `cpu` work, compute it), report.

use super::{BytesVia, Computation, Ctx, Stopped, Task, WorkerEvent, Workload};
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
    clock.gate()?;
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
    match ctx.workload {
        Workload::Io => wait(task, ctx, start, &worker)?,
        Workload::Cpu => compute(task, ctx, &worker)?,
    }
    // Waiting here (step mode) still counts as running, so the crash demo must reach it too.
    while !clock.gate_or(|| ctx.crash.is_armed())? {
        ctx.crash.blow_up_if_first(task.id, &worker);
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
fn wait(task: &Task, ctx: &Ctx, start: f64, worker: &Arc<str>) -> Result<(), Stopped> {
    let clock = &ctx.clock;
    let mut done = 0.0;
    let mut moved = Moved::default();
    while done < task.duration {
        done = f64::min(
            done + report_step(task.duration, clock.speed()),
            task.duration,
        );
        // The crash demo interrupts the wait; the first download to notice it blows up.
        while !clock.wait_until_or(start + done, || ctx.crash.is_armed())? {
            ctx.crash.blow_up_if_first(task.id, worker);
        }
        report(task, ctx, done / task.duration, &mut moved)?;
    }
    Ok(())
}

/// Real computation, a millisecond at a time, stopping whenever the clock is paused.
fn compute(task: &Task, ctx: &Ctx, worker: &Arc<str>) -> Result<(), Stopped> {
    let mut work = Computation::new(task.duration);
    let mut reported = 0.0;
    let mut moved = Moved::default();
    while !work.is_done() {
        let speed = ctx.clock.wait_running()?;
        if ctx.crash.is_armed() {
            ctx.crash.blow_up_if_first(task.id, worker);
        }
        let done = work.step(speed);
        if done >= 1.0 || (done - reported) * task.duration >= report_step(task.duration, speed) {
            report(task, ctx, done, &mut moved)?;
            reported = done;
        }
    }
    Ok(())
}

/// Bytes a download has added to the shared counter, and the share of it last announced.
#[derive(Default)]
struct Moved {
    bytes: u64,
    announced: f64,
}

/// Announce the byte total at most every tenth of a download (and at its end): the counter itself
/// is updated on every step, but a message per step would double the channel's traffic.
const BYTES_EVERY: f64 = 0.1;

/// Add the bytes moved since the last report to the shared counter and report progress.
fn report(task: &Task, ctx: &Ctx, fraction: f64, moved: &mut Moved) -> Result<(), Stopped> {
    // Shared memory: every thread adds to the same counter, no message needed.
    let delta = bytes_after(fraction * task.duration).saturating_sub(moved.bytes);
    moved.bytes += delta;
    let total = ctx.bytes.fetch_add(delta, Ordering::Relaxed) + delta;
    if fraction >= 1.0 || fraction - moved.announced >= BYTES_EVERY {
        moved.announced = fraction;
        let via = BytesVia::SharedAtomic;
        if !ctx.reporter.send(WorkerEvent::Bytes { total, via }) {
            return Err(Stopped);
        }
    }
    if fraction < 1.0
        && !ctx.reporter.send(WorkerEvent::Progress {
            task: task.id,
            done: fraction,
        })
    {
        return Err(Stopped);
    }
    Ok(())
}

/// Lesson seconds between two progress reports: every 1% of a download, but no more often than
/// [`MIN_STEP_WALL`] wall seconds.
pub(crate) fn report_step(duration: f64, speed: f64) -> f64 {
    (duration / 100.0).max(speed * MIN_STEP_WALL)
}
