//! Where each part of the screen goes at a size, and what a click there hit: geometry only, no painting.
//! Rects are computed by hand: ratatui's constraint solver is far too slow for one row per download.

use super::help_lines;
use super::keybar::keybar_rows;
use crate::app::{App, Event};
use crate::engine::Strategy;
use crate::i18n::Lang;
use crate::text::width;
use ratatui::layout::Rect;

/// Screens narrower than this are compact: a side panel beside the panes would leave them too
/// few columns for a download's bar and its worker's whole name.
pub(super) const COMPACT_BELOW_W: u16 = 100;
/// Screens at least this tall are tall: not compact, and their key bar shows every key (in up
/// to [`KEYBAR_MAX_ROWS`] rows); a shorter one shows the keys that matter now in one row.
pub(super) const TALL_H: u16 = 30;
/// Screens at least this wide are wide: the side panel gets [`SIDE_W_WIDE`] columns.
pub(super) const WIDE_W: u16 = 180;
/// The most rows the key bar takes.
pub(super) const KEYBAR_MAX_ROWS: u16 = 3;
/// A compact screen at least this tall (and [`SIDE_BELOW_MIN_W`] wide) keeps the side panel,
/// below the panes; a shorter one puts the timing on a second status row instead.
const SIDE_BELOW_MIN_H: u16 = 40;
const SIDE_BELOW_MIN_W: u16 = 40;
/// Rows the panes need before a side panel may stand beside them.
const SIDE_RIGHT_MIN_H: u16 = 8;
/// A pane's fewest rows: its two borders and one row inside.
const PANE_MIN_H: u16 = 3;
/// Below this many rows for the panes, the downloads take them all.
const DOWNLOADS_ALONE_H: u16 = 8;
/// The most of the panes' rows the downloads and the timeline take, in percent, so the other
/// panes keep some.
const DOWNLOADS_MAX_PCT: u32 = 45;
const TIMELINE_MAX_PCT: u32 = 40;
/// Width of the side panel when it stands to the right, on a normal and on a wide screen.
const SIDE_W: u16 = 40;
const SIDE_W_WIDE: u16 = 56;
/// Height the side panel takes when it moves below, on a screen tall enough to spare it.
const SIDE_BELOW_H: u16 = 13;
/// Rows of wrapped log lines the log takes before the timeline's lanes, the chart and a running
/// Ping/Pong grow, and the most it takes before spare rows go to the strategy's code (a run's
/// transcript or a watched program's summary, whole).
const LOG_FIRST_ROWS: usize = 8;
const LOG_MAX_ROWS: usize = 16;

/// The screen's shape, decided from its size alone: a few named layouts rather than one squeezed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Below [`COMPACT_BELOW_W`] columns or [`TALL_H`] rows: no side panel beside the panes
    /// (it would leave them too few columns or rows); below [`SIDE_BELOW_MIN_H`] rows the timing
    /// goes up to a second status row, and Ping/Pong and the results get boxes of their own.
    Compact,
    /// The side panel stands to the right.
    Normal,
    /// [`WIDE_W`] columns or more: a wider side panel, so names and tables have room.
    Wide,
}

impl Mode {
    /// The layout for a screen of `w`×`h`.
    pub fn of(w: u16, h: u16) -> Mode {
        if w < COMPACT_BELOW_W || h < TALL_H {
            Mode::Compact
        } else if w >= WIDE_W {
            Mode::Wide
        } else {
            Mode::Normal
        }
    }
}

/// Where each part of the screen goes at a given size.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Areas {
    pub tabs: Rect,
    /// The settings row, and on a compact screen a second row with the timing.
    pub info: Rect,
    pub downloads: Rect,
    /// A crash message or a download's details too long for the downloads' border, wrapped.
    pub note: Rect,
    /// The lesson card, right under the downloads.
    pub card: Rect,
    pub timeline: Rect,
    /// The comparison chart, once there are results to compare.
    pub chart: Rect,
    /// The Ping/Pong box while it runs (when off, the side panel says so).
    pub ticker: Rect,
    pub log: Rect,
    /// The strategy's code, in rows no pane wanted (an idle screen's, a tall one's).
    pub code: Rect,
    pub side: Rect,
    pub keybar: Rect,
    /// The side panel did not fit anywhere.
    pub side_hidden: bool,
}

