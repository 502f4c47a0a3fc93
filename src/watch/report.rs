//! What `threadlab watch` prints without a screen: one JSON object (`--json`, in the shape of
//! `run --json`), or the lesson-style transcript, line by line as the program runs.

use super::model::{LogEntry, LogKind, Program};
use super::session::Ended;
use crate::i18n::{Key, Lang, t, tf};
use crate::run_state::TaskReport;
use serde::Serialize;

/// A thread in the report.
#[derive(Debug, Serialize)]
pub struct ThreadReport {
    pub name: String,
    pub pid: u32,
    pub tid: u32,
    pub daemon: bool,
    /// The `Thread` subclass, when the program made its own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    pub target: Option<String>,
    /// What it worked on: its target's plain arguments, as one label.
    pub args: String,
    pub start_s: f64,
    pub end_s: Option<f64>,
    /// CPU seconds (real seconds, not lesson seconds).
    pub cpu_s: f64,
    /// Still running when its process ended, so killed with it.
    pub alive_at_exit: bool,
    /// Known to the probe (false: seen in /proc only).
    pub probed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A process in the report.
#[derive(Debug, Serialize)]
pub struct ProcessReport {
    pub pid: u32,
    pub ppid: u32,
    pub probed: bool,
    pub start_s: f64,
    pub end_s: Option<f64>,
    pub cpu_s: f64,
    pub exit_code: Option<i64>,
}

/// A printed line, with the thread that printed it.
#[derive(Debug, Serialize)]
pub struct PrintReport {
    pub thread: String,
    pub pid: u32,
    pub at_s: f64,
    pub text: String,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub stderr: bool,
}

/// One wait in the report: a download's row, with how many sleeps it took (a ticker's ticks).
#[derive(Debug, Serialize)]
pub struct WaitReport {
    #[serde(flatten)]
    pub task: TaskReport,
    pub pid: u32,
    pub function: String,
    pub sleeps: u32,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub killed: bool,
}

/// The object `threadlab watch --json` prints. Times are lesson seconds (wall × speed) from the
/// main process's start, as in `run --json`; CPU seconds are real seconds.
#[derive(Debug, Serialize)]
pub struct WatchReport {
    pub command: Vec<String>,
    pub speed: f64,
    /// Whether the probe connected (false: not Python, or run with -I, -E or -S).
    pub probed: bool,
    pub python: Option<String>,
    /// The build's GIL state from the probe's hello; null without a probe.
    pub gil: Option<bool>,
    pub cpus: Option<u32>,
    /// The waits (each `time.sleep` in a thread, or a run of them from one place).
    pub tasks: Vec<WaitReport>,
    /// From the program's first thread, sleep, submit or print to its main process's exit.
    pub elapsed_s: f64,
    pub sum_s: f64,
    pub max_s: f64,
    /// Real seconds from the probe loading to that first activity (imports, mostly).
    pub startup_s: f64,
    /// The most waits in progress at the same moment.
    pub max_parallel_waits: usize,
    pub threads: Vec<ThreadReport>,
    pub processes: Vec<ProcessReport>,
    pub prints: Vec<PrintReport>,
    /// Print calls after the first 10,000, counted but not listed.
    #[serde(skip_serializing_if = "is_zero")]
    pub prints_dropped: usize,
    /// CPU seconds of the whole program, and that over the wall time.
    pub cpu_s: f64,
    pub cores_busy: Option<f64>,
    /// Cores the whole machine had idle on average while it ran (from /proc/stat).
    pub idle_cores: Option<f64>,
    /// Threads that computed (a twentieth of the CPU time or more), and their processes.
    pub computing_threads: usize,
    pub computing_processes: usize,
    /// What those figures show about computing (the GIL), as the screen says it; null when
    /// they show nothing (fewer than two computed, or the run was too short to measure).
    pub finding: Option<GilFinding>,
    pub exit_code: Option<i32>,
    /// The signal that ended the program, if one did.
    pub signal: Option<i32>,
    /// Its last lines of stderr when it failed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stderr_tail: Vec<String>,
    /// Probe lines that could not be read, and lines of a kind or version this build does not know.
    pub malformed_lines: usize,
    pub unknown_lines: usize,
    /// Probe line to threadlab: median and largest delay, in ms.
    pub delivery_ms: Option<[f64; 2]>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// A figure to the hundredth, as it is shown.
pub fn hundredths(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn ms(s: f64) -> f64 {
    (s * 1000.0).round() / 1000.0
}

/// The report of a finished (or interrupted) program.
pub fn report(p: &Program) -> WatchReport {
    let lesson = |t: f64| ms(p.lesson(t));
    let (sum, longest) = p.sum_and_longest();
    let hello = p.hello();
    let failed = p.ended.is_some_and(|e| e.code != Some(0));
    let figures = CpuFigures::of(p);
    WatchReport {
        command: p.command.clone(),
        speed: p.speed,
        probed: p.probed(),
        python: hello.map(|h| h.python.clone()),
        gil: hello.map(|h| h.gil),
        cpus: hello.and_then(|h| h.cpus),
        tasks: (p.waits.iter())
            .map(|w| WaitReport {
                task: TaskReport {
                    name: w.label.clone(),
                    duration_s: ms(w.requested),
                    worker: Some(p.thread_name(w.pid, w.tid)),
                    start_s: Some(lesson(w.start)),
                    end_s: w.end.map(lesson),
                    error: None,
                },
                pid: w.pid,
                function: w.function.clone(),
                sleeps: w.ticks,
                killed: w.killed,
            })
            .collect(),
        elapsed_s: ms(p.wall() * p.scale()),
        sum_s: ms(sum),
        max_s: ms(longest),
        startup_s: ms(p.startup()),
        max_parallel_waits: p.max_overlap(),
        threads: (p.shown_threads())
            .map(|th| ThreadReport {
                name: th.name.clone(),
                pid: th.pid,
                tid: th.tid,
                daemon: th.daemon,
                class: (!th.class.is_empty() && th.class != "Thread").then(|| th.class.clone()),
                target: th.target.clone(),
                args: super::protocol::label(&th.args),
                start_s: lesson(th.start),
                end_s: th.end.map(lesson),
                cpu_s: ms(th.run_cpu()),
                alive_at_exit: th.killed,
                probed: th.probed,
                error: th.error.clone(),
            })
            .collect(),
        processes: (p.shown_processes())
            .map(|pr| ProcessReport {
                pid: pr.pid,
                ppid: pr.ppid,
                probed: pr.hello.is_some(),
                start_s: lesson(pr.start),
                end_s: pr.end.map(lesson),
                cpu_s: ms(pr.run_cpu()),
                exit_code: pr.exit_code,
            })
            .collect(),
        prints: (p.prints.iter())
            .map(|pr| PrintReport {
                thread: p.thread_name(pr.pid, pr.tid),
                pid: pr.pid,
                at_s: lesson(pr.at),
                text: pr.text.clone(),
                stderr: pr.stderr,
            })
            .collect(),
        prints_dropped: p.prints_dropped,
        cpu_s: ms(p.cpu_total()),
        cores_busy: figures.busy,
        idle_cores: figures.idle,
        computing_threads: figures.computing().0,
        computing_processes: figures.computing().1,
        finding: gil_finding(&figures),
        exit_code: p.ended.and_then(|e| e.code),
        signal: p.ended.and_then(|e| e.signal),
        stderr_tail: if failed {
            p.stderr_tail.iter().cloned().collect()
        } else {
            Vec::new()
        },
        malformed_lines: p.malformed,
        unknown_lines: p.unknown,
        delivery_ms: p.delay_ms().map(|(a, b)| [ms(a), ms(b)]),
    }
}

/// A program's text as it may be shown (controls and invisible characters escaped), owned.
pub fn clean(s: &str) -> String {
    crate::text::shown(s).into_owned()
}

/// One transcript line for one log entry.
pub fn transcript_line(lang: Lang, p: &Program, e: &LogEntry) -> String {
    let at = p.lesson(e.at);
    // When threads of two processes share the name (each workshop's `ThreadPoolExecutor-0_0`),
    // the line says which process, as the wait rows do.
    let who = match (e.thread.is_empty(), p.name_shared(&e.thread)) {
        (true, _) => String::new(),
        (false, false) => format!("[{}] ", clean(&e.thread)),
        (false, true) => format!(
            "[{}{}] ",
            clean(&e.thread),
            tf(lang, Key::watch_thread_in_process, &[&e.pid])
        ),
    };
    let what = match &e.kind {
        LogKind::Printed(s) | LogKind::Stdout(s) => clean(s),
        LogKind::Stderr(s) => format!("stderr: {}", clean(s)),
        LogKind::ProcessStarted => tf(lang, Key::watch_process_started, &[&e.pid]),
        LogKind::ThreadStarted { daemon, label } => {
            let key = if *daemon {
                Key::watch_daemon_started
            } else {
                Key::watch_thread_started
            };
            tf(lang, key, &[&clean(label)])
        }
        LogKind::ThreadEnded { error: None } => t(lang, Key::watch_thread_ended).to_string(),
        LogKind::ThreadEnded { error: Some(e) } => tf(lang, Key::watch_thread_raised, &[&clean(e)]),
        LogKind::Sleep { seconds, label } => tf(
            lang,
            Key::watch_sleeps,
            &[&format!("{seconds:.2}"), &clean(label)],
        ),
        LogKind::Killed { names } => tf(
            lang,
            Key::watch_killed,
            &[&names
                .iter()
                .map(|n| clean(n))
                .collect::<Vec<_>>()
                .join(", ")],
        ),
        LogKind::ProcessEnded { code: Some(c) } => {
            tf(lang, Key::watch_process_exited, &[&e.pid, &c])
        }
        LogKind::ProcessEnded { code: None } => tf(lang, Key::watch_process_ended, &[&e.pid]),
    };
    format!("{at:>7.2} s  {who}{what}")
}

/// "GIL on" or "GIL off", in `lang`: what the probe said of the build that ran.
pub fn gil_state(lang: Lang, gil: bool) -> &'static str {
    let key = match gil {
        true => Key::watch_gil_on,
        false => Key::watch_gil_off,
    };
    t(lang, key)
}

/// How the program ended, in `lang`: its exit code, or the signal that ended it.
pub fn exit_status(lang: Lang, e: Ended) -> String {
    match (e.code, e.signal) {
        (Some(c), _) => tf(lang, Key::watch_exit_code, &[&c]),
        (None, Some(s)) => tf(lang, Key::watch_exit_signal, &[&s]),
        (None, None) => t(lang, Key::watch_exit_unknown).to_string(),
    }
}

/// The transcript's first line: what runs, and whether a probe reports from it.
pub fn transcript_head(lang: Lang, p: &Program) -> String {
    let cmd = clean(&p.command.join(" "));
    match p.hello() {
        Some(h) => tf(
            lang,
            Key::watch_head_probed,
            &[
                &cmd,
                &h.python,
                &gil_state(lang, h.gil),
                &h.cpus.map_or("?".to_string(), |c| c.to_string()),
            ],
        ),
        None => tf(lang, Key::watch_head_unprobed, &[&cmd]),
    }
}

/// The closing lines: exit status, times, threads and cores, and what the figures support.
pub fn transcript_tail(lang: Lang, p: &Program) -> Vec<String> {
    let mut out = Vec::new();
    if !p.probed() {
        out.push(t(lang, Key::watch_no_probe).to_string());
    }
    if p.scale() != 1.0 {
        out.push(tf(lang, Key::watch_speed_note, &[&p.speed]));
    } else if p.speed_unused() {
        out.push(tf(lang, Key::watch_speed_unused, &[&p.speed]));
    }
    let (sum, longest) = p.sum_and_longest();
    let status = match p.ended {
        Some(e) => exit_status(lang, e),
        None => t(lang, Key::watch_exit_unknown).to_string(),
    };
    out.push(tf(
        lang,
        Key::watch_summary,
        &[
            &status,
            &format!("{:.2}", p.wall() * p.scale()),
            &format!("{sum:.2}"),
            &format!("{longest:.2}"),
            &p.waits.len(),
            &p.shown_threads().count(),
            &p.shown_processes().count(),
        ],
    ));
    let figures = CpuFigures::of(p);
    if let Some(c) = figures.busy {
        let cpu = format!("{:.2}", p.cpu_total());
        out.push(match figures.idle {
            Some(idle) => tf(
                lang,
                Key::watch_cpu_idle,
                &[&cpu, &format!("{c:.2}"), &format!("{idle:.2}")],
            ),
            None => tf(lang, Key::watch_cpu, &[&cpu, &format!("{c:.2}")]),
        });
    }
    out.extend(conclusions(lang, p));
    if p.ended.is_some_and(|e| e.code != Some(0)) && !p.stderr_tail.is_empty() {
        out.push(t(lang, Key::watch_stderr_tail).to_string());
        out.extend(p.stderr_tail.iter().map(|l| format!("  {}", clean(l))));
    }
    if p.malformed + p.unknown > 0 {
        out.push(tf(lang, Key::watch_bad_lines, &[&p.malformed, &p.unknown]));
    }
    out
}

/// What the measured figures support, and nothing more.
pub fn conclusions(lang: Lang, p: &Program) -> Vec<String> {
    let mut out = Vec::new();
    let (sum, longest) = p.sum_and_longest();
    let elapsed = p.wall() * p.scale();
    if p.waits.len() >= 2 && p.ended.is_some() {
        let overlap = p.max_overlap();
        if overlap >= 2 && elapsed < sum {
            out.push(tf(
                lang,
                Key::watch_waits_overlapped,
                &[&overlap, &format!("{elapsed:.2}"), &format!("{sum:.2}")],
            ));
        } else if overlap == 1 && elapsed >= sum {
            out.push(tf(lang, Key::watch_waits_serial, &[&format!("{sum:.2}")]));
        }
        let _ = longest;
    }
    // Gathered only once the program has ended (before that there is no verdict): the watch
    // screen asks every frame, and the figures collect every thread.
    if p.ended.is_some()
        && let Some(finding) = p.finding()
    {
        out.push(finding.text(lang));
    }
    out
}

/// The measured figures the verdict on computing reads, gathered once from a program, so the
/// rules can be checked on any figures.
#[derive(Debug, Clone, PartialEq)]
pub struct CpuFigures {
    /// The run is over, and ended by itself: a verdict is about a whole run.
    pub ended: bool,
    /// The program's CPU seconds over its wall time: how many cores it kept busy.
    pub busy: Option<f64>,
    /// Cores of the machine idle on average meanwhile (everyone's work counted).
    pub idle: Option<f64>,
    /// The machine's cores, and the ones the program was allowed to use.
    pub cpus: Option<u32>,
    pub usable: Option<u32>,
    /// The build's GIL state (true without a probe: every CPython before 3.13 has one).
    pub gil: bool,
    /// The program's CPU seconds, and each thread's, with its process's pid.
    pub cpu: f64,
    pub threads: Vec<(u32, f64)>,
    /// Seconds in which two or more computing threads were on a core between the same two
    /// readings, and seconds in which any was: whether they ever wanted the CPU at once.
    pub together: f64,
    pub computing_for: f64,
}

impl CpuFigures {
    pub fn of(p: &Program) -> Self {
        let hello = p.hello();
        let threads: Vec<(u32, f64)> = p.shown_threads().map(|t| (t.pid, t.run_cpu())).collect();
        let floor = computing_floor(&threads);
        let (together, computing_for) = at_once(
            (p.shown_threads())
                .filter(|t| t.run_cpu() >= floor)
                .map(|t| t.on_cpu.as_slice()),
        );
        CpuFigures {
            // Ran to its end: a program stopped from the screen, or killed, ran only in part.
            ended: p.ended.is_some_and(|e| e.signal.is_none()),
            // To the hundredth, as every screen and report shows them: the rules decide on the
            // figures the class reads.
            busy: p.cores_busy().map(hundredths),
            idle: p.idle_cores().map(hundredths),
            cpus: hello.and_then(|h| h.cpus),
            usable: hello.and_then(|h| h.cpus_usable.or(h.cpus)),
            gil: hello.is_none_or(|h| h.gil),
            cpu: p.cpu_total(),
            threads,
            together,
            computing_for,
        }
    }

