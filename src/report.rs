//! What happened in a run, rebuilt from its worker events: the live state the screen shows and
//! the summary that `run --json` prints. Shared by the TUI and the headless commands.

use crate::cores;
use crate::engine::{
    BytesVia, Ideal, Plan, ProcessOptions, SpawnKind, Strategy, Task, WorkerEvent, Workload, ideal,
    workshops,
};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;

/// Where one download stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Queued,
    Running,
    Done,
    Failed,
}

/// One download as the listener has seen it so far.
#[derive(Debug, Clone)]
pub struct TaskState {
    pub task: Task,
    pub phase: Phase,
    /// Fraction done, always within 0..=1.
    pub done: f64,
    pub worker: Option<Arc<str>>,
    /// Lesson seconds on the run's clock.
    pub start: Option<f64>,
    pub end: Option<f64>,
    pub reason: Option<String>,
}

/// The live picture of one run, fed with its events in order.
#[derive(Debug, Clone)]
pub struct RunState {
    pub strategy: Strategy,
    pub workers: usize,
    pub tasks: Vec<TaskState>,
    /// Set once every worker has been joined.
    pub elapsed: Option<f64>,
    /// Whether the downloads wait or compute.
    pub workload: Workload,
    /// CPU cores the process may use, which bound `cpu` work; set it again when `k` changes them.
    pub cores: usize,
    /// Workshops: K processes of M threads (the defaults unless built with [`RunState::for_plan`]).
    pub workshops: usize,
    pub workshop_threads: usize,
    /// What starting each worker cost, in the order they started.
    pub spawns: Vec<(SpawnKind, Duration)>,
    /// Bytes downloaded so far, and the path the count came by (None before the first byte).
    pub bytes: u64,
    pub bytes_via: Option<BytesVia>,
}

impl RunState {
    /// Every task queued, nothing started, `io` work on the cores in use now.
    pub fn new(strategy: Strategy, tasks: &[Task], workers: usize) -> Self {
        Self::with(
            strategy,
            tasks,
            workers,
            Workload::Io,
            cores::cores_in_use(),
        )
    }

    /// Every task queued, nothing started, with the workload and cores given (no system call).
    pub fn with(
        strategy: Strategy,
        tasks: &[Task],
        workers: usize,
        workload: Workload,
        cores: usize,
    ) -> Self {
        RunState {
            strategy,
            workers,
            tasks: tasks
                .iter()
                .map(|t| TaskState {
                    task: t.clone(),
                    phase: Phase::Queued,
                    done: 0.0,
                    worker: None,
                    start: None,
                    end: None,
                    reason: None,
                })
                .collect(),
            elapsed: None,
            workload,
            cores,
            workshops: ProcessOptions::default().workshops,
            workshop_threads: ProcessOptions::default().workshop_threads,
            spawns: Vec::new(),
            bytes: 0,
            bytes_via: None,
        }
    }

    /// Every task of `plan` queued, with its workload, workshop shape and the cores in use now.
    pub fn for_plan(plan: &Plan) -> Self {
        RunState {
            workload: plan.workload,
            workshops: plan.procs.workshops,
            workshop_threads: plan.procs.workshop_threads,
            ..RunState::new(plan.strategy, &plan.tasks, plan.workers)
        }
    }

    /// Apply one event; events for unknown tasks are ignored, so a stale report can never panic.
    pub fn apply(&mut self, event: &WorkerEvent) {
        match event {
            WorkerEvent::Started { task, worker, at } => {
                if let Some(t) = self.tasks.get_mut(*task) {
                    t.phase = Phase::Running;
                    t.worker = Some(worker.clone());
                    t.start = Some(*at);
                }
            }
            WorkerEvent::Progress { task, done } => {
                if let Some(t) = self.tasks.get_mut(*task)
                    && t.phase == Phase::Running
                {
                    t.done = done.clamp(0.0, 1.0).max(t.done);
                }
            }
            WorkerEvent::Finished {
                task, worker, at, ..
            } => {
                if let Some(t) = self.tasks.get_mut(*task) {
                    t.phase = Phase::Done;
                    t.done = 1.0;
                    t.worker = Some(worker.clone());
                    t.end = Some(*at);
                }
            }
            WorkerEvent::Failed {
                task,
                worker,
                at,
                reason,
            } => {
                if let Some(t) = self.tasks.get_mut(*task) {
                    t.phase = Phase::Failed;
                    t.worker = Some(worker.clone());
                    t.end = Some(*at);
                    t.reason = Some(reason.clone());
                }
            }
            WorkerEvent::RunFinished { elapsed } => self.elapsed = Some(*elapsed),
            WorkerEvent::Spawned { kind, cost, .. } => self.spawns.push((*kind, *cost)),
            WorkerEvent::Bytes { total, via } => {
                // Reports from different workers may cross on the way: keep the largest total.
                self.bytes = self.bytes.max(*total);
                self.bytes_via = Some(*via);
            }
        }
    }

