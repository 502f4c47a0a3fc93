//! The classroom screen: `impl Widget for &App`, a pure function of the app's state.
//! Rects are computed by hand: ratatui's constraint solver is far too slow for one row per download.

mod code;
mod downloads;
mod help;
pub use help::help_lines;
mod lesson;
mod side;
pub mod theme;
mod timeline;

use crate::app::{App, Event};
use crate::engine::Strategy;
use crate::i18n::{Lang, strategy_name, t};
use crate::keys::{Action, BINDINGS, Binding};
use crate::text::width;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::widgets::{Block, Widget};
use theme::Theme;

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

/// The styles and glyphs of the look the app chose.
pub(crate) fn theme_of(app: &App) -> &'static Theme {
    Theme::of(app.look)
}
use theme_of as theme;

/// Where each part of the screen goes for `app` on a screen of `area`.
fn areas(app: &App, area: Rect) -> Areas {
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

impl Widget for &App {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let area = area.intersection(buf.area);
        let a = areas(self, area);
        tabs(self, a.tabs, buf);
        info(self, a.info, a.side_hidden, buf);
        downloads::render(self, a.downloads, buf);
        // Lesson mode: the scene's card sits right under the timeline. It takes the log's rows
        // first and then, on a short screen, the timeline's, so the card is always whole.
        let below = a.timeline.union(a.log);
        let card_h = lesson::height(self, below.width).min(below.height);
        let (timeline_h, card_y) = if self.code.is_some() {
            (0, below.y)
        } else {
            let h = a.timeline.height.min(below.height - card_h);
            (h, below.y + h)
        };
        let card = Rect::new(below.x, card_y, below.width, card_h);
        let rest = Rect::new(
            below.x,
            card.bottom(),
            below.width,
            below.bottom() - card.bottom(),
        );
        lesson::render(self, card, buf);
        if let Some(language) = self.code {
            // The code stands where the timeline and log were; the downloads stay in view.
            code::render(self, language, rest, buf);
        } else {
            timeline::render(
                self,
                Rect {
                    height: timeline_h,
                    ..a.timeline
                },
                buf,
            );
            log(self, rest, a.side_hidden, buf);
        }
        side::render(self, a.side, buf);
        keybar(self, a.keybar, buf);
        if self.main_finished {
            help::main_finished(self, area, buf);
        } else if self.help {
            help::render(self, area, buf);
        }
    }
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

/// The label of strategy key `n` (1-based) in `lang`.
pub(crate) fn strategy_label(lang: Lang, n: usize) -> &'static str {
    let key = u8::try_from(n).ok().and_then(Strategy::from_key);
    key.map_or("?", |s| strategy_name(lang, s))
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

fn tabs(app: &App, area: Rect, buf: &mut Buffer) {
    if area.height == 0 {
        return;
    }
    let th = theme(app);
    let mut x = area.x;
    let right = area.right();
    let title = format!(" {} ", t(app.lang, "app_title"));
    x += put(
        th,
        buf,
        x,
        area.y,
        right - x,
        &title,
        th.accent.add_modifier(Modifier::BOLD),
    );
    for n in 1..=7 {
        let available = Strategy::from_key(n as u8);
        let selected = available == Some(app.strategy);
        let available = available.is_some();
        let style = if selected {
            th.selected
        } else if available {
            th.text
        } else {
            th.dim
        };
        let tab = format!(" {n} {} ", strategy_label(app.lang, n));
        if x >= right {
            break;
        }
        x += put(th, buf, x, area.y, right - x, &tab, style);
        x += put(th, buf, x, area.y, right.saturating_sub(x), " ", th.text);
    }
}

fn info(app: &App, area: Rect, side_hidden: bool, buf: &mut Buffer) {
    if area.height == 0 {
        return;
    }
    let l = app.lang;
    let state = match &app.run {
        None => t(l, "state_ready"),
        Some(r) if r.state.is_finished() => t(l, "state_done"),
        Some(_) if app.steps_pending > 0 => t(l, "state_stepping"),
        Some(r) if app.paused => match r.state.strategy {
            // Child processes keep clocks of their own: they cannot be stepped.
            Strategy::Process | Strategy::Workshops => t(l, "state_paused_no_step"),
            _ => t(l, "state_paused"),
        },
        Some(_) => t(l, "state_running"),
    };
    let workers = match app.strategy {
        Strategy::Pool => format!("{} {}", t(l, "workers"), app.workers),
        // What the selected strategy will use, even while another's last run is on screen.
        _ => format!("{} {}", t(l, "workers"), app.queued().worker_threads()),
    };
    let text = if side_hidden {
        // No room for the timing panel: its two key figures move up here.
        let s = app.view_state();
        let elapsed = app.run.as_ref().map_or(0.0, |r| r.elapsed());
        format!(
            " {} {elapsed:.1}s · {} {:.1}s · {} {:.1}s · {state}",
            t(l, "timing_elapsed"),
            t(l, "timing_ideal"),
            s.ideal(),
            t(l, "timing_sum"),
            s.sum()
        )
    } else {
        format!(
            " {workers} · {} {}× · {} {} · {} · {} {}/{} · {state}",
            t(l, "speed"),
            fmt_speed(app.speed),
            t(l, "seed"),
            app.seed,
            t(l, workload_key(app.workload)),
            t(l, "cores"),
            app.cores,
            app.all_cores,
        )
    };
    let th = theme(app);
    let state_style = if app.paused {
        th.warn.add_modifier(Modifier::BOLD)
    } else {
        th.text
    };
    let hint = app.notice.as_deref().or(app.hint.map(|h| t(l, h)));
    match hint {
        // The newest message matters more than the settings, which are back on the next key:
        // when both do not fit, the message gets the whole row, so a file name is never cut.
        Some(hint) if width(&text) + 2 + width(hint) > usize::from(area.width) => {
            put(
                th,
                buf,
                area.x + 1,
                area.y,
                area.width.saturating_sub(1),
                hint,
                th.warn,
            );
        }
        Some(hint) => {
            let used = put(th, buf, area.x, area.y, area.width, &text, state_style);
            let x = area.x + used + 2;
            put(
                th,
                buf,
                x,
                area.y,
                area.right().saturating_sub(x),
                hint,
                th.warn,
            );
        }
        None => {
            put(th, buf, area.x, area.y, area.width, &text, state_style);
        }
    }
}

fn workload_key(w: crate::engine::Workload) -> &'static str {
    match w {
        crate::engine::Workload::Io => "workload_io",
        crate::engine::Workload::Cpu => "workload_cpu",
    }
}

