//! `--trace FILE` and `compare --csv` as a user meets them: the trace parses as Chrome trace-event
//! JSON whose slices match the run's own JSON, every lane is named, and bad input fails at once.

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use threadlab::run_state::RunReport;

mod common;
use common::{refused, stderr, stdout, threadlab};

/// A fresh path for one test's trace file.
fn trace_path(name: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("trace-{name}.json"));
    let _ = std::fs::remove_file(&path);
    path
}

fn read_trace(path: &PathBuf) -> Value {
    let text = std::fs::read_to_string(path).expect("the trace file exists");
    let trace: Value = serde_json::from_str(&text).expect("the trace is JSON");
    assert_eq!(trace["displayTimeUnit"], "ms");
    assert!(trace["traceEvents"].is_array(), "{trace}");
    trace
}

fn events<'a>(trace: &'a Value, ph: &str) -> Vec<&'a Value> {
    (trace["traceEvents"].as_array().unwrap().iter())
        .filter(|e| e["ph"] == ph)
        .collect()
}

fn pid_tid(e: &Value) -> (u64, u64) {
    (e["pid"].as_u64().unwrap(), e["tid"].as_u64().unwrap())
}

/// Every pid and (pid, tid) a slice uses has a `process_name` / `thread_name` event.
fn every_lane_is_named(trace: &Value) {
    let meta = events(trace, "M");
    let named_threads: BTreeSet<(u64, u64)> = (meta.iter())
        .filter(|e| e["name"] == "thread_name")
        .map(|e| {
            assert!(e["args"]["name"].is_string(), "{e}");
            pid_tid(e)
        })
        .collect();
    let named_processes: BTreeSet<u64> = (meta.iter())
        .filter(|e| e["name"] == "process_name")
        .map(|e| e["pid"].as_u64().unwrap())
        .collect();
    for x in events(trace, "X") {
        assert!(named_threads.contains(&pid_tid(x)), "no thread_name: {x}");
        assert!(
            named_processes.contains(&pid_tid(x).0),
            "no process_name: {x}"
        );
    }
}

/// Exactly one slice per started download of `report`, at its start, as long as its JSON says.
fn slices_match(report: &RunReport, slices: &[&Value]) {
    let started: Vec<_> = report
        .tasks
        .iter()
        .filter(|t| t.start_s.is_some())
        .collect();
    assert_eq!(
        slices.len(),
        started.len(),
        "{}: {slices:?}",
        report.strategy
    );
    for task in started {
        let mine: Vec<_> = slices.iter().filter(|e| e["name"] == task.name).collect();
        assert_eq!(mine.len(), 1, "{}: {}", report.strategy, task.name);
        let x = mine[0];
        let (start, end) = (task.start_s.unwrap(), task.end_s.expect("ended"));
        let ts = x["ts"].as_f64().unwrap();
        let dur = x["dur"].as_f64().unwrap();
        assert!((ts - start * 1e6).abs() <= 1000.0, "{x} vs {task:?}");
        assert!(
            ((end - start) * 1e6 - dur).abs() <= 1000.0,
            "{x} vs {task:?}"
        );
        assert_eq!(x["args"]["strategy"], report.strategy.as_str());
        assert_eq!(x["args"]["duration_s"].as_f64(), Some(task.duration_s));
        assert_eq!(
            x["args"].get("error").is_some(),
            task.error.is_some(),
            "{x}"
        );
    }
}

