//! What `threadlab watch` prints without a screen: one JSON object (`--json`, in the shape of
//! `run --json`), or the lesson-style transcript, line by line as the program runs.

use super::model::{LogEntry, LogKind, Program};
use crate::i18n::{Key, Lang, t, tf};
use crate::report::TaskReport;
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

fn ms(s: f64) -> f64 {
    (s * 1000.0).round() / 1000.0
}

/// The report of a finished (or interrupted) program.
pub fn report(p: &Program) -> WatchReport {
    let lesson = |t: f64| ms(p.lesson(t));
    let (sum, longest) = p.sum_and_longest();
    let hello = p.hello();
    let failed = p.ended.is_some_and(|e| e.code != Some(0));
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
        cores_busy: p.cores_busy().map(|c| (c * 100.0).round() / 100.0),
        idle_cores: p.idle_cores().map(|c| (c * 100.0).round() / 100.0),
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
    let who = if e.thread.is_empty() {
        String::new()
    } else {
        format!("[{}] ", clean(&e.thread))
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
                &t(
                    lang,
                    if h.gil {
                        Key::watch_gil_on
                    } else {
                        Key::watch_gil_off
                    },
                ),
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
        Some(e) => match (e.code, e.signal) {
            (Some(c), _) => tf(lang, Key::watch_exit_code, &[&c]),
            (None, Some(s)) => tf(lang, Key::watch_exit_signal, &[&s]),
            _ => t(lang, Key::watch_exit_unknown).to_string(),
        },
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
    if let Some(c) = p.cores_busy() {
        out.push(tf(
            lang,
            Key::watch_cpu,
            &[&format!("{:.2}", p.cpu_total()), &format!("{c:.2}")],
        ));
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
    if let Some(gil) = gil_finding(p) {
        out.push(match gil {
            GilFinding::Turns { threads, busy, gil } => tf(
                lang,
                if gil {
                    Key::watch_gil_turns
                } else {
                    Key::watch_turns_no_gil
                },
                &[&threads, &format!("{busy:.2}")],
            ),
            GilFinding::Parallel { workers, busy } => tf(
                lang,
                Key::watch_parallel,
                &[&workers, &format!("{busy:.2}")],
            ),
            GilFinding::NoRoom {
                workers,
                busy,
                idle,
            } => tf(
                lang,
                Key::watch_no_room,
                &[&workers, &format!("{busy:.2}"), &format!("{idle:.2}")],
            ),
        });
    }
    out
}

/// What the CPU figures show about computing threads or processes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum GilFinding {
    /// Several threads of one process computed, yet the program kept about one core busy.
    Turns {
        threads: usize,
        busy: f64,
        gil: bool,
    },
    /// Several threads or processes computed on more than one core at once.
    Parallel { workers: usize, busy: f64 },
    /// They kept about one core busy, but the machine had no core to spare: that shows nothing.
    NoRoom {
        workers: usize,
        busy: f64,
        idle: f64,
    },
}

/// A finding only when at least two workers computed (each used a tenth of the wall time or
/// more) on a machine with more than one core, and the run is over.
pub fn gil_finding(p: &Program) -> Option<GilFinding> {
    p.ended?;
    let busy = p.cores_busy()?;
    let wall = p.wall();
    let usable = p
        .hello()
        .and_then(|h| h.cpus_usable.or(h.cpus))
        .unwrap_or(1);
    if usable < 2 || wall <= 0.0 {
        return None;
    }
    let computing = |cpu: f64| cpu >= 0.1 * wall && cpu > 0.05;
    let threads = p.shown_threads().filter(|t| computing(t.run_cpu()));
    let mut per_process: Vec<(u32, usize)> = Vec::new();
    for th in threads {
        match per_process.iter_mut().find(|(pid, _)| *pid == th.pid) {
            Some((_, n)) => *n += 1,
            None => per_process.push((th.pid, 1)),
        }
    }
    let workers: usize = per_process.iter().map(|(_, n)| n).sum();
    if workers < 2 {
        return None;
    }
    if busy > 1.3 {
        return Some(GilFinding::Parallel { workers, busy });
    }
    let (_, most) = per_process.iter().max_by_key(|(_, n)| *n)?;
    // Taking turns is the GIL only if a core stood free meanwhile (measured, not assumed).
    let idle = p.idle_cores()?;
    if idle < 0.5 {
        return Some(GilFinding::NoRoom {
            workers,
            busy,
            idle,
        });
    }
    if per_process.len() == 1 && *most >= 2 {
        let gil = p.hello().is_none_or(|h| h.gil);
        return Some(GilFinding::Turns {
            threads: *most,
            busy,
            gil,
        });
    }
    None
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
        assert!(matches!(
            gil_finding(&free),
            Some(GilFinding::Turns {
                threads: 3,
                gil: true,
                ..
            })
        ));
        let busy = computing(0.1);
        assert!(matches!(
            gil_finding(&busy),
            Some(GilFinding::NoRoom { workers: 3, .. })
        ));
        let text = conclusions(Lang::En, &busy).join("\n");
        assert!(text.contains("cannot tell the GIL"), "{text}");
    }
}
