//! A watched program as threadlab understands it: its processes, threads, waits (sleeps),
//! pool work, printed lines and exit, rebuilt from the session's inputs in arrival order.
//! The live screen, the transcript and `--json` all read this one model.

use super::protocol::{Arg, Event, Hello, Rejected, Stamp, label};
use super::report::{CpuFigures, GilFinding, gil_finding};
use super::sampler::ProcSample;
use super::session::{Ended, Input, Stream};
use std::cell::Cell;
use std::collections::{HashMap, HashSet, VecDeque};

/// Lines of the program's stderr kept for "how it failed".
pub const STDERR_TAIL: usize = 12;
/// A printed line without its newline yet is shown once it is this long (the ticker's Pings).
const PARTIAL_LINE: usize = 60;
/// A program that prints without end must not fill threadlab's memory: the log keeps its latest
/// lines, the report its first prints, the delay figures their first lines.
const LOG_MAX: usize = 20_000;
const PRINTS_MAX: usize = 10_000;
const DELAYS_MAX: usize = 100_000;

/// One process of the program.
#[derive(Debug, Clone)]
pub struct Process {
    pub pid: u32,
    pub ppid: u32,
    /// Its `hello`, if the probe loaded in it.
    pub hello: Option<Hello>,
    /// CLOCK_MONOTONIC seconds.
    pub start: f64,
    pub end: Option<f64>,
    /// CPU seconds so far (all its threads), and what it had used before its hello (start-up).
    pub cpu: f64,
    pub cpu_base: f64,
    pub exit_code: Option<i64>,
}

impl Process {
    /// CPU seconds used since the probe loaded.
    pub fn run_cpu(&self) -> f64 {
        (self.cpu - self.cpu_base).max(0.0)
    }
}

/// One thread of one process.
#[derive(Debug, Clone)]
pub struct Thread {
    pub pid: u32,
    pub tid: u32,
    pub name: String,
    pub daemon: bool,
    /// The `Thread` subclass (`DownloadThread`), when it is one.
    pub class: String,
    pub target: Option<String>,
    pub args: Vec<Arg>,
    /// Whether the probe told us about it (otherwise it is known from `/proc` only).
    pub probed: bool,
    pub main: bool,
    pub start: f64,
    pub end: Option<f64>,
    /// CPU seconds, sampled or the thread's own figure; a main thread's start-up is `cpu_base`.
    pub cpu: f64,
    pub cpu_base: f64,
    /// Still running when its process ended: killed with it (a daemon thread, typically).
    pub killed: bool,
    pub error: Option<String>,
    /// Stretches of time and the share of one core it used in each, in time order: from one
    /// reading of its CPU time to the next (`/proc`, or the probe's own at its start and end).
    pub on_cpu: Vec<OnCore>,
    /// Its latest CPU reading: (when, CPU seconds).
    last_cpu: Option<(f64, f64)>,
    /// When it slept: its ended sleeps merged, disjoint and in time order (derived per event,
    /// so a lane reads them with a binary search), and the ones in progress with their key.
    slept: Vec<(f64, f64)>,
    asleep_since: Vec<(Option<u64>, f64)>,
    /// Whether `/proc` has shown it (a thread gone from a later sweep has ended).
    sampled: bool,
    sleeping: Option<usize>,
    item: Option<u64>,
    last_wait: Option<usize>,
    partial: String,
}

/// From `from` to `to` (CLOCK_MONOTONIC seconds) a thread used `share` of one core.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OnCore {
    pub from: f64,
    pub to: f64,
    pub share: f64,
    /// CPU seconds the thread had used before this stretch (by its stretches), so the CPU used
    /// up to any instant is one binary search away.
    pub before: f64,
}

impl Thread {
    /// CPU seconds used since the probe loaded (a main thread's imports are not the lesson).
    pub fn run_cpu(&self) -> f64 {
        (self.cpu - self.cpu_base).max(0.0)
    }

    /// The share of one core it used on average from `a` to `b` (its stretches do not overlap
    /// and are in time order, so this looks only at the ones in the span).
    pub fn share(&self, a: f64, b: f64) -> f64 {
        if b <= a {
            return 0.0;
        }
        // From the running total, not by adding up the stretches in the span: a lane's cell
        // costs two binary searches however long the run.
        (self.used_by(b) - self.used_by(a)).max(0.0) / (b - a)
    }

    /// CPU seconds its stretches say it had used by `t`.
    fn used_by(&self, t: f64) -> f64 {
        let i = self.on_cpu.partition_point(|s| s.to <= t);
        match self.on_cpu.get(i) {
            Some(s) => s.before + (t - s.from).max(0.0) * s.share,
            None => self
                .on_cpu
                .last()
                .map_or(0.0, |s| s.before + (s.to - s.from) * s.share),
        }
    }

    /// Whether it was asleep at some instant from `a` to `b` (the lane's cell), `end` being
    /// where a sleep still open ends on the screen.
    pub fn asleep_in(&self, a: f64, b: f64, end: f64) -> bool {
        let i = self.slept.partition_point(|&(start, _)| start < b);
        (i > 0 && self.slept[i - 1].1 > a)
            || (self.asleep_since.iter()).any(|&(_, start)| start < b && a < end)
    }

    /// A sleep of its (`key`: the asyncio sleep's id; `None` a plain `time.sleep`) began.
    fn fall_asleep(&mut self, key: Option<u64>, at: f64) {
        self.asleep_since.retain(|(k, _)| *k != key);
        self.asleep_since.push((key, at));
    }

    /// A sleep of its ended at `at`: kept as asleep from its start, merged with any it overlaps.
    fn wake(&mut self, key: Option<u64>, at: f64) {
        let Some(i) = self.asleep_since.iter().position(|(k, _)| *k == key) else {
            return;
        };
        let (_, mut start) = self.asleep_since.swap_remove(i);
        let mut end = at;
        // The stretches are disjoint and in order: the ones this overlaps are at the end.
        while let Some(&(s, e)) = self.slept.last()
            && e >= start
        {
            start = start.min(s);
            end = end.max(e);
            self.slept.pop();
        }
        self.slept.push((start, end));
    }

    /// Every sleep still open ends at `at` (its process ended).
    fn wake_all(&mut self, at: f64) {
        while let Some(&(key, _)) = self.asleep_since.first() {
            self.wake(key, at);
        }
    }

    /// A reading of its CPU time: the time since the reading before was spent on a core for the
    /// CPU seconds it grew by. Readings from `/proc` and from the probe may arrive out of order:
    /// one older than the latest only raises the total.
    fn read_cpu(&mut self, at: f64, cpu: f64) {
        self.cpu = self.cpu.max(cpu);
        match self.last_cpu {
            Some((t0, c0)) if at > t0 => {
                if cpu > c0 {
                    let share = ((cpu - c0) / (at - t0)).min(1.0);
                    let before = self.used_by(t0);
                    self.on_cpu.push(OnCore {
                        from: t0,
                        to: at,
                        share,
                        before,
                    });
                }
                self.last_cpu = Some((at, cpu.max(c0)));
            }
            Some(_) => {}
            None => self.last_cpu = Some((at, cpu)),
        }
    }
}

/// A wait: a `time.sleep` (or a run of them from one place, like a ticker's) on one thread.
#[derive(Debug, Clone)]
pub struct Wait {
    pub pid: u32,
    pub tid: u32,
    /// What it waits for: the arguments of the function that slept (the file name).
    pub label: String,
    pub function: String,
    pub site: String,
    /// Seconds asked for, summed over its ticks, before `--speed` divides them (lesson seconds).
    pub requested: f64,
    pub ticks: u32,
    pub start: f64,
    pub end: Option<f64>,
    /// The sleep in progress: when it began and how long it asked for.
    pub current: Option<(f64, f64)>,
    /// Its process ended while it slept.
    pub killed: bool,
    item: Option<u64>,
}

impl Wait {
    /// A row for a sleep of `d` seconds that begins at `s`, one tick so far.
    fn begun(
        s: &Stamp,
        d: f64,
        label: String,
        function: String,
        site: String,
        item: Option<u64>,
    ) -> Wait {
        Wait {
            pid: s.pid,
            tid: s.tid,
            label,
            function,
            site,
            requested: d,
            ticks: 1,
            start: s.t,
            end: None,
            current: Some((s.t, d)),
            killed: false,
            item,
        }
    }
}

