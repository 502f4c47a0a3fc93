//! `threadlab bench`'s timing figures: each strategy's overhead on the lesson's downloads, what
//! starting a thread or a process costs, stopping, cores, and the screen and scale figures of
//! [`super::screen`] and [`super::scale`], printed as a table or JSON.

use super::{scale as bench_scale, screen as bench_tui};
use crate::cli::BenchArgs;
use crate::cores;
use crate::engine::{self, Plan, Reporter, RunEvent, SpawnKind, Strategy, WorkerEvent, Workload};
use crate::headless::run_plan;
use crate::tasks;
use crate::text::pad;
use std::io::{self, Write};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

fn io_err(e: io::Error) -> String {
    format!("cannot start the run's threads: {e}")
}

/// The median of some measurements (the machine is noisy, so means mislead).
pub fn median(xs: &mut [f64]) -> f64 {
    if xs.is_empty() {
        return 0.0;
    }
    xs.sort_by(|a, b| a.total_cmp(b));
    let n = xs.len();
    if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    }
}

/// One line of `threadlab bench`.
#[derive(Debug, serde::Serialize)]
pub struct BenchFigure {
    pub name: String,
    pub median: f64,
    pub p90: f64,
    pub unit: &'static str,
    pub runs: u32,
    pub note: String,
}

/// The speed the timing benchmark runs at: the "5-second download in 50 ms".
pub const BENCH_SPEED: f64 = 100.0;

/// `threadlab bench`: timing overhead (elapsed − ideal, wall ms) of each strategy on the lesson's
/// downloads, then what starting a worker costs: a thread, a process, and the pool's reuse.
pub fn bench(args: &BenchArgs, json: bool, out: &mut impl Write) -> Result<(), String> {
    if let Some(i) = bench_scale::row_asked() {
        let row = *bench_scale::ROWS
            .get(i)
            .ok_or_else(|| format!("{}: no row {i}", bench_scale::ROW_VAR))?;
        let fig = bench_scale::run_row(row, SCALE_CAP).map_err(io_err)?;
        return writeln!(
            out,
            "{}",
            serde_json::to_string(&fig).expect("figures serialise")
        )
        .map_err(io_err);
    }
    if args.scale {
        let rows = bench_scale::table()?;
        return if json {
            writeln!(
                out,
                "{}",
                serde_json::to_string(&rows).expect("figures serialise")
            )
            .map_err(io_err)
        } else {
            bench_scale::print_table(out, &rows).map_err(io_err)
        };
    }
    let names = tasks::lesson_names();
    let mut figures = Vec::new();
    let mut spawns: Vec<(SpawnKind, f64)> = Vec::new();
    for strategy in Strategy::ALL {
        let mut overheads = Vec::new();
        let (mut floor, mut exits) = (Vec::new(), Vec::new());
        for run in 0..args.runs {
            // A different seed each run, the same seeds for every strategy.
            let durations = tasks::durations(run as u64 + 1, names.len(), 3.0, 6.0);
            let plan = Plan {
                strategy,
                tasks: tasks::make_tasks(&names, &durations),
                workers: 4,
                speed: BENCH_SPEED,
                workload: Workload::Io,
                procs: Default::default(),
            };
            let state = run_plan(&plan, |_, _| {}).map_err(io_err)?;
            // A thread's cost from the threads strategy, a process's from the process strategy.
            let measured = match strategy {
                Strategy::Threads => Some(SpawnKind::Thread),
                Strategy::Process => Some(SpawnKind::Process),
                _ => None,
            };
            spawns.extend(
                (state.spawns.iter())
                    .filter(|(k, _)| Some(*k) == measured)
                    .map(|(k, c)| (*k, c.as_secs_f64() * 1e6)),
            );
            let elapsed = state.elapsed.unwrap_or(0.0);
            overheads.push((elapsed - state.ideal()) / BENCH_SPEED * 1000.0);
            if strategy == Strategy::Threads {
                // Right after the engine's run, under the same load, for a fair comparison.
                let (overhead, exit) = bare_threads_overhead(&durations);
                floor.push(overhead);
                exits.push(exit);
            }
        }
        figures.push(figure(
            format!("overhead {strategy}"),
            &mut overheads,
            "ms",
            args.runs,
            "elapsed − ideal, wall ms, lesson downloads at --speed 100",
        ));
        if !json {
            print_figure(out, figures.last().expect("just pushed"));
        }
        if !floor.is_empty() {
            figures.push(figure(
                "overhead bare threads".into(),
                &mut floor,
                "ms",
                args.runs,
                "the same, for a bare std::thread program with no engine: this machine's floor",
            ));
            figures.push(figure(
                "thread end → join".into(),
                &mut exits,
                "µs",
                args.runs,
                "bare program: the last body returns → the last join() returns (the OS ending that thread)",
            ));
            if !json {
                figures[figures.len() - 2..]
                    .iter()
                    .for_each(|f| print_figure(out, f));
            }
        }
    }
    for f in stop_figures(args.runs)? {
        if !json {
            print_figure(out, &f);
        }
        figures.push(f);
    }
    if !args.no_tui {
        for f in tui_figures()? {
            if !json {
                print_figure(out, &f);
            }
            figures.push(f);
        }
        let rows = bench_scale::table()?;
        if !json {
            bench_scale::print_table(out, &rows).map_err(io_err)?;
        }
        figures.extend(rows.iter().flat_map(bench_scale::figures));
    }
    for workload in [Workload::Cpu, Workload::Io] {
        for f in bench_cores(workload, args.runs.min(CORES_RUNS))? {
            if !json {
                print_figure(out, &f);
            }
            figures.push(f);
        }
    }
    for (kind, name, note) in [
        (
            SpawnKind::Thread,
            "spawn thread",
            "µs from spawn() to the thread running, threads strategy",
        ),
        (
            SpawnKind::Process,
            "spawn process",
            "µs from spawn() to the child's first line on the pipe, process strategy",
        ),
    ] {
        let mut costs: Vec<f64> = (spawns.iter())
            .filter(|(k, _)| *k == kind)
            .map(|(_, c)| *c)
            .collect();
        figures.push(figure(name.into(), &mut costs, "µs", args.runs, note));
        if !json {
            print_figure(out, figures.last().expect("just pushed"));
        }
    }
    // The floor for `spawn process`, in the same run: what exec'ing a program costs here.
    for f in exec_floor(args.runs)? {
        if !json {
            print_figure(out, &f);
        }
        figures.push(f);
    }
    let mut reuse = pool_reuse(args.runs.min(5))?;
    figures.push(figure(
        "pool reuse".into(),
        &mut reuse,
        "spawns/task",
        args.runs.min(5),
        "threads started per download once the pool's 4 workers are up, 40 downloads",
    ));
    if !json {
        print_figure(out, figures.last().expect("just pushed"));
    }
    if json {
        let _ = writeln!(
            out,
            "{}",
            serde_json::to_string(&figures).expect("figures serialise")
        );
    }
    Ok(())
}

