//! `threadlab bench`'s scale table: big classes of work run live through the real loop
//! (`runner::run`) and crossterm's backend at 160×50, one row per child process so each row's
//! peak memory is its own. Keys are pressed every 100 ms while the run goes on.

use super::screen::{Recorder, bench_app, key};
use crate::app::Event;
use crate::engine::Strategy;
use crate::runner::{self, LoopStats, Runner};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use serde::{Deserialize, Serialize};
use std::io::{self, Write};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::thread;
use std::time::{Duration, Instant};

/// One row of the scale table: a class of work.
#[derive(Debug, Clone, Copy)]
pub struct ScaleRow {
    pub count: usize,
    pub strategy: Strategy,
    pub workers: usize,
    pub speed: f64,
}

/// The rows issue 10 asks for, in the order they are printed.
pub const ROWS: [ScaleRow; 4] = [
    ScaleRow {
        count: 1_000,
        strategy: Strategy::Pool,
        workers: 64,
        speed: 10.0,
    },
    ScaleRow {
        count: 10_000,
        strategy: Strategy::Pool,
        workers: 256,
        speed: 10.0,
    },
    ScaleRow {
        count: 10_000,
        strategy: Strategy::Threads,
        workers: 4,
        speed: 10.0,
    },
    ScaleRow {
        count: 100_000,
        strategy: Strategy::Pool,
        workers: 1_024,
        speed: 100.0,
    },
];

impl ScaleRow {
    /// How the row reads in the table: `10,000 pool 256 ×10`.
    pub fn label(&self) -> String {
        let how = match self.strategy {
            Strategy::Pool => format!("pool {}", self.workers),
            s => s.name().to_string(),
        };
        format!("{} {how} ×{}", thousands(self.count), self.speed)
    }
}

/// What one row measured.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ScaleFigures {
    pub row: String,
    /// Whole-process CPU while the run went on, in percent of one core.
    pub cpu_pct: f64,
    pub key_p50_ms: f64,
    pub key_p99_ms: f64,
    /// Time to build and flush one frame.
    pub frame_p50_ms: f64,
    pub frame_p99_ms: f64,
    pub peak_rss_mb: f64,
    pub events_per_s: f64,
    /// Every download reached 100% before the row's time ran out.
    pub complete: bool,
    pub wall_s: f64,
    pub keys: usize,
}

/// Run one row in this process, for at most `cap` of wall time.
pub fn run_row(row: ScaleRow, cap: Duration) -> io::Result<ScaleFigures> {
    let area = Rect::new(0, 0, 160, 50);
    let recorder = Recorder::default();
    let mut term = Terminal::with_options(
        CrosstermBackend::new(recorder.clone()),
        TerminalOptions {
            viewport: Viewport::Fixed(area),
        },
    )?;
    let mut app = bench_app(row.strategy, row.workers, row.speed, row.count, area);
    let (tx, rx) = std::sync::mpsc::channel();
    let mut runner = Runner::new(tx.clone());
    runner.start_sampler()?;
    let stats = Arc::new(LoopStats::default());
    runner.stats = Some(stats.clone());
    let watch = stats.clone();
    let driver = thread::Builder::new()
        .name("bench-keys".into())
        .spawn(move || {
            let (c0, t0) = (crate::bench::screen::cpu_seconds(), Instant::now());
            let _ = tx.send(Event::Key(KeyEvent::new(
                KeyCode::Enter,
                KeyModifiers::NONE,
            )));
            let mut sent = Vec::new();
            let mut i = 0;
            // Until the run has started and then ended, or the time is up.
            while t0.elapsed() < cap {
                thread::sleep(Duration::from_millis(100));
                if watch.runs_finished.load(Ordering::Relaxed) > 0 {
                    break;
                }
                sent.push(Instant::now());
                // Scrolling redraws the downloads and changes nothing else.
                let _ = tx.send(key(if i % 2 == 0 { 'J' } else { 'K' }));
                i += 1;
            }
            let wall = t0.elapsed().as_secs_f64();
            let cpu = match (c0, crate::bench::screen::cpu_seconds()) {
                (Some(a), Some(b)) => (b - a) / wall * 100.0,
                _ => f64::NAN,
            };
            let _ = tx.send(Event::Key(KeyEvent::new(
                KeyCode::Char('c'),
                KeyModifiers::CONTROL,
            )));
            (sent, cpu, wall)
        })?;
    runner::run(&mut term, &mut app, rx, &mut runner)?;
    let complete = app.run.as_ref().is_some_and(|r| {
        r.state
            .tasks
            .iter()
            .all(|t| t.phase == crate::run_state::Phase::Done)
    });
    runner.shut_down();
    let (sent, cpu_pct, wall_s) = driver
        .join()
        .map_err(|_| io::Error::other("bench driver panicked"))?;
    let tape = recorder.0.lock().unwrap_or_else(|e| e.into_inner());
    let mut keys: Vec<f64> = sent
        .iter()
        .filter_map(|s| {
            let i = tape.flushes.partition_point(|f| f < s);
            tape.flushes
                .get(i)
                .map(|f| (*f - *s).as_secs_f64() * 1000.0)
        })
        .collect();
    let mut frames = stats
        .frame_ms
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    let events = stats.worker_events.load(Ordering::Relaxed) as f64;
    Ok(ScaleFigures {
        row: row.label(),
        cpu_pct,
        key_p50_ms: percentile(&mut keys, 0.5),
        key_p99_ms: percentile(&mut keys, 0.99),
        frame_p50_ms: percentile(&mut frames, 0.5),
        frame_p99_ms: percentile(&mut frames, 0.99),
        peak_rss_mb: peak_rss_mb().unwrap_or(f64::NAN),
        events_per_s: events / wall_s.max(1e-9),
        complete,
        wall_s,
        keys: sent.len(),
    })
}

