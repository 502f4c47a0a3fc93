//! `threadlab run`, `compare` and `bench`: the lesson without a terminal UI, as text or JSON.

use crate::chart::{self, Glyphs};
use crate::cli::{BenchArgs, Setup};
use crate::cores;
use crate::engine::{self, Plan, Reporter, RunEvent, SpawnKind, Strategy, WorkerEvent, Workload};
use crate::i18n::{Key, Lang, strategy_name, t, tf};
use crate::procinfo;
use crate::report::{RunReport, RunState};
use crate::tasks;
use crate::text::{pad, pad_left, width};
use crate::verdict::{self, Figures, Measured};
use std::io::{self, Write};
use std::sync::mpsc::{self, TryRecvError};
use std::thread;
use std::time::Duration;

/// Standard output for the headless commands, which write through `let _ = writeln!`: here a
/// failed write is never lost. A closed pipe (`| head`: the reader has seen enough) ends the
/// program quietly, or with `keep_running` (a trace still to write) only silences the rest;
/// any other error (a full disk, `/dev/full`) ends it at once with one line on stderr, status 1,
/// rather than running on with nowhere for the results to go.
pub struct Output<W: Write> {
    inner: W,
    keep_running: bool,
    closed: bool,
}

impl<W: Write> Output<W> {
    pub fn new(inner: W, keep_running: bool) -> Self {
        Output {
            inner,
            keep_running,
            closed: false,
        }
    }

    fn failed(&mut self, e: io::Error) -> io::Result<()> {
        match e.kind() {
            io::ErrorKind::Interrupted => Err(e),
            io::ErrorKind::BrokenPipe if self.keep_running => {
                self.closed = true;
                Ok(())
            }
            io::ErrorKind::BrokenPipe => std::process::exit(0),
            _ => {
                let _ = writeln!(io::stderr(), "threadlab: cannot write the output: {e}");
                std::process::exit(1)
            }
        }
    }
}

impl<W: Write> Write for Output<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.closed {
            return Ok(buf.len());
        }
        match self.inner.write(buf) {
            Ok(n) => Ok(n),
            Err(e) => self.failed(e).map(|()| buf.len()),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.closed {
            return Ok(());
        }
        match self.inner.flush() {
            Ok(()) => Ok(()),
            Err(e) => self.failed(e),
        }
    }
}

/// How often `run_plan` collects the workers' reports.
const LISTEN_EVERY: Duration = Duration::from_millis(2);

/// Run `plan` to the end, calling `on_event` for each event as it arrives; returns the final state.
pub fn run_plan(
    plan: &Plan,
    mut on_event: impl FnMut(&RunState, &WorkerEvent),
) -> io::Result<RunState> {
    let (tx, rx) = mpsc::channel::<RunEvent>();
    let mut state = RunState::for_plan(plan);
    let handle = engine::start(plan.clone(), Reporter::new(0, tx))?;
    // Drain the reports every 2 ms rather than waking for each one: a worker that
    // reports to a sleeping listener pays for waking it, on the very path being timed.
    'run: loop {
        thread::sleep(LISTEN_EVERY);
        loop {
            let event = match rx.try_recv() {
                Ok(RunEvent { event, .. }) => event,
                Err(TryRecvError::Empty) => break,
                // The workers hold the only senders: the run is over.
                Err(TryRecvError::Disconnected) => break 'run,
            };
            state.apply(&event);
            on_event(&state, &event);
            if state.is_finished() {
                break 'run;
            }
        }
    }
    handle.join();
    Ok(state)
}

/// One transcript line for an event, in the lesson's words, stamped with the thread; None for progress.
pub fn transcript(lang: Lang, state: &RunState, event: &WorkerEvent) -> Vec<String> {
    let name = |id: usize| {
        state
            .tasks
            .get(id)
            .map(|t| t.task.name.to_string())
            .unwrap_or_default()
    };
    match event {
        WorkerEvent::Started { task, worker, .. } => {
            vec![format!(
                "[{worker}] {}",
                tf(lang, Key::downloading, &[&name(*task)])
            )]
        }
        WorkerEvent::Finished {
            task, worker, took, ..
        } => vec![
            format!("[{worker}] {}", tf(lang, Key::downloaded, &[&name(*task)])),
            format!(
                "[{worker}] {}",
                tf(lang, Key::download_time, &[&format!("{took:.2}")])
            ),
        ],
        WorkerEvent::Failed {
            task,
            worker,
            reason,
            ..
        } => vec![format!(
            "[{worker}] {}",
            tf(lang, Key::download_failed, &[&name(*task), reason])
        )],
        WorkerEvent::Progress { .. } | WorkerEvent::Spawned { .. } | WorkerEvent::Bytes { .. } => {
            vec![]
        }
        WorkerEvent::RunFinished { elapsed } => {
            vec![tf(lang, Key::total_time, &[&format!("{elapsed:.2}")])]
        }
    }
}

fn io_err(e: io::Error) -> String {
    format!("cannot start the run's threads: {e}")
}

