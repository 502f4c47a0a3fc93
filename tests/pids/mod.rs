//! Whether a process a test started still runs, read from `/proc`: one answer for every test
//! binary that asks (scenes, terminal, watch).
#![allow(dead_code)] // each test binary uses some of it

use std::time::{Duration, Instant};

/// `(comm, state, ppid)` from `/proc/PID/stat`; None once the process is gone and reaped.
pub fn stat(pid: u32) -> Option<(String, char, u32)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    let comm = stat[open + 1..close].to_string();
    let mut rest = stat[close + 1..].split_whitespace();
    let state = rest.next()?.chars().next()?;
    let ppid = rest.next()?.parse().ok()?;
    Some((comm, state, ppid))
}

/// Whether `pid` still runs. A zombie has ended: only its parent's wait is missing.
pub fn alive(pid: u32) -> bool {
    stat(pid).is_some_and(|(_, state, _)| !matches!(state, 'Z' | 'X'))
}

/// Whether `pid` ends within `within`, polled.
pub fn gone_within(pid: u32, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    while alive(pid) {
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    true
}