/// What the panes would fill, in rows: each gets what it needs before the log takes the rest.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Wants {
    pub tasks: usize,
    pub lanes: usize,
    /// The rows of a note too long for the downloads' border.
    pub note: u16,
    /// The rows of the settings line or the newest message (0 or 1: one).
    pub info: u16,
    /// No timing line among the info rows when the side panel is hidden (a scene whose Enter
    /// runs the Ping/Pong program: the downloads' figures are about nothing on screen).
    pub no_timing: bool,
    /// A row for the run's forced context switches under the timing line, when it has one.
    pub switches: bool,
    /// The lesson card's rows, border included (0 outside lesson mode).
    pub card: u16,
    /// The chart's lines (0: no chart), and whether it goes before the timeline (after `c`).
    pub chart: usize,
    /// The chart's lines less its legend: its headings and every bar.
    pub chart_bars: usize,
    pub chart_first: bool,
    /// The run on screen is one of a `c` comparison's.
    pub compared: bool,
    /// The rows a running Ping/Pong's box needs before the timeline (0: none): its state,
    /// wrapped, and its words (see `side::ticker_rows`).
    pub ticker: u16,
    /// The log's rows, its lines wrapped to the pane.
    pub log: usize,
    /// The fewest rows worth showing the strategy's code in (0: not under the panes).
    pub code: u16,
    /// No downloads pane and no timeline: a scene whose Enter runs a program, not downloads.
    pub no_downloads: bool,
}