    /// The median cost of starting a worker of this kind in this run; None if none started.
    pub fn median_spawn(&self, kind: SpawnKind) -> Option<Duration> {
        let mut costs: Vec<Duration> = self
            .spawns
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, c)| *c)
            .collect();
        costs.sort();
        let n = costs.len();
        match n {
            0 => None,
            _ if n % 2 == 1 => Some(costs[n / 2]),
            _ => Some((costs[n / 2 - 1] + costs[n / 2]) / 2),
        }
    }

    /// How many workers of this kind have started in this run.
    pub fn spawn_count(&self, kind: SpawnKind) -> usize {
        self.spawns.iter().filter(|(k, _)| *k == kind).count()
    }

    /// Whether the run has ended.
    pub fn is_finished(&self) -> bool {
        self.elapsed.is_some()
    }

    /// The run's durations, in task order.
    pub fn durations(&self) -> Vec<f64> {
        self.tasks.iter().map(|t| t.task.duration).collect()
    }

    /// Downloads that failed (a crash): a run with any is not a fair time to compare.
    pub fn failed(&self) -> usize {
        (self.tasks.iter())
            .filter(|t| t.phase == Phase::Failed)
            .count()
    }

    /// Serial time: the sum of the durations.
    pub fn sum(&self) -> f64 {
        ideal::sum(&self.durations())
    }

    /// The least time this strategy could take.
    pub fn ideal(&self) -> f64 {
        self.ideal_bound().seconds
    }

    /// The least time and what sets it (the side panel's "limited by ...").
    pub fn ideal_bound(&self) -> Ideal {
        ideal::ideal_shaped(
            self.strategy,
            &self.durations(),
            self.workers,
            self.workload,
            self.cores,
            (self.workshops, self.workshop_threads),
        )
    }

    /// How many worker threads the strategy uses.
    pub fn worker_threads(&self) -> usize {
        match self.strategy {
            Strategy::Serial => 1,
            Strategy::Threads | Strategy::Custom | Strategy::Process => self.tasks.len(),
            Strategy::Pool => self.workers,
            Strategy::Async => 1,
            Strategy::Workshops => {
                let share = workshops::share_size(self.tasks.len(), self.workshops);
                (self.tasks.chunks(share))
                    .map(|c| c.len().min(self.workshop_threads))
                    .sum()
            }
        }
    }

    /// The summary `run --json` prints.
    pub fn report(&self, seed: u64, speed: f64) -> RunReport {
        let durations = self.durations();
        RunReport {
            strategy: self.strategy.name().into(),
            workers: self.worker_threads(),
            workload: self.workload.name().into(),
            cores: self.cores,
            seed,
            speed,
            tasks: self
                .tasks
                .iter()
                .map(|t| TaskReport {
                    name: t.task.name.to_string(),
                    duration_s: t.task.duration,
                    worker: t.worker.as_deref().map(str::to_string),
                    start_s: t.start.map(ms),
                    end_s: t.end.map(ms),
                    error: t.reason.clone(),
                })
                .collect(),
            elapsed_s: ms(self.elapsed.unwrap_or(0.0)),
            sum_s: ms(ideal::sum(&durations)),
            max_s: ms(ideal::longest(&durations)),
            ideal_s: ms(self.ideal()),
        }
    }
}

/// Round to the millisecond, so JSON reads like the lesson's `5.00 seconds`, not float noise.
fn ms(s: f64) -> f64 {
    (s * 1000.0).round() / 1000.0
}

/// One download in a run's summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskReport {
    pub name: String,
    pub duration_s: f64,
    pub worker: Option<String>,
    pub start_s: Option<f64>,
    pub end_s: Option<f64>,
    /// Why the download failed; absent when it did not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The object `threadlab run --json` prints; all times are lesson seconds (wall × speed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunReport {
    pub strategy: String,
    pub workers: usize,
    pub workload: String,
    /// CPU cores the process could use, which bound `cpu` work.
    #[serde(default)]
    pub cores: usize,
    pub seed: u64,
    pub speed: f64,
    pub tasks: Vec<TaskReport>,
    pub elapsed_s: f64,
    pub sum_s: f64,
    pub max_s: f64,
    pub ideal_s: f64,
}

impl RunReport {
    /// How many times faster than serial this run was.
    pub fn speedup(&self) -> f64 {
        if self.elapsed_s > 0.0 {
            self.sum_s / self.elapsed_s
        } else {
            0.0
        }
    }
}
