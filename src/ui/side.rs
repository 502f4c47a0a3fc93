//! The side panel: timing of the current run against the lesson's arithmetic, the last result of
//! each strategy, and the Ping/Pong ticker.

use super::layout::{SidePanel, side_panel};
use super::theme_of as theme;
use super::{fmt_speed, pane, put, put_row};
use crate::app::App;
use crate::engine::ideal::Bound;
use crate::engine::{BytesVia, SpawnKind, Strategy, Workload};
use crate::i18n::{Key, strategy_name, t, tf};
use crate::text::{pad, pad_left, shorten_middle, width};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};

/// `ticker_in_main`: the main column draws Ping/Pong in a large box of its own, so the panel
/// does not repeat it in a small one (it did, cutting the program's exit status mid-sentence).
pub(super) fn render(app: &App, ticker_in_main: bool, area: Rect, buf: &mut Buffer) {
    if area.height == 0 {
        return;
    }
    let lang = app.settings.lang;
    let watched = super::watched::shown(app);
    let ticker_box = match side_panel(area, watched, !ticker_in_main) {
        // A scene of real Python programs: the panel is about them, not the built-in run.
        SidePanel::Stacked { main, ticker } if watched => {
            super::watched::render(app, main, buf);
            ticker
        }
        SidePanel::Stacked { main, ticker } => {
            let cols = main.width.saturating_sub(2).into();
            let lines = (timing_lines(app, cols).into_iter())
                .chain(results_lines(app))
                .chain(switches_lines(app, cols))
                .collect();
            lines_pane(app, t(lang, Key::pane_timing), lines, main, buf);
            ticker
        }
        SidePanel::Split {
            timing,
            results,
            ticker,
        } => {
            let cols = timing.width.saturating_sub(2).into();
            lines_pane(
                app,
                t(lang, Key::pane_timing),
                timing_lines(app, cols),
                timing,
                buf,
            );
            let lines = results_lines(app).split_off(1);
            lines_pane(app, t(lang, Key::pane_results), lines, results, buf);
            ticker
        }
    };
    if let Some(area) = ticker_box {
        ticker(app, area, buf);
    }
}

fn lines_pane(app: &App, title: &str, lines: Vec<(String, Style)>, area: Rect, buf: &mut Buffer) {
    let th = theme(app);
    let inner = pane(th, title, area, buf);
    for (y, (text, style)) in (inner.y..inner.bottom()).zip(lines) {
        put(th, buf, inner.x, y, inner.width, &text, style);
    }
}

/// A creation cost as a teacher would read it: µs below a millisecond, ms above.
fn fmt_cost(d: std::time::Duration) -> String {
    let us = d.as_secs_f64() * 1e6;
    if us < 1000.0 {
        format!("{us:.0} µs")
    } else {
        format!("{:.1} ms", us / 1000.0)
    }
}

/// The labels' column in the timing panel.
const LABEL_W: usize = 14;

fn row(label: &str, value: String) -> String {
    format!("{} {}", pad(label, LABEL_W), value)
}

