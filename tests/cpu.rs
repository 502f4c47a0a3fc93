//! Real computation, cores and the async juggler. In a binary of its own, because it measures
//! the CPU time of the whole process and changes the cores of every thread; its tests take
//! turns through one lock for the same reason.

use std::collections::HashSet;
use std::sync::mpsc::{self, Receiver};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};
use threadlab::cores;
use threadlab::engine::{
    self, Bound, Plan, Reporter, RunEvent, RunHandle, Strategy, WorkerEvent, Workload,
};
use threadlab::headless::run_plan;
use threadlab::procinfo;
use threadlab::run_state::RunState;
use threadlab::tasks;

fn one_at_a_time() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

fn plan(strategy: Strategy, durations: &[f64], speed: f64, workload: Workload) -> Plan {
    Plan {
        strategy,
        tasks: tasks::make_tasks(&tasks::generated_names(durations.len()), durations),
        workers: 4,
        speed,
        workload,
        procs: threadlab::engine::ProcessOptions {
            exe: Some(env!("CARGO_BIN_EXE_threadlab").into()),
            ..Default::default()
        },
    }
}

/// Run `plan` to the end; its final state, every event, the wall time and the process's CPU time.
fn measured(plan: &Plan) -> (RunState, Vec<WorkerEvent>, f64, f64) {
    engine::units_per_second(); // calibrate outside the measurement
    let (cpu0, wall0) = (procinfo::cpu_time(), Instant::now());
    let mut events = Vec::new();
    let state = run_plan(plan, |_, e| events.push(e.clone())).unwrap();
    let wall = wall0.elapsed().as_secs_f64();
    let cpu = (procinfo::cpu_time() - cpu0).as_secs_f64();
    (state, events, wall, cpu)
}

fn worker_names(state: &RunState) -> HashSet<String> {
    state
        .tasks
        .iter()
        .map(|t| t.worker.as_deref().unwrap().to_string())
        .collect()
}

/// How many times the stream of progress reports switches from one download to another.
fn switches(events: &[WorkerEvent]) -> usize {
    let ids: Vec<usize> = events
        .iter()
        .filter_map(|e| match e {
            WorkerEvent::Progress { task, .. } => Some(*task),
            _ => None,
        })
        .collect();
    ids.windows(2).filter(|w| w[0] != w[1]).count()
}

const FOUR: [f64; 4] = [1.0; 4];
/// Four one-second downloads at speed 5: 0.8 s of one core's work in all.
const SPEED: f64 = 5.0;

#[test]
fn cpu_work_really_computes_and_io_work_does_not() {
    let _turn = one_at_a_time();
    let work = FOUR.iter().sum::<f64>() / SPEED;
    let (state, _, _, cpu) = measured(&plan(Strategy::Threads, &FOUR, SPEED, Workload::Cpu));
    assert_eq!(state.report(1, SPEED).workload, "cpu");
    // Generous bounds: the machine is shared, and calibration is a best case. (How much of the
    // wall time the work got depends on what else runs, so it is no test: the CPU time is.)
    assert!(cpu > 0.5 * work, "cpu {cpu:.3} s for {work:.3} s of work");

    let (_, _, wall, cpu) = measured(&plan(Strategy::Threads, &FOUR, SPEED, Workload::Io));
    assert!(
        cpu < 0.25 * wall,
        "io work used {cpu:.3} s of CPU in {wall:.3} s"
    );
}

#[test]
fn on_one_core_the_threads_take_turns() {
    let _turn = one_at_a_time();
    cores::set_cores(1).unwrap();
    assert_eq!(cores::cores_in_use(), 1);
    let p = plan(Strategy::Threads, &FOUR, SPEED, Workload::Cpu);
    let (state, events, wall, cpu) = measured(&p);
    cores::set_cores(cores::available_cores()).unwrap();
    assert_eq!(cores::cores_in_use(), cores::available_cores());

    // One core cannot give the process more CPU time than the wall time that passed.
    assert!(cpu <= wall * 1.05 + 0.02, "cpu {cpu:.3} s in {wall:.3} s");
    assert!(cpu > 0.5 * 0.8, "{cpu}");
    // The juggler: every download was under way before any finished, and their progress
    // interleaved instead of one finishing after another.
    let first_end = state
        .tasks
        .iter()
        .map(|t| t.end.unwrap())
        .fold(f64::MAX, f64::min);
    assert!(state.tasks.iter().all(|t| t.start.unwrap() < first_end));
    assert!(switches(&events) >= 4, "{events:?}");
    // The report was built on one core, so the ideal is the sum, set by the cores.
    assert_eq!(state.report(1, SPEED).cores, 1);
    let ideal = state.ideal_bound();
    assert_eq!((ideal.seconds, ideal.bound), (4.0, Bound::Cores));
}

