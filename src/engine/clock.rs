//! The lesson clock: wall time scaled by a speed, which can be paused, sped up or stopped mid-run.

use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// Below this much wall time left, a waiting worker stops sleeping and spins, because
/// `Condvar::wait_timeout` overshoots by about 0.1 ms and the lesson's arithmetic should be exact.
const SPIN: Duration = Duration::from_micros(150);

/// How early an async task's precise wait sets tokio's timer (see [`Clock::sleep_until`]).
const TIMER_SLACK: Duration = Duration::from_millis(2);

/// The run was stopped while a worker was waiting on the clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stopped;

#[derive(Debug)]
struct State {
    /// Wall instant at which the lesson clock read `base_lesson`.
    base_wall: Instant,
    base_lesson: f64,
    speed: f64,
    paused: bool,
    stopped: bool,
    /// Step mode: lesson events (a download starting, finishing) pass one at a time.
    stepping: bool,
    /// Events still allowed through before the clock pauses again.
    steps: u32,
}

impl State {
    fn now(&self, wall: Instant) -> f64 {
        if self.paused {
            self.base_lesson
        } else {
            self.base_lesson + wall.duration_since(self.base_wall).as_secs_f64() * self.speed
        }
    }

    /// Restart the linear mapping at `wall`, so a pause or speed change never jumps the clock.
    fn rebase(&mut self, wall: Instant) {
        self.base_lesson = self.now(wall);
        self.base_wall = wall;
    }

    /// What ends a wait before its own condition holds: the clock stopped (`Err`), or the
    /// waiter's `interrupted()` holds (`Ok(false)`).
    fn ended(&self, interrupted: &impl Fn() -> bool) -> Option<Result<bool, Stopped>> {
        if self.stopped {
            return Some(Err(Stopped));
        }
        interrupted().then_some(Ok(false))
    }
}

/// What a waiter should do next, given the clock's state and its target.
enum Next {
    Done,
    /// Wait until this wall instant, or until the clock changes.
    Until(Instant),
    /// Paused: wait until the clock changes.
    Changed,
}

/// Lesson seconds since the run began; every worker of a run paces itself against one clock.
#[derive(Debug)]
pub struct Clock {
    state: Mutex<State>,
    changed: Condvar,
    /// The same news as `changed`, for tasks on an async runtime, which must not block on a
    /// `Condvar`: a counter bumped on every pause, resume, speed change and stop.
    generation: watch::Sender<u64>,
    /// So many downloads run at once (see [`super::Reporter::is_crowded`]) that ends are not met
    /// to the microsecond: thousands of workers spinning would take the cores the others' deadlines
    /// and the screen need.
    crowded: bool,
}

impl Clock {
    /// A running clock at lesson time 0, `speed` lesson seconds per wall second.
    pub fn new(speed: f64) -> Self {
        Clock {
            state: Mutex::new(State {
                base_wall: Instant::now(),
                base_lesson: 0.0,
                speed,
                paused: false,
                stopped: false,
                stepping: false,
                steps: 0,
            }),
            changed: Condvar::new(),
            generation: watch::Sender::new(0),
            crowded: false,
        }
    }

    /// This clock for a crowded run, or not.
    pub fn crowded(mut self, crowded: bool) -> Self {
        self.crowded = crowded;
        self
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // The state is plain numbers that are always consistent, so a poisoned lock is still usable.
        super::support::lock(&self.state)
    }

    /// Make "now" lesson time 0, keeping pause and speed: the run's main thread calls this as it
    /// begins, so the cost of starting that thread is not counted as part of the lesson.
    pub fn zero(&self) {
        let mut s = self.lock();
        s.base_wall = Instant::now();
        s.base_lesson = 0.0;
    }

    /// Lesson seconds elapsed, not counting pauses.
    pub fn now(&self) -> f64 {
        self.lock().now(Instant::now())
    }

    /// The current time scale.
    pub fn speed(&self) -> f64 {
        self.lock().speed
    }

    /// Whether the clock is frozen.
    pub fn is_paused(&self) -> bool {
        self.lock().paused
    }

    /// Whether the run has been told to stop.
    pub fn is_stopped(&self) -> bool {
        self.lock().stopped
    }

    fn change(&self, f: impl FnOnce(&mut State)) {
        let mut s = self.lock();
        s.rebase(Instant::now());
        f(&mut s);
        drop(s);
        // Every waiter recomputes its deadline (or notices the stop) at once.
        self.changed.notify_all();
        self.generation.send_modify(|g| *g += 1);
    }

