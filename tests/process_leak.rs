//! Stopping or dropping a run leaves no child process behind, not even a zombie. In a binary of
//! its own, because it counts every child of this test process.

use std::collections::BTreeSet;
use std::sync::mpsc;
use std::time::Duration;
use threadlab::engine::{self, Plan, ProcessOptions, Reporter, RunEvent, Strategy, WorkerEvent};
use threadlab::tasks;

/// Every child of every thread of this process, from `/proc/self/task/*/children`.
fn children() -> BTreeSet<u32> {
    let mut pids = BTreeSet::new();
    for task in std::fs::read_dir("/proc/self/task")
        .into_iter()
        .flatten()
        .flatten()
    {
        let list = std::fs::read_to_string(task.path().join("children")).unwrap_or_default();
        pids.extend(
            list.split_whitespace()
                .filter_map(|p| p.parse::<u32>().ok()),
        );
    }
    pids
}

fn alive(pid: u32) -> bool {
    std::path::Path::new(&format!("/proc/{pid}")).exists()
}

#[test]
fn stopping_or_dropping_a_run_kills_and_reaps_every_child() {
    if !std::path::Path::new("/proc/self/task").exists() {
        return; // not Linux: nothing to look at
    }
    let (tx, rx) = mpsc::channel::<RunEvent>();
    for (i, strategy) in [Strategy::Process, Strategy::Workshops, Strategy::Process]
        .into_iter()
        .enumerate()
    {
        let names = tasks::generated_names(6);
        let plan = Plan {
            strategy,
            tasks: tasks::make_tasks(&names, &[3600.0; 6]),
            workers: 2,
            speed: 1.0,
            workload: threadlab::engine::Workload::Io,
            procs: ProcessOptions {
                exe: Some(env!("CARGO_BIN_EXE_threadlab").into()),
                ..ProcessOptions::default()
            },
        };
        let run = engine::start(plan, Reporter::new(i as u64, tx.clone())).unwrap();
        let mut started = 0;
        let mut pids = BTreeSet::new();
        while started < 6 {
            let ev = rx.recv_timeout(Duration::from_secs(30)).expect("events");
            if let (true, WorkerEvent::Started { worker, .. }) = (ev.run == i as u64, ev.event) {
                started += 1;
                let pid = worker
                    .strip_prefix("pid ")
                    .unwrap()
                    .split('/')
                    .next()
                    .unwrap();
                pids.insert(pid.parse::<u32>().unwrap());
            }
        }
        assert!(pids.is_subset(&children()), "{pids:?} are our children");
        if i == 1 {
            run.pause(); // a paused child is stopped as surely as a running one
        }
        if i == 2 {
            drop(run); // as the TUI's restart does
        } else {
            run.stop();
        }
        // Stopped means reaped: no child, no zombie, right after stop returns.
        assert_eq!(children(), BTreeSet::new(), "{strategy}");
        assert!(pids.iter().all(|&p| !alive(p)), "{strategy}: {pids:?}");
    }
}
