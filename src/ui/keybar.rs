//! The key bar: generated from the key table, so it cannot drift from what the keys do.

use super::paint::put;
use super::theme_of as theme;
use crate::app::App;
use crate::i18n::{Lang, t};
use crate::keys::{Action, BINDINGS, Binding};
use crate::text::width;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

/// Screens at least this tall give the key bar a second row when one is too narrow for it.
const KEYBAR_TWO_ROWS_MIN_H: u16 = 30;

/// Rows the key bar takes: two when one row cannot show every key and the screen is tall
/// enough to spare one, so w, k, l and v stay in view on a projector's 120 columns.
pub fn keybar_rows(lang: Lang, ascii: bool, area: Rect) -> u16 {
    let need: usize = (BINDINGS.iter().filter(|b| b.on_bar))
        .map(|b| width(b.label) + width(bar_help(b, lang, ascii)) + 2)
        .sum();
    if need > usize::from(area.width) && area.height >= KEYBAR_TWO_ROWS_MIN_H {
        2
    } else {
        1
    }
}

/// What the key bar says for binding `b`.
fn bar_help(b: &Binding, lang: Lang, ascii: bool) -> &'static str {
    match (b.action, lang) {
        // --ascii promises ASCII only, which the other language's own name is not.
        (Action::Language, Lang::En) if ascii => "zh",
        _ => t(lang, b.help),
    }
}

pub(super) fn render(app: &App, area: Rect, buf: &mut Buffer) {
    if area.height == 0 {
        return;
    }
    let th = theme(app);
    let (mut x, mut y) = (area.x, area.y);
    for b in BINDINGS.iter().filter(|b| b.on_bar) {
        let desc = format!(" {} ", bar_help(b, app.lang, th.ascii));
        // Only whole entries: one that does not fit goes to the next row, if there is one,
        // or is left for help to show.
        let need = (width(b.label) + width(&desc)) as u16;
        if x + need > area.right() {
            if y + 1 >= area.bottom() || x == area.x {
                break;
            }
            (x, y) = (area.x, y + 1);
            if x + need > area.right() {
                break;
            }
        }
        x += put(th, buf, x, y, area.right() - x, b.label, th.key);
        x += put(th, buf, x, y, area.right() - x, &desc, th.text);
    }
}
