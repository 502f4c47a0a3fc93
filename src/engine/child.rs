//! The parent's side of a child worker process: start the threadlab binary again in its hidden
//! worker mode, turn the lines on its pipe into [`WorkerEvent`]s, forward pause and speed, and
//! always reap it. No child outlives its run, and no child can crash or hang the parent.

use super::ipc::{Control, Msg};
use super::{BytesVia, Crash, Ctx, SpawnKind, Task, WorkerEvent};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

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
            garble_task: None,
        }
    }
}

/// A child that closed its pipe but has not exited within this long is killed.
const REAP_GRACE: Duration = Duration::from_secs(2);

/// Lock a mutex whose data stays consistent even if a holder panicked.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// One live child, as the rest of the run can reach it.
struct Kid {
    pid: u32,
    name: Arc<str>,
    process: Mutex<Child>,
    stdin: Mutex<Option<ChildStdin>>,
    /// Its downloads not yet finished, and which of them have started.
    unfinished: Mutex<BTreeSet<usize>>,
    started: Mutex<BTreeSet<usize>>,
}

impl Kid {
    fn tell(&self, control: Control) {
        if let Some(stdin) = lock(&self.stdin).as_mut() {
            // A child that has just died cannot hear us; its reader reports why.
            let _ = writeln!(stdin, "{control}").and_then(|()| stdin.flush());
        }
    }

    fn kill(&self) {
        // `Child::kill` does nothing once the child has been reaped, so a recycled pid is never hit.
        let _ = lock(&self.process).kill();
    }

    fn is_running_something(&self) -> bool {
        !lock(&self.started).is_empty()
    }
}

/// Every live child of a run, so pause, speed, the crash demo and stop can reach them.
#[derive(Default)]
pub struct Children {
    state: Mutex<Registry>,
}

#[derive(Default)]
struct Registry {
    /// Set by stop: a child started after it is killed at once.
    closed: bool,
    kids: Vec<Arc<Kid>>,
}

impl Children {
    /// Tell every child; the clock has already changed, so a child started meanwhile got the new state.
    pub fn tell_all(&self, control: Control) {
        for kid in &lock(&self.state).kids {
            kid.tell(control);
        }
    }

    /// Kill every child and refuse new ones; their readers reap them.
    pub fn kill_all(&self) {
        let mut reg = lock(&self.state);
        reg.closed = true;
        for kid in &reg.kids {
            kid.kill();
        }
    }

    /// How many children are alive (not yet reaped).
    pub fn live(&self) -> usize {
        lock(&self.state).kids.len()
    }

    /// Crash demo, process strategy: kill one child that is running a download.
    pub fn kill_one(&self) -> Crash {
        let Some(kid) = self.pick() else {
            return Crash::NothingRunning;
        };
        kid.kill();
        Crash::Killed {
            worker: kid.name.clone(),
            pid: kid.pid,
            tasks: lock(&kid.unfinished).iter().copied().collect(),
        }
    }

    /// Crash demo, workshops: make one thread of one child abort its whole process.
    pub fn abort_one(&self) -> Crash {
        let Some(kid) = self.pick() else {
            return Crash::NothingRunning;
        };
        kid.tell(Control::Abort);
        Crash::Aborted {
            worker: kid.name.clone(),
            pid: kid.pid,
            tasks: lock(&kid.unfinished).iter().copied().collect(),
        }
    }

    fn pick(&self) -> Option<Arc<Kid>> {
        let reg = lock(&self.state);
        reg.kids.iter().find(|k| k.is_running_something()).cloned()
    }

    fn remove(&self, pid: u32) {
        lock(&self.state).kids.retain(|k| k.pid != pid);
    }
}

/// A child worker process running some downloads, and the thread of ours that listens to it.
pub struct ChildProcess {
    listener: JoinHandle<()>,
}

