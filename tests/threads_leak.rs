//! Starting and stopping runs leaves no thread behind. In a binary of its own, because it
//! counts every thread of the process.

use std::sync::mpsc;
use std::time::{Duration, Instant};
use threadlab::engine::{self, Plan, Reporter, RunEvent, Strategy, WorkerEvent, Workload};
use threadlab::tasks;

fn threads_now() -> usize {
    std::fs::read_dir("/proc/self/task")
        .map(|d| d.count())
        .unwrap_or(0)
}

/// Poll until the thread count is back to `baseline` (exited threads take a moment to vanish).
fn settles_to(baseline: usize) -> bool {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if threads_now() <= baseline {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    false
}

#[test]
fn restarting_a_run_a_hundred_times_leaves_no_thread() {
    if !std::path::Path::new("/proc/self/task").exists() {
        return; // not Linux: nothing to count
    }
    let baseline = threads_now();
    let names = tasks::generated_names(6);
    let durations = tasks::durations(1, 6, 3.0, 6.0);
    let (tx, rx) = mpsc::channel::<RunEvent>();
    let mut peak = 0;
    // Child processes are counted by tests/process_leak.rs; here only this process's threads.
    let in_process: Vec<Strategy> = Strategy::ALL
        .into_iter()
        .filter(|s| !matches!(s, Strategy::Process | Strategy::Workshops))
        .collect();
    for i in 0..100 {
        let plan = Plan {
            strategy: in_process[i % in_process.len()],
            tasks: tasks::make_tasks(&names, &durations),
            workers: 3,
            speed: 1.0,
            workload: Workload::Io,
            procs: Default::default(),
        };
        // Each restart drops the previous handle, as the TUI's `r` key does.
        let run = engine::start(plan, Reporter::new(i as u64, tx.clone())).unwrap();
        let started = loop {
            match rx.recv_timeout(Duration::from_secs(30)) {
                Ok(ev) if ev.run == i as u64 && matches!(ev.event, WorkerEvent::Started { .. }) => {
                    break true;
                }
                Ok(_) => continue,
                Err(_) => break false,
            }
        };
        assert!(
            started,
            "run {i} ({}) never started a download",
            in_process[i % in_process.len()]
        );
        peak = peak.max(threads_now());
        drop(run);
    }
    assert!(peak > baseline, "runs never started a thread");
    assert!(
        settles_to(baseline),
        "{} threads left, baseline {baseline}",
        threads_now()
    );
}