    /// Whether the computing threads were on a core at the same time for at least half the time
    /// any of them was: without that, taking turns (or not) is not what the figures show.
    pub fn overlapped(&self) -> bool {
        self.together >= 0.5 * self.computing_for
    }

    /// Who computed: the threads that used at least a quarter of the busiest thread's CPU time
    /// (and a clock tick, 10 ms), the lanes that show time on a core; a pool's manager thread or
    /// a main thread that only waits does not. Relative to the busiest, not to the whole, so 24
    /// equal workers each count (a twentieth of the whole left none of them). Their count, and
    /// how many processes they are in.
    pub fn computing(&self) -> (usize, usize) {
        let floor = computing_floor(&self.threads);
        let mut pids: Vec<u32> = (self.threads.iter())
            .filter(|(_, cpu)| *cpu >= floor)
            .map(|(pid, _)| *pid)
            .collect();
        let threads = pids.len();
        pids.sort_unstable();
        pids.dedup();
        (threads, pids.len())
    }
}

/// The CPU seconds from which a thread counts as computing: a quarter of the busiest's, and
/// at least a clock tick (see [`CpuFigures::computing`]).
fn computing_floor(threads: &[(u32, f64)]) -> f64 {
    let busiest = (threads.iter()).fold(0.0_f64, |m, (_, cpu)| m.max(*cpu));
    (0.25 * busiest).max(0.01)
}

/// Seconds in which two or more of these lanes were on a core (a tenth of one or more, as the
/// lanes draw it), and seconds in which any was.
fn at_once<'a>(lanes: impl Iterator<Item = &'a [crate::watch::model::OnCore]>) -> (f64, f64) {
    let mut edges: Vec<(f64, i32)> = Vec::new();
    for stretches in lanes {
        for s in stretches.iter().filter(|s| s.share >= 0.1) {
            edges.push((s.from, 1));
            edges.push((s.to, -1));
        }
    }
    // An end and a start at the same instant are not at once.
    edges.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let (mut on, mut last, mut two, mut any) = (0, 0.0, 0.0, 0.0);
    for (t, d) in edges {
        if on >= 2 {
            two += t - last;
        }
        if on >= 1 {
            any += t - last;
        }
        on += d;
        last = t;
    }
    (two, any)
}

/// What the CPU figures show about computing threads or processes; `workers` counts threads
/// when one process computed, processes when several did (what the lanes show, grouped).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum GilFinding {
    /// The program could use one core only: its workers took turns, whatever the build.
    OneCore {
        workers: usize,
        processes: usize,
        busy: f64,
    },
    /// More than one core busy on average: they computed at the same time.
    Parallel {
        workers: usize,
        processes: usize,
        busy: f64,
    },
    /// Other programs left under half a core idle: nothing can be told about the GIL.
    NoRoom {
        workers: usize,
        processes: usize,
        busy: f64,
        idle: f64,
        /// Cores other programs kept busy; None when the machine's core count is unknown
        /// (no probe said it), never a zero made up from it.
        others: Option<f64>,
    },
    /// Under one core busy although cores stood idle: too little ran to tell anything.
    TooLittle {
        workers: usize,
        processes: usize,
        busy: f64,
        idle: f64,
    },
    /// They were on a core at the same time for under half the time any was: one after another,
    /// so nothing about taking turns (seconds together, and seconds any computed).
    OneAfterAnother {
        workers: usize,
        processes: usize,
        together: f64,
        computing_for: f64,
    },
    /// Threads of one process kept about one core busy while another stood idle: turns.
    Turns {
        workers: usize,
        processes: usize,
        busy: f64,
        idle: f64,
        gil: bool,
    },
    /// Processes kept about one core busy while another stood idle: the figures, no cause.
    Apart {
        workers: usize,
        processes: usize,
        busy: f64,
        idle: f64,
    },
}

