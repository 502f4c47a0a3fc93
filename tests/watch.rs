//! `threadlab watch`: the lesson's real Python programs under the probe, checked through
//! `--json` (the graders' view) and the transcript. Sleeps run at a high `--speed`; nothing here
//! asserts on how long anything took, only on order and structure.

mod common;
mod pids;

use common::{stderr, stdout, threadlab};
use serde_json::Value;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Whether python3 runs here; without it, a skip, except under CI (which `.ci/run` gives python3).
fn have_python() -> bool {
    let ok = Command::new("python3")
        .arg("-c")
        .arg("pass")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok || std::env::var_os("CI").is_none_or(|v| v.is_empty()),
        "the watch tests need python3 under CI (CI is set); `.ci/run` installs it"
    );
    ok
}

/// `threadlab watch --json --speed SPEED -- python3 ARGS...`: the report, and threadlab's exit code.
fn watch(speed: &str, args: &[&str]) -> (Value, i32, String) {
    let mut all = vec!["watch", "--json", "--speed", speed, "--", "python3"];
    all.extend_from_slice(args);
    let o = threadlab(&all);
    let out = stdout(&o);
    let report: Value = serde_json::from_str(out.trim())
        .unwrap_or_else(|e| panic!("{e}: {out:?}\nstderr: {}", stderr(&o)));
    (report, o.status.code().unwrap_or(-1), stderr(&o))
}

fn tasks(r: &Value) -> &Vec<Value> {
    r["tasks"].as_array().expect("tasks")
}

