//! Lesson mode's card: the scene's title and two to four lines, then what the run showed in numbers.

use super::{pane, put};
use crate::app::App;
use crate::i18n::{t, tf};
use crate::lesson;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};

/// Rows the card wants for the current scene (border included).
pub(super) fn height(app: &App) -> u16 {
    let Some(l) = &app.lesson else { return 0 };
    // card lines, the numbers line, the keys line, two borders
    l.scene().card(app.lang).len() as u16 + 4
}

pub(super) fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let Some(l) = &app.lesson else { return };
    let lang = app.lang;
    let title = tf(
        lang,
        "lesson_scene",
        &[&(l.index + 1), &l.scenes.len(), &l.scene().title(lang)],
    );
    let th = &app.theme;
    let inner = pane(th, &title, area, buf);
    let mut lines: Vec<(String, Style)> = l
        .scene()
        .card(lang)
        .iter()
        .map(|s| (s.clone(), th.title))
        .collect();
    let numbers = app
        .run
        .as_ref()
        .filter(|r| Some(r.id) == l.ran)
        .and_then(|r| lesson::summary(lang, &r.state));
    lines.push(match numbers {
        Some(n) => (format!("→ {n}"), th.accent.add_modifier(Modifier::BOLD)),
        None => (String::new(), Style::new()),
    });
    lines.push((t(lang, "lesson_keys").to_string(), th.dim));
    for (y, (text, style)) in (inner.y..inner.bottom()).zip(lines) {
        put(th, buf, inner.x, y, inner.width, &text, style);
    }
}