/// A task submitted to a thread pool.
#[derive(Debug, Clone)]
pub struct Item {
    pub function: String,
    pub args: Vec<Arg>,
    pub pool: String,
    pub max_workers: Option<u64>,
    pub submitted: f64,
    pub start: Option<f64>,
    pub end: Option<f64>,
    pub worker: Option<u32>,
}

/// One `print` call, as the probe reported it.
#[derive(Debug, Clone)]
pub struct Printed {
    pub pid: u32,
    pub tid: u32,
    pub at: f64,
    pub text: String,
    pub stderr: bool,
}

/// What a line of the event log says.
#[derive(Debug, Clone, PartialEq)]
pub enum LogKind {
    /// A line the program printed (whole, without its newline).
    Printed(String),
    /// A line of its stderr (tracebacks), or of its stdout when no probe reports its prints.
    Stderr(String),
    Stdout(String),
    ProcessStarted,
    ThreadStarted {
        daemon: bool,
        label: String,
    },
    ThreadEnded {
        error: Option<String>,
    },
    /// A wait began: seconds asked for, and its label.
    Sleep {
        seconds: f64,
        label: String,
    },
    /// Threads still running when their process ended.
    Killed {
        names: Vec<String>,
    },
    ProcessEnded {
        code: Option<i64>,
    },
}

/// One line of the event log.
#[derive(Debug, Clone)]
pub struct LogEntry {
    pub at: f64,
    pub pid: u32,
    /// The thread's name, or empty for the program as a whole.
    pub thread: String,
    pub kind: LogKind,
}

/// The whole watched program.
#[derive(Debug, Clone)]
pub struct Program {
    pub command: Vec<String>,
    pub speed: f64,
    pub root: u32,
    pub spawned_at: f64,
    /// The main process's `hello`: where the run's clock starts, and the build's GIL state.
    pub main: Option<u32>,
    pub processes: Vec<Process>,
    pub threads: Vec<Thread>,
    pub waits: Vec<Wait>,
    pub items: HashMap<(u32, u64), Item>,
    /// `asyncio.sleep`s in progress by (pid, id), and each (pid, site, label)'s latest row.
    async_open: HashMap<(u32, u64), usize>,
    async_last: HashMap<(u32, String, String), usize>,
    pub prints: Vec<Printed>,
    /// The log's latest lines; `log_dropped` older ones were let go.
    pub log: Vec<LogEntry>,
    pub log_dropped: usize,
    /// Print calls beyond the first [`PRINTS_MAX`], not kept.
    pub prints_dropped: usize,
    pub stderr_tail: VecDeque<String>,
    /// Raw stdout lines held back until it is clear no probe reports the prints.
    pending_stdout: Vec<(f64, String)>,
    pub malformed: usize,
    pub unknown: usize,
    pub connections: usize,
    pub outputs_open: u8,
    pub ended: Option<Ended>,
    /// When the program's main process said it was leaving (its `exit` line).
    pub main_exit: Option<f64>,
    /// Receipt minus send time of every probe line, in seconds.
    pub delays: Vec<f64>,
    /// The latest `/proc` sample's time.
    pub sampled_at: Option<f64>,
    /// When the program first started a thread, slept, submitted work or printed.
    first_activity: Option<f64>,
    /// Processes the latest sweep of /proc did not find.
    missing: Vec<u32>,
    /// The machine's idle seconds (every core) at the first and latest sample of the run.
    idle_first: Option<(f64, f64)>,
    idle_last: Option<(f64, f64)>,
    /// The program's name in `/proc` and when it last changed (a launcher like pyenv's shim
    /// runs helpers, then becomes the program with exec).
    root_comm: String,
    root_exec_at: f64,
    pub samples: usize,
    /// The latest instant anything happened: the screen's "now" when nothing else moves it.
    pub now: f64,
    /// Every name a thread has had: the first process that used it, and whether another did too.
    names: HashMap<String, (u32, bool)>,
    /// Each thread's place in `threads` (a tid the kernel reuses is the latest thread's), and
    /// each process's threads: lookups per event and per frame that do not grow with the run.
    thread_at: HashMap<(u32, u32), usize>,
    by_pid: HashMap<u32, Vec<usize>>,
    /// Each pid's place in `processes` (the first process with that pid).
    process_at: HashMap<u32, usize>,
    /// Kept per event, so a frame reads them: the shown processes (see [`Program::shown`]) and
    /// how many threads they have, the CPU seconds they used, the threads killed with their
    /// process, and the waits' sum and longest. `reshow` and `recount_cpu` say an input changed
    /// what the first two are derived from.
    shown: Vec<usize>,
    shown_threads: usize,
    shown_rows: usize,
    cpu_sum: f64,
    killed: Vec<usize>,
    wait_sum: f64,
    wait_longest: f64,
    reshow: bool,
    recount_cpu: bool,
    /// Waits in progress, in the order their starts and ends arrived, and the most there were:
    /// the most waits at once while the program runs, kept per event.
    waits_open: usize,
    waits_most: usize,
    /// Whether any thread has been a daemon (the lanes' legend may have to explain the mark).
    daemons: bool,
    /// Counts the inputs that changed anything: what is derived from the whole run (the verdict,
    /// the most waits at once) is kept with the count it was derived at, and a frame that comes
    /// after no change reads it instead of deriving it again.
    generation: u64,
    finding: Cell<Option<(u64, Option<GilFinding>)>>,
    overlap: Cell<Option<(u64, usize)>>,
    /// How many times the waits were counted from their times (tests check it is not per frame).
    #[cfg(test)]
    overlap_counts: Cell<usize>,
}

/// Note that a thread of `pid` is called `name`.
fn register(names: &mut HashMap<String, (u32, bool)>, name: &str, pid: u32) {
    match names.get_mut(name) {
        Some((first, shared)) => *shared |= *first != pid,
        None => {
            names.insert(name.to_string(), (pid, false));
        }
    }
}

impl Program {
    /// A program just started, as `pid`, at `spawned_at` (CLOCK_MONOTONIC).
    pub fn new(command: Vec<String>, speed: f64, root: u32, spawned_at: f64) -> Self {
        Program {
            command,
            speed,
            root,
            spawned_at,
            main: None,
            processes: Vec::new(),
            threads: Vec::new(),
            waits: Vec::new(),
            items: HashMap::new(),
            async_open: HashMap::new(),
            async_last: HashMap::new(),
            prints: Vec::new(),
            log: Vec::new(),
            log_dropped: 0,
            prints_dropped: 0,
            stderr_tail: VecDeque::new(),
            pending_stdout: Vec::new(),
            malformed: 0,
            unknown: 0,
            connections: 0,
            outputs_open: 2,
            ended: None,
            main_exit: None,
            delays: Vec::new(),
            sampled_at: None,
            first_activity: None,
            idle_first: None,
            idle_last: None,
            missing: Vec::new(),
            root_comm: String::new(),
            root_exec_at: spawned_at,
            samples: 0,
            now: spawned_at,
            names: HashMap::new(),
            thread_at: HashMap::new(),
            by_pid: HashMap::new(),
            process_at: HashMap::new(),
            shown: Vec::new(),
            shown_threads: 0,
            shown_rows: 0,
            cpu_sum: 0.0,
            killed: Vec::new(),
            wait_sum: 0.0,
            wait_longest: 0.0,
            reshow: false,
            recount_cpu: false,
            waits_open: 0,
            waits_most: 0,
            daemons: false,
            generation: 0,
            finding: Cell::new(None),
            overlap: Cell::new(None),
            #[cfg(test)]
            overlap_counts: Cell::new(0),
        }
    }

    /// Whether a probe connected at all (else the program is not Python, or ran with -I/-E/-S).
    pub fn probed(&self) -> bool {
        self.main.is_some()
    }

    /// The main process's hello.
    pub fn hello(&self) -> Option<&Hello> {
        self.process(self.main?)?.hello.as_ref()
    }

    /// When the run's clock starts: the main process's hello, or the spawn when nothing said hello.
    pub fn started(&self) -> f64 {
        self.main
            .and_then(|pid| self.process(pid))
            .map_or(self.spawned_at, |p| p.start)
    }

    /// Where the run's lesson clock starts: the program's first thread, sleep, submit or print.
    /// Its imports before that are not the lesson, and at `--speed 100` the 50 ms that asyncio
    /// takes to import would read as 5 lesson seconds.
    pub fn t0(&self) -> f64 {
        self.first_activity.unwrap_or_else(|| self.started())
    }

