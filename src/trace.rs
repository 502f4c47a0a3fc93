//! Finished runs as Chrome trace-event JSON, so a class can open a run as a timeline in Perfetto
//! (ui.perfetto.dev) or chrome://tracing and see which worker ran which download, and when.
//!
//! What the file holds (the JSON object form, `{"traceEvents": [...], "displayTimeUnit": "ms"}`):
//! - one complete event (`"ph": "X"`) per download that started, named after the download, on its
//!   worker's lane; `ts` and `dur` are whole µs of lesson time (lesson seconds × 1e6, so a 5-second
//!   download is 5 s long in the viewer whatever `--speed` was), and `args` carry the strategy, the
//!   worker, the planned `duration_s` and, for a download that failed, its `error`;
//! - metadata events (`"ph": "M"`) naming every process and thread used, and sort indexes.
//!
//! Lanes. Thread strategies (serial, threads, custom, pool, async) ran inside threadlab, so their
//! pid is ours and each worker gets a small tid that depends only on its name (`main` 1, `Thread-N`,
//! `DownloadThread-N` and `pool-N` N + 1), the same in every trace. The process strategies ran in
//! children: `pid N` is child N's main thread (pid N, tid N, as Linux numbers a main thread), and a
//! workshop's `pid N/tI` is pid N, tid I. Viewers draw slices on one thread only if they nest,
//! so downloads that overlap on one worker (async juggles them all on `main`) get extra lanes in
//! the same process, `main [2]`, `main [3]`, ...; `args.worker` still names the real worker.
//!
//! Several runs (`compare`) share one time axis, every run starting at 0, so their lengths compare
//! at a glance; each run is its own group of processes, named after its strategy ("threads run")
//! and sorted in run order, so the strategies sit one under the other. Only one process can have
//! our pid, so with more than one run each thread strategy gets a pid of its own above Linux's
//! largest (2^22), which can never be a child's; its name still says which pid really ran it.

use crate::i18n::{Key, Lang, t, tf};
use crate::run_state::RunReport;
use crate::text::shown_path;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::fs::OpenOptions;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Pids from here up are invented lanes: Linux never hands out a pid above 2^22.
const LANE_PIDS: u32 = 1 << 22;

/// Tids for worker names without a stable number start here, well above any pool's workers.
const OTHER_TIDS: u32 = 10_000;