/// Lay the screen out for what the panes want and a key bar of `bar_rows` rows.
pub fn layout(area: Rect, want: &Wants, bar_rows: u16) -> Areas {
    let mut a = Areas::default();
    let (x, w) = (area.x, area.width);
    if area.height == 0 || w == 0 {
        return a;
    }
    let mode = Mode::of(w, area.height);
    let row = |y: u16| Rect::new(x, y, w, 1);
    a.tabs = row(area.y);
    let bar_rows = bar_rows.clamp(1, KEYBAR_MAX_ROWS);
    if area.height >= 2 + bar_rows {
        a.keybar = Rect::new(x, area.bottom() - bar_rows, w, bar_rows);
    } else if area.height >= 2 {
        a.keybar = row(area.bottom() - 1);
    }
    let bottom = area.bottom().saturating_sub(a.keybar.height.max(1));
    // The side panel stands right, below on a tall narrow screen, or nowhere; without it the
    // info takes a second row for the timing.
    let top_rows = want.info.max(1);
    let timing_row = match want.no_timing {
        true => 0,
        false => 1 + u16::from(want.switches),
    };
    let (info_h, base_h) = if mode == Mode::Compact && area.height >= SIDE_BELOW_MIN_H {
        (top_rows, 1)
    } else if mode == Mode::Compact {
        a.side_hidden = true;
        (top_rows + timing_row, 2)
    } else {
        (top_rows, 1)
    };
    let info_h = info_h.min(bottom.saturating_sub(area.y + 1));
    if area.height >= 3 {
        a.info = Rect::new(x, area.y + 1, w, info_h);
    }
    let top = area.y + 1 + a.info.height;
    let mut bottom = bottom;
    if bottom <= top {
        return a;
    }
    let mut left = Rect::new(x, top, w, bottom - top);
    match mode {
        Mode::Normal | Mode::Wide if left.height >= SIDE_RIGHT_MIN_H => {
            let side_w = if mode == Mode::Wide {
                SIDE_W_WIDE
            } else {
                SIDE_W
            };
            left.width = w - side_w;
            a.side = Rect::new(x + left.width, top, side_w, left.height);
        }
        Mode::Compact if !a.side_hidden && w >= SIDE_BELOW_MIN_W => {
            bottom -= SIDE_BELOW_H;
            left.height -= SIDE_BELOW_H;
            a.side = Rect::new(x, bottom, w, SIDE_BELOW_H);
        }
        _ => a.side_hidden = true,
    }
    let h = left.height;
    let rows = |n: usize| u16::try_from(n).unwrap_or(u16::MAX);
    let pct = |p: u32| (u32::from(h) * p / 100) as u16;
    // The downloads' share is of the rows a one-row message would leave, so their height (and
    // the app's page) does not change when a message wraps to a second row.
    let h_dl = (h + info_h).saturating_sub(base_h);
    let pct_dl = |p: u32| (u32::from(h_dl) * p / 100) as u16;
    // The downloads first (they are the lesson), at most 45% of the rows, a height that
    // depends on the size and the task count only, so the app's page size is exact.
    // After `c` on a short screen with a lesson card, the comparison takes the downloads' rows:
    // they show only the last strategy's bars, and the card left the chart three of seven
    // (tryout, 80×24; free mode, with no card, shows all seven and the downloads).
    let short_lesson = want.card > 0 && area.height < TALL_H;
    let compared_short = want.chart_first && want.compared && short_lesson;
    let dl = if want.no_downloads || compared_short {
        0
    } else if h_dl < DOWNLOADS_ALONE_H {
        h
    } else {
        (rows(want.tasks).saturating_add(2))
            .min(pct_dl(DOWNLOADS_MAX_PCT))
            .max(PANE_MIN_H)
            .min(h)
    };
    let mut rest = h - dl;
    let mut take = |n: u16| {
        let n = n.min(rest);
        rest -= n;
        n
    };
    let note = take(want.note);
    let mut card = take(want.card);
    let chart_want = match want.chart {
        0 => 0,
        n => rows(n).saturating_add(2),
    };
    // After `c` the chart is the lesson's conclusion: whole, before anything else.
    let chart_first = if want.chart_first {
        take(chart_want)
    } else {
        0
    };
    // A running Ping/Pong gets a box here in every mode (the side panel shows only "off"),
    // its state and words before the timeline: the daemon scenes are about nothing else.
    let mut ticker = take(want.ticker);
    // A lane per worker and the axis, inside the borders.
    let tl_want = match want.lanes {
        0 => PANE_MIN_H,
        n => rows(n).saturating_add(3),
    };
    let tl_want = if want.no_downloads { 0 } else { tl_want };
    let tl_first = match want.no_downloads {
        true => 0,
        false => tl_want.min(pct(TIMELINE_MAX_PCT)).max(PANE_MIN_H),
    };
    let (mut tl, mut chart) = if want.chart_first {
        (take(tl_first), chart_first)
    } else {
        let tl = take(tl_first);
        (tl, take(chart_want))
    };
    // The log, only as tall as its lines (and none below three rows: it would show nothing).
    let log_want = |max: usize| match want.log {
        0 => 0,
        n => rows(n.min(max)).saturating_add(2),
    };
    let mut log = take(log_want(LOG_FIRST_ROWS));
    if log < PANE_MIN_H {
        rest += log;
        log = 0;
    }
    // What is left: the timeline's lanes, the chart, a running Ping/Pong, then the log.
    let grow = |have: &mut u16, want: u16, rest: &mut u16| {
        let n = want.saturating_sub(*have).min(*rest);
        *have += n;
        *rest -= n;
    };
    grow(&mut tl, tl_want, &mut rest);
    grow(&mut chart, chart_want, &mut rest);
    // A chart box too short for a line inside is an empty box, and on a lesson's short screen
    // one short of a bar beside a single run (not `c`'s) showed a bar and "+5 more lines"
    // (tryout, 80×24): its rows go to the lanes.
    let bars_cut = chart < rows(want.chart_bars).saturating_add(2);
    if chart < PANE_MIN_H || (bars_cut && short_lesson && !want.compared) {
        tl += chart;
        chart = 0;
    }
    if ticker > 0 {
        grow(&mut ticker, u16::MAX, &mut rest);
    }
    if log > 0 {
        grow(&mut log, log_want(LOG_MAX_ROWS), &mut rest);
    }
    // Rows no pane wants would be an empty log's: the strategy's code takes them when they are
    // enough to read it, so an idle screen shows what Enter will run rather than an empty box.
    let mut code = 0;
    if want.code > 0 && rest >= want.code {
        code = rest;
        rest = 0;
    }
    // An empty log of one or two rows would be a bare border (review): the rows go to the
    // lanes, else to the running Ping/Pong's words, else to the card, else stay blank.
    if log > 0 || rest >= PANE_MIN_H {
        log += rest;
    } else if tl > 0 {
        tl += rest;
    } else if ticker > 0 {
        ticker += rest;
    } else if card > 0 {
        card += rest;
    }
    let mut y = left.y;
    let mut next = |h: u16| {
        let r = Rect::new(left.x, y, left.width, h);
        y += h;
        r
    };
    a.downloads = next(dl);
    a.note = next(note);
    a.card = next(card);
    a.timeline = next(tl);
    a.chart = next(chart);
    a.ticker = next(ticker);
    a.log = next(log);
    a.code = next(code);
    a
}

/// Download rows visible at size `w`×`h` (inside the pane's border); the app scrolls by it.
pub fn download_rows(w: u16, h: u16, lang: Lang, ascii: bool) -> usize {
    // The downloads' height depends on the size and the task count only, and no longer on
    // the task count once the list is longer than the pane.
    let area = Rect::new(0, 0, w, h);
    let want = Wants {
        tasks: usize::MAX,
        ..Wants::default()
    };
    let a = layout(area, &want, keybar_rows(lang, ascii, area));
    a.downloads.height.saturating_sub(2) as usize
}

