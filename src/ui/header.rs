//! The top two rows: the strategy tabs and the settings line (or the newest message).

use super::paint::put;
use super::theme_of as theme;
use crate::app::App;
use crate::engine::Strategy;
use crate::i18n::{Key, strategy_name, t};
use crate::text::width;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;

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

pub(super) fn info(app: &App, area: Rect, side_hidden: bool, buf: &mut Buffer) {
    if area.height == 0 {
        return;
    }
    let l = app.settings.lang;
    let program = app.ticker.child.as_ref().filter(|c| c.alive());
    let state = match &app.run {
        // The scene's program runs in its own process: Enter would start it again.
        None if program.is_some() => t(l, Key::state_program),
        None => t(l, Key::state_ready),
        Some(r) if r.state.is_finished() => t(l, Key::state_done),
        Some(_) if app.steps_pending > 0 => t(l, Key::state_stepping),
        Some(r) if app.paused && !r.state.strategy.can_step() => t(l, Key::state_paused_no_step),
        Some(_) if app.paused => t(l, Key::state_paused),
        Some(_) => t(l, Key::state_running),
    };
    let workers = match app.settings.strategy.has_pool_size() {
        true => format!("{} {}", t(l, Key::workers), app.settings.workers),
        // What the selected strategy will use, even while another's last run is on screen.
        false => format!("{} {}", t(l, Key::workers), app.queued().worker_threads()),
    };
    let settings = format!(
        " {workers} · {} {}× · {} {} · {} · {} {}/{} · {state}",
        t(l, Key::speed),
        fmt_speed(app.settings.speed),
        t(l, Key::seed),
        app.settings.seed,
        t(l, workload_key(app.settings.workload)),
        t(l, Key::cores),
        app.cores,
        app.all_cores,
    );
    // No room for the timing panel: its key figures move up here, on a row of their own when
    // there is one, so every key that changes a setting still shows what it did.
    let timing = side_hidden.then(|| timing_line(app));
    let text = match &timing {
        Some(timing) if area.height < 2 => format!("{timing} · {state}"),
        _ => settings,
    };
    if let Some(timing) = timing.filter(|_| area.height >= 2) {
        let th = theme(app);
        let (x, w) = (area.x, area.width);
        put(th, buf, x, area.y + 1, w, &timing, th.accent);
    }
    let th = theme(app);
    let state_style = if app.paused {
        th.warn.add_modifier(Modifier::BOLD)
    } else {
        th.text
    };
    let hint = app.notice.as_deref().or(app.hint.map(|h| t(l, h)));
    match hint {
        // The newest message matters more than the settings, which are back on the next key:
        // when both do not fit, the message gets the whole row, so a file name is never cut.
        Some(hint) if width(&text) + 2 + width(hint) > usize::from(area.width) => {
            put(
                th,
                buf,
                area.x + 1,
                area.y,
                area.width.saturating_sub(1),
                hint,
                th.warn,
            );
        }
        Some(hint) => {
            let used = put(th, buf, area.x, area.y, area.width, &text, state_style);
            let x = area.x + used + 2;
            put(
                th,
                buf,
                x,
                area.y,
                area.right().saturating_sub(x),
                hint,
                th.warn,
            );
        }
        None => {
            put(th, buf, area.x, area.y, area.width, &text, state_style);
        }
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
    let speedup = (app.run.as_ref().and(s.elapsed))
        .and_then(|e| crate::run_state::speedup(s.sum(), e, s.failed()));
    if let Some(x) = speedup {
        let x = crate::run_state::fmt_speedup(x);
        line += &format!(" · {} {x}", t(l, Key::timing_speedup));
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
