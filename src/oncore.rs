//! When each worker thread was on a core: a sampler thread reads the CPU time of the run's
//! worker threads from `/proc/<pid>/task/<tid>/schedstat` (nanoseconds; `stat`'s 10 ms ticks
//! where the kernel keeps no schedstat) and sends, per thread, the share of each
//! sampling period it spent computing, stamped on the run's lesson clock. The timeline draws
//! these, so on one core the class sees cpu-bound threads take turns and on two, two lanes busy.
//!
//! Cost: one small file per watched thread and sample. Only threads of the current run are
//! watched (they say their tid as they begin, see [`crate::engine::WorkerEvent::Thread`]), a
//! thread is dropped at its first failed read (it has ended), and the pause after each sample is
//! at least ten times what the sample took, so the sampler never uses more than about a tenth of
//! a core: every 30 ms with a handful of threads, about every half second with ten thousand.

use crate::app::Event;
use crate::engine::Clock;
use crate::procinfo;
use std::collections::HashMap;
use std::io;
use std::sync::mpsc::Sender;
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// The shortest time between two samples: a frame.
const EVERY: Duration = Duration::from_millis(30);

/// A sample takes at most this share of the sampler's time (a tenth of a core).
const MAX_SHARE: u32 = 10;

/// One stretch of a thread's life on the run's clock, and the share of it the thread spent on a
/// core (1.0: computing all along; 0.5: half the time, say taking turns with another thread).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OnCore {
    pub from: f64,
    pub to: f64,
    pub share: f32,
}

/// One reading of a thread: its CPU time so far, when it was read (real time), and the run's
/// lesson clock at that moment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reading {
    pub cpu: Duration,
    pub real: Instant,
    pub lesson: f64,
}

/// The stretch between two readings of one thread, if it spent any of it on a core. The share is
/// CPU time over real time (the lesson clock may run faster or stand still, the core does not);
/// a paused clock gives no stretch to draw, and a share is never more than one core.
pub fn between(before: &Reading, after: &Reading) -> Option<OnCore> {
    let real = after
        .real
        .checked_duration_since(before.real)?
        .as_secs_f64();
    let cpu = after.cpu.checked_sub(before.cpu)?.as_secs_f64();
    if after.lesson <= before.lesson || real <= 0.0 || cpu <= 0.0 {
        return None;
    }
    Some(OnCore {
        from: before.lesson,
        to: after.lesson,
        share: (cpu / real).min(1.0) as f32,
    })
}

/// A thread to watch: process `pid`, thread `tid`.
type Key = (u32, u32);

#[derive(Default)]
struct Shared {
    /// The current run and its clock.
    run: Option<(u64, Arc<Clock>)>,
    /// Threads reported since the sampler last looked.
    added: Vec<Key>,
    stop: bool,
}

/// The sampler thread; dropping it stops and joins it.
pub struct Sampler {
    shared: Arc<(Mutex<Shared>, Condvar)>,
    thread: Option<thread::JoinHandle<()>>,
}

impl Sampler {
    /// Start sampling on a thread of its own; segments go to `tx` as [`Event::OnCore`].
    pub fn start(tx: Sender<Event>) -> io::Result<Sampler> {
        let shared = Arc::new((Mutex::new(Shared::default()), Condvar::new()));
        let mine = shared.clone();
        let thread = thread::Builder::new()
            .name("oncore".into())
            .spawn(move || sample(&mine, &tx))?;
        Ok(Sampler {
            shared,
            thread: Some(thread),
        })
    }

    /// A new run began: forget the last run's threads.
    pub fn new_run(&self, run: u64, clock: Arc<Clock>) {
        let (lock, wake) = &*self.shared;
        let mut s = lock.lock().unwrap_or_else(|e| e.into_inner());
        s.run = Some((run, clock));
        s.added.clear();
        wake.notify_one();
    }

    /// Run `run`'s worker runs on thread `tid` of process `pid`: watch it.
    pub fn watch(&self, run: u64, pid: u32, tid: u32) {
        let (lock, wake) = &*self.shared;
        let mut s = lock.lock().unwrap_or_else(|e| e.into_inner());
        if s.run.as_ref().is_some_and(|(id, _)| *id == run) {
            s.added.push((pid, tid));
            wake.notify_one();
        }
    }
}

