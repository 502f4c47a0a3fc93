//! The least time each strategy can take on given durations: the lesson's arithmetic.

use super::{MAX_PROCESSES, ProcessOptions, Strategy, Workload};

/// What sets a run's least time, for the side panel's "limited by ..." line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Bound {
    /// One download at a time: the sum of the durations.
    Sum,
    /// Every download at once: the longest one.
    Longest,
    /// N workers taking downloads in order: the pool's makespan.
    Pool,
    /// Computing on too few cores: the sum divided by the number of cores.
    Cores,
    /// K workshops, each running its share of the downloads on M threads.
    Workshops,
    /// More downloads than child processes may be alive at once: they take turns, in order.
    Processes,
}

impl Bound {
    /// A short name for JSON and the string table: `sum`, `longest`, `pool` or `cores`.
    pub fn name(self) -> &'static str {
        match self {
            Bound::Sum => "sum",
            Bound::Longest => "longest",
            Bound::Pool => "pool",
            Bound::Cores => "cores",
            Bound::Workshops => "workshops",
            Bound::Processes => "processes",
        }
    }
}

/// The least time a run can take, in lesson seconds, and what sets it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ideal {
    pub seconds: f64,
    pub bound: Bound,
}

/// Lesson seconds the strategy would take with no overhead at all, for `io` work (workshops: the
/// default K and M).
pub fn ideal(strategy: Strategy, durations: &[f64], workers: usize) -> f64 {
    ideal_for(strategy, durations, workers, Workload::Io, 1).seconds
}

/// The default workshop shape: (K processes, M threads each).
pub fn default_shape() -> (usize, usize) {
    let d = ProcessOptions::default();
    (d.workshops, d.workshop_threads)
}

/// The least time for this strategy, workload and number of cores.
///
/// Waiting needs no core, so for `io` work the strategy's own arrangement decides. Computing
/// does: `cores` cores do at most `cores` seconds of work per second, so no strategy beats
/// `sum / cores`, and the ideal is the larger of that and the strategy's own.
pub fn ideal_for(
    strategy: Strategy,
    durations: &[f64],
    workers: usize,
    workload: Workload,
    cores: usize,
) -> Ideal {
    ideal_shaped(
        strategy,
        durations,
        workers,
        workload,
        cores,
        default_shape(),
    )
}

/// [`ideal_for`] with the workshops' shape, (K processes, M threads each), given.
pub fn ideal_shaped(
    strategy: Strategy,
    durations: &[f64],
    workers: usize,
    workload: Workload,
    cores: usize,
    shape: (usize, usize),
) -> Ideal {
    let own = own_ideal(strategy, durations, workers, workload, shape);
    let by_cores = sum(durations) / cores.max(1) as f64;
    if workload == Workload::Cpu && by_cores > own.seconds {
        Ideal {
            seconds: by_cores,
            bound: Bound::Cores,
        }
    } else {
        own
    }
}

/// The least time from how the strategy arranges its downloads, whatever the cores.
fn own_ideal(
    strategy: Strategy,
    durations: &[f64],
    workers: usize,
    workload: Workload,
    shape: (usize, usize),
) -> Ideal {
    let (seconds, bound) = match strategy {
        Strategy::Serial => (sum(durations), Bound::Sum),
        Strategy::Threads | Strategy::Custom => (longest(durations), Bound::Longest),
        // A worker for every download: nobody queues, so the longest one decides.
        Strategy::Pool if workers >= durations.len() => (longest(durations), Bound::Longest),
        Strategy::Pool => (pool_makespan(durations, workers), Bound::Pool),
        // One process per download: like threads, they all run at once, up to the limit.
        Strategy::Process if durations.len() > MAX_PROCESSES => {
            (pool_makespan(durations, MAX_PROCESSES), Bound::Processes)
        }
        Strategy::Process => (longest(durations), Bound::Longest),
        Strategy::Workshops => (workshops(durations, shape.0, shape.1), Bound::Workshops),
        // One thread: the waits overlap, the computing cannot.
        Strategy::Async => match workload {
            Workload::Io => (longest(durations), Bound::Longest),
            Workload::Cpu => (sum(durations), Bound::Sum),
        },
    };
    Ideal { seconds, bound }
}

/// K workshops, each handed an even share of the downloads in order, each share run by M threads.
pub fn workshops(durations: &[f64], workshops: usize, threads: usize) -> f64 {
    let share = super::workshops::share_size(durations.len(), workshops);
    durations
        .chunks(share)
        .map(|d| pool_makespan(d, threads))
        .fold(0.0, f64::max)
}

/// Serial time: every download waits for the one before it.
pub fn sum(durations: &[f64]) -> f64 {
    durations.iter().sum()
}

/// The longest single download, below which no strategy can go.
pub fn longest(durations: &[f64]) -> f64 {
    durations.iter().copied().fold(0.0, f64::max)
}

