//! What the operating system says about this process's threads (Linux `/proc/self/task`):
//! how many there are and how often each was switched off its core, so the class sees the
//! juggling happen. Elsewhere the lists are empty.

use std::time::Duration;

/// One thread of this process, as `/proc/self/task/<tid>` describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadInfo {
    /// The process the thread belongs to: with the process strategies, threads of several
    /// processes meet in one run, and a thread id is only sure to name one thread with it.
    pub pid: u32,
    pub tid: u32,
    /// The thread's name, cut by the kernel to 15 bytes (`DownloadThread-12` reads `DownloadThread-`).
    pub name: String,
    /// Times the thread gave up its core by itself: to sleep, wait or block.
    pub voluntary: u64,
    /// Times the scheduler took its core away while it still wanted to run.
    pub nonvoluntary: u64,
}

/// Every thread of this process with its context switches, in thread id order.
pub fn threads() -> Vec<ThreadInfo> {
    let pid = std::process::id();
    let mut threads: Vec<ThreadInfo> = tids()
        .into_iter()
        .filter_map(|tid| {
            // A thread can end between the listing and the read: it is then left out.
            let dir = format!("/proc/self/task/{tid}");
            let name = std::fs::read_to_string(format!("{dir}/comm")).ok()?;
            let status = std::fs::read_to_string(format!("{dir}/status")).ok()?;
            let (voluntary, nonvoluntary) = parse_switches(&status)?;
            Some(ThreadInfo {
                pid,
                tid,
                name: name.trim_end_matches('\n').to_string(),
                voluntary,
                nonvoluntary,
            })
        })
        .collect();
    threads.sort_by_key(|t| t.tid);
    threads
}

/// This process's resident memory in bytes, from `/proc/self/statm` (None where it is missing).
pub fn rss() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    // SAFETY: sysconf has no preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    Some(pages * u64::try_from(page).ok().filter(|&p| p > 0).unwrap_or(4096))
}

/// How many threads this process has now (0 where `/proc` is missing).
pub fn thread_count() -> usize {
    tids().len()
}

fn tids() -> Vec<u32> {
    std::fs::read_dir("/proc/self/task")
        .map(|dir| {
            dir.filter_map(|entry| entry.ok()?.file_name().to_str()?.parse().ok())
                .collect()
        })
        .unwrap_or_default()
}

/// `voluntary_ctxt_switches` and `nonvoluntary_ctxt_switches` from a `status` file.
fn parse_switches(status: &str) -> Option<(u64, u64)> {
    let field = |key: &str| -> Option<u64> {
        status
            .lines()
            .find_map(|line| line.strip_prefix(key)?.strip_prefix(':'))?
            .trim()
            .parse()
            .ok()
    };
    Some((
        field("voluntary_ctxt_switches")?,
        field("nonvoluntary_ctxt_switches")?,
    ))
}

/// CPU time thread `tid` of process `pid` has used so far; None once the thread has ended (or
/// where `/proc` is missing). From `/proc/<pid>/task/<tid>/schedstat` in nanoseconds where this
/// kernel keeps it, else from `stat`'s utime + stime in clock ticks (10 ms: at a 30 ms sample,
/// a share read from ticks is off by up to a third). `buf` is reused from call to call: a
/// sampler reads thousands of these.
pub fn thread_cpu(pid: u32, tid: u32, buf: &mut String) -> Option<Duration> {
    use std::io::Read;
    buf.clear();
    let file = if schedstat_works() {
        "schedstat"
    } else {
        "stat"
    };
    let path = format!("/proc/{pid}/task/{tid}/{file}");
    std::fs::File::open(path).ok()?.read_to_string(buf).ok()?;
    match schedstat_works() {
        true => parse_schedstat(buf),
        false => parse_stat_cpu(buf, clock_ticks()),
    }
}

