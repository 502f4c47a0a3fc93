//! Painting helpers every pane shares: a cut-to-fit string, a bordered box, a titled pane.

use super::theme::Theme;
use crate::app::App;
use crate::text::width;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::{Block, Widget};

/// The styles and glyphs of the look the app chose.
pub(crate) fn theme_of(app: &App) -> &'static Theme {
    Theme::of(app.settings.look)
}

/// Write `text` on row `row` of `area`, from its left edge, cut to its width; returns the
/// columns used.
pub(crate) fn put_row(
    th: &Theme,
    buf: &mut Buffer,
    area: Rect,
    row: usize,
    text: &str,
    style: Style,
) -> u16 {
    let y = area
        .y
        .saturating_add(u16::try_from(row).unwrap_or(u16::MAX));
    put(th, buf, area.x, y, area.width, text, style)
}

/// Write `text` at (x, y) as theme `th` draws it, cut to `max` columns and to the buffer;
/// returns the columns used.
pub(crate) fn put(
    th: &Theme,
    buf: &mut Buffer,
    x: u16,
    y: u16,
    max: u16,
    text: &str,
    style: Style,
) -> u16 {
    let b = buf.area;
    if y < b.y || y >= b.bottom() || x < b.x || x >= b.right() || max == 0 {
        return 0;
    }
    let max = max.min(b.right() - x) as usize;
    let text = th.truncate(text, max);
    buf.set_stringn(x, y, &text, max, style);
    width(&text) as u16
}

/// Write `text` on `area`'s bottom border, a blank either side, from just right of its corner
/// and cut before the other (a pane's note or keys, under the rows they are about).
pub(crate) fn put_on_bottom_border(
    th: &Theme,
    buf: &mut Buffer,
    area: Rect,
    text: &str,
    style: Style,
) {
    if area.height >= 2 {
        let (x, y, max) = (area.x + 1, area.bottom() - 1, area.width.saturating_sub(2));
        put(th, buf, x, y, max, &format!(" {text} "), style);
    }
}

/// An empty bordered box in theme `th`'s border.
pub(crate) fn block(th: &Theme) -> Block<'static> {
    Block::bordered()
        .border_set(th.glyphs.border)
        .border_style(th.border)
}

/// A bordered pane with a title; returns the inside.
pub(crate) fn pane(th: &Theme, title: &str, area: Rect, buf: &mut Buffer) -> Rect {
    if area.width < 2 || area.height < 2 {
        return Rect::default();
    }
    let title = th.truncate(title, area.width.saturating_sub(4) as usize);
    let block = block(th).title(format!(" {title} ")).title_style(th.title);
    let inner = block.inner(area);
    block.render(area, buf);
    inner
}

/// Clear `area` for a box drawn over the screen. A wide character (Chinese) just left of the box
/// would spill its second half over the box's left border, so it becomes a space.
pub(crate) fn clear_for_box(area: Rect, buf: &mut Buffer) {
    ratatui::widgets::Clear.render(area, buf);
    if area.x == 0 {
        return;
    }
    for y in area.top()..area.bottom() {
        if let Some(cell) = buf.cell_mut((area.x - 1, y))
            && width(cell.symbol()) > 1
        {
            cell.set_symbol(" ");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_box_over_chinese_text_keeps_its_left_border() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 8, 2));
        buf.set_string(0, 0, "中文中文", Style::default());
        buf.set_string(0, 1, "ab中文", Style::default());
        // A box from column 3: row 0's `文` at 2–3 would cover its border; row 1's `中` at 2–3 too.
        clear_for_box(Rect::new(3, 0, 4, 2), &mut buf);
        assert_eq!(buf[(2, 0)].symbol(), " ");
        assert_eq!(buf[(2, 1)].symbol(), " ");
        // Narrow text beside a box stays.
        assert_eq!(buf[(1, 1)].symbol(), "b");
        assert_eq!(buf[(0, 0)].symbol(), "中");
    }
}