#[test]
fn async_runs_every_download_on_one_thread() {
    let _turn = one_at_a_time();
    for workload in Workload::ALL {
        let p = plan(Strategy::Async, &[5.0, 4.0, 6.0], 20.0, workload);
        let (tx, rx) = mpsc::channel::<RunEvent>();
        let run = engine::start(p.clone(), Reporter::new(1, tx)).unwrap();
        let mut state = RunState::for_plan(&p);
        let mut events = Vec::new();
        let mut threads_seen = HashSet::new();
        while !state.is_finished() {
            let ev = rx.recv_timeout(Duration::from_secs(30)).unwrap().event;
            if let WorkerEvent::Progress { .. } = ev {
                threads_seen.extend(procinfo::threads().into_iter().map(|t| t.name));
            }
            state.apply(&ev);
            events.push(ev);
        }
        run.join();
        assert_eq!(
            worker_names(&state),
            HashSet::from(["main".to_string()]),
            "{workload}"
        );
        assert!(
            !threads_seen.iter().any(|n| n.starts_with("tokio")),
            "{workload}: the runtime started threads of its own: {threads_seen:?}"
        );
        // Every download is under way at once, and their progress interleaves.
        let first_end = state
            .tasks
            .iter()
            .map(|t| t.end.unwrap())
            .fold(f64::MAX, f64::min);
        assert!(
            state.tasks.iter().all(|t| t.start.unwrap() < first_end),
            "{workload}"
        );
        assert!(switches(&events) >= 3, "{workload}: {events:?}");
        let elapsed = state.elapsed.unwrap();
        match workload {
            // The waits overlap: about the longest download, far below the sum.
            Workload::Io => {
                assert_eq!(state.ideal(), 6.0);
                assert!((6.0..12.0).contains(&elapsed), "{elapsed}");
            }
            // One thread computes one chunk at a time: the sum, on any number of cores.
            Workload::Cpu => {
                assert_eq!(state.ideal_bound().bound, Bound::Sum);
                assert_eq!(state.ideal(), 15.0);
            }
        }
    }
}

fn start(p: Plan) -> (RunHandle, Receiver<RunEvent>) {
    let (tx, rx) = mpsc::channel();
    (engine::start(p, Reporter::new(2, tx)).unwrap(), rx)
}

fn wait_for(rx: &Receiver<RunEvent>, what: impl Fn(&WorkerEvent) -> bool) {
    loop {
        let ev = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("event in time");
        if what(&ev.event) {
            return;
        }
    }
}

#[test]
fn pause_stops_the_computing_and_stop_ends_it() {
    let _turn = one_at_a_time();
    for strategy in [Strategy::Threads, Strategy::Async] {
        let (run, rx) = start(plan(strategy, &[100.0; 3], 10.0, Workload::Cpu));
        wait_for(&rx, |e| matches!(e, WorkerEvent::Progress { .. }));
        run.pause();
        // Anything sent before the pause took hold is drained; after that, nothing computes.
        std::thread::sleep(Duration::from_millis(50));
        while rx.try_recv().is_ok() {}
        let cpu0 = procinfo::cpu_time();
        std::thread::sleep(Duration::from_millis(200));
        let cpu = (procinfo::cpu_time() - cpu0).as_secs_f64();
        assert!(rx.try_recv().is_err(), "{strategy}: progress while paused");
        assert!(cpu < 0.1, "{strategy}: {cpu:.3} s of CPU while paused");
        run.resume();
        wait_for(&rx, |e| matches!(e, WorkerEvent::Progress { .. }));
        run.stop();
        // Every worker has been joined, so every sender is gone and the channel closes.
        while let Ok(ev) = rx.recv_timeout(Duration::from_secs(30)) {
            assert!(!matches!(ev.event, WorkerEvent::Finished { .. }));
        }
    }
}

