//! A run's bookkeeping: starting one, taking its workers' reports, and the process samples.

use super::{App, Command, LOG_LINES, Lanes, LogLine, Outcome, RunView};
use crate::engine::{RunEvent, WorkerEvent};
use crate::i18n::Key;
use crate::oncore::OnCore;
use crate::procinfo::ThreadInfo;
use std::sync::Arc;

impl App {
    pub(super) fn start_run(&mut self) -> Vec<Command> {
        // The new run starts on the cores of the `k` setting, set before its first thread (a
        // run it replaces is stopped by StartRun anyway).
        self.run = None;
        let mut cmds: Vec<Command> = self.apply_cores().into_iter().collect();
        let id = self.next_run;
        self.next_run += 1;
        let state = self.plan_state();
        self.run = Some(RunView {
            id,
            state,
            now: 0.0,
            lanes: Lanes::default(),
            peak_threads: self.os_threads,
            peak_rss: self.rss.unwrap_or(0),
            speed: Some(self.settings.speed),
            compared: false,
            cpu: None,
            verdict: None,
            threads: Default::default(),
            sampled: false,
            suspended: 0.0,
            stopped: 0.0,
        });
        self.paused = false;
        self.steps_pending = 0;
        self.scroll = 0;
        self.follow = true;
        self.crash_note = None;
        // A new run's threads: the last run's finished ones leave the switch table now.
        self.switches.clear();
        cmds.push(Command::StartRun {
            id,
            plan: self.settings.plan_of(self.tasks.clone()),
        });
        cmds
    }

    /// Stop the run under way, if any, and forget it (a stopped run never reports that it
    /// finished), and any comparison with it. A finished run stays on screen.
    pub(super) fn stop_run(&mut self) -> Vec<Command> {
        self.compare_queue.clear();
        if !self.is_running() {
            return vec![];
        }
        self.run = None;
        self.paused = false;
        self.steps_pending = 0;
        // Cores chosen with `k` during the run take effect once it has stopped.
        let mut cmds = vec![Command::StopRun];
        cmds.extend(self.apply_cores());
        cmds
    }

    /// Take the run off the screen, finished or not: [`App::stop_run`], then forget a finished
    /// run's bars too.
    pub(super) fn drop_run(&mut self) -> Vec<Command> {
        let cmds = self.stop_run();
        self.run = None;
        cmds
    }

    pub(super) fn on_worker(&mut self, ev: RunEvent) -> Vec<Command> {
        let Some(run) = &mut self.run else {
            return vec![];
        };
        // Reports from a run that was stopped or replaced are stale: drop them.
        if ev.run != run.id {
            return vec![];
        }
        run.state.apply(&ev.event);
        if let WorkerEvent::Thread { worker, pid, tid } = &ev.event {
            run.threads.insert((*pid, *tid), worker.clone());
        }
        match ev.event {
            // A start or finish is what a step lets through the engine's gate, one per step.
            WorkerEvent::Started { .. } | WorkerEvent::Finished { .. } => {
                self.steps_pending = self.steps_pending.saturating_sub(1);
            }
            WorkerEvent::RunFinished { .. } => self.steps_pending = 0,
            _ => {}
        }
        let name = |id: usize| -> Arc<str> {
            run.state
                .tasks
                .get(id)
                .map(|t| t.task.name.clone())
                .unwrap_or_else(|| "?".into())
        };
        let line = match &ev.event {
            WorkerEvent::Started { task, worker, at } => {
                if run.state.strategy == crate::engine::Strategy::Async {
                    run.lanes.add_task(worker, *task);
                } else {
                    run.lanes.add(worker, *task);
                }
                if at.is_finite() {
                    run.now = run.now.max(*at);
                }
                Some(LogLine::Started {
                    worker: worker.clone(),
                    task: name(*task),
                })
            }
            WorkerEvent::Finished {
                task,
                worker,
                took,
                at,
            } => {
                if at.is_finite() {
                    run.now = run.now.max(*at);
                }
                Some(LogLine::Finished {
                    worker: worker.clone(),
                    task: name(*task),
                    took: *took,
                })
            }
            WorkerEvent::Failed {
                task,
                worker,
                reason,
                ..
            } => Some(LogLine::Failed {
                worker: worker.clone(),
                task: name(*task),
                reason: reason.clone(),
            }),
            WorkerEvent::Progress { .. }
            | WorkerEvent::Spawned { .. }
            | WorkerEvent::Bytes { .. }
            | WorkerEvent::Thread { .. } => None,
            WorkerEvent::RunFinished { elapsed } => {
                if elapsed.is_finite() {
                    run.now = *elapsed;
                }
                Some(LogLine::Total {
                    strategy: run.state.strategy,
                    elapsed: *elapsed,
                })
            }
        };
        // Built once, when the run ends: nothing per report depends on how big the run is.
        let outcome = run.state.is_finished().then(|| Outcome {
            elapsed: run.state.elapsed.unwrap_or(0.0),
            sum: run.state.sum(),
            ideal: run.state.ideal(),
            workers: run.state.worker_threads(),
            failed: run.state.failed(),
            stopped: run.stopped > 0.0,
            workload: run.state.workload,
            cores: run.state.cores,
        });
        let strategy = run.state.strategy;
        if let Some(line) = line {
            self.log.push_back(line);
            self.trim_log();
        }
        if let Some(outcome) = outcome {
            if let Some(run) = &mut self.run {
                run.judge();
            }
            self.paused = false;
            self.steps_pending = 0;
            self.results.insert(strategy, outcome);
            // "… the run under way keeps …" is no longer true once it has ended (tryout: the
            // pool's message stayed after the run).
            let under_way = [
                Key::hint_workers_next_run,
                Key::hint_workload_next_run,
                Key::hint_cores_next_run,
            ];
            if self.hint.is_some_and(|h| under_way.contains(&h)) {
                self.hint = None;
            }
            if let Some(next) = self.compare_queue.pop_front() {
                self.settings.strategy = next;
                let cmds = self.start_run();
                self.mark_compared();
                return cmds;
            }
            // Cores chosen with `k` during the run take effect now that it is over.
            return self.apply_cores().into_iter().collect();
        }
        vec![]
    }