/// The timing figures, for a pane `width` columns wide inside its borders.
fn timing_lines(app: &App, width: usize) -> Vec<(String, Style)> {
    let l = app.settings.lang;
    let th = theme(app);
    let state = app.view_state();
    let plain = th.text;
    let mut out = Vec::new();
    if !app.shows_downloads() {
        // The scene runs a program, not the downloads: their sum and ideal would be about
        // something the screen no longer shows.
        out.push((
            row(t(l, Key::timing_threads), format!("{:>7}", app.os_threads)),
            plain,
        ));
        return out;
    }
    let elapsed = app.run.as_ref().map(|r| r.elapsed());
    let live = app.is_running();
    out.push((
        row(
            t(l, Key::timing_elapsed),
            match elapsed {
                Some(e) => format!(
                    "{e:>7.2} s{}",
                    if live {
                        format!(" {}", th.glyphs.ellipsis)
                    } else {
                        String::new()
                    }
                ),
                None => format!("{:>7}", "—"),
            },
        ),
        th.text.add_modifier(Modifier::BOLD),
    ));
    if let Some(r) = app.run.as_ref().filter(|r| r.suspended > 0.0) {
        // Ctrl-Z held the run's clock: the elapsed time above leaves that time out.
        let away = format!("{:.1}", r.suspended);
        out.push((
            format!("  {}", tf(l, Key::side_suspended, &[&away])),
            th.warn,
        ));
    }
    let stopped = app.run.as_ref().map_or(0.0, |r| r.stopped);
    if stopped > 0.0 {
        // kill -STOP from outside: nothing held the clock, so the elapsed time above has it.
        let away = format!("{stopped:.1}");
        out.push((format!("  {}", tf(l, Key::side_stopped, &[&away])), th.warn));
    }
    out.push((
        row(t(l, Key::timing_sum), format!("{:>7.2} s", state.sum())),
        plain,
    ));
    if (2..=6).contains(&state.tasks.len()) {
        let terms: Vec<String> = (state.tasks.iter())
            .map(|t| fmt_speed(t.task.duration))
            .collect();
        out.push((format!("  = {}", terms.join(" + ")), th.dim));
    }
    let ideal = state.ideal_bound();
    // Whatever the arrangement, when its least time is the longest download's, that download is
    // what limits it (two workshops of three threads never make three downloads wait).
    let longest = ideal.bound != Bound::Sum
        && state.tasks.len() > 1
        && (ideal.seconds - state.longest()).abs() < 1e-9;
    let why = match ideal.bound {
        _ if longest => t(l, Key::ideal_longest).to_string(),
        Bound::Sum => t(l, Key::ideal_sum).to_string(),
        Bound::Longest => t(l, Key::ideal_longest).to_string(),
        Bound::Pool => tf(l, Key::ideal_pool, &[&state.workers]),
        Bound::Processes => tf(l, Key::ideal_processes, &[&crate::engine::MAX_PROCESSES]),
        Bound::Cores => tf(l, Key::ideal_cores, &[&state.cores]),
        Bound::Workshops => tf(
            l,
            Key::ideal_workshops,
            &[&state.workshops, &state.workshop_threads],
        ),
    };
    out.push((
        row(t(l, Key::timing_ideal), format!("{:>7.2} s", ideal.seconds)),
        plain,
    ));
    out.push((format!("  {why}"), th.dim));
    if state.strategy == Strategy::Async && state.workload == Workload::Cpu {
        // The point of async on cpu work, said in words.
        // `|` in the table marks where the note breaks to fit the panel.
        for part in t(l, Key::async_cpu_note).split('|') {
            out.push((format!("  {part}"), th.warn));
        }
    }
    let failed = state.failed();
    let speedup = (state.elapsed)
        .and_then(|e| crate::run_state::speedup(state.sum(), e, failed))
        .filter(|_| stopped <= 0.0);
    let speedup = match speedup {
        Some(x) => format!("{:>8}", crate::run_state::fmt_speedup(x)),
        None => format!("{:>7}", "—"),
    };
    out.push((row(t(l, Key::timing_speedup), speedup), th.accent));
    out.extend(
        checked(app)
            .into_iter()
            .map(|s| (format!("  {s}"), th.warn)),
    );
    if let Some(v) = app.run.as_ref().and_then(|r| r.verdict.as_ref())
        && let (Some(cpu), Some(wall)) = (v.figures.measured.cpu, v.figures.measured.wall)
        && wall > 0.0
    {
        // CPU seconds per wall second: how many cores the process kept busy on average. Waiting
        // downloads keep almost none; computing ones as many as they were given, unless other
        // programs had the cores.
        out.push((
            row(
                t(l, Key::timing_cpu),
                tf(
                    l,
                    Key::timing_cpu_value,
                    &[&format!("{:>7.2}", cpu / wall), &v.figures.cores],
                ),
            ),
            plain,
        ));
    }
    if failed > 0 {
        // A download that died early makes the run look fast: say why there is no speedup.
        out.push((
            format!("  {}", tf(l, Key::speedup_failed, &[&failed])),
            th.failed,
        ));
        // And why the first one failed, whole: thousands of failed rows and their log lines
        // are long gone from the screen by the end (20,000 threads: 7,319 refused).
        // (One failure says its reason on its own row and log line.)
        let first = app
            .run
            .as_ref()
            .and_then(|r| r.state.first_failure.as_ref());
        if let Some(why) = first.filter(|_| failed > 1) {
            let why = tf(l, Key::first_failure, &[&crate::i18n::failure(l, why)]);
            for line in crate::text::wrap(&why, width.saturating_sub(4).max(8)) {
                out.push((format!("    {line}"), th.failed));
            }
        }
    }
    out.push((
        row(t(l, Key::timing_threads), format!("{:>7}", app.os_threads)),
        plain,
    ));
    // Creation cost, measured by the engine in this run.
    // One row per kind, so both fit the panel when a workshop run has started both.
    for (kind, label) in [
        (SpawnKind::Thread, Key::timing_spawn_thread),
        (SpawnKind::Process, Key::timing_spawn_process),
    ] {
        if let Some(cost) = state.median_spawn(kind).map(fmt_cost) {
            // The median of every start in this run, and how many there were.
            let n = state.spawn_count(kind);
            let count = if n > 1 {
                format!(" ×{n}")
            } else {
                String::new()
            };
            out.push((row(t(l, label), format!("{cost:>9}{count}")), plain));
        }
    }
    if state.start_costs_inverted() {
        // A thread no cheaper than a process is the machine or too few samples speaking.
        let why = t(l, Key::timing_spawn_inverted);
        for line in crate::text::wrap(why, width.saturating_sub(4).max(8)) {
            out.push((format!("    {line}"), th.dim));
        }
    }
    if let Some(run) = app.run.as_ref().filter(|r| r.peak_threads > 0) {
        // What a run's threads cost the process: the most it had at once, and its memory.
        out.push((
            row(
                t(l, Key::timing_peak),
                format!(
                    "{:>7} · {:.0} MB",
                    run.peak_threads,
                    run.peak_rss as f64 / 1e6
                ),
            ),
            plain,
        ));
    }
    if let Some(via) = state.bytes_via {
        let path = match via {
            BytesVia::SharedAtomic => t(l, Key::bytes_shared),
            BytesVia::Messages => t(l, Key::bytes_messages),
        };
        out.push((
            row(
                t(l, Key::timing_bytes),
                format!("{:>7.1} MB", state.bytes as f64 / 1e6),
            ),
            plain,
        ));
        out.push((format!("  {path}"), th.dim));
    }
    out
}