/// A speed as a teacher would say it: 1, 0.5, 100.
pub(crate) fn fmt_speed(s: f64) -> String {
    if s.fract() == 0.0 {
        format!("{s:.0}")
    } else {
        format!("{s}")
    }
}

fn log(app: &App, area: Rect, side_hidden: bool, buf: &mut Buffer) {
    let title = if side_hidden {
        // The one place a narrow screen has room to say where the timing panel went.
        format!(
            "{} · {}",
            t(app.lang, "pane_log"),
            t(app.lang, "hint_side_hidden")
        )
    } else {
        t(app.lang, "pane_log").to_string()
    };
    let th = theme(app);
    let inner = pane(th, &title, area, buf);
    if inner.height == 0 {
        return;
    }
    let n = inner.height as usize;
    let skip = app.log.len().saturating_sub(n);
    for (i, line) in app.log.iter().skip(skip).enumerate() {
        let (text, style) = log_line(th, app.lang, line);
        put(
            th,
            buf,
            inner.x,
            inner.y + i as u16,
            inner.width,
            &text,
            style,
        );
    }
}

/// One event-log line in `lang`, with its style in theme `th`.
pub fn log_line(th: &Theme, lang: Lang, line: &crate::app::LogLine) -> (String, Style) {
    use crate::app::LogLine;
    use crate::i18n::tf;
    match line {
        LogLine::Started { worker, task } => (
            format!("[{worker}] {}", tf(lang, "downloading", &[task])),
            th.text,
        ),
        LogLine::Finished { worker, task, took } => (
            format!(
                "[{worker}] {}  {}",
                tf(lang, "downloaded", &[task]),
                tf(lang, "download_time", &[&format!("{took:.2}")])
            ),
            th.done,
        ),
        LogLine::Failed {
            worker,
            task,
            reason,
        } => (
            format!(
                "[{worker}] {}",
                tf(lang, "download_failed", &[task, reason])
            ),
            th.failed,
        ),
        LogLine::Total { strategy, elapsed } => (
            format!(
                "[main] {}: {}",
                strategy_name(lang, *strategy),
                tf(lang, "total_time", &[&format!("{elapsed:.2}")])
            ),
            th.accent.add_modifier(Modifier::BOLD),
        ),
        LogLine::Note(key) => (format!("[main] {}", t(lang, key)), th.warn),
    }
}

fn keybar(app: &App, area: Rect, buf: &mut Buffer) {
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
