//! The code panel: the current strategy's real source (or its Python counterpart), highlighted,
//! its key lines marked; with Ping/Pong running, the ticker's code below it for the daemon lesson.
//! Highlighting happened once, in `code`; drawing only looks each piece's style up in the theme.

use super::theme::Theme;
use super::theme_of as theme;
use super::{pane, put};
use crate::app::App;
use crate::code::{CodeLine, Language, Listing, Subject, companion, listing};
use crate::i18n::{Key, tf};
use crate::text::{pad_left, width};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use std::borrow::Cow;
use unicode_width::UnicodeWidthChar;

/// Rows the strategy's own code keeps before the `download()` it calls gets a pane of its own.
const CALLER_MIN_H: u16 = 16;

/// The fewest rows of code, inside the border, worth giving a listing in rows no pane wants
/// when it is longer: fewer would read as a fragment, and an empty log is left there instead.
/// (The daemon program, two excerpts, then shows up to its threads' start and main's sleep.)
const SPARE_MIN_H: u16 = 12;

/// The fewest rows, border included, the `download()` a strategy calls gets when it cannot
/// have all it needs: its first lines, and how many more `v` scrolls to.
const COMPANION_MIN_H: u16 = 6;

/// Below this height the ticker's code would squeeze the strategy's out: it is left off.
const TICKER_MIN_H: u16 = 20;

pub(super) fn render(app: &App, language: Language, area: Rect, buf: &mut Buffer) {
    draw_listings(app, language, app.code_scroll, false, area, buf);
}

/// What rows no pane wants show: what Enter runs. The daemon scenes' program (before Enter
/// runs it, and while it runs), the Python program a scene runs for real next, else the
/// current strategy's own code; and the `d` flag the program's daemon line follows.
pub fn spare_subject(app: &App) -> (Subject, bool) {
    let python = app.lesson.as_ref().and_then(|l| l.next_python());
    let subject = match python {
        _ if app.program_scene() || app.ticker.child.is_some() => Subject::Program,
        Some(name) => Subject::Carried(name),
        None => Subject::Strategy(app.settings.strategy),
    };
    (subject, app.ticker.daemon)
}

/// The fewest rows, border included, worth showing in spare rows `width` columns wide what
/// [`spare_subject`] says they show: all of it, wrapped to the width, or [`SPARE_MIN_H`] rows
/// of it (the last then says how many lines `v` scrolls to). The runner works it out once per
/// size or subject (see `viewport`), not per frame.
pub(super) fn spare_rows(app: &App, width: u16) -> u16 {
    let th = theme(app);
    let l = listing(spare_subject(app).0, Language::Rust);
    let room = usize::from(width.saturating_sub(2).saturating_sub(gutter(l)));
    rows_from(app, th, l, 0, room).min(SPARE_MIN_H) + 2
}

/// The strategy's Rust code, from its top, in the rows the panes left over: whole, and the
/// `download()` it calls only where that fits too (the panel `v` opens may cut the first).
pub(super) fn render_spare(app: &App, area: Rect, buf: &mut Buffer) {
    draw_listings(app, Language::Rust, 0, true, area, buf);
}