/// What the finished run's figures say about its time, when that is not the plan's ideal: how
/// far off it was, and start-up cost when it took more than 5% of the run.
fn checked(app: &App) -> Vec<String> {
    let l = app.settings.lang;
    let Some(v) = app.run.as_ref().and_then(|r| r.verdict.as_ref()) else {
        return vec![];
    };
    let mut out = Vec::new();
    let f = &v.figures;
    if !v.holds() && f.failed == 0 && f.ideal.seconds > 0.0 {
        let over = (f.elapsed / f.ideal.seconds - 1.0) * 100.0;
        out.push(tf(l, Key::side_off_ideal, &[&format!("{over:+.0}")]));
    }
    if let crate::verdict::Finding::Busy { share } = v.finding {
        // The measured reason, in the panel too: the card may be off screen.
        out.push(tf(
            l,
            Key::side_busy,
            &[&format!("{:.0}", share * 100.0), &f.cores_asked()],
        ));
    }
    if let (Some(share), Some(s)) = (v.startup_share(), f.spawns) {
        let kind = match s.kind {
            SpawnKind::Thread => t(l, Key::verdict_threads),
            SpawnKind::Process => t(l, Key::verdict_processes),
        };
        out.push(tf(
            l,
            Key::side_startup,
            &[&format!("{:.0}", share * 100.0), &s.count, &kind],
        ));
        // Not the reason by itself: how much of the time over the ideal it accounts for.
        if let (false, Some(part)) = (v.holds(), f.startup_part_of_extra())
            && !matches!(v.finding, crate::verdict::Finding::StartUp { .. })
        {
            out.push(tf(
                l,
                Key::side_startup_part,
                &[&format!("{:.0}", part * 100.0)],
            ));
        }
    }
    out
}

fn results_lines(app: &App) -> Vec<(String, Style)> {
    let l = app.settings.lang;
    let th = theme(app);
    let rule = th.glyphs.rule;
    let mut out = vec![(
        format!("{rule} {} {rule}", t(l, Key::pane_results)),
        th.title,
    )];
    for s in Strategy::ALL.iter() {
        let mut name = strategy_name(l, *s).to_string();
        let text = match app.results.get(s) {
            Some(o) => {
                if s.has_pool_size() {
                    name = format!("{name}({})", o.workers);
                }
                // io and cpu runs, or runs on other cores, are different experiments: a row
                // unlike the current settings says what it was, and no speedup beside the others.
                let speedup = match crate::run_state::speedup(o.sum, o.elapsed, o.failed) {
                    _ if o.failed > 0 => t(l, Key::result_failed).to_string(),
                    _ if o.stopped => t(l, Key::result_stopped).to_string(),
                    _ if (o.workload, o.cores) != (app.settings.workload, app.cores) => {
                        let w = match o.workload {
                            Workload::Io => t(l, Key::workload_io),
                            Workload::Cpu => t(l, Key::workload_cpu),
                        };
                        tf(l, Key::result_other, &[&w, &o.cores])
                    }
                    Some(x) => crate::run_state::fmt_speedup(x),
                    None => String::new(),
                };
                format!(
                    "{} {:>7.2} s {}",
                    pad(&name, 14),
                    o.elapsed,
                    pad_left(&speedup, 7)
                )
            }
            None => format!("{} {}", pad(&name, 14), t(l, Key::no_result)),
        };
        let style = match app.results.get(s) {
            Some(o) if o.failed > 0 => th.failed,
            Some(o) if (o.workload, o.cores) != (app.settings.workload, app.cores) => th.dim,
            _ if *s == app.settings.strategy => th.accent,
            _ => th.text,
        };
        out.push((text, style));
    }
    let shelved = app.shelved_results();
    if shelved > 0 {
        // Another scene's results are not lost: they were on other downloads.
        out.push((tf(l, Key::results_shelved, &[&shelved]), th.dim));
    }
    out
}