/// The `p` quantile (0..=1) of `v`, NaN when empty.
pub fn percentile(v: &mut [f64], p: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let i = ((v.len() - 1) as f64 * p).round() as usize;
    v[i.min(v.len() - 1)]
}

/// This process's peak resident memory (VmHWM), in MB.
fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb / 1000.0)
}

fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Set in a child of `bench` to the row it runs: the interface between two copies of this
/// binary, not an option a user types.
pub const ROW_VAR: &str = "THREADLAB_SCALE_ROW";

/// The row this process was started to run, if it was.
pub fn row_asked() -> Option<usize> {
    std::env::var(ROW_VAR).ok()?.parse().ok()
}

/// Every row, each in a child process of this binary (`bench --scale` with [`ROW_VAR`] set),
/// so one row's threads and memory never weigh on the next.
pub fn table() -> Result<Vec<ScaleFigures>, String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find this program: {e}"))?;
    let mut out = Vec::new();
    for i in 0..ROWS.len() {
        let child = std::process::Command::new(&exe)
            .args(["bench", "--scale"])
            .env(ROW_VAR, i.to_string())
            .stdin(std::process::Stdio::null())
            .stderr(std::process::Stdio::inherit())
            .output()
            .map_err(|e| format!("scale row {i} did not start: {e}"))?;
        if !child.status.success() {
            return Err(format!("scale row {i} failed ({})", child.status));
        }
        let fig: ScaleFigures = serde_json::from_slice(&child.stdout)
            .map_err(|e| format!("scale row {i} printed no figures: {e}"))?;
        out.push(fig);
    }
    Ok(out)
}

/// The table as text, one row per class of work.
pub fn print_table(out: &mut impl Write, rows: &[ScaleFigures]) -> io::Result<()> {
    writeln!(
        out,
        "{:<24} {:>6} {:>8} {:>8} {:>8} {:>8} {:>8} {:>10} {:>5}",
        "scale (160×50, live)",
        "CPU %",
        "key p50",
        "key p99",
        "frm p50",
        "frm p99",
        "RSS MB",
        "events/s",
        "100%"
    )?;
    for r in rows {
        writeln!(
            out,
            "{:<24} {:>6.1} {:>8.1} {:>8.1} {:>8.2} {:>8.2} {:>8.1} {:>10.0} {:>5}",
            r.row,
            r.cpu_pct,
            r.key_p50_ms,
            r.key_p99_ms,
            r.frame_p50_ms,
            r.frame_p99_ms,
            r.peak_rss_mb,
            r.events_per_s,
            if r.complete { "yes" } else { "no" }
        )?;
    }
    Ok(())
}

/// A row as `bench --json` figures: one per column that has a goal.
pub fn figures(r: &ScaleFigures) -> Vec<crate::bench::BenchFigure> {
    let one = |what: &str, v: f64, unit: &'static str| crate::bench::BenchFigure {
        name: format!("scale {}: {what}", r.row),
        median: v,
        p90: v,
        unit,
        runs: 1,
        note: "live on the screen loop at 160×50, keys every 100 ms".into(),
    };
    vec![
        one("CPU", r.cpu_pct, "% of a core"),
        one("key-to-screen p50", r.key_p50_ms, "ms"),
        one("key-to-screen p99", r.key_p99_ms, "ms"),
        one("frame p50", r.frame_p50_ms, "ms"),
        one("frame p99", r.frame_p99_ms, "ms"),
        one("peak RSS", r.peak_rss_mb, "MB"),
        one("worker events", r.events_per_s, "/s"),
        one(
            "every download at 100%",
            f64::from(u8::from(r.complete)),
            "yes=1",
        ),
    ]
}