/// The trace of `runs` (one for `run` and the TUI, one per strategy for `compare`).
///
/// A live run can be exported too: its unfinished downloads end at the latest time the run knew,
/// with `"unfinished": true` in their args. From a [`crate::run_state::RunState`], pass
/// `state.report(seed, speed)`.
pub fn trace(runs: &[RunReport]) -> Value {
    let mut lanes = Lanes::new(std::process::id(), runs.len() > 1);
    let mut slices = Vec::new();
    for (k, run) in runs.iter().enumerate() {
        let open_end = latest(run);
        // Never started: nothing ran, so there is nothing to draw.
        let mut started: Vec<_> = (run.tasks.iter())
            .filter_map(|t| Some((micros(t.start_s?), t)))
            .collect();
        // In start order, so a juggling worker's lanes are handed out as its downloads begin.
        started.sort_by_key(|&(ts, _)| ts);
        // (pid, worker) → its lanes, each with the end of its last slice.
        let mut busy: BTreeMap<(u32, &str), Vec<(u32, i64)>> = BTreeMap::new();
        for (ts, task) in started {
            let worker = task.worker.as_deref().unwrap_or("unknown");
            let (pid, tid) = lanes.lane(k, &run.strategy, worker);
            let end = micros(task.end_s.unwrap_or(open_end)).max(ts);
            let own = busy.entry((pid, worker)).or_insert_with(|| vec![(tid, 0)]);
            // Viewers draw slices on one thread only if they nest; downloads that overlap on
            // one worker (async juggling them) go on lanes of their own: `main [2]`, ...
            let tid = match own.iter_mut().find(|(_, free_at)| *free_at <= ts) {
                Some((tid, free_at)) => {
                    *free_at = end;
                    *tid
                }
                None => {
                    let name = format!("{worker} [{}]", own.len() + 1);
                    let tid = lanes.extra(pid, &name);
                    own.push((tid, end));
                    tid
                }
            };
            let mut args = json!({
                "strategy": run.strategy,
                "worker": worker,
                "duration_s": task.duration_s,
            });
            if let Some(error) = &task.error {
                args["error"] = json!(error);
            }
            if task.end_s.is_none() {
                args["unfinished"] = json!(true);
            }
            slices.push(json!({
                "name": task.name,
                "cat": run.strategy,
                "ph": "X",
                "ts": ts,
                "dur": end - ts,
                "pid": pid,
                "tid": tid,
                "args": args,
            }));
        }
    }
    slices.sort_by_key(|e| e["ts"].as_i64());
    let mut events = lanes.metadata();
    events.extend(slices);
    json!({
        "traceEvents": events,
        "displayTimeUnit": "ms",
        "otherData": {
            "generator": concat!("threadlab ", env!("CARGO_PKG_VERSION")),
            "time": "ts and dur are µs of lesson time: lesson seconds × 1e6 (wall time × speed)",
            "runs": runs.iter().map(|r| json!({
                "strategy": r.strategy,
                "workload": r.workload,
                "seed": r.seed,
                "speed": r.speed,
                "elapsed_s": r.elapsed_s,
            })).collect::<Vec<_>>(),
        },
    })
}

/// Write the trace of `runs` to `path` (the TUI's `e` key); the error is one line naming the path.
pub fn write(path: &Path, runs: &[RunReport]) -> Result<(), String> {
    write_in(path, runs, Lang::En)
}

/// [`write`], its refusal in `lang` (the live screen's `e`, in the screen's language).
pub fn write_in(path: &Path, runs: &[RunReport], lang: Lang) -> Result<(), String> {
    TraceFile::create_in(path, lang)?.finish(runs)
}

/// A trace file checked before the run, so a path that cannot be written fails before any
/// waiting. Nothing is written until the run is over: the trace goes to a temporary file beside
/// the target and is renamed over it once complete, so an interrupted run, a full disk or an
/// error never leaves a trace half written or an older one emptied.
pub struct TraceFile {
    /// As the user gave it, for messages.
    path: PathBuf,
    /// The file the trace replaces: `path`, or the file it links to.
    target: PathBuf,
    /// The language its refusals are said in.
    lang: Lang,
}

/// The temporary file being written, if any: an interrupt removes it (see [`remove_on_signals`]).
static PENDING: Mutex<Option<PathBuf>> = Mutex::new(None);

impl TraceFile {
    /// Check that a trace can be written at `path`: it is a regular file we may write, or does
    /// not exist yet, and a file can be created beside it. Nothing is changed.
    pub fn create(path: &Path) -> Result<Self, String> {
        Self::create_in(path, Lang::En)
    }