/// Per worker thread, how often it gave up its core (waiting) and had it taken (juggling), in
/// rows `cols` columns wide.
fn switches_lines(app: &App, cols: usize) -> Vec<(String, Style)> {
    // The app keeps only the run's own workers from each sample, named by their lanes (the
    // workers report their thread ids), so this reads what it shows and nothing else.
    let workers = &app.switches;
    let Some(run) = app.run.as_ref().filter(|_| !workers.is_empty()) else {
        return vec![];
    };
    let th = theme(app);
    let rule = th.glyphs.rule;
    let mut out = vec![(
        format!("{rule} {} {rule}", t(app.settings.lang, Key::pane_switches)),
        th.title,
    )];
    let names: Vec<String> = (workers.iter())
        .map(|w| match w.name.len() {
            // A name the kernel cut to 15 bytes (no worker said its thread id): `DownloadThread-1`
            // and `-2` both read `DownloadThread-`, so it carries its thread id to tell them apart.
            15 if !run.lanes.contains(&w.name) => {
                format!("{}{}{}", w.name, th.glyphs.ellipsis, w.tid)
            }
            _ => w.name.clone(),
        })
        .collect();
    // Whole names where the pane holds them; shortened from the middle only where it does not.
    let figures = " 1234567 / 1234567".len();
    let widest = names.iter().map(|n| width(n)).max().unwrap_or(0);
    let name_w = widest.min(cols.saturating_sub(figures)).max(8);
    for (w, name) in workers.iter().zip(names) {
        out.push((
            format!(
                "{} {:>7} / {:<7}",
                pad(&shorten_middle(&name, name_w, th.glyphs.ellipsis), name_w),
                w.voluntary,
                w.nonvoluntary
            ),
            th.muted,
        ));
    }
    out
}

/// The Ping/Pong box: its state, then the newest words in as many rows as it has.
/// Rows of words a scene whose Enter runs the Ping/Pong program shows under the box's state
/// before the log gets rows: the words printing on after main has finished are that lesson.
const PROGRAM_WORD_ROWS: u16 = 3;

/// The rows the Ping/Pong box needs when it stands among the panes (0: it is not shown there):
/// its state, wrapped to `width` columns less the border, and a row of words, or
/// [`PROGRAM_WORD_ROWS`] in a scene whose Enter runs the program.
pub(super) fn ticker_rows(app: &App, width: u16) -> u16 {
    if !app.ticker.shown() {
        return 0;
    }
    let (state, _) = ticker_state(app);
    let said = crate::text::wrap(&state, usize::from(width.saturating_sub(2)).max(1)).len();
    let words = match app.program_scene() {
        true => PROGRAM_WORD_ROWS,
        false => 1,
    };
    u16::try_from(said)
        .unwrap_or(u16::MAX)
        .saturating_add(words + 2)
}

/// What the Ping/Pong box says first, and in which colour.
fn ticker_state(app: &App) -> (String, Style) {
    let l = app.settings.lang;
    let th = theme(app);
    match &app.ticker.child {
        Some(child) => program_state(app, child),
        // A daemon scene says what its Enter does, not how to start threadlab's own ticker.
        None if app.program_scene() && !app.ticker.on => {
            let daemon = if app.ticker.daemon { "True" } else { "False" };
            (tf(l, Key::pp_state_ready, &[&daemon]), th.text)
        }
        // Daemon threads are harmless at exit (done's colour); others hold the process (warn).
        None => match (app.ticker.on, app.ticker.daemon) {
            (false, _) => (t(l, Key::ticker_off).to_string(), th.dim),
            (true, true) => (t(l, Key::ticker_on_daemon).to_string(), th.done),
            (true, false) => (t(l, Key::ticker_on_normal).to_string(), th.warn),
        },
    }
}

