//! `threadlab run` and `compare`: the lesson without a terminal UI, as text, CSV or JSON (`bench` is in `crate::bench`).

use crate::chart::{self, Glyphs};
use crate::cli::Setup;
use crate::cores;
use crate::engine::{self, Plan, Reporter, RunEvent, SpawnKind, Strategy, WorkerEvent, Workload};
use crate::i18n::{Key, Lang, strategy_name, t, tf};
use crate::procinfo;
use crate::run_state::{RunReport, RunState};
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
            tf(
                lang,
                Key::download_failed,
                &[&name(*task), &crate::i18n::failure(lang, reason)],
            )
        )],
        WorkerEvent::Progress { .. }
        | WorkerEvent::Spawned { .. }
        | WorkerEvent::Bytes { .. }
        | WorkerEvent::Thread { .. } => {
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
            for note in v
                .startup_line(lang)
                .iter()
                .chain(&start_costs(lang, &state))
            {
                let _ = writeln!(out, "  {note}");
            }
        }
    }
    Ok(report)
}

/// [`run_plan`], plus the run's wall time and the CPU time its own threads and children used
/// ([`procinfo::RunCpu`]), so a conclusion can tell a busy machine from a slow strategy.
pub fn run_measured(
    plan: &Plan,
    on_event: impl FnMut(&RunState, &WorkerEvent),
) -> io::Result<(RunState, Measured)> {
    if plan.workload == Workload::Cpu {
        // The one-off calibration of computing work costs CPU time of its own: done first, so
        // it is not counted as the run's.
        engine::units_per_second();
    }
    let before = procinfo::RunCpu::start();
    let state = run_plan(plan, on_event)?;
    let cpu = before.used();
    let measured = Measured {
        // The speed never changes during a headless run, so the lesson clock gives the wall time.
        wall: state.elapsed.map(|e| e / plan.speed),
        cpu: Some(cpu.as_secs_f64()),
        // Headless runs have no screen loop to notice a stop from outside.
        stopped: 0.0,
    };
    Ok((state, measured))
}

/// What starting a thread and a process cost in this run, side by side, when it measured both
/// (a process run measures threads beside its children; workshops start both).
pub fn start_costs(lang: Lang, state: &RunState) -> Option<String> {
    let cost = |kind| Some((state.median_spawn(kind)?, state.spawn_count(kind)));
    let (thread, threads) = cost(SpawnKind::Thread)?;
    let (process, processes) = cost(SpawnKind::Process)?;
    let mut line = tf(
        lang,
        Key::start_costs,
        &[&fmt_cost(thread), &threads, &fmt_cost(process), &processes],
    );
    if state.start_costs_inverted() {
        // Never let a class read that a thread costs more than a process from one busy run.
        line.push_str(t(lang, Key::start_costs_inverted));
    }
    Some(line)
}

/// A start-up cost as a teacher reads it: µs below a millisecond, ms above.
pub fn fmt_cost(d: Duration) -> String {
    let us = d.as_secs_f64() * 1e6;
    match us < 1000.0 {
        true => format!("{us:.0} µs"),
        false => format!("{:.1} ms", us / 1000.0),
    }
}

/// The one-line summary under the transcript; a run with a failed download gets no speedup.
pub fn summary(lang: Lang, r: &RunReport) -> String {
    let name =
        (r.strategy.parse::<Strategy>()).map_or(r.strategy.as_str(), |s| strategy_name(lang, s));
    let failed = r.tasks.iter().filter(|t| t.error.is_some()).count();
    let (key, last) = match failed {
        0 => (
            Key::summary,
            r.speedup()
                .map_or_else(|| "—".into(), |x| format!("{x:.2}")),
        ),
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

/// One row of `compare --csv`; the speedup (over the serial sum, as everywhere) is empty for a
/// run with a failed download.
pub fn csv_row(r: &RunReport) -> String {
    let speedup = r.speedup().map_or_else(String::new, |x| format!("{x:.3}"));
    format!(
        "{},{},{},{},{},{:.3},{:.3},{:.3},{:.3},{},",
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
    for strategy in Strategy::ALL {
        let plan = Plan {
            strategy,
            ..settings.plan()
        };
        let (state, measured) = run_measured(&plan, |_, _| {}).map_err(io_err)?;
        let report = state.report(settings.seed, plan.speed);
        let verdict = Figures::of_run(&state, measured).map(verdict::judge);
        if format == Format::Csv {
            let _ = writeln!(out, "{}", csv_row(&report));
            let _ = out.flush();
        }
        if format == Format::Table {
            // A run with a failed download has no fair time, so no speedup either.
            let speedup = match report.speedup() {
                Some(x) => crate::run_state::fmt_speedup(x),
                None => t(lang, Key::result_failed).to_string(),
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
        verdicts.extend(verdict.map(|v| (v, start_costs(lang, &state))));
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
        for (v, costs) in &verdicts {
            let _ = writeln!(out, "→ {}", v.line(lang));
            for note in v.startup_line(lang).iter().chain(costs) {
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