    /// Real seconds from the probe loading to the program's first activity (imports, mostly).
    pub fn startup(&self) -> f64 {
        (self.t0() - self.started()).max(0.0)
    }

    /// Lesson seconds since the start: wall time × [`Program::scale`].
    pub fn lesson(&self, t: f64) -> f64 {
        ((t - self.t0()) * self.scale()).max(0.0)
    }

    /// Lesson seconds per wall second: `--speed` divided the program's sleeps, so its times are
    /// wall × speed. A program that never slept ran at its own pace (computing is not divided):
    /// its seconds stay real seconds, whatever `--speed` said.
    pub fn scale(&self) -> f64 {
        if self.waits.is_empty() {
            1.0
        } else {
            self.speed
        }
    }

    /// `--speed` was asked for and changed nothing: the program never called `time.sleep`.
    pub fn speed_unused(&self) -> bool {
        self.speed != 1.0 && self.waits.is_empty()
    }

    /// Wall seconds from the first activity to the main process's exit (or to now while it runs).
    pub fn wall(&self) -> f64 {
        (self.end() - self.t0()).max(0.0)
    }

    fn end(&self) -> f64 {
        self.main_exit
            .or(self.ended.map(|e| e.at))
            .unwrap_or(self.now)
    }

    /// Every input has arrived: it exited, its processes hung up, its output streams closed.
    pub fn is_complete(&self) -> bool {
        self.ended.is_some() && self.connections == 0 && self.outputs_open == 0
    }

    pub fn process(&self, pid: u32) -> Option<&Process> {
        self.process_at.get(&pid).map(|&i| &self.processes[i])
    }

    fn thread_index(&self, pid: u32, tid: u32) -> Option<usize> {
        self.thread_at.get(&(pid, tid)).copied()
    }

    pub fn thread(&self, pid: u32, tid: u32) -> Option<&Thread> {
        self.thread_index(pid, tid).map(|i| &self.threads[i])
    }

    /// The thread's name, or its id when nothing named it.
    pub fn thread_name(&self, pid: u32, tid: u32) -> String {
        self.thread(pid, tid)
            .map_or_else(|| format!("tid {tid}"), |t| t.name.clone())
    }

    /// Whether threads of two processes have been called `name` (workshops' `MainThread`s and
    /// pool workers): a row that names one must say which process it is in.
    pub fn name_shared(&self, name: &str) -> bool {
        self.names.get(name).is_some_and(|(_, shared)| *shared)
    }

    fn ensure_process(&mut self, pid: u32, ppid: u32, at: f64) -> usize {
        if let Some(&i) = self.process_at.get(&pid) {
            return i;
        }
        self.process_at.insert(pid, self.processes.len());
        self.reshow = true;
        self.processes.push(Process {
            pid,
            ppid,
            hello: None,
            start: at,
            end: None,
            cpu: 0.0,
            cpu_base: 0.0,
            exit_code: None,
        });
        self.processes.len() - 1
    }

    fn ensure_thread(&mut self, pid: u32, tid: u32, at: f64) -> usize {
        if let Some(i) = self.thread_index(pid, tid) {
            return i;
        }
        self.threads.push(Thread {
            pid,
            tid,
            name: format!("tid {tid}"),
            daemon: false,
            class: String::new(),
            target: None,
            args: Vec::new(),
            probed: false,
            main: pid == tid,
            start: at,
            end: None,
            cpu: 0.0,
            cpu_base: 0.0,
            killed: false,
            error: None,
            on_cpu: Vec::new(),
            last_cpu: None,
            slept: Vec::new(),
            asleep_since: Vec::new(),
            sampled: false,
            sleeping: None,
            item: None,
            last_wait: None,
            partial: String::new(),
        });
        let t = self.threads.len() - 1;
        self.thread_at.insert((pid, tid), t);
        self.by_pid.entry(pid).or_default().push(t);
        self.reshow = true;
        t
    }

    /// How many threads process `pid` has had.
    pub fn thread_count(&self, pid: u32) -> usize {
        self.by_pid.get(&pid).map_or(0, Vec::len)
    }

    /// How many threads [`Program::shown_threads`] lists.
    pub fn shown_thread_count(&self) -> usize {
        self.shown_threads
    }

    /// How many processes [`Program::shown_processes`] lists.
    pub fn shown_process_count(&self) -> usize {
        self.shown.len()
    }

    /// The rows the lanes would take to show everything: each shown process and its threads.
    pub fn shown_rows(&self) -> usize {
        self.shown_rows
    }

    /// What is kept per event of the processes shown, derived again after an input changed
    /// them: a process came, said hello or ended, a thread came, a launcher became the program
    /// (O(processes), on those inputs only; a frame reads the result).
    fn derive_shown(&mut self) {
        if self.reshow {
            self.reshow = false;
            self.recount_cpu = true;
            let shown: Vec<usize> = (0..self.processes.len())
                .filter(|&i| self.shown(&self.processes[i]))
                .collect();
            // Threads of a process nothing else told of (no hello, not yet in /proc) are shown.
            self.shown_threads = (self.by_pid.iter())
                .filter(|(pid, _)| self.process(**pid).is_none_or(|p| self.shown(p)))
                .map(|(_, threads)| threads.len())
                .sum();
            self.shown_rows = (shown.iter())
                .map(|&i| 1 + self.thread_count(self.processes[i].pid))
                .sum();
            self.shown = shown;
        }
        if self.recount_cpu {
            self.recount_cpu = false;
            self.cpu_sum = (self.shown.iter())
                .map(|&i| self.processes[i].run_cpu())
                .fold(0.0, |a, b| a + b);
        }
    }

    /// The threads of process `pid`, in the order they appeared.
    pub fn threads_of(&self, pid: u32) -> impl Iterator<Item = &Thread> {
        (self.by_pid.get(&pid).into_iter().flatten()).map(|&t| &self.threads[t])
    }

    fn push_log(&mut self, at: f64, pid: u32, thread: String, kind: LogKind) {
        if self.log.len() >= LOG_MAX {
            self.log.drain(..LOG_MAX / 2);
            self.log_dropped += LOG_MAX / 2;
        }
        self.log.push(LogEntry {
            at,
            pid,
            thread,
            kind,
        });
    }

    /// Apply one input.
    pub fn apply(&mut self, input: Input) {
        // A sweep that found nothing once every process has ended changes nothing (the sampler
        // goes on until the session is dropped, 40 times a second).
        let idle = matches!(&input, Input::Samples { procs, .. } if procs.is_empty())
            && self.ended.is_some()
            && self.processes.iter().all(|p| p.end.is_some());
        if !idle {
            self.generation += 1;
        }
        match input {
            Input::Probe {
                stamp,
                event,
                received,
            } => {
                if self.delays.len() < DELAYS_MAX {
                    self.delays.push((received - stamp.t).max(0.0));
                }
                self.now = self.now.max(stamp.t);
                self.on_event(stamp, event);
            }
            Input::Rejected(Rejected::Malformed) => self.malformed += 1,
            Input::Rejected(Rejected::Unknown) => self.unknown += 1,
            Input::Connections { open } => self.connections = open,
            Input::Output { stream, line } => self.on_output(stream, line),
            Input::OutputClosed(_) => self.outputs_open = self.outputs_open.saturating_sub(1),
            Input::Samples { at, procs, idle } => {
                if let Some(idle) = idle {
                    self.on_idle(at, idle);
                }
                self.on_samples(at, procs)
            }
            Input::Exited(ended) => self.on_exit(ended),
        }
        self.derive_shown();
    }

    fn on_output(&mut self, stream: Stream, line: String) {
        let at = self.now;
        match stream {
            Stream::Stderr => {
                if self.stderr_tail.len() == STDERR_TAIL {
                    self.stderr_tail.pop_front();
                }
                self.stderr_tail.push_back(line.clone());
                self.push_log(at, self.root, String::new(), LogKind::Stderr(line));
            }
            // With a probe, its print lines say the same with their thread. The pipe can beat
            // the probe's hello, so a line waits until it is clear that no probe will come.
            Stream::Stdout if !self.probed() => {
                self.pending_stdout.push((at, line));
                self.release_stdout();
            }
            Stream::Stdout => {}
        }
    }

    /// How long after the start a program without a hello is taken to have no probe.
    const NO_PROBE_AFTER: f64 = 0.5;

