//! The top two rows: the strategy tabs and the settings line (or the newest message).

use super::paint::put;
use super::theme_of as theme;
use crate::app::App;
use crate::engine::Strategy;
use crate::i18n::{Key, strategy_name, t, tf};
use crate::text::width;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};

/// One strategy tab as laid out: its strategy, its key, its text and its first column.
pub(crate) struct Tab {
    pub strategy: Strategy,
    pub n: u8,
    pub text: String,
    pub x: u16,
}

/// The tab row at `cols` columns: the title and every strategy by name where that fits; else
/// without the title; else the chosen strategy by name and the others by number, so every
/// strategy of [`Strategy::ALL`] is always there to press.
pub(crate) fn tab_row(app: &App, cols: u16) -> (Option<String>, Vec<Tab>) {
    let title = format!(" {} ", t(app.settings.lang, Key::app_title));
    let label = |s: Strategy, named: bool| match named {
        true => format!(" {} {} ", s.key(), strategy_name(app.settings.lang, s)),
        false => format!(" {} ", s.key()),
    };
    let forms = [(true, false), (false, false), (false, true)];
    let mut chosen = (None, Vec::new());
    for (with_title, numbers) in forms {
        let mut x = if with_title { width(&title) } else { 0 };
        let tabs: Vec<Tab> = (Strategy::ALL.into_iter())
            .map(|strategy| {
                let selected = strategy == app.settings.strategy;
                let text = label(strategy, !numbers || selected);
                let tab = Tab {
                    strategy,
                    n: strategy.key(),
                    x: u16::try_from(x).unwrap_or(u16::MAX),
                    text,
                };
                x += width(&tab.text) + 1;
                tab
            })
            .collect();
        chosen = (with_title.then(|| title.clone()), tabs);
        if x.saturating_sub(1) <= usize::from(cols) {
            break;
        }
    }
    chosen
}

pub(super) fn tabs(app: &App, area: Rect, buf: &mut Buffer) {
    if area.height == 0 {
        return;
    }
    let th = theme(app);
    let right = area.right();
    let (title, tabs) = tab_row(app, area.width);
    if let Some(title) = title {
        let style = th.accent.add_modifier(Modifier::BOLD);
        put(th, buf, area.x, area.y, area.width, &title, style);
    }
    for tab in tabs {
        let x = area.x.saturating_add(tab.x);
        if x >= right {
            break;
        }
        let style = if tab.strategy == app.settings.strategy {
            th.selected
        } else {
            th.text
        };
        put(th, buf, x, area.y, right - x, &tab.text, style);
    }
}

/// The most rows the settings line or the newest message wraps to.
const TOP_MAX_ROWS: usize = 2;

/// The settings line and the newest message at `width` columns, as the info rows show them:
/// both on one row where they fit; else the message alone (the settings are back on the next
/// key), wrapped to a second row rather than cut mid-word (tryout, 80×24: "the pool running now
/// keeps the size it wa…"); the settings too, between their parts. With the message, whether it
/// is one.
fn top_lines(app: &App, cols: u16) -> (Vec<String>, bool) {
    let l = app.settings.lang;
    let cols = usize::from(cols.max(1));
    let state = state(app);
    // What the run under way uses; a key pressed meanwhile is for the next run, and shows as
    // held beside it (`k` mid-run once put the next run's cores over the running one's).
    // Without a run under way, what Enter would start, even while another's last run is shown.
    let next = app.queued();
    let running = (app.run.as_ref())
        .filter(|_| app.is_running())
        .map(|r| &r.state);
    let now = running.unwrap_or(next);
    let held = |now: String, differs: bool, next: String| match differs {
        false => now,
        true => tf(l, Key::hdr_next_run, &[&now, &next]),
    };
    let (shape_now, shape_next) = (shape(l, now), shape(l, next));
    let parts = [
        held(shape_now.clone(), shape_now != shape_next, shape_next),
        format!("{} {}×", t(l, Key::speed), fmt_speed(app.settings.speed)),
        format!("{} {}", t(l, Key::seed), app.settings.seed),
        held(
            t(l, workload_key(now.workload)).to_string(),
            now.workload != next.workload,
            t(l, workload_key(next.workload)).to_string(),
        ),
        held(
            format!("{} {}/{}", t(l, Key::cores), now.cores, app.all_cores),
            now.cores != next.cores,
            format!("{}/{}", next.cores, app.all_cores),
        ),
        state.to_string(),
    ];
    let settings = format!(" {}", parts.join(" · "));
    let hint = app.notice.as_deref().or(app.hint.map(|h| t(l, h)));
    match hint {
        Some(hint) if width(&settings) + 2 + width(hint) <= cols => {
            (vec![format!("{settings}  {hint}")], true)
        }
        Some(hint) => {
            let mut lines = crate::text::wrap(hint, cols.saturating_sub(1).max(1));
            lines.truncate(TOP_MAX_ROWS);
            (lines.into_iter().map(|s| format!(" {s}")).collect(), true)
        }
        None if width(&settings) <= cols => (vec![settings], false),
        None => {
            // Between the settings' parts, never inside one.
            let mut lines = vec![String::new()];
            for part in parts {
                let last = lines.last_mut().expect("a line");
                let sep = if last.is_empty() { " " } else { " · " };
                if !last.is_empty() && width(last) + sep.len() + width(&part) > cols {
                    lines.push(format!(" {part}"));
                } else {
                    last.push_str(sep);
                    last.push_str(&part);
                }
            }
            lines.truncate(TOP_MAX_ROWS);
            (lines, false)
        }
    }
}