    /// [`TraceFile::create`], its refusal in `lang` (the command line's `--trace`).
    pub fn create_in(path: &Path, lang: Lang) -> Result<Self, String> {
        // A link is followed, so the file it names gets the trace and the link stays.
        let target = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        let refuse = |why: &str| tf(lang, Key::err_trace_cannot, &[&shown_path(path), &why]);
        let fail = |key: Key| Err(refuse(t(lang, key)));
        match std::fs::metadata(&target) {
            Ok(m) if m.is_dir() => return fail(Key::err_file_dir),
            // Renaming over a device (`/dev/full`) or a FIFO would replace it, not write to it.
            Ok(m) if !m.is_file() => return fail(Key::err_trace_special),
            Ok(_) if !writable(&target) => return fail(Key::err_file_denied),
            _ => {}
        }
        let file = TraceFile {
            path: path.to_path_buf(),
            target,
            lang,
        };
        // The same kind of file `finish` will write, created and removed at once.
        let probe = file.temp_path();
        OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&probe)
            .map_err(|e| refuse(&tf(lang, Key::err_trace_dir, &[&e])))?;
        let _ = std::fs::remove_file(&probe);
        Ok(file)
    }

    /// Where the trace goes.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Write the trace of `runs` beside the target, then put it in the target's place.
    pub fn finish(self, runs: &[RunReport]) -> Result<(), String> {
        let temp = self.temp_path();
        *lock(&PENDING) = Some(temp.clone());
        let written = self.write_temp(&temp, runs);
        let result = written.and_then(|()| std::fs::rename(&temp, &self.target));
        if result.is_err() {
            let _ = std::fs::remove_file(&temp);
        }
        *lock(&PENDING) = None;
        result.map_err(|e| cannot_write(&self.path, &e, self.lang))
    }

    fn write_temp(&self, temp: &Path, runs: &[RunReport]) -> io::Result<()> {
        let file = OpenOptions::new().write(true).create_new(true).open(temp)?;
        // The trace replaces the old file: it keeps the old file's permissions.
        if let Ok(m) = std::fs::metadata(&self.target) {
            file.set_permissions(m.permissions())?;
        }
        let mut out = BufWriter::new(file);
        serde_json::to_writer(&mut out, &trace(runs))?;
        out.write_all(b"\n")?;
        let file = out.into_inner().map_err(|e| e.into_error())?;
        // On disk before the rename, or a crash could leave an empty file under the old name.
        file.sync_all()
    }

    /// Give up on the trace: the run it was checked for did not happen. The target is untouched.
    pub fn discard(self) {}

    /// `.NAME.PID.tmp` beside the target: hidden, and never another process's.
    fn temp_path(&self) -> PathBuf {
        let name = (self.target.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "trace".into());
        let dir = match self.target.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        dir.join(format!(".{name}.{}.tmp", std::process::id()))
    }
}

/// Whether this process may write the existing file at `path`.
fn writable(path: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: a valid NUL-terminated path for the duration of the call.
    unsafe { libc::access(c.as_ptr(), libc::W_OK) == 0 }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Remove the temporary file a trace is being written to, if any: for a process about to end.
pub fn remove_pending() {
    if let Some(temp) = lock(&PENDING).take() {
        let _ = std::fs::remove_file(temp);
    }
}

/// For the headless commands: SIGTERM, SIGHUP, SIGINT or SIGQUIT end the process as they would
/// anyway (128 + the signal), but first remove a trace's temporary file, so none is left behind.
pub fn remove_on_signals() -> io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
    // A signal ignored from the start (SIGINT for a shell script's `&` job) stays ignored.
    let watched = [SIGTERM, SIGHUP, SIGINT, SIGQUIT]
        .into_iter()
        .filter(|&s| !ignored(s));
    let mut signals = signal_hook::iterator::Signals::new(watched)?;
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            if let Some(sig) = signals.forever().next() {
                remove_pending();
                std::process::exit(128 + sig);
            }
        })?;
    Ok(())
}

/// Whether `sig` is ignored in this process (inherited from whoever started it).
fn ignored(sig: i32) -> bool {
    // SAFETY: a zeroed sigaction is a valid out-parameter; a null new action only reads.
    unsafe {
        let mut old: libc::sigaction = std::mem::zeroed();
        libc::sigaction(sig, std::ptr::null(), &mut old) == 0 && old.sa_sigaction == libc::SIG_IGN
    }
}

fn cannot_write(path: &Path, e: &io::Error, lang: Lang) -> String {
    tf(lang, Key::err_trace_cannot, &[&shown_path(path), e])
}

/// Lesson seconds as whole µs.
fn micros(s: f64) -> i64 {
    (s * 1e6).round() as i64
}