    fn release_stdout(&mut self) {
        if self.probed()
            || (self.ended.is_none() && self.now - self.spawned_at < Self::NO_PROBE_AFTER)
        {
            return;
        }
        for (at, line) in std::mem::take(&mut self.pending_stdout) {
            self.push_log(at, self.root, String::new(), LogKind::Stdout(line));
        }
    }

    fn on_event(&mut self, s: Stamp, event: Event) {
        let activity = match &event {
            Event::ThreadStart { .. }
            | Event::Sleep { .. }
            | Event::Submit { .. }
            | Event::WorkStart { .. } => true,
            Event::Print { stderr, .. } => !stderr,
            _ => false,
        };
        if activity {
            self.first_activity = Some(self.first_activity.map_or(s.t, |f| f.min(s.t)));
        }
        match event {
            Event::Hello(hello) => {
                let p = self.ensure_process(s.pid, hello.ppid.unwrap_or(0), s.t);
                let known_parent = (hello.ppid)
                    .and_then(|ppid| self.process(ppid))
                    .is_some_and(|q| q.hello.is_some());
                self.pending_stdout.clear();
                self.processes[p].start = s.t;
                self.processes[p].cpu_base = hello.cpu.unwrap_or(0.0);
                let name = hello.name.clone();
                let thread_base = hello.thread_cpu.unwrap_or(0.0);
                self.processes[p].hello = Some(hello);
                self.reshow = true;
                if self.main.is_none() && (s.pid == self.root || !known_parent) {
                    self.main = Some(s.pid);
                }
                let t = self.ensure_thread(s.pid, s.tid, s.t);
                let th = &mut self.threads[t];
                th.name = name.clone();
                register(&mut self.names, &name, s.pid);
                th.probed = true;
                th.main = true;
                th.start = s.t;
                th.cpu_base = thread_base;
                th.read_cpu(s.t, thread_base);
                self.push_log(s.t, s.pid, name, LogKind::ProcessStarted);
            }
            Event::ThreadStart {
                name,
                daemon,
                class,
                target,
                args,
                parent: _,
            } => {
                self.ensure_process(s.pid, 0, s.t);
                let t = self.ensure_thread(s.pid, s.tid, s.t);
                let th = &mut self.threads[t];
                th.name = name.clone();
                register(&mut self.names, &name, s.pid);
                th.daemon = daemon;
                self.daemons |= daemon;
                th.class = class;
                th.target = target;
                th.args = args;
                th.probed = true;
                th.main = false;
                th.start = th.start.min(s.t);
                // A thread has used no CPU before its run begins (this event is its first act).
                if th.last_cpu.is_none() {
                    th.last_cpu = Some((s.t, 0.0));
                }
                let what = match (&th.target, th.args.is_empty()) {
                    (_, false) => label(&th.args),
                    (Some(f), true) => f.clone(),
                    (None, true) => th.class.clone(),
                };
                self.push_log(
                    s.t,
                    s.pid,
                    name,
                    LogKind::ThreadStarted {
                        daemon,
                        label: what,
                    },
                );
            }
            Event::ThreadEnd { cpu, error, .. } => {
                let t = self.ensure_thread(s.pid, s.tid, s.t);
                self.flush_partial(t, s.t);
                let th = &mut self.threads[t];
                th.end = Some(s.t);
                if let Some(cpu) = cpu {
                    // Its own last reading: the stretch since the last sweep is drawn too.
                    th.read_cpu(s.t, cpu);
                }
                th.error = error.clone();
                let name = th.name.clone();
                self.push_log(s.t, s.pid, name, LogKind::ThreadEnded { error });
            }
            Event::Join { .. } | Event::Joined { .. } => {}
            Event::Sleep {
                d,
                w: None,
                function,
                site,
                args,
            } => self.on_sleep(s, d, function, site, args),
            Event::Sleep {
                d,
                w: Some(id),
                function,
                site,
                args,
            } => self.on_async_sleep(s, d, id, function, site, args),
            Event::Wake { w: None } => {
                if let Some(t) = self.thread_index(s.pid, s.tid) {
                    self.threads[t].wake(None, s.t);
                }
                if let Some(t) = self.thread_index(s.pid, s.tid)
                    && let Some(w) = self.threads[t].sleeping.take()
                {
                    let wait = &mut self.waits[w];
                    wait.end = Some(s.t);
                    wait.current = None;
                    self.wait_ended();
                }
            }
            Event::Wake { w: Some(id) } => {
                if let Some(t) = self.thread_index(s.pid, s.tid) {
                    self.threads[t].wake(Some(id), s.t);
                }
                if let Some(w) = self.async_open.remove(&(s.pid, id)) {
                    let wait = &mut self.waits[w];
                    wait.end = Some(s.t);
                    wait.current = None;
                    self.wait_ended();
                }
            }
            Event::Submit {
                item,
                function,
                args,
                pool,
                max_workers,
            } => {
                self.items.insert(
                    (s.pid, item),
                    Item {
                        function,
                        args,
                        pool,
                        max_workers,
                        submitted: s.t,
                        start: None,
                        end: None,
                        worker: None,
                    },
                );
            }
            Event::WorkStart { item } => {
                let t = self.ensure_thread(s.pid, s.tid, s.t);
                self.threads[t].item = Some(item);
                if let Some(it) = self.items.get_mut(&(s.pid, item)) {
                    it.start = Some(s.t);
                    it.worker = Some(s.tid);
                }
            }
            Event::WorkEnd { item, .. } => {
                if let Some(t) = self.thread_index(s.pid, s.tid) {
                    self.threads[t].item = None;
                }
                if let Some(it) = self.items.get_mut(&(s.pid, item)) {
                    it.end = Some(s.t);
                }
            }
            Event::Print { stderr, text } => {
                if self.prints.len() < PRINTS_MAX {
                    self.prints.push(Printed {
                        pid: s.pid,
                        tid: s.tid,
                        at: s.t,
                        text: text.clone(),
                        stderr,
                    });
                } else {
                    self.prints_dropped += 1;
                }
                // stderr reaches the log through the pipe, with everything else written there.
                if !stderr {
                    let t = self.ensure_thread(s.pid, s.tid, s.t);
                    self.threads[t].partial.push_str(&text);
                    self.split_partial(t, s.t);
                }
            }
            Event::Exit {
                code,
                alive,
                cpu,
                thread_cpu,
            } => {
                let p = self.ensure_process(s.pid, 0, s.t);
                let proc_ = &mut self.processes[p];
                proc_.end = Some(s.t);
                proc_.exit_code = code.or(proc_.exit_code);
                if let Some(cpu) = cpu {
                    proc_.cpu = proc_.cpu.max(cpu);
                    self.recount_cpu = true;
                }
                if Some(s.pid) == self.main {
                    self.main_exit = Some(s.t);
                }
                let me = self.ensure_thread(s.pid, s.tid, s.t);
                if let Some(c) = thread_cpu {
                    self.threads[me].read_cpu(s.t, c);
                }
                let mut killed = Vec::new();
                for a in alive {
                    let Some(tid) = a.tid else { continue };
                    let t = self.ensure_thread(s.pid, tid, s.t);
                    let th = &mut self.threads[t];
                    if th.end.is_none() {
                        if !th.killed {
                            self.killed.push(t);
                        }
                        th.killed = true;
                        th.daemon |= a.daemon;
                        self.daemons |= a.daemon;
                        if !a.name.is_empty() {
                            register(&mut self.names, &a.name, s.pid);
                            th.name = a.name;
                        }
                        killed.push(th.name.clone());
                    }
                }
                self.close_process(s.pid, s.t);
                if !killed.is_empty() {
                    let name = self.thread_name(s.pid, s.tid);
                    self.push_log(s.t, s.pid, name, LogKind::Killed { names: killed });
                }
                let name = self.thread_name(s.pid, s.tid);
                self.push_log(s.t, s.pid, name, LogKind::ProcessEnded { code });
            }
        }
    }

