//! Processes versus threads, at high speed: child processes report like threads, a crash takes
//! down only what it should, creation costs are measured, and bytes travel by the right path.

use std::collections::{BTreeMap, HashSet};
use std::sync::Once;
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};
use threadlab::engine::{
    self, BytesVia, Crash, Failure, Plan, ProcessOptions, Reporter, RunEvent, RunHandle, SpawnKind,
    Strategy, WorkerEvent, bytes_after,
};
use threadlab::headless::run_plan;
use threadlab::run_state::{Phase, RunState};
use threadlab::tasks;

fn plan(strategy: Strategy, durations: &[f64], speed: f64) -> Plan {
    let names = tasks::generated_names(durations.len());
    Plan {
        strategy,
        tasks: tasks::make_tasks(&names, durations),
        workers: 2,
        speed,
        workload: threadlab::engine::Workload::Io,
        procs: ProcessOptions {
            exe: Some(env!("CARGO_BIN_EXE_threadlab").into()),
            ..ProcessOptions::default()
        },
    }
}

const LESSON: [f64; 3] = [5.0, 4.0, 6.0];
const TIMEOUT: Duration = Duration::from_secs(60);

/// A run under way, with its state rebuilt from every event received so far.
struct Live {
    run: Option<RunHandle>,
    rx: Receiver<RunEvent>,
    state: RunState,
    seen: Vec<WorkerEvent>,
}

impl Live {
    fn start(p: Plan) -> Live {
        // The crash demo's panics are part of these tests: keep them out of the test output.
        static QUIET: Once = Once::new();
        QUIET.call_once(engine::quiet_worker_panics);
        let (tx, rx) = mpsc::channel();
        let state = RunState::for_plan(&p);
        let run = Some(engine::start(p, Reporter::new(1, tx)).unwrap());
        Live {
            run,
            rx,
            state,
            seen: Vec::new(),
        }
    }

    fn handle(&self) -> &RunHandle {
        self.run.as_ref().unwrap()
    }

    /// Receive events until `done(state)` holds; fails the test after a generous timeout.
    fn until(&mut self, what: &str, done: impl Fn(&RunState) -> bool) {
        let deadline = Instant::now() + TIMEOUT;
        while !done(&self.state) {
            let left = deadline.saturating_duration_since(Instant::now());
            let ev = self.rx.recv_timeout(left).unwrap_or_else(|_| {
                panic!("timed out waiting for {what}: {:#?}", self.state.tasks)
            });
            self.state.apply(&ev.event);
            self.seen.push(ev.event);
        }
    }

    fn running(&mut self, n: usize) {
        self.until(&format!("{n} running"), |s| {
            s.tasks.iter().filter(|t| t.phase == Phase::Running).count() >= n
        });
    }

    fn finish(&mut self) {
        self.handle().set_speed(5000.0);
        self.until("the run's end", |s| s.is_finished());
        self.run.take().unwrap().join();
    }
}

fn phases(state: &RunState) -> Vec<Phase> {
    state.tasks.iter().map(|t| t.phase).collect()
}

fn pid_of(worker: &str) -> u32 {
    let rest = worker.strip_prefix("pid ").expect("a process worker");
    rest.split('/').next().unwrap().parse().unwrap()
}