/// The latest time a run knew: where a download still running when it was exported ends.
fn latest(run: &RunReport) -> f64 {
    (run.tasks.iter())
        .flat_map(|t| [t.start_s, t.end_s])
        .flatten()
        .fold(run.elapsed_s, f64::max)
}

/// Where a worker's downloads are drawn, by the worker's name.
#[derive(Debug, PartialEq)]
enum Worker {
    /// A thread of threadlab itself, with its stable tid if the name has one.
    Ours(Option<u32>),
    /// A thread of child process `pid`.
    Child { pid: u32, tid: u32 },
}

/// `main` 1; `Thread-N`, `DownloadThread-N`, `pool-N` N + 1; `pid N` and `pid N/tI` a child's.
fn parse_worker(name: &str) -> Worker {
    if let Some(rest) = name.strip_prefix("pid ") {
        let (pid, thread) = match rest.split_once('/') {
            Some((pid, thread)) => (pid, Some(thread)),
            None => (rest, None),
        };
        let tid = |pid: u32| match thread {
            None => Some(pid),
            Some(t) => t.strip_prefix('t')?.parse().ok(),
        };
        if let Ok(pid) = pid.parse::<u32>()
            && let Some(tid) = tid(pid)
        {
            return Worker::Child { pid, tid };
        }
    }
    if name == crate::engine::MAIN_THREAD {
        return Worker::Ours(Some(1));
    }
    let numbered = ["Thread-", "DownloadThread-", "pool-"]
        .iter()
        .find_map(|prefix| name.strip_prefix(prefix)?.parse::<u32>().ok());
    Worker::Ours(numbered.and_then(|n| n.checked_add(1)))
}

/// One process lane group of the trace.
struct Process {
    name: String,
    /// The run it belongs to, which orders the groups.
    run: usize,
    /// tid → thread name.
    threads: BTreeMap<u32, String>,
}

/// The pids and tids handed out so far, and the names to give them.
struct Lanes {
    ours: u32,
    /// Whether every run needs a pid of its own (several runs in one trace).
    several: bool,
    processes: BTreeMap<u32, Process>,
    /// (run, pid the worker's name gave or our own pid) → pid in the trace.
    pids: BTreeMap<(usize, u32), u32>,
    /// (pid in the trace, worker name) → tid.
    tids: BTreeMap<(u32, String), u32>,
    next_lane_pid: u32,
}

impl Lanes {
    fn new(ours: u32, several: bool) -> Self {
        Lanes {
            ours,
            several,
            processes: BTreeMap::new(),
            pids: BTreeMap::new(),
            tids: BTreeMap::new(),
            next_lane_pid: LANE_PIDS,
        }
    }

    /// The (pid, tid) of `worker` in run `run`, naming its process and thread on first use.
    fn lane(&mut self, run: usize, strategy: &str, worker: &str) -> (u32, u32) {
        let (real, tid) = match parse_worker(worker) {
            Worker::Ours(tid) => (self.ours, tid),
            Worker::Child { pid, tid } => (pid, Some(tid)),
        };
        let pid = match self.pids.get(&(run, real)) {
            Some(&pid) => pid,
            None => {
                let ours = real == self.ours;
                // A child pid seen in an earlier run (the OS reused it) must not merge two lanes.
                let pid = if (ours && self.several) || self.processes.contains_key(&real) {
                    self.next_lane_pid += 1;
                    self.next_lane_pid - 1
                } else {
                    real
                };
                let name = if ours {
                    format!("{strategy} run (threadlab, pid {real})")
                } else {
                    format!("{strategy} run: child process {real}")
                };
                self.pids.insert((run, real), pid);
                let threads = BTreeMap::new();
                self.processes.insert(pid, Process { name, run, threads });
                pid
            }
        };
        if let Some(&tid) = self.tids.get(&(pid, worker.to_string())) {
            return (pid, tid);
        }
        let threads = &mut self.processes.get_mut(&pid).expect("named above").threads;
        let tid = match tid {
            Some(tid) if !threads.contains_key(&tid) => tid,
            // No number in the name, or a number another name already has: the next free one.
            _ => free_tid(threads),
        };
        threads.insert(tid, worker.to_string());
        self.tids.insert((pid, worker.to_string()), tid);
        (pid, tid)
    }