/// Who does a run's downloads, in its strategy's words: a pool has workers (its max_workers),
/// the process strategy processes, workshops K processes of M threads, the others threads.
fn shape(l: crate::i18n::Lang, s: &crate::run_state::RunState) -> String {
    match s.strategy {
        Strategy::Pool => format!("{} {}", t(l, Key::workers), s.workers),
        Strategy::Process => tf(l, Key::hdr_processes, &[&s.worker_threads()]),
        Strategy::Workshops => {
            let (k, m) = s.workshop_shape();
            tf(l, Key::hdr_workshops, &[&k, &m])
        }
        Strategy::Serial | Strategy::Async | Strategy::Threads | Strategy::Custom => {
            tf(l, Key::hdr_threads, &[&s.worker_threads()])
        }
    }
}

/// What the app is doing, as the settings line ends.
fn state(app: &App) -> &'static str {
    let l = app.settings.lang;
    let program = app.ticker.child.as_ref().filter(|c| c.alive());
    match &app.run {
        // The scene's program runs in its own process: Enter would start it again.
        None if program.is_some() => t(l, Key::state_program),
        None => t(l, Key::state_ready),
        Some(r) if r.state.is_finished() => t(l, Key::state_done),
        Some(_) if app.steps_pending > 0 => t(l, Key::state_stepping),
        Some(r) if app.paused && !r.state.strategy.can_step() => t(l, Key::state_paused_no_step),
        Some(_) if app.paused => t(l, Key::state_paused),
        Some(_) => t(l, Key::state_running),
    }
}

/// Whether the info rows carry the timing line when the side panel is hidden: not in a scene
/// whose Enter runs the Ping/Pong program, where the downloads' elapsed, ideal and sum are
/// about nothing on screen (the Python scenes' line is their programs').
pub(super) fn has_timing(app: &App) -> bool {
    app.shows_downloads() || super::watched::shown(app)
}

/// Rows the info needs at `width` columns: the settings or the message (one or two), and the
/// timing line when `side_hidden` leaves it no panel.
pub(super) fn info_rows(app: &App, width: u16, side_hidden: bool) -> u16 {
    let top = top_lines(app, width).0.len().max(1) as u16;
    top + u16::from(side_hidden && has_timing(app))
}

/// Whether a screen with no room for the timing panel gives the run's forced context switches
/// a row under the timing line: a run whose workers' switches were sampled (cpu work).
pub(super) fn has_switches(app: &App) -> bool {
    app.shows_downloads() && app.run.is_some() && !app.switches.is_empty()
}

/// The run's forced context switches on one row of `cols` columns, each worker's where they
/// fit, else their sum: scene 2's card asks the class to watch them, and at 80×24 the timing
/// panel's table was hidden (tryout).
fn switches_line(app: &App, cols: usize) -> Option<String> {
    if !has_switches(app) {
        return None;
    }
    let l = app.settings.lang;
    let each: Vec<String> = (app.switches.iter())
        .map(|w| format!("{} {}", w.name, w.nonvoluntary))
        .collect();
    let line = format!(" {}", tf(l, Key::info_forced, &[&each.join(" · ")]));
    if width(&line) <= cols {
        return Some(line);
    }
    let total: u64 = app.switches.iter().map(|w| w.nonvoluntary).sum();
    Some(format!(" {}", tf(l, Key::info_forced, &[&total])))
}