fn workers(r: &Value) -> Vec<String> {
    tasks(r)
        .iter()
        .map(|t| t["worker"].as_str().unwrap().to_string())
        .collect()
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

const LESSON_FILES: [&str; 3] = [
    "Python从入门到住院.pdf",
    "MySQL从删库到跑路.avi",
    "Linux从精通到放弃.mp4",
];

fn names(r: &Value) -> HashSet<String> {
    tasks(r)
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect()
}

fn lesson_names() -> HashSet<String> {
    LESSON_FILES.iter().map(|s| s.to_string()).collect()
}

#[test]
fn serial_waits_one_after_another_on_the_main_thread() {
    if !have_python() {
        return;
    }
    let (r, code, _) = watch("100", &["assets/python/serial.py"]);
    assert_eq!(code, 0);
    assert_eq!(r["probed"], true);
    assert_eq!(r["exit_code"], 0);
    assert_eq!(names(&r), lesson_names());
    assert_eq!(workers(&r), ["MainThread"; 3]);
    assert_eq!(r["max_parallel_waits"], 1);
    let t = tasks(&r);
    for pair in t.windows(2) {
        assert!(f(&pair[1]["start_s"]) >= f(&pair[0]["end_s"]), "{pair:?}");
    }
    // Each wait lasts at least what it asked for, so the run takes at least their sum.
    assert!(f(&r["elapsed_s"]) >= f(&r["sum_s"]), "{r}");
    let sum: f64 = t.iter().map(|t| f(&t["duration_s"])).sum();
    assert!((sum - f(&r["sum_s"])).abs() < 1e-6);
    // The longest, as `run --json` calls it.
    let longest = t.iter().map(|t| f(&t["duration_s"])).fold(0.0, f64::max);
    assert!((longest - f(&r["max_s"])).abs() < 1e-6, "{r}");
    // The hello's Python version and CPU count, as this python3 says them.
    let o = Command::new("python3")
        .args([
            "-c",
            "import os, sys; print(sys.version.split()[0], os.cpu_count())",
        ])
        .output()
        .unwrap();
    let own = String::from_utf8_lossy(&o.stdout).trim().to_string();
    assert_eq!(
        format!("{} {}", r["python"].as_str().unwrap(), r["cpus"]),
        own,
        "{r}"
    );
    // Each thread with its name, daemon flag, start, end and CPU time.
    let main = (r["threads"].as_array().unwrap().iter())
        .find(|t| t["name"] == "MainThread")
        .unwrap_or_else(|| panic!("{r}"));
    assert_eq!(main["daemon"], false);
    assert!(
        f(&main["end_s"]) >= f(&main["start_s"]) && f(&main["cpu_s"]) >= 0.0,
        "{main}"
    );
}

/// Three downloads on three threads, all waiting at once, with the thread names Python gave them.
fn overlapping_threads(program: &str) -> Value {
    let (r, code, _) = watch("10", &[program]);
    assert_eq!(code, 0, "{r}");
    assert_eq!(names(&r), lesson_names());
    let w: HashSet<String> = workers(&r).into_iter().collect();
    assert_eq!(w.len(), 3, "one thread each: {w:?}");
    assert!(!w.contains("MainThread"));
    assert_eq!(r["max_parallel_waits"], 3, "{r}");
    assert!(f(&r["elapsed_s"]) < f(&r["sum_s"]), "{r}");
    r
}

#[test]
fn threads_overlap_one_thread_each_with_their_real_names() {
    if !have_python() {
        return;
    }
    let r = overlapping_threads("assets/python/threads.py");
    for w in workers(&r) {
        assert!(
            w.starts_with("Thread-") && w.ends_with(" (download)"),
            "{w}"
        );
    }
}

#[test]
fn the_custom_thread_class_overlaps_and_is_named() {
    if !have_python() {
        return;
    }
    let r = overlapping_threads("assets/python/custom.py");
    let classes: Vec<&str> = (r["threads"].as_array().unwrap().iter())
        .filter_map(|t| t["class"].as_str())
        .collect();
    assert_eq!(classes, ["DownloadThread"; 3]);
}

#[test]
fn the_pool_uses_its_own_workers() {
    if !have_python() {
        return;
    }
    let (r, code, _) = watch("100", &["assets/python/pool.py"]);
    assert_eq!(code, 0);
    assert_eq!(names(&r), lesson_names());
    let w: HashSet<String> = workers(&r).into_iter().collect();
    assert!(w.len() <= 4, "at most max_workers: {w:?}");
    assert!(
        w.iter().all(|n| n.starts_with("ThreadPoolExecutor-")),
        "{w:?}"
    );
}

#[test]
fn a_pool_with_fewer_workers_than_downloads_reuses_one() {
    if !have_python() {
        return;
    }
    let (r, code, _) = watch("100", &["tests/python/pool_reuse.py"]);
    assert_eq!(code, 0);
    assert_eq!(tasks(&r).len(), 5);
    let all = workers(&r);
    let w: HashSet<&String> = all.iter().collect();
    assert!(w.len() <= 2, "max_workers is 2: {w:?}");
    assert!(w.iter().all(|n| n.starts_with("ThreadPoolExecutor-")));
    // Five downloads on at most two threads: some thread took more than one, one after another.
    assert!(r["max_parallel_waits"].as_u64().unwrap() <= 2);
    for name in &w {
        let mut mine: Vec<&Value> = (tasks(&r).iter())
            .filter(|t| t["worker"].as_str() == Some(name.as_str()))
            .collect();
        mine.sort_by(|a, b| f(&a["start_s"]).total_cmp(&f(&b["start_s"])));
        for pair in mine.windows(2) {
            assert!(f(&pair[1]["start_s"]) >= f(&pair[0]["end_s"]));
        }
    }
    assert!(w.len() < all.len());
}

#[test]
fn daemon_threads_are_alive_at_exit_and_the_program_still_exits_0() {
    if !have_python() {
        return;
    }
    // Speed 20: main's 5 s are 250 ms, room for several ticks even on a busy machine.
    let (r, code, _) = watch("20", &["assets/python/ticker.py"]);
    assert_eq!(code, 0, "{r}");
    assert_eq!(r["exit_code"], 0, "{r}");
    let daemons: Vec<&Value> = (r["threads"].as_array().unwrap().iter())
        .filter(|t| t["daemon"] == true)
        .collect();
    assert_eq!(daemons.len(), 2, "{r}");
    assert!(daemons.iter().all(|t| t["alive_at_exit"] == true), "{r}");
    // Each ticker is one row of many sleeps, labelled with what it prints.
    let rows: HashSet<&str> = (tasks(&r).iter())
        .filter(|t| t["sleeps"].as_u64().unwrap() > 1)
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(rows, HashSet::from(["Ping", "Pong"]), "{r}");
}

#[test]
fn multiprocessing_children_are_processes_of_their_own() {
    if !have_python() {
        return;
    }
    let (r, code, _) = watch("100", &["assets/python/process.py"]);
    assert_eq!(code, 0);
    let procs = r["processes"].as_array().unwrap();
    let main = procs[0]["pid"].as_u64().unwrap();
    let children: Vec<u64> = (procs.iter())
        .filter(|p| p["ppid"].as_u64() == Some(main) && p["probed"] == true)
        .map(|p| p["pid"].as_u64().unwrap())
        .collect();
    assert_eq!(children.len(), 3, "{procs:?}");
    assert_eq!(names(&r), lesson_names());
    // Each download waited in a child, not in the parent.
    for t in tasks(&r) {
        assert!(children.contains(&t["pid"].as_u64().unwrap()), "{t}");
    }
}

#[test]
fn printed_lines_arrive_with_their_threads() {
    if !have_python() {
        return;
    }
    let (r, _, _) = watch("100", &["assets/python/threads.py"]);
    let prints = r["prints"].as_array().unwrap();
    for t in tasks(&r) {
        let name = t["name"].as_str().unwrap();
        let line = format!("Downloading {name}...\n");
        let p = prints
            .iter()
            .find(|p| p["text"].as_str() == Some(&line))
            .unwrap_or_else(|| panic!("{line:?} not in {prints:?}"));
        assert_eq!(p["thread"], t["worker"]);
    }
    assert!(
        prints.iter().any(|p| p["thread"] == "MainThread"
            && p["text"].as_str().unwrap().starts_with("Total time"))
    );
}

#[test]
fn threads_that_compute_take_turns_on_one_core_under_the_gil() {
    if !have_python() {
        return;
    }
    let (r, code, _) = watch("1", &["assets/python/cpu_threads.py", "10"]);
    assert_eq!(code, 0);
    assert_eq!(r["gil"], true, "this machine's python3 is a GIL build");
    let busy = f(&r["cores_busy"]);
    assert!(busy <= 1.3, "cores busy {busy}: {r}");
    // The threads' shares add up to the process's CPU time: nobody else computed.
    let threads: f64 = (r["threads"].as_array().unwrap().iter())
        .map(|t| f(&t["cpu_s"]))
        .sum();
    let cpu = f(&r["cpu_s"]);
    assert!(cpu > 0.0);
    assert!(
        (threads - cpu).abs() <= 0.15 * cpu + 0.03,
        "threads {threads} vs process {cpu}"
    );
    let computing = (r["threads"].as_array().unwrap().iter())
        .filter(|t| t["target"] == "checksum" && f(&t["cpu_s"]) > 0.0)
        .count();
    assert_eq!(computing, 3, "{r}");
    // /proc saw these threads for seconds: each is the probe's thread by its id, none a second
    // thread known from /proc only (the probe's tid is the kernel's).
    assert!(
        (r["threads"].as_array().unwrap().iter()).all(|t| t["probed"] == true),
        "{r}"
    );
    // The verdict counts the same three threads the lanes show (the tryout's said "2 workers").
    assert_eq!(r["computing_threads"], 3, "{r}");
    assert_eq!(r["computing_processes"], 1, "{r}");
    if !r["finding"].is_null() {
        assert_eq!(r["finding"]["workers"], 3, "{r}");
        assert_ne!(r["finding"]["kind"], "parallel", "{r}");
    }
}

#[test]
fn threads_that_compute_one_after_another_are_not_said_to_take_turns() {
    if !have_python() {
        return;
    }
    // Each thread is joined before the next starts: they never want the CPU at once.
    let path = std::env::temp_dir().join(format!("threadlab-one-by-one-{}.py", std::process::id()));
    std::fs::write(
        &path,
        "from threading import Thread\n\
         def work():\n    t = 0\n    for i in range(1_500_000):\n        t = (t + i * i) % 1_000_003\n\
         for _ in range(2):\n    th = Thread(target=work)\n    th.start()\n    th.join()\n",
    )
    .unwrap();
    let (r, code, err) = watch("1", &[path.to_str().unwrap()]);
    let _ = std::fs::remove_file(&path);
    assert_eq!(code, 0, "{err}");
    assert_eq!(r["computing_threads"], 2, "{r}");
    // Whatever else the machine's load lets it say, never that they took turns.
    let kind = r["finding"]["kind"].as_str().unwrap_or("none");
    assert!(!["turns", "one_core", "apart"].contains(&kind), "{r}");
    if f(&r["cores_busy"]) <= 1.3 {
        assert_eq!(kind, "one_after_another", "{r}");
    }
}

#[test]
fn cpu_processes_counts_its_childrens_cpu_and_shows_each_as_a_process() {
    if !have_python() {
        return;
    }
    let (r, code, _) = watch("1", &["assets/python/cpu_processes.py", "20"]);
    assert_eq!(code, 0);
    let procs = r["processes"].as_array().unwrap();
    let main = &procs[0]["pid"];
    let children: Vec<&Value> = procs.iter().filter(|p| &p["ppid"] == main).collect();
    assert!(!children.is_empty(), "{r}");
    let threads = r["threads"].as_array().unwrap();
    for child in &children {
        assert_eq!(child["probed"], true, "{child}");
        assert_eq!(child["exit_code"], 0, "{child}");
        // Each process has its lanes: its own main thread, which did the computing.
        assert!(
            threads.iter().any(|t| t["pid"] == child["pid"]),
            "no lane for {child}: {r}"
        );
    }
    // The children computed, and the program's CPU time is every process's, theirs included
    // (the tryout's panel said 0.27 cores busy beside two busy children).
    let child_cpu: f64 = children.iter().map(|c| f(&c["cpu_s"])).sum();
    assert!(child_cpu > 0.0, "{r}");
    let all: f64 = procs.iter().map(|p| f(&p["cpu_s"])).sum();
    let cpu = f(&r["cpu_s"]);
    assert!((cpu - all).abs() <= 0.005, "cpu {cpu} vs processes {all}");
    assert!(
        cpu >= child_cpu - 0.002,
        "cpu {cpu} vs children {child_cpu}"
    );
    // Cores busy is that CPU time over the run's wall time (start-up included), as reported.
    let wall = f(&r["elapsed_s"]) + f(&r["startup_s"]);
    let busy = f(&r["cores_busy"]);
    assert!(
        (busy - cpu / wall).abs() <= 0.02 + 0.01 * busy,
        "cores busy {busy} vs {cpu} s / {wall} s"
    );
    // The verdict counts processes as processes: the computing children, no more.
    let computing = r["computing_processes"].as_u64().unwrap() as usize;
    assert!(computing <= children.len() + 1, "{r}");
    if computing >= 2 && !r["finding"].is_null() {
        assert_eq!(r["finding"]["workers"], computing as u64, "{r}");
        assert_eq!(r["finding"]["processes"], computing as u64, "{r}");
    }
}

#[test]
fn processes_that_compute_are_each_a_process_with_cpu_time() {
    if !have_python() {
        return;
    }
    let (r, code, _) = watch("1", &["assets/python/cpu_processes.py", "20"]);
    assert_eq!(code, 0);
    let procs = r["processes"].as_array().unwrap();
    let computing = procs
        .iter()
        .skip(1)
        .filter(|p| f(&p["cpu_s"]) > 0.0)
        .count();
    assert!(computing >= 1, "{procs:?}");
    assert!(procs.len() >= 2);
}

#[test]
fn a_program_run_with_dash_i_e_or_s_runs_unprobed() {
    if !have_python() {
        return;
    }
    // -I and -E ignore PYTHONPATH, -S skips site (which runs sitecustomize): no probe loads.
    for flag in ["-I", "-E", "-S"] {
        let (r, code, _) = watch(
            "100",
            &[
                flag,
                "-c",
                "import threading, time\nt = threading.Thread(target=time.sleep, args=(0.3,))\nt.start(); t.join()\nprint('done')",
            ],
        );
        assert_eq!(code, 0, "{flag}: {r}");
        assert_eq!(r["probed"], false, "{flag}: {r}");
        assert_eq!(r["gil"], Value::Null);
        assert_eq!(r["exit_code"], 0);
        assert!(tasks(&r).is_empty(), "nobody reported waits");
        assert!(!r["processes"].as_array().unwrap().is_empty());
    }
}

#[test]
fn a_program_that_is_not_python_runs_and_is_shown_from_proc() {
    let o = threadlab(&["watch", "--json", "--", "sh", "-c", "sleep 0.5; echo done"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r: Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(r["probed"], false, "{r}");
    assert_eq!(r["exit_code"], 0);
    // The shell and its sleep, seen in /proc, each with its thread.
    let procs = r["processes"].as_array().unwrap();
    assert!(!procs.is_empty(), "{r}");
    assert!(procs.iter().all(|p| p["probed"] == false), "{r}");
    assert!(!r["threads"].as_array().unwrap().is_empty(), "{r}");
    assert!(stderr(&o).contains("done"), "its output goes to stderr");
    // Without --json, the transcript says so in words.
    let o = threadlab(&["watch", "--", "sh", "-c", "echo done"]);
    assert!(stdout(&o).contains("no probe connected"), "{}", stdout(&o));
}

#[test]
fn the_socket_lives_in_a_directory_only_the_user_can_enter_and_goes_with_it() {
    if !have_python() {
        return;
    }
    let program = "import os, stat\n\
        s = os.environ['THREADLAB_WATCH_SOCKET']\n\
        d = os.path.dirname(s)\n\
        print(d, oct(stat.S_IMODE(os.stat(d).st_mode)), stat.S_ISSOCK(os.stat(s).st_mode))";
    let (r, code, _) = watch("1", &["-c", program]);
    assert_eq!(code, 0, "{r}");
    let said = (r["prints"].as_array().unwrap().iter())
        .find_map(|p| p["text"].as_str())
        .expect("the program printed");
    let words: Vec<&str> = said.split_whitespace().collect();
    assert_eq!(words[1..], ["0o700", "True"], "{said}");
    assert!(!Path::new(words[0]).exists(), "{} is left", words[0]);
}

#[test]
fn a_raising_program_reports_its_status_and_traceback() {
    if !have_python() {
        return;
    }
    let (r, code, err) = watch("100", &["-c", "raise ValueError('boom')"]);
    assert_eq!(code, 1);
    assert_eq!(r["exit_code"], 1);
    let tail: Vec<&str> = (r["stderr_tail"].as_array().unwrap().iter())
        .map(|l| l.as_str().unwrap())
        .collect();
    assert!(tail.contains(&"ValueError: boom"), "{tail:?}");
    assert!(tail[0].starts_with("Traceback"), "{tail:?}");
    // The program's own output goes to stderr, so stdout stays one JSON object.
    assert!(err.contains("ValueError: boom"));
}

#[test]
fn malformed_and_oversized_lines_are_counted_not_fatal() {
    if !have_python() {
        return;
    }
    let (r, code, _) = watch("100", &["tests/python/garbage.py"]);
    assert_eq!(code, 0);
    assert_eq!(r["malformed_lines"], 3, "{r}");
}

#[test]
fn a_command_that_does_not_exist_exits_127_with_one_line() {
    let o = threadlab(&["watch", "--json", "--", "no-such-program-threadlab"]);
    assert_eq!(o.status.code(), Some(127));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("no-such-program-threadlab"), "{err}");
    assert!(o.stdout.is_empty());
    // In the user's language too.
    let o = threadlab(&["--lang", "zh", "watch", "--", "no-such-program-threadlab"]);
    assert_eq!(o.status.code(), Some(127));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("no-such-program-threadlab：找不到这个命令"),
        "{err}"
    );
    let o = threadlab(&["--lang", "zh", "watch", "--", "/etc/passwd"]);
    assert_eq!(o.status.code(), Some(126));
    assert!(stderr(&o).contains("没有权限"), "{}", stderr(&o));
    // An executable the kernel cannot run (no #! and no known format): the system's reason by
    // its number, never its English words on a Chinese line.
    let path = std::env::temp_dir().join(format!("threadlab-noexec-{}", std::process::id()));
    std::fs::write(&path, [0u8, 1, 2, 3, 0xff, 0xfe]).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o700)).unwrap();
    let o = threadlab(&["--lang", "zh", "watch", "--", path.to_str().unwrap()]);
    let _ = std::fs::remove_file(&path);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(126), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("无法运行") && err.contains("系统错误（errno 8）"),
        "{err}"
    );
    assert!(!err.contains("format"), "{err}");
}

