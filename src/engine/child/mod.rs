//! The parent's side of a child worker process: start the threadlab binary again in its hidden
//! worker mode (never more than [`MAX_PROCESSES`] at once), listen to its pipe, forward pause and
//! speed, and always reap it. No child outlives its run, and no child can crash or hang the parent.
//! `registry` keeps the live children and the limit; `protocol` reads what a child says.

mod protocol;
mod registry;

pub use registry::{Children, MAX_PROCESSES};

use super::support::could_not_start;
use super::worker::Threads;
use super::{Ctx, SpawnKind, Task, Workload, units_per_second};
use registry::{LiveChild, Slot};
use std::collections::BTreeSet;
use std::io;
use std::path::PathBuf;
use std::process::{ChildStdout, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Instant;

/// How the process strategies start their children.
#[derive(Debug, Clone, PartialEq)]
pub struct ProcessOptions {
    /// Workshops: how many child processes (K).
    pub workshops: usize,
    /// Workshops: how many threads in each (M).
    pub workshop_threads: usize,
    /// The threadlab binary to run in worker mode; `None` means this very program
    /// (`std::env::current_exe()`). Tests point it at `env!("CARGO_BIN_EXE_threadlab")`.
    pub exe: Option<PathBuf>,
    /// At most this many of the run's children alive at once (and never more than
    /// [`MAX_PROCESSES`] in the whole program, whatever this says).
    pub max_live: usize,
    /// Tests only: the child that runs this task writes one malformed line after its first progress.
    #[doc(hidden)]
    pub garble_task: Option<usize>,
}

impl Default for ProcessOptions {
    fn default() -> Self {
        ProcessOptions {
            workshops: 2,
            workshop_threads: 3,
            exe: None,
            max_live: MAX_PROCESSES,
            garble_task: None,
        }
    }
}

/// A child process to start: the lesson's `Process(target=..., args=...)`, not yet started.
pub struct Process {
    tasks: Vec<Task>,
    threads: Threads,
}

impl Process {
    /// A child that runs one download: `Process(target=download, kwargs={'filename': ...})`.
    pub fn new(task: &Task) -> Process {
        Process {
            tasks: vec![task.clone()],
            threads: Threads::Main,
        }
    }

    /// A workshop: a child that runs `tasks` on a pool of `threads` threads sharing its memory.
    pub fn workshop(tasks: &[Task], threads: usize) -> Process {
        Process {
            tasks: tasks.to_vec(),
            threads: Threads::Pool(threads.max(1)),
        }
    }

    /// `process.start()`: wait for a free slot if [`MAX_PROCESSES`] children are alive, then
    /// start the child from a listener thread of its own, so that the next `start()` need not
    /// wait for this exec. If it could not start, its downloads have failed, saying why.
    pub fn start(self, ctx: &Ctx) -> ChildProcess {
        // Until a slot is free, these downloads stay queued: the limit holds for every run.
        let slot = match Slot::take(&ctx.children, &ctx.clock, ctx.procs.max_live) {
            Ok(slot) => slot,
            Err(e) => {
                could_not_start(&self.tasks, ctx, SpawnKind::Process, &e);
                return ChildProcess { listener: None };
            }
        };
        let (tasks, my_ctx) = (self.tasks.clone(), ctx.clone());
        let listener = thread::Builder::new().name("pipe".into()).spawn(move || {
            match spawn(&self.tasks, self.threads, &my_ctx) {
                Ok((kid, stdout, asked)) => protocol::listen(&kid, stdout, asked, &my_ctx),
                Err(e) => could_not_start(&self.tasks, &my_ctx, SpawnKind::Process, &e),
            }
            // Reaped (or never born): the slot is free for the next child.
            drop(slot);
        });
        let listener = listener
            .map_err(|e| could_not_start(&tasks, ctx, SpawnKind::Process, &e))
            .ok();
        ChildProcess { listener }
    }
}

/// A child worker process running some downloads, and the thread of ours that listens to it;
/// or the note that it never started (its downloads have already failed, saying why), which
/// there is nothing to wait for. Like [`super::support::ThreadHandle`], so that a strategy
/// keeps every process it started without a word about the ones the OS refused.
pub struct ChildProcess {
    listener: Option<JoinHandle<()>>,
}

impl ChildProcess {
    /// `process.join()`: wait until the child is gone and every one of its downloads is accounted for.
    pub fn join(self) {
        if let Some(listener) = self.listener {
            // `Err` only if the listener panicked: the wait is over either way.
            let _ = listener.join();
        }
    }
}

/// Start a child that runs `tasks` where `threads` says and register it; its stdout, and when
/// it was asked for.
fn spawn(
    tasks: &[Task],
    threads: Threads,
    ctx: &Ctx,
) -> io::Result<(Arc<LiveChild>, ChildStdout, Instant)> {
    let (speed, paused) = (ctx.clock.speed(), ctx.clock.is_paused());
    let mut cmd = command(tasks, threads, ctx, speed, paused)?;
    if ctx.children.is_closed() || ctx.clock.is_stopped() {
        return Err(io::Error::other("the run was stopped"));
    }
    let asked = Instant::now();
    let mut process = cmd.spawn()?;
    let pid = process.id();
    let stdout = process.stdout.take().expect("stdout is piped");
    let stdin = process.stdin.take();
    let kid = Arc::new(LiveChild {
        pid,
        name: format!("pid {pid}").into(),
        process: Mutex::new(process),
        stdin: Mutex::new(stdin),
        unfinished: Mutex::new(tasks.iter().map(|t| t.id).collect()),
        started: Mutex::new(BTreeSet::new()),
    });
    let mut reg = ctx.children.lock();
    if reg.closed {
        // Stopped while it was starting: it goes at once, and its listener reaps it.
        kid.kill();
    } else if ctx.clock.is_paused() != paused || ctx.clock.speed() != speed {
        // The clock changed while the child was starting, after its arguments were written:
        // under the registry lock, so this comes before any later `tell_all`.
        kid.tell_state(&ctx.clock);
    }
    reg.kids.push(kid.clone());
    drop(reg);
    Ok((kid, stdout, asked))
}

/// The command line of a child that runs `tasks` where `threads` says, at `speed` (`paused` or
/// not) and the run's report pace; its pipes set, not yet started.
fn command(
    tasks: &[Task],
    threads: Threads,
    ctx: &Ctx,
    speed: f64,
    paused: bool,
) -> io::Result<Command> {
    let opts = &ctx.procs;
    let exe = match &opts.exe {
        Some(exe) => exe.clone(),
        None => std::env::current_exe()?,
    };
    let mut cmd = Command::new(exe);
    cmd.arg("worker")
        .arg("--parent-pid")
        .arg(std::process::id().to_string())
        .arg("--clock")
        .arg(speed.to_string())
        .arg("--threads")
        .arg(threads.to_arg().to_string());
    if paused {
        cmd.arg("--paused");
    }
    cmd.arg("--workload").arg(ctx.workload.name());
    if ctx.reporter.is_crowded() {
        // The parent's screen receives every child's reports together: a child paces its
        // reports as the whole run's crowd does, not as if it were alone.
        cmd.arg("--report-every")
            .arg(ctx.reporter.pace().to_string());
    }
    if ctx.workload == Workload::Cpu {
        cmd.arg("--units-per-second")
            .arg(units_per_second().to_string());
    }
    for task in tasks {
        cmd.arg("--task")
            .arg(format!("{}:{}", task.id, task.duration));
    }
    if opts
        .garble_task
        .is_some_and(|g| tasks.iter().any(|t| t.id == g))
    {
        cmd.arg("--garble");
    }
    // Our stderr may be the classroom's screen: a child never writes to it.
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    Ok(cmd)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Reporter;

    fn args(ctx: &Ctx) -> Vec<String> {
        let tasks = [Task {
            id: 0,
            name: "a".into(),
            duration: 3.0,
        }];
        let cmd = command(&tasks, Threads::Pool(64), ctx, 10.0, false).unwrap();
        (cmd.get_args())
            .map(|a| a.to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn a_child_of_a_crowded_run_reports_at_the_runs_pace() {
        // Sixteen workshops of 64 threads: 1,024 downloads at once, a crowd.
        let crowd = Reporter::to(1, |_| true).crowd(16 * 64);
        assert!(crowd.is_crowded());
        let pace = crowd.pace();
        let args = args(&Ctx::for_test(10.0, crowd));
        let at = args.iter().position(|a| a == "--report-every");
        let given = at.and_then(|i| args.get(i + 1)).map(|s| s.parse::<f64>());
        assert_eq!(given, Some(Ok(pace)), "{args:?}");
        // A run that is no crowd leaves its children at their usual pace.
        let args = self::args(&Ctx::for_test(10.0, Reporter::to(1, |_| true).crowd(6)));
        assert!(!args.iter().any(|a| a == "--report-every"), "{args:?}");
    }
}
