//! The event log pane: the lesson's print lines, newest at the bottom.

use super::paint::{pane, put};
use super::theme::Theme;
use super::theme_of as theme;
use crate::app::App;
use crate::i18n::{Key, Lang, strategy_name, t};
use crate::text::wrap;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};

pub(super) fn render(app: &App, area: Rect, side_hidden: bool, buf: &mut Buffer) {
    let title = if side_hidden {
        // The one place a narrow screen has room to say where the timing panel went.
        format!(
            "{} · {}",
            t(app.settings.lang, Key::pane_log),
            t(app.settings.lang, Key::hint_side_hidden)
        )
    } else {
        t(app.settings.lang, Key::pane_log).to_string()
    };
    let th = theme(app);
    let inner = pane(th, &title, area, buf);
    if inner.height == 0 {
        return;
    }
    // The newest lines that fit whole, each wrapped under itself rather than cut (the lesson's
    // prints are what the class reads); only lines on screen are formatted.
    let (rows, cols) = (usize::from(inner.height), usize::from(inner.width));
    let shown = newest_whole(app, cols, rows);
    for (y, (text, style)) in (inner.y..inner.bottom()).zip(&shown) {
        put(th, buf, inner.x, y, inner.width, text, *style);
    }
}

/// The newest log lines wrapped to `cols` columns that fit in `rows` whole, oldest first: the
/// pane starts at a line's start, never at the tail of one whose start scrolled away (tryout,
/// 120×40: `│  with it │` on the top row). A newest line taller than the pane shows its start.
fn newest_whole(app: &App, cols: usize, rows: usize) -> Vec<(String, Style)> {
    let th = theme(app);
    let mut lines: Vec<(Vec<String>, Style)> = Vec::new();
    let mut used = 0;
    for line in app.log.iter().rev() {
        if used >= rows {
            break;
        }
        let (text, style) = log_line(th, app.settings.lang, line);
        let mut parts = hanging(&text, cols);
        if used + parts.len() > rows {
            if used == 0 {
                parts.truncate(rows);
                lines.push((parts, style));
            }
            break;
        }
        used += parts.len();
        lines.push((parts, style));
    }
    (lines.into_iter().rev())
        .flat_map(|(parts, style)| parts.into_iter().map(move |p| (p, style)))
        .collect()
}

/// The rows the newest log lines take wrapped to `cols` columns, whole lines only, counted up to
/// `max` (only the lines that could show are formatted).
pub(super) fn rows(app: &App, cols: u16, max: usize) -> usize {
    if cols == 0 {
        return app.log.len().min(max);
    }
    newest_whole(app, usize::from(cols), max).len()
}

/// `text` in lines of `cols` columns, the ones after the first indented by two.
fn hanging(text: &str, cols: usize) -> Vec<String> {
    let mut lines = wrap(text, cols.max(1)).into_iter();
    let Some(first) = lines.next() else {
        return vec![String::new()];
    };
    let rest = lines.collect::<Vec<_>>().join(" ");
    let indent = if cols > 8 { 2 } else { 0 };
    std::iter::once(first)
        .chain(
            wrap(&rest, cols - indent)
                .into_iter()
                .map(|l| format!("{}{l}", " ".repeat(indent))),
        )
        .collect()
}

/// One event-log line in `lang`, with its style in theme `th`.
pub fn log_line(th: &Theme, lang: Lang, line: &crate::app::LogLine) -> (String, Style) {
    use crate::app::LogLine;
    use crate::i18n::tf;
    match line {
        LogLine::Started { worker, task } => (
            format!("[{worker}] {}", tf(lang, Key::downloading, &[task])),
            th.text,
        ),
        LogLine::Finished { worker, task, took } => (
            format!(
                "[{worker}] {}  {}",
                tf(lang, Key::downloaded, &[task]),
                tf(lang, Key::download_time, &[&format!("{took:.2}")])
            ),
            th.done,
        ),
        LogLine::Failed {
            worker,
            task,
            reason,
        } => (
            format!(
                "[{worker}] {}",
                tf(
                    lang,
                    Key::download_failed,
                    &[task, &crate::i18n::failure(lang, reason)],
                )
            ),
            th.failed,
        ),
        LogLine::Total { strategy, elapsed } => (
            format!(
                "[main] {}: {}",
                strategy_name(lang, *strategy),
                tf(lang, Key::total_time, &[&format!("{elapsed:.2}")])
            ),
            th.accent.add_modifier(Modifier::BOLD),
        ),
        LogLine::Note(key) => (format!("[main] {}", t(lang, *key)), th.warn),
        LogLine::Suspended { seconds, held } => {
            let key = match held {
                true => Key::log_suspended_run,
                false => Key::log_suspended,
            };
            let line = tf(lang, key, &[&format!("{seconds:.1}")]);
            (format!("[main] {line}"), th.warn)
        }
        LogLine::Stopped { seconds } => {
            let line = tf(lang, Key::log_stopped, &[&format!("{seconds:.1}")]);
            (format!("[main] {line}"), th.warn)
        }
        LogLine::Watched(w) => {
            let said = std::iter::once(w.figures(lang))
                .chain(w.conclusions(lang).iter().map(String::as_str));
            let said: Vec<&str> = said.collect();
            (
                format!("[python3] {}", said.join(" · ")),
                th.accent.add_modifier(Modifier::BOLD),
            )
        }
        // Another process's words: stamped with its pid, not threadlab's main.
        LogLine::Program { pid, note } => match pid {
            Some(pid) => (format!("[pid {pid}] {}", t(lang, *note)), th.warn),
            None => (format!("[Ping/Pong] {}", t(lang, *note)), th.warn),
        },
    }
}
