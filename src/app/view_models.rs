//! What the state keeps for the view to read: the run on screen, the last result of each
//! strategy, the ticker and where the class is in the lesson.

use super::Lanes;
use crate::lesson::Scene;
use crate::run_state::RunState;
use std::collections::HashMap;
use std::collections::VecDeque;
use std::sync::Arc;

/// The live run, or the last one.
#[derive(Debug, Clone)]
pub struct RunView {
    pub id: u64,
    pub state: RunState,
    /// Lesson seconds on the run's clock, as of the last tick.
    pub now: f64,
    /// One lane per worker, for the timeline.
    pub lanes: Lanes,
    /// The most OS threads the process had during this run, and its most resident memory.
    pub peak_threads: usize,
    pub peak_rss: u64,
    /// The speed the whole run went at; None once it changed during the run, when lesson seconds
    /// no longer convert to wall seconds.
    pub speed: Option<f64>,
    /// One of the runs of a `c` comparison (whose chart, once it ends, is the conclusion).
    pub compared: bool,
    /// CPU seconds the process used during the run, once the runner has measured them.
    pub cpu: Option<f64>,
    /// What the finished run's figures show: judged once when it ends (and again when its CPU
    /// time arrives), never per frame.
    pub verdict: Option<crate::verdict::Verdict>,
    /// Each worker's process and OS thread id (as the worker reported them), so samples of
    /// threads find their lane and the context-switch table shows whole worker names. Keyed by
    /// both: a workshop's or a child process's threads meet this process's in one run.
    pub threads: HashMap<(u32, u32), Arc<str>>,
    /// Whether the on-core sampler has reported for this run: the timeline then draws waiting
    /// and computing apart (without it, only when each download ran).
    pub sampled: bool,
    /// Wall seconds the program was suspended (Ctrl-Z) while this run's clock was held: left out
    /// of its figures, and said so.
    pub suspended: f64,
    /// About how many wall seconds the program was stopped from outside (SIGSTOP) while this
    /// run's clock ran on: in its figures, and said so.
    pub stopped: f64,
}

impl RunView {
    /// Elapsed time to show: final once finished, live otherwise.
    pub fn elapsed(&self) -> f64 {
        self.state.elapsed.unwrap_or(self.now)
    }

    /// What was measured of the run besides its events: wall time from the lesson clock (which
    /// leaves pauses out) at the run's one speed, and the CPU time the runner read.
    pub fn measured(&self) -> crate::verdict::Measured {
        crate::verdict::Measured {
            wall: (self.speed.filter(|s| *s > 0.0)).and_then(|s| Some(self.state.elapsed? / s)),
            cpu: self.cpu,
            stopped: self.stopped,
        }
    }

    /// Judge the run again from its state and what was measured; nothing while it runs.
    pub fn judge(&mut self) {
        self.verdict = crate::verdict::Figures::of_run(&self.state, self.measured())
            .map(crate::verdict::judge);
    }
}

/// The last result of one strategy on the current durations.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outcome {
    pub elapsed: f64,
    /// The serial sum of the run's durations: the speedup's baseline.
    pub sum: f64,
    pub ideal: f64,
    pub workers: usize,
    /// Downloads that failed (the crash demo): the time is not comparable.
    pub failed: usize,
    /// The program was stopped from outside during the run (SIGSTOP): nor is this time.
    pub stopped: bool,
    /// What the run did and on how many cores: only runs alike compare.
    pub workload: crate::engine::Workload,
    pub cores: usize,
}

/// The Ping/Pong ticker as the screen shows it.
#[derive(Debug, Clone, Default)]
pub struct TickerView {
    pub on: bool,
    pub daemon: bool,
    /// The most recent words printed, oldest first.
    pub stream: VecDeque<&'static str>,
    /// The daemon lesson's Ping/Pong program in a child process of its own, when one was run
    /// in this scene (its words go to `stream`, threadlab's own ticker being off meanwhile).
    pub child: Option<ChildView>,
}

impl TickerView {
    /// Whether the screen shows Ping/Pong: threadlab's own threads or the child program.
    pub fn shown(&self) -> bool {
        self.on || self.child.is_some()
    }
}

/// The Ping/Pong program's process as the screen shows it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChildView {
    /// Which start of the program this is, so a killed one's last words are not taken for news.
    pub id: u64,
    /// Its threads' daemon flag, fixed when they started, as Python's is.
    pub daemon: bool,
    pub pid: Option<u32>,
    /// Its main thread slept its 5 s and finished.
    pub main_ended: bool,
    /// How the process ended, once it has.
    pub ended: Option<crate::ticker_child::Ended>,
    /// Whether `x` asked it to end (SIGINT), so the screen can say who ended it.
    pub interrupted: bool,
    /// Why it could not start.
    pub failed: Option<String>,
}

impl ChildView {
    /// Whether the process is (or is about to be) alive.
    pub fn alive(&self) -> bool {
        self.ended.is_none() && self.failed.is_none()
    }
}

/// Where a class is in the lesson.
#[derive(Debug, Clone)]
pub struct LessonView {
    pub scenes: Arc<[Scene]>,
    pub index: usize,
    /// The run started from this scene, whose numbers the card shows once it finishes.
    pub ran: Option<u64>,
    /// Settings the teacher changed with a key in this scene: Enter keeps them.
    pub held: Held,
    /// What the real Python programs run from this scene showed, oldest first.
    pub watched: Vec<crate::watch::carried::Watched>,
    /// How many of the scene's programs ran from it: the next one in its list is the one after.
    /// Not `watched.len()`, which the card trims to the last of each.
    pub python_runs: usize,
}

/// Which of a scene's settings the teacher changed by hand since the scene opened.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Held {
    pub strategy: bool,
    pub workload: bool,
    pub cores: bool,
    pub workers: bool,
    pub ticker: bool,
}

impl Held {
    /// Whether the teacher changed anything.
    pub fn any(&self) -> bool {
        self.strategy || self.workload || self.cores || self.workers || self.ticker
    }
}

impl LessonView {
    /// The scene on screen.
    pub fn scene(&self) -> &Scene {
        &self.scenes[self.index]
    }

    /// The scene's Python program Enter runs next: the first of its programs not yet run from
    /// it, then round again.
    pub fn next_python(&self) -> Option<&'static str> {
        let list = &self.scene().preset.python;
        if list.is_empty() {
            return None;
        }
        Some(list[self.python_runs % list.len()])
    }
}
