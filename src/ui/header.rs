//! The top two rows: the strategy tabs and the settings line (or the newest message).

use super::paint::put;
use super::theme_of as theme;
use crate::app::App;
use crate::engine::Strategy;
use crate::i18n::{Lang, strategy_name, t};
use crate::text::width;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;

/// The label of strategy key `n` (1-based) in `lang`.
pub(crate) fn strategy_label(lang: Lang, n: usize) -> &'static str {
    let key = u8::try_from(n).ok().and_then(Strategy::from_key);
    key.map_or("?", |s| strategy_name(lang, s))
}

pub(super) fn tabs(app: &App, area: Rect, buf: &mut Buffer) {
    if area.height == 0 {
        return;
    }
    let th = theme(app);
    let mut x = area.x;
    let right = area.right();
    let title = format!(" {} ", t(app.lang, "app_title"));
    x += put(
        th,
        buf,
        x,
        area.y,
        right - x,
        &title,
        th.accent.add_modifier(Modifier::BOLD),
    );
    for n in 1..=7 {
        let available = Strategy::from_key(n as u8);
        let selected = available == Some(app.strategy);
        let available = available.is_some();
        let style = if selected {
            th.selected
        } else if available {
            th.text
        } else {
            th.dim
        };
        let tab = format!(" {n} {} ", strategy_label(app.lang, n));
        if x >= right {
            break;
        }
        x += put(th, buf, x, area.y, right - x, &tab, style);
        x += put(th, buf, x, area.y, right.saturating_sub(x), " ", th.text);
    }
}

pub(super) fn info(app: &App, area: Rect, side_hidden: bool, buf: &mut Buffer) {
    if area.height == 0 {
        return;
    }
    let l = app.lang;
    let state = match &app.run {
        None => t(l, "state_ready"),
        Some(r) if r.state.is_finished() => t(l, "state_done"),
        Some(_) if app.steps_pending > 0 => t(l, "state_stepping"),
        Some(r) if app.paused => match r.state.strategy {
            // Child processes keep clocks of their own: they cannot be stepped.
            Strategy::Process | Strategy::Workshops => t(l, "state_paused_no_step"),
            _ => t(l, "state_paused"),
        },
        Some(_) => t(l, "state_running"),
    };
    let workers = match app.strategy {
        Strategy::Pool => format!("{} {}", t(l, "workers"), app.workers),
        // What the selected strategy will use, even while another's last run is on screen.
        _ => format!("{} {}", t(l, "workers"), app.queued().worker_threads()),
    };
    let text = if side_hidden {
        // No room for the timing panel: its two key figures move up here.
        let s = app.view_state();
        let elapsed = app.run.as_ref().map_or(0.0, |r| r.elapsed());
        format!(
            " {} {elapsed:.1}s · {} {:.1}s · {} {:.1}s · {state}",
            t(l, "timing_elapsed"),
            t(l, "timing_ideal"),
            s.ideal(),
            t(l, "timing_sum"),
            s.sum()
        )
    } else {
        format!(
            " {workers} · {} {}× · {} {} · {} · {} {}/{} · {state}",
            t(l, "speed"),
            fmt_speed(app.speed),
            t(l, "seed"),
            app.seed,
            t(l, workload_key(app.workload)),
            t(l, "cores"),
            app.cores,
            app.all_cores,
        )
    };
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

fn workload_key(w: crate::engine::Workload) -> &'static str {
    match w {
        crate::engine::Workload::Io => "workload_io",
        crate::engine::Workload::Cpu => "workload_cpu",
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