pub(super) fn info(app: &App, area: Rect, side_hidden: bool, buf: &mut Buffer) {
    if area.height == 0 {
        return;
    }
    let th = theme(app);
    let (top, is_hint) = top_lines(app, area.width);
    // No room for the timing panel: its key figures move up here, on a row of their own when
    // there is one, so every key that changes a setting still shows what it did; the forced
    // context switches too, on the next row, when the run's were sampled.
    let mut below: Vec<(String, Style)> = Vec::new();
    if side_hidden && has_timing(app) {
        below.push((timing_line(app), th.accent));
        let switches = switches_line(app, usize::from(area.width));
        below.extend(switches.map(|s| (s, th.text)));
    }
    let rows = usize::from(area.height);
    let top = match below.first() {
        // One row: the timing and the state share it.
        Some((timing, style)) if rows < 2 => {
            below = vec![(format!("{timing} · {}", state(app)), *style)];
            Vec::new()
        }
        Some(_) => {
            below.truncate(rows - 1);
            top[..top.len().min(rows - below.len())].to_vec()
        }
        None => top[..top.len().min(rows)].to_vec(),
    };
    let state_style = if app.paused {
        th.warn.add_modifier(Modifier::BOLD)
    } else {
        th.text
    };
    let (w, x) = (area.width, area.x);
    for (i, line) in top.iter().enumerate() {
        let y = area.y + i as u16;
        let hint = app
            .notice
            .as_deref()
            .or(app.hint.map(|h| t(app.settings.lang, h)));
        match hint.filter(|_| is_hint) {
            // The settings and the message on one row: each in its own colour.
            Some(hint) if top.len() == 1 && line.ends_with(&format!("  {hint}")) => {
                let settings = &line[..line.len() - hint.len() - 2];
                let used = put(th, buf, x, y, w, settings, state_style);
                let hx = x + used + 2;
                put(
                    th,
                    buf,
                    hx,
                    y,
                    area.right().saturating_sub(hx),
                    hint,
                    th.warn,
                );
            }
            Some(_) => {
                put(th, buf, x, y, w, line, th.warn);
            }
            None => {
                put(th, buf, x, y, w, line, state_style);
            }
        }
    }
    for (i, (line, style)) in below.iter().enumerate() {
        let y = area.y + (top.len() + i) as u16;
        put(th, buf, x, y, w, line, *style);
    }
}

/// Elapsed, ideal, sum and, once a run has finished whole, its speedup over the sum.
fn timing_line(app: &App) -> String {
    if super::watched::shown(app) {
        // A scene of real Python programs: their figures, not the built-in run's.
        return super::watched::compact(app);
    }
    let l = app.settings.lang;
    let s = app.view_state();
    let elapsed = app.run.as_ref().map_or(0.0, |r| r.elapsed());
    let mut line = format!(
        " {} {elapsed:.1}s · {} {:.1}s · {} {:.1}s",
        t(l, Key::timing_elapsed),
        t(l, Key::timing_ideal),
        s.ideal(),
        t(l, Key::timing_sum),
        s.sum()
    );
    let speedup = (app.run.as_ref().filter(|r| r.stopped <= 0.0).and(s.elapsed))
        .and_then(|e| crate::run_state::speedup(s.sum(), e, s.failed()));
    if let Some(x) = speedup {
        let x = crate::run_state::fmt_speedup(x);
        line += &format!(" · {} {x}", t(l, Key::timing_speedup));
    }
    // With no panel to say it under Elapsed, this row says the elapsed time includes a stop.
    if let Some(r) = app.run.as_ref().filter(|r| r.stopped > 0.0) {
        let away = format!("{:.1}", r.stopped);
        line += &format!(" · {}", tf(l, Key::timing_stopped, &[&away]));
    }
    line
}

fn workload_key(w: crate::engine::Workload) -> Key {
    match w {
        crate::engine::Workload::Io => Key::workload_io,
        crate::engine::Workload::Cpu => Key::workload_cpu,
    }
}

/// A speed as a teacher would say it: 1, 0.5, 100.
pub(crate) fn fmt_speed(s: f64) -> String {
    if s.fract() == 0.0 {
        format!("{s:.0}")
    } else {
        format!("{s}")
    }
}
