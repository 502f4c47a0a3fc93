//! The engine at high speed: the lesson's arithmetic, worker counts, pause, speed change and stop.

use std::collections::HashSet;
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;
use threadlab::engine::{
    self, Plan, ProcessOptions, Reporter, RunEvent, RunHandle, SpawnKind, Strategy, WorkerEvent,
    Workload,
};
use threadlab::headless::run_plan;
use threadlab::run_state::{Phase, RunState};
use threadlab::tasks;

fn plan(strategy: Strategy, durations: &[f64], workers: usize, speed: f64) -> Plan {
    let names = tasks::generated_names(durations.len());
    Plan {
        strategy,
        tasks: tasks::make_tasks(&names, durations),
        workers,
        speed,
        workload: Workload::Io,
        procs: ProcessOptions {
            exe: Some(env!("CARGO_BIN_EXE_threadlab").into()),
            ..ProcessOptions::default()
        },
    }
}

const LESSON: [f64; 3] = [5.0, 4.0, 6.0];

fn spans(state: &RunState) -> Vec<(f64, f64)> {
    state
        .tasks
        .iter()
        .map(|t| (t.start.unwrap(), t.end.unwrap()))
        .collect()
}

fn workers(state: &RunState) -> HashSet<String> {
    state
        .tasks
        .iter()
        .map(|t| t.worker.as_deref().unwrap().to_string())
        .collect()
}

#[test]
fn serial_runs_one_after_another_on_one_worker() {
    let state = run_plan(&plan(Strategy::Serial, &LESSON, 4, 200.0), |_, _| {}).unwrap();
    assert!(state.tasks.iter().all(|t| t.phase == Phase::Done));
    assert_eq!(workers(&state), HashSet::from(["main".to_string()]));
    let s = spans(&state);
    for w in s.windows(2) {
        assert!(
            w[1].0 >= w[0].1,
            "a serial download started before the previous ended: {s:?}"
        );
    }
    // elapsed is the sum: never less, so far above the longest download. (No upper bound: on
    // a loaded machine the overhead at this speed is not the test's to bound; bench measures it.)
    let elapsed = state.elapsed.unwrap();
    assert!(elapsed >= 15.0, "{elapsed}");
}

#[test]
fn threads_and_custom_run_side_by_side_one_thread_each() {
    for strategy in [Strategy::Threads, Strategy::Custom] {
        let state = run_plan(&plan(strategy, &LESSON, 4, 20.0), |_, _| {}).unwrap();
        assert_eq!(workers(&state).len(), 3, "{strategy}");
        let s = spans(&state);
        let first_end = s.iter().map(|x| x.1).fold(f64::MAX, f64::min);
        assert!(
            s.iter().all(|x| x.0 < first_end),
            "{strategy}: not concurrent: {s:?}"
        );
        // elapsed is at least the longest download, and below the sum (15 s) that serial takes
        let elapsed = state.elapsed.unwrap();
        assert!((6.0..15.0).contains(&elapsed), "{strategy}: {elapsed}");
    }
    let state = run_plan(&plan(Strategy::Custom, &LESSON, 4, 200.0), |_, _| {}).unwrap();
    assert!(
        workers(&state)
            .iter()
            .all(|w| w.starts_with("DownloadThread-"))
    );
}

#[test]
fn pool_reuses_at_most_n_workers_and_queues_the_rest() {
    let d = [5.0, 4.0, 6.0, 3.0, 5.0];
    let state = run_plan(&plan(Strategy::Pool, &d, 2, 50.0), |_, _| {}).unwrap();
    let w = workers(&state);
    assert!(
        w.len() <= 2 && w.iter().all(|w| w.starts_with("pool-")),
        "{w:?}"
    );
    let s = spans(&state);
    // the third download waits in the queue until one of the first two is done
    assert!(s[2].0 >= s[0].1.min(s[1].1), "{s:?}");
    // makespan in order: 5|4 → 6 joins at 4 (ends 10), 3 joins at 5 (ends 8), 5 joins at 8 (ends 13)
    assert_eq!(state.ideal(), 13.0);
    let elapsed = state.elapsed.unwrap();
    assert!((13.0..13.0 + 5.0).contains(&elapsed), "{elapsed}");
}

#[test]
fn a_pool_starts_workers_only_as_downloads_need_them() {
    // Like ThreadPoolExecutor(max_workers=4): three downloads hire three workers, not four.
    let state = run_plan(&plan(Strategy::Pool, &LESSON, 4, 200.0), |_, _| {}).unwrap();
    assert!(state.tasks.iter().all(|t| t.phase == Phase::Done));
    // Never the fourth: every thread started ran a download.
    let hired = state.spawn_count(SpawnKind::Thread);
    assert_eq!(hired, workers(&state).len(), "{:?}", workers(&state));
    assert!(hired <= 3, "{hired}");
    // Three at once when the downloads overlapped (a stalled machine may free a worker first).
    let s = spans(&state);
    let overlapped = s.iter().all(|a| s.iter().all(|b| a.0 < b.1 && b.0 < a.1));
    if overlapped {
        assert_eq!(hired, 3, "{s:?}");
    }
}