impl Drop for Sampler {
    fn drop(&mut self) {
        let (lock, wake) = &*self.shared;
        lock.lock().unwrap_or_else(|e| e.into_inner()).stop = true;
        wake.notify_one();
        if let Some(t) = self.thread.take() {
            // A sampler that panicked has nothing left to clean up.
            let _ = t.join();
        }
    }
}

/// The sampler's loop: wait while there is nothing to watch, else read every watched thread,
/// send what was on a core, and pause.
fn sample(shared: &(Mutex<Shared>, Condvar), tx: &Sender<Event>) {
    let (lock, wake) = shared;
    let mut run: Option<(u64, Arc<Clock>)> = None;
    let mut last: HashMap<Key, Reading> = HashMap::new();
    let mut buf = String::new();
    let mut pause = Duration::ZERO;
    loop {
        {
            let mut s = lock.lock().unwrap_or_else(|e| e.into_inner());
            // Nothing to watch: sleep until a thread is reported (an idle screen costs nothing).
            if last.is_empty() && s.added.is_empty() && !s.stop {
                s = wake.wait(s).unwrap_or_else(|e| e.into_inner());
            } else if !pause.is_zero() {
                // New threads do not cut the pause short (only a stop does): they join at the
                // next sample, so ten thousand starting do not make it read every file per report.
                let until = Instant::now() + pause;
                while !s.stop {
                    let left = until.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        break;
                    }
                    s = (wake.wait_timeout(s, left))
                        .map(|(s, _)| s)
                        .unwrap_or_else(|e| e.into_inner().0);
                }
            }
            if s.stop {
                return;
            }
            if s.run.as_ref().map(|r| r.0) != run.as_ref().map(|r| r.0) {
                run = s.run.clone();
                last.clear();
            }
            for key in s.added.drain(..) {
                last.entry(key).or_insert(Reading {
                    cpu: Duration::MAX, // not read yet: the first reading only sets the start
                    real: Instant::now(),
                    lesson: 0.0,
                });
            }
        }
        let Some((id, clock)) = &run else {
            last.clear();
            continue;
        };
        let t0 = Instant::now();
        let mut segments = Vec::new();
        last.retain(|&(pid, tid), before| {
            // A failed read: the thread (or its process) has ended.
            let Some(cpu) = procinfo::thread_cpu(pid, tid, &mut buf) else {
                return false;
            };
            let now = Reading {
                cpu,
                real: Instant::now(),
                lesson: clock.now(),
            };
            if let Some(seg) = between(before, &now) {
                segments.push((pid, tid, seg));
            }
            *before = now;
            true
        });
        if !segments.is_empty() && tx.send(Event::OnCore { run: *id, segments }).is_err() {
            return;
        }
        pause = EVERY.max(t0.elapsed() * MAX_SHARE);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(cpu_ms: u64, real: Instant, real_ms: u64, lesson: f64) -> Reading {
        Reading {
            cpu: Duration::from_millis(cpu_ms),
            real: real + Duration::from_millis(real_ms),
            lesson,
        }
    }

    #[test]
    fn a_stretch_is_cpu_time_over_real_time_on_the_lesson_clock() {
        let t = Instant::now();
        // 15 ms of CPU in 30 ms: half the time on a core (taking turns on one core, say).
        let seg = between(&at(100, t, 0, 2.0), &at(115, t, 30, 2.3)).expect("on a core");
        assert_eq!((seg.from, seg.to), (2.0, 2.3));
        assert!((seg.share - 0.5).abs() < 1e-6, "{seg:?}");
        // A whole core, and never more (the kernel's ticks can round up).
        let seg = between(&at(100, t, 0, 2.0), &at(140, t, 30, 2.3)).expect("on a core");
        assert_eq!(seg.share, 1.0);
    }

    #[test]
    fn waiting_a_paused_clock_and_the_first_reading_give_nothing_to_draw() {
        let t = Instant::now();
        // Asleep: no CPU time.
        assert_eq!(between(&at(100, t, 0, 2.0), &at(100, t, 30, 2.3)), None);
        // Paused: the lesson clock stood still.
        assert_eq!(between(&at(100, t, 0, 2.0), &at(110, t, 30, 2.0)), None);
        // The placeholder before the first reading (CPU time MAX) never makes a stretch.
        let first = Reading {
            cpu: Duration::MAX,
            real: t,
            lesson: 0.0,
        };
        assert_eq!(between(&first, &at(100, t, 30, 2.3)), None);
    }
}