/// Where each part of the screen goes for `app` on a screen of `area`.
pub(crate) fn areas(app: &App, area: Rect) -> Areas {
    let bar_rows = keybar_rows(app.settings.lang, app.settings.look.ascii, area);
    let downloads = app.shows_downloads();
    let chart = match downloads {
        true => super::chart::lines(app, pane_width(area)),
        false => Vec::new(),
    };
    let want = Wants {
        info: super::header::info_rows(app, area.width, false),
        no_timing: !super::header::has_timing(app),
        switches: super::header::has_switches(app),
        no_downloads: !downloads,
        tasks: app.tasks.len(),
        lanes: expected_lanes(app),
        note: super::downloads::note_rows(app, pane_width(area)),
        card: super::lesson::height(app, pane_width(area), area.height < TALL_H),
        chart: chart.len(),
        chart_bars: chart
            .len()
            .saturating_sub(super::chart::legend_rows(app, pane_width(area))),
        chart_first: app.results.len() == Strategy::ALL.len(),
        compared: app.run.as_ref().is_some_and(|r| r.compared),
        ticker: super::side::ticker_rows(app, pane_width(area)),
        log: super::log::rows(app, pane_width(area).saturating_sub(2), LOG_MAX_ROWS),
        code: match app.code {
            // Worked out once per size or listing (see `viewport`); a screen drawn at another
            // size than the app was told (a test's) works it out for itself.
            None => match app.code_rows {
                Some((listing, rows))
                    if app.size == (area.width, area.height)
                        && listing == super::code::spare_subject(app) =>
                {
                    rows
                }
                _ => super::code::spare_rows(app, pane_width(area)),
            },
            Some(_) => 0,
        },
    };
    let mut a = layout(area, &want, bar_rows);
    card_whole(&mut a, want.card);
    a
}

/// The card is always whole: on a short screen it takes the rows of the panes under it, the
/// log's first, then the code's, the lanes', the chart's and Ping/Pong's; a box other than the
/// lanes left with fewer than [`PANE_MIN_H`] rows gives them all. Scenes 10–11 at 80×24 lost
/// their card's last lines and its keys under the log (tryout): only the lanes gave rows.
fn card_whole(a: &mut Areas, want: u16) {
    let mut short = want.saturating_sub(a.card.height);
    if short == 0 {
        return;
    }
    let mut heights = [
        a.timeline.height,
        a.chart.height,
        a.ticker.height,
        a.log.height,
        a.code.height,
    ];
    // Which of `heights` give first: the log, the code, the lanes, the chart, Ping/Pong.
    for i in [3, 4, 0, 1, 2] {
        if short == 0 {
            break;
        }
        let h = &mut heights[i];
        let n = short.min(*h);
        *h -= n;
        short -= n;
        a.card.height += n;
        // A box with no row inside shows nothing (the lanes' one row still draws).
        if i != 0 && *h > 0 && *h < PANE_MIN_H {
            a.card.height += *h;
            *h = 0;
        }
    }
    let mut y = a.card.bottom();
    let panes = [
        &mut a.timeline,
        &mut a.chart,
        &mut a.ticker,
        &mut a.log,
        &mut a.code,
    ];
    for (r, h) in panes.into_iter().zip(heights) {
        r.y = y;
        r.height = h;
        y += h;
    }
}

/// The width of the panes under the downloads (the chart's, the card's): the screen's, less a
/// side panel standing right.
pub(crate) fn pane_width(area: Rect) -> u16 {
    let side = match Mode::of(area.width, area.height) {
        Mode::Compact => 0,
        Mode::Normal => SIDE_W,
        Mode::Wide => SIDE_W_WIDE,
    };
    area.width.saturating_sub(side)
}

/// What the state needs to know of the screen at its size and in its language (for the runner,
/// which tells the app after a resize, a change of language or look, or of the listing spare
/// rows show).
pub fn viewport(app: &App) -> Event {
    let (w, h) = app.size;
    Event::Viewport {
        page: download_rows(w, h, app.settings.lang, app.settings.look.ascii).max(1),
        help_lines: help_lines(app.settings.lang, w),
        code_rows: Some((
            super::code::spare_subject(app),
            super::code::spare_rows(app, pane_width(Rect::new(0, 0, w, h))),
        )),
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
        _ if app.settings.strategy.on_one_thread() => 1,
        _ if app.settings.strategy.has_pool_size() => app.settings.workers.min(app.tasks.len()),
        _ => app.tasks.len(),
    }
}