#[test]
fn run_trace_has_one_slice_per_download_on_its_workers_lane() {
    for strategy in [
        "serial",
        "threads",
        "custom",
        "pool",
        "async",
        "process",
        "workshops",
    ] {
        let path = trace_path(strategy);
        let p = path.to_str().unwrap();
        let o = threadlab(&[
            "run",
            "--json",
            "--strategy",
            strategy,
            "--speed",
            "200",
            "--seed",
            "3",
            "--trace",
            p,
        ]);
        assert!(o.status.success(), "{strategy}: {}", stderr(&o));
        // stdout stays one pure JSON object; the note about the file goes to stderr.
        let report: RunReport = serde_json::from_str(&stdout(&o)).expect("pure JSON on stdout");
        assert!(stderr(&o).contains(p), "{}", stderr(&o));
        let trace = read_trace(&path);
        let slices = events(&trace, "X");
        slices_match(&report, &slices);
        every_lane_is_named(&trace);
        let pids: BTreeSet<u64> = slices.iter().map(|e| pid_tid(e).0).collect();
        match strategy {
            // A child's pid is the pid its worker name gives.
            "process" | "workshops" => {
                for (x, task) in slices.iter().map(|x| {
                    let t = report.tasks.iter().find(|t| x["name"] == t.name).unwrap();
                    (x, t)
                }) {
                    let worker = task.worker.as_deref().unwrap();
                    let pid = worker.trim_start_matches("pid ").split('/').next().unwrap();
                    assert_eq!(x["pid"].as_u64(), pid.parse().ok(), "{x}");
                }
            }
            // Thread strategies ran in one process: ours.
            _ => assert_eq!(pids.len(), 1, "{strategy}: {pids:?}"),
        }
        // One lane per worker name (async's juggling aside, which needs extra lanes).
        if strategy != "async" {
            let mut lanes: BTreeMap<String, (u64, u64)> = BTreeMap::new();
            for x in &slices {
                let worker = x["args"]["worker"].as_str().unwrap().to_string();
                let lane = *lanes.entry(worker).or_insert(pid_tid(x));
                assert_eq!(lane, pid_tid(x), "{strategy}: {x}");
            }
        }
    }
}