#[test]
fn one_worker_pool_is_serial() {
    let state = run_plan(&plan(Strategy::Pool, &LESSON, 1, 200.0), |_, _| {}).unwrap();
    assert_eq!(workers(&state), HashSet::from(["pool-1".to_string()]));
    assert_eq!(state.ideal(), 15.0);
}

#[test]
fn events_come_in_lesson_order_for_every_task() {
    for strategy in Strategy::ALL {
        let mut seen: Vec<WorkerEvent> = Vec::new();
        run_plan(&plan(strategy, &LESSON, 2, 100.0), |_, e| {
            seen.push(e.clone())
        })
        .unwrap();
        assert!(matches!(seen.last(), Some(WorkerEvent::RunFinished { .. })));
        for (id, &duration) in LESSON.iter().enumerate() {
            let mine: Vec<_> = seen
                .iter()
                .filter(|e| match e {
                    WorkerEvent::Started { task, .. }
                    | WorkerEvent::Progress { task, .. }
                    | WorkerEvent::Finished { task, .. }
                    | WorkerEvent::Failed { task, .. } => *task == id,
                    WorkerEvent::RunFinished { .. }
                    | WorkerEvent::Spawned { .. }
                    | WorkerEvent::Bytes { .. }
                    | WorkerEvent::Thread { .. } => false,
                })
                .collect();
            assert!(
                matches!(mine.first(), Some(WorkerEvent::Started { .. })),
                "{strategy}"
            );
            let Some(WorkerEvent::Finished { took, .. }) = mine.last() else {
                panic!("{strategy}: task {id} did not finish last: {mine:?}");
            };
            assert!(*took >= duration, "{strategy}: took {took} < {}", duration);
            let mut last = 0.0;
            for e in &mine[1..mine.len() - 1] {
                let WorkerEvent::Progress { done, .. } = e else {
                    panic!("{e:?}")
                };
                assert!(
                    *done > last && *done < 1.0,
                    "{strategy}: progress {done} after {last}"
                );
                last = *done;
            }
        }
    }
}

fn start(p: Plan) -> (RunHandle, Receiver<RunEvent>) {
    let (tx, rx) = mpsc::channel();
    (engine::start(p, Reporter::new(9, tx)).unwrap(), rx)
}

fn wait_for(rx: &Receiver<RunEvent>, what: impl Fn(&WorkerEvent) -> bool) {
    loop {
        let ev = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("event in time");
        assert_eq!(ev.run, 9, "events carry their run's id");
        if what(&ev.event) {
            return;
        }
    }
}

#[test]
fn pause_freezes_every_worker_and_resume_goes_on() {
    let (run, rx) = start(plan(Strategy::Threads, &LESSON, 4, 20.0));
    wait_for(&rx, |e| matches!(e, WorkerEvent::Progress { .. }));
    run.pause();
    let frozen = run.clock().now();
    // Anything sent before the pause took hold is drained; after that, nothing moves.
    std::thread::sleep(Duration::from_millis(60));
    while rx.try_recv().is_ok() {}
    std::thread::sleep(Duration::from_millis(120));
    assert!(rx.try_recv().is_err(), "a worker progressed while paused");
    assert_eq!(run.clock().now(), frozen);
    run.resume();
    wait_for(&rx, |e| matches!(e, WorkerEvent::RunFinished { .. }));
    run.join();
}

#[test]
fn speed_change_mid_run_finishes_sooner_and_keeps_the_arithmetic() {
    // At speed 1 this run would take 6 real seconds; it is sped up after it starts.
    let p = plan(Strategy::Threads, &LESSON, 4, 1.0);
    let mut state = RunState::new(Strategy::Threads, &p.tasks, 4);
    let (run, rx) = start(p);
    let mut sped_up = false;
    while !state.is_finished() {
        let ev = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("run ends")
            .event;
        if !sped_up && matches!(ev, WorkerEvent::Started { .. }) {
            run.set_speed(500.0);
            sped_up = true;
        }
        state.apply(&ev);
    }
    assert!(state.elapsed.unwrap() >= 6.0);
    for t in &state.tasks {
        assert!(t.end.unwrap() - t.start.unwrap() >= t.task.duration);
    }
    run.join();
}

#[test]
fn stop_ends_a_paused_or_running_run_mid_download() {
    for pause in [false, true] {
        for strategy in Strategy::ALL {
            let (run, rx) = start(plan(strategy, &[3600.0; 8], 3, 1.0));
            wait_for(&rx, |e| matches!(e, WorkerEvent::Started { .. }));
            if pause {
                run.pause();
            }
            run.stop();
            // Every worker has been joined, so every sender is gone and the channel closes.
            while let Ok(ev) = rx.recv_timeout(Duration::from_secs(30)) {
                assert!(!matches!(
                    ev.event,
                    WorkerEvent::Finished { .. } | WorkerEvent::RunFinished { .. }
                ));
            }
        }
    }
}