/// The strategy key whose tab covers column `x` of the tab row, as `tabs` lays them out (a
/// title, then " N name " per tab with one space between); for mouse clicks.
pub fn tab_at(app: &App, x: u16) -> Option<u8> {
    let (_, tabs) = super::header::tab_row(app, app.size.0);
    (tabs.iter())
        .find(|tab| (tab.x..tab.x.saturating_add(width(&tab.text) as u16)).contains(&x))
        .map(|tab| tab.n)
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

/// Rows the side panel's small Ping/Pong box takes at its bottom.
const SIDE_TICKER_H: u16 = 4;

/// Where the side panel's parts go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SidePanel {
    /// One pane (the watched programs', or the timing with the results and the switches
    /// below it), and the Ping/Pong box under it when there is room.
    Stacked { main: Rect, ticker: Option<Rect> },
    /// Under the downloads on a mid-size screen: the timing on the left, the results and the
    /// Ping/Pong box on the right.
    Split {
        timing: Rect,
        results: Rect,
        ticker: Option<Rect>,
    },
}

/// The side panel's parts in `area`. `watched`: a scene of real Python programs, whose panel
/// is one pane about them; `ticker`: the panel shows the small Ping/Pong box (not when the
/// main column draws a large one).
pub(super) fn side_panel(area: Rect, watched: bool, ticker: bool) -> SidePanel {
    if !watched && area.width >= 72 && area.height < 20 {
        let half = area.width / 2;
        let timing = Rect::new(area.x, area.y, half, area.height);
        let right = Rect::new(area.x + half, area.y, area.width - half, area.height);
        let (results, ticker) = ticker_below(right, 6, ticker);
        return SidePanel::Split {
            timing,
            results,
            ticker,
        };
    }
    let (main, ticker) = ticker_below(area, 8, ticker);
    SidePanel::Stacked { main, ticker }
}

/// `area` less the Ping/Pong box at its bottom, if it is wanted and leaves `room` rows above.
fn ticker_below(area: Rect, room: u16, wanted: bool) -> (Rect, Option<Rect>) {
    if !wanted || area.height < SIDE_TICKER_H + room {
        return (area, None);
    }
    let main = Rect::new(area.x, area.y, area.width, area.height - SIDE_TICKER_H);
    let ticker = Rect::new(area.x, main.bottom(), area.width, SIDE_TICKER_H);
    (main, Some(ticker))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A log is a box with a row inside or nothing: with no line to show, one or two spare rows
    /// made a bare border (review, a scene whose Enter runs a program); they go to another pane.
    #[test]
    fn an_empty_log_never_gets_a_bare_border() {
        for (w, h) in [(80, 24), (100, 30), (120, 40), (200, 60)] {
            for card in 0..30 {
                for ticker in [0, 4] {
                    for no_downloads in [false, true] {
                        let want = Wants {
                            tasks: 3,
                            lanes: 3,
                            card,
                            ticker,
                            no_downloads,
                            ..Wants::default()
                        };
                        let a = layout(Rect::new(0, 0, w, h), &want, 1);
                        assert!(
                            a.log.height == 0 || a.log.height >= PANE_MIN_H,
                            "{w}×{h} card {card} ticker {ticker}: {a:?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn the_side_panel_gives_the_ticker_box_its_rows_only_when_the_rest_keeps_room() {
        // Tall: one pane, the box under it.
        let tall = Rect::new(0, 0, 40, 30);
        let SidePanel::Stacked { main, ticker } = side_panel(tall, false, true) else {
            panic!("a tall panel is one pane");
        };
        assert_eq!(
            (main.height, ticker.map(|t| (t.y, t.height))),
            (26, Some((26, 4)))
        );
        // Not wanted, or no room: the pane takes it all.
        assert_eq!(
            side_panel(tall, false, false),
            SidePanel::Stacked {
                main: tall,
                ticker: None
            }
        );
        let short = Rect::new(0, 0, 40, 11);
        assert_eq!(
            side_panel(short, false, true),
            SidePanel::Stacked {
                main: short,
                ticker: None
            }
        );
        // Under the downloads on a mid-size screen: timing left, results and the box right.
        let below = Rect::new(0, 20, 100, 12);
        let SidePanel::Split {
            timing,
            results,
            ticker,
        } = side_panel(below, false, true)
        else {
            panic!("a wide, short panel is split");
        };
        assert_eq!((timing.width, results.x, results.height), (50, 50, 8));
        assert_eq!(ticker, Some(Rect::new(50, 28, 50, 4)));
        // A watched scene's panel is one pane whatever its shape.
        assert!(matches!(
            side_panel(below, true, true),
            SidePanel::Stacked { .. }
        ));
    }
}