#[test]
fn process_reports_like_threads_one_child_per_download() {
    let mut seen = Vec::new();
    let state = run_plan(&plan(Strategy::Process, &LESSON, 100.0), |_, e| {
        seen.push(e.clone())
    })
    .unwrap();
    assert_eq!(phases(&state), [Phase::Done; 3], "{:#?}", state.tasks);
    let pids: HashSet<u32> = state
        .tasks
        .iter()
        .map(|t| pid_of(t.worker.as_deref().unwrap()))
        .collect();
    assert_eq!(pids.len(), 3, "one child per download");
    assert!(!pids.contains(&std::process::id()));
    for (id, &duration) in LESSON.iter().enumerate() {
        let mine: Vec<_> = seen
            .iter()
            .filter(|e| match e {
                WorkerEvent::Started { task, .. }
                | WorkerEvent::Progress { task, .. }
                | WorkerEvent::Finished { task, .. }
                | WorkerEvent::Failed { task, .. } => *task == id,
                _ => false,
            })
            .collect();
        assert!(matches!(mine.first(), Some(WorkerEvent::Started { .. })));
        let Some(WorkerEvent::Finished { took, at, .. }) = mine.last() else {
            panic!("task {id} did not finish last: {mine:?}");
        };
        assert!(*took >= duration, "took {took} < {duration}");
        assert!(*at >= state.tasks[id].start.unwrap() + duration);
        let mut last = 0.0;
        for e in &mine[1..mine.len() - 1] {
            let WorkerEvent::Progress { done, .. } = e else {
                panic!("{e:?}")
            };
            assert!(*done > last && *done < 1.0);
            last = *done;
        }
    }
    assert!(matches!(seen.last(), Some(WorkerEvent::RunFinished { .. })));
    // Each child announced itself once; its cost was measured, not estimated.
    assert_eq!(state.spawn_count(SpawnKind::Process), 3);
    assert!(state.median_spawn(SpawnKind::Process).unwrap() > Duration::ZERO);
    // And beside them, in the same run, a thread's start measured the same way, once per child.
    assert_eq!(state.spawn_count(SpawnKind::Thread), 3);
    assert!(state.median_spawn(SpawnKind::Thread).unwrap() > Duration::ZERO);
    // The children's bytes reached us only in their messages, and add up.
    let total: u64 = LESSON.iter().map(|&d| bytes_after(d)).sum();
    assert_eq!(state.bytes, total);
    assert_eq!(state.bytes_via, Some(BytesVia::Messages));
    assert_eq!(state.ideal(), 6.0);
    assert_eq!(state.worker_threads(), 3);
}

#[test]
fn threads_share_one_atomic_counter_and_spawn_costs_are_measured() {
    for strategy in [Strategy::Threads, Strategy::Custom, Strategy::Pool] {
        let state = run_plan(&plan(strategy, &LESSON, 200.0), |_, _| {}).unwrap();
        let total: u64 = LESSON.iter().map(|&d| bytes_after(d)).sum();
        assert_eq!(state.bytes, total, "{strategy}");
        assert_eq!(state.bytes_via, Some(BytesVia::SharedAtomic), "{strategy}");
        let threads = if strategy == Strategy::Pool { 2 } else { 3 };
        assert_eq!(state.spawn_count(SpawnKind::Thread), threads, "{strategy}");
        assert_eq!(state.spawn_count(SpawnKind::Process), 0, "{strategy}");
        assert!(state.median_spawn(SpawnKind::Thread).is_some());
    }
    let state = run_plan(&plan(Strategy::Serial, &LESSON, 500.0), |_, _| {}).unwrap();
    assert_eq!(state.spawns, []);
    assert_eq!(state.median_spawn(SpawnKind::Thread), None);
}

#[test]
fn a_pool_reuses_its_workers_spawning_none_after_warm_up() {
    let d = [3.0; 12];
    let state = run_plan(&plan(Strategy::Pool, &d, 500.0), |_, _| {}).unwrap();
    assert_eq!(phases(&state), [Phase::Done; 12]);
    assert_eq!(state.spawn_count(SpawnKind::Thread), 2);
}

#[test]
fn pause_freezes_the_children_and_resume_lets_them_finish() {
    let mut live = Live::start(plan(Strategy::Process, &LESSON, 20.0));
    live.running(3);
    live.until("some progress", |s| s.tasks.iter().any(|t| t.done > 0.0));
    live.handle().pause();
    assert_eq!(live.handle().live_processes(), 3);
    // Whatever was sent before the pause reached the children is drained; then nothing moves.
    std::thread::sleep(Duration::from_millis(100));
    while live.rx.try_recv().is_ok() {}
    std::thread::sleep(Duration::from_millis(200));
    let moved: Vec<_> = live
        .rx
        .try_iter()
        .filter(|e| matches!(e.event, WorkerEvent::Progress { .. }))
        .collect();
    assert!(
        moved.is_empty(),
        "a child progressed while paused: {moved:?}"
    );
    live.handle().resume();
    live.finish();
    assert_eq!(phases(&live.state), [Phase::Done; 3]);
    for t in &live.state.tasks {
        assert!(t.end.unwrap() - t.start.unwrap() >= t.task.duration);
    }
}