/// The strategy's listing in `language` from its line `skip` on, with what fits of the
/// `download()` it calls and of a running ticker's code; in `spare` rows, what Enter runs
/// (see [`spare_subject`]).
fn draw_listings(
    app: &App,
    language: Language,
    skip: usize,
    spare: bool,
    area: Rect,
    buf: &mut Buffer,
) {
    if area.height == 0 || area.width == 0 {
        return;
    }
    // Spare rows show the `download()` the strategy calls only where the strategy's code is
    // whole; the panel `v` opens keeps that many rows of it first.
    let caller_min = if spare { u16::MAX } else { CALLER_MIN_H };
    let title_key = match language {
        Language::Rust => Key::code_rust,
        Language::Python => Key::code_python,
    };
    // The daemon scenes' program is the lesson there: its code takes the whole panel (before
    // Enter runs it, too), and nothing of a strategy that is not running.
    let subject = match spare_subject(app).0 {
        // The panel `v` opens shows the strategy's code; spare rows what Enter runs.
        Subject::Carried(_) if !spare => Subject::Strategy(app.settings.strategy),
        subject => subject,
    };
    if let Subject::Program | Subject::Carried(_) = subject {
        let (l, key) = match subject {
            Subject::Program => (listing(subject, language), Key::code_ticker),
            _ => (listing(subject, Language::Python), Key::code_carried),
        };
        draw(app, l, key, skip, area, buf);
        return;
    }
    let main = listing(subject, language);
    let th = theme(app);
    let room = |l: &Listing| usize::from(area.width.saturating_sub(2).saturating_sub(gutter(l)));
    let rows = |l: &Listing| rows_from(app, th, l, 0, room(l));
    let mut top = area;
    if app.ticker.shown() && area.height >= TICKER_MIN_H {
        let ticker = listing(Subject::Ticker, language);
        let h = (rows(ticker) + 2).min(area.height / 2);
        top.height -= h;
        let bottom = Rect::new(area.x, top.bottom(), area.width, h);
        draw(app, ticker, Key::code_ticker, 0, bottom, buf);
    }
    // The lesson's download(), which the strategy calls, under it: whole when both fit, else
    // in the rows the strategy's whole code leaves, when they are enough to read its start.
    if let Some(called) = companion(Subject::Strategy(app.settings.strategy), language) {
        let h = rows(called) + 2;
        let main_h = rows_from(app, th, main, skip, room(main)) + 2;
        let h = if top.height >= h + (main_h - 2).min(caller_min) + 2 {
            h
        } else {
            top.height.saturating_sub(main_h)
        };
        if h >= COMPANION_MIN_H {
            top.height -= h;
            let bottom = Rect::new(area.x, top.bottom(), area.width, h);
            draw(app, called, title_key, 0, bottom, buf);
        }
    }
    draw(app, main, title_key, skip, top, buf);
}

/// Columns a listing's gutter takes: a key-line mark, its widest line number, two spaces.
fn gutter(l: &Listing) -> u16 {
    (number_width(l) + 3) as u16
}

/// Columns a listing's line numbers take (at least three, so listings line up).
fn number_width(l: &Listing) -> usize {
    let last = l.lines.last().map_or(1, |c| c.number);
    last.to_string().len().max(3)
}

/// Rows listing `l` takes from its line `skip` on with `room` columns for code: each line's
/// rows as it wraps, plus one between excerpts.
fn rows_from(app: &App, th: &Theme, l: &Listing, skip: usize, room: usize) -> u16 {
    let lines = l.lines.get(skip..).unwrap_or_default();
    let gaps = (lines.windows(2))
        .filter(|w| w[1].number != w[0].number + 1)
        .count();
    let wrapped: usize = (lines.iter())
        .map(|line| {
            let line = following_d(app, line).unwrap_or_else(|| line.clone());
            wrap_code(&text(th, &line), room).len()
        })
        .sum();
    u16::try_from(wrapped + gaps).unwrap_or(u16::MAX)
}

/// A line's pieces as the theme draws them.
fn pieces<'a>(th: &Theme, line: &'a CodeLine) -> Vec<(crate::code::Syntax, Cow<'a, str>)> {
    (line.spans.iter())
        .map(|(k, s)| (*k, th.printable(s)))
        .collect()
}

/// A line's text as the theme draws it.
fn text(th: &Theme, line: &CodeLine) -> String {
    pieces(th, line).into_iter().map(|(_, s)| s).collect()
}

/// How far past a line's own indentation its wrapped rows start, as rustfmt indents a
/// continuation.
const WRAP_INDENT: usize = 4;

