//! The least time each strategy can take on given durations: the lesson's arithmetic.

use super::{ProcessOptions, Strategy};

/// Lesson seconds the strategy would take with no overhead at all (workshops: the default K and M;
/// see [`workshops`]).
pub fn ideal(strategy: Strategy, durations: &[f64], workers: usize) -> f64 {
    match strategy {
        Strategy::Serial => sum(durations),
        Strategy::Threads | Strategy::Custom | Strategy::Process => longest(durations),
        Strategy::Pool => pool_makespan(durations, workers),
        Strategy::Workshops => {
            let d = ProcessOptions::default();
            workshops(durations, d.workshops, d.workshop_threads)
        }
    }
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

/// Hand the downloads out in order, each to the first worker that is free.
pub fn pool_makespan(durations: &[f64], workers: usize) -> f64 {
    let mut free_at = vec![0.0_f64; workers.max(1)];
    for &d in durations {
        let first_free = free_at
            .iter_mut()
            .min_by(|a, b| a.total_cmp(b))
            .expect("at least one worker");
        *first_free += d;
    }
    longest(&free_at)
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
        assert_eq!(ideal(Strategy::Process, &d, 1), 6.0);
        // Two workshops: [5, 4] and [6], three threads each → 6.
        assert_eq!(ideal(Strategy::Workshops, &d, 1), 6.0);
        // Two workshops of one thread: 5 + 4 = 9.
        assert_eq!(workshops(&d, 2, 1), 9.0);
        assert_eq!(workshops(&[], 2, 3), 0.0);
    }
}
