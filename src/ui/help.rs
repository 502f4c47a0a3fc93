//! Overlays: the help (every key from the key table, and a bilingual glossary), and the banner
//! shown when main has finished but non-daemon threads keep the process alive.

use super::theme_of as theme;
use super::{block, put};
use crate::app::App;
use crate::i18n::{Lang, t, tf};
use crate::keys::described;
use crate::text::pad;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::widgets::{Clear, Paragraph, Widget, Wrap};

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

/// Help's lines in `lang`, each marked whether it is a heading.
fn entries(lang: Lang) -> Vec<(String, bool)> {
    std::iter::once((t(lang, "help_keys").to_string(), true))
        .chain(described().map(|b| {
            let long = format!("{}_long", b.help);
            (format!("{} {}", pad(b.label, 10), t(lang, &long)), false)
        }))
        .chain(std::iter::once((String::new(), false)))
        .chain(std::iter::once((
            t(lang, "help_glossary").to_string(),
            true,
        )))
        .chain(
            GLOSSARY
                .iter()
                .map(|k| (format!("· {}", t(lang, k)), false)),
        )
        .collect()
}

/// How many lines help has (the same in both languages), for scrolling it.
pub fn help_lines() -> usize {
    entries(Lang::En).len()
}

pub(super) fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let l = app.lang;
    let th = theme(app);
    let heading = th.accent.add_modifier(Modifier::BOLD);
    let lines: Vec<(String, Style)> = (entries(l).into_iter())
        .map(|(text, is_heading)| (text, if is_heading { heading } else { th.text }))
        .collect();
    let box_ = centred(area, 100, lines.len() as u16 + 2);
    if box_.width < 4 || box_.height < 3 {
        return;
    }
    Clear.render(box_, buf);
    let block = block(th)
        .title(format!(" {} ", th.printable(t(l, "pane_help"))))
        .border_style(th.accent);
    let inner = block.inner(box_);
    block.render(box_, buf);
    let rows = inner.height as usize;
    // Scrolled no further than to show the last line; a cut end says how to see the rest.
    let skip = app.help_scroll.min(lines.len().saturating_sub(rows));
    let cut = skip + rows < lines.len();
    let shown = rows - usize::from(cut && rows > 1);
    for (i, (text, style)) in lines.iter().skip(skip).take(shown).enumerate() {
        put(
            th,
            buf,
            inner.x,
            inner.y + i as u16,
            inner.width,
            text,
            *style,
        );
    }
    if cut && rows > 1 {
        let more = tf(l, "help_more", &[&(lines.len() - skip - shown)]);
        put(
            th,
            buf,
            inner.x,
            inner.y + shown as u16,
            inner.width,
            &more,
            th.dim,
        );
    }
}

pub(super) fn main_finished(app: &App, area: Rect, buf: &mut Buffer) {
    let l = app.lang;
    let th = theme(app);
    let box_ = centred(area, 64, 9);
    if box_.width < 4 || box_.height < 3 {
        return;
    }
    Clear.render(box_, buf);
    let title = format!(" {} ", th.printable(t(l, "main_finished_title")));
    let body = Paragraph::new(th.printable(t(l, "main_finished_body")))
        .wrap(Wrap { trim: true })
        .style(th.warn)
        .block(
            block(th)
                .title(title)
                .border_style(th.warn.add_modifier(Modifier::BOLD)),
        );
    body.render(box_, buf);
}
