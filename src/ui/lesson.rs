//! Lesson mode's card: the scene's title and one to four lines, then what the run showed in numbers.

use super::theme_of as theme;
use super::{pane, put, put_on_bottom_border};
use crate::app::App;
use crate::i18n::{Key, t, tf};
use crate::text::wrap;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};

/// Rows the card wants for the current scene at `width` columns (border included), on a
/// `short` screen (fewer than [`super::layout::TALL_H`] rows) or not.
pub(super) fn height(app: &App, width: u16, short: bool) -> u16 {
    if app.lesson.is_none() {
        return 0;
    }
    u16::try_from(lines(app, width.saturating_sub(2), short).len())
        .unwrap_or(u16::MAX)
        .saturating_add(2)
}

/// The card's lines at `width` columns inside the border: the scene's text, what the run showed
/// (wrapped, so the conclusion is never cut), the keys. A `short` screen's card keeps no blank
/// row for the run's numbers and says its keys on its bottom border where they fit (see
/// [`border_keys`]): at 80×24 those two rows are the timeline's lanes or a line of Ping/Pong.
fn lines(app: &App, width: u16, short: bool) -> Vec<(String, Style)> {
    let Some(l) = &app.lesson else {
        return Vec::new();
    };
    let (lang, th) = (app.settings.lang, theme(app));
    let w = usize::from(width.max(1));
    // Wrapped, so a card line longer than the pane is never cut.
    let mut lines: Vec<(String, Style)> = (app.card_lines(lang).iter())
        .flat_map(|s| wrap(s, w))
        .map(|s| (s, th.title))
        .collect();
    // A lesson file written in the other language only: the card says why it is not in the
    // screen's (tryout: an English-only file on a Chinese screen said nothing).
    if l.scene().borrowed(lang) {
        let said = wrap(t(lang, Key::lesson_borrowed), w);
        lines.extend(said.into_iter().map(|s| (s, th.dim)));
    }
    if let Some(held) = held(app) {
        let style = th.accent;
        lines.extend(wrap(&held, w).into_iter().map(|s| (s, style)));
    }
    // Judged once when the run ended, with its measured wall and CPU time.
    let numbers = (app.run.as_ref())
        .filter(|r| Some(r.id) == l.ran)
        .and_then(|r| r.verdict.as_ref())
        .map(|v| v.line(lang));
    let bold = th.accent.add_modifier(Modifier::BOLD);
    match numbers {
        Some(n) => {
            let wrapped = wrap(&format!("→ {n}"), w);
            lines.extend(wrapped.into_iter().map(|s| (s, bold)));
        }
        None if l.watched.is_empty() && !short => lines.push((String::new(), Style::new())),
        None => {}
    }
    // The real programs run from this scene: what each measured, and what that supports.
    for watched in &l.watched {
        let figures = wrap(&format!("→ {}", watched.figures(lang)), w);
        lines.extend(figures.into_iter().map(|s| (s, bold)));
        for c in watched.conclusions(lang) {
            lines.extend(
                wrap(&format!("  {c}"), w)
                    .into_iter()
                    .map(|s| (s, th.accent)),
            );
        }
    }
    if let Some(next) = l.next_python() {
        let say = tf(lang, Key::lesson_python_next, &[&next]);
        lines.extend(wrap(&say, w).into_iter().map(|s| (s, th.dim)));
    }
    if border_keys(app, width, short).is_none() {
        let keys = wrap(t(lang, Key::lesson_keys), w);
        lines.extend(keys.into_iter().map(|s| (s, th.dim)));
    }
    lines
}

/// The keys' line when a `short` screen's card says it on its bottom border: where it fits
/// whole, with the border's corners and a blank either side.
fn border_keys(app: &App, width: u16, short: bool) -> Option<&'static str> {
    let keys = t(app.settings.lang, Key::lesson_keys);
    (short && crate::text::width(keys) + 4 <= usize::from(width)).then_some(keys)
}

/// What the teacher changed by hand in this scene, which Enter keeps instead of the scene's own.
fn held(app: &App) -> Option<String> {
    let (h, lang) = (app.held_changes(), app.settings.lang);
    if !h.any() {
        return None;
    }
    let mut what: Vec<String> = Vec::new();
    if h.strategy {
        what.push(crate::i18n::strategy_name(lang, app.settings.strategy).to_string());
    }
    if h.workload {
        let key = match app.settings.workload {
            crate::engine::Workload::Io => Key::workload_io,
            crate::engine::Workload::Cpu => Key::workload_cpu,
        };
        what.push(t(lang, key).to_string());
    }
    if h.cores {
        what.push(tf(lang, Key::lesson_held_cores, &[&app.cores]));
    }
    if h.workers {
        what.push(tf(lang, Key::lesson_held_workers, &[&app.settings.workers]));
    }
    if h.ticker && app.program_scene() && !app.ticker.on {
        // The daemon scenes' program takes the flag d set: that is what the teacher changed.
        let daemon = if app.ticker.daemon { "True" } else { "False" };
        what.push(tf(lang, Key::lesson_held_program, &[&daemon]));
    } else if h.ticker {
        let key = match (app.ticker.on, app.ticker.daemon) {
            (false, _) => Key::lesson_held_ticker_off,
            (true, false) => Key::lesson_held_ticker_on,
            (true, true) => Key::lesson_held_ticker_daemon,
        };
        what.push(t(lang, key).to_string());
    }
    Some(tf(lang, Key::lesson_held, &[&what.join(" · ")]))
}

pub(super) fn render(app: &App, area: Rect, short: bool, buf: &mut Buffer) {
    let Some(l) = &app.lesson else { return };
    let lang = app.settings.lang;
    let title = tf(
        lang,
        Key::lesson_scene,
        &[&(l.index + 1), &l.scenes.len(), &l.scene().title(lang)],
    );
    let th = theme(app);
    let inner = pane(th, &title, area, buf);
    for (y, (text, style)) in (inner.y..inner.bottom()).zip(lines(app, inner.width, short)) {
        put(th, buf, inner.x, y, inner.width, &text, style);
    }
    if let Some(keys) = border_keys(app, inner.width, short) {
        put_on_bottom_border(th, buf, area, keys, th.dim);
    }
}
