//! The state of a run, rebuilt from its worker events: the live state the screen shows and
//! the summary that `run --json` prints. Shared by the TUI and the headless commands.

use crate::cores;
use crate::engine::{
    BytesVia, Ideal, Plan, ProcessOptions, SpawnKind, Strategy, Task, WorkerEvent, Workload, ideal,
    workshops,
};
use serde::{Deserialize, Serialize};
use std::cmp::Reverse;
use std::collections::BinaryHeap;
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
    pub reason: Option<crate::engine::Failure>,
}

/// What follows from a run's plan alone, computed once when it starts (a run keeps the cores it
/// started on), so no event and no frame recomputes it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Facts {
    /// Serial time: the sum of the durations.
    pub sum: f64,
    pub longest: f64,
    /// The least time this strategy could take, and what sets it.
    pub ideal: Ideal,
    /// How many worker threads the strategy uses.
    pub worker_threads: usize,
}

/// The median of a growing list of durations in O(log n) a push and O(1) a read: the lower
/// half in a max-heap, the upper half in a min-heap.
#[derive(Debug, Clone, Default)]
pub struct RunningMedian {
    low: BinaryHeap<Duration>,
    high: BinaryHeap<Reverse<Duration>>,
}

impl RunningMedian {
    pub fn push(&mut self, d: Duration) {
        if self.low.peek().is_none_or(|&m| d <= m) {
            self.low.push(d);
        } else {
            self.high.push(Reverse(d));
        }
        // Keep the halves even, the lower one taking the odd element.
        if self.low.len() > self.high.len() + 1 {
            let m = self.low.pop().expect("the lower half is not empty");
            self.high.push(Reverse(m));
        } else if self.high.len() > self.low.len() {
            let Reverse(m) = self.high.pop().expect("the upper half is not empty");
            self.low.push(m);
        }
    }

    /// The median so far; None before the first push.
    pub fn median(&self) -> Option<Duration> {
        let low = *self.low.peek()?;
        match self.high.peek() {
            Some(&Reverse(high)) if self.low.len() == self.high.len() => Some((low + high) / 2),
            _ => Some(low),
        }
    }

    pub fn len(&self) -> usize {
        self.low.len() + self.high.len()
    }