#[test]
fn run_trace_in_text_mode_says_where_on_stdout() {
    let path = trace_path("text");
    let p = path.to_str().unwrap();
    let o = threadlab(&["run", "--speed", "200", "--seed", "3", "--trace", p]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let last = out.lines().last().unwrap();
    assert!(last.contains(p) && last.contains("perfetto"), "{out}");
    assert_eq!(events(&read_trace(&path), "X").len(), 3);
}

#[test]
fn compare_trace_puts_each_strategy_in_its_own_processes() {
    let path = trace_path("compare");
    let p = path.to_str().unwrap();
    let o = threadlab(&[
        "compare", "--json", "--speed", "200", "--seed", "3", "--trace", p,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let reports: Vec<RunReport> = serde_json::from_str(&stdout(&o)).expect("pure JSON on stdout");
    assert_eq!(reports.len(), 7);
    let trace = read_trace(&path);
    let slices = events(&trace, "X");
    every_lane_is_named(&trace);
    let mut strategy_of_pid: BTreeMap<u64, &str> = BTreeMap::new();
    for report in &reports {
        let mine: Vec<&Value> = (slices.iter().copied())
            .filter(|x| x["args"]["strategy"] == report.strategy.as_str())
            .collect();
        slices_match(report, &mine);
        for x in mine {
            let owner = strategy_of_pid
                .entry(pid_tid(x).0)
                .or_insert(&report.strategy);
            assert_eq!(*owner, report.strategy, "two strategies share a pid: {x}");
        }
    }
    // Each process lane group says which strategy's run it is, and sorts in run order.
    for e in events(&trace, "M") {
        let Some(strategy) = strategy_of_pid.get(&e["pid"].as_u64().unwrap()) else {
            continue;
        };
        if e["name"] == "process_name" {
            let name = e["args"]["name"].as_str().unwrap();
            assert!(name.starts_with(&format!("{strategy} run")), "{e}");
        }
        if e["name"] == "process_sort_index" {
            let k = reports
                .iter()
                .position(|r| r.strategy == *strategy)
                .unwrap();
            assert_eq!(e["args"]["sort_index"].as_u64(), Some(k as u64), "{e}");
        }
    }
}

#[test]
fn compare_csv_is_a_header_and_one_row_per_strategy() {
    let o = threadlab(&["compare", "--csv", "--speed", "200", "--seed", "3"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        "strategy,workers,workload,seed,speed,elapsed_s,ideal_s,sum_s,max_s,speedup_vs_serial,note"
    );
    let strategies: Vec<&str> = lines[1..]
        .iter()
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(
        strategies,
        [
            "serial",
            "threads",
            "custom",
            "pool",
            "process",
            "async",
            "workshops"
        ],
        "{out}"
    );
    for line in &lines[1..] {
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!(cells.len(), 11, "{line}");
        assert_eq!(cells[10], "", "every strategy ran: no note");
        assert!(cells[1].parse::<usize>().is_ok(), "{line}");
        assert_eq!(cells[2], "io", "{line}");
        assert_eq!(cells[3], "3", "{line}");
        assert_eq!(cells[4].parse::<f64>().ok(), Some(200.0), "{line}");
        for cell in &cells[5..10] {
            assert!(cell.parse::<f64>().is_ok_and(|x| x >= 0.0), "{line}");
        }
    }
    // The speedup is the serial sum over the elapsed time on every row, serial's too (the
    // same figure the screen and the table show), so serial's is at most 1.
    for line in &lines[1..] {
        let cells: Vec<f64> = line.split(',').filter_map(|c| c.parse().ok()).collect();
        let (elapsed, sum, speedup) = (cells[3], cells[5], cells[7]);
        assert!(
            (speedup - sum / elapsed).abs() < 0.002 * speedup.max(1.0),
            "{line}"
        );
    }
    let serial: f64 = lines[1].split(',').nth(9).unwrap().parse().unwrap();
    assert!(serial <= 1.0, "{out}");
    // The seed is a column: nothing else on stdout, even when the seed was chosen.
    let o = threadlab(&["compare", "--csv", "--speed", "200"]);
    assert_eq!(stdout(&o).lines().count(), 8, "{}", stdout(&o));
}

#[test]
fn an_unwritable_trace_path_fails_before_the_run() {
    let missing = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("no-such-dir/t.json");
    let missing = missing.to_str().unwrap();
    // Refused with nothing on stdout (`refused` checks it): the run never began, so the path
    // was checked first.
    refused(&["run", "--seed", "3", "--trace", missing], missing);
    refused(
        &["compare", "--json", "--seed", "3", "--trace", missing],
        missing,
    );
    let dir = env!("CARGO_TARGET_TMPDIR");
    refused(&["run", "--seed", "3", "--trace", dir], "trace file");
}

#[test]
fn csv_and_trace_are_refused_where_they_mean_nothing() {
    refused(&["compare", "--csv", "--json"], "--csv");
    refused(&["run", "--csv"], "--csv is for compare");
    refused(&["bench", "--trace", "x.json"], "--trace");
}

#[test]
fn an_interrupted_run_leaves_the_old_trace_whole_and_no_temporary_file() {
    use std::io::BufRead;
    use std::process::{Command, Stdio};
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("trace-interrupt-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("class.trace.json");
    let old = b"{\"traceEvents\": [], \"note\": \"last week's run\"}\n";
    std::fs::write(&path, old).unwrap();
    for signal in [libc::SIGINT, libc::SIGTERM] {
        // Downloads of ten minutes and more: the run is surely under way when the signal comes.
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_threadlab"));
        // A test run as a shell's background job inherits SIGINT ignored (and the program rightly
        // keeps it so): give the child the default action, so the signal this test sends arrives.
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            use std::os::unix::process::CommandExt;
            cmd.pre_exec(|| {
                libc::signal(libc::SIGINT, libc::SIG_DFL);
                Ok(())
            });
        }
        let mut child = cmd
            .args(["run", "--speed", "1", "--min", "600", "--max", "900"])
            .arg("--trace")
            .arg(&path)
            .env("LANG", "C")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        while !line.contains("Downloading") {
            line.clear();
            assert!(out.read_line(&mut line).unwrap() > 0, "no download started");
        }
        // SAFETY: kill has no memory preconditions; the child is ours and not yet waited for.
        assert_eq!(unsafe { libc::kill(child.id() as i32, signal) }, 0);
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(128 + signal), "{status:?}");
        assert_eq!(std::fs::read(&path).unwrap(), old, "the old trace changed");
        let left: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, [path.file_name().unwrap()], "left behind: {left:?}");
    }
    // A finished run replaces it whole, keeping its permissions.
    let o = threadlab(&[
        "run",
        "--speed",
        "1000",
        "--seed",
        "3",
        "--trace",
        path.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    read_trace(&path);
    let _ = std::fs::remove_dir_all(&dir);
}