#[test]
fn a_speed_change_reaches_the_children() {
    // At speed 1 this run would take 6 real seconds.
    let mut live = Live::start(plan(Strategy::Process, &LESSON, 1.0));
    live.running(3);
    live.finish();
    assert_eq!(phases(&live.state), [Phase::Done; 3]);
    assert!(live.state.elapsed.unwrap() >= 6.0);
}

#[test]
fn a_killed_child_fails_only_its_own_download() {
    let mut live = Live::start(plan(Strategy::Process, &[30.0; 3], 20.0));
    live.running(3);
    let crash = live.handle().crash();
    let Crash::Killed { worker, pid, tasks } = crash else {
        panic!("{crash:?}")
    };
    assert_eq!(pid_of(&worker), pid);
    assert_eq!(tasks.len(), 1);
    live.finish();
    let failed: Vec<_> = live
        .state
        .tasks
        .iter()
        .filter(|t| t.phase == Phase::Failed)
        .collect();
    assert_eq!(failed.len(), 1, "{:#?}", live.state.tasks);
    assert_eq!(failed[0].task.id, tasks[0]);
    assert_eq!(failed[0].worker.as_deref(), Some(&*worker));
    assert_eq!(failed[0].reason, Some(Failure::Signal(9)));
    let done = live.state.tasks.iter().filter(|t| t.phase == Phase::Done);
    assert_eq!(done.count(), 2);
    // The JSON keeps the failed download's worker, times and error.
    let report = live.state.report(1, 20.0);
    let r = &report.tasks[tasks[0]];
    assert!(r.worker.is_some() && r.start_s.is_some() && r.end_s.is_some());
    assert!(r.error.as_deref().unwrap().contains("killed"));
}

#[test]
fn a_malformed_line_fails_only_that_childs_download() {
    let mut p = plan(Strategy::Process, &LESSON, 100.0);
    p.procs.garble_task = Some(1);
    let state = run_plan(&p, |_, _| {}).unwrap();
    assert_eq!(
        phases(&state),
        [Phase::Done, Phase::Failed, Phase::Done],
        "{:#?}",
        state.tasks
    );
    let reason = state.tasks[1].reason.as_ref().unwrap();
    assert!(matches!(reason, Failure::Malformed(_)), "{reason:?}");
}

#[test]
fn a_missing_or_wrong_binary_fails_the_downloads_and_never_hangs() {
    let mut p = plan(Strategy::Process, &LESSON, 100.0);
    p.procs.exe = Some("/no/such/threadlab".into());
    let state = run_plan(&p, |_, _| {}).unwrap();
    assert_eq!(phases(&state), [Phase::Failed; 3]);
    assert_eq!(
        state.tasks[0].reason,
        Some(Failure::NotStarted {
            worker: SpawnKind::Process,
            error: std::io::ErrorKind::NotFound
        })
    );
    // A program that is not a threadlab worker says something else first.
    p.procs.exe = Some("/bin/echo".into());
    let state = run_plan(&p, |_, _| {}).unwrap();
    assert_eq!(phases(&state), [Phase::Failed; 3]);
    assert!(
        matches!(state.tasks[2].reason, Some(Failure::Malformed(_))),
        "{:?}",
        state.tasks[2]
    );
}

#[test]
fn a_panicking_thread_fails_only_its_download() {
    for strategy in [Strategy::Threads, Strategy::Custom] {
        let mut live = Live::start(plan(strategy, &[30.0; 3], 20.0));
        live.running(3);
        let crash = live.handle().crash();
        let Crash::Panicked { worker, task } = crash else {
            panic!("{strategy}: {crash:?}")
        };
        live.finish();
        let t = &live.state.tasks[task];
        assert_eq!(t.phase, Phase::Failed, "{strategy}");
        assert_eq!(t.reason, Some(Failure::Panicked));
        assert_eq!(t.worker.as_deref(), Some(&*worker));
        let done = live.state.tasks.iter().filter(|t| t.phase == Phase::Done);
        assert_eq!(done.count(), 2, "{strategy}: {:#?}", live.state.tasks);
    }
}