#[test]
fn watch_needs_a_command_and_refuses_trace() {
    common::refused(&["watch"], "required arguments");
    common::refused(
        &["watch", "--trace", "x.json", "--", "true"],
        "--trace is for run",
    );
    common::refused(
        &["--lang", "zh", "watch", "--trace", "x.json", "--", "true"],
        "threadlab: 错误：--trace 只用于 run、compare 和实时界面，不能用于 watch",
    );
}

#[test]
fn the_transcript_names_threads_and_says_what_the_figures_show() {
    if !have_python() {
        return;
    }
    let o = threadlab(&[
        "watch",
        "--speed",
        "10",
        "--",
        "python3",
        "assets/python/threads.py",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(
        out.starts_with("watching python3 assets/python/threads.py: Python "),
        "{out}"
    );
    for name in LESSON_FILES {
        assert!(
            out.lines()
                .any(|l| l.contains("(download)] Downloading ") && l.contains(name)),
            "{out}"
        );
    }
    assert!(out.contains("divided by 10"), "{out}");
    assert!(out.contains("exit status 0"), "{out}");
    assert!(out.contains("up to 3 waits ran at once"), "{out}");
}

fn children_of(pid: u32) -> Vec<u32> {
    let mut out = Vec::new();
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return out;
    };
    for t in tasks.flatten() {
        let path = t.path().join("children");
        if let Ok(s) = std::fs::read_to_string(path) {
            out.extend(s.split_whitespace().filter_map(|c| c.parse::<u32>().ok()));
        }
    }
    out
}

fn poll(what: &str, mut ok: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ok() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "timed out: {what}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn ctrl_c_leaves_no_socket_and_no_child() {
    if !have_python() || !Path::new("/proc/self/task").exists() {
        return;
    }
    let tmp = std::env::temp_dir().join(format!("threadlab-watch-test-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_threadlab"))
        .args(["watch", "--json", "--", "python3", "-c"])
        .arg("import time\nprint('ready', flush=True)\ntime.sleep(600)")
        .env("TMPDIR", &tmp)
        .env("LANG", "C")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let me = child.id();
    // The program is running once threadlab has a child and the socket exists.
    let mut program = 0;
    poll("the program starts", || {
        program = children_of(me).first().copied().unwrap_or(0);
        let socket = std::fs::read_dir(&tmp)
            .map(|d| d.flatten().any(|e| e.path().join("probe.sock").exists()))
            .unwrap_or(false);
        program != 0 && socket
    });
    // SAFETY: kill has no memory-safety preconditions.
    unsafe { libc::kill(me as i32, libc::SIGINT) };
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("a report even after Ctrl-C");
    assert!(report["exit_code"] != 0);
    poll("the program is gone", || !pids::alive(program));
    let left: Vec<_> = std::fs::read_dir(&tmp)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
    let _ = std::fs::remove_dir(&tmp);
}

#[test]
fn ctrl_c_leaves_no_multiprocessing_child_behind() {
    if !have_python() || !Path::new("/proc/self/task").exists() {
        return;
    }
    let tmp = std::env::temp_dir().join(format!("threadlab-watch-mp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).unwrap();
    let pids = tmp.join("pids");
    // spawn: children that start a fresh interpreter, and find the socket through the environment.
    let child = Command::new(env!("CARGO_BIN_EXE_threadlab"))
        .args([
            "watch",
            "--json",
            "--",
            "python3",
            "tests/python/children.py",
        ])
        .arg(&pids)
        .arg("spawn")
        .env("TMPDIR", &tmp)
        .env("LANG", "C")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let kids = children_written(&pids);
    // SAFETY: kill has no memory-safety preconditions.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130));
    let report: Value = serde_json::from_slice(&out.stdout).expect("a report after Ctrl-C");
    let seen: Vec<u64> = (report["processes"].as_array().unwrap().iter())
        .filter(|p| p["probed"] == true)
        .map(|p| p["pid"].as_u64().unwrap())
        .collect();
    for pid in &kids {
        assert!(seen.contains(&u64::from(*pid)), "{pid} probed: {report}");
        poll("the child is gone", || !pids::alive(*pid));
    }
    let left: Vec<_> = (std::fs::read_dir(&tmp).unwrap().flatten())
        .map(|e| e.path())
        .filter(|p| *p != pids)
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
    let _ = std::fs::remove_dir_all(&tmp);
}

#[test]
fn every_sleep_is_divided_by_the_speed_and_the_report_keeps_lesson_seconds() {
    if !have_python() {
        return;
    }
    let (r, code, _) = watch("100", &["tests/python/scaled.py"]);
    assert_eq!(code, 0, "{r}");
    // Each asked for two lesson seconds, and the report says so.
    let asked: Vec<f64> = tasks(&r).iter().map(|t| f(&t["duration_s"])).collect();
    assert_eq!(asked, [2.0, 2.0, 2.0], "{r}");
    // A sleep never returns early, so under 2 real seconds means it was divided.
    for way in ["time.sleep", "from-import", "asyncio.sleep"] {
        let said = (r["prints"].as_array().unwrap().iter())
            .filter_map(|p| p["text"].as_str()?.strip_prefix(&format!("{way} ")))
            .map(|s| s.trim().parse::<f64>().unwrap())
            .next()
            .unwrap_or_else(|| panic!("{way} printed nothing: {r}"));
        assert!(said < 2.0, "{way} slept {said} real seconds: {r}");
    }
}

/// A private tmux server (killed on drop), for the one end-to-end test of the live screen.
struct Tmux(String);

impl Tmux {
    fn cmd(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.0, "-f", "/dev/null"])
            .args(args)
            .output()
            .expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn wait_for(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.cmd(&["capture-pane", "-p", "-t", "w"]);
            if ok(&screen) {
                return screen;
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "timed out waiting for {what}:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd(&["kill-server"]);
    }
}

/// A private tmux server running `run` (then the exit code, the tty's state and DONE) in a
/// session `w` of `cols`×`rows` in the repository; None without tmux or python3 (outside CI).
fn tmux_session(tag: &str, cols: u16, rows: u16, run: &str) -> Option<Tmux> {
    let have_tmux = Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if !have_python() || !have_tmux {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI needs tmux and python3"
        );
        return None;
    }
    let tmux = Tmux(format!("threadlab-watch-{tag}-{}", std::process::id()));
    tmux.cmd(&["new-session", "-d", "-s", "keepalive", "sleep 600"]);
    let run = format!("{run}; echo EXIT=$?; stty -a; echo DONE; exec sleep 300");
    tmux.cmd(&[
        "new-session",
        "-d",
        "-s",
        "w",
        "-x",
        &cols.to_string(),
        "-y",
        &rows.to_string(),
        "-c",
        env!("CARGO_MANIFEST_DIR"),
        &run,
    ]);
    Some(tmux)
}

/// The program has ended with `status`, and the terminal is as the shell had it.
fn assert_exit_and_restored(tmux: &Tmux, status: i32) {
    let after = tmux.wait_for("the shell's screen", |s| s.contains("DONE"));
    assert!(after.contains(&format!("EXIT={status}")), "{after}");
    assert_eq!(
        tmux.cmd(&["display", "-p", "-t", "w", "#{alternate_on} #{cursor_flag}"])
            .trim(),
        "0 1"
    );
    let words: Vec<&str> = after.split_whitespace().collect();
    for flag in ["icanon", "echo", "isig"] {
        assert!(words.contains(&flag), "tty not restored ({flag}):\n{after}");
    }
}

#[test]
fn the_live_screen_shows_three_downloads_with_their_threads_and_restores_the_terminal() {
    let bin = env!("CARGO_BIN_EXE_threadlab");
    let run = format!("LANG=C {bin} watch --speed 10 -- python3 assets/python/threads.py");
    let Some(tmux) = tmux_session("threads", 140, 40, &run) else {
        return;
    };
    let screen = tmux.wait_for("the finished run", |s| s.contains("exit status 0"));
    for name in LESSON_FILES {
        let row = screen
            .lines()
            .find(|l| l.contains(name) && l.contains("(download)"))
            .unwrap_or_else(|| panic!("no row for {name}:\n{screen}"));
        assert!(row.contains("Thread-"), "{row}");
    }
    assert!(screen.contains("stdin is /dev/null"), "{screen}");
    assert!(screen.contains("Python 3."), "{screen}");
    // The program's own printed times are scaled, and the screen says so.
    assert!(
        screen.contains("time.sleep ÷ 10: times are lesson seconds"),
        "{screen}"
    );
    tmux.cmd(&["send-keys", "-t", "w", "q"]);
    assert_exit_and_restored(&tmux, 0);
}

#[test]
fn the_main_screens_w_and_a_lesson_scene_run_real_python_and_come_back_in_a_real_terminal() {
    let bin = env!("CARGO_BIN_EXE_threadlab");
    let run = format!("LANG=C {bin} --lesson --speed 20 --seed 7");
    let Some(tmux) = tmux_session("main", 120, 40, &run) else {
        return;
    };
    let keys = |k: &[&str]| {
        let mut all = vec!["send-keys", "-t", "w"];
        all.extend_from_slice(k);
        tmux.cmd(&all)
    };
    tmux.wait_for("the lesson", |s| s.contains("Scene 1/11"));
    for _ in 0..9 {
        keys(&["PageDown"]);
    }
    tmux.wait_for("the scene of the lesson's programs", |s| {
        s.contains("Scene 10/11") && s.contains("Enter runs python3 serial.py")
    });
    // Enter runs serial.py for real, on the same screen.
    keys(&["Enter"]);
    let ran = tmux.wait_for("serial.py's end", |s| {
        s.contains("threadlab watch python3 serial.py") && s.contains("exit status 0")
    });
    assert!(ran.contains("q/Esc  back to threadlab"), "{ran}");
    assert!(ran.contains("MainThread"), "{ran}");
    keys(&["q"]);
    let card = tmux.wait_for("the card with serial.py's figures", |s| {
        s.contains("→ serial.py: exit status 0") && s.contains("Enter runs python3 threads.py")
    });
    assert!(card.contains("the waits ran one after another"), "{card}");
    // W runs the scene's strategy's counterpart (threads.py), and q comes back again.
    keys(&["W"]);
    // The whole condition is polled for: a capture can catch a frame half drawn.
    tmux.wait_for("threads.py's end with its three threads", |s| {
        s.contains("threadlab watch python3 threads.py")
            && s.contains("exit status 0")
            && (1..=3).all(|n| s.contains(&format!("Thread-{n} (download)")))
    });
    keys(&["q"]);
    tmux.wait_for("the card with both", |s| {
        s.contains("→ threads.py: exit status 0") && s.contains("Scene 10/11")
    });
    keys(&["q"]);
    assert_exit_and_restored(&tmux, 0);
}

#[test]
fn the_w_key_says_python3_is_missing_in_the_screens_language() {
    let bin = env!("CARGO_BIN_EXE_threadlab");
    // PATH without python3 for threadlab only: the shell around it still finds stty.
    let run = format!(
        "env PATH=/nonexistent-{} {bin} --lang zh",
        std::process::id()
    );
    let Some(tmux) = tmux_session("missing", 120, 40, &run) else {
        return;
    };
    tmux.wait_for("the Chinese screen", |s| s.contains("按 Enter 运行"));
    tmux.cmd(&["send-keys", "-t", "w", "W"]);
    let screen = tmux.wait_for("the notice", |s| s.contains("python3：找不到这个命令"));
    assert!(!screen.contains("command not found"), "{screen}");
    // The screen carries on: q quits it as usual.
    tmux.cmd(&["send-keys", "-t", "w", "q"]);
    assert_exit_and_restored(&tmux, 0);
}

/// The pids a `tests/python/children.py` run wrote to `file`, once it has.
fn children_written(file: &Path) -> Vec<u32> {
    let mut pids = Vec::new();
    poll("the program's children start", || {
        pids = std::fs::read_to_string(file)
            .map(|s| {
                s.split_whitespace()
                    .filter_map(|p| p.parse().ok())
                    .collect()
            })
            .unwrap_or_default();
        pids.len() == 2
    });
    pids
}

/// `tests/python/children.py` under watch on a live screen in tmux, in a temporary directory of
/// its own, once both its children are on screen: the directory, the file the children's pids
/// are in, the session, and those pids. None without tmux.
fn children_on_screen(tag: &str) -> Option<(PathBuf, PathBuf, Tmux, Vec<u32>)> {
    let tmp = std::env::temp_dir().join(format!("threadlab-watch-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).unwrap();
    let pids = tmp.join("pids");
    let bin = env!("CARGO_BIN_EXE_threadlab");
    let run = format!(
        "LANG=C TMPDIR={} {bin} watch -- python3 tests/python/children.py {} fork",
        tmp.display(),
        pids.display()
    );
    let tmux = tmux_session(tag, 120, 40, &run)?;
    let kids = children_written(&pids);
    tmux.wait_for("the children on screen", |s| {
        s.matches(", child of ").count() >= 2
    });
    Some((tmp, pids, tmux, kids))
}

#[test]
fn ctrl_c_on_the_live_screen_leaves_no_child_no_grandchild_and_no_socket() {
    let Some((tmp, pids, tmux, kids)) = children_on_screen("ctrlc") else {
        return;
    };
    tmux.cmd(&["send-keys", "-t", "w", "C-c"]);
    assert_exit_and_restored(&tmux, 130);
    for pid in kids {
        poll("the child is gone", || !pids::alive(pid));
    }
    let left: Vec<_> = (std::fs::read_dir(&tmp).unwrap().flatten())
        .map(|e| e.path())
        .filter(|p| *p != pids)
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
    let _ = std::fs::remove_dir_all(&tmp);
}

#[test]
fn a_terminal_that_goes_away_leaves_no_program_and_no_socket() {
    let Some((tmp, pids, tmux, kids)) = children_on_screen("hup") else {
        return;
    };
    // The terminal goes away: its pane is killed (a hangup for everything in it).
    tmux.cmd(&["kill-session", "-t", "w"]);
    for pid in kids {
        poll("the child is gone", || !pids::alive(pid));
    }
    poll("the private directory is gone", || {
        (std::fs::read_dir(&tmp).unwrap().flatten()).all(|e| e.path() == pids)
    });
    let _ = std::fs::remove_dir_all(&tmp);
}

/// A finished run of three downloads and a daemon ticker, from probe lines with fixed times.
fn finished_program() -> threadlab::watch::model::Program {
    use threadlab::watch::model::Program;
    use threadlab::watch::protocol::parse;
    use threadlab::watch::sampler::{ProcSample, ThreadSample};
    use threadlab::watch::session::{Ended, Input};
    let mut p = Program::new(vec!["python3".into(), "threads.py".into()], 10.0, 100, 0.0);
    let mut lines = vec![
        r#"{"v":1,"ev":"hello","t":1.0,"pid":100,"tid":100,"name":"MainThread","python":"3.11.7","gil":true,"cpus":2,"cpus_usable":2}"#.to_string(),
        r#"{"v":1,"ev":"thread_start","t":1.01,"pid":100,"tid":104,"name":"Thread-4 (display)","daemon":true,"cls":"Thread","target":"display","args":[["","Ping"]]}"#.to_string(),
    ];
    for (i, (file, d)) in LESSON_FILES.iter().zip([0.4, 0.6, 0.3]).enumerate() {
        let tid = 101 + i;
        let t = 1.02 + i as f64 * 0.001;
        lines.push(format!(r#"{{"v":1,"ev":"thread_start","t":{t},"pid":100,"tid":{tid},"name":"Thread-{} (download)","daemon":false,"cls":"Thread","target":"download","args":[["filename","{file}"]]}}"#, i + 1));
        lines.push(format!(r#"{{"v":1,"ev":"print","t":{t},"pid":100,"tid":{tid},"stream":"stdout","text":"Downloading {file}...\n"}}"#));
        lines.push(format!(r#"{{"v":1,"ev":"sleep","t":{t},"pid":100,"tid":{tid},"d":{},"fn":"download","site":"threads.py:15","args":[["filename","{file}"]]}}"#, d * 10.0));
        lines.push(format!(
            r#"{{"v":1,"ev":"wake","t":{},"pid":100,"tid":{tid}}}"#,
            t + d
        ));
        lines.push(format!(r#"{{"v":1,"ev":"print","t":{},"pid":100,"tid":{tid},"stream":"stdout","text":"Downloaded {file}\n"}}"#, t + d));
        lines.push(format!(r#"{{"v":1,"ev":"thread_end","t":{},"pid":100,"tid":{tid},"name":"Thread-{} (download)","cpu":0.001}}"#, t + d, i + 1));
    }
    for k in 0..6 {
        let t = 1.02 + k as f64 * 0.1;
        lines.push(format!(r#"{{"v":1,"ev":"sleep","t":{t},"pid":100,"tid":104,"d":1.0,"fn":"display","site":"t.py:9","args":[["content","Ping"]]}}"#));
        if k < 5 {
            lines.push(format!(
                r#"{{"v":1,"ev":"wake","t":{},"pid":100,"tid":104}}"#,
                t + 0.1
            ));
        }
    }
    lines.push(r#"{"v":1,"ev":"print","t":1.63,"pid":100,"tid":100,"stream":"stdout","text":"Total time: 0.60 seconds\n"}"#.into());
    let exit = r#"{"v":1,"ev":"exit","t":1.63,"pid":100,"tid":100,"alive":[{"tid":104,"name":"Thread-4 (display)","daemon":true}],"cpu":0.05,"thread_cpu":0.04}"#;
    let mut feed = |l: &str| {
        let (stamp, event) = parse(l.as_bytes()).unwrap_or_else(|e| panic!("{e:?}: {l}"));
        p.apply(Input::Probe {
            received: stamp.t,
            stamp,
            event,
        });
    };
    for l in &lines {
        feed(l);
    }
    // The main thread on a core at the start, then waiting in join().
    for (k, cpu) in [(0, 0.0), (1, 0.02), (2, 0.03), (3, 0.03)] {
        let at = 1.0 + k as f64 * 0.05;
        p.apply(Input::Samples {
            at,
            procs: vec![ProcSample {
                pid: 100,
                ppid: 1,
                cpu,
                threads: vec![ThreadSample {
                    tid: 100,
                    comm: "python3".into(),
                    cpu,
                }],
            }],
            idle: None,
        });
    }
    let (stamp, event) = parse(exit.as_bytes()).unwrap();
    p.apply(Input::Probe {
        received: stamp.t,
        stamp,
        event,
    });
    p.apply(Input::Exited(Ended {
        code: Some(0),
        signal: None,
        cpu: 0.05,
        at: 1.65,
    }));
    p
}

fn render_watch(lang: threadlab::i18n::Lang) -> String {
    render_program(&finished_program(), lang, 2.0, 120, 36)
}

/// A buffer's text as a terminal shows it: a wide character covers the cell after it.
fn shown_text(buf: &ratatui::buffer::Buffer) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut skip = 0;
        for x in 0..buf.area.width {
            // A wide character's second cell is drawn by the first.
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let sym = buf[(x, y)].symbol();
            skip = unicode_width::UnicodeWidthStr::width(sym).saturating_sub(1);
            out.push_str(sym);
        }
        out.push('\n');
    }
    out
}

/// Feed probe lines to `p`, each received as it was sent.
fn feed_lines(p: &mut threadlab::watch::model::Program, lines: &[String]) {
    use threadlab::watch::protocol::parse;
    use threadlab::watch::session::Input;
    for l in lines {
        let (stamp, event) = parse(l.as_bytes()).unwrap_or_else(|e| panic!("{e:?}: {l}"));
        p.apply(Input::Probe {
            received: stamp.t,
            stamp,
            event,
        });
    }
}

/// A finished computing program from fixed figures: `workers` (pid, tid, CPU seconds) computing
/// from t = 1 to 3 under the main process 400 (children have their own pid and say hello), the
/// machine idle `idle` cores on average. On a 2-core GIL build.
fn computing_program(
    script: &str,
    workers: &[(u32, u32, f64)],
    idle: f64,
) -> threadlab::watch::model::Program {
    use threadlab::watch::model::Program;
    use threadlab::watch::sampler::{ProcSample, ThreadSample};
    use threadlab::watch::session::{Ended, Input};
    let mut p = Program::new(vec!["python3".into(), script.into()], 1.0, 400, 0.0);
    let hello = |pid: u32, ppid: u32| {
        format!(
            r#"{{"v":1,"ev":"hello","t":1.0,"pid":{pid},"tid":{pid},"ppid":{ppid},"name":"MainThread","python":"3.11.7","gil":true,"cpus":2,"cpus_usable":2,"cpu":0.0,"thread_cpu":0.0}}"#
        )
    };
    let mut lines = vec![hello(400, 1)];
    for &(pid, tid, _) in workers {
        if pid != 400 {
            lines.push(hello(pid, 400));
        } else {
            lines.push(format!(r#"{{"v":1,"ev":"thread_start","t":1.0,"pid":400,"tid":{tid},"name":"Thread-{} (checksum)","target":"checksum","args":[["filename","f{tid}"]]}}"#, tid - 400));
        }
    }
    feed_lines(&mut p, &lines);
    // Sweeps at 1, 2 and 3 s: every worker at an even pace.
    for at in [1.0, 2.0, 3.0] {
        let mut procs: Vec<ProcSample> = Vec::new();
        for &(pid, tid, cpu) in workers {
            let used = cpu * (at - 1.0) / 2.0;
            let thread = ThreadSample {
                tid,
                comm: "python3".into(),
                cpu: used,
            };
            match procs.iter_mut().find(|q| q.pid == pid) {
                Some(q) => {
                    q.cpu += used;
                    q.threads.push(thread);
                }
                None => procs.push(ProcSample {
                    pid,
                    ppid: if pid == 400 { 1 } else { 400 },
                    cpu: used,
                    threads: vec![thread],
                }),
            }
        }
        if !procs.iter().any(|q| q.pid == 400) {
            procs.push(ProcSample {
                pid: 400,
                ppid: 1,
                cpu: 0.0,
                threads: vec![ThreadSample {
                    tid: 400,
                    comm: "python3".into(),
                    cpu: 0.0,
                }],
            });
        }
        p.apply(Input::Samples {
            at,
            procs,
            idle: Some(100.0 + idle * (at - 1.0)),
        });
    }
    let mut ends = Vec::new();
    for &(pid, tid, cpu) in workers {
        if pid == 400 {
            ends.push(format!(
                r#"{{"v":1,"ev":"thread_end","t":3.0,"pid":400,"tid":{tid},"cpu":{cpu}}}"#
            ));
        } else {
            ends.push(format!(r#"{{"v":1,"ev":"exit","t":3.0,"pid":{pid},"tid":{pid},"code":0,"alive":[],"cpu":{cpu},"thread_cpu":{cpu}}}"#));
        }
    }
    ends.push(r#"{"v":1,"ev":"exit","t":3.0,"pid":400,"tid":400,"alive":[],"cpu":0.01,"thread_cpu":0.01}"#.into());
    feed_lines(&mut p, &ends);
    p.apply(Input::Exited(Ended {
        code: Some(0),
        signal: None,
        cpu: workers.iter().map(|w| w.2).sum(),
        at: 3.0,
    }));
    p
}

/// The classroom in lesson mode on the scene that runs `first`, at 120×40, after `ran`.
fn python_scene(
    first: &str,
    ran: &[(&'static str, &threadlab::watch::model::Program)],
) -> threadlab::app::App {
    use threadlab::app::Event;
    let mut app = classroom(threadlab::engine::Strategy::Serial, 1.0);
    threadlab::runner::feed(&mut app, Event::Resize(120, 40));
    app.update(key('L'));
    while !app
        .lesson
        .as_ref()
        .unwrap()
        .scene()
        .preset
        .python
        .contains(&first)
    {
        app.update(Event::Key(crossterm::event::KeyEvent::from(
            crossterm::event::KeyCode::PageDown,
        )));
    }
    for (script, program) in ran {
        let watched = threadlab::watch::carried::summarize(script, program);
        app.update(Event::Watched(Box::new(watched)));
    }
    app
}

fn app_text(app: &threadlab::app::App) -> String {
    let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).unwrap();
    term.draw(|f| f.render_widget(app, f.area())).unwrap();
    shown_text(term.backend().buffer())
}

/// The side panel's column of a 120-column screen (the last 40).
fn side_of(screen: &str) -> String {
    (screen.lines())
        .map(|l| {
            l.chars()
                .rev()
                .take(40)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_python_scenes_side_panel_describes_the_watched_programs_in_both_languages() {
    use threadlab::i18n::Lang;
    use threadlab::watch::report::CpuFigures;
    // Scene 10 before any run: nothing of the built-in run's timing.
    let app = python_scene("serial.py", &[]);
    let side = side_of(&app_text(&app));
    assert!(
        side.contains("No program has run from this scene"),
        "{side}"
    );
    assert!(
        !side.contains("Serial (sum)") && !side.contains("Ideal"),
        "{side}"
    );
    // After threads.py: its own figures.
    let threads = finished_program();
    let mut app = python_scene("serial.py", &[("threads.py", &threads)]);
    let en = app_text(&app);
    let side = side_of(&en);
    assert!(side.contains("threads.py · exit status 0"), "{side}");
    let (sum, longest) = threads.sum_and_longest();
    let row = |label: &str, value: String| {
        assert!(
            side.lines()
                .any(|l| l.contains(&format!("│ {label} ")) && l.contains(&format!(" {value} │"))),
            "{label} {value} not in\n{side}"
        );
    };
    row("Waits: sum", format!("{sum:.2} s"));
    row("Longest wait", format!("{longest:.2} s"));
    row("Threads", threads.shown_threads().count().to_string());
    row("Processes", "1".into());
    assert!(side.contains("Python 3.11.7 · GIL on"), "{side}");
    assert!(!side.contains("Serial (sum)"), "{side}");
    insta::assert_snapshot!("scene_10_watched_en", en);
    app.update(key('l'));
    assert_eq!(app.settings.lang, Lang::Zh);
    let zh = app_text(&app);
    assert!(side_of(&zh).contains("threads.py · 退出状态 0"), "{zh}");
    insta::assert_snapshot!("scene_10_watched_zh", zh);

    // Scene 11: the GIL pair, each with the figures its verdict read.
    let cpu_threads = computing_program(
        "cpu_threads.py",
        &[(400, 401, 0.6), (400, 402, 0.7), (400, 403, 0.6)],
        1.0,
    );
    let cpu_processes = computing_program(
        "cpu_processes.py",
        &[(401, 401, 1.8), (402, 402, 1.8)],
        0.15,
    );
    let mut app = python_scene(
        "cpu_threads.py",
        &[
            ("cpu_threads.py", &cpu_threads),
            ("cpu_processes.py", &cpu_processes),
        ],
    );
    let en = app_text(&app);
    let side = side_of(&en);
    for (script, p) in [
        ("cpu_threads.py", &cpu_threads),
        ("cpu_processes.py", &cpu_processes),
    ] {
        let f = CpuFigures::of(p);
        let busy = format!("{:.2}", f.busy.unwrap());
        assert!(
            side.contains(&format!("{script} · exit status 0")),
            "{side}"
        );
        assert!(
            side.lines()
                .any(|l| l.contains("Cores busy") && l.contains(&busy)),
            "{busy} not in\n{side}"
        );
        // The card's conclusion quotes the same figure.
        let found = threadlab::watch::report::conclusions(Lang::En, p).join(" ");
        assert!(found.contains(&busy), "{found}");
    }
    assert!(en.contains("3 threads computed"), "{en}");
    assert!(en.contains("2 processes computed at once"), "{en}");
    insta::assert_snapshot!("scene_11_watched_en", en);
    app.update(key('l'));
    insta::assert_snapshot!("scene_11_watched_zh", app_text(&app));
}

/// The watch screen of `p` at `now` (CLOCK_MONOTONIC seconds), `w`×`h` in `lang`, as shown.
fn render_program(
    p: &threadlab::watch::model::Program,
    lang: threadlab::i18n::Lang,
    now: f64,
    w: u16,
    h: u16,
) -> String {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use threadlab::ui::theme::Theme;
    use threadlab::watch::view::WatchView;
    let theme = Theme::default();
    let view = WatchView {
        program: p,
        lang,
        theme: &theme,
        now,
        back: false,
    };
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    term.draw(|f| f.render_widget(&view, f.area())).unwrap();
    shown_text(term.backend().buffer())
}

#[test]
fn a_narrow_screen_keeps_the_figures_and_the_verdict_and_counts_lanes_it_cannot_show() {
    // 80 columns have no side panel: its figures and verdict get a pane of their own.
    let p = computing_program(
        "cpu_threads.py",
        &[(400, 401, 0.6), (400, 402, 0.7), (400, 403, 0.6)],
        1.0,
    );
    let screen = render_program(&p, threadlab::i18n::Lang::En, 3.0, 80, 24);
    let flat: String = screen
        .lines()
        .map(|l| l.trim_matches(|c| c == '│' || c == ' ').to_string())
        .collect::<Vec<_>>()
        .join(" ");
    let verdict = threadlab::watch::report::conclusions(threadlab::i18n::Lang::En, &p).join(" ");
    assert!(verdict.contains("took turns"), "{verdict}");
    assert!(
        flat.contains(&verdict),
        "{verdict:?} not whole on\n{screen}"
    );
    assert!(flat.contains("Cores busy 0.95"), "{screen}");
    for n in 1..=3 {
        assert!(
            screen.contains(&format!("Thread-{n} (checksum)")),
            "{screen}"
        );
    }
    insta::assert_snapshot!("watch_narrow_cpu_threads", screen);
    // Many processes on a short screen: the lanes that do not fit are counted, not cut silently.
    let many: Vec<(u32, u32, f64)> = (401..409).map(|pid| (pid, pid, 0.5)).collect();
    let p = computing_program("cpu_processes.py", &many, 0.1);
    let screen = render_program(&p, threadlab::i18n::Lang::En, 3.0, 80, 24);
    assert!(
        screen.contains("more rows here: a taller terminal shows them"),
        "{screen}"
    );
    assert!(screen.contains("8 processes computed at once"), "{screen}");
}

#[test]
fn the_live_screen_of_a_finished_program() {
    let en = render_watch(threadlab::i18n::Lang::En);
    assert!(en.contains("Thread-4 (display)"));
    insta::assert_snapshot!("watch_finished_en", en);
    insta::assert_snapshot!("watch_finished_zh", render_watch(threadlab::i18n::Lang::Zh));
}

#[test]
fn workshops_are_processes_each_with_a_pool_of_its_own() {
    if !have_python() {
        return;
    }
    let (r, code, _) = watch("100", &["assets/python/workshops.py"]);
    assert_eq!(code, 0);
    assert_eq!(names(&r), lesson_names());
    let procs = r["processes"].as_array().unwrap();
    let main = procs[0]["pid"].as_u64().unwrap();
    let children: HashSet<u64> = (procs.iter())
        .filter(|p| p["ppid"].as_u64() == Some(main) && p["probed"] == true)
        .map(|p| p["pid"].as_u64().unwrap())
        .collect();
    assert_eq!(children.len(), 2, "{procs:?}");
    // Every download waited on a pool thread inside a workshop, and both workshops had work.
    let used: HashSet<u64> = tasks(&r)
        .iter()
        .map(|t| t["pid"].as_u64().unwrap())
        .collect();
    assert_eq!(used, children);
    assert!(
        workers(&r)
            .iter()
            .all(|w| w.starts_with("ThreadPoolExecutor-"))
    );
}

#[test]
fn async_downloads_wait_at_once_on_one_thread() {
    if !have_python() {
        return;
    }
    let (r, code, _) = watch("10", &["assets/python/async.py"]);
    assert_eq!(code, 0);
    assert_eq!(names(&r), lesson_names());
    // One thread juggles all three: their waits overlap on it.
    assert_eq!(workers(&r), ["MainThread"; 3]);
    assert_eq!(r["max_parallel_waits"], 3, "{r}");
    assert!(f(&r["elapsed_s"]) < f(&r["sum_s"]), "{r}");
}

#[test]
fn a_screen_already_open_can_run_a_lessons_program_it_carries() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use threadlab::app::Event;
    use threadlab::watch::live::{Quit, Shown, screen, start_script_on_screen};
    if !have_python() {
        return;
    }
    let source = std::fs::read_to_string("assets/python/threads.py").unwrap();
    let (session, mut program, inputs) =
        start_script_on_screen("threads.py", &source, 10.0, threadlab::i18n::Lang::En)
            .expect("starts");
    let (keys, rx) = std::sync::mpsc::channel();
    let pid = session.pid;
    // The caller's key: q once the program has ended (and been reaped).
    let quitter = std::thread::spawn(move || {
        poll("the program ends", || {
            !Path::new(&format!("/proc/{pid}")).exists()
        });
        std::thread::sleep(Duration::from_millis(100));
        let _ = keys.send(Event::Key(KeyEvent::new(
            KeyCode::Char('q'),
            KeyModifiers::NONE,
        )));
    });
    let mut term = Terminal::new(TestBackend::new(120, 30)).unwrap();
    let theme = threadlab::ui::theme::Theme::default();
    let mut shown = Shown {
        lang: threadlab::i18n::Lang::En,
        theme,
        back: true,
        held: Vec::new(),
    };
    let quit = screen(&mut term, &rx, &session, &mut program, &inputs, &mut shown).unwrap();
    quitter.join().unwrap();
    assert_eq!(quit, Quit::Plain);
    assert_eq!(program.command, ["python3", "threads.py"]);
    assert_eq!(program.waits.len(), 3);
    let screen_text: String = (term.backend().buffer().content.iter())
        .map(|c| c.symbol())
        .collect();
    for n in 1..=3 {
        assert!(screen_text.contains(&format!("Thread-{n} (download)")));
    }
}

/// A test terminal for the main screen's loop (whose backend errors are `io::Error`s) that keeps
/// the text of every frame it is sent.
struct Frames {
    inner: ratatui::backend::TestBackend,
    frames: Vec<String>,
    /// The last frame, for a test's key thread to wait on what the screen shows.
    latest: std::sync::Arc<std::sync::Mutex<String>>,
}

fn ok<T>(r: Result<T, std::convert::Infallible>) -> std::io::Result<T> {
    r.map_err(|never| match never {})
}

impl ratatui::backend::Backend for Frames {
    type Error = std::io::Error;
    fn draw<'a, I>(&mut self, content: I) -> std::io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a ratatui::buffer::Cell)>,
    {
        ok(self.inner.draw(content))
    }
    fn hide_cursor(&mut self) -> std::io::Result<()> {
        ok(self.inner.hide_cursor())
    }
    fn show_cursor(&mut self) -> std::io::Result<()> {
        ok(self.inner.show_cursor())
    }
    fn get_cursor_position(&mut self) -> std::io::Result<ratatui::layout::Position> {
        ok(self.inner.get_cursor_position())
    }
    fn set_cursor_position<P: Into<ratatui::layout::Position>>(
        &mut self,
        p: P,
    ) -> std::io::Result<()> {
        ok(self.inner.set_cursor_position(p))
    }
    fn clear(&mut self) -> std::io::Result<()> {
        ok(self.inner.clear())
    }
    fn clear_region(&mut self, t: ratatui::backend::ClearType) -> std::io::Result<()> {
        ok(self.inner.clear_region(t))
    }
    fn size(&self) -> std::io::Result<ratatui::layout::Size> {
        ok(self.inner.size())
    }
    fn window_size(&mut self) -> std::io::Result<ratatui::backend::WindowSize> {
        ok(self.inner.window_size())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        // As a terminal shows it: the cell after a wide character is covered by it (the test
        // backend keeps whatever an earlier frame left there).
        let mut text = String::new();
        let mut covered = false;
        for cell in &self.inner.buffer().content {
            if !std::mem::take(&mut covered) {
                text.push_str(cell.symbol());
                covered = unicode_width::UnicodeWidthStr::width(cell.symbol()) == 2;
            }
        }
        *self.latest.lock().unwrap() = text.clone();
        self.frames.push(text);
        Ok(())
    }
}

fn key(c: char) -> threadlab::app::Event {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    threadlab::app::Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn classroom(strategy: threadlab::engine::Strategy, speed: f64) -> threadlab::app::App {
    threadlab::app::App::new(threadlab::app::Start {
        settings: threadlab::settings::Settings {
            strategy,
            speed,
            ..Default::default()
        },
        cores: 2,
        all_cores: 2,
        scenes: threadlab::lesson::builtin(),
    })
}

/// The pid of this process's child running the carried `script`, if there is one.
fn child_running(script: &str) -> Option<u32> {
    children_of(std::process::id()).into_iter().find(|&pid| {
        std::fs::read(format!("/proc/{pid}/cmdline"))
            .is_ok_and(|c| String::from_utf8_lossy(&c).contains(&format!("/{script}")))
    })
}

#[test]
fn the_main_screens_key_runs_the_strategys_python_on_the_same_screen_and_comes_back() {
    use threadlab::runner::{self, Runner};
    if !have_python() {
        return;
    }
    let mut app = classroom(threadlab::engine::Strategy::Custom, 20.0);
    runner::feed(&mut app, threadlab::app::Event::Resize(120, 40));
    let (tx, rx) = std::sync::mpsc::channel();
    let mut r = Runner::new(tx.clone());
    let latest = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let shown = latest.clone();
    // The class's keys: W, then q once the program has ended (back), then q (quit threadlab).
    let keys = std::thread::spawn(move || {
        tx.send(key('W')).unwrap();
        let mut pid = None;
        poll("custom.py starts", || {
            pid = child_running("custom.py");
            pid.is_some()
        });
        let pid = pid.unwrap();
        // News for the main screen while the watch screen has it: kept for when it is back.
        let news = threadlab::app::Event::Notice("news from the classroom's own threads".into());
        tx.send(news).unwrap();
        poll("custom.py ends", || !pids::alive(pid));
        // Its last lines and exit reach the screen a frame or two later.
        poll("its exit status on the watch screen", || {
            shown.lock().unwrap().contains("exit status 0")
        });
        // The class switches to Chinese on the watch screen, and keeps it back on the main one.
        tx.send(key('l')).unwrap();
        tx.send(key('q')).unwrap();
        tx.send(key('q')).unwrap();
    });
    let mut term = ratatui::Terminal::new(Frames {
        inner: ratatui::backend::TestBackend::new(120, 40),
        frames: Vec::new(),
        latest,
    })
    .unwrap();
    runner::run(&mut term, &mut app, rx, &mut r).unwrap();
    r.shut_down();
    keys.join().unwrap();
    let frames = &term.backend().frames;
    let watched = (frames.iter())
        .position(|f| f.contains("threadlab watch") && f.contains("Thread-3"))
        .unwrap_or_else(|| {
            let last_watch = frames.iter().rev().find(|f| f.contains("threadlab watch"));
            panic!("the program's threads on the screen: {last_watch:?}")
        });
    // While it ran, the key bar said how to come back.
    assert!(
        frames[watched..]
            .iter()
            .any(|f| f.contains("back to threadlab"))
    );
    // The main screen came back, and says what the run showed.
    let last = frames.last().unwrap();
    assert!(!last.contains("threadlab watch"), "{last}");
    assert!(last.contains("[python3] custom.py: 退出状态 0"), "{last}");
    assert!(last.contains("等待：总和"), "{last}");
    assert_eq!(app.settings.lang, threadlab::i18n::Lang::Zh);
    assert!(
        last.contains("news from the classroom's own threads"),
        "{last}"
    );
    assert!(child_running("custom.py").is_none());
}

#[test]
fn the_lessons_python_scenes_run_their_programs_in_turn_and_the_card_keeps_the_figures() {
    use threadlab::app::{Command, Event};
    use threadlab::watch::carried::Watched;
    let mut app = classroom(threadlab::engine::Strategy::Serial, 1.0);
    threadlab::runner::feed(&mut app, Event::Resize(120, 40));
    app.update(key('L'));
    let scenes = app.lesson.as_ref().unwrap().scenes.clone();
    let gil = (scenes.iter())
        .position(|s| s.preset.python.contains(&"cpu_threads.py"))
        .expect("a GIL scene");
    for _ in 0..gil {
        app.update(Event::Key(crossterm::event::KeyEvent::from(
            crossterm::event::KeyCode::PageDown,
        )));
    }
    let enter = |app: &mut threadlab::app::App| {
        let cmds = app.update(Event::Key(crossterm::event::KeyEvent::from(
            crossterm::event::KeyCode::Enter,
        )));
        cmds.into_iter()
            .find_map(|c| match c {
                Command::WatchPython { script } => Some(script),
                _ => None,
            })
            .expect("Enter runs a program")
    };
    let ran = |script: &'static str, busy: &str, found: &str| Watched {
        script,
        finished: true,
        figures: [
            format!("{script}: exit status 0 · cores busy {busy}"),
            format!("{script}：退出状态 0"),
        ],
        conclusions: [vec![found.to_string()], vec![found.to_string()]],
        numbers: Default::default(),
    };
    assert_eq!(enter(&mut app), "cpu_threads.py");
    app.update(Event::Watched(Box::new(ran(
        "cpu_threads.py",
        "1.00",
        "3 threads took turns",
    ))));
    assert_eq!(enter(&mut app), "cpu_processes.py");
    app.update(Event::Watched(Box::new(ran(
        "cpu_processes.py",
        "1.95",
        "3 workers computed at once",
    ))));
    // Round again, and the card keeps one result of each.
    assert_eq!(enter(&mut app), "cpu_threads.py");
    let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).unwrap();
    term.draw(|f| f.render_widget(&app, f.area())).unwrap();
    let text: String = (term.backend().buffer().content.iter())
        .map(|c| c.symbol())
        .collect();
    for line in [
        "→ cpu_threads.py: exit status 0 · cores busy 1.00",
        "3 threads took turns",
        "→ cpu_processes.py: exit status 0 · cores busy 1.95",
        "3 workers computed at once",
        "Enter runs python3 cpu_threads.py",
    ] {
        assert!(text.contains(line), "{line} not on the card:\n{text}");
    }
    // The round goes on past the card's trimming: threads, processes, threads, processes.
    app.update(Event::Watched(Box::new(ran(
        "cpu_threads.py",
        "1.00",
        "3 threads took turns",
    ))));
    assert_eq!(enter(&mut app), "cpu_processes.py");
    // A new scene starts with a clean card, and at its first program.
    app.update(Event::Key(crossterm::event::KeyEvent::from(
        crossterm::event::KeyCode::PageUp,
    )));
    assert!(app.lesson.as_ref().unwrap().watched.is_empty());
    app.update(Event::Key(crossterm::event::KeyEvent::from(
        crossterm::event::KeyCode::PageDown,
    )));
    assert_eq!(enter(&mut app), "cpu_threads.py");
}

#[test]
fn multiprocessing_children_of_every_start_method_are_processes_of_their_own() {
    if !have_python() {
        return;
    }
    // fork reconnects in the child; spawn and forkserver (Linux's default from 3.14) start a
    // fresh interpreter that finds the socket through the environment.
    for method in ["fork", "spawn", "forkserver"] {
        let (r, code, err) = watch("10", &["tests/python/methods.py", method]);
        assert_eq!(code, 0, "{method}: {err}");
        let procs = r["processes"].as_array().unwrap();
        let main = procs[0]["pid"].as_u64().unwrap();
        let probed: HashSet<u64> = (procs.iter())
            .filter(|p| p["probed"] == true)
            .map(|p| p["pid"].as_u64().unwrap())
            .collect();
        let names: HashSet<String> = names(&r);
        assert_eq!(
            names,
            HashSet::from(["a.pdf".to_string(), "b.pdf".to_string()]),
            "{method}: {r}"
        );
        // Each download waited in a probed child of its own, not in the main process.
        let waited: HashSet<u64> = (tasks(&r).iter())
            .map(|t| t["pid"].as_u64().unwrap())
            .collect();
        assert_eq!(waited.len(), 2, "{method}: {r}");
        for pid in waited {
            assert!(pid != main && probed.contains(&pid), "{method}: {pid}: {r}");
        }
    }
}

/// `python3 -c PROGRAM` with the probe on PYTHONPATH as threadlab puts it, and `env`; stdout
/// goes to a file (a program that prints much must not wait on our pipe), returned with the
/// exit code once it has ended, or None after a minute.
fn python_with_probe(tag: &str, program: &str, env: &[(&str, &Path)]) -> Option<(i32, String)> {
    let out = std::env::temp_dir().join(format!("threadlab-probe-{tag}-{}", std::process::id()));
    let probe = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/python/probe");
    let mut cmd = Command::new("python3");
    cmd.arg("-c")
        .arg(program)
        .env("PYTHONPATH", &probe)
        .env_remove("THREADLAB_WATCH_SOCKET")
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(Stdio::inherit());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break Some(s);
        }
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let text = std::fs::read_to_string(&out).unwrap_or_default();
    let _ = std::fs::remove_file(&out);
    status.map(|s| (s.code().unwrap_or(-1), text))
}

#[test]
fn the_probe_changes_nothing_without_threadlabs_variable() {
    if !have_python() {
        return;
    }
    // Loaded (it is the sitecustomize Python finds), but nothing patched.
    let program = "import sitecustomize, time, threading, builtins\n\
        print(sitecustomize.__file__.endswith('probe/sitecustomize.py'),\n\
              type(time.sleep).__name__, type(builtins.print).__name__,\n\
              threading.Thread.start.__module__, hasattr(sitecustomize, 'VERSION'))";
    let (code, out) = python_with_probe("inactive", program, &[]).expect("it ends");
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        out.trim(),
        "True builtin_function_or_method builtin_function_or_method threading True"
    );
}

#[test]
fn the_probe_runs_the_sitecustomize_it_shadows_and_traces_nothing() {
    if !have_python() {
        return;
    }
    // The one it shadows (Debian ships one; here the user's own, on their PYTHONPATH).
    let dir = std::env::temp_dir().join(format!("threadlab-site-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("sitecustomize.py"),
        "import builtins\nbuiltins.THREADLAB_TEST_SITE = 'theirs ran'\n",
    )
    .unwrap();
    let program = "import builtins, sys, threading\n\
        seen = []\n\
        def work():\n    seen.append((sys.gettrace(), sys.getprofile()))\n\
        t = threading.Thread(target=work)\nt.start()\nt.join()\n\
        print(getattr(builtins, 'THREADLAB_TEST_SITE', 'theirs did not run'))\n\
        print('traced' if seen != [(None, None)] or sys.gettrace() or sys.getprofile() else 'untraced')";
    let o = Command::new(env!("CARGO_BIN_EXE_threadlab"))
        .args(["watch", "--json", "--", "python3", "-c", program])
        .env("LANG", "C")
        .env("PYTHONPATH", &dir)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r: Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(r["probed"], true, "{r}");
    let printed: Vec<&str> = (r["prints"].as_array().unwrap().iter())
        .filter_map(|p| p["text"].as_str())
        .collect();
    assert_eq!(printed, ["theirs ran\n", "untraced\n"], "{r}");
}

#[test]
fn a_program_carries_on_when_threadlab_stops_reading_or_goes_away() {
    use std::io::{BufRead, BufReader};
    use std::os::unix::net::UnixListener;
    if !have_python() {
        return;
    }
    let dir = std::env::temp_dir().join(format!("threadlab-gone-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let socket = dir.join("probe.sock");
    // Far more than the socket's buffer and the probe's 1 MiB of patience, then a last word.
    let program = "import threading\n\
        def chat():\n    for i in range(40000):\n        print('line', i, 'x' * 40)\n\
        t = threading.Thread(target=chat)\nt.start()\nt.join()\nprint('finished')";
    // Stops reading: a connection accepted and never read.
    let listener = UnixListener::bind(&socket).unwrap();
    let held = std::thread::spawn(move || listener.accept().map(|(conn, _)| conn));
    let env = [("THREADLAB_WATCH_SOCKET", socket.as_path())];
    let (code, out) = python_with_probe("stalled", program, &env).expect("never blocked");
    assert_eq!(code, 0);
    assert_eq!(out.lines().count(), 40001);
    assert_eq!(out.lines().last(), Some("finished"));
    drop(held.join().unwrap());
    let _ = std::fs::remove_file(&socket);
    // Goes away: the connection closes after the hello, and later no one listens at all.
    let listener = UnixListener::bind(&socket).unwrap();
    let gone = std::thread::spawn(move || {
        let (conn, _) = listener.accept().unwrap();
        let mut hello = String::new();
        BufReader::new(&conn).read_line(&mut hello).unwrap();
        hello
    });
    let (code, out) = python_with_probe("gone", program, &env).expect("never blocked");
    assert!(gone.join().unwrap().contains(r#""ev":"hello""#));
    assert_eq!(code, 0);
    assert_eq!(out.lines().count(), 40001);
    let (code, out) = python_with_probe("nobody", "print('alone')", &env).expect("ends");
    assert_eq!((code, out.as_str()), (0, "alone\n"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_program_on_the_live_screen_reads_dev_null_not_the_terminal() {
    use threadlab::watch::live::start_script_on_screen;
    use threadlab::watch::model::LogKind;
    if !have_python() {
        return;
    }
    let source = "import os, sys\n\
        print('stdin', os.path.realpath('/proc/self/fd/0'), repr(sys.stdin.read()))\n";
    let (session, mut program, inputs) =
        start_script_on_screen("stdin.py", source, 1.0, threadlab::i18n::Lang::En).expect("starts");
    let start = Instant::now();
    while !program.is_complete() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the program never ended: {:?}",
            program.log
        );
        if let Ok(input) = inputs.recv_timeout(Duration::from_millis(50)) {
            program.apply(input);
        }
    }
    drop(session);
    let printed: Vec<&str> = (program.log.iter())
        .filter_map(|e| match &e.kind {
            LogKind::Printed(s) => Some(s.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(printed, ["stdin /dev/null ''"], "{:?}", program.log);
}

#[test]
fn every_python_from_3_8_found_here_runs_under_the_probe() {
    if !have_python() {
        return;
    }
    // pyenv's interpreters where there are any (this machine has 3.8 to 3.13); python3 is
    // checked by every other test.
    let root = std::env::var_os("PYENV_ROOT")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".pyenv")))
        .map(|p| p.join("versions"));
    let Some(Ok(versions)) = root.map(std::fs::read_dir) else {
        return;
    };
    for dir in versions.flatten() {
        let name = dir.file_name().to_string_lossy().into_owned();
        let minor = name
            .strip_prefix("3.")
            .and_then(|rest| rest.split('.').next()?.parse::<u32>().ok());
        let python = dir.path().join("bin/python3");
        if minor.is_none_or(|m| m < 8) || !python.exists() {
            continue;
        }
        let o = threadlab(&[
            "watch",
            "--json",
            "--speed",
            "10",
            "--",
            python.to_str().unwrap(),
            "assets/python/threads.py",
        ]);
        assert_eq!(o.status.code(), Some(0), "{name}: {}", stderr(&o));
        let r: Value = serde_json::from_str(stdout(&o).trim()).unwrap();
        assert_eq!(r["probed"], true, "{name}: {r}");
        assert!(
            r["python"].as_str().unwrap().starts_with(&name[..4]),
            "{name}: {r}"
        );
        // All GIL builds here: 3.13's from sys._is_gil_enabled(), the others' by definition.
        assert_eq!(r["gil"], true, "{name}: {r}");
        assert_eq!(names(&r), lesson_names(), "{name}");
        let w: HashSet<String> = workers(&r).into_iter().collect();
        assert_eq!(w.len(), 3, "{name}: one thread each: {w:?}");
        assert_eq!(r["max_parallel_waits"], 3, "{name}: {r}");
    }
}
