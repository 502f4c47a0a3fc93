//! The lesson's `download(filename)`, shared by every strategy but async: announce, wait out the
//! duration (or, for `cpu` work, compute it), report. Shown in class under each strategy's code.

use super::crash::RunningGuard;
use super::{BytesVia, Computation, Ctx, Stopped, Task, WorkerEvent, Workload};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::thread;

// lesson:begin
/// The lesson's `download(filename)`: say it started, take as long as it takes, say it is done.
pub fn download(task: &Task, ctx: &Ctx) -> Result<f64, Stopped> {
    // start = time.time(); print(f'Downloading {filename}...')
    let mut running = announce(task, ctx)?;
    match ctx.workload {
        Workload::Io => running.sleep()?, // time.sleep(duration): the thread just waits
        Workload::Cpu => running.compute()?, // as long, but busy on one core
    }
    // print(f'Downloaded {filename}'); print(f'Download time: ...')
    running.report()
}
// lesson:end

/// Progress is reported at least every 1% of a download, but no more often than this many wall
/// seconds (a frame), so a thousand downloads at high speed do not flood the channel.
pub(crate) const MIN_STEP_WALL: f64 = 0.033;

/// The most progress reports a second a run's downloads send in all (see [`Reporter::crowd`](super::Reporter::crowd)).
pub(crate) const REPORTS_PER_SECOND: f64 = 20_000.0;

/// The simulated line speed: a download of `d` lesson seconds moves `d` MB, so sizes follow durations.
pub const BYTES_PER_SECOND: f64 = 1_000_000.0;

/// Bytes moved after `seconds` of a download.
pub fn bytes_after(seconds: f64) -> u64 {
    (seconds * BYTES_PER_SECOND).round() as u64
}

/// A download under way on this thread: what it reports under, when it began, and the guard that
/// counts it as running (and fails it if its thread panics).
pub(crate) struct Running<'a> {
    pub(crate) task: &'a Task,
    pub(crate) ctx: &'a Ctx,
    worker: Arc<str>,
    pub(crate) start: f64,
    tally: ByteTally,
    _running: RunningGuard<'a>,
}

impl Running<'_> {
    /// The crash demo for a download that checks between steps (an async task): the first to
    /// see the request panics, and only its own task unwinds.
    pub(crate) fn crash_if_asked(&self) {
        if self.ctx.crash.is_armed() {
            self.ctx.crash.blow_up_if_first(self.task.id, &self.worker);
        }
    }
}

/// Wait for the step gate, then report the download started; `Stopped` if the run was stopped.
pub(crate) fn announce<'a>(task: &'a Task, ctx: &'a Ctx) -> Result<Running<'a>, Stopped> {
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
    Ok(Running {
        task,
        ctx,
        _running: ctx.crash.running(task.id, worker.clone(), ctx),
        worker,
        start,
        tally: ByteTally::default(),
    })
}

impl Running<'_> {
    /// `time.sleep(duration)`, in steps so progress shows.
    ///
    /// Each step waits for a deadline computed from the download's start, so the time lost to
    /// oversleeping one step is won back on the next and the total never drifts.
    fn sleep(&mut self) -> Result<(), Stopped> {
        let (task, ctx) = (self.task, self.ctx);
        let clock = &ctx.clock;
        let mut done = 0.0;
        while done < task.duration {
            done = f64::min(
                done + ctx.reporter.step(task.duration, clock.speed()),
                task.duration,
            );
            // The crash demo interrupts the wait; the first download to notice it blows up.
            // Only the end of the download is timed to the microsecond; a step is only a bar.
            let last = done >= task.duration;
            while !clock.wait_step_or(self.start + done, last, || ctx.crash.is_armed())? {
                ctx.crash.blow_up_if_first(task.id, &self.worker);
            }
            self.progress(done / task.duration)?;
        }
        Ok(())
    }

    /// Real computation, a millisecond at a time, stopping whenever the clock is paused.
    fn compute(&mut self) -> Result<(), Stopped> {
        let (task, ctx) = (self.task, self.ctx);
        let mut work = Computation::new(task.duration);
        let mut reported = 0.0;
        while !work.is_done() {
            let speed = ctx.clock.wait_running()?;
            if ctx.crash.is_armed() {
                ctx.crash.blow_up_if_first(task.id, &self.worker);
            }
            let done = work.step(speed);
            if done >= 1.0
                || (done - reported) * task.duration >= ctx.reporter.step(task.duration, speed)
            {
                self.progress(done)?;
                reported = done;
            }
        }
        Ok(())
    }

    /// Report the download done (after the step gate); the lesson seconds it took.
    pub(crate) fn report(self) -> Result<f64, Stopped> {
        let (task, ctx) = (self.task, self.ctx);
        let clock = &ctx.clock;
        // Waiting here (step mode) still counts as running, so the crash demo must reach it too.
        while !clock.gate_or(|| ctx.crash.is_armed())? {
            ctx.crash.blow_up_if_first(task.id, &self.worker);
        }
        let end = clock.now();
        let took = end - self.start;
        ctx.reporter.send(WorkerEvent::Finished {
            task: task.id,
            worker: self.worker.clone(),
            at: end,
            took,
        });
        Ok(took)
    }

    /// Add the bytes moved since the last report to the shared counter and report progress.
    pub(crate) fn progress(&mut self, fraction: f64) -> Result<(), Stopped> {
        let (task, ctx, tally) = (self.task, self.ctx, &mut self.tally);
        // Shared memory: every thread adds to the same counter, no message needed.
        let delta = bytes_after(fraction * task.duration).saturating_sub(tally.bytes);
        tally.bytes += delta;
        let total = ctx.bytes.fetch_add(delta, Ordering::Relaxed) + delta;
        if fraction >= 1.0 || fraction - tally.announced >= BYTES_EVERY {
            tally.announced = fraction;
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
}

/// Bytes a download has added to the shared counter, and the share of it last announced.
#[derive(Default)]
struct ByteTally {
    bytes: u64,
    announced: f64,
}

/// Announce the byte total at most every tenth of a download (and at its end): the counter itself
/// is updated on every step, but a message per step would double the channel's traffic.
const BYTES_EVERY: f64 = 0.1;