#[cfg(test)]
thread_local! {
    /// How many makespans this thread has worked out, so tests can check none is per event.
    pub static MAKESPANS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Hand the downloads out in order, each to the first worker that is free.
/// O(downloads × log workers): the next free worker comes off a min-heap.
pub fn pool_makespan(durations: &[f64], workers: usize) -> f64 {
    #[cfg(test)]
    MAKESPANS.with(|n| n.set(n.get() + 1));
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    struct At(f64);
    impl PartialEq for At {
        fn eq(&self, other: &Self) -> bool {
            self.cmp(other).is_eq()
        }
    }
    impl Eq for At {}
    impl PartialOrd for At {
        fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
            Some(self.cmp(other))
        }
    }
    impl Ord for At {
        fn cmp(&self, other: &Self) -> std::cmp::Ordering {
            self.0.total_cmp(&other.0)
        }
    }
    let workers = workers.max(1).min(durations.len().max(1));
    let mut free_at: BinaryHeap<Reverse<At>> = (0..workers).map(|_| Reverse(At(0.0))).collect();
    let mut end = 0.0_f64;
    for &d in durations {
        let Reverse(At(t)) = free_at.pop().expect("at least one worker");
        end = end.max(t + d);
        free_at.push(Reverse(At(t + d)));
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lessons_arithmetic() {
        let d = [5.0, 4.0, 6.0];
        assert_eq!(ideal(Strategy::Serial, &d, 4), 15.0);
        assert_eq!(ideal(Strategy::Threads, &d, 4), 6.0);
        assert_eq!(ideal(Strategy::Custom, &d, 4), 6.0);
        assert_eq!(ideal(Strategy::Pool, &d, 4), 6.0);
        // Two workers: 5 and 4 start together, 6 waits for the 4 → 10.
        assert_eq!(ideal(Strategy::Pool, &d, 2), 10.0);
        assert_eq!(ideal(Strategy::Pool, &d, 1), 15.0);
        assert_eq!(ideal(Strategy::Pool, &[], 3), 0.0);
        // As many workers as downloads or more: the longest decides, not the workers.
        assert_eq!(
            ideal_for(Strategy::Pool, &d, 3, Workload::Io, 1).bound,
            Bound::Longest
        );
        assert_eq!(
            ideal_for(Strategy::Pool, &d, 2, Workload::Io, 1).bound,
            Bound::Pool
        );
        assert_eq!(ideal(Strategy::Async, &d, 4), 6.0);
    }

    #[test]
    fn beyond_the_process_limit_processes_take_turns() {
        let at_limit = vec![2.0; MAX_PROCESSES];
        let i = ideal_for(Strategy::Process, &at_limit, 4, Workload::Io, 1);
        assert_eq!((i.seconds, i.bound), (2.0, Bound::Longest));
        // One more than may be alive at once: it waits for the first to end.
        let one_more = vec![2.0; MAX_PROCESSES + 1];
        let i = ideal_for(Strategy::Process, &one_more, 4, Workload::Io, 1);
        assert_eq!((i.seconds, i.bound), (4.0, Bound::Processes));
    }

    #[test]
    fn cpu_work_is_bounded_by_the_cores() {
        let d = [5.0, 4.0, 6.0];
        let cpu = |s, workers, cores| ideal_for(s, &d, workers, Workload::Cpu, cores);
        let of = |seconds, bound| Ideal { seconds, bound };
        // One core: nothing beats the sum, and only serial is limited by its own arrangement.
        assert_eq!(cpu(Strategy::Serial, 4, 1), of(15.0, Bound::Sum));
        assert_eq!(cpu(Strategy::Threads, 4, 1), of(15.0, Bound::Cores));
        assert_eq!(cpu(Strategy::Pool, 4, 1), of(15.0, Bound::Cores));
        // Two cores: 15 / 2 = 7.5 is above the longest (6).
        assert_eq!(cpu(Strategy::Threads, 4, 2), of(7.5, Bound::Cores));
        assert_eq!(cpu(Strategy::Custom, 4, 2), of(7.5, Bound::Cores));
        // Three cores: 5 < 6, so the longest download decides again.
        assert_eq!(cpu(Strategy::Threads, 4, 3), of(6.0, Bound::Longest));
        // A two-worker pool's makespan (10) is above 15 / 3.
        assert_eq!(cpu(Strategy::Pool, 2, 3), of(10.0, Bound::Pool));
        // Async is one thread: waiting overlaps, computing is the sum on any number of cores.
        assert_eq!(cpu(Strategy::Async, 4, 8), of(15.0, Bound::Sum));
        assert_eq!(
            ideal_for(Strategy::Async, &d, 4, Workload::Io, 1),
            of(6.0, Bound::Longest)
        );
        // io work ignores the cores.
        assert_eq!(
            ideal_for(Strategy::Threads, &d, 4, Workload::Io, 1),
            of(6.0, Bound::Longest)
        );
        // Zero cores is treated as one rather than dividing by zero.
        assert_eq!(cpu(Strategy::Threads, 4, 0), of(15.0, Bound::Cores));
        assert_eq!(ideal(Strategy::Process, &d, 1), 6.0);
        // Two workshops: [5, 4] and [6], three threads each → 6.
        assert_eq!(ideal(Strategy::Workshops, &d, 1), 6.0);
        // Two workshops of one thread: 5 + 4 = 9.
        assert_eq!(workshops(&d, 2, 1), 9.0);
        assert_eq!(workshops(&[], 2, 3), 0.0);
    }
}
