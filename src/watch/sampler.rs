//! CPU time of a watched program's processes and threads, read from `/proc` (Linux). Reading
//! `/proc/<pid>/task/<tid>/stat` costs the program nothing, which is why the GIL is measured
//! here and not in the probe.

use std::collections::{HashMap, HashSet};
use std::fs;

/// One thread's CPU time so far.
#[derive(Debug, Clone, PartialEq)]
pub struct ThreadSample {
    pub tid: u32,
    /// The kernel's name for the thread (`comm`, at most 15 bytes).
    pub comm: String,
    /// User + system CPU seconds.
    pub cpu: f64,
}

/// One process of the program at one moment.
#[derive(Debug, Clone, PartialEq)]
pub struct ProcSample {
    pub pid: u32,
    pub ppid: u32,
    /// The whole process's CPU seconds, threads that have ended included.
    pub cpu: f64,
    pub threads: Vec<ThreadSample>,
}

/// Clock ticks per second, the unit of `stat`'s times.
fn ticks_per_second() -> f64 {
    // SAFETY: sysconf has no preconditions.
    let n = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if n > 0 { n as f64 } else { 100.0 }
}

/// `(ppid, utime + stime in ticks, comm)` from the text of a `stat` file.
pub fn parse_stat(stat: &str) -> Option<(u32, u64, String)> {
    // comm is in parentheses and may itself hold spaces and parentheses: split at the last ')'.
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    let comm = stat.get(open + 1..close)?.to_string();
    let fields: Vec<&str> = stat.get(close + 1..)?.split_whitespace().collect();
    // After comm: state(3) ppid(4) ... utime(14) stime(15), so index = field number - 3.
    let ppid = fields.get(1)?.parse().ok()?;
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some((ppid, utime + stime, comm))
}

/// The processes a run has shown, by pid and start time, so a child its parent left behind
/// (reparented, no longer under the root) is still followed, and a reused pid is not.
#[derive(Debug, Default)]
pub struct Seen(HashMap<u32, u64>);

/// When the process started, in clock ticks since boot (`stat`'s field 22).
fn start_time(stat: &str) -> Option<u64> {
    let fields: Vec<&str> = stat
        .get(stat.rfind(')')? + 1..)?
        .split_whitespace()
        .collect();
    fields.get(19)?.parse().ok()
}

/// Every process under `root` (itself included), and every process seen before that still runs
/// (a child whose parent has gone is reparented away from the root), with its threads' CPU
/// times; empty once all are gone.
pub fn sample(root: u32, seen: &mut Seen) -> Vec<ProcSample> {
    let tick = ticks_per_second();
    let mut out = Vec::new();
    let mut todo = vec![root];
    todo.extend(seen.0.keys().copied());
    let mut visited = HashSet::new();
    while let Some(pid) = todo.pop() {
        if out.len() >= 1024 {
            break; // a fork bomb is not a lesson: stop looking
        }
        if !visited.insert(pid) {
            continue;
        }
        let Ok(stat) = fs::read_to_string(format!("/proc/{pid}/stat")) else {
            // Gone: nothing more to follow (a zombie still has its stat until it is reaped).
            seen.0.remove(&pid);
            continue;
        };
        let Some((ppid, ticks, _)) = parse_stat(&stat) else {
            continue;
        };
        let started = start_time(&stat).unwrap_or(0);
        match seen.0.get(&pid) {
            // The pid now belongs to another process: not ours, and ours is gone.
            Some(&s) if s != started => {
                seen.0.remove(&pid);
                continue;
            }
            Some(_) => {}
            None => {
                seen.0.insert(pid, started);
            }
        }
        let mut threads = Vec::new();
        for tid in tids(pid) {
            let dir = format!("/proc/{pid}/task/{tid}");
            if let Ok(children) = fs::read_to_string(format!("{dir}/children")) {
                todo.extend(
                    children
                        .split_whitespace()
                        .filter_map(|c| c.parse::<u32>().ok()),
                );
            }
            if let Some((_, t, comm)) = fs::read_to_string(format!("{dir}/stat"))
                .ok()
                .as_deref()
                .and_then(parse_stat)
            {
                threads.push(ThreadSample {
                    tid,
                    comm,
                    cpu: t as f64 / tick,
                });
            }
        }
        threads.sort_by_key(|t| t.tid);
        out.push(ProcSample {
            pid,
            ppid,
            cpu: ticks as f64 / tick,
            threads,
        });
    }
    out.sort_by_key(|p| p.pid);
    out
}

/// Idle CPU seconds of the whole machine so far, every core together (`/proc/stat`'s idle and
/// iowait): how much room the program left, or did not find.
pub fn machine_idle() -> Option<f64> {
    let stat = fs::read_to_string("/proc/stat").ok()?;
    parse_idle(stat.lines().next()?).map(|ticks| ticks as f64 / ticks_per_second())
}

/// Idle + iowait ticks from `/proc/stat`'s first (`cpu`) line.
fn parse_idle(line: &str) -> Option<u64> {
    let mut fields = line.split_whitespace();
    if fields.next()? != "cpu" {
        return None;
    }
    let values: Vec<u64> = fields.take(5).filter_map(|f| f.parse().ok()).collect();
    Some(*values.get(3)? + values.get(4).copied().unwrap_or(0))
}

fn tids(pid: u32) -> Vec<u32> {
    fs::read_dir(format!("/proc/{pid}/task"))
        .map(|dir| {
            dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_stat_line_whose_name_has_spaces_and_parentheses() {
        let stat =
            "4242 (Thread-1 (dow) S 4200 4242 4200 0 -1 4194560 93 0 0 0 37 5 0 0 20 0 3 0 1 0 0";
        assert_eq!(
            parse_stat(stat),
            Some((4200, 42, "Thread-1 (dow".to_string()))
        );
        assert_eq!(parse_stat("garbage"), None);
    }

    #[test]
    fn reads_idle_time_from_the_cpu_line() {
        assert_eq!(parse_idle("cpu  10 0 5 700 30 0 1 0 0 0"), Some(730));
        assert_eq!(parse_idle("cpu0 10 0 5 700 30"), None);
    }

    #[test]
    fn sees_its_own_process_and_a_child() {
        if !std::path::Path::new("/proc/self/stat").exists() {
            return; // not Linux
        }
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .expect("sleep runs");
        let me = std::process::id();
        let procs = sample(me, &mut Seen::default());
        let _ = child.kill();
        let _ = child.wait();
        assert_eq!(procs.iter().find(|p| p.pid == me).map(|p| p.pid), Some(me));
        assert!(procs.iter().any(|p| p.pid == child.id() && p.ppid == me));
        assert!(
            procs
                .iter()
                .find(|p| p.pid == me)
                .is_some_and(|p| p.threads.iter().any(|t| t.tid == me))
        );
    }
}