/// More cores busy than this on average is computing at the same time.
const PARALLEL: f64 = 1.3;
/// Fewer idle cores than this on average left no room for a second one.
const ROOM: f64 = 0.5;
/// Fewer cores busy than this is less than one worker computing all the time.
const ONE_CORE: f64 = 0.7;

/// The verdict on computing workers, from measured figures only: none until the run is over,
/// or when fewer than two threads computed.
pub fn gil_finding(f: &CpuFigures) -> Option<GilFinding> {
    if !f.ended {
        return None;
    }
    let busy = f.busy?;
    let (threads, processes) = f.computing();
    if threads < 2 {
        return None;
    }
    let workers = if processes >= 2 { processes } else { threads };
    // More than one core busy on average is computing at once, measured on its own; any other
    // verdict is about workers that wanted the CPU at the same time, so they must have.
    if busy <= PARALLEL && !f.overlapped() {
        return Some(GilFinding::OneAfterAnother {
            workers,
            processes,
            together: hundredths(f.together),
            computing_for: hundredths(f.computing_for),
        });
    }
    if f.usable == Some(1) {
        return Some(GilFinding::OneCore {
            workers,
            processes,
            busy,
        });
    }
    if busy > PARALLEL {
        return Some(GilFinding::Parallel {
            workers,
            processes,
            busy,
        });
    }
    // Taking turns is the GIL only if a core stood free meanwhile (measured, not assumed).
    let idle = f.idle?;
    if idle < ROOM {
        let others = (f.cpus.or(f.usable))
            .map(|cores| hundredths((f64::from(cores) - idle - busy).max(0.0)));
        return Some(GilFinding::NoRoom {
            workers,
            processes,
            busy,
            idle,
            others,
        });
    }
    if busy < ONE_CORE {
        return Some(GilFinding::TooLittle {
            workers,
            processes,
            busy,
            idle,
        });
    }
    Some(if processes == 1 {
        GilFinding::Turns {
            workers,
            processes,
            busy,
            idle,
            gil: f.gil,
        }
    } else {
        GilFinding::Apart {
            workers,
            processes,
            busy,
            idle,
        }
    })
}