/// `threadlab run`: the transcript as it happens, then a summary; or one JSON object.
/// Returns the run's summary (for `--trace`).
pub fn run(setup: &Setup, json: bool, out: &mut impl Write) -> Result<RunReport, String> {
    let (settings, lang) = (&setup.settings, setup.settings.lang);
    if setup.seed_chosen && !json {
        let _ = writeln!(out, "{}", tf(lang, Key::seed_line, &[&settings.seed]));
    }
    let (state, measured) = run_measured(&settings.plan(), |state, event| {
        if !json {
            for line in transcript(lang, state, event) {
                // A closed stdout (`| head`) only ends the output early, never the run.
                let _ = writeln!(out, "{line}");
            }
        }
    })
    .map_err(io_err)?;
    let report = state.report(settings.seed, settings.speed);
    if json {
        let _ = writeln!(
            out,
            "{}",
            serde_json::to_string(&report).expect("a report serialises")
        );
    } else {
        let _ = writeln!(out, "{}", summary(lang, &report));
        if let Some(v) = Figures::of_run(&state, measured).map(verdict::judge) {
            let _ = writeln!(out, "→ {}", v.line(lang));
            if let Some(note) = v.startup_line(lang) {
                let _ = writeln!(out, "  {note}");
            }
        }
    }
    Ok(report)
}

/// [`run_plan`], plus the run's wall time and the CPU time this process and its children used
/// meanwhile, so a conclusion can tell a busy machine from a slow strategy.
pub fn run_measured(
    plan: &Plan,
    on_event: impl FnMut(&RunState, &WorkerEvent),
) -> io::Result<(RunState, Measured)> {
    if plan.workload == Workload::Cpu {
        // The one-off calibration of computing work costs CPU time of its own: done first, so
        // it is not counted as the run's.
        engine::units_per_second();
    }
    let before = procinfo::cpu_time_with_children();
    let state = run_plan(plan, on_event)?;
    let cpu = procinfo::cpu_time_with_children().saturating_sub(before);
    let measured = Measured {
        // The speed never changes during a headless run, so the lesson clock gives the wall time.
        wall: state.elapsed.map(|e| e / plan.speed),
        cpu: Some(cpu.as_secs_f64()),
    };
    Ok((state, measured))
}

/// The one-line summary under the transcript; a run with a failed download gets no speedup.
pub fn summary(lang: Lang, r: &RunReport) -> String {
    let name =
        (r.strategy.parse::<Strategy>()).map_or(r.strategy.as_str(), |s| strategy_name(lang, s));
    let failed = r.tasks.iter().filter(|t| t.error.is_some()).count();
    let (key, last) = match failed {
        0 => (Key::summary, format!("{:.2}", r.speedup())),
        n => (Key::summary_failed, n.to_string()),
    };
    tf(
        lang,
        key,
        &[
            &format!("{:.2}", r.elapsed_s),
            &format!("{:.2}", r.sum_s),
            &name,
            &format!("{:.2}", r.ideal_s),
            &last,
        ],
    )
}

/// How `compare` prints its results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A table for people, row by row as each strategy finishes.
    Table,
    /// One JSON array at the end.
    Json,
    /// A header and one CSV row per strategy, for a spreadsheet.
    Csv,
}

/// The header of `compare --csv`; `note` is empty for a strategy that ran, and says why for one
/// that did not (its measured cells are empty then).
pub const CSV_HEADER: &str =
    "strategy,workers,workload,seed,speed,elapsed_s,ideal_s,sum_s,max_s,speedup_vs_serial,note";

/// One row of `compare --csv`; `serial_elapsed` is the serial run's time on the same durations.
pub fn csv_row(r: &RunReport, serial_elapsed: f64) -> String {
    let speedup = if r.elapsed_s > 0.0 {
        serial_elapsed / r.elapsed_s
    } else {
        0.0
    };
    format!(
        "{},{},{},{},{},{:.3},{:.3},{:.3},{:.3},{:.3},",
        r.strategy,
        r.workers,
        r.workload,
        r.seed,
        r.speed,
        r.elapsed_s,
        r.ideal_s,
        r.sum_s,
        r.max_s,
        speedup
    )
}