impl ChildProcess {
    /// Start a child that runs `tasks` (on its main thread if `threads` is 0, else on that many threads).
    pub fn start(
        tasks: &[Task],
        threads: usize,
        opts: &ProcessOptions,
        ctx: &Ctx,
    ) -> io::Result<ChildProcess> {
        let exe = match &opts.exe {
            Some(exe) => exe.clone(),
            None => std::env::current_exe()?,
        };
        let mut reg = lock(&ctx.children.state);
        if reg.closed || ctx.clock.is_stopped() {
            return Err(io::Error::other("the run was stopped"));
        }
        // Read the clock under the registry lock: a pause or speed change either comes before
        // (and the arguments carry it) or after (and reaches this child through `tell_all`).
        let mut cmd = Command::new(exe);
        cmd.arg("worker")
            .arg("--parent-pid")
            .arg(std::process::id().to_string())
            .arg("--clock")
            .arg(ctx.clock.speed().to_string())
            .arg("--threads")
            .arg(threads.to_string());
        if ctx.clock.is_paused() {
            cmd.arg("--paused");
        }
        cmd.arg("--workload").arg(ctx.workload.name());
        if ctx.workload == super::Workload::Cpu {
            cmd.arg("--units-per-second")
                .arg(super::units_per_second().to_string());
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
        let asked = Instant::now();
        let mut process = cmd.spawn()?;
        let pid = process.id();
        let stdout = process.stdout.take().expect("stdout is piped");
        let stdin = process.stdin.take();
        let ids: BTreeSet<usize> = tasks.iter().map(|t| t.id).collect();
        let kid = Arc::new(Kid {
            pid,
            name: format!("pid {pid}").into(),
            process: Mutex::new(process),
            stdin: Mutex::new(stdin),
            unfinished: Mutex::new(ids),
            started: Mutex::new(BTreeSet::new()),
        });
        reg.kids.push(kid.clone());
        drop(reg);
        let (me, my_ctx) = (kid.clone(), ctx.clone());
        let listener = thread::Builder::new()
            .name(format!("pipe-{pid}"))
            .spawn(move || listen(&me, stdout, asked, &my_ctx));
        match listener {
            Ok(listener) => Ok(ChildProcess { listener }),
            Err(e) => {
                kid.kill();
                let _ = reap(&kid);
                ctx.children.remove(pid);
                Err(e)
            }
        }
    }

    /// Wait until the child is gone and every one of its downloads is accounted for.
    pub fn join(self) {
        let _ = self.listener.join();
    }
}

/// How listening to a child ended.
enum End {
    /// The pipe closed: the child exited, or died.
    Closed,
    /// The child said something that is not a message; it cannot be trusted any more.
    Malformed(String),
    /// Nobody listens to the run any more.
    Deaf,
}

/// Read the child's pipe until it closes, turning each line into events; then reap the child and
/// fail whatever it left unfinished.
fn listen(kid: &Kid, stdout: ChildStdout, asked: Instant, ctx: &Ctx) {
    let mut reading = Reading {
        kid,
        ctx,
        asked,
        hello: false,
        starts: BTreeMap::new(),
        workers: BTreeMap::new(),
        bytes: 0,
    };
    let mut end = End::Closed;
    for line in BufReader::new(stdout).lines() {
        end = match line {
            Ok(line) => match Msg::parse(&line) {
                Some(msg) => match reading.apply(msg) {
                    Ok(true) => continue,
                    Ok(false) => End::Deaf,
                    Err(()) => End::Malformed(line),
                },
                None => End::Malformed(line),
            },
            Err(e) if e.kind() == io::ErrorKind::InvalidData => {
                End::Malformed("bytes that are not UTF-8".into())
            }
            Err(_) => End::Closed,
        };
        break;
    }
    if !matches!(end, End::Closed) {
        kid.kill();
    }
    let status = reap(kid);
    ctx.children.remove(kid.pid);
    if ctx.clock.is_stopped() {
        return; // stopped on purpose: nothing failed
    }
    let reason = match end {
        End::Malformed(line) => format!("malformed message from child: {:?}", clip(&line)),
        _ => died(status),
    };
    let unfinished: Vec<usize> = lock(&kid.unfinished).iter().copied().collect();
    for task in unfinished {
        let worker = reading.workers.get(&task).unwrap_or(&kid.name).clone();
        ctx.reporter.send(WorkerEvent::Failed {
            task,
            worker,
            at: ctx.clock.now(),
            reason: reason.clone(),
        });
    }
}

/// The listener's picture of one child.
struct Reading<'a> {
    kid: &'a Kid,
    ctx: &'a Ctx,
    asked: Instant,
    hello: bool,
    /// When each started download began, on the run's clock.
    starts: BTreeMap<usize, f64>,
    workers: BTreeMap<usize, Arc<str>>,
    /// The child's last byte total, to add only the difference to the run's.
    bytes: u64,
}

