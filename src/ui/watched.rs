//! The side panel of a lesson scene that runs real Python programs: what each watched program
//! measured (its waits, elapsed, threads, processes, cores busy, the build's GIL), in rows like
//! the watch screen's own panel, since the built-in run's figures would be stale beside them.

use super::theme_of as theme;
use super::{pane, put};
use crate::app::App;
use crate::i18n::{Key, Lang, t, tf};
use crate::text::{pad, width, wrap};
use crate::watch::carried::Watched;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};

/// Whether the side panel shows watched programs instead of the built-in run: the lesson is on a
/// scene that runs Python programs.
pub(super) fn shown(app: &App) -> bool {
    app.lesson
        .as_ref()
        .is_some_and(|l| !l.scene().preset.python.is_empty())
}

/// The panel: the latest run first, each with its figures; before any run, only that none ran.
pub(super) fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let Some(l) = &app.lesson else {
        return;
    };
    let (th, lang) = (theme(app), app.settings.lang);
    let inner = pane(th, t(lang, Key::pane_watched), area, buf);
    // A column either side, as the watch screen's own panel has.
    let w = usize::from(inner.width.saturating_sub(2));
    let mut lines: Vec<(String, Style)> = Vec::new();
    if l.watched.is_empty() {
        for line in wrap(t(lang, Key::watched_none), w) {
            lines.push((line, th.dim));
        }
    }
    for (i, watched) in l.watched.iter().rev().enumerate() {
        if i > 0 {
            lines.push((String::new(), th.text));
        }
        lines.extend(rows(app, lang, watched, w));
    }
    for ((text, style), y) in lines.into_iter().zip(inner.y..inner.bottom()) {
        put(th, buf, inner.x + 1, y, w as u16, &text, style);
    }
}

/// One program's rows: its name and how it ended, then label and value, value to the right.
fn rows(app: &App, lang: Lang, watched: &Watched, w: usize) -> Vec<(String, Style)> {
    let th = theme(app);
    let n = &watched.numbers;
    let status = match n.exit_code {
        Some(c) if watched.finished => tf(lang, Key::watch_exit_code, &[&c]),
        _ => t(lang, Key::watched_stopped).to_string(),
    };
    let head_style = if n.exit_code == Some(0) && watched.finished {
        th.accent.add_modifier(Modifier::BOLD)
    } else {
        th.failed
    };
    let mut out: Vec<(String, Style)> = wrap(&format!("{} · {status}", watched.script), w)
        .into_iter()
        .map(|l| (l, head_style))
        .collect();
    let secs = |s: f64| format!("{s:.2} s");
    let mut figures: Vec<(&str, String)> = vec![(t(lang, Key::timing_elapsed), secs(n.elapsed))];
    if n.waits > 0 {
        figures.push((t(lang, Key::watch_sum), secs(n.sum)));
        figures.push((t(lang, Key::watch_longest), secs(n.longest)));
    }
    figures.push((t(lang, Key::watch_threads), n.threads.to_string()));
    figures.push((t(lang, Key::watch_processes), n.processes.to_string()));
    if let Some(busy) = n.busy {
        figures.push((t(lang, Key::watch_cores_busy), format!("{busy:.2}")));
        figures.push((t(lang, Key::watch_cpu_time), secs(n.cpu)));
    }
    if let Some(idle) = n.idle {
        figures.push((t(lang, Key::watch_idle), format!("{idle:.2}")));
    }
    for (label, value) in figures {
        let label_w = w.saturating_sub(width(&value) + 1);
        out.push((format!("{} {value}", pad(label, label_w)), th.text));
    }
    let build = match (&n.python, n.gil) {
        (Some(python), Some(gil)) => tf(
            lang,
            Key::watch_build_short,
            &[python, &crate::watch::report::gil_state(lang, gil)],
        ),
        _ => t(lang, Key::watch_no_probe_short).to_string(),
    };
    out.extend(wrap(&build, w).into_iter().map(|l| (l, th.dim)));
    out
}

/// The panel's key figures on one line, for a screen too narrow for the panel: the latest run's,
/// or that none ran yet (never the built-in run's timing).
pub(super) fn compact(app: &App) -> String {
    let lang = app.settings.lang;
    let Some(watched) = app.lesson.as_ref().and_then(|l| l.watched.last()) else {
        return format!(" {}", t(lang, Key::watched_none_short));
    };
    let n = &watched.numbers;
    let mut parts = vec![format!(
        " {}: {} {:.2} s",
        watched.script,
        t(lang, Key::timing_elapsed),
        n.elapsed
    )];
    if n.waits > 0 {
        parts.push(format!("{} {:.2} s", t(lang, Key::watch_sum), n.sum));
        parts.push(format!(
            "{} {:.2} s",
            t(lang, Key::watch_longest),
            n.longest
        ));
    }
    if let Some(busy) = n.busy {
        parts.push(format!("{} {busy:.2}", t(lang, Key::watch_cores_busy)));
    }
    parts.join(" · ")
}