/// `threadlab compare`: every strategy on the same durations, as a table, JSON or CSV.
/// Returns every run's summary, in strategy order (for `--trace`).
pub fn compare(
    setup: &Setup,
    format: Format,
    out: &mut impl Write,
) -> Result<Vec<RunReport>, String> {
    let (settings, lang) = (&setup.settings, setup.settings.lang);
    let json = format == Format::Json;
    if setup.seed_chosen && format == Format::Table {
        let _ = writeln!(out, "{}", tf(lang, Key::seed_line, &[&settings.seed]));
    }
    let heads = [
        t(lang, Key::compare_head),
        t(lang, Key::compare_elapsed),
        t(lang, Key::compare_ideal),
        t(lang, Key::compare_speedup),
    ];
    let mut cols: Vec<usize> = heads.iter().map(|h| width(h).max(9)).collect();
    let longest_name = (Strategy::ALL.iter())
        .map(|&s| width(strategy_name(lang, s)))
        .max()
        .unwrap_or(0);
    cols[0] = cols[0].max(longest_name);
    match format {
        Format::Table => {
            let row: Vec<String> = heads.iter().zip(&cols).map(|(h, &c)| pad(h, c)).collect();
            let _ = writeln!(out, "{}", row.join("  ").trim_end());
        }
        Format::Csv => {
            let _ = writeln!(out, "{CSV_HEADER}");
        }
        Format::Json => {}
    }
    let mut reports = Vec::new();
    let mut verdicts = Vec::new();
    let mut serial_elapsed = None;
    for strategy in Strategy::ALL {
        let plan = Plan {
            strategy,
            ..settings.plan()
        };
        let (state, measured) = run_measured(&plan, |_, _| {}).map_err(io_err)?;
        let report = state.report(settings.seed, plan.speed);
        let verdict = Figures::of_run(&state, measured).map(verdict::judge);
        let base = *serial_elapsed.get_or_insert(report.elapsed_s);
        if format == Format::Csv {
            let _ = writeln!(out, "{}", csv_row(&report, base));
            let _ = out.flush();
        }
        if format == Format::Table {
            // A run with a failed download has no fair time, so no speedup either.
            let fair = verdict.as_ref().is_some_and(|v| v.speedup().is_some());
            let speedup = match fair {
                true if report.elapsed_s > 0.0 => format!("{:.2}×", base / report.elapsed_s),
                true => format!("{:.2}×", 0.0),
                false => t(lang, Key::result_failed).to_string(),
            };
            let cells = [
                pad(strategy_name(lang, strategy), cols[0]),
                pad_left(&format!("{:.2} s", report.elapsed_s), cols[1]),
                pad_left(&format!("{:.2} s", report.ideal_s), cols[2]),
                pad_left(&speedup, cols[3]),
            ];
            let _ = writeln!(out, "{}", cells.join("  "));
            let _ = out.flush();
        }
        reports.push(report);
        verdicts.extend(verdict);
    }
    if format == Format::Table {
        let _ = writeln!(out);
        for line in chart::lines(
            lang,
            &chart_entries(&reports),
            chart_width(),
            Glyphs::UNICODE,
        ) {
            let _ = writeln!(out, "{line}");
        }
    }
    if json {
        let _ = writeln!(
            out,
            "{}",
            serde_json::to_string(&reports).expect("reports serialise")
        );
    } else if format == Format::Table && settings.workload == Workload::Cpu {
        let cores = cores::cores_in_use();
        let sum: f64 = settings.tasks().iter().map(|t| t.duration).sum();
        let by_cores = sum / cores as f64;
        let _ = writeln!(
            out,
            "{}",
            tf(
                lang,
                Key::compare_cores_note,
                &[&cores, &format!("{by_cores:.2}")]
            )
        );
        let _ = writeln!(out, "{}", t(lang, Key::compare_async_note));
    }
    if format == Format::Table {
        // What each run showed, checked against its own figures, and where start-up cost more
        // than a twentieth of a run (at high speeds it can outweigh the downloads).
        for v in &verdicts {
            let _ = writeln!(out, "→ {}", v.line(lang));
            if let Some(note) = v.startup_line(lang) {
                let _ = writeln!(out, "  {note}");
            }
        }
    }
    Ok(reports)
}

/// What the chart draws of each compared run.
fn chart_entries(reports: &[RunReport]) -> Vec<chart::Entry> {
    (reports.iter())
        .filter_map(|r| {
            Some(chart::Entry {
                strategy: r.strategy.parse().ok()?,
                workload: r.workload.parse().ok()?,
                cores: r.cores,
                elapsed: r.elapsed_s,
                ideal: r.ideal_s,
                sum: r.sum_s,
                failed: r.tasks.iter().any(|t| t.error.is_some()),
            })
        })
        .collect()
}

/// Columns for `compare`'s chart: the terminal's width as the shell exports it (`COLUMNS`),
/// else 80; within 40 to 160, so a pipe or an odd value still gives a chart that reads.
fn chart_width() -> usize {
    (std::env::var("COLUMNS").ok())
        .and_then(|c| c.trim().parse::<usize>().ok())
        .unwrap_or(80)
        .clamp(40, 160)
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
    use crate::bench::scale as bench_scale;
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
    use crate::bench::screen as bench_tui;
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
        cores::set_cores(n)?;
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
    if f.runs == 1 {
        let _ = writeln!(
            out,
            "{}  {:>15.3} {:<3}  ({})",
            pad(&f.name, 22),
            f.median,
            f.unit,
            f.note
        );
        return;
    }
    let _ = writeln!(
        out,
        "{}  median {:>8.3} {}  p90 {:>8.3} {}  ({} runs; {})",
        pad(&f.name, 22),
        f.median,
        f.unit,
        f.p90,
        f.unit,
        f.runs,
        f.note
    );
    let _ = out.flush();
}