/// Where code line `text` wraps in `room` columns: each row's indentation and its part of the
/// text (a byte range). A row breaks after a space, between tokens, where one falls in the row;
/// inside a token only when that token alone is wider than a row. Never cut: every character
/// is in a row.
fn wrap_code(text: &str, room: usize) -> Vec<(usize, std::ops::Range<usize>)> {
    let own = text.len() - text.trim_start().len();
    // Continuation rows keep at least half the room, however deep the line is indented.
    let indent = (own + WRAP_INDENT).min(room / 2);
    let mut rows = Vec::new();
    let mut start = 0;
    while start < text.len() || rows.is_empty() {
        let (pad, width) = match rows.is_empty() {
            true => (0, room),
            false => (indent, room - indent),
        };
        if !rows.is_empty() {
            start += text[start..].len() - text[start..].trim_start().len();
        }
        let mut used = 0;
        let mut end = start;
        let mut brk = None;
        let mut word = false;
        for (i, c) in text[start..].char_indices() {
            let w = c.width().unwrap_or(0);
            if used + w > width {
                break;
            }
            used += w;
            end = start + i + c.len_utf8();
            match c {
                ' ' if word => brk = Some(end),
                ' ' => {}
                _ => word = true,
            }
        }
        let end = match brk {
            _ if end == text.len() => end,
            Some(b) => b,
            // A token wider than the row (or no room at all): break inside it, at least one
            // character a row so the wrap always ends.
            None => match text[start..].chars().next() {
                Some(c) if end == start => start + c.len_utf8(),
                _ => end,
            },
        };
        rows.push((pad, start..end));
        start = end;
        if start >= text.len() {
            break;
        }
    }
    rows
}

/// Draw listing `l` from its line `skip` on (the lines scrolled past), each line wrapped to
/// the pane; a line that does not fit whole in the rows left is not begun.
fn draw(app: &App, l: &Listing, title_key: Key, skip: usize, area: Rect, buf: &mut Buffer) {
    let th = theme(app);
    let inner = pane(th, &tf(app.settings.lang, title_key, &[&l.path]), area, buf);
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    let num_w = number_width(l);
    let gutter = gutter(l).min(inner.width);
    let code_x = inner.x + gutter;
    let room = usize::from(inner.right() - code_x);
    let skip = skip.min(l.lines.len().saturating_sub(1));
    let cut = rows_from(app, th, l, skip, room) > inner.height;
    let bottom = inner.bottom() - u16::from(cut);
    let mut y = inner.y;
    let mut shown = skip;
    let mut prev: Option<usize> = None;
    for line in &l.lines[skip..] {
        if prev.is_some_and(|p| line.number != p + 1) {
            // A fold with nothing after it would say nothing: the cut line says it instead.
            if y + 1 >= bottom {
                break;
            }
            // Where one excerpt ends and the next begins, as an editor folds code.
            let gap = pad_left(th.glyphs.gap, num_w + 2);
            put(th, buf, inner.x, y, gutter, &gap, th.dim);
            y += 1;
        }
        let line = following_d(app, line).unwrap_or_else(|| line.clone());
        let pieces = pieces(th, &line);
        let text: String = pieces.iter().map(|(_, s)| &**s).collect();
        let rows = wrap_code(&text, room);
        if usize::from(bottom.saturating_sub(y)) < rows.len() {
            break;
        }
        prev = Some(line.number);
        let (mark, number_style) = if line.key {
            (th.glyphs.mark, th.accent.add_modifier(Modifier::BOLD))
        } else {
            (" ", th.dim)
        };
        put(th, buf, inner.x, y, 1, mark, number_style);
        let number = format!(" {:>num_w$} ", line.number);
        put(
            th,
            buf,
            inner.x + 1,
            y,
            gutter.saturating_sub(1),
            &number,
            number_style,
        );
        for (pad, part) in rows {
            code_row(th, &pieces, part, code_x + pad as u16, y, buf);
            y += 1;
        }
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

/// One row of a wrapped code line: the bytes `part` of its pieces' text, each in its colour,
/// from column `x`.
fn code_row(
    th: &Theme,
    pieces: &[(crate::code::Syntax, Cow<'_, str>)],
    part: std::ops::Range<usize>,
    mut x: u16,
    y: u16,
    buf: &mut Buffer,
) {
    let mut at = 0;
    for (kind, piece) in pieces {
        let (from, to) = (at, at + piece.len());
        at = to;
        let (a, b) = (part.start.max(from), part.end.min(to));
        if a >= b {
            continue;
        }
        let s = &piece[a - from..b - from];
        let w = width(s) as u16;
        put(th, buf, x, y, w, s, th.code(*kind));
        x += w;
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
