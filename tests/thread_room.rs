//! More threads than the system has room for: the downloads past that point fail like any
//! thread the OS refuses, and the process is not aborted. (Linux allows a process 65,530 memory
//! maps by default; each thread takes about four, so past ~16,000 unjoined threads Rust used to
//! abort the whole program while setting up a new thread's signal stack.)

use std::process::Command;

#[test]
fn twenty_thousand_threads_end_in_a_summary_not_an_abort() {
    let out = Command::new(env!("CARGO_BIN_EXE_threadlab"))
        .args(["run", "--strategy", "threads", "--count", "20000"])
        .args(["--speed", "1000", "--seed", "1"])
        .output()
        .expect("threadlab runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.code().is_some(),
        "ended by a signal ({}): {}",
        out.status,
        stderr.lines().take(5).collect::<Vec<_>>().join(" | ")
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stdout.contains("Total time:"), "no summary");
    let limit = std::fs::read_to_string("/proc/sys/vm/max_map_count")
        .ok()
        .and_then(|s| s.trim().parse::<usize>().ok());
    if limit.is_some_and(|l| l < 20_000 * 4) {
        // Not room for all of them here: the rest were refused, each saying so.
        assert!(
            stdout.contains("could not start a thread"),
            "{}",
            stdout.lines().last().unwrap_or("")
        );
    }
}