    /// The run just started is one of a `c` comparison's.
    pub(super) fn mark_compared(&mut self) {
        if let Some(run) = &mut self.run {
            run.compared = true;
        }
    }

    /// The run's CPU time arrived (before or after its last report): the verdict may now name a
    /// busy machine.
    pub(super) fn on_run_cpu(&mut self, id: u64, cpu: std::time::Duration) {
        if let Some(run) = self.run.as_mut().filter(|r| r.id == id) {
            run.cpu = Some(cpu.as_secs_f64());
            if run.state.is_finished() {
                run.judge();
            }
        }
    }

    /// Back from a suspend of `seconds`: the log says so, and whether `run`'s clock was held
    /// meanwhile (its figures then leave that time out, and its panel says so too).
    pub(super) fn on_suspended(&mut self, run: Option<u64>, seconds: f64) {
        let held = match self.run.as_mut().filter(|r| Some(r.id) == run) {
            Some(r) => {
                r.suspended += seconds;
                true
            }
            None => false,
        };
        self.log.push_back(LogLine::Suspended { seconds, held });
        self.trim_log();
    }

    /// The program was stopped from outside for about `seconds` while run `run`'s clock ran on
    /// (nothing could hold it: SIGSTOP cannot be caught): the log, the panel and the verdict say
    /// its time includes that, and its result gives no speedup. Whether it ended meanwhile or not.
    pub(super) fn on_stopped(&mut self, id: u64, seconds: f64) {
        let Some(run) = self.run.as_mut().filter(|r| r.id == id) else {
            return;
        };
        run.stopped += seconds;
        if run.state.is_finished() {
            run.judge();
            if let Some(o) = self.results.get_mut(&run.state.strategy) {
                o.stopped = true;
            }
        }
        self.log.push_back(LogLine::Stopped { seconds });
        self.trim_log();
    }

    pub(super) fn trim_log(&mut self) {
        while self.log.len() > LOG_LINES {
            self.log.pop_front();
        }
    }

    /// Keep what the sample says about the run's own threads: the rest of the process (the
    /// screen, the ticker) is not what the class is watching.
    /// Stretches the sampler saw the run's worker threads on a core: each goes to its lane.
    pub(super) fn on_core(&mut self, id: u64, segments: Vec<(u32, u32, OnCore)>) {
        let Some(run) = self.run.as_mut().filter(|r| r.id == id) else {
            return;
        };
        run.sampled = true;
        for (pid, tid, seg) in segments {
            if let Some(worker) = run.threads.get(&(pid, tid)) {
                run.lanes.on_core(worker, seg);
            }
        }
    }

    pub(super) fn on_sample(&mut self, threads: Vec<ThreadInfo>, rss: Option<u64>) {
        if !threads.is_empty() {
            self.os_threads = threads.len();
        }
        self.rss = rss;
        match &mut self.run {
            Some(run) => {
                run.peak_threads = run.peak_threads.max(self.os_threads);
                run.peak_rss = run.peak_rss.max(rss.unwrap_or(0));
                // Each worker said which thread it is: the table shows the worker's whole name,
                // not the 15 bytes the kernel keeps. Without those reports (tests, or a kernel
                // without gettid), the kernel's names are matched instead.
                let mut now: Vec<ThreadInfo> = (threads.into_iter())
                    .filter_map(|mut t| match run.threads.get(&(t.pid, t.tid)) {
                        Some(worker) => {
                            t.name = worker.to_string();
                            Some(t)
                        }
                        None if run.threads.is_empty() && run.lanes.has_kernel_name(&t.name) => {
                            Some(t)
                        }
                        None => None,
                    })
                    .collect();
                // A thread that finished keeps its last counts until the next run: the class
                // watched them climb and should not see them vanish.
                let gone: Vec<ThreadInfo> = (self.switches.drain(..))
                    .filter(|old| !now.iter().any(|t| (t.pid, t.tid) == (old.pid, old.tid)))
                    .collect();
                now.extend(gone);
                now.sort_by_key(|t| (t.pid, t.tid));
                self.switches = now;
            }
            None => self.switches.clear(),
        }
    }
}

/// The seed after `seed` for the `n` key: different, and still short enough to read out in class.
pub(super) fn next_seed(seed: u64) -> u64 {
    // a ≡ 1 (mod 20) and c coprime to 10: by Hull–Dobell this visits every seed below a million
    // before repeating.
    (seed.wrapping_mul(7921).wrapping_add(104_729)) % 1_000_000
}