/// Whether this kernel's `schedstat` files count time on a core: decided once, from the
/// calling thread's own (which has surely run). Some kernels show zeros there; one source is
/// then used for every reading, never a mix of nanoseconds and ticks.
fn schedstat_works() -> bool {
    static WORKS: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *WORKS.get_or_init(|| {
        std::fs::read_to_string("/proc/thread-self/schedstat")
            .ok()
            .and_then(|s| parse_schedstat(&s))
            .is_some_and(|d| !d.is_zero())
    })
}

/// The first field of a `schedstat` file: nanoseconds spent on a core.
fn parse_schedstat(s: &str) -> Option<Duration> {
    s.split_ascii_whitespace()
        .next()?
        .parse()
        .ok()
        .map(Duration::from_nanos)
}

/// What a run's own threads and child processes use of the cores, rather than the whole
/// process's: the process's CPU time (with its waited-for children) less what the threads
/// that were already there when the run began (the screen, the samplers, threadlab's own
/// ticker) used meanwhile. The run's threads are all born after [`RunCpu::start`].
#[derive(Debug, Clone)]
pub struct RunCpu {
    process: Duration,
    others: Vec<(u32, Duration)>,
}

impl RunCpu {
    /// Note the process's CPU time and each of its threads' now, before the run starts.
    pub fn start() -> RunCpu {
        let mut buf = String::new();
        let pid = std::process::id();
        let others = (tids().into_iter())
            .filter_map(|tid| Some((tid, thread_cpu(pid, tid, &mut buf)?)))
            .collect();
        RunCpu {
            process: cpu_time_with_children(),
            others,
        }
    }

    /// The run's CPU time since [`RunCpu::start`]. A thread of before that has ended since
    /// cannot be read any more: its last moments count as the run's (the ticker's, say).
    pub fn used(&self) -> Duration {
        let mut buf = String::new();
        let pid = std::process::id();
        let others: Duration = (self.others.iter())
            .filter_map(|&(tid, was)| Some(thread_cpu(pid, tid, &mut buf)?.saturating_sub(was)))
            .sum();
        (cpu_time_with_children().saturating_sub(self.process)).saturating_sub(others)
    }
}

/// The kernel's clock ticks per second, the unit of a stat file's times (USER_HZ, 100 nearly always).
fn clock_ticks() -> u64 {
    static TICKS: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *TICKS.get_or_init(|| {
        #[cfg(unix)]
        // SAFETY: sysconf has no preconditions.
        let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
        #[cfg(not(unix))]
        let hz = 100;
        u64::try_from(hz).ok().filter(|&h| h > 0).unwrap_or(100)
    })
}

/// utime + stime (fields 14 and 15) of a `stat` file, at `hz` ticks a second. The name in
/// parentheses may itself hold spaces and parentheses, so fields are counted after the last `)`.
fn parse_stat_cpu(stat: &str, hz: u64) -> Option<Duration> {
    let (_, rest) = stat.rsplit_once(')')?;
    // After the name: state (field 3) is the first, so utime (14) is the twelfth.
    let mut fields = rest.split_ascii_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    let ticks = utime.checked_add(stime)?;
    let hz = hz.max(1);
    Some(Duration::from_secs(ticks / hz) + Duration::from_nanos((ticks % hz) * 1_000_000_000 / hz))
}

/// CPU time (user + system) used so far by every thread of this process, ended ones included.
pub fn cpu_time() -> Duration {
    #[cfg(unix)]
    return rusage(libc::RUSAGE_SELF);
    #[cfg(not(unix))]
    Duration::ZERO
}

/// CPU time used so far by this process and by its child processes that have ended and been
/// waited for: a run's share of the cores, counting the process strategies' children too.
pub fn cpu_time_with_children() -> Duration {
    #[cfg(unix)]
    return cpu_time() + rusage(libc::RUSAGE_CHILDREN);
    #[cfg(not(unix))]
    Duration::ZERO
}