pub(super) fn ticker(app: &App, area: Rect, buf: &mut Buffer) {
    let l = app.settings.lang;
    let th = theme(app);
    let inner = pane(th, t(l, Key::pane_ticker), area, buf);
    if inner.height == 0 {
        return;
    }
    let (state, style) = ticker_state(app);
    // The state wraps (a program's says what its process did), leaving a row for the words.
    let said = crate::text::wrap(&state, usize::from(inner.width).max(1));
    // Said whole before any words: what the program's process did is the lesson, the words
    // only show it is alive.
    let room = usize::from(inner.height).max(1);
    let said = &said[..said.len().min(room)];
    for (i, line) in said.iter().enumerate() {
        put_row(th, buf, inner, i, line, style);
    }
    // The words' area starts on the state's last row, as it did for a one-row state.
    let n = said.len().max(1) as u16;
    let inner = Rect::new(inner.x, inner.y + n - 1, inner.width, inner.height + 1 - n);
    // The newest words that fit, as a terminal printing `end=''` would show them, the newest
    // line at the bottom.
    let (cols, rows) = (usize::from(inner.width), usize::from(inner.height - 1));
    // Off, the box shows no words: the last ones of a stopped ticker or of a program of
    // another scene read as if Ping and Pong still printed (tryout, scene 9 onwards).
    let rows = if app.ticker.shown() { rows } else { 0 };
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for w in app.ticker.stream.iter().rev() {
        if line.len() + w.len() > cols {
            if lines.len() + 1 >= rows {
                break;
            }
            lines.push(std::mem::take(&mut line));
        }
        line.insert_str(0, w);
    }
    if !line.is_empty() && lines.len() < rows {
        lines.push(line);
    }
    for (i, line) in lines.iter().rev().enumerate() {
        let y = inner.y + 1 + i as u16;
        put(th, buf, inner.x, y, inner.width, line, style);
    }
}

/// What the daemon lesson's Ping/Pong program is doing, in its own process, and its colour:
/// alive past main's end is the lesson's warning, a daemon's clean exit is the good news.
fn program_state(app: &App, c: &crate::app::ChildView) -> (String, Style) {
    let (l, th) = (app.settings.lang, theme(app));
    let daemon = if c.daemon { "True" } else { "False" };
    let pid = c.pid.map_or_else(|| "?".to_string(), |p| p.to_string());
    if let Some(why) = &c.failed {
        return (tf(l, Key::pp_state_failed, &[why]), th.failed);
    }
    match (c.pid, c.main_ended, c.ended) {
        (_, _, Some(e)) => match (e.code, e.signal) {
            (Some(code), _) if c.main_ended && c.daemon => {
                (tf(l, Key::pp_state_exited_daemon, &[&pid, &code]), th.done)
            }
            (Some(code), _) => (tf(l, Key::pp_state_exited, &[&pid, &code]), th.dim),
            (None, signal) => {
                let n = signal.unwrap_or(0);
                let name = match n {
                    2 => "SIGINT",
                    9 => "SIGKILL",
                    15 => "SIGTERM",
                    _ => "?",
                };
                (tf(l, Key::pp_state_signalled, &[&pid, &n, &name]), th.dim)
            }
        },
        (None, _, None) => (tf(l, Key::pp_state_starting, &[&daemon]), th.dim),
        (Some(_), false, None) => (tf(l, Key::pp_state_main, &[&pid, &daemon]), th.text),
        (Some(_), true, None) => (tf(l, Key::pp_state_alive, &[&pid]), th.warn),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    /// A label wider than its column is cut (`峰值线程 · 内…`): every label fits, in both languages.
    #[test]
    fn every_timing_label_fits_its_column() {
        let labels = [
            Key::timing_bytes,
            Key::timing_cpu,
            Key::timing_elapsed,
            Key::timing_ideal,
            Key::timing_peak,
            Key::timing_speedup,
            Key::timing_sum,
            Key::timing_threads,
        ];
        for lang in [Lang::En, Lang::Zh] {
            for key in labels {
                let label = t(lang, key);
                assert!(width(label) <= LABEL_W, "{label:?} is wider than {LABEL_W}");
            }
        }
    }
}
