//! A run's CPU time counts only the threads born for it. In a test binary of its own: the
//! measure is process-wide, so other tests' threads computing meanwhile would be counted.

use std::time::Duration;
use threadlab::procinfo::RunCpu;

/// Only the run's threads count: a thread that was there before (the screen, say) and
/// computes meanwhile is left out, and one born after is counted.
#[test]
fn a_runs_cpu_leaves_out_the_threads_that_were_there_before_it() {
    if !std::path::Path::new("/proc/self/task").exists() {
        return; // not Linux
    }
    // Compute until this thread has had `ms` of CPU time, however busy the machine is.
    fn burn(ms: u64) {
        let own = || {
            let mut ts: libc::timespec = unsafe { std::mem::zeroed() };
            // SAFETY: ts is a valid timespec for the kernel to fill in.
            unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
            Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
        };
        let until = own() + Duration::from_millis(ms);
        let mut x = 0u64;
        while own() < until {
            x = std::hint::black_box(x ^ 0x5555).wrapping_mul(31);
        }
    }
    let run = RunCpu::start();
    // This thread was there before: 150 ms of it are not the run's.
    burn(150);
    let screen_only = run.used();
    // A thread born after computes 150 ms: the run's.
    std::thread::spawn(|| burn(150)).join().unwrap();
    let with_run = run.used();
    assert!(
        screen_only < Duration::from_millis(75),
        "{screen_only:?} counted the old thread's 150 ms"
    );
    assert!(
        with_run.saturating_sub(screen_only) > Duration::from_millis(75),
        "{screen_only:?} then {with_run:?}: the new thread's 150 ms were not counted"
    );
}
