//! The code panel: the current strategy's real source (or its Python counterpart), highlighted,
//! its key lines marked; with Ping/Pong running, the ticker's code below it for the daemon lesson.
//! Highlighting happened once, in `code`; drawing only looks each piece's style up in the theme.

use super::theme::Theme;
use super::theme_of as theme;
use super::{pane, put};
use crate::app::App;
use crate::code::{CodeLine, Language, Listing, Subject, companion, listing};
use crate::i18n::{Key, tf};
use crate::text::{pad_left, truncate_with, width};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;

/// Rows the strategy's own code keeps before the `download()` it calls gets a pane of its own.
const CALLER_MIN_H: u16 = 16;

/// Below this height the ticker's code would squeeze the strategy's out: it is left off.
const TICKER_MIN_H: u16 = 20;

pub(super) fn render(app: &App, language: Language, area: Rect, buf: &mut Buffer) {
    draw_listings(app, language, app.code_scroll, CALLER_MIN_H, area, buf);
}

/// The fewest rows, border included, worth showing the current strategy's own Rust code in
/// under the panes: all of it, or as much as the panel `v` opens keeps of it before the
/// `download()` it calls (the rest then says how many lines `v` scrolls to).
pub(super) fn spare_rows(app: &App) -> u16 {
    rows(listing(
        Subject::Strategy(app.settings.strategy),
        Language::Rust,
    ))
    .min(CALLER_MIN_H)
        + 2
}

/// The strategy's Rust code, from its top, in the rows the panes left over: whole, and the
/// `download()` it calls only where that fits too (the panel `v` opens may cut the first).
pub(super) fn render_spare(app: &App, area: Rect, buf: &mut Buffer) {
    draw_listings(app, Language::Rust, 0, u16::MAX, area, buf);
}

/// The strategy's listing in `language` from its line `skip` on, with what fits whole of the
/// `download()` it calls (leaving the listing at least `caller_min` rows) and of a running
/// ticker's code.
fn draw_listings(
    app: &App,
    language: Language,
    skip: usize,
    caller_min: u16,
    area: Rect,
    buf: &mut Buffer,
) {
    if area.height == 0 || area.width == 0 {
        return;
    }
    let main = listing(Subject::Strategy(app.settings.strategy), language);
    let title_key = match language {
        Language::Rust => Key::code_rust,
        Language::Python => Key::code_python,
    };
    // The daemon scenes' program is the lesson there: its code takes the whole panel (before
    // Enter runs it, too), and nothing of a strategy that is not running.
    if app.program_scene() || app.ticker.child.is_some() {
        let program = listing(Subject::Program, language);
        draw(app, program, Key::code_ticker, app.code_scroll, area, buf);
        return;
    }
    let mut top = area;
    if app.ticker.shown() && area.height >= TICKER_MIN_H {
        let ticker = listing(Subject::Ticker, language);
        let h = (rows(ticker) + 2).min(area.height / 2);
        top.height -= h;
        let bottom = Rect::new(area.x, top.bottom(), area.width, h);
        draw(app, ticker, Key::code_ticker, 0, bottom, buf);
    }
    // The lesson's download(), which the strategy calls, under it when both fit whole.
    if let Some(called) = companion(Subject::Strategy(app.settings.strategy), language) {
        let h = rows(called) + 2;
        if top.height >= h + rows(main).min(caller_min) + 2 {
            top.height -= h;
            let bottom = Rect::new(area.x, top.bottom(), area.width, h);
            draw(app, called, title_key, 0, bottom, buf);
        }
    }
    draw(app, main, title_key, skip, top, buf);
}

/// Rows a listing takes: its lines, plus one between excerpts.
fn rows(l: &Listing) -> u16 {
    rows_from(l, 0)
}

/// Rows the listing takes from its line `skip` on.
fn rows_from(l: &Listing, skip: usize) -> u16 {
    let lines = l.lines.get(skip..).unwrap_or_default();
    let gaps = (lines.windows(2))
        .filter(|w| w[1].number != w[0].number + 1)
        .count();
    u16::try_from(lines.len() + gaps).unwrap_or(u16::MAX)
}