#[test]
fn a_pool_replaces_the_worker_that_panicked_and_still_completes() {
    let mut live = Live::start(plan(Strategy::Pool, &[30.0; 6], 20.0));
    live.running(2);
    let crash = live.handle().crash();
    let Crash::Panicked { task, .. } = crash else {
        panic!("{crash:?}")
    };
    live.finish();
    let by_phase: BTreeMap<usize, Phase> = live
        .state
        .tasks
        .iter()
        .map(|t| (t.task.id, t.phase))
        .collect();
    assert_eq!(by_phase[&task], Phase::Failed);
    assert_eq!(
        by_phase.values().filter(|&&p| p == Phase::Done).count(),
        5,
        "{by_phase:?}"
    );
    // Two workers at the start, and one hired to replace the dead one.
    assert_eq!(live.state.spawn_count(SpawnKind::Thread), 3);
    let workers: HashSet<_> = live
        .state
        .tasks
        .iter()
        .filter_map(|t| t.worker.clone())
        .collect();
    assert!(workers.iter().any(|w| &**w == "pool-3"), "{workers:?}");
}

#[test]
fn a_crash_with_nothing_to_crash_says_so() {
    let mut live = Live::start(plan(Strategy::Threads, &[2.0], 100.0));
    live.finish();
    assert_eq!(live.state.tasks[0].phase, Phase::Done);
    let mut live = Live::start(plan(Strategy::Serial, &[30.0], 20.0));
    live.running(1);
    assert_eq!(live.handle().crash(), Crash::Unsupported);
    let mut idle = Live::start(plan(Strategy::Pool, &[30.0], 20.0));
    idle.finish();
    let mut live = Live::start(plan(Strategy::Process, &[0.0], 100.0));
    live.until("the end", |s| s.is_finished());
    assert_eq!(live.handle().crash(), Crash::NothingRunning);
}

#[test]
fn an_aborting_thread_takes_down_its_workshop_and_only_that_one() {
    let mut p = plan(Strategy::Workshops, &[30.0; 6], 20.0);
    p.procs.workshops = 2;
    p.procs.workshop_threads = 3;
    let mut live = Live::start(p);
    live.running(6);
    let pids: HashSet<u32> = live
        .state
        .tasks
        .iter()
        .map(|t| pid_of(t.worker.as_deref().unwrap()))
        .collect();
    assert_eq!(pids.len(), 2, "two workshops");
    assert!(
        live.state
            .tasks
            .iter()
            .all(|t| t.worker.as_deref().unwrap().contains("/t"))
    );
    let crash = live.handle().crash();
    let Crash::Aborted {
        pid, tasks, others, ..
    } = crash
    else {
        panic!("{crash:?}")
    };
    assert_eq!(tasks.len(), 3);
    // The other workshop was alive with its three downloads: it is the one that goes on.
    assert_eq!(others, [3]);
    live.finish();
    for t in &live.state.tasks {
        let mine = pid_of(t.worker.as_deref().unwrap()) == pid;
        if mine {
            assert_eq!(t.phase, Phase::Failed, "{t:?}");
            assert_eq!(t.reason, Some(Failure::Signal(6)), "{t:?}");
        } else {
            assert_eq!(t.phase, Phase::Done, "{t:?}");
        }
    }
    // Inside a workshop threads share memory; between workshops, only messages.
    assert_eq!(live.state.bytes_via, Some(BytesVia::Messages));
    assert_eq!(live.state.spawn_count(SpawnKind::Process), 2);
    assert_eq!(live.state.spawn_count(SpawnKind::Thread), 6);
}