    /// Freeze lesson time: every worker stops progressing where it is.
    pub fn pause(&self) {
        self.change(|s| s.paused = true);
    }

    /// Let lesson time flow again from where it was frozen.
    pub fn resume(&self) {
        self.change(|s| {
            s.paused = false;
            s.stepping = false;
        });
    }

    /// Step mode: run until the next lesson event has passed [`Clock::gate`], then pause again.
    pub fn step(&self) {
        self.change(|s| {
            s.stepping = true;
            s.steps += 1;
            s.paused = false;
        });
    }

    /// Called by a worker just before a lesson event (a download starts or finishes). Outside
    /// step mode it returns at once; in step mode it lets exactly one event through per
    /// [`Clock::step`] and freezes the clock behind it, so the class sees one event at a time.
    pub fn gate(&self) -> Result<(), Stopped> {
        self.gate_or(|| false).map(|_| ())
    }

    /// [`Clock::gate`] that also returns `Ok(false)` as soon as `interrupted()` holds (the crash
    /// demo must reach a worker waiting at the gate too); `Ok(true)` once the event may pass.
    pub fn gate_or(&self, interrupted: impl Fn() -> bool) -> Result<bool, Stopped> {
        let mut s = self.lock();
        loop {
            if let Some(end) = s.ended(&interrupted) {
                return end;
            }
            if !s.stepping {
                return Ok(true);
            }
            if s.steps > 0 && !s.paused {
                s.steps -= 1;
                if s.steps == 0 {
                    s.rebase(Instant::now());
                    s.paused = true;
                }
                return Ok(true);
            }
            s = self.wait_change(s);
        }
    }

    /// Change the time scale from now on; time already elapsed is kept.
    pub fn set_speed(&self, speed: f64) {
        if speed.is_finite() && speed > 0.0 {
            self.change(|s| s.speed = speed);
        }
    }

    /// Wake every waiter with `Stopped`, now and for every later wait.
    pub fn stop(&self) {
        self.change(|s| s.stopped = true);
    }

    /// Wake every waiter so it rechecks its `interrupted` condition (see [`Clock::wait_until_or`]).
    pub fn poke(&self) {
        // Notifying under the lock means a waiter that checked its condition before the poke is
        // already waiting, so the wake-up cannot be lost.
        let _s = self.lock();
        self.changed.notify_all();
    }

    /// Block until the clock reads at least `target` lesson seconds.
    pub fn wait_until(&self, target: f64) -> Result<(), Stopped> {
        self.wait_until_or(target, || false).map(|_| ())
    }

    /// Like [`Clock::wait_until`], but give up early, returning `Ok(false)`, once `interrupted()`
    /// holds when the clock is poked (also while paused): the crash demo uses it to reach a waiting worker.
    pub fn wait_until_or(
        &self,
        target: f64,
        interrupted: impl Fn() -> bool,
    ) -> Result<bool, Stopped> {
        self.wait_spinning(target, SPIN, interrupted)
    }

    /// [`Clock::wait_until_or`] for one step of a download: only the last step (`exact`) spins
    /// to meet its deadline to the microsecond; the others are only a bar's progress, and not
    /// spinning for them is what lets a thousand waiting workers cost next to no CPU.
    pub fn wait_step_or(
        &self,
        target: f64,
        exact: bool,
        interrupted: impl Fn() -> bool,
    ) -> Result<bool, Stopped> {
        let spin = if exact && !self.crowded {
            SPIN
        } else {
            Duration::ZERO
        };
        self.wait_spinning(target, spin, interrupted)
    }

    fn wait_spinning(
        &self,
        target: f64,
        spin: Duration,
        interrupted: impl Fn() -> bool,
    ) -> Result<bool, Stopped> {
        let mut s = self.lock();
        loop {
            if let Some(end) = s.ended(&interrupted) {
                return end;
            }
            if s.paused {
                s = self.wait_change(s);
                continue;
            }
            let wall = Instant::now();
            let left = (target - s.now(wall)) / s.speed;
            if left <= 0.0 {
                return Ok(true);
            }
            let left = Duration::from_secs_f64(left);
            if left > spin {
                s = self
                    .changed
                    .wait_timeout(s, left - spin)
                    .unwrap_or_else(|e| e.into_inner())
                    .0;
            } else {
                // Spin without the lock for the last fraction of a millisecond, then recheck:
                // a pause or stop that lands meanwhile is seen on the next turn of the loop.
                drop(s);
                let until = wall + left;
                while Instant::now() < until {
                    std::hint::spin_loop();
                }
                s = self.lock();
            }
        }
    }
    /// Block while the clock is paused; the speed once it runs. Computing workers call this
    /// between chunks of work, so a pause stops them within a chunk and a stop ends them.
    pub fn wait_running(&self) -> Result<f64, Stopped> {
        let mut s = self.lock();
        loop {
            if s.stopped {
                return Err(Stopped);
            }
            if !s.paused {
                return Ok(s.speed);
            }
            s = self.wait_change(s);
        }
    }