/// Draw listing `l` from its line `skip` on (the lines scrolled past).
fn draw(app: &App, l: &Listing, title_key: Key, skip: usize, area: Rect, buf: &mut Buffer) {
    let th = theme(app);
    let inner = pane(th, &tf(app.settings.lang, title_key, &[&l.path]), area, buf);
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    let last = l.lines.last().map_or(1, |c| c.number);
    let num_w = last.to_string().len().max(3);
    let gutter = (num_w + 3) as u16;
    let right = inner.right();
    let skip = skip.min(l.lines.len().saturating_sub(1));
    let cut = rows_from(l, skip) > inner.height;
    let room = inner.height - u16::from(cut);
    let mut y = inner.y;
    let mut shown = skip;
    let mut prev: Option<usize> = None;
    for line in &l.lines[skip..] {
        if prev.is_some_and(|p| line.number != p + 1) {
            // A fold with nothing after it would say nothing: the cut line says it instead.
            if y + 1 >= inner.y + room {
                break;
            }
            // Where one excerpt ends and the next begins, as an editor folds code.
            let gap = pad_left(th.glyphs.gap, num_w + 2);
            put(th, buf, inner.x, y, gutter, &gap, th.dim);
            y += 1;
        }
        if y >= inner.y + room {
            break;
        }
        prev = Some(line.number);
        let followed;
        let line = match following_d(app, line) {
            Some(l) => {
                followed = l;
                &followed
            }
            None => line,
        };
        let (mark, number_style) = if line.key {
            (th.glyphs.mark, th.accent.add_modifier(Modifier::BOLD))
        } else {
            (" ", th.dim)
        };
        put(th, buf, inner.x, y, 1, mark, number_style);
        let number = format!(" {:>num_w$} ", line.number);
        put(th, buf, inner.x + 1, y, gutter - 1, &number, number_style);
        code_line(th, line, inner.x + gutter, y, right, buf);
        y += 1;
        shown += 1;
    }
    if cut {
        let more = tf(
            app.settings.lang,
            Key::code_more,
            &[&(l.lines.len() - shown), &l.path],
        );
        let text = format!("{} {more}", th.glyphs.ellipsis);
        // Right under the last line shown, so the count reads as the listing's end.
        put(th, buf, inner.x, y, inner.width, &text, th.dim);
    }
}

/// One line of code from column `x` to `right`; a line too long is cut once, at the end, with
/// the theme's ellipsis, however its pieces fall.
fn code_line(th: &Theme, line: &CodeLine, mut x: u16, y: u16, right: u16, buf: &mut Buffer) {
    let room = usize::from(right.saturating_sub(x));
    let pieces: Vec<_> = line
        .spans
        .iter()
        .map(|(k, s)| (*k, th.printable(s)))
        .collect();
    let total: usize = pieces.iter().map(|(_, s)| width(s)).sum();
    let ellipsis = th.glyphs.ellipsis;
    let mut budget = if total > room {
        room.saturating_sub(width(ellipsis))
    } else {
        room
    };
    for (kind, piece) in &pieces {
        let piece = truncate_with(piece, budget, "");
        let w = width(&piece);
        put(th, buf, x, y, w as u16, &piece, th.code(*kind));
        x += w as u16;
        budget -= w;
        if budget == 0 {
            break;
        }
    }
    if total > room {
        put(th, buf, x, y, right.saturating_sub(x), ellipsis, th.dim);
    }
}

/// The Python ticker's `DAEMON = ...` line as the `d` key has set it now, not as the file says;
/// the Rust program's line that takes `daemon` says the same in a comment (its value comes at run time).
fn following_d(app: &App, line: &crate::code::CodeLine) -> Option<crate::code::CodeLine> {
    let text = line.text();
    if text.trim_start().starts_with("let Program { daemon") {
        let mut line = line.clone();
        line.spans
            .retain(|(kind, _)| *kind != crate::code::Syntax::Comment);
        let said = match app.ticker.daemon {
            true => " // DAEMON = True (d)",
            false => " // DAEMON = False (d)",
        };
        line.spans.push((crate::code::Syntax::Comment, said));
        return Some(line);
    }
    if !text.trim_start().starts_with("DAEMON =") {
        return None;
    }
    let value = if app.ticker.daemon { "True" } else { "False" };
    let mut line = line.clone();
    for (_, text) in &mut line.spans {
        if matches!(text.trim(), "True" | "False") {
            *text = match (text.starts_with(' '), app.ticker.daemon) {
                (true, true) => " True",
                (true, false) => " False",
                (false, _) => value,
            };
        }
    }
    Some(line)
}