/// User + system time from `getrusage(who)`; zero if the call fails.
#[cfg(unix)]
fn rusage(who: libc::c_int) -> Duration {
    // SAFETY: a zeroed rusage is valid, and the kernel fills it in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(who, &mut usage) } != 0 {
        return Duration::ZERO;
    }
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    time(usage.ru_utime) + time(usage.ru_stime)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_switch_counts_of_a_status_file() {
        let status = "Name:\tpool-1\nState:\tS (sleeping)\nvoluntary_ctxt_switches:\t152\n\
                      nonvoluntary_ctxt_switches:\t7\n";
        assert_eq!(parse_switches(status), Some((152, 7)));
        assert_eq!(parse_switches("Name:\tx\n"), None);
    }

    #[test]
    fn reads_a_threads_cpu_time_from_its_stat_line() {
        // A name with a space and a parenthesis, as a thread may be named: fields count after it.
        let stat = "4242 (pool-1 (x) y) R 4200 4200 4200 0 -1 4194368 91 0 0 0 \
                    250 31 0 0 20 0 3 0 12345 0 0 18446744073709551615\n";
        assert_eq!(parse_stat_cpu(stat, 100), Some(Duration::from_millis(2810)));
        assert_eq!(parse_stat_cpu(stat, 1000), Some(Duration::from_millis(281)));
        assert_eq!(parse_stat_cpu("4242 (cut", 100), None);
        assert_eq!(parse_stat_cpu("4242 (x) R 1 2 3", 100), None);
    }

    #[test]
    fn a_computing_thread_has_cpu_time_and_an_ended_one_none() {
        if !std::path::Path::new("/proc/self/task").exists() {
            return; // not Linux
        }
        // SAFETY: gettid has no preconditions.
        let me = unsafe { libc::gettid() } as u32;
        let mut buf = String::new();
        let before = thread_cpu(std::process::id(), me, &mut buf).expect("this thread is listed");
        let mut x = 0u64;
        for i in 0..std::hint::black_box(200_000_000u64) {
            x = (x ^ i).wrapping_mul(31);
        }
        std::hint::black_box(x);
        let after = thread_cpu(std::process::id(), me, &mut buf).expect("still listed");
        assert!(after > before, "{before:?} then {after:?}");
        assert_eq!(thread_cpu(std::process::id(), u32::MAX, &mut buf), None);
    }

    #[test]
    fn sees_a_named_thread_of_its_own() {
        if !std::path::Path::new("/proc/self/task").exists() {
            return; // not Linux
        }
        let (ready, is_ready) = std::sync::mpsc::channel::<()>();
        let (done, is_done) = std::sync::mpsc::channel::<()>();
        let t = std::thread::Builder::new()
            .name("procinfo-test".into())
            .spawn(move || {
                // Sleeping gives up the core: at least one voluntary switch.
                std::thread::sleep(std::time::Duration::from_millis(1));
                let _ = ready.send(());
                let _ = is_done.recv();
            })
            .unwrap();
        is_ready.recv().unwrap();
        let mine = threads()
            .into_iter()
            .find(|t| t.name == "procinfo-test")
            .expect("the thread is listed");
        assert!(mine.voluntary >= 1, "{mine:?}");
        assert!(thread_count() >= 2);
        drop(done);
        let _ = t.join();
    }

    #[test]
    fn reads_nanoseconds_on_a_core_from_a_schedstat_line() {
        assert_eq!(
            parse_schedstat("540326790 535692868 146\n"),
            Some(Duration::from_nanos(540_326_790))
        );
        assert_eq!(parse_schedstat(""), None);
        assert_eq!(parse_schedstat("x 1 2"), None);
    }

    #[test]
    fn cpu_time_counts_computation() {
        let before = cpu_time();
        let mut x = 0u64;
        for i in 0..std::hint::black_box(20_000_000u64) {
            x = (x ^ i).wrapping_mul(31);
        }
        std::hint::black_box(x);
        assert!(cpu_time() > before);
    }
}