impl Reading<'_> {
    /// The worker name for one of the child's threads: `pid 123` for its main thread, `pid 123/t2` for others.
    fn worker(&self, thread: &str) -> Arc<str> {
        if thread == "main" {
            self.kid.name.clone()
        } else {
            format!("{}/{thread}", self.kid.name).into()
        }
    }

    /// Turn one message into events: Ok(false) when the listener is gone, Err for a message that
    /// does not fit (before hello, or about a download this child does not run).
    fn apply(&mut self, msg: Msg) -> Result<bool, ()> {
        let ours = |task: usize| lock(&self.kid.unfinished).contains(&task);
        if !self.hello {
            return if msg == Msg::Hello {
                self.hello = true;
                Ok(self.ctx.reporter.send(WorkerEvent::Spawned {
                    worker: self.kid.name.clone(),
                    kind: SpawnKind::Process,
                    cost: self.asked.elapsed(),
                }))
            } else {
                Err(())
            };
        }
        let event = match msg {
            Msg::Hello => return Err(()),
            Msg::Spawned { thread, nanos } => WorkerEvent::Spawned {
                worker: self.worker(&thread),
                kind: SpawnKind::Thread,
                cost: Duration::from_nanos(nanos),
            },
            Msg::Start { task, thread } if ours(task) => {
                let (worker, at) = (self.worker(&thread), self.ctx.clock.now());
                self.starts.insert(task, at);
                self.workers.insert(task, worker.clone());
                lock(&self.kid.started).insert(task);
                WorkerEvent::Started { task, worker, at }
            }
            Msg::Progress { task, done } if self.starts.contains_key(&task) && ours(task) => {
                WorkerEvent::Progress { task, done }
            }
            // The child's threads report their totals in whatever order they get to the pipe.
            Msg::Bytes { total } if total <= self.bytes => return Ok(true),
            Msg::Bytes { total } => {
                // Inter-process communication: the child's count reaches us only as a message.
                let delta = total - self.bytes;
                self.bytes = total;
                let total = self.ctx.bytes.fetch_add(delta, Ordering::Relaxed) + delta;
                let via = BytesVia::Messages;
                WorkerEvent::Bytes { total, via }
            }
            Msg::Done { task, took } if ours(task) => {
                let start = *self.starts.get(&task).ok_or(())?;
                self.finish(task);
                WorkerEvent::Finished {
                    task,
                    worker: self.workers[&task].clone(),
                    // Our clock stamps the line's arrival; the child's says how long it waited.
                    at: self.ctx.clock.now().max(start + took),
                    took,
                }
            }
            Msg::Failed { task, reason } if ours(task) => {
                self.finish(task);
                WorkerEvent::Failed {
                    task,
                    worker: self.workers.get(&task).unwrap_or(&self.kid.name).clone(),
                    at: self.ctx.clock.now(),
                    reason,
                }
            }
            _ => return Err(()),
        };
        Ok(self.ctx.reporter.send(event))
    }

    fn finish(&self, task: usize) {
        lock(&self.kid.unfinished).remove(&task);
        lock(&self.kid.started).remove(&task);
    }
}

/// Wait for a child whose pipe has closed; one that lingers is killed. Always reaps, so no zombie.
fn reap(kid: &Kid) -> Option<ExitStatus> {
    let deadline = Instant::now() + REAP_GRACE;
    loop {
        let mut process = lock(&kid.process);
        match process.try_wait() {
            Ok(Some(status)) => return Some(status),
            Ok(None) if Instant::now() >= deadline => {
                let _ = process.kill();
                return process.wait().ok();
            }
            Ok(None) => {}
            Err(_) => return None,
        }
        drop(process);
        thread::sleep(Duration::from_millis(1));
    }
}

/// Why a child ended before finishing its downloads, in the words shown on the failed row.
fn died(status: Option<ExitStatus>) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        match status.and_then(|s| s.signal()) {
            Some(9) => return "process killed (SIGKILL)".into(),
            Some(6) => return "process aborted (SIGABRT)".into(),
            Some(n) => return format!("process killed by signal {n}"),
            None => {}
        }
    }
    match status.and_then(|s| s.code()) {
        Some(101) => "process panicked (exit code 101)".into(),
        Some(code) => format!("process exited with code {code} before finishing"),
        None => "process vanished".into(),
    }
}

/// A line from a misbehaving child, short enough for one row.
fn clip(line: &str) -> String {
    line.chars().take(40).collect()
}