#[test]
fn an_abort_counts_the_workshops_alive_then_not_those_planned() {
    // Two workshops planned; the first's three short downloads end and it goes while the
    // second's are far from done: when a thread of the second aborts, nothing goes on.
    let mut p = plan(
        Strategy::Workshops,
        &[1.0, 1.0, 1.0, 600.0, 600.0, 600.0],
        20.0,
    );
    p.procs.workshops = 2;
    p.procs.workshop_threads = 3;
    let mut live = Live::start(p);
    live.until("the short workshop's downloads done", |s| {
        s.tasks[..3].iter().all(|t| t.phase == Phase::Done)
            && s.tasks[3..].iter().all(|t| t.phase == Phase::Running)
    });
    let deadline = Instant::now() + TIMEOUT;
    while live.handle().live_processes() > 1 {
        assert!(
            Instant::now() < deadline,
            "the finished workshop was never reaped"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let crash = live.handle().crash();
    let Crash::Aborted { tasks, others, .. } = crash else {
        panic!("{crash:?}")
    };
    assert_eq!(tasks, [3, 4, 5]);
    assert!(others.is_empty(), "{others:?}");
    live.finish();
    assert!(
        live.state.tasks[3..]
            .iter()
            .all(|t| t.phase == Phase::Failed)
    );
}

#[test]
fn workshops_queue_downloads_beyond_their_threads() {
    let mut p = plan(Strategy::Workshops, &[3.0, 4.0, 5.0, 3.0, 4.0], 200.0);
    p.procs.workshops = 2;
    p.procs.workshop_threads = 1;
    let state = run_plan(&p, |_, _| {}).unwrap();
    assert_eq!(phases(&state), [Phase::Done; 5]);
    // [3, 4, 5] on one thread, [3, 4] on another.
    assert_eq!(state.ideal(), 12.0);
    assert_eq!(state.worker_threads(), 2);
    assert!(state.elapsed.unwrap() >= 12.0);
}

#[test]
fn a_child_whose_parent_dies_dies_too() {
    if !std::path::Path::new("/proc/self").exists() {
        return; // the check below reads /proc
    }
    // Stand in for a threadlab killed by SIGKILL: a worker whose parent is a shell that kills
    // itself, with a stdin that never closes (a FIFO opened for reading and writing). Only
    // PR_SET_PDEATHSIG can end the worker now.
    let fifo = std::env::temp_dir().join(format!("threadlab-orphan-{}", std::process::id()));
    let exe = env!("CARGO_BIN_EXE_threadlab");
    let script = format!(
        "rm -f {f}; mkfifo {f} || exit 1; {exe} worker --clock 1 --task 0:3600 <>{f} >/dev/null 2>&1 & echo $!; sleep 0.3; kill -9 $$",
        f = fifo.display()
    );
    let out = std::process::Command::new("sh")
        .args(["-c", &script])
        .stderr(std::process::Stdio::null())
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&fifo);
    let pid: u32 = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
    let gone = || {
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            // Gone, or a zombie waiting for whoever adopted it.
            .map(|s| {
                s.rsplit(')')
                    .next()
                    .unwrap_or("")
                    .trim_start()
                    .starts_with('Z')
            })
            .unwrap_or(true)
    };
    let deadline = Instant::now() + TIMEOUT;
    while !gone() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(gone(), "worker {pid} outlived its parent");
}

#[test]
fn the_crash_demo_works_while_paused() {
    let mut live = Live::start(plan(Strategy::Threads, &[30.0; 2], 20.0));
    live.running(2);
    live.handle().pause();
    let crash = live.handle().crash();
    let Crash::Panicked { task, .. } = crash else {
        panic!("{crash:?}")
    };
    live.until("the failure", |s| s.tasks[task].phase == Phase::Failed);
    live.handle().resume();
    live.finish();
    assert_eq!(live.state.tasks[1 - task].phase, Phase::Done);
}

#[test]
fn beyond_the_process_limit_downloads_wait_queued_for_a_reaped_child() {
    let mut p = plan(Strategy::Process, &[4.0; 9], 40.0);
    p.procs.max_live = 3;
    let mut live = Live::start(p);
    live.running(3);
    // Three children alive, so the other six downloads are still queued, not started.
    assert!(live.handle().live_processes() <= 3);
    let queued = (live.state.tasks.iter())
        .filter(|t| t.phase == Phase::Queued)
        .count();
    assert!(queued >= 6, "{:#?}", live.state.tasks);
    live.until("the run's end", |s| s.is_finished());
    assert_eq!(phases(&live.state), [Phase::Done; 9]);
    // Never more than three under way at once, by the events themselves.
    let (mut running, mut most) = (0usize, 0);
    for e in &live.seen {
        match e {
            WorkerEvent::Started { .. } => running += 1,
            WorkerEvent::Finished { .. } | WorkerEvent::Failed { .. } => running -= 1,
            _ => {}
        }
        most = most.max(running);
    }
    assert_eq!(most, 3);
    live.run.take().unwrap().join();
}