impl GilFinding {
    /// The finding in words, with its figures.
    pub fn text(&self, lang: Lang) -> String {
        let f2 = |x: f64| format!("{x:.2}");
        let noun = |processes: usize| {
            t(
                lang,
                if processes >= 2 {
                    Key::watch_noun_processes
                } else {
                    Key::watch_noun_threads
                },
            )
        };
        match *self {
            GilFinding::OneCore {
                workers,
                processes,
                busy,
            } => tf(
                lang,
                Key::watch_one_core,
                &[&workers, &noun(processes), &f2(busy)],
            ),
            GilFinding::Parallel {
                workers,
                processes,
                busy,
            } => tf(
                lang,
                Key::watch_parallel,
                &[&workers, &noun(processes), &f2(busy)],
            ),
            GilFinding::NoRoom {
                workers,
                processes,
                busy,
                idle,
                others,
            } => {
                let key = match (processes >= 2, others.is_some()) {
                    (true, true) => Key::watch_no_room_processes,
                    (false, true) => Key::watch_no_room,
                    (true, false) => Key::watch_no_room_processes_cores_unknown,
                    (false, false) => Key::watch_no_room_cores_unknown,
                };
                let others = others.map_or_else(String::new, f2);
                tf(
                    lang,
                    key,
                    &[&workers, &noun(processes), &f2(busy), &f2(idle), &others],
                )
            }
            GilFinding::OneAfterAnother {
                workers,
                processes,
                together,
                computing_for,
            } => tf(
                lang,
                Key::watch_one_after_another,
                &[
                    &workers,
                    &noun(processes),
                    &f2(together),
                    &f2(computing_for),
                ],
            ),
            GilFinding::TooLittle {
                workers,
                processes,
                busy,
                idle,
            } => tf(
                lang,
                Key::watch_too_little,
                &[&workers, &noun(processes), &f2(busy), &f2(idle)],
            ),
            GilFinding::Turns {
                workers,
                busy,
                idle,
                gil,
                ..
            } => tf(
                lang,
                if gil {
                    Key::watch_gil_turns
                } else {
                    Key::watch_turns_no_gil
                },
                &[&workers, &noun(1), &f2(busy), &f2(idle)],
            ),
            GilFinding::Apart {
                workers,
                busy,
                idle,
                ..
            } => tf(
                lang,
                Key::watch_apart,
                &[&workers, &noun(2), &f2(busy), &f2(idle)],
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::watch::protocol::parse;
    use crate::watch::session::{Ended, Input};

    /// Three threads that each computed 0.3 s in a 1-second run, the machine `idle` cores idle.
    fn computing(idle_per_second: f64) -> Program {
        let mut p = Program::new(vec!["python3".into()], 1.0, 1, 0.0);
        let mut lines = vec![
            r#"{"v":1,"ev":"hello","t":1.0,"pid":1,"tid":1,"name":"MainThread","gil":true,"cpus":2,"cpus_usable":2,"cpu":0.0,"thread_cpu":0.0}"#.to_string(),
        ];
        for tid in 2..5 {
            lines.push(format!(r#"{{"v":1,"ev":"thread_start","t":1.0,"pid":1,"tid":{tid},"name":"Thread-{tid} (checksum)","target":"checksum"}}"#));
            lines.push(format!(
                r#"{{"v":1,"ev":"thread_end","t":2.0,"pid":1,"tid":{tid},"cpu":0.3}}"#
            ));
        }
        let feed = |p: &mut Program, l: &str| {
            let (stamp, event) = parse(l.as_bytes()).unwrap();
            p.apply(Input::Probe {
                received: stamp.t,
                stamp,
                event,
            });
        };
        for l in &lines {
            feed(&mut p, l);
        }
        for (at, idle) in [(1.0, 100.0), (2.0, 100.0 + idle_per_second)] {
            let procs = vec![crate::watch::sampler::ProcSample {
                pid: 1,
                ppid: 0,
                cpu: 0.9 * (at - 1.0),
                threads: Vec::new(),
            }];
            p.apply(Input::Samples {
                at,
                procs,
                idle: Some(idle),
            });
        }
        feed(
            &mut p,
            r#"{"v":1,"ev":"exit","t":2.0,"pid":1,"tid":1,"alive":[],"cpu":0.9,"thread_cpu":0.0}"#,
        );
        p.apply(Input::Exited(Ended {
            code: Some(0),
            signal: None,
            cpu: 0.9,
            at: 2.0,
        }));
        p
    }

    #[test]
    fn threads_taking_turns_are_the_gil_only_when_a_core_stood_free() {
        let free = computing(1.0);
        assert_eq!(free.idle_cores(), Some(1.0));
        // Each thread's own last reading draws its lane: 0.3 of a core from start to end.
        for th in free.threads.iter().filter(|t| !t.main) {
            assert!((th.share(1.0, 2.0) - 0.3).abs() < 1e-9, "{:?}", th.on_cpu);
        }
        let figures = CpuFigures::of(&free);
        assert_eq!(figures.computing(), (3, 1));
        assert!(matches!(
            gil_finding(&figures),
            Some(GilFinding::Turns {
                workers: 3,
                gil: true,
                ..
            })
        ));
        let busy = computing(0.1);
        assert!(matches!(
            gil_finding(&CpuFigures::of(&busy)),
            Some(GilFinding::NoRoom { workers: 3, .. })
        ));
        let text = conclusions(Lang::En, &busy).join("\n");
        assert!(text.contains("cannot tell the GIL"), "{text}");
        // Stopped from the screen (or killed) part-way: the figures of a part, no verdict.
        let mut stopped = computing(1.0);
        stopped.ended = Some(Ended {
            code: None,
            signal: Some(15),
            cpu: 0.9,
            at: 2.0,
        });
        assert_eq!(gil_finding(&CpuFigures::of(&stopped)), None);
    }

    #[test]
    fn threads_that_computed_one_after_another_did_not_take_turns() {
        // Started and joined one by one: each computed 0.45 s alone, a core idle meanwhile.
        let mut p = Program::new(vec!["python3".into()], 1.0, 1, 0.0);
        let mut lines = vec![
            r#"{"v":1,"ev":"hello","t":1.0,"pid":1,"tid":1,"name":"MainThread","gil":true,"cpus":2,"cpus_usable":2,"cpu":0.0,"thread_cpu":0.0}"#.to_string(),
        ];
        for (tid, start) in [(2, 1.0), (3, 1.5)] {
            lines.push(format!(r#"{{"v":1,"ev":"thread_start","t":{start},"pid":1,"tid":{tid},"name":"Thread-{tid} (checksum)","target":"checksum"}}"#));
            lines.push(format!(
                r#"{{"v":1,"ev":"thread_end","t":{},"pid":1,"tid":{tid},"cpu":0.45}}"#,
                start + 0.5
            ));
        }
        lines.push(
            r#"{"v":1,"ev":"exit","t":2.0,"pid":1,"tid":1,"alive":[],"cpu":0.9,"thread_cpu":0.0}"#
                .into(),
        );
        for (i, l) in lines.iter().enumerate() {
            let (stamp, event) = parse(l.as_bytes()).unwrap();
            p.apply(Input::Probe {
                received: stamp.t,
                stamp,
                event,
            });
            if i == 0 {
                for (at, idle) in [(1.0, 100.0), (2.0, 101.1)] {
                    let procs = vec![crate::watch::sampler::ProcSample {
                        pid: 1,
                        ppid: 0,
                        cpu: 0.9 * (at - 1.0),
                        threads: Vec::new(),
                    }];
                    p.apply(Input::Samples {
                        at,
                        procs,
                        idle: Some(idle),
                    });
                }
            }
        }
        p.apply(Input::Exited(Ended {
            code: Some(0),
            signal: None,
            cpu: 0.9,
            at: 2.0,
        }));
        let f = CpuFigures::of(&p);
        assert_eq!(f.computing(), (2, 1));
        assert_eq!((f.together, f.computing_for), (0.0, 1.0));
        // 0.9 cores busy with 1.1 idle would read as turns; they never computed at once.
        assert!(matches!(
            gil_finding(&f),
            Some(GilFinding::OneAfterAnother { workers: 2, .. })
        ));
        let [en, zh] = [conclusions(Lang::En, &p), conclusions(Lang::Zh, &p)].map(|c| c.join("\n"));
        assert!(
            en.contains("2 threads computed, but were on a core at the same time for only 0.00 s of 1.00 s: they ran one after another")
                && !en.contains("took turns"),
            "{en}"
        );
        assert!(
            zh.contains("一个接一个") && !zh.contains("它们轮流运行"),
            "{zh}"
        );
        // Half the time at once is enough; more than a core busy needs no overlap figure.
        let half = CpuFigures {
            together: 0.5,
            ..figures(0.97, 1.01, &[(1, 0.3), (1, 0.35)])
        };
        assert!(matches!(gil_finding(&half), Some(GilFinding::Turns { .. })));
        let less = CpuFigures {
            together: 0.4,
            ..half.clone()
        };
        assert!(matches!(
            gil_finding(&less),
            Some(GilFinding::OneAfterAnother { .. })
        ));
        let parallel = CpuFigures {
            together: 0.0,
            ..figures(1.9, 0.0, &[(2, 0.9), (3, 0.9)])
        };
        assert!(matches!(
            gil_finding(&parallel),
            Some(GilFinding::Parallel { .. })
        ));
    }

    /// A finished run on a 2-core machine with a GIL: `busy` and `idle` cores, and each thread's
    /// (pid, CPU seconds).
    fn figures(busy: f64, idle: f64, threads: &[(u32, f64)]) -> CpuFigures {
        CpuFigures {
            ended: true,
            busy: Some(busy),
            idle: Some(idle),
            cpus: Some(2),
            usable: Some(2),
            gil: true,
            cpu: threads.iter().map(|(_, c)| c).sum(),
            threads: threads.to_vec(),
            together: 1.0,
            computing_for: 1.0,
        }
    }

    fn said(f: &CpuFigures) -> [String; 2] {
        let finding = gil_finding(f).expect("a finding");
        [finding.text(Lang::En), finding.text(Lang::Zh)]
    }

    #[test]
    fn every_thread_that_computed_is_counted_however_busy_the_machine() {
        // The tryout: 3, 6 and 6 rounds on a crowded machine (0.4 cores). The short one used a
        // fifth of the CPU but under a tenth of the wall time, and was left out ("2 workers").
        let main = (1, 0.001);
        let f = figures(0.4, 0.0, &[main, (1, 0.24), (1, 0.48), (1, 0.48)]);
        assert_eq!(f.computing(), (3, 1));
        let [en, zh] = said(&f);
        assert!(
            en.starts_with("3 threads computed and 0.40 cores were busy, but other programs kept 1.60 cores busy, leaving 0.00 idle"),
            "{en}"
        );
        assert!(
            zh.starts_with("3 个线程在计算，占用了 0.40 个核心，但其他程序占用了 1.60 个核心"),
            "{zh}"
        );
        // No probe said how many cores there are: the figures measured, and that the count is
        // unknown; no "other programs kept 0.00 cores busy" made up from a zero.
        let unknown = CpuFigures {
            cpus: None,
            usable: None,
            ..f.clone()
        };
        let finding = gil_finding(&unknown);
        assert!(
            matches!(finding, Some(GilFinding::NoRoom { others: None, .. })),
            "{finding:?}"
        );
        let [en, zh] = said(&unknown);
        assert_eq!(
            en,
            "3 threads computed and 0.40 cores were busy, leaving 0.00 idle; how many cores this machine has is unknown, so this run cannot tell the GIL from a busy machine"
        );
        assert!(
            zh.contains("不知道这台机器有几个核心") && !zh.contains("其他程序"),
            "{zh}"
        );
        let procs = CpuFigures {
            threads: vec![(2, 0.4), (3, 0.4)],
            ..unknown
        };
        let [en, zh] = said(&procs);
        assert!(
            en.contains("is unknown") && !en.contains("other programs"),
            "{en}"
        );
        assert!(zh.contains("不知道这台机器有几个核心"), "{zh}");
        // A pool's manager thread or a main thread that only waits is no worker.
        let f = figures(0.95, 1.0, &[(1, 0.008), (1, 0.6), (1, 0.6), (1, 0.015)]);
        assert_eq!(f.computing(), (2, 1));
    }

    #[test]
    fn threads_of_one_process_on_one_core_with_a_core_free_took_turns() {
        let f = figures(0.97, 1.01, &[(1, 0.002), (1, 0.3), (1, 0.35), (1, 0.3)]);
        assert!(matches!(
            gil_finding(&f),
            Some(GilFinding::Turns { workers: 3, .. })
        ));
        let [en, zh] = said(&f);
        assert_eq!(
            en,
            "3 threads computed, yet only 0.97 cores were busy while 1.01 stood idle: they took turns (this Python has a GIL)"
        );
        assert_eq!(
            zh,
            "3 个线程在计算，却只占用了 0.97 个核心，另有 1.01 个核心空闲：它们轮流运行（这个 Python 有 GIL）"
        );
        // A free-threaded build that stayed on one core: the figures, and no GIL blamed.
        let nogil = CpuFigures { gil: false, ..f };
        let [en, zh] = said(&nogil);
        assert!(
            en.contains("without a GIL") && !en.contains("took turns"),
            "{en}"
        );
        assert!(zh.contains("没有 GIL") && !zh.contains("轮流"), "{zh}");
    }

    #[test]
    fn processes_count_as_processes_and_their_cpu_decides() {
        // cpu_processes.py: the parent's manager thread, two children computing.
        let procs = [(1, 0.002), (1, 0.001), (2, 0.9), (3, 0.8)];
        let f = figures(1.82, 0.1, &procs);
        assert_eq!(f.computing(), (2, 2));
        assert!(matches!(
            gil_finding(&f),
            Some(GilFinding::Parallel {
                workers: 2,
                processes: 2,
                ..
            })
        ));
        let [en, zh] = said(&f);
        assert_eq!(
            en,
            "2 processes computed at once: 1.82 cores busy on average"
        );
        assert_eq!(zh, "2 个进程同时计算：平均占用 1.82 个核心");
        // The tryout: lanes drawn, 0.38 cores busy, nothing idle. Said, not left blank.
        let [en, zh] = said(&figures(0.38, 0.0, &procs));
        assert!(
            en.contains("cannot show processes using every core"),
            "{en}"
        );
        assert!(en.contains("other programs kept 1.62 cores busy"), "{en}");
        assert!(zh.contains("无法展示多个进程用满所有核心"), "{zh}");
        // About one core busy with one idle: the figures, and no cause made up.
        let f = figures(1.05, 0.9, &procs);
        assert!(matches!(gil_finding(&f), Some(GilFinding::Apart { .. })));
        let [en, zh] = said(&f);
        assert_eq!(
            en,
            "2 processes computed, yet only 1.05 cores were busy on average while 0.90 stood idle"
        );
        assert_eq!(
            zh,
            "2 个进程在计算，平均却只占用了 1.05 个核心，另有 0.90 个核心空闲"
        );
    }

    #[test]
    fn nothing_is_concluded_without_the_figures_for_it() {
        let two = [(1, 0.5), (1, 0.5)];
        // One worker, a run not over, no idle figure for a verdict that needs it.
        assert_eq!(gil_finding(&figures(1.0, 1.0, &[(1, 1.0)])), None);
        let running = CpuFigures {
            ended: false,
            ..figures(1.0, 1.0, &two)
        };
        assert_eq!(gil_finding(&running), None);
        let short = CpuFigures {
            idle: None,
            ..figures(1.0, 1.0, &two)
        };
        assert_eq!(gil_finding(&short), None);
        // Parallel needs no idle figure: more than one core busy is measured on its own.
        let short = CpuFigures {
            idle: None,
            ..figures(1.9, 0.0, &[(2, 0.9), (3, 0.9)])
        };
        assert!(matches!(
            gil_finding(&short),
            Some(GilFinding::Parallel { .. })
        ));
        // Under one core busy although a core stood idle: too little to tell.
        let [en, zh] = said(&figures(0.5, 1.3, &two));
        assert!(en.contains("too little to tell"), "{en}");
        assert!(zh.contains("数据太少"), "{zh}");
        // Allowed one core (--cores 1): turns whatever the build.
        let one = CpuFigures {
            usable: Some(1),
            ..figures(0.99, 1.0, &two)
        };
        let [en, zh] = said(&one);
        assert!(en.contains("the one core this program could use"), "{en}");
        assert!(zh.contains("唯一能用的核心"), "{zh}");
    }
}