/// The least a threads run can cost on this machine: the simplest Rust program that does what
/// the threads strategy does, with no clock, channel or listener. One named `std::thread` per
/// download waits out its time (sleeping, then spinning the last 150 µs, as the clock does) and
/// main joins them all. Returns elapsed − longest, in wall ms at [`BENCH_SPEED`], and the µs from
/// the last body ending to the last `join()` returning (the OS ending that thread).
fn bare_threads_overhead(durations: &[f64]) -> (f64, f64) {
    use std::time::Instant;
    const SPIN: Duration = Duration::from_micros(150);
    let t0 = Instant::now();
    let threads: Vec<_> = (durations.iter().enumerate())
        .filter_map(|(i, &d)| {
            let wall = Duration::from_secs_f64(d / BENCH_SPEED);
            let body = move || {
                let deadline = Instant::now() + wall;
                thread::sleep(deadline.saturating_duration_since(Instant::now() + SPIN));
                while Instant::now() < deadline {
                    std::hint::spin_loop();
                }
                Instant::now()
            };
            thread::Builder::new()
                .name(format!("Thread-{}", i + 1))
                .spawn(body)
                .ok()
        })
        .collect();
    let last_end = (threads.into_iter())
        .filter_map(|t| t.join().ok())
        .max()
        .unwrap_or(t0);
    let joined = Instant::now();
    let longest = durations.iter().copied().fold(0.0, f64::max);
    let overhead = ((joined - t0).as_secs_f64() - longest / BENCH_SPEED) * 1000.0;
    (overhead, (joined - last_end).as_secs_f64() * 1e6)
}