    /// A further lane named `name` in process `pid` (already handed out by [`Lanes::lane`]).
    fn extra(&mut self, pid: u32, name: &str) -> u32 {
        let threads = &mut self.processes.get_mut(&pid).expect("a known pid").threads;
        let tid = free_tid(threads);
        threads.insert(tid, name.to_string());
        tid
    }

    /// `process_name`, `thread_name` and sort-index events for every lane handed out.
    fn metadata(&self) -> Vec<Value> {
        let used: BTreeSet<u32> = self.processes.keys().copied().collect();
        let mut events = Vec::new();
        for pid in used {
            let p = &self.processes[&pid];
            events.push(meta("process_name", pid, None, json!({ "name": p.name })));
            events.push(meta(
                "process_sort_index",
                pid,
                None,
                json!({ "sort_index": p.run }),
            ));
            for (&tid, name) in &p.threads {
                events.push(meta("thread_name", pid, Some(tid), json!({ "name": name })));
                events.push(meta(
                    "thread_sort_index",
                    pid,
                    Some(tid),
                    json!({ "sort_index": tid }),
                ));
            }
        }
        events
    }
}

/// The first tid from [`OTHER_TIDS`] up that no thread of the process has.
fn free_tid(threads: &BTreeMap<u32, String>) -> u32 {
    (OTHER_TIDS..)
        .find(|t| !threads.contains_key(t))
        .expect("a free tid")
}

