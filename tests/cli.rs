//! The command line as a user meets it: `--help`, `run`, `compare`, and every bad input.

use std::io::Write;
use std::process::{Command, Stdio};
use threadlab::run_state::RunReport;

mod common;
use common::{refused, stderr, stdout, threadlab};

#[test]
fn help_lists_commands_and_options() {
    let o = threadlab(&["--help"]);
    assert!(o.status.success());
    insta::assert_snapshot!("help", stdout(&o));
    insta::assert_snapshot!("run_help", stdout(&threadlab(&["run", "--help"])));
}

#[test]
fn run_prints_the_lessons_transcript_and_a_summary() {
    let o = threadlab(&[
        "run",
        "--strategy",
        "threads",
        "--seed",
        "7",
        "--speed",
        "200",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    for name in [
        "Python从入门到住院.pdf",
        "MySQL从删库到跑路.avi",
        "Linux从精通到放弃.mp4",
    ] {
        assert!(out.contains(&format!("Downloading {name}...")), "{out}");
        assert!(out.contains(&format!("Downloaded {name}")), "{out}");
    }
    assert_eq!(out.matches("Download time: ").count(), 3, "{out}");
    assert!(out.contains("[Thread-1] Downloading"), "{out}");
    assert!(out.contains("Total time: "), "{out}");
    // The numbers, then what they show, checked against them (which line depends on the machine).
    let lines: Vec<&str> = out.lines().collect();
    let summary = lines.iter().position(|l| l.contains("serial sum")).unwrap();
    assert!(lines[summary].contains("speedup"), "{out}");
    assert!(lines[summary + 1].starts_with("→ threads took "), "{out}");
    // a given seed is not printed again
    assert!(!out.contains("--seed"), "{out}");
}

#[test]
fn run_without_a_seed_prints_the_one_it_chose_and_it_repeats() {
    let o = threadlab(&["run", "--speed", "100"]);
    let out = stdout(&o);
    let first = out.lines().next().unwrap();
    let seed = first.split_whitespace().nth(1).unwrap();
    assert!(first.contains(&format!("--seed {seed}")), "{first}");
    let json =
        |args: &[&str]| -> RunReport { serde_json::from_slice(&threadlab(args).stdout).unwrap() };
    let a = json(&["run", "--json", "--speed", "1000", "--seed", seed]);
    let b = json(&[
        "run",
        "--json",
        "--speed",
        "1000",
        "--seed",
        seed,
        "--strategy",
        "pool",
    ]);
    let durations = |r: &RunReport| r.tasks.iter().map(|t| t.duration_s).collect::<Vec<_>>();
    assert_eq!(
        durations(&a),
        durations(&b),
        "same seed, same durations for every strategy"
    );
    // The printed run is the seed's: as many downloads, none done sooner than its duration
    // allows (how much later depends on the machine's load, so that is not checked).
    let mut took: Vec<f64> = (out.lines())
        .filter(|l| l.contains("Download time:"))
        .map(|line| {
            (line.rsplit(": ").next().unwrap())
                .trim_end_matches(" seconds")
                .parse()
                .unwrap()
        })
        .collect();
    let mut planned = durations(&a);
    assert_eq!(took.len(), planned.len(), "{out}");
    took.sort_by(f64::total_cmp);
    planned.sort_by(f64::total_cmp);
    for (t, d) in took.iter().zip(&planned) {
        assert!(*t >= d - 0.01, "a download of {d} s took {t} s:\n{out}");
    }
}

#[test]
fn run_json_is_the_products_object_in_lesson_seconds() {
    let o = threadlab(&[
        "run",
        "--json",
        "--strategy",
        "pool",
        "--workers",
        "2",
        "--seed",
        "7",
        "--speed",
        "100",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(|k| k.as_str()).collect();
    for k in [
        "strategy",
        "workers",
        "workload",
        "seed",
        "speed",
        "tasks",
        "elapsed_s",
        "sum_s",
        "max_s",
        "ideal_s",
    ] {
        assert!(keys.contains(&k), "missing {k}: {v}");
    }
    let r: RunReport = serde_json::from_value(v).unwrap();
    assert_eq!(
        (r.strategy.as_str(), r.workers, r.seed, r.speed),
        ("pool", 2, 7, 100.0)
    );
    assert_eq!(r.workload, "io");
    assert_eq!(r.tasks.len(), 3);
    let d: Vec<f64> = r.tasks.iter().map(|t| t.duration_s).collect();
    assert_eq!(r.sum_s, d.iter().sum::<f64>());
    assert_eq!(r.max_s, d.iter().copied().fold(0.0, f64::max));
    assert!(r.elapsed_s >= r.ideal_s && r.ideal_s >= r.max_s, "{r:?}");
    for t in &r.tasks {
        let (s, e) = (t.start_s.unwrap(), t.end_s.unwrap());
        assert!(e - s >= t.duration_s - 0.001 && e <= r.elapsed_s, "{t:?}");
        assert!(t.worker.as_deref().unwrap().starts_with("pool-"));
    }
}

#[test]
fn compare_runs_every_strategy_on_the_same_durations() {
    let o = threadlab(&["compare", "--json", "--seed", "3", "--speed", "200"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rs: Vec<RunReport> = serde_json::from_slice(&o.stdout).unwrap();
    let names: Vec<&str> = rs.iter().map(|r| r.strategy.as_str()).collect();
    assert_eq!(
        names,
        [
            "serial",
            "threads",
            "custom",
            "pool",
            "process",
            "async",
            "workshops"
        ]
    );
    let d0: Vec<f64> = rs[0].tasks.iter().map(|t| t.duration_s).collect();
    for r in &rs {
        assert_eq!(d0, r.tasks.iter().map(|t| t.duration_s).collect::<Vec<_>>());
    }
    assert_eq!(rs[0].ideal_s, rs[0].sum_s);
    assert_eq!(rs[1].ideal_s, rs[1].max_s);
    assert_eq!(rs[4].ideal_s, rs[4].max_s, "process: the longest download");
    for r in rs
        .iter()
        .filter(|r| ["process", "workshops"].contains(&r.strategy.as_str()))
    {
        assert!(r.tasks.iter().all(|t| t.error.is_none()), "{r:?}");
        assert!(
            r.tasks
                .iter()
                .all(|t| t.worker.as_deref().unwrap().starts_with("pid ")),
            "{r:?}"
        );
    }

    let o = threadlab(&["compare", "--seed", "3", "--speed", "200"]);
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].starts_with("strategy") && lines[0].contains("speedup"),
        "{out}"
    );
    // Serial's speedup is the serial sum over its own time: at most 1 (its overhead only).
    let serial: f64 = (lines[1].strip_prefix("serial"))
        .and_then(|l| l.trim().rsplit(' ').next()?.strip_suffix('×')?.parse().ok())
        .unwrap_or_else(|| panic!("{out}"));
    assert!((0.5..=1.0).contains(&serial), "{out}");
    // The table's seven rows, then the chart: a heading, one bar per strategy, a legend.
    assert_eq!(lines[8], "", "{out}");
    assert!(lines[9].starts_with("io work · "), "{out}");
    for s in ["serial ", "threads ", "workshops "] {
        assert_eq!(
            lines.iter().filter(|l| l.starts_with(s)).count(),
            2,
            "{out}"
        );
    }
    assert!(
        lines[10].contains('█') && lines[17].starts_with('█'),
        "{out}"
    );
    // Then one checked conclusion per strategy.
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("→ ")).count(),
        7,
        "{out}"
    );
}

#[test]
fn chinese_transcript_with_lang_zh() {
    let o = threadlab(&["run", "--lang", "zh", "--seed", "1", "--speed", "500"]);
    let out = stdout(&o);
    assert!(out.contains("开始下载 Python从入门到住院.pdf..."), "{out}");
    assert!(
        out.contains("下载耗时: ") && out.contains("总耗时: "),
        "{out}"
    );
}

#[test]
fn bad_options_get_one_line_and_exit_2() {
    refused(&["run", "--workers", "0"], "--workers");
    refused(&["run", "--workers", "1025"], "1 to 1024");
    refused(
        &["run", "--strategy", "fibers"],
        "unknown strategy 'fibers'",
    );
    refused(&["run", "--speed", "0"], "--speed");
    refused(&["run", "--speed", "-3"], "--speed");
    refused(&["run", "--speed", "nan"], "--speed");
    refused(&["run", "--min", "7"], "--min 7 is above --max 6");
    refused(&["run", "--min", "0", "--max", "0"], "seconds from 0.01");
    refused(&["compare", "--max", "-1"], "seconds from 0.01");
    refused(&["run", "--count", "0"], "--count");
    refused(&["run", "--seed", "abc"], "--seed");
    refused(&["run", "--lang", "fr"], "unknown language 'fr'");
    refused(&["run", "--tasks", "/no/such/file"], "no such file");
    refused(&["run", "--tasks", "/"], "tasks file /");
    refused(&["frobnicate"], "frobnicate");
    refused(&["run", "--workload", "gpu"], "unknown workload 'gpu'");
    refused(&["compare", "--workload", "CPU"], "--workload");
    refused(&["run", "--cores", "0"], "--cores");
    refused(&["run", "--cores", "-2"], "--cores");
    refused(&["run", "--cores", "two"], "--cores");
    if cfg!(target_os = "linux") {
        let too_many = (threadlab::cores::available_cores() + 1).to_string();
        refused(
            &["run", "--cores", &too_many],
            "the cores this machine lets",
        );
    } else {
        refused(&["run", "--cores", "1"], "not supported");
    }
    refused(&["run", "--workshops", "0"], "--workshops");
    refused(&["run", "--workshops", "17"], "1 to 16");
    refused(&["run", "--workshops", "-1"], "--workshops");
    refused(&["run", "--workshop-threads", "0"], "--workshop-threads");
    refused(&["run", "--workshop-threads", "65"], "1 to 64");
    refused(&["run", "--workshop-threads", "x"], "--workshop-threads");
}

#[test]
fn bad_theme_is_refused_and_themes_are_for_the_live_screen() {
    refused(&["--theme", "neon"], "unknown theme 'neon'");
    refused(&["--theme", "neon"], "dark, light, projector or mono");
    refused(&["--theme"], "--theme");
    // Only the live screen draws: `run` has no theme to take.
    refused(&["run", "--theme", "mono"], "--theme");
    // Nor a lesson or a mouse: screen options are refused, never silently ignored.
    refused(&["run", "--lesson"], "--lesson is for the live screen");
    refused(&["compare", "--mouse"], "--mouse is for the live screen");
    refused(&["run", "--ascii"], "--ascii");
    // A good theme gets as far as asking for a terminal (stdin and stdout are not one here).
    for args in [
        &["--theme", "projector"][..],
        &["--theme", "mono", "--ascii"],
        &["--theme", "light"],
    ] {
        let o = threadlab(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&o).contains("needs a terminal"),
            "{args:?}: {}",
            stderr(&o)
        );
    }
}

#[test]
#[cfg(target_os = "linux")]
fn cpu_work_on_one_core_is_bounded_by_the_core() {
    let o = threadlab(&[
        "run",
        "--json",
        "--workload",
        "cpu",
        "--cores",
        "1",
        "--strategy",
        "threads",
        "--seed",
        "7",
        "--speed",
        "100",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let r: RunReport = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!((r.workload.as_str(), r.cores), ("cpu", 1));
    // No strategy beats sum / cores, and on one core that is the sum.
    assert_eq!(r.ideal_s, r.sum_s);

    let o = threadlab(&[
        "compare",
        "--workload",
        "cpu",
        "--cores",
        "1",
        "--seed",
        "7",
        "--speed",
        "100",
    ]);
    let out = stdout(&o);
    assert!(
        out.contains("cores in use: 1") && out.contains("at most 1×"),
        "{out}"
    );
}

#[test]
fn process_and_workshops_run_from_the_command_line() {
    let o = threadlab(&[
        "run",
        "--strategy",
        "workshops",
        "--workshops",
        "3",
        "--workshop-threads",
        "1",
        "--count",
        "6",
        "--seed",
        "5",
        "--speed",
        "500",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let r: RunReport = serde_json::from_slice(&o.stdout).unwrap();
    let pids: std::collections::HashSet<&str> = r
        .tasks
        .iter()
        .map(|t| t.worker.as_deref().unwrap().split('/').next().unwrap())
        .collect();
    assert_eq!(pids.len(), 3, "{r:?}");
    assert_eq!(r.workers, 3);
    let o = threadlab(&[
        "run",
        "--strategy",
        "process",
        "--seed",
        "5",
        "--speed",
        "500",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("[pid "), "{}", stdout(&o));
    // A thread's start and a process's, both measured in this run, side by side.
    assert!(
        (stdout(&o).lines()).any(|l| l
            .starts_with("  start costs measured in this run: a thread ")
            && l.ends_with(" (median of 3)")
            && l.contains("(median of 3), a process ")),
        "{}",
        stdout(&o)
    );
}

#[test]
fn the_worker_mode_is_hidden_and_refuses_bad_jobs() {
    let help = stdout(&threadlab(&["--help"]));
    assert!(!help.contains("  worker"), "{help}");
    let o = threadlab(&["worker", "--clock", "0"]);
    assert_eq!(o.status.code(), Some(2));
    // The worker runs while its stdin stays open, and exits as soon as it closes (parent gone).
    let mut child = Command::new(env!("CARGO_BIN_EXE_threadlab"))
        .args(["worker", "--clock", "100", "--task", "0:1"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdin = child.stdin.take();
    let mut out = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut out).unwrap();
    assert!(child.wait().unwrap().success());
    drop(stdin);
    assert!(out.starts_with("hello threadlab-worker/1\n"), "{out}");
    assert!(
        out.contains("\nstart 0 main\n") && out.contains("\ndone 0 "),
        "{out}"
    );
    let closed = threadlab(&["worker", "--clock", "1", "--task", "0:3600"]);
    assert!(
        closed.status.success(),
        "stdin at EOF: the worker ends at once"
    );
}

/// A parent that stops reading: the worker's next line cannot be written, its workers take that
/// as "stop", and it exits 1, long before its 50 seconds of downloads would have ended.
#[test]
fn a_worker_whose_parent_stops_listening_stops_its_workers_and_exits_1() {
    use std::io::BufRead;
    use std::time::{Duration, Instant};
    // A hundred one-second downloads on two threads, each reporting every 10 ms.
    let tasks: Vec<String> = (0..100).map(|i| format!("--task={i}:1")).collect();
    let mut child = Command::new(env!("CARGO_BIN_EXE_threadlab"))
        .args(["worker", "--clock", "1", "--threads", "2"])
        .args(&tasks)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Its stdin stays open: at EOF the worker would end anyway (with 0, see above).
    let stdin = child.stdin.take();
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut hello = String::new();
    out.read_line(&mut hello).unwrap();
    assert_eq!(hello, "hello threadlab-worker/1\n");
    drop(out);
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the worker still runs 30 s after its parent stopped listening");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    drop(stdin);
    assert_eq!(status.code(), Some(1), "{status:?}");
}

/// A worker's progress lines for one download of 3 lesson seconds at 10×, with `extra` arguments.
fn worker_progress_lines(extra: &[&str]) -> usize {
    let mut child = Command::new(env!("CARGO_BIN_EXE_threadlab"))
        .args(["worker", "--clock", "10", "--threads", "2", "--task", "0:3"])
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdin = child.stdin.take();
    let mut out = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut out).unwrap();
    assert!(child.wait().unwrap().success(), "{out}");
    drop(stdin);
    assert!(out.contains("\ndone 0 "), "{out}");
    out.lines().filter(|l| l.starts_with("progress ")).count()
}

#[test]
fn a_worker_reports_at_the_pace_its_parent_run_gives() {
    // Alone: a report a frame (33 ms of wall, 0.33 lesson s at 10×), 9 before the end.
    assert_eq!(worker_progress_lines(&[]), 9);
    // Part of a crowded run that reports every 100 ms: 1 lesson s apart, 2 before the end.
    assert_eq!(worker_progress_lines(&["--report-every", "0.1"]), 2);
    let o = threadlab(&["worker", "--clock", "1", "--report-every", "nan"]);
    assert_eq!(o.status.code(), Some(2));
}

fn tasks_file(bytes: &[u8]) -> tempfile_path::TempPath {
    let p = tempfile_path::TempPath::new();
    std::fs::File::create(&p.0)
        .unwrap()
        .write_all(bytes)
        .unwrap();
    p
}

mod tempfile_path {
    use std::path::PathBuf;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A file path in the temp dir, removed on drop.
    pub struct TempPath(pub PathBuf);

    impl TempPath {
        pub fn new() -> Self {
            static N: AtomicUsize = AtomicUsize::new(0);
            let n = N.fetch_add(1, Ordering::Relaxed);
            TempPath(
                std::env::temp_dir().join(format!("threadlab-test-{}-{n}.txt", std::process::id())),
            )
        }
        pub fn arg(&self) -> &str {
            self.0.to_str().unwrap()
        }
    }

    impl Drop for TempPath {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }
}

#[test]
fn tasks_files_are_read_and_bad_ones_refused_with_their_line() {
    let good = tasks_file("a.iso\n\n  b.iso  \n".as_bytes());
    let o = threadlab(&[
        "run",
        "--json",
        "--speed",
        "1000",
        "--seed",
        "1",
        "--tasks",
        good.arg(),
    ]);
    let r: RunReport = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        r.tasks.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
        ["a.iso", "b.iso"]
    );

    let lesson = tasks_file(b"== A | \xe7\x94\xb2\nen: one\nzh: \xe4\xb8\x80\nworkers: 9999\n");
    refused(&["--lesson", lesson.arg()], "line 4: workers");
    refused(&["--lesson", "/no/such/lesson"], "cannot read lesson file");
    let empty = tasks_file(b"\n  \n");
    refused(&["run", "--tasks", empty.arg()], "no download names");
    let binary = tasks_file(b"ok\n\xff\xfe\n");
    refused(&["run", "--tasks", binary.arg()], "not UTF-8");
    let escape = tasks_file(b"ok\n\nevil\x1b[2Jname\n");
    refused(
        &["run", "--tasks", escape.arg()],
        "line 3: name contains a control character",
    );
    let o = threadlab(&["run", "--tasks", escape.arg()]);
    assert!(
        !o.stderr.contains(&0x1b),
        "the escape must never reach the terminal raw"
    );
    let long = tasks_file(format!("ok\n{}\n", "长".repeat(201)).as_bytes());
    refused(
        &["run", "--tasks", long.arg()],
        "line 2: name longer than 200",
    );
    let unreadable = tasks_file(b"a\n");
    std::fs::set_permissions(
        &unreadable.0,
        std::os::unix::fs::PermissionsExt::from_mode(0o000),
    )
    .unwrap();
    // root reads anything, so only check that it does not crash there
    let o = threadlab(&["run", "--speed", "1000", "--tasks", unreadable.arg()]);
    assert!(
        o.status.success() || stderr(&o).contains("permission denied"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn count_generates_downloads() {
    let o = threadlab(&[
        "run",
        "--json",
        "--count",
        "12",
        "--strategy",
        "pool",
        "--speed",
        "2000",
        "--seed",
        "1",
    ]);
    let r: RunReport = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(r.tasks.len(), 12);
    assert_eq!(r.tasks[0].name, "file-01.bin");
}

#[test]
fn without_a_terminal_the_tui_points_to_run() {
    let o = threadlab(&[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("threadlab run"), "{}", stderr(&o));
    assert!(
        o.stdout.is_empty(),
        "no escape sequences on a non-terminal stdout"
    );
}

#[test]
fn bench_prints_an_overhead_per_strategy() {
    let o = threadlab(&["bench", "--runs", "1", "--json", "--no-tui"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let names: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    for s in [
        "serial",
        "threads",
        "custom",
        "pool",
        "process",
        "async",
        "workshops",
    ] {
        assert!(
            names.contains(&format!("overhead {s}").as_str()),
            "{names:?}"
        );
    }
    if cfg!(target_os = "linux") && threadlab::cores::available_cores() >= 2 {
        for w in ["cpu", "io"] {
            assert!(
                names.contains(&format!("{w} 1 core ÷ 2 cores").as_str()),
                "{names:?}"
            );
        }
    }
    for s in ["spawn thread", "spawn process", "pool reuse"] {
        assert!(names.contains(&s), "{names:?}");
    }
    let reuse = v
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "pool reuse");
    assert_eq!(reuse.unwrap()["median"], 0.0);
}

#[test]
fn the_chinese_summary_names_the_strategy_in_chinese() {
    let o = threadlab(&[
        "run",
        "--strategy",
        "pool",
        "--lang",
        "zh",
        "--speed",
        "200",
        "--seed",
        "3",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("线程池的理想耗时"), "{out}");
    assert!(
        out.contains("\n→ 最多 4 个工人") || out.contains("\n→ 线程池耗时"),
        "{out}"
    );
}

/// Run threadlab with `args` (and `env`), killing it if it has not ended within a generous
/// timeout: a bad input must never make it block or read forever.
fn bounded(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    use std::time::{Duration, Instant};
    let mut child = Command::new(env!("CARGO_BIN_EXE_threadlab"))
        .args(args)
        .env("LANG", "C")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("threadlab runs");
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{args:?} still running after 30 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

/// One line on stderr saying `what`, with nothing in it that could act on a terminal; exit `code`.
fn one_clean_line(o: &std::process::Output, args: &[&str], code: i32, what: &str) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(code), "{args:?}: {err}");
    assert_eq!(err.lines().count(), 1, "{args:?}: not one line: {err:?}");
    assert!(
        err.contains(what),
        "{args:?}: {err:?} does not say {what:?}"
    );
    assert!(!err.contains("panicked"), "{args:?}: {err}");
    assert!(
        !err.trim_end_matches('\n')
            .chars()
            .any(threadlab::text::is_hidden),
        "{args:?}: a raw control or invisible character on stderr: {err:?}"
    );
}

fn hostile(args: &[&str], what: &str) {
    let o = bounded(args, &[]);
    one_clean_line(&o, args, 2, what);
    assert!(o.stdout.is_empty(), "{args:?}");
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn files_that_are_not_small_regular_text_are_refused_at_once() {
    let dir = temp_dir("files");
    let fifo = dir.join("fifo");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo");
    let fifo = fifo.to_str().unwrap();
    // Nobody ever writes to the FIFO: opening it to read must not wait for a writer.
    hostile(&["run", "--tasks", fifo], "not a regular file");
    hostile(&["--lesson", fifo], "not a regular file");
    for endless in ["/dev/zero", "/dev/urandom"] {
        hostile(&["run", "--tasks", endless], "not a regular file");
        hostile(&["--lesson", endless], "not a regular file");
    }
    let big = dir.join("big.txt");
    let line = "name.bin\n".repeat(1024);
    let mut f = std::fs::File::create(&big).unwrap();
    while f.metadata().unwrap().len() <= threadlab::tasks::MAX_FILE_BYTES {
        f.write_all(line.as_bytes()).unwrap();
    }
    drop(f);
    let big = big.to_str().unwrap();
    hostile(&["run", "--tasks", big], "larger than 16 MiB");
    hostile(&["--lesson", big], "larger than 16 MiB");
    let many = dir.join("many.txt");
    let names: String = (0..=threadlab::tasks::MAX_TASKS)
        .map(|i| format!("f{i}\n"))
        .collect();
    std::fs::write(&many, names).unwrap();
    hostile(
        &["run", "--tasks", many.to_str().unwrap()],
        "line 100001: more than 100000 downloads",
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_byte_order_mark_is_dropped_and_invisible_or_reordering_names_are_refused() {
    let bom = tasks_file("\u{feff}a.iso\nb.iso\n".as_bytes());
    let o = bounded(
        &["run", "--json", "--speed", "1000", "--seed", "1"][..]
            .iter()
            .copied()
            .chain(["--tasks", bom.arg()])
            .collect::<Vec<_>>(),
        &[],
    );
    let r: RunReport = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(r.tasks[0].name, "a.iso", "the mark is not part of the name");
    for (name, line) in [
        ("ok\ninvoice\u{202e}fdp.exe\n", "line 2:"),
        ("ok\n\nzero\u{200b}width\n", "line 3:"),
        ("a\u{200d}b\n", "line 1:"),
        ("\u{2066}isolate\n", "line 1:"),
    ] {
        let f = tasks_file(name.as_bytes());
        hostile(&["run", "--tasks", f.arg()], line);
        hostile(
            &["run", "--tasks", f.arg()],
            "invisible or direction-changing",
        );
    }
    let lesson = tasks_file("== A | 甲\nen: one\nzh: 一\u{202e}二\n".as_bytes());
    hostile(&["--lesson", lesson.arg()], "line 3: invisible");
}

#[test]
fn an_escape_in_any_path_never_reaches_the_terminal() {
    let dir = temp_dir("escapes");
    for evil in [
        "\u{1b}]0;PWNED\u{7}",
        "\u{1b}[2J",
        "x\u{202e}nosj.txt",
        "\u{9b}31m",
    ] {
        let path = dir.join("missing").join(evil);
        let path = path.to_str().unwrap();
        hostile(&["run", "--tasks", path], "cannot read tasks file");
        hostile(&["--lesson", path], "cannot read lesson file");
        hostile(&["run", "--trace", path], "cannot write the trace file");
        hostile(&["compare", "--trace", path], "cannot write the trace file");
        hostile(&["--trace", path], "cannot write the trace file");
        // And clap's own messages, which quote the value given.
        hostile(&["run", "--strategy", evil], "--strategy");
    }
    // A trace written to a name with an escape in it: the note names it escaped.
    let trace = dir.join("t\u{1b}[2J.json");
    let o = bounded(
        &[
            "run",
            "--speed",
            "1000",
            "--seed",
            "1",
            "--trace",
            trace.to_str().unwrap(),
        ],
        &[],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(std::fs::metadata(&trace).is_ok());
    let out = stdout(&o);
    assert!(out.contains("Trace written to"), "{out}");
    assert!(!out.contains('\u{1b}'), "{out:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn output_that_cannot_be_written_is_an_error_and_a_closed_pipe_is_not() {
    if !std::path::Path::new("/dev/full").exists() {
        return;
    }
    let fast = ["--speed", "1000", "--seed", "1"];
    for cmd in [
        &["run"][..],
        &["run", "--json"],
        &["compare", "--csv"],
        &["compare"],
    ] {
        let args: Vec<&str> = cmd.iter().chain(&fast).copied().collect();
        let o = Command::new(env!("CARGO_BIN_EXE_threadlab"))
            .args(&args)
            .env("LANG", "C")
            .stdin(Stdio::null())
            .stdout(std::fs::File::create("/dev/full").unwrap())
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        one_clean_line(&o, &args, 1, "cannot write the output");
    }
    // /dev/full as the trace: refused before the run, with nothing written anywhere.
    hostile(&["run", "--trace", "/dev/full"], "not a regular file");
    hostile(&["--trace", "/dev/full"], "not a regular file");
    // A reader that stops after one line (`| head -1`): a quiet end, however long the run.
    let mut child = Command::new(env!("CARGO_BIN_EXE_threadlab"))
        .args(["run", "--speed", "1", "--min", "600", "--max", "900"])
        .env("LANG", "C")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    std::io::BufRead::read_line(&mut stdout, &mut first).unwrap();
    assert!(first.starts_with("seed "), "{first}");
    drop(stdout);
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(o.stderr.is_empty(), "{}", stderr(&o));
}

#[test]
fn small_inputs_get_an_honest_line() {
    // Durations are hundredths of a second: below 0.01 s every download would be 0.00 s.
    hostile(&["run", "--min", "0.001", "--max", "0.004"], "from 0.01");
    // `-inf` is a value, and the message says what is wrong with it.
    for opt in [
        "--min",
        "--max",
        "--speed",
        "--workers",
        "--count",
        "--seed",
    ] {
        hostile(&["run", opt, "-inf"], opt);
        hostile(&["run", opt, "-inf"], "invalid value '-inf'");
    }
    let o = bounded(&[], &[("TERM", "dumb")]);
    one_clean_line(&o, &[], 2, "TERM=dumb");
    // The hidden worker checks its values like every other input: no panic, no endless work.
    hostile(&["worker", "--clock", "1e-300", "--task", "0:1"], "--clock");
    hostile(
        &["worker", "--clock", "1", "--units-per-second", "1e308"],
        "--units-per-second",
    );
    hostile(&["worker", "--clock", "1", "--task", "0:1e300"], "--task");
    hostile(&["worker", "--clock", "inf"], "--clock");
}

#[test]
fn compare_runs_process_beyond_the_process_limit_with_the_rest_queued() {
    // 300 downloads need 300 processes; the engine keeps at most 256 alive and queues the rest,
    // so compare has a process row with figures like every other strategy.
    let fast = [
        "--count", "300", "--speed", "10000", "--min", "0.01", "--max", "0.02",
    ];
    let args: Vec<&str> = ["compare", "--csv", "--seed", "1"]
        .iter()
        .chain(&fast)
        .copied()
        .collect();
    let o = bounded(&args, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert_eq!(out.lines().count(), 8, "a row for every strategy:\n{out}");
    let row = out.lines().find(|l| l.starts_with("process,")).unwrap();
    let cells: Vec<&str> = row.split(',').collect();
    assert_eq!(cells.len(), 11, "{row}");
    assert!(
        cells[5..10].iter().all(|c| c.parse::<f64>().is_ok()),
        "figures: {row}"
    );
    assert!(cells[10].is_empty(), "{row}");
}

/// Run the built `threadlab` under a Chinese locale.
fn threadlab_zh(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_threadlab"))
        .args(args)
        .env("LANG", "zh_CN.UTF-8")
        .env_remove("LC_ALL")
        .stdin(Stdio::null())
        .output()
        .expect("threadlab runs")
}

#[test]
fn help_and_errors_speak_chinese_under_a_chinese_locale() {
    let o = threadlab_zh(&["--help"]);
    assert!(o.status.success());
    insta::assert_snapshot!("help_zh", stdout(&o));
    insta::assert_snapshot!("run_help_zh", stdout(&threadlab_zh(&["run", "--help"])));
    let o = threadlab_zh(&["run", "--wrokers", "3"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty());
    insta::assert_snapshot!("bad_option_zh", stderr(&o));
    let o = threadlab_zh(&["run", "--speed", "0"]);
    assert_eq!(
        stderr(&o),
        "threadlab: 错误：'--speed <X>' 的值 '0' 无效：必须是 0.01 到 10000 之间的数（1 是真实速度）\n"
    );
    // `--lang` wins over the locale, either way.
    refused(
        &["run", "--lang", "zh", "--workers", "0"],
        "'--workers <N>' 的值 '0' 无效：必须是 1 到 1024 之间的整数",
    );
    refused(
        &["run", "--lang=zh", "--min", "7"],
        "--min 7 比 --max 6 还大",
    );
    let o = threadlab_zh(&["--lang", "en", "run", "--csv"]);
    assert_eq!(
        stderr(&o),
        "threadlab: error: --csv is for compare (one row per strategy)\n"
    );
}

#[test]
fn compare_in_chinese_names_every_strategy_in_chinese() {
    let o = threadlab(&["compare", "--lang", "zh", "--seed", "3", "--speed", "200"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let names = [
        "串行",
        "多线程",
        "自定义线程",
        "线程池",
        "多进程",
        "异步",
        "车间",
    ];
    let lines: Vec<&str> = out.lines().collect();
    for (line, name) in lines[1..8].iter().zip(names) {
        assert!(line.starts_with(name), "{out}");
    }
    // The chart too, and no English strategy name anywhere but the commands' own words.
    assert!(lines[9].starts_with("io 负载 · "), "{out}");
    for english in ["serial", "threads", "custom", "pool ", "workshops"] {
        assert!(!out.contains(english), "{english}: {out}");
    }
}

#[test]
fn a_bad_tasks_or_lesson_file_is_explained_in_chinese() {
    let dir = std::env::temp_dir().join(format!("threadlab-zh-files-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let lesson = dir.join("lesson.txt");
    std::fs::write(&lesson, "== A | 甲\nworkers: 0\n").unwrap();
    let tasks = dir.join("tasks.txt");
    std::fs::write(&tasks, "a\nb\u{1b}\n").unwrap();
    let (lesson, tasks) = (lesson.to_str().unwrap(), tasks.to_str().unwrap());
    let zh = |args: &[&str], what: &str| {
        let o = threadlab_zh(args);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(what), "{args:?}: {err}");
    };
    zh(
        &["--lesson", lesson],
        "课程文件 LESSON：第 2 行：workers：'0' 不是 1 到 1024 之间的整数"
            .replace("LESSON", lesson)
            .as_str(),
    );
    zh(&["run", "--tasks", tasks], "第 2 行：名字里有控制字符");
    zh(&["run", "--tasks", "/no/such/file"], "没有这个文件");
    let dir_name = dir.to_str().unwrap();
    zh(&["run", "--trace", dir_name], "无法写入 trace 文件");
    zh(&["run", "--trace", dir_name], "它是一个目录");
    // The same files in English, from the same table.
    refused(
        &["--lesson", lesson],
        "line 2: workers: '0' is not a whole number",
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