/// What starting a program and reaping it costs on this machine: this binary with `--version`
/// (the same exec and loading a child pays) and `/bin/true` (the least any process costs).
fn exec_floor(runs: u32) -> Result<Vec<BenchFigure>, String> {
    use std::process::{Command, Stdio};
    use std::time::Instant;
    let me = std::env::current_exe().map_err(io_err)?;
    let mut out = Vec::new();
    for (name, program, arg, note) in [
        (
            "exec threadlab",
            me.as_path(),
            Some("--version"),
            "µs to start this binary with --version and reap it: the floor for spawn process",
        ),
        (
            "exec /bin/true",
            std::path::Path::new("/bin/true"),
            None,
            "µs to start /bin/true and reap it: the least any process costs here",
        ),
    ] {
        let mut us = Vec::new();
        for _ in 0..runs {
            let mut cmd = Command::new(program);
            cmd.args(arg).stdout(Stdio::null()).stderr(Stdio::null());
            let t0 = Instant::now();
            if cmd.status().is_err() {
                us.clear(); // no such program here: no figure rather than a wrong one
                break;
            }
            us.push(t0.elapsed().as_secs_f64() * 1e6);
        }
        if !us.is_empty() {
            out.push(figure(name.into(), &mut us, "µs", runs, note));
        }
    }
    Ok(out)
}

/// The longest one row of the scale table may run before it is cut short (and marked so).
const SCALE_CAP: Duration = Duration::from_secs(60);

/// How long `stop` takes to end and join a run caught mid-download, per strategy.
fn stop_figures(runs: u32) -> Result<Vec<BenchFigure>, String> {
    let names = tasks::generated_names(8);
    let mut out = Vec::new();
    for strategy in Strategy::ALL {
        let mut ms = Vec::new();
        for _ in 0..runs {
            let plan = Plan {
                strategy,
                tasks: tasks::make_tasks(&names, &[3600.0; 8]),
                workers: 4,
                speed: 1.0,
                workload: Workload::Io,
                procs: Default::default(),
            };
            let (tx, rx) = mpsc::channel::<RunEvent>();
            let handle = engine::start(plan, Reporter::new(0, tx)).map_err(io_err)?;
            // Wait until a download is under way, so the stop lands mid-download.
            while let Ok(ev) = rx.recv() {
                if matches!(ev.event, WorkerEvent::Started { .. }) {
                    break;
                }
            }
            let t0 = std::time::Instant::now();
            handle.stop();
            ms.push(t0.elapsed().as_secs_f64() * 1000.0);
        }
        out.push(figure(
            format!("stop {strategy}"),
            &mut ms,
            "ms",
            runs,
            "stop() until every thread of the run is joined, mid-download",
        ));
    }
    Ok(out)
}

/// The screen loop's cost: CPU busy and idle, key-to-screen delay, frames.
fn tui_figures() -> Result<Vec<BenchFigure>, String> {
    let f = bench_tui::measure(
        std::time::Duration::from_secs(4),
        std::time::Duration::from_secs(4),
    )
    .map_err(|e| format!("screen benchmark failed: {e}"))?;
    let mut lat = f.key_latency.clone();
    let n = lat.len() as u32;
    let one = |name: &str, v: f64, unit: &'static str, note: &str| BenchFigure {
        name: name.into(),
        median: v,
        p90: v,
        unit,
        runs: 1,
        note: note.into(),
    };
    Ok(vec![
        one(
            "tui busy cpu",
            f.busy_cpu,
            "%",
            "whole process, % of one core: 1,000 downloads, pool of 64, --speed 10, 200×60, a key every 100 ms",
        ),
        figure(
            "tui key-to-screen".into(),
            &mut lat,
            "ms",
            n,
            "key sent → frame flushed, during that run",
        ),
        one(
            "tui frames",
            f.frames as f64,
            "",
            "frames drawn over the whole benchmark (at most 30 a second)",
        ),
        one(
            "tui bytes/frame",
            f.bytes_per_frame,
            "B",
            "bytes written to the terminal per frame",
        ),
        one(
            "tui idle cpu",
            f.idle_cpu,
            "%",
            "whole process, % of one core, nothing running, ticker off",
        ),
    ])
}

