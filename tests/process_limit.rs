//! The process limit holds however many downloads a run has: a 600-download process run never
//! has more than `MAX_PROCESSES` live children (counted from /proc while it runs), and finishes.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use threadlab::engine::MAX_PROCESSES;

/// How many processes have `parent` as their parent right now, from every `/proc/<pid>/stat`.
fn children_of(parent: u32) -> usize {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return 0;
    };
    dir.filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .bytes()
                .all(|b| b.is_ascii_digit())
        })
        .filter_map(|e| std::fs::read_to_string(e.path().join("stat")).ok())
        .filter(|stat| {
            // "pid (comm) state ppid ...": the name may hold spaces, so read after its ')'.
            let fields: Vec<&str> = stat
                .rsplit(')')
                .next()
                .unwrap_or("")
                .split_whitespace()
                .collect();
            fields.get(1).and_then(|p| p.parse::<u32>().ok()) == Some(parent)
        })
        .count()
}

#[test]
fn six_hundred_process_downloads_never_have_more_live_children_than_the_limit() {
    if !std::path::Path::new("/proc/self/stat").exists() {
        return; // the count below reads /proc
    }
    let mut run = Command::new(env!("CARGO_BIN_EXE_threadlab"))
        .args([
            "run",
            "--strategy",
            "process",
            "--count",
            "600",
            "--speed",
            "1000",
        ])
        .args(["--seed", "1", "--lang", "en"])
        .env("LANG", "C")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("threadlab runs");
    let pid = run.id();
    // Read stdout meanwhile, so a full pipe never holds the run up.
    let mut out = run.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut out, &mut s).map(|_| s)
    });
    let deadline = Instant::now() + Duration::from_secs(300);
    let (mut most, mut samples) = (0, 0);
    while run.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "the run did not end");
        most = most.max(children_of(pid));
        samples += 1;
        std::thread::sleep(Duration::from_millis(2));
    }
    let status = run.wait().unwrap();
    let out = reader.join().unwrap().unwrap();
    let mut err = String::new();
    std::io::Read::read_to_string(&mut run.stderr.take().unwrap(), &mut err).unwrap();
    assert!(status.success(), "{status}: {err}");
    assert!(samples > 0);
    assert!(most <= MAX_PROCESSES, "{most} live children");
    // Every download ran, in a process of its own, and none failed.
    let done = out.lines().filter(|l| l.contains("Downloaded ")).count();
    assert_eq!(done, 600, "{out}");
    assert!(!out.contains("Download of "), "{out}");
}
