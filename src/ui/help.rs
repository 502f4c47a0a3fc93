//! Overlays: the help (every key from the key table, and a bilingual glossary), and the banner
//! shown when main has finished but non-daemon threads keep the process alive.

use super::put;
use crate::app::App;
use crate::i18n::t;
use crate::keys::described;
use crate::text::pad;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::widgets::{Block, Clear, Paragraph, Widget, Wrap};

const GLOSSARY: [&str; 6] = [
    "gloss_process",
    "gloss_thread",
    "gloss_concurrency",
    "gloss_parallelism",
    "gloss_pool",
    "gloss_daemon",
];

/// A box of at most `w`×`h` centred in `area`.
fn centred(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

pub(super) fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let l = app.lang;
    let lines: Vec<(String, Style)> = std::iter::once((t(l, "help_keys").to_string(), bold()))
        .chain(described().map(|b| {
            let long = format!("{}_long", b.help);
            (
                format!("{} {}", pad(b.label, 10), t(l, &long)),
                Style::new(),
            )
        }))
        .chain(std::iter::once((String::new(), Style::new())))
        .chain(std::iter::once((t(l, "help_glossary").to_string(), bold())))
        .chain(
            GLOSSARY
                .iter()
                .map(|k| (format!("· {}", t(l, k)), Style::new())),
        )
        .collect();
    let box_ = centred(area, 100, lines.len() as u16 + 2);
    if box_.width < 4 || box_.height < 3 {
        return;
    }
    Clear.render(box_, buf);
    let block = Block::bordered()
        .title(format!(" {} ", t(l, "pane_help")))
        .border_style(Style::new().fg(Color::Cyan));
    let inner = block.inner(box_);
    block.render(box_, buf);
    for (i, (text, style)) in lines.iter().take(inner.height as usize).enumerate() {
        put(buf, inner.x, inner.y + i as u16, inner.width, text, *style);
    }
}

fn bold() -> Style {
    Style::new().add_modifier(Modifier::BOLD).fg(Color::Cyan)
}

pub(super) fn main_finished(app: &App, area: Rect, buf: &mut Buffer) {
    let l = app.lang;
    let box_ = centred(area, 64, 9);
    if box_.width < 4 || box_.height < 3 {
        return;
    }
    Clear.render(box_, buf);
    let title = format!(" {} ", t(l, "main_finished_title"));
    let body = Paragraph::new(t(l, "main_finished_body"))
        .wrap(Wrap { trim: true })
        .style(Style::new().fg(Color::Yellow))
        .block(
            Block::bordered()
                .title(title)
                .border_style(Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD)),
        );
    body.render(box_, buf);
}
