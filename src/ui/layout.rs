//! Where each part of the screen goes at a size, and what a click there hit: geometry only, no painting.
//! Rects are computed by hand: ratatui's constraint solver is far too slow for one row per download.

use super::header::strategy_label;
use super::help_lines;
use super::keybar::keybar_rows;
use crate::app::{App, Event};
use crate::engine::Strategy;
use crate::i18n::{Lang, t};
use crate::text::width;
use ratatui::layout::Rect;

/// Width of the side panel when it stands to the right.
const SIDE_W: u16 = 40;
/// Narrowest screen that keeps the side panel on the right.
const SIDE_RIGHT_MIN_W: u16 = 100;
/// Height the side panel takes when it moves below.
const SIDE_BELOW_H: u16 = 12;

/// Where each part of the screen goes at a given size.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Areas {
    pub tabs: Rect,
    pub info: Rect,
    pub downloads: Rect,
    pub timeline: Rect,
    pub log: Rect,
    pub side: Rect,
    pub keybar: Rect,
    /// The side panel did not fit anywhere.
    pub side_hidden: bool,
}

/// Lay the screen out for `tasks` download rows, `lanes` timeline lanes and a key bar of
/// `bar_rows` rows.
pub fn layout(area: Rect, tasks: usize, lanes: usize, bar_rows: u16) -> Areas {
    let mut a = Areas::default();
    let (x, w) = (area.x, area.width);
    if area.height == 0 || w == 0 {
        return a;
    }
    let row = |y: u16| Rect::new(x, y, w, 1);
    a.tabs = row(area.y);
    let bar_rows = bar_rows.clamp(1, 2);
    if area.height >= 2 + bar_rows {
        a.keybar = Rect::new(x, area.bottom() - bar_rows, w, bar_rows);
    } else if area.height >= 2 {
        a.keybar = row(area.bottom() - 1);
    }
    if area.height >= 3 {
        a.info = row(area.y + 1);
    }
    let top = area.y + 2;
    let mut bottom = area.bottom().saturating_sub(a.keybar.height.max(1));
    if bottom <= top {
        return a;
    }
    let mut left = Rect::new(x, top, w, bottom - top);
    if w >= SIDE_RIGHT_MIN_W && left.height >= 8 {
        left.width = w - SIDE_W;
        a.side = Rect::new(x + left.width, top, SIDE_W, left.height);
    } else if w >= 40 && left.height >= SIDE_BELOW_H + 10 {
        bottom -= SIDE_BELOW_H;
        left.height -= SIDE_BELOW_H;
        a.side = Rect::new(x, bottom, w, SIDE_BELOW_H);
    } else {
        a.side_hidden = true;
    }
    // Downloads first (they are the lesson), then the timeline, then the log gets the rest.
    let h = left.height;
    let rows = |n: usize| u16::try_from(n).unwrap_or(u16::MAX);
    let want_dl = rows(tasks).saturating_add(2);
    let want_tl = rows(lanes.max(1)).saturating_add(3);
    let (dl, tl) = if h < 8 {
        (h, 0)
    } else {
        let dl = want_dl.min((u32::from(h) * 45 / 100) as u16).max(3);
        let tl = want_tl
            .min((u32::from(h) * 40 / 100) as u16)
            .max(3)
            .min(h - dl);
        (dl, tl)
    };
    let log = h - dl - tl;
    // A log shorter than three rows shows nothing: give its rows to the downloads instead.
    let (dl, log) = if log < 3 { (dl + log, 0) } else { (dl, log) };
    a.downloads = Rect::new(left.x, left.y, left.width, dl);
    a.timeline = Rect::new(left.x, left.y + dl, left.width, tl);
    a.log = Rect::new(left.x, left.y + dl + tl, left.width, log);
    a
}

/// Download rows visible at size `w`×`h` (inside the pane's border); the app scrolls by it.
pub fn download_rows(w: u16, h: u16, lang: Lang, ascii: bool) -> usize {
    // The row count does not depend on the task count once the list is longer than the pane.
    let area = Rect::new(0, 0, w, h);
    let a = layout(area, usize::MAX, 8, keybar_rows(lang, ascii, area));
    a.downloads.height.saturating_sub(2) as usize
}

/// Where each part of the screen goes for `app` on a screen of `area`.
pub(crate) fn areas(app: &App, area: Rect) -> Areas {
    let bar_rows = keybar_rows(app.lang, app.look.ascii, area);
    layout(area, app.tasks.len(), expected_lanes(app), bar_rows)
}

/// What the state needs to know of the screen at its size and in its language (for the runner,
/// which tells the app after a resize or a change of language or look).
pub fn viewport(app: &App) -> Event {
    let (w, h) = app.size;
    Event::Viewport {
        page: download_rows(w, h, app.lang, app.look.ascii).max(1),
        help_lines: help_lines(),
    }
}

/// What a click at (x, y) hit, as the state's event: a strategy tab or a download.
pub fn hit(app: &App, x: u16, y: u16) -> Option<Event> {
    if y == 0 {
        tab_at(app, x).map(Event::ClickTab)
    } else {
        download_at(app, y).map(Event::ClickDownload)
    }
}

/// Lanes the timeline wants before a run has shown which workers it uses.
fn expected_lanes(app: &App) -> usize {
    match &app.run {
        Some(r) if !r.lanes.is_empty() => r.lanes.len(),
        _ => match app.strategy {
            Strategy::Serial | Strategy::Async => 1,
            Strategy::Pool => app.workers.min(app.tasks.len()),
            _ => app.tasks.len(),
        },
    }
}

/// The strategy key whose tab covers column `x` of the tab row, as `tabs` lays them out (a
/// title, then " N name " per tab with one space between); for mouse clicks.
pub fn tab_at(app: &App, x: u16) -> Option<u8> {
    let mut left = width(&format!(" {} ", t(app.lang, "app_title")));
    for n in 1..=7u8 {
        let w = width(&format!(" {n} {} ", strategy_label(app.lang, n as usize)));
        if (left..left + w).contains(&(x as usize)) {
            return Some(n);
        }
        left += w + 1;
    }
    None
}

/// The download shown on row `y` of the screen, if any; for mouse clicks.
pub fn download_at(app: &App, y: u16) -> Option<usize> {
    let a = areas(app, Rect::new(0, 0, app.size.0, app.size.1));
    let inner_top = a.downloads.y + 1;
    let rows = a.downloads.height.saturating_sub(2);
    if y < inner_top || y >= inner_top + rows {
        return None;
    }
    let i = app.scroll + (y - inner_top) as usize;
    (i < app.tasks.len()).then_some(i)
}