    fn on_sleep(&mut self, s: Stamp, d: f64, function: String, site: String, args: Vec<Arg>) {
        self.ensure_process(s.pid, 0, s.t);
        let t = self.ensure_thread(s.pid, s.tid, s.t);
        let th = &self.threads[t];
        let item = th.item;
        let what = if !args.is_empty() {
            label(&args)
        } else if let Some(it) = item.and_then(|i| self.items.get(&(s.pid, i)))
            && !it.args.is_empty()
        {
            label(&it.args)
        } else if !th.args.is_empty() {
            label(&th.args)
        } else {
            function.clone()
        };
        // A thread sleeping again from the same place for the same thing is one row with ticks.
        let again = th.last_wait.filter(|&w| {
            let w = &self.waits[w];
            w.site == site && w.label == what && w.item == item && w.current.is_none()
        });
        let new = Wait::begun(&s, d, what, function, site, item);
        let w = self.begin_wait(t, again, new);
        let th = &mut self.threads[t];
        th.sleeping = Some(w);
        th.last_wait = Some(w);
        th.fall_asleep(None, s.t);
    }

    /// A sleep of thread `t` begins: another tick of the row `again` (the same sleep once more)
    /// or, when there is none, the row `new`, said in the log. The row's index.
    fn begin_wait(&mut self, t: usize, again: Option<usize>, new: Wait) -> usize {
        let (at, d) = (new.start, new.requested);
        let w = match again {
            Some(w) => {
                let wait = &mut self.waits[w];
                wait.requested += d;
                wait.ticks += 1;
                wait.current = Some((at, d));
                wait.end = None;
                w
            }
            None => {
                let (pid, label) = (new.pid, new.label.clone());
                self.waits.push(new);
                let name = self.threads[t].name.clone();
                let sleep = LogKind::Sleep { seconds: d, label };
                self.push_log(at, pid, name, sleep);
                self.waits.len() - 1
            }
        };
        self.asked(w, d);
        self.wait_began();
        w
    }

    /// An `asyncio.sleep`: one thread runs many at once, so rows are found by what they wait
    /// for (a coroutine sleeping again from the same place for the same thing is one row).
    fn on_async_sleep(
        &mut self,
        s: Stamp,
        d: f64,
        id: u64,
        function: String,
        site: String,
        args: Vec<Arg>,
    ) {
        self.ensure_process(s.pid, 0, s.t);
        let t = self.ensure_thread(s.pid, s.tid, s.t);
        let what = if args.is_empty() {
            function.clone()
        } else {
            label(&args)
        };
        let key = (s.pid, site.clone(), what.clone());
        let again = (self.async_last.get(&key).copied())
            .filter(|&w| self.waits[w].current.is_none() && !self.waits[w].killed);
        let w = self.begin_wait(t, again, Wait::begun(&s, d, what, function, site, None));
        self.async_last.insert(key, w);
        self.async_open.insert((s.pid, id), w);
        self.threads[t].fall_asleep(Some(id), s.t);
    }

    /// Complete printed lines of thread `t` into the log; a long partial one too.
    fn split_partial(&mut self, t: usize, at: f64) {
        loop {
            let th = &mut self.threads[t];
            let line = if let Some(i) = th.partial.find('\n') {
                let line = th.partial[..i].to_string();
                th.partial.drain(..=i);
                line
            } else if th.partial.chars().count() >= PARTIAL_LINE {
                std::mem::take(&mut th.partial)
            } else {
                return;
            };
            let (pid, name) = (th.pid, th.name.clone());
            self.push_log(at, pid, name, LogKind::Printed(line));
        }
    }

    fn flush_partial(&mut self, t: usize, at: f64) {
        let th = &mut self.threads[t];
        if !th.partial.is_empty() {
            let line = std::mem::take(&mut th.partial);
            let (pid, name) = (th.pid, th.name.clone());
            self.push_log(at, pid, name, LogKind::Printed(line));
        }
    }

    /// A process has ended at `at`: its threads end with it, and their waits.
    fn close_process(&mut self, pid: u32, at: f64) {
        if let Some(&p) = self.process_at.get(&pid) {
            self.processes[p].end.get_or_insert(at);
        }
        self.reshow = true;
        // Its own threads only: closing a process costs its threads, not the run's.
        let threads = self.by_pid.get(&pid).cloned().unwrap_or_default();
        for t in threads {
            self.flush_partial(t, at);
            let th = &mut self.threads[t];
            if th.end.is_none() {
                th.end = Some(at);
            }
            th.wake_all(at);
            if let Some(w) = th.sleeping.take() {
                let wait = &mut self.waits[w];
                wait.killed = true;
                wait.current = None;
                self.wait_ended();
            }
        }
        let open: Vec<(u32, u64)> = (self.async_open.keys())
            .filter(|(p, _)| *p == pid)
            .copied()
            .collect();
        for key in open {
            if let Some(w) = self.async_open.remove(&key) {
                self.waits[w].killed = true;
                self.waits[w].current = None;
                self.wait_ended();
            }
        }
    }

    fn on_idle(&mut self, at: f64, idle: f64) {
        // Over the program's run only: from its hello to its main process's exit.
        if self.main_exit.is_some() || self.ended.is_some() {
            return;
        }
        if self.idle_first.is_none_or(|(t, _)| t < self.started()) {
            self.idle_first = Some((at, idle));
        }
        self.idle_last = Some((at, idle));
    }

    /// How many cores the machine had idle on average while the program ran (all programs'
    /// work counted): a program that keeps one core busy proves a GIL only if others were free.
    pub fn idle_cores(&self) -> Option<f64> {
        let ((t0, i0), (t1, i1)) = (self.idle_first?, self.idle_last?);
        (t1 - t0 >= 0.05).then(|| ((i1 - i0) / (t1 - t0)).max(0.0))
    }

    fn on_samples(&mut self, at: f64, procs: Vec<ProcSample>) {
        if procs.is_empty() && self.sampled_at.is_none() {
            return;
        }
        let before = self.sampled_at.unwrap_or(self.spawned_at);
        self.samples += 1;
        self.sampled_at = Some(at);
        for ps in &procs {
            if ps.pid == self.root
                && let Some(main) = ps.threads.iter().find(|t| t.tid == ps.pid)
                && main.comm != self.root_comm
            {
                self.root_comm = main.comm.clone();
                self.root_exec_at = at;
                self.reshow = true;
            }
            let p = self.ensure_process(ps.pid, ps.ppid, at);
            let proc_ = &mut self.processes[p];
            if proc_.end.is_some() {
                continue; // an exited process lingering as a zombie adds nothing
            }
            proc_.ppid = ps.ppid;
            proc_.cpu = proc_.cpu.max(ps.cpu);
            for ts in &ps.threads {
                let t = self.ensure_thread(ps.pid, ts.tid, at);
                let th = &mut self.threads[t];
                if !th.probed && th.name != ts.comm {
                    th.name = ts.comm.clone();
                    register(&mut self.names, &ts.comm, ps.pid);
                }
                if th.last_cpu.is_none() {
                    // First seen now, and not in the sweep before: it began since then, with
                    // no CPU time (the program's first thread began when it was spawned).
                    th.last_cpu = Some((before.min(at), 0.0));
                }
                th.sampled = true;
                th.read_cpu(at, ts.cpu);
            }
            // Threads of a live process that are gone from /proc have ended; the probe's own
            // threads end by its word (thread_end, exit), never by a read of /proc that failed.
            // The process's own threads, each looked up in the sweep's set: not every thread of
            // the run for each process swept, each against every thread the sweep read.
            let swept: HashSet<u32> = ps.threads.iter().map(|x| x.tid).collect();
            for &t in self.by_pid.get(&ps.pid).into_iter().flatten() {
                let th = &mut self.threads[t];
                if !th.probed && th.end.is_none() && th.sampled && !swept.contains(&th.tid) {
                    th.end = Some(at);
                }
            }
        }
        if !procs.is_empty() {
            self.recount_cpu = true;
        }
        // Processes gone from the tree have ended (their exit line, if any, came first). A
        // probed one must be missing from two sweeps in a row: one read of /proc can fail.
        let swept: HashSet<u32> = procs.iter().map(|q| q.pid).collect();
        let missing: Vec<u32> = self
            .processes
            .iter()
            .filter(|p| p.end.is_none() && !swept.contains(&p.pid))
            .map(|p| p.pid)
            .collect();
        for &pid in &missing {
            let probed = self.process(pid).is_some_and(|p| p.hello.is_some());
            if !probed || self.missing.contains(&pid) {
                self.close_process(pid, at);
            }
        }
        self.missing = missing;
        self.now = self.now.max(at);
        self.release_stdout();
    }

