//! The key bar: generated from the key table, so it cannot drift from what the keys do. A tall
//! screen shows every key in up to three rows; a short one the keys that matter now, `?` first.

use super::layout::{KEYBAR_MAX_ROWS, TALL_H};
use super::paint::put;
use super::theme_of as theme;
use crate::app::App;
use crate::bindings::{Action, Binding, Moment, bar_order, described};
use crate::i18n::{Lang, t};
use crate::text::width;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

/// Rows the key bar takes on a screen of `area`: on a tall one as many as every key takes (up
/// to the most the layout gives it), on a shorter one a single row.
pub fn keybar_rows(lang: Lang, ascii: bool, area: Rect) -> u16 {
    if area.height < TALL_H {
        return 1;
    }
    let max = usize::from(KEYBAR_MAX_ROWS);
    let (rows, _) = pack(described(), lang, ascii, area.width, max);
    rows.len().clamp(1, max) as u16
}

/// What the key bar says for binding `b`.
fn bar_help(b: &Binding, lang: Lang, ascii: bool) -> &'static str {
    match (b.action, lang) {
        // --ascii promises ASCII only, which the other language's own name is not.
        (Action::Language, Lang::En) if ascii => "zh",
        _ => b.help.map_or("", |h| t(lang, h.short)),
    }
}

/// One entry of the bar: the key's label and " description ".
fn entry(b: &Binding, lang: Lang, ascii: bool) -> (&'static str, String) {
    (b.label, format!(" {} ", bar_help(b, lang, ascii)))
}

type Row = Vec<(&'static str, String)>;

/// `bindings` as whole entries in at most `max_rows` rows of `cols` columns, each in the first
/// row with room for it; and whether every one found a place.
fn pack(
    bindings: impl Iterator<Item = &'static Binding>,
    lang: Lang,
    ascii: bool,
    cols: u16,
    max_rows: usize,
) -> (Vec<Row>, bool) {
    let mut rows: Vec<(usize, Row)> = Vec::new();
    let mut all = true;
    for b in bindings {
        let (label, desc) = entry(b, lang, ascii);
        let need = width(label) + width(&desc);
        let count = rows.len();
        match rows
            .iter_mut()
            .find(|(used, _)| used + need <= usize::from(cols))
        {
            Some((used, row)) => {
                *used += need;
                row.push((label, desc));
            }
            None if count < max_rows && need <= usize::from(cols) => {
                rows.push((need, vec![(label, desc)]));
            }
            None => all = false,
        }
    }
    (rows.into_iter().map(|(_, row)| row).collect(), all)
}

/// Where the class is, as the key bar sorts keys.
fn moment(app: &App) -> Moment {
    match &app.run {
        _ if app.main_finished => Moment::MainFinished,
        Some(r) if !r.state.is_finished() && app.paused => Moment::Paused,
        Some(r) if !r.state.is_finished() => Moment::Running,
        _ if app.lesson.is_some() => Moment::Lesson,
        Some(_) => Moment::Finished,
        None => Moment::Idle,
    }
}

pub(super) fn render(app: &App, area: Rect, buf: &mut Buffer) {
    if area.height == 0 {
        return;
    }
    let th = theme(app);
    let (lang, ascii) = (app.settings.lang, th.ascii);
    let rows = usize::from(area.height);
    let rows = match pack(described(), lang, ascii, area.width, rows) {
        (rows, true) => rows,
        // Not room for every key: the ones that matter now, `?` first, each whole (help shows
        // them all).
        _ => {
            pack(
                bar_order(moment(app), app.ticker.on),
                lang,
                ascii,
                area.width,
                rows,
            )
            .0
        }
    };
    for (y, row) in (area.y..area.bottom()).zip(rows) {
        let mut x = area.x;
        for (label, desc) in row {
            x += put(th, buf, x, y, area.right() - x, label, th.key);
            x += put(
                th,
                buf,
                x,
                y,
                area.right().saturating_sub(x),
                &desc,
                th.text,
            );
        }
    }
}