#[test]
fn stop_ends_every_strategy_mid_computation() {
    let _turn = one_at_a_time();
    for strategy in Strategy::ALL {
        let (run, rx) = start(plan(strategy, &[3600.0; 6], 1.0, Workload::Cpu));
        wait_for(&rx, |e| matches!(e, WorkerEvent::Started { .. }));
        run.stop();
        while let Ok(ev) = rx.recv_timeout(Duration::from_secs(30)) {
            assert!(
                !matches!(ev.event, WorkerEvent::RunFinished { .. }),
                "{strategy}"
            );
        }
    }
}

#[test]
fn speeding_up_mid_download_shrinks_the_work_left() {
    let _turn = one_at_a_time();
    for strategy in [Strategy::Serial, Strategy::Async] {
        // At speed 1 this is 2 s of computing; it is sped up a thousandfold after it starts.
        let (run, rx) = start(plan(strategy, &[2.0], 1.0, Workload::Cpu));
        wait_for(&rx, |e| matches!(e, WorkerEvent::Progress { .. }));
        run.set_speed(1000.0);
        let took = loop {
            let ev = rx.recv_timeout(Duration::from_secs(30)).expect("finishes");
            if let WorkerEvent::Finished { took, .. } = ev.event {
                break took;
            }
        };
        // Had the rest of the work kept its units, it would have taken about 2,000 lesson seconds.
        assert!(took < 100.0, "{strategy}: took {took} lesson seconds");
        run.join();
    }
}

#[test]
fn the_on_core_sampler_sees_each_computing_worker_in_its_own_lane() {
    if !std::path::Path::new("/proc/self/task").exists() {
        return; // /proc is Linux's
    }
    let _one = one_at_a_time();
    engine::units_per_second(); // calibrate before the run, not in its first download
    let (tx, samples) = mpsc::channel();
    let sampler = threadlab::oncore::Sampler::start(tx).unwrap();
    // Two custom threads (names longer than the kernel's 15 bytes) computing 0.4 s each.
    let p = plan(Strategy::Custom, &[1.0, 1.0], 2.5, Workload::Cpu);
    let (handle, rx) = start(p);
    sampler.new_run(0, handle.shared_clock());
    let mut lanes = threadlab::app::Lanes::default();
    let mut workers = std::collections::HashMap::new();
    let mut finished = false;
    let mut sampled = 0;
    let deadline = Instant::now() + Duration::from_secs(120);
    while !(finished && sampled > 0) && Instant::now() < deadline {
        for ev in rx.try_iter() {
            match ev.event {
                WorkerEvent::Thread { worker, pid, tid } => {
                    // The thread is alive now: what the kernel calls it must be this worker.
                    let comm = std::fs::read_to_string(format!("/proc/{pid}/task/{tid}/comm"));
                    let comm = comm.unwrap_or_default();
                    assert!(worker.starts_with(comm.trim_end()), "{worker} is {comm:?}");
                    sampler.watch(0, pid, tid);
                    workers.insert(tid, worker);
                }
                WorkerEvent::Started { task, worker, .. } => lanes.add(&worker, task),
                WorkerEvent::RunFinished { .. } => finished = true,
                _ => {}
            }
        }
        while let Ok(ev) = samples.recv_timeout(Duration::from_millis(20)) {
            if let threadlab::app::Event::OnCore { run, segments } = ev {
                assert_eq!(run, 0);
                for (_, tid, seg) in segments {
                    let worker = workers
                        .get(&tid)
                        .expect("only reported threads are sampled");
                    lanes.on_core(worker, seg);
                    sampled += 1;
                }
            }
        }
    }
    assert!(finished, "the run did not end");
    let busy: Vec<&str> = (lanes.in_order())
        .filter(|l| !l.on_core.is_empty())
        .map(|l| &*l.name)
        .collect();
    assert!(!busy.is_empty(), "no lane was seen on a core: {workers:?}");
    assert!(
        busy.iter().all(|n| n.starts_with("DownloadThread-")),
        "{busy:?}"
    );
}
