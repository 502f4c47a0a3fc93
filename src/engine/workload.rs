//! What a download does while it runs: wait (`io`, the lesson's `sleep`) or compute for real
//! (`cpu`), so the class can see that threads speed up waiting but computing only up to the
//! number of cores.

use std::fmt;
use std::hint::black_box;
use std::str::FromStr;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Whether downloads sleep or compute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, clap::ValueEnum)]
pub enum Workload {
    /// The download waits, like the lesson's `time.sleep`: threads overlap the waiting.
    #[default]
    Io,
    /// The download hashes for real on one core: only more cores make it faster.
    Cpu,
}

impl Workload {
    /// Both workloads, in the order `w` toggles them.
    pub const ALL: [Workload; 2] = [Workload::Io, Workload::Cpu];

    /// The name used on the command line, in JSON and in lesson files.
    pub fn name(self) -> String {
        crate::names::name(&self)
    }

    /// The other workload (the `w` key).
    pub fn toggled(self) -> Workload {
        match self {
            Workload::Io => Workload::Cpu,
            Workload::Cpu => Workload::Io,
        }
    }
}

impl fmt::Display for Workload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

impl FromStr for Workload {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        crate::names::parse(s).ok_or_else(|| format!("unknown workload '{s}' (expected io or cpu)"))
    }
}

/// Wall seconds of one core's work between two looks at the clock: short enough that a pause
/// or a stop takes hold within about a millisecond, long enough that the look costs nothing.
const CHUNK_WALL: f64 = 0.001;

/// Do `units` units of real work: one unit is one step of an FNV-1a hash over a counter.
/// Each step needs the one before it, so the compiler cannot skip or parallelise the loop.
pub fn burn(units: u64) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for i in 0..black_box(units) {
        hash = (hash ^ i).wrapping_mul(0x0100_0000_01b3);
    }
    black_box(hash)
}

/// Units of work one core of this machine does per second, measured once per process.
///
/// Call it before a cpu run starts (the engine does) so the measurement does not land in the
/// middle of the lesson. It takes a few tens of milliseconds.
pub fn units_per_second() -> f64 {
    *static_rate().get_or_init(calibrate)
}

fn static_rate() -> &'static OnceLock<f64> {
    static RATE: OnceLock<f64> = OnceLock::new();
    &RATE
}

/// Use a rate measured elsewhere (say, by the parent of a child process) instead of measuring
/// again; false (and ignored) when it is not a positive number or the process has a rate already.
pub fn set_units_per_second(rate: f64) -> bool {
    rate.is_finite() && rate > 0.0 && static_rate().set(rate).is_ok()
}

/// Best of several short trials, each timed by this thread's own CPU time: on a busy machine
/// the wall time of a trial includes time the thread waited for a core, its CPU time does not.
fn calibrate() -> f64 {
    let mut units: u64 = 100_000;
    // Grow the trial until it is long enough (a few ms) for the timer to be exact.
    while thread_cpu_time(|| burn(units)) < Duration::from_millis(4) && units < 1 << 40 {
        units *= 2;
    }
    let best = (0..4)
        .map(|_| thread_cpu_time(|| burn(units)))
        .min()
        .unwrap_or(Duration::from_millis(4));
    units as f64 / best.as_secs_f64().max(1e-9)
}

/// How long `f` kept the calling thread on a core.
fn thread_cpu_time(f: impl FnOnce() -> u64) -> Duration {
    let (before, wall) = (thread_cpu_now(), Instant::now());
    black_box(f());
    match (before, thread_cpu_now()) {
        (Some(a), Some(b)) => b.saturating_sub(a),
        _ => wall.elapsed(),
    }
}

#[cfg(unix)]
fn thread_cpu_now() -> Option<Duration> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec for the duration of the call.
    let ok = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) } == 0;
    ok.then(|| Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32))
}

#[cfg(not(unix))]
fn thread_cpu_now() -> Option<Duration> {
    None
}

/// One cpu download's computation, done chunk by chunk.
///
/// A download of `d` lesson seconds at speed `s` is `d / s × rate` units: a fixed amount of
/// work, set when it starts, so on a core shared with other threads it takes longer in wall
/// time, which is the lesson. Progress is the fraction of that work done. When the speed
/// changes mid-download, the fraction already done is kept and the rest is re-measured at the
/// new speed, so the remaining work always takes the remaining lesson time on a free core,
/// just as a waiting download's remaining wait does.
#[derive(Debug, Clone)]
pub struct Computation {
    duration: f64,
    rate: f64,
    /// Fraction of the work done, 0..=1.
    done: f64,
}

impl Computation {
    /// The work of a download of `duration` lesson seconds, not started yet.
    pub fn new(duration: f64) -> Self {
        Computation {
            duration,
            rate: units_per_second(),
            done: if duration > 0.0 { 0.0 } else { 1.0 },
        }
    }

    /// Whether all the work is done.
    pub fn is_done(&self) -> bool {
        self.done >= 1.0
    }

    /// Fraction of the work done, 0..=1.
    pub fn done(&self) -> f64 {
        self.done
    }

    /// Total units of the work at `speed`.
    pub fn units(&self, speed: f64) -> f64 {
        self.duration / speed * self.rate
    }

    /// Compute one chunk (about a millisecond of one core) at `speed`; returns the fraction done.
    pub fn step(&mut self, speed: f64) -> f64 {
        let total = self.units(speed);
        let left = ((1.0 - self.done) * total).ceil();
        let chunk = left.min((CHUNK_WALL * self.rate).ceil()).max(1.0);
        burn(chunk as u64);
        self.done = if chunk >= left {
            1.0
        } else {
            (self.done + chunk / total).min(1.0)
        };
        self.done
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_and_toggle() {
        assert_eq!("cpu".parse(), Ok(Workload::Cpu));
        assert_eq!("io".parse(), Ok(Workload::Io));
        assert_eq!(
            "gpu".parse::<Workload>(),
            Err("unknown workload 'gpu' (expected io or cpu)".into())
        );
        assert_eq!(Workload::Io.toggled(), Workload::Cpu);
        assert_eq!(Workload::default(), Workload::Io);
    }

    #[test]
    fn calibration_measures_a_plausible_rate() {
        let rate = units_per_second();
        // One dependent multiply per unit: somewhere between a slow and a very fast core.
        assert!((1e6..1e11).contains(&rate), "{rate}");
    }

    #[test]
    fn a_computation_finishes_in_chunks_and_keeps_its_fraction_across_speed_changes() {
        let mut work = Computation::new(1.0);
        let speed = 100.0; // 10 ms of one core: about ten chunks of 1 ms
        let first = work.step(speed);
        assert!(first > 0.0 && first < 1.0, "{first}");
        // Slowing down tenfold keeps what is done; each chunk is then a smaller share of the rest.
        let second = work.step(speed / 10.0) - first;
        assert!(second > 0.0 && second < first, "{first} then {second}");
        let mut last = work.done();
        let mut steps = 2;
        while !work.is_done() {
            let done = work.step(speed);
            assert!(done > last && done <= 1.0, "{done} after {last}");
            last = done;
            steps += 1;
        }
        assert!((5..1000).contains(&steps), "{steps}");
        assert!(Computation::new(0.0).is_done());
    }
}