    /// Sleep, the lock given up meanwhile, until the clock changes: a pause or resume, a step,
    /// a new speed, a stop or a poke.
    fn wait_change<'a>(&'a self, s: MutexGuard<'a, State>) -> MutexGuard<'a, State> {
        self.changed.wait(s).unwrap_or_else(|e| e.into_inner())
    }

    fn next(&self, target: f64) -> Result<Next, Stopped> {
        let s = self.lock();
        if s.stopped {
            return Err(Stopped);
        }
        if s.paused {
            return Ok(Next::Changed);
        }
        let wall = Instant::now();
        let left = (target - s.now(wall)) / s.speed;
        if left <= 0.0 {
            Ok(Next::Done)
        } else {
            Ok(Next::Until(wall + Duration::from_secs_f64(left)))
        }
    }

    /// [`Clock::wait_until`] for a task on an async runtime: it sleeps on the runtime's timer
    /// (so the thread is free for other tasks) and wakes early when the clock changes. `precise`:
    /// tokio's timer fires on whole milliseconds, late by up to one or two, so the timer is set
    /// [`TIMER_SLACK`] early and the rest is waited out by yielding: other tasks run meanwhile,
    /// and the wait ends as close to its deadline as the threads' does.
    pub async fn sleep_until(&self, target: f64, precise: bool) -> Result<(), Stopped> {
        let mut changes = self.generation.subscribe();
        loop {
            // Mark the news as read before looking at the state: a change that lands after
            // the look makes `changed()` return at once, so no change is ever missed.
            changes.borrow_and_update();
            match self.next(target)? {
                Next::Done => return Ok(()),
                Next::Until(wall) => {
                    let coarse = if precise && !self.crowded {
                        wall.checked_sub(TIMER_SLACK)
                    } else {
                        Some(wall)
                    };
                    match coarse {
                        Some(at) if at > Instant::now() => {
                            let at = tokio::time::Instant::from_std(at);
                            // Either the deadline passes or the clock changed: look again.
                            let _ = tokio::time::timeout_at(at, changes.changed()).await;
                        }
                        // The last stretch: let the other tasks have a turn, then look again.
                        _ => tokio::task::yield_now().await,
                    }
                }
                // The sender lives as long as `self`, so `changed()` cannot fail here.
                Next::Changed => {
                    let _ = changes.changed().await;
                }
            }
        }
    }

    /// [`Clock::wait_running`] for a task on an async runtime: waits without blocking the thread.
    pub async fn running(&self) -> Result<f64, Stopped> {
        let mut changes = self.generation.subscribe();
        loop {
            changes.borrow_and_update();
            {
                let s = self.lock();
                if s.stopped {
                    return Err(Stopped);
                }
                if !s.paused {
                    return Ok(s.speed);
                }
            }
            let _ = changes.changed().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn paused_clock_does_not_move() {
        let c = Clock::new(1000.0);
        c.pause();
        let a = c.now();
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(a, c.now());
        c.resume();
        c.wait_until(a + 1.0).unwrap();
        assert!(c.now() >= a + 1.0);
    }

    #[test]
    fn stop_wakes_a_paused_waiter() {
        let c = Arc::new(Clock::new(1.0));
        c.pause();
        let c2 = c.clone();
        let t = std::thread::spawn(move || c2.wait_until(100.0));
        c.stop();
        assert_eq!(t.join().unwrap(), Err(Stopped));
    }

    #[test]
    fn speed_change_keeps_elapsed_time() {
        let c = Clock::new(1000.0);
        c.wait_until(2.0).unwrap();
        let before = c.now();
        c.set_speed(1.0);
        assert!(c.now() >= before);
        c.set_speed(-1.0); // ignored
        assert_eq!(c.speed(), 1.0);
    }
}
