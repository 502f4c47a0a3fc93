//! The class's choices, in one struct: what the command line sets and the screen's keys change.
//! The command line, the screen, `run`/`compare`, the benches and the tests all start from it.

use crate::engine::{Plan, ProcessOptions, Strategy, Task, Workload};
use crate::i18n::Lang;
use crate::look::Look;
use crate::tasks;

/// What a class chose: the strategy, its downloads and how they run, and how the screen speaks
/// and looks.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub lang: Lang,
    pub strategy: Strategy,
    /// Pool size; other strategies ignore it.
    pub workers: usize,
    /// Time scale: 1 is real time.
    pub speed: f64,
    /// Seed of the downloads' durations.
    pub seed: u64,
    /// The downloads' names.
    pub names: Vec<String>,
    /// Shortest and longest download, in lesson seconds.
    pub min: f64,
    pub max: f64,
    pub workload: Workload,
    /// The workshops' shape and how children are started.
    pub procs: ProcessOptions,
    /// How the live screen looks (`--theme`, `--ascii`, `NO_COLOR`).
    pub look: Look,
}

/// The command line's defaults, with seed 1 where the command line picks a new seed each time.
impl Default for Settings {
    fn default() -> Self {
        Settings {
            lang: Lang::En,
            strategy: Strategy::Serial,
            workers: 4,
            speed: 1.0,
            seed: 1,
            names: tasks::lesson_names(),
            min: 3.0,
            max: 6.0,
            workload: Workload::Io,
            procs: ProcessOptions::default(),
            look: Look::default(),
        }
    }
}

impl Settings {
    /// The downloads with the durations the seed gives them.
    pub fn tasks(&self) -> Vec<Task> {
        let durations = tasks::durations(self.seed, self.names.len(), self.min, self.max);
        tasks::make_tasks(&self.names, &durations)
    }

    /// A run of these settings.
    pub fn plan(&self) -> Plan {
        self.plan_of(self.tasks())
    }

    /// A run of these settings on `tasks` (the screen keeps its downloads, a lesson scene may
    /// name its own).
    pub fn plan_of(&self, tasks: Vec<Task>) -> Plan {
        Plan {
            strategy: self.strategy,
            tasks,
            workers: self.workers,
            speed: self.speed,
            workload: self.workload,
            procs: self.procs.clone(),
        }
    }
}
