//! Overlays: the help (every key from the key table, and a bilingual glossary), and the banner
//! shown when main has finished but non-daemon threads keep the process alive.

use super::theme_of as theme;
use super::{block, put_row};
use crate::app::App;
use crate::bindings::described;
use crate::i18n::{Key, Lang, t, tf};
use crate::text::{pad, width, wrap};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::widgets::{Paragraph, Widget, Wrap};

const GLOSSARY: [Key; 6] = [
    Key::gloss_process,
    Key::gloss_thread,
    Key::gloss_concurrency,
    Key::gloss_parallelism,
    Key::gloss_pool,
    Key::gloss_daemon,
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
    std::iter::once((t(lang, Key::help_keys).to_string(), true))
        .chain(described().filter_map(|b| {
            let long = t(lang, b.help?.long);
            Some((format!("{} {long}", pad(b.label, 10)), false))
        }))
        .chain(std::iter::once((String::new(), false)))
        .chain(std::iter::once((
            t(lang, Key::help_glossary).to_string(),
            true,
        )))
        .chain(
            GLOSSARY
                .iter()
                .map(|k| (format!("· {}", t(lang, *k)), false)),
        )
        .collect()
}

/// Help's lines in `lang` on a screen `cols` wide: a line longer than the box is wrapped under
/// its description, never cut.
fn wrapped(lang: Lang, cols: u16) -> Vec<(String, bool)> {
    let inner = usize::from(cols.saturating_sub(2)).max(12);
    let mut out = Vec::new();
    for (text, heading) in entries(lang) {
        if width(&text) <= inner {
            out.push((text, heading));
            continue;
        }
        // Continuation lines start under the description, past the key's column.
        let indent = if heading { 0 } else { 11.min(inner / 2) };
        let mut lines = wrap(&text, inner).into_iter();
        let first = lines.next().unwrap_or_default();
        let rest: String = lines.collect::<Vec<_>>().join(" ");
        out.push((first, heading));
        for line in wrap(&rest, inner - indent) {
            out.push((format!("{}{line}", " ".repeat(indent)), heading));
        }
    }
    out
}

/// How many lines help has on a screen `cols` wide in `lang`, for scrolling it.
pub fn help_lines(lang: Lang, cols: u16) -> usize {
    wrapped(lang, box_width(lang, cols)).len()
}

/// Help's width on a screen `cols` wide: as wide as its longest line, up to the whole screen.
fn box_width(lang: Lang, cols: u16) -> u16 {
    let widest = entries(lang)
        .iter()
        .map(|(t, _)| width(t))
        .max()
        .unwrap_or(0);
    u16::try_from(widest + 2).unwrap_or(u16::MAX).min(cols)
}

pub(super) fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let l = app.settings.lang;
    let th = theme(app);
    let heading = th.accent.add_modifier(Modifier::BOLD);
    let w = box_width(l, area.width);
    let lines: Vec<(String, Style)> = (wrapped(l, w).into_iter())
        .map(|(text, is_heading)| (text, if is_heading { heading } else { th.text }))
        .collect();
    let box_ = centred(area, w, lines.len() as u16 + 2);
    if box_.width < 4 || box_.height < 3 {
        return;
    }
    super::paint::clear_for_box(box_, buf);
    let block = block(th)
        .title(format!(" {} ", th.printable(t(l, Key::pane_help))))
        .border_style(th.accent);
    let inner = block.inner(box_);
    block.render(box_, buf);
    let rows = inner.height as usize;
    // Scrolled no further than to show the last line; a cut end says how to see the rest.
    let skip = app.help_scroll.min(lines.len().saturating_sub(rows));
    let cut = skip + rows < lines.len();
    let shown = rows - usize::from(cut && rows > 1);
    for (i, (text, style)) in lines.iter().skip(skip).take(shown).enumerate() {
        put_row(th, buf, inner, i, text, *style);
    }
    if cut && rows > 1 {
        let more = tf(l, Key::help_more, &[&(lines.len() - skip - shown)]);
        put_row(th, buf, inner, shown, &more, th.dim);
    }
}

pub(super) fn main_finished(app: &App, area: Rect, buf: &mut Buffer) {
    let l = app.settings.lang;
    let th = theme(app);
    let mut text = t(l, Key::main_finished_body).to_string();
    if let Some(s) = app.stopped_with_main {
        let name = crate::i18n::strategy_name(l, s);
        text = format!("{text} {}", tf(l, Key::main_finished_run, &[&name]));
    }
    let box_ = centred(
        area,
        64,
        if app.stopped_with_main.is_some() {
            11
        } else {
            9
        },
    );
    if box_.width < 4 || box_.height < 3 {
        return;
    }
    super::paint::clear_for_box(box_, buf);
    let title = format!(" {} ", th.printable(t(l, Key::main_finished_title)));
    let body = Paragraph::new(th.printable(&text))
        .wrap(Wrap { trim: true })
        .style(th.warn)
        .block(
            block(th)
                .title(title)
                .border_style(th.warn.add_modifier(Modifier::BOLD)),
        );
    body.render(box_, buf);
}