    pub fn is_empty(&self) -> bool {
        self.low.is_empty()
    }
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
    /// CPU cores the run was planned for and ran on, which bound `cpu` work (`k` during a run
    /// waits for the next one).
    pub cores: usize,
    /// Workshops: K processes of M threads (the defaults unless built with [`RunState::for_plan`]).
    pub workshops: usize,
    pub workshop_threads: usize,
    /// What starting each worker cost, in the order they started.
    pub spawns: Vec<(SpawnKind, Duration)>,
    /// Bytes downloaded so far, and the path the count came by (None before the first byte).
    pub bytes: u64,
    pub bytes_via: Option<BytesVia>,
    facts: Facts,
    /// Kept up to date per event, so nothing scans every download to count them.
    failed: usize,
    /// Why the first download that failed did, kept as it came: the panel says it when
    /// thousands failed and their rows and log lines are long gone from the screen.
    pub first_failure: Option<crate::engine::Failure>,
    running: usize,
    finished: usize,
    /// Every download before this one has finished or failed.
    first_unfinished: usize,
    spawn_medians: [RunningMedian; 2],
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
        let mut state = RunState {
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
            facts: Facts {
                sum: 0.0,
                longest: 0.0,
                ideal: Ideal {
                    seconds: 0.0,
                    bound: crate::engine::ideal::Bound::Sum,
                },
                worker_threads: 0,
            },
            failed: 0,
            first_failure: None,
            running: 0,
            finished: 0,
            first_unfinished: 0,
            spawn_medians: Default::default(),
        };
        state.refresh();
        state
    }

    /// Every task of `plan` queued, with its workload, workshop shape and the cores in use now.
    pub fn for_plan(plan: &Plan) -> Self {
        Self::shaped(
            plan.strategy,
            &plan.tasks,
            plan.workers,
            plan.workload,
            cores::cores_in_use(),
            &plan.procs,
        )
    }

    /// Every task queued, with everything that decides the plan's facts given.
    pub fn shaped(
        strategy: Strategy,
        tasks: &[Task],
        workers: usize,
        workload: Workload,
        cores: usize,
        procs: &ProcessOptions,
    ) -> Self {
        let mut state = RunState::with(strategy, tasks, workers, workload, cores);
        state.workshops = procs.workshops;
        state.workshop_threads = procs.workshop_threads;
        state.refresh();
        state
    }

    /// How many workshops (child processes) a workshops run starts: one per share of the
    /// downloads, so fewer than asked for when there are fewer downloads than workshops.
    pub fn workshops_started(&self) -> usize {
        let share = workshops::share_size(self.tasks.len(), self.workshops);
        self.tasks.len().div_ceil(share)
    }

    /// Workshops: how many this run starts, and the threads of each (its M, fewer when a
    /// share has fewer downloads than that).
    pub fn workshop_shape(&self) -> (usize, usize) {
        let share = workshops::share_size(self.tasks.len(), self.workshops);
        (self.workshops_started(), self.workshop_threads.min(share))
    }

    /// Recompute the plan's facts from the fields they follow from.
    fn refresh(&mut self) {
        let durations = self.durations();
        let worker_threads = match self.strategy {
            Strategy::Serial | Strategy::Async => 1,
            Strategy::Threads | Strategy::Custom | Strategy::Process => self.tasks.len(),
            Strategy::Pool => self.workers,
            Strategy::Workshops => {
                let share = workshops::share_size(self.tasks.len(), self.workshops);
                (self.tasks.chunks(share))
                    .map(|c| c.len().min(self.workshop_threads))
                    .sum()
            }
        };
        self.facts = Facts {
            sum: ideal::sum(&durations),
            longest: ideal::longest(&durations),
            ideal: ideal::ideal_shaped(
                self.strategy,
                &durations,
                self.workers,
                self.workload,
                self.cores,
                (self.workshops, self.workshop_threads),
            ),
            worker_threads,
        };
    }

    /// What follows from the plan: sum, longest, ideal and workers.
    pub fn facts(&self) -> &Facts {
        &self.facts
    }

    /// Apply one event; events for unknown tasks are ignored, so a stale report can never panic.
    pub fn apply(&mut self, event: &WorkerEvent) {
        match event {
            WorkerEvent::Started { task, worker, at } => {
                if let Some(t) = self.enter_phase(*task, Phase::Running) {
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
                if let Some(t) = self.enter_phase(*task, Phase::Done) {
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
                if let Some(t) = self.enter_phase(*task, Phase::Failed) {
                    t.worker = Some(worker.clone());
                    t.end = Some(*at);
                    t.reason = Some(reason.clone());
                    self.first_failure.get_or_insert_with(|| reason.clone());
                }
            }
            WorkerEvent::RunFinished { elapsed } => self.elapsed = Some(*elapsed),
            WorkerEvent::Spawned { kind, cost, .. } => {
                self.spawns.push((*kind, *cost));
                self.spawn_medians[*kind as usize].push(*cost);
            }
            WorkerEvent::Bytes { total, via } => {
                // Reports from different workers may cross on the way: keep the largest total.
                self.bytes = self.bytes.max(*total);
                self.bytes_via = Some(*via);
            }
            // Which OS thread a worker is: the screen's sampler needs it, the figures do not.
            WorkerEvent::Thread { .. } => {}
        }
        self.advance_first_unfinished();
    }

    /// Move download `task` to `phase`, keeping the counters of each phase: what its old phase
    /// counted is undone first, so a repeated report replaces the first rather than counting
    /// twice. None for a task this run does not have.
    fn enter_phase(&mut self, task: usize, phase: Phase) -> Option<&mut TaskState> {
        let t = self.tasks.get_mut(task)?;
        for (counted, by) in [(t.phase, -1), (phase, 1)] {
            let counter = match counted {
                Phase::Queued => continue,
                Phase::Running => &mut self.running,
                Phase::Done => &mut self.finished,
                Phase::Failed => &mut self.failed,
            };
            *counter = counter.saturating_add_signed(by);
        }
        t.phase = phase;
        Some(t)
    }

    /// Move past every download that has ended: amortised O(1) an event over a run.
    fn advance_first_unfinished(&mut self) {
        while (self.tasks.get(self.first_unfinished))
            .is_some_and(|t| matches!(t.phase, Phase::Done | Phase::Failed))
        {
            self.first_unfinished += 1;
        }
    }

    /// The first download still queued or running, if any.
    pub fn first_unfinished(&self) -> Option<usize> {
        (self.first_unfinished < self.tasks.len()).then_some(self.first_unfinished)
    }

    /// Downloads running now.
    pub fn running(&self) -> usize {
        self.running
    }

    /// Downloads that finished well.
    pub fn finished(&self) -> usize {
        self.finished
    }

    /// The median cost of starting a worker of this kind in this run; None if none started.
    pub fn median_spawn(&self, kind: SpawnKind) -> Option<Duration> {
        self.spawn_medians[kind as usize].median()
    }

    /// How many workers of this kind have started in this run.
    pub fn spawn_count(&self, kind: SpawnKind) -> usize {
        self.spawn_medians[kind as usize].len()
    }

    /// Whether this run measured a thread's start costing at least a process's: the reverse of
    /// every quiet machine (≈ 60 µs against ≈ 1 ms), so the figures say more about the machine
    /// being busy, or too few starts being timed, than about threads and processes.
    pub fn start_costs_inverted(&self) -> bool {
        match (
            self.median_spawn(SpawnKind::Thread),
            self.median_spawn(SpawnKind::Process),
        ) {
            (Some(thread), Some(process)) => thread >= process,
            _ => false,
        }
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
        self.failed
    }

    /// Serial time: the sum of the durations.
    pub fn sum(&self) -> f64 {
        self.facts.sum
    }

    /// The longest download.
    pub fn longest(&self) -> f64 {
        self.facts.longest
    }

    /// The least time this strategy could take.
    pub fn ideal(&self) -> f64 {
        self.facts.ideal.seconds
    }

    /// The least time and what sets it (the side panel's "limited by ...").
    pub fn ideal_bound(&self) -> Ideal {
        self.facts.ideal
    }

    /// How many worker threads the strategy uses.
    pub fn worker_threads(&self) -> usize {
        self.facts.worker_threads
    }

    /// The summary `run --json` prints.
    pub fn report(&self, seed: u64, speed: f64) -> RunReport {
        RunReport {
            strategy: self.strategy.name(),
            workers: self.worker_threads(),
            workload: self.workload.name(),
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
                    // Machine-read: always in English, whatever the screen's language.
                    error: (t.reason.as_ref())
                        .map(|r| crate::i18n::failure(crate::i18n::Lang::En, r)),
                })
                .collect(),
            elapsed_s: ms(self.elapsed.unwrap_or(0.0)),
            sum_s: ms(self.facts.sum),
            max_s: ms(self.facts.longest),
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
    /// How many times faster than serial this run was ([`speedup`]); None if a download failed.
    pub fn speedup(&self) -> Option<f64> {
        let failed = self.tasks.iter().filter(|t| t.error.is_some()).count();
        speedup(self.sum_s, self.elapsed_s, failed)
    }
}

/// How many times faster than serial a run was: the serial sum (every download one after the
/// other, the lesson's `download(); download()`) over the run's elapsed time. None when the run is
/// no fair comparison: a download failed (the run ended early) or no time passed. The one place a
/// speedup is computed, so the panel, the results table, `run`, `compare` and the CSV agree (the
/// panel once divided the sum and the table the serial run's elapsed: 2.80× beside 2.81×).
pub fn speedup(sum_s: f64, elapsed_s: f64, failed: usize) -> Option<f64> {
    (failed == 0 && elapsed_s > 0.0 && sum_s.is_finite()).then(|| sum_s / elapsed_s)
}

/// A speedup as every screen and output writes it: two decimals and `×`.
pub fn fmt_speedup(x: f64) -> String {
    format!("{x:.2}×")
}