/// Runs of each cores measurement: each takes seconds, and a median of three is steady enough.
const CORES_RUNS: u32 = 3;

/// Four one-second downloads on `threads`, on one core and then on two: wall seconds of each,
/// and their ratio (near 2 for `cpu` on an idle two-core machine, near 1 for `io`). Empty where
/// cores cannot be chosen; only the one-core figure on a one-core machine.
fn bench_cores(workload: Workload, runs: u32) -> Result<Vec<BenchFigure>, String> {
    let before = cores::cores_in_use();
    if cores::set_cores(1).is_err() {
        return Ok(Vec::new());
    }
    let figures = cores_figures(workload, runs);
    // Give the process back the cores it had, whatever happened.
    let _ = cores::set_cores(before);
    figures
}

fn cores_figures(workload: Workload, runs: u32) -> Result<Vec<BenchFigure>, String> {
    let plan = Plan {
        strategy: Strategy::Threads,
        tasks: tasks::make_tasks(&tasks::generated_names(4), &[1.0; 4]),
        workers: 4,
        speed: 1.0,
        workload,
        procs: Default::default(),
    };
    let on_cores = |n: usize| -> Result<Vec<f64>, String> {
        // bench speaks English throughout.
        cores::set_cores(n).map_err(|e| e.text(crate::i18n::Lang::En))?;
        let mut walls = Vec::new();
        for _ in 0..runs {
            let state = run_plan(&plan, |_, _| {}).map_err(io_err)?;
            walls.push(state.elapsed.unwrap_or(0.0) / plan.speed);
        }
        Ok(walls)
    };
    let note = "threads, 4 downloads of 1 s, wall s";
    let mut figures = Vec::new();
    let mut one = on_cores(1)?;
    let name = format!("{workload} 4×1s, 1 core");
    figures.push(figure(name, &mut one, "s", runs, note));
    if cores::available_cores() >= 2 {
        let mut two = on_cores(2)?;
        let name = format!("{workload} 4×1s, 2 cores");
        figures.push(figure(name, &mut two, "s", runs, note));
        let ratio = median(&mut one) / median(&mut two).max(1e-9);
        let expect = match workload {
            Workload::Cpu => "near 2 on an idle machine: computing needs cores",
            Workload::Io => "near 1: waiting needs no core",
        };
        let name = format!("{workload} 1 core ÷ 2 cores");
        figures.push(figure(name, &mut [ratio], "×", runs, expect));
    }
    Ok(figures)
}

/// Per run: threads the pool started beyond its first `workers`, per download.
fn pool_reuse(runs: u32) -> Result<Vec<f64>, String> {
    let (count, workers) = (40, 4);
    let names = tasks::generated_names(count);
    let mut per_task = Vec::new();
    for run in 0..runs {
        let plan = Plan {
            strategy: Strategy::Pool,
            tasks: tasks::make_tasks(&names, &tasks::durations(run as u64 + 1, count, 3.0, 6.0)),
            workers,
            speed: 1000.0,
            workload: Workload::Io,
            procs: Default::default(),
        };
        let state = run_plan(&plan, |_, _| {}).map_err(io_err)?;
        let after_warm_up = state.spawn_count(SpawnKind::Thread).saturating_sub(workers);
        per_task.push(after_warm_up as f64 / count as f64);
    }
    Ok(per_task)
}

fn figure(name: String, xs: &mut [f64], unit: &'static str, runs: u32, note: &str) -> BenchFigure {
    let median = median(xs);
    let p90 = match xs.len() {
        0 => 0.0,
        n => xs[((n as f64 * 0.9).ceil() as usize).clamp(1, n) - 1],
    };
    BenchFigure {
        name,
        median,
        p90,
        unit,
        runs,
        note: note.into(),
    }
}

fn print_figure(out: &mut impl Write, f: &BenchFigure) {
    let (value, note) = match f.runs {
        1 => (format!("{:>15.3} {:<3}", f.median, f.unit), f.note.clone()),
        n => (
            format!(
                "median {:>8.3} {}  p90 {:>8.3} {}",
                f.median, f.unit, f.p90, f.unit
            ),
            format!("{n} runs; {}", f.note),
        ),
    };
    let _ = writeln!(out, "{}  {value}  ({note})", pad(&f.name, 22));
    let _ = out.flush();
}