#[test]
fn a_run_whose_listener_is_gone_ends_by_itself() {
    let (run, rx) = start(plan(Strategy::Pool, &[3600.0; 6], 2, 1.0));
    drop(rx);
    // Workers notice the closed channel at their next report and give up.
    run.set_speed(10_000.0);
    run.join();
}

fn is_boundary(e: &WorkerEvent) -> bool {
    matches!(
        e,
        WorkerEvent::Started { .. } | WorkerEvent::Finished { .. } | WorkerEvent::Failed { .. }
    )
}

#[test]
fn step_mode_lets_exactly_one_event_through_per_step() {
    for strategy in [
        Strategy::Serial,
        Strategy::Threads,
        Strategy::Pool,
        Strategy::Async,
    ] {
        let (run, rx) = start(plan(strategy, &LESSON, 2, 50.0));
        wait_for(&rx, |e| matches!(e, WorkerEvent::Started { .. }));
        run.pause();
        // The other threads may have started too before the pause: count what is already done.
        std::thread::sleep(Duration::from_millis(50));
        let mut seen = 0;
        while let Ok(ev) = rx.try_recv() {
            seen += usize::from(is_boundary(&ev.event));
        }
        // 3 starts + 3 finishes in all; the first start was consumed above.
        let mut left = 5 - seen;
        let mut finished = false;
        while left > 0 {
            run.step();
            let ev = loop {
                let ev = rx
                    .recv_timeout(Duration::from_secs(30))
                    .expect("a step brings an event")
                    .event;
                if is_boundary(&ev) {
                    break ev;
                }
            };
            left -= 1;
            // Behind the event the clock is frozen again: no other event can pass the gate.
            std::thread::sleep(Duration::from_millis(30));
            assert!(
                run.clock().is_paused(),
                "{strategy}: not paused after {ev:?}"
            );
            while let Ok(other) = rx.try_recv() {
                let other = other.event;
                assert!(
                    !is_boundary(&other),
                    "{strategy}: two events in one step: {ev:?}, then {other:?}"
                );
                finished |= matches!(other, WorkerEvent::RunFinished { .. });
            }
        }
        run.resume();
        if !finished {
            wait_for(&rx, |e| matches!(e, WorkerEvent::RunFinished { .. }));
        }
        run.join();
    }
}

#[test]
fn the_crash_demo_reaches_a_worker_waiting_at_the_step_gate() {
    use threadlab::engine::Crash;
    // Two equal downloads finish together: in step mode one finish passes, the other waits at
    // the gate, still running. The crash demo must find it there.
    let (run, rx) = start(plan(Strategy::Threads, &[2.0, 2.0], 4, 50.0));
    wait_for(&rx, |e| matches!(e, WorkerEvent::Started { .. }));
    run.pause();
    // Reports sent before the pause took hold are not the answer to any step: drain them.
    std::thread::sleep(Duration::from_millis(50));
    while rx.try_recv().is_ok() {}
    loop {
        run.step();
        let ev = loop {
            let ev = rx
                .recv_timeout(Duration::from_secs(30))
                .expect("a step brings an event")
                .event;
            if is_boundary(&ev) {
                break ev;
            }
        };
        if matches!(ev, WorkerEvent::Finished { .. }) {
            break;
        }
    }
    let crash = run.crash();
    assert!(matches!(crash, Crash::Panicked { .. }), "{crash:?}");
    run.resume();
    let mut failed = 0;
    loop {
        match rx
            .recv_timeout(Duration::from_secs(30))
            .expect("the run ends")
            .event
        {
            WorkerEvent::Failed { reason, .. } => {
                assert_eq!(reason, threadlab::engine::Failure::Panicked);
                failed += 1;
            }
            WorkerEvent::RunFinished { .. } => break,
            _ => {}
        }
    }
    assert_eq!(failed, 1);
    run.join();
}

#[test]
fn every_worker_says_which_os_thread_it_runs_on() {
    if !std::path::Path::new("/proc/self/task").exists() {
        return; // the report is Linux's
    }
    for strategy in Strategy::ALL {
        let mut threads = std::collections::HashMap::new();
        let state = run_plan(&plan(strategy, &LESSON, 2, 200.0), |_, e| {
            if let WorkerEvent::Thread { worker, pid, tid } = e {
                threads.insert(worker.to_string(), (*pid, *tid));
            }
        })
        .unwrap();
        for w in workers(&state) {
            let &(pid, tid) = threads.get(&w).unwrap_or_else(|| {
                panic!("{strategy}: worker {w} never said its thread: {threads:?}")
            });
            let own = pid == std::process::id();
            // The process strategies' workers live in child processes.
            let child = matches!(strategy, Strategy::Process | Strategy::Workshops);
            assert_eq!(own, !child, "{strategy}: {w} in pid {pid}");
            assert!(tid > 0, "{strategy}: {w}");
        }
    }
}