fn meta(name: &str, pid: u32, tid: Option<u32>, args: Value) -> Value {
    let mut event = json!({ "name": name, "ph": "M", "pid": pid, "args": args });
    if let Some(tid) = tid {
        event["tid"] = json!(tid);
    }
    event
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run_state::TaskReport;

    fn task(name: &str, worker: &str, start: f64, end: Option<f64>) -> TaskReport {
        TaskReport {
            name: name.into(),
            duration_s: 5.0,
            worker: Some(worker.into()),
            start_s: Some(start),
            end_s: end,
            error: None,
        }
    }

    fn run(strategy: &str, tasks: Vec<TaskReport>) -> RunReport {
        RunReport {
            strategy: strategy.into(),
            workers: 1,
            workload: "io".into(),
            cores: 1,
            seed: 3,
            speed: 100.0,
            tasks,
            elapsed_s: 6.0,
            sum_s: 15.0,
            max_s: 6.0,
            ideal_s: 6.0,
        }
    }

    fn slices(trace: &Value) -> Vec<&Value> {
        (trace["traceEvents"].as_array().unwrap().iter())
            .filter(|e| e["ph"] == "X")
            .collect()
    }

    #[test]
    fn worker_names_map_to_stable_lanes() {
        assert_eq!(parse_worker("main"), Worker::Ours(Some(1)));
        assert_eq!(parse_worker("Thread-3"), Worker::Ours(Some(4)));
        assert_eq!(parse_worker("DownloadThread-1"), Worker::Ours(Some(2)));
        assert_eq!(parse_worker("pool-4"), Worker::Ours(Some(5)));
        assert_eq!(parse_worker("tokio-rt"), Worker::Ours(None));
        assert_eq!(parse_worker("pid 77"), Worker::Child { pid: 77, tid: 77 });
        assert_eq!(parse_worker("pid 77/t2"), Worker::Child { pid: 77, tid: 2 });
        assert_eq!(parse_worker("pid x/t2"), Worker::Ours(None));
        assert_eq!(parse_worker("pid 77/x"), Worker::Ours(None));
    }

    #[test]
    fn one_slice_per_started_download_in_whole_micros() {
        let mut never = task("c", "pool-1", 0.0, None);
        never.start_s = None;
        let mut failed = task("b", "pool-2", 0.5, Some(1.25));
        failed.error = Some("worker thread panicked".into());
        let t = trace(&[run(
            "pool",
            vec![task("a", "pool-1", 0.0, Some(5.001)), failed, never],
        )]);
        let x = slices(&t);
        assert_eq!(x.len(), 2);
        assert_eq!(
            (x[0]["ts"].as_i64(), x[0]["dur"].as_i64()),
            (Some(0), Some(5_001_000))
        );
        assert_eq!(
            (x[1]["ts"].as_i64(), x[1]["dur"].as_i64()),
            (Some(500_000), Some(750_000))
        );
        assert_eq!(x[1]["args"]["error"], "worker thread panicked");
        assert!(x[0]["args"].get("error").is_none());
        assert_eq!(x[0]["pid"], std::process::id());
        assert_eq!(
            (x[0]["tid"].as_u64(), x[1]["tid"].as_u64()),
            (Some(2), Some(3))
        );
        assert_eq!(t["displayTimeUnit"], "ms");
    }

    #[test]
    fn a_live_run_ends_its_running_downloads_at_the_latest_time_known() {
        let mut r = run(
            "threads",
            vec![
                task("a", "Thread-1", 0.0, None),
                task("b", "Thread-2", 0.0, Some(2.0)),
            ],
        );
        r.elapsed_s = 0.0;
        let t = trace(&[r]);
        let a = slices(&t)
            .into_iter()
            .find(|e| e["name"] == "a")
            .unwrap()
            .clone();
        assert_eq!(a["dur"].as_i64(), Some(2_000_000));
        assert_eq!(a["args"]["unfinished"], true);
    }

    #[test]
    fn overlapping_downloads_on_one_worker_get_lanes_of_their_own() {
        let t = trace(&[run(
            "async",
            vec![
                task("a", "main", 0.0, Some(3.0)),
                task("b", "main", 0.001, Some(4.0)),
                task("c", "main", 3.5, Some(5.0)),
            ],
        )]);
        let tid = |n: &str| {
            let x = slices(&t);
            x.iter().find(|e| e["name"] == n).unwrap()["tid"]
                .as_u64()
                .unwrap()
        };
        assert_eq!(tid("a"), 1);
        assert_ne!(tid("b"), 1);
        assert_eq!(tid("c"), 1, "the first lane is free again at 3.0");
        let names: Vec<&str> = (t["traceEvents"].as_array().unwrap().iter())
            .filter(|e| e["name"] == "thread_name")
            .map(|e| e["args"]["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["main", "main [2]"]);
    }

    #[test]
    fn several_runs_get_a_process_each_and_reused_child_pids_stay_apart() {
        let t = trace(&[
            run("serial", vec![task("a", "main", 0.0, Some(5.0))]),
            run("threads", vec![task("a", "Thread-1", 0.0, Some(5.0))]),
            run("process", vec![task("a", "pid 40", 0.0, Some(5.0))]),
            run("workshops", vec![task("a", "pid 40/t1", 0.0, Some(5.0))]),
        ]);
        let pids: BTreeSet<u64> = slices(&t)
            .iter()
            .map(|e| e["pid"].as_u64().unwrap())
            .collect();
        assert_eq!(pids.len(), 4, "{t}");
        assert!(pids.contains(&40));
        let names: Vec<String> = (t["traceEvents"].as_array().unwrap().iter())
            .filter(|e| e["name"] == "process_name")
            .map(|e| e["args"]["name"].as_str().unwrap().to_string())
            .collect();
        for strategy in ["serial", "threads", "process", "workshops"] {
            assert!(
                names
                    .iter()
                    .any(|n| n.starts_with(&format!("{strategy} run"))),
                "{names:?}"
            );
        }
    }
}