    fn on_exit(&mut self, ended: Ended) {
        self.now = self.now.max(ended.at);
        self.ended = Some(ended);
        let root = self.root;
        if let Some(&p) = self.process_at.get(&root) {
            let p = &mut self.processes[p];
            p.exit_code = ended.code.map(i64::from).or(p.exit_code);
        }
        self.close_process(root, ended.at);
        self.release_stdout();
        // A program without a probe has no exit line: its end is the only one there is.
        if !self.probed() {
            let code = ended.code.map(i64::from);
            self.push_log(
                ended.at,
                root,
                String::new(),
                LogKind::ProcessEnded { code },
            );
        }
    }

    /// The waits' sum and longest, in lesson seconds.
    pub fn sum_and_longest(&self) -> (f64, f64) {
        (self.wait_sum, self.wait_longest)
    }

    /// Wait `w` asked for `d` more seconds: the sum and the longest, kept per event.
    fn asked(&mut self, w: usize, d: f64) {
        self.wait_sum += d;
        self.wait_longest = self.wait_longest.max(self.waits[w].requested);
    }

    /// A wait began (a new row, or a row's next tick) or ended: the waits in progress, and the
    /// most there have been, kept per event.
    fn wait_began(&mut self) {
        self.waits_open += 1;
        self.waits_most = self.waits_most.max(self.waits_open);
    }

    fn wait_ended(&mut self) {
        self.waits_open = self.waits_open.saturating_sub(1);
    }

    /// What the CPU figures show about computing (see [`gil_finding`]), derived again only
    /// after an input changed something.
    pub fn finding(&self) -> Option<GilFinding> {
        if let Some((g, f)) = self.finding.get()
            && g == self.generation
        {
            return f;
        }
        let f = gil_finding(&CpuFigures::of(self));
        self.finding.set(Some((self.generation, f)));
        f
    }

    /// The most waits that were in progress at the same moment. While the program runs, as
    /// kept per event in the order starts and ends arrived; once it has ended, counted from
    /// the waits' own times, derived again only after an input changed something: processes
    /// report on connections of their own, so one's wake can arrive before another's earlier
    /// sleep.
    pub fn max_overlap(&self) -> usize {
        if self.ended.is_none() {
            return self.waits_most;
        }
        if let Some((g, n)) = self.overlap.get()
            && g == self.generation
        {
            return n;
        }
        let n = self.count_overlap();
        self.overlap.set(Some((self.generation, n)));
        n
    }

    fn count_overlap(&self) -> usize {
        #[cfg(test)]
        self.overlap_counts.set(self.overlap_counts.get() + 1);
        let mut edges: Vec<(f64, i32)> = Vec::new();
        for w in &self.waits {
            // A wait killed with its process ended with it; one still open has no end yet.
            let killed_at = (w.killed)
                .then(|| self.process(w.pid).and_then(|p| p.end))
                .flatten();
            edges.push((w.start, 1));
            edges.push((w.end.or(killed_at).unwrap_or(f64::INFINITY), -1));
        }
        // An end and a start at the same instant do not overlap.
        edges.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let (mut now, mut most) = (0i32, 0i32);
        for (_, d) in edges {
            now += d;
            most = most.max(now);
        }
        most as usize
    }

    /// Whether a process belongs on screen and in the report: not a launcher's helper (pyenv's
    /// shim runs a few shell processes before it becomes Python) that came and went before the
    /// program said hello.
    pub fn shown(&self, p: &Process) -> bool {
        if p.hello.is_some() || p.pid == self.root {
            return true;
        }
        if self.probed() {
            p.start >= self.started()
        } else {
            p.end.is_none_or(|e| e > self.root_exec_at)
        }
    }

    /// Whether `pid` is the program's main process (the probed one, or the command itself).
    pub fn is_main(&self, pid: u32) -> bool {
        self.main.map_or(pid == self.root, |m| m == pid)
    }

    /// The processes that are shown, in the order they appeared.
    pub fn shown_processes(&self) -> impl Iterator<Item = &Process> {
        self.shown.iter().map(|&i| &self.processes[i])
    }

    /// The threads of shown processes.
    pub fn shown_threads(&self) -> impl Iterator<Item = &Thread> {
        self.threads
            .iter()
            .filter(|t| self.process(t.pid).is_none_or(|p| self.shown(p)))
    }

    /// CPU seconds the program used while it ran: every shown process since its probe loaded,
    /// or, without a probe, the kernel's total for the program and its children.
    pub fn cpu_total(&self) -> f64 {
        let sum = self.cpu_sum;
        if self.probed() {
            sum
        } else {
            sum.max(self.ended.map_or(0.0, |e| e.cpu))
        }
    }

    /// CPU seconds over wall seconds: how many cores the program kept busy on average.
    pub fn cores_busy(&self) -> Option<f64> {
        // Over the same span as the CPU time: from the probe loading (or the start).
        let wall = (self.end() - self.started()).max(0.0);
        (wall > 0.0 && self.samples > 0).then(|| self.cpu_total() / wall)
    }

    /// Whether any thread of the program has been a daemon.
    pub fn has_daemons(&self) -> bool {
        self.daemons
    }

    /// Threads that ended killed with their process.
    pub fn killed(&self) -> impl Iterator<Item = &Thread> {
        self.killed.iter().map(|&t| &self.threads[t])
    }

    /// Median and largest delay from the probe sending a line to threadlab reading it, in ms.
    pub fn delay_ms(&self) -> Option<(f64, f64)> {
        if self.delays.is_empty() {
            return None;
        }
        let mut d = self.delays.clone();
        d.sort_by(f64::total_cmp);
        Some((d[d.len() / 2] * 1000.0, d[d.len() - 1] * 1000.0))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::watch::protocol::parse;

    /// Apply probe `lines` (one JSON event each) to `p` as they would arrive.
    pub(crate) fn feed(p: &mut Program, lines: &[&str]) {
        for l in lines {
            let (stamp, event) = parse(l.as_bytes()).unwrap();
            p.apply(Input::Probe {
                received: stamp.t,
                stamp,
                event,
            });
        }
    }

    #[test]
    fn a_ticker_is_one_row_with_ticks_and_its_daemon_is_killed_at_exit() {
        let mut p = Program::new(vec!["python3".into()], 1.0, 10, 0.0);
        feed(
            &mut p,
            &[
                r#"{"v":1,"ev":"hello","t":1.0,"pid":10,"tid":10,"name":"MainThread","python":"3.11.7","gil":true}"#,
                r#"{"v":1,"ev":"thread_start","t":1.1,"pid":10,"tid":11,"name":"Thread-1 (display)","daemon":true,"cls":"Thread","target":"display","args":[["","Ping"]]}"#,
                r#"{"v":1,"ev":"sleep","t":1.2,"pid":10,"tid":11,"d":0.1,"fn":"display","site":"t.py:9","args":[["content","Ping"]]}"#,
                r#"{"v":1,"ev":"wake","t":1.3,"pid":10,"tid":11}"#,
                r#"{"v":1,"ev":"sleep","t":1.3,"pid":10,"tid":11,"d":0.1,"fn":"display","site":"t.py:9","args":[["content","Ping"]]}"#,
                r#"{"v":1,"ev":"exit","t":1.35,"pid":10,"tid":10,"alive":[{"tid":11,"name":"Thread-1 (display)","daemon":true}]}"#,
            ],
        );
        assert_eq!(p.waits.len(), 1);
        assert_eq!(p.waits[0].ticks, 2);
        assert_eq!(p.waits[0].label, "Ping");
        assert!(p.waits[0].killed);
        let killed: Vec<_> = p.killed().map(|t| t.name.as_str()).collect();
        assert_eq!(killed, ["Thread-1 (display)"]);
        // From the first thread started, not from the probe loading: imports are not the lesson.
        assert!((p.wall() - 0.25).abs() < 1e-9);
    }

    #[test]
    fn speed_scales_only_a_program_that_sleeps() {
        let mut p = Program::new(vec![], 10.0, 1, 0.0);
        feed(
            &mut p,
            &[
                r#"{"v":1,"ev":"hello","t":1.0,"pid":1,"tid":1,"name":"MainThread","python":"3.11.7","gil":true}"#,
            ],
        );
        // Computing only: --speed divides nothing, so its seconds are real seconds.
        assert_eq!(p.scale(), 1.0);
        assert!(p.speed_unused());
        feed(
            &mut p,
            &[r#"{"v":1,"ev":"sleep","t":1.5,"pid":1,"tid":1,"d":3,"args":[["f","a"]]}"#],
        );
        assert_eq!(p.scale(), 10.0);
        assert!(!p.speed_unused());
        assert!((p.lesson(2.0) - p.lesson(1.9) - 1.0).abs() < 1e-9);
    }
    #[test]
    fn serial_waits_do_not_overlap_and_threads_do() {
        let mut p = Program::new(vec![], 1.0, 1, 0.0);
        feed(
            &mut p,
            &[
                r#"{"v":1,"ev":"sleep","t":1.0,"pid":1,"tid":1,"d":3,"args":[["f","a"]]}"#,
                r#"{"v":1,"ev":"wake","t":4.0,"pid":1,"tid":1}"#,
                r#"{"v":1,"ev":"sleep","t":4.0,"pid":1,"tid":1,"d":2,"args":[["f","b"]]}"#,
                r#"{"v":1,"ev":"wake","t":6.0,"pid":1,"tid":1}"#,
            ],
        );
        assert_eq!(p.waits.len(), 2);
        assert_eq!(p.max_overlap(), 1);
        assert_eq!(p.sum_and_longest(), (5.0, 3.0));
        feed(
            &mut p,
            &[
                r#"{"v":1,"ev":"sleep","t":7.0,"pid":1,"tid":2,"d":3,"args":[["f","c"]]}"#,
                r#"{"v":1,"ev":"sleep","t":7.1,"pid":1,"tid":3,"d":3,"args":[["f","d"]]}"#,
            ],
        );
        assert_eq!(p.max_overlap(), 2);
    }

    #[test]
    fn a_launchers_helpers_are_left_out_without_a_probe() {
        use crate::watch::sampler::{ProcSample, ThreadSample};
        let proc_ = |pid: u32, ppid: u32, comm: &str| ProcSample {
            pid,
            ppid,
            cpu: 0.0,
            threads: vec![ThreadSample {
                tid: pid,
                comm: comm.into(),
                cpu: 0.0,
            }],
        };
        let mut p = Program::new(vec!["python3".into()], 1.0, 10, 0.0);
        // pyenv's shim: bash with a helper child, then exec into python3, which forks a child.
        p.apply(Input::Samples {
            at: 0.1,
            procs: vec![proc_(10, 1, "bash"), proc_(11, 10, "bash")],
            idle: None,
        });
        p.apply(Input::Samples {
            at: 0.2,
            procs: vec![proc_(10, 1, "python3"), proc_(12, 10, "python3")],
            idle: None,
        });
        let shown: Vec<u32> = p.shown_processes().map(|q| q.pid).collect();
        assert_eq!(shown, [10, 12]);
        assert_eq!(p.shown_thread_count(), p.shown_threads().count());
        assert!(p.is_main(10));
        assert_eq!(p.thread_name(10, 10), "python3");
    }

    #[test]
    fn async_sleeps_overlap_on_one_thread() {
        let mut p = Program::new(vec![], 1.0, 1, 0.0);
        feed(
            &mut p,
            &[
                r#"{"v":1,"ev":"sleep","t":1.0,"pid":1,"tid":1,"d":4,"w":1,"site":"a.py:16","args":[["filename","a"]]}"#,
                r#"{"v":1,"ev":"sleep","t":1.0,"pid":1,"tid":1,"d":6,"w":2,"site":"a.py:16","args":[["filename","b"]]}"#,
                r#"{"v":1,"ev":"wake","t":5.0,"pid":1,"tid":1,"w":1}"#,
                r#"{"v":1,"ev":"wake","t":7.0,"pid":1,"tid":1,"w":2}"#,
            ],
        );
        assert_eq!(p.waits.len(), 2);
        assert_eq!(p.waits[0].end, Some(5.0));
        assert_eq!(p.waits[1].end, Some(7.0));
        assert_eq!(p.max_overlap(), 2);
    }

    #[test]
    fn printed_lines_are_stamped_with_their_thread() {
        let mut p = Program::new(vec![], 1.0, 1, 0.0);
        feed(
            &mut p,
            &[
                r#"{"v":1,"ev":"thread_start","t":1.0,"pid":1,"tid":2,"name":"Thread-1 (download)"}"#,
                r#"{"v":1,"ev":"print","t":1.1,"pid":1,"tid":2,"stream":"stdout","text":"Downloading a.pdf...\n"}"#,
            ],
        );
        let printed: Vec<_> = (p.log.iter())
            .filter_map(|e| match &e.kind {
                LogKind::Printed(s) => Some((e.thread.as_str(), s.as_str())),
                _ => None,
            })
            .collect();
        assert_eq!(printed, [("Thread-1 (download)", "Downloading a.pdf...")]);
    }

    #[test]
    fn a_lanes_cells_read_the_same_from_the_figures_kept_per_event() {
        use crate::watch::sampler::{ProcSample, ThreadSample};
        let mut p = Program::new(vec![], 1.0, 1, 0.0);
        feed(
            &mut p,
            &[
                r#"{"v":1,"ev":"hello","t":0.0,"pid":1,"tid":1,"name":"MainThread","thread_cpu":0.0}"#,
            ],
        );
        // Uneven CPU between 400 sweeps, some with none; sleeps, two asyncio ones overlapping.
        let mut cpu = 0.0;
        let mut lines = Vec::new();
        for k in 1..=400 {
            let at = f64::from(k) * 0.025;
            cpu += 0.025 * f64::from(k % 5) / 4.0 * f64::from(u8::from(k % 7 != 0));
            p.apply(Input::Samples {
                at,
                procs: vec![ProcSample {
                    pid: 1,
                    ppid: 0,
                    cpu,
                    threads: vec![ThreadSample {
                        tid: 1,
                        comm: "python3".into(),
                        cpu,
                    }],
                }],
                idle: None,
            });
            if k % 40 == 0 {
                let t = at;
                lines.push(format!(r#"{{"v":1,"ev":"sleep","t":{t},"pid":1,"tid":1,"d":1,"w":{k},"args":[["f","{k}"]]}}"#));
                lines.push(format!(r#"{{"v":1,"ev":"sleep","t":{},"pid":1,"tid":1,"d":1,"w":{},"args":[["f","x{k}"]]}}"#, t + 0.1, k + 1));
                lines.push(format!(
                    r#"{{"v":1,"ev":"wake","t":{},"pid":1,"tid":1,"w":{}}}"#,
                    t + 0.2,
                    k + 1
                ));
                lines.push(format!(
                    r#"{{"v":1,"ev":"wake","t":{},"pid":1,"tid":1,"w":{k}}}"#,
                    t + 0.3
                ));
            }
        }
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        feed(&mut p, &lines);
        let th = p.thread(1, 1).unwrap();
        for i in 0..200 {
            let (a, b) = (f64::from(i) * 0.05, f64::from(i + 1) * 0.05);
            let naive: f64 = (th.on_cpu.iter())
                .map(|s| (s.to.min(b) - s.from.max(a)).max(0.0) * s.share)
                .sum::<f64>()
                / (b - a);
            assert!((th.share(a, b) - naive).abs() < 1e-9, "{a}..{b}");
            let asleep =
                (p.waits.iter()).any(|w| w.start < b && w.end.unwrap_or(f64::INFINITY) > a);
            assert_eq!(th.asleep_in(a, b, 10.0), asleep, "{a}..{b}");
        }
    }

    #[test]
    fn the_most_waits_at_once_is_kept_per_event_while_the_program_runs() {
        let mut p = Program::new(vec![], 1.0, 1, 0.0);
        // Process 1 waits twice in turn; its child, process 2, reports on a connection of its
        // own, and its wait from 4.5 arrives after process 1's wake at 5.
        let lines = [
            r#"{"v":1,"ev":"hello","t":0.5,"pid":1,"tid":1,"name":"MainThread"}"#,
            r#"{"v":1,"ev":"sleep","t":1.0,"pid":1,"tid":1,"d":1,"args":[["f","a"]]}"#,
            r#"{"v":1,"ev":"wake","t":2.0,"pid":1,"tid":1}"#,
            r#"{"v":1,"ev":"sleep","t":3.0,"pid":1,"tid":1,"d":2,"args":[["f","b"]]}"#,
            r#"{"v":1,"ev":"wake","t":5.0,"pid":1,"tid":1}"#,
            r#"{"v":1,"ev":"hello","t":4.0,"pid":2,"tid":2,"ppid":1,"name":"MainThread"}"#,
            r#"{"v":1,"ev":"sleep","t":4.5,"pid":2,"tid":2,"d":1.5,"args":[["f","c"]]}"#,
            r#"{"v":1,"ev":"wake","t":6.0,"pid":2,"tid":2}"#,
        ];
        for (i, l) in lines.iter().enumerate() {
            feed(&mut p, &[l]);
            // A frame while it runs reads the figure kept per event: nothing is counted again.
            for _ in 0..3 {
                assert!(p.max_overlap() <= 1, "after line {i}");
            }
            assert_eq!(
                p.overlap_counts.get(),
                0,
                "counted per frame after line {i}"
            );
        }
        assert_eq!(p.max_overlap(), 1);
        p.apply(Input::Exited(Ended {
            code: Some(0),
            signal: None,
            cpu: 0.0,
            at: 6.1,
        }));
        // Once it has ended, from the waits' own times: 3 to 5 and 4.5 to 6 overlapped. Counted
        // once, however many frames ask.
        for _ in 0..5 {
            assert_eq!(p.max_overlap(), 2);
        }
        assert_eq!(p.overlap_counts.get(), 1);
    }

    #[test]
    fn the_figures_kept_per_event_read_as_the_whole_run_derives_them() {
        use crate::watch::sampler::{ProcSample, ThreadSample};
        // Brute force, as a frame used to derive them from every process and thread.
        fn check(p: &Program, step: &str) {
            let shown: Vec<u32> = (p.processes.iter())
                .filter(|q| p.shown(q))
                .map(|q| q.pid)
                .collect();
            let kept: Vec<u32> = p.shown_processes().map(|q| q.pid).collect();
            assert_eq!(kept, shown, "{step}");
            assert_eq!(p.shown_process_count(), shown.len(), "{step}");
            assert_eq!(p.shown_thread_count(), p.shown_threads().count(), "{step}");
            let rows: usize = (shown.iter())
                .map(|&pid| 1 + p.threads.iter().filter(|t| t.pid == pid).count())
                .sum();
            assert_eq!(p.shown_rows(), rows, "{step}");
            let cpu: f64 = (p.processes.iter())
                .filter(|q| p.shown(q))
                .map(Process::run_cpu)
                .sum();
            let total = if p.probed() {
                cpu
            } else {
                cpu.max(p.ended.map_or(0.0, |e| e.cpu))
            };
            assert!((p.cpu_total() - total).abs() < 1e-9, "{step}");
            let sum: f64 = p.waits.iter().map(|w| w.requested).sum();
            let longest = p.waits.iter().map(|w| w.requested).fold(0.0, f64::max);
            let (s, l) = p.sum_and_longest();
            assert!(
                (s - sum).abs() < 1e-9 && (l - longest).abs() < 1e-9,
                "{step}"
            );
            let killed: Vec<u32> = (p.threads.iter())
                .filter(|t| t.killed)
                .map(|t| t.tid)
                .collect();
            let kept: Vec<u32> = p.killed().map(|t| t.tid).collect();
            assert_eq!(kept, killed, "{step}");
        }
        let sample = |at: f64, procs: Vec<(u32, u32, Vec<u32>)>| Input::Samples {
            at,
            procs: (procs.into_iter())
                .map(|(pid, ppid, tids)| ProcSample {
                    pid,
                    ppid,
                    cpu: at * f64::from(tids.len() as u32) * 0.1,
                    threads: (tids.iter())
                        .map(|&tid| ThreadSample {
                            tid,
                            comm: "python3".into(),
                            cpu: at * 0.1,
                        })
                        .collect(),
                })
                .collect(),
            idle: None,
        };
        let mut p = Program::new(vec!["python3".into()], 1.0, 10, 0.0);
        // A launcher's helper before the program says hello: not shown once it has.
        p.apply(sample(0.05, vec![(10, 1, vec![10]), (11, 10, vec![11])]));
        check(&p, "launcher");
        let mut inputs: Vec<Input> = Vec::new();
        let probe = |l: String| {
            let (stamp, event) = parse(l.as_bytes()).unwrap();
            Input::Probe {
                received: stamp.t,
                stamp,
                event,
            }
        };
        inputs.push(probe(r#"{"v":1,"ev":"hello","t":0.1,"pid":10,"tid":10,"name":"MainThread","cpu":0.01,"thread_cpu":0.01}"#.into()));
        let mut swept = vec![(10, 1, vec![10])];
        for (k, pid) in [20u32, 30, 40].into_iter().enumerate() {
            let t = 0.2 + k as f64 * 0.1;
            inputs.push(probe(format!(r#"{{"v":1,"ev":"hello","t":{t},"pid":{pid},"tid":{pid},"ppid":10,"name":"MainThread"}}"#)));
            for n in 1..=3 {
                let tid = pid + n;
                inputs.push(probe(format!(r#"{{"v":1,"ev":"thread_start","t":{t},"pid":{pid},"tid":{tid},"name":"T-{n}","daemon":{}}}"#, n == 3)));
                inputs.push(probe(format!(r#"{{"v":1,"ev":"sleep","t":{t},"pid":{pid},"tid":{tid},"d":{},"args":[["f","{tid}"]]}}"#, f64::from(n) * 0.7)));
            }
            // Every child so far is in the sweep: one missing from two would have ended.
            swept.push((pid, 10, vec![pid, pid + 1, pid + 2, pid + 3]));
            inputs.push(sample(t + 0.05, swept.clone()));
            inputs.push(probe(format!(
                r#"{{"v":1,"ev":"wake","t":{},"pid":{pid},"tid":{}}}"#,
                t + 0.06,
                pid + 1
            )));
            inputs.push(probe(format!(
                r#"{{"v":1,"ev":"thread_end","t":{},"pid":{pid},"tid":{},"cpu":0.02}}"#,
                t + 0.06,
                pid + 1
            )));
        }
        // One child leaves with a daemon still asleep (killed), one vanishes from /proc twice.
        inputs.push(probe(r#"{"v":1,"ev":"exit","t":0.6,"pid":20,"tid":20,"code":0,"cpu":0.5,"alive":[{"tid":23,"name":"T-3","daemon":true}]}"#.into()));
        inputs.push(sample(
            0.65,
            vec![swept[0].clone(), swept[2].clone(), swept[3].clone()],
        ));
        inputs.push(sample(
            0.7,
            vec![(10, 1, vec![10]), (40, 10, vec![40, 42, 43])],
        ));
        inputs.push(sample(0.8, vec![(10, 1, vec![10]), (40, 10, vec![40, 43])]));
        inputs.push(probe(
            r#"{"v":1,"ev":"exit","t":0.9,"pid":10,"tid":10,"code":0,"cpu":0.2,"alive":[]}"#.into(),
        ));
        inputs.push(Input::Exited(Ended {
            code: Some(0),
            signal: None,
            cpu: 3.0,
            at: 0.95,
        }));
        for (i, input) in inputs.into_iter().enumerate() {
            p.apply(input);
            check(&p, &format!("input {i}"));
        }
        assert_eq!(p.killed().count(), 1);
        assert_eq!(p.shown_process_count(), 4);
    }

    #[test]
    fn a_wait_killed_with_its_process_ends_there_for_the_most_at_once() {
        // A child killed while it slept, then the parent's own wait: one at a time.
        let mut p = Program::new(vec![], 1.0, 1, 0.0);
        feed(
            &mut p,
            &[
                r#"{"v":1,"ev":"hello","t":0.5,"pid":1,"tid":1,"name":"MainThread"}"#,
                r#"{"v":1,"ev":"hello","t":0.6,"pid":2,"tid":2,"ppid":1,"name":"MainThread"}"#,
                r#"{"v":1,"ev":"sleep","t":1.0,"pid":2,"tid":2,"d":10,"args":[["f","a"]]}"#,
                r#"{"v":1,"ev":"exit","t":2.0,"pid":2,"tid":2,"code":-15,"alive":[]}"#,
                r#"{"v":1,"ev":"sleep","t":3.0,"pid":1,"tid":1,"d":1,"args":[["f","b"]]}"#,
                r#"{"v":1,"ev":"wake","t":4.0,"pid":1,"tid":1}"#,
            ],
        );
        assert!(p.waits[0].killed);
        assert_eq!(p.max_overlap(), 1, "while it runs");
        p.apply(Input::Exited(Ended {
            code: Some(0),
            signal: None,
            cpu: 0.0,
            at: 4.1,
        }));
        assert_eq!(p.max_overlap(), 1, "once it has ended");
    }
}
