//! The live screen of a watched program: one row per wait, a lane per thread grouped by
//! process with its time on a core, the timing and what it shows, and the event log. A pure
//! function of the model and "now"; rows are placed by hand (no constraint solver per row).

use super::model::{Process, Program, Thread, Wait};
use super::report::{self, clean};
use crate::bindings::{self, Action};
use crate::i18n::{Key, Lang, t, tf};
use crate::text::{pad, pad_left, truncate_with, width, wrap};
use crate::ui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::{Block, Borders, Widget};

/// Width of the side panel with the timing, when the screen is wide enough for one.
const SIDE: u16 = 38;
/// The fewest cells a wait's bar keeps when the thread's column would take them.
const MIN_BAR: usize = 10;

/// A lane's cell: its mark and style, or nothing (the thread was not there yet, or any more).
type Cell = Option<(char, Style)>;
/// The marks a lane draws, for the legend: the full shade of "on a core", the part ones (bits
/// 0 to 2 are the levels of [`on_core_level`], 3 the full one), asleep, alive off every core,
/// the daemon tag and the killed cross.
const FULL: u8 = 1 << 3;
const PART: u8 = 0b0111;
const ASLEEP: u8 = 1 << 4;
const OFF: u8 = 1 << 5;
const DAEMON: u8 = 1 << 6;
const KILLED: u8 = 1 << 7;

/// Legend entries on rows of `room` columns, two spaces apart, an entry never split.
fn pack(parts: &[(String, u8)], room: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for (part, _) in parts {
        match lines.last_mut() {
            Some(line) if width(line) + 2 + width(part) <= room => {
                line.push_str("  ");
                line.push_str(part);
            }
            _ => lines.push(part.clone()),
        }
    }
    lines
}

/// What to draw: the program, the screen's language and colours, and the time to draw it at.
pub struct WatchView<'a> {
    pub program: &'a Program,
    pub lang: Lang,
    pub theme: &'a Theme,
    /// CLOCK_MONOTONIC seconds: where running bars and lanes end.
    pub now: f64,
    /// Lent by the main screen: `q` goes back to it.
    pub back: bool,
}

impl WatchView<'_> {
    fn put(&self, buf: &mut Buffer, x: u16, y: u16, s: &str, max: u16, style: Style) -> u16 {
        if max == 0 {
            return x;
        }
        let s = truncate_with(s, max as usize, self.theme.glyphs.ellipsis);
        let (x2, _) = buf.set_stringn(x, y, &s, max as usize, style);
        x2
    }

    fn pane(&self, title: &str, area: Rect, buf: &mut Buffer) -> Rect {
        let block = Block::default()
            .borders(Borders::ALL)
            .border_set(self.theme.glyphs.border)
            .border_style(self.theme.border)
            .title(format!(" {title} "))
            .title_style(self.theme.title);
        let inner = block.inner(area);
        block.render(area, buf);
        inner
    }

    /// The instant the screen shows: now while the program runs, its end once it has ended.
    fn shown_now(&self) -> f64 {
        let p = self.program;
        match (p.main_exit, p.ended) {
            (Some(t), _) => t.max(p.t0()),
            (None, Some(e)) => e.at,
            _ => self.now.max(p.now),
        }
    }
}

impl Widget for &WatchView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.width < 20 || area.height < 8 {
            let msg = t(self.lang, Key::watch_too_small);
            self.put(buf, area.x, area.y, msg, area.width, self.theme.warn);
            return;
        }
        let th = self.theme;
        buf.set_style(area, th.text);
        self.header(Rect { height: 2, ..area }, buf);
        let keys_y = area.bottom() - 1;
        self.keybar(area.x, keys_y, area.width, buf);
        let body = Rect {
            y: area.y + 2,
            height: area.height.saturating_sub(3),
            ..area
        };
        let side_w = if body.width >= 100 { SIDE } else { 0 };
        let main = Rect {
            width: body.width - side_w,
            ..body
        };
        let p = self.program;
        // Too narrow for the side panel: its figures and what they support go in a pane of
        // their own under the lanes, before the log.
        let summary = if side_w == 0 {
            self.summary_lines(usize::from(main.width.saturating_sub(3)))
        } else {
            Vec::new()
        };
        // Waits get up to a third of the height, the summary up to a half, then the lanes
        // what they need (the log gives way first: what ran where is the point), the log the rest.
        let waits_h = (p.waits.len().max(1) as u16 + 2)
            .min(body.height / 3)
            .max(3);
        let summary_h = if summary.is_empty() {
            0
        } else {
            (summary.len() as u16 + 2).min(body.height / 2).max(3)
        };
        // The legend's rows: two when every mark it may have to explain does not fit on one
        // (the lanes' own marks are known only once they are drawn, the program's now).
        let legend_room = usize::from(main.width.saturating_sub(3));
        let mut may = FULL | PART | OFF;
        if !p.waits.is_empty() {
            may |= ASLEEP;
        }
        if p.has_daemons() {
            may |= DAEMON;
        }
        if p.killed().next().is_some() {
            may |= KILLED;
        }
        let legend_h = self.legend(may, legend_room, 1).len().min(2);
        let lanes_rows = p.shown_rows() + legend_h;
        let room = body.height.saturating_sub(waits_h + summary_h);
        let lanes_h = if side_w == 0 {
            (lanes_rows as u16 + 2).min(room)
        } else {
            (lanes_rows as u16 + 2).min(room * 3 / 5)
        }
        .max(3);
        let log_h = room.saturating_sub(lanes_h);
        let waits = Rect {
            height: waits_h,
            ..main
        };
        let lanes = Rect {
            y: waits.bottom(),
            height: lanes_h,
            ..main
        };
        self.waits(waits, buf);
        self.lanes(lanes, buf);
        if side_w > 0 {
            // The whole height: what the figures show needs room more than the log's width.
            let side = Rect {
                x: main.right(),
                width: side_w,
                ..body
            };
            self.side(side, buf);
        } else if summary_h > 0 {
            let area = Rect {
                y: lanes.bottom(),
                height: summary_h.min(body.bottom().saturating_sub(lanes.bottom())),
                ..main
            };
            self.summary(&summary, area, buf);
        }
        if log_h >= 3 {
            let log = Rect {
                y: lanes.bottom() + summary_h,
                height: log_h,
                ..main
            };
            self.log(log, buf);
        }
    }
}

impl WatchView<'_> {
    fn header(&self, area: Rect, buf: &mut Buffer) {
        let (th, lang, p) = (self.theme, self.lang, self.program);
        let cmd = clean(&p.command.join(" "));
        let mut x = self.put(
            buf,
            area.x,
            area.y,
            " threadlab watch ",
            area.width,
            th.accent,
        );
        x = self.put(
            buf,
            x,
            area.y,
            &cmd,
            area.right().saturating_sub(x),
            th.title,
        );
        let build = match p.hello() {
            Some(h) => tf(
                lang,
                Key::watch_build,
                &[
                    &clean(&h.python),
                    &super::report::gil_state(lang, h.gil),
                    &h.cpus.map_or("?".into(), |c| c.to_string()),
                ],
            ),
            // Not before everything it sent is read, or the probe had time to say hello.
            None if p.is_complete()
                || p.now - p.spawned_at > super::PROBE_PATIENCE.as_secs_f64() =>
            {
                t(lang, Key::watch_no_probe_short).to_string()
            }
            None => String::new(),
        };
        let bw = width(&build) as u16;
        if x + 2 + bw <= area.right() {
            let style = if p.probed() { th.muted } else { th.warn };
            self.put(buf, area.right() - bw - 1, area.y, &build, bw, style);
        }
        // Second line: the run's state, and what the screen changed about the program.
        let y = area.y + 1;
        let elapsed = p.lesson(self.shown_now());
        let state = match p.ended {
            None => tf(lang, Key::watch_running, &[&format!("{elapsed:.2}")]),
            Some(e) => super::report::exit_status(lang, e),
        };
        let state_style = match p.ended {
            None => th.running,
            Some(e) if e.code == Some(0) => th.done,
            Some(_) => th.failed,
        };
        let mut x = self.put(buf, area.x + 1, y, &state, area.width, state_style);
        let mut notes = vec![t(lang, Key::watch_stdin_null).to_string()];
        if p.scale() != 1.0 {
            notes.push(tf(lang, Key::watch_speed_short, &[&p.speed]));
        } else if p.speed_unused() {
            notes.push(tf(lang, Key::watch_speed_unused, &[&p.speed]));
        }
        for n in notes {
            x = self.put(buf, x, y, "  ·  ", area.right().saturating_sub(x), th.dim);
            x = self.put(buf, x, y, &n, area.right().saturating_sub(x), th.dim);
        }
    }

    fn keybar(&self, x: u16, y: u16, w: u16, buf: &mut Buffer) {
        let (th, lang) = (self.theme, self.lang);
        let quit = match (self.program.ended.is_some(), self.back) {
            (true, false) => Key::watch_key_close,
            (false, false) => Key::watch_key_stop,
            (true, true) => Key::watch_key_back,
            (false, true) => Key::watch_key_stop_back,
        };
        let mut cx = x;
        // Labelled by the one key table; the words are this screen's (q also stops the program).
        for action in bindings::WATCH_SCREEN {
            let Some(key) = bindings::binding(action).map(|b| b.label) else {
                continue;
            };
            let what = match action {
                Action::Language => t(lang, Key::watch_key_lang),
                _ => t(lang, quit),
            };
            cx = self.put(
                buf,
                cx,
                y,
                &format!(" {key} "),
                (x + w).saturating_sub(cx),
                th.key,
            );
            cx = self.put(
                buf,
                cx,
                y,
                &format!(" {what}  "),
                (x + w).saturating_sub(cx),
                th.text,
            );
        }
    }

    fn waits(&self, area: Rect, buf: &mut Buffer) {
        let (th, lang, p) = (self.theme, self.lang, self.program);
        let inner = self.pane(t(lang, Key::watch_pane_waits), area, buf);
        if p.waits.is_empty() {
            let msg = t(lang, Key::watch_no_waits);
            self.put(buf, inner.x + 1, inner.y, msg, inner.width, th.dim);
            return;
        }
        let w = inner.width as usize;
        let rows = inner.height as usize;
        // The latest rows when they do not all fit: what is happening now matters most. Only
        // they are measured: a frame costs the rows it shows, however many waits the run had.
        let shown = &p.waits[p.waits.len().saturating_sub(rows)..];
        let owners: Vec<(String, Option<String>)> = shown.iter().map(|x| self.owner(x)).collect();
        let label_w = (shown.iter().map(|w| width(&w.label)).max().unwrap_or(4)).clamp(4, 28);
        let figures_w = 16;
        // The thread's column as wide as its names, up to where the bars would get too short.
        let who_room = w.saturating_sub(label_w + figures_w + 4 + MIN_BAR).max(4);
        let who_w = (owners.iter())
            .map(|(name, pid)| width(name) + pid.as_deref().map_or(0, width))
            .max()
            .unwrap_or(4)
            .clamp(4, 40)
            .min(who_room);
        let bar_w = w.saturating_sub(label_w + who_w + figures_w + 4);
        let now = self.shown_now();
        for (i, (wait, (name, pid))) in shown.iter().zip(&owners).enumerate() {
            let y = inner.y + i as u16;
            let (frac, style, figures) = self.wait_state(wait, now);
            let mut x = inner.x + 1;
            x = self.put(
                buf,
                x,
                y,
                &pad(&clean(&wait.label), label_w),
                label_w as u16,
                th.text,
            );
            x += 1;
            self.bar(buf, x, y, bar_w as u16, frac, style);
            x += bar_w as u16 + 1;
            x = self.put(
                buf,
                x,
                y,
                &pad_left(&figures, figures_w),
                figures_w as u16,
                style,
            );
            x += 1;
            // When the column is short, the name gives way and the pid that tells it apart stays.
            let room = inner.right().saturating_sub(x);
            let pid = pid.as_deref().unwrap_or("");
            let name_room = room.saturating_sub(width(pid) as u16);
            x = self.put(buf, x, y, &clean(name), name_room, th.muted);
            self.put(buf, x, y, pid, inner.right().saturating_sub(x), th.muted);
        }
    }

    /// The thread a wait is on, by name, and when threads of two processes share that name
    /// (each workshop has a `ThreadPoolExecutor-0_0`), the words that say its process.
    fn owner(&self, w: &Wait) -> (String, Option<String>) {
        let name = self.program.thread_name(w.pid, w.tid);
        let pid = (self.program.name_shared(&name))
            .then(|| tf(self.lang, Key::watch_thread_in_process, &[&w.pid]));
        (name, pid)
    }

    /// How full a wait's bar is, its colour and its figures.
    fn wait_state(&self, w: &Wait, now: f64) -> (f64, Style, String) {
        let (th, lang, p) = (self.theme, self.lang, self.program);
        let secs = |s: f64| format!("{s:.2} s");
        if w.ticks > 1 {
            let text = tf(lang, Key::watch_ticks, &[&w.ticks, &secs(w.requested)]);
            let style = match (w.killed, w.end.is_some() && w.current.is_none()) {
                (true, _) => th.failed,
                (false, true) => th.done,
                _ => th.running,
            };
            return (1.0, style, text);
        }
        match (w.current, w.end, w.killed) {
            (_, _, true) => {
                let done = p.lesson(now) - p.lesson(w.start);
                let frac = if w.requested > 0.0 {
                    done / w.requested
                } else {
                    1.0
                };
                (
                    frac,
                    th.failed,
                    t(lang, Key::watch_killed_short).to_string(),
                )
            }
            (Some((start, d)), _, _) => {
                let done = (now - start).max(0.0) * p.speed;
                let frac = if d > 0.0 { done / d } else { 1.0 };
                (
                    frac,
                    th.running,
                    format!("{:.2}/{}", done.min(d), secs(w.requested)),
                )
            }
            (None, _, _) => (1.0, th.done, secs(w.requested)),
        }
    }

    fn bar(&self, buf: &mut Buffer, x: u16, y: u16, w: u16, frac: f64, style: Style) {
        let g = &self.theme.glyphs;
        // NaN or a stale figure must never draw outside the bar.
        let frac = if frac.is_finite() {
            frac.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let full = (frac * f64::from(w)).round() as u16;
        for i in 0..w {
            let (c, s) = if i < full {
                (g.bar_full, style)
            } else {
                (g.bar_empty, self.theme.bar_empty)
            };
            buf[(x + i, y)].set_char(c).set_style(s);
        }
    }

    fn lanes(&self, area: Rect, buf: &mut Buffer) {
        let (th, lang, p) = (self.theme, self.lang, self.program);
        let inner = self.pane(t(lang, Key::watch_pane_lanes), area, buf);
        if inner.height == 0 {
            return;
        }
        // Rows that do not fit are counted on the row after the last one shown, never cut
        // silently; the legend takes the pane's last row, or its last two.
        let rows = p.shown_rows();
        let fit = |legend_h: u16| {
            let room = usize::from(inner.height.saturating_sub(legend_h));
            if rows > room {
                room.saturating_sub(1)
            } else {
                room
            }
        };
        // The rows that fit, each a process or one of its threads: only they are measured and
        // drawn, so a frame costs the rows it shows however many threads the run had.
        let mut shown: Vec<(&Process, Option<&Thread>)> = Vec::new();
        'fit: for proc_ in p.shown_processes() {
            for row in std::iter::once(None).chain(p.threads_of(proc_.pid).map(Some)) {
                if shown.len() >= fit(1) {
                    break 'fit;
                }
                shown.push((proc_, row));
            }
        }
        let label_w = (shown.iter().filter_map(|(_, t)| t.map(|t| width(&t.name))))
            .max()
            .unwrap_or(8)
            .clamp(8, 24)
            + 2;
        let lane_x = inner.x + 1 + label_w as u16 + 1;
        let lane_w = inner.right().saturating_sub(lane_x + 1);
        let (t0, t1) = (p.t0(), self.shown_now().max(p.t0() + 1e-3));
        // Each thread row's cells and the marks they use, before anything is drawn: the legend
        // must explain every mark on screen, and when it needs two rows the lanes give one up.
        let lanes: Vec<Option<(Vec<Cell>, u8)>> = (shown.iter())
            .map(|(_, row)| row.map(|thread| self.lane(lane_w, thread, (t0, t1))))
            .collect();
        let marks = |n: usize| (lanes[..n].iter().flatten()).fold(0u8, |m, (_, k)| m | k);
        let room = usize::from(inner.width.saturating_sub(1));
        let mut drawn = shown.len();
        let mut legend = self.legend(marks(drawn), room, 1);
        if legend.len() > 1 && inner.height >= 3 {
            drawn = drawn.min(fit(2));
            legend = self.legend(marks(drawn), room, 2);
            legend.truncate(2);
        } else {
            legend.truncate(1);
        }
        let legend_y = inner.bottom() - legend.len() as u16;
        let mut y = inner.y;
        for ((proc_, row), lane) in shown.iter().zip(&lanes).take(drawn) {
            let (Some(thread), Some((cells, _))) = (row, lane) else {
                let head = self.process_title(proc_);
                self.put(
                    buf,
                    inner.x + 1,
                    y,
                    &head,
                    inner.width.saturating_sub(1),
                    th.accent,
                );
                y += 1;
                continue;
            };
            let tag = if thread.daemon { "D " } else { "  " };
            self.put(buf, inner.x + 1, y, tag, 2, th.warn);
            let name = pad(&clean(&thread.name), label_w - 2);
            let style = if thread.probed { th.text } else { th.muted };
            self.put(buf, inner.x + 3, y, &name, label_w as u16 - 2, style);
            for (i, cell) in cells.iter().enumerate() {
                if let Some((c, style)) = cell {
                    buf[(lane_x + i as u16, y)].set_char(*c).set_style(*style);
                }
            }
            y += 1;
        }
        if drawn < rows && y < legend_y {
            let more = tf(lang, Key::watch_more_lanes, &[&(rows - drawn)]);
            self.put(
                buf,
                inner.x + 1,
                y,
                &more,
                inner.width.saturating_sub(1),
                th.warn,
            );
        }
        for (line, y) in legend.iter().zip(legend_y..) {
            self.put(
                buf,
                inner.x + 1,
                y,
                line,
                inner.width.saturating_sub(1),
                th.dim,
            );
        }
    }

    /// What the lanes' marks mean, on at most `rows` rows of `room` columns when it can. An
    /// entry whose mark `marks` says is drawn is always there; the others give way when short
    /// of room (dots that are no mark at all first, then the shades' range, then the asleep
    /// dash, then the full block). Returns the rows it takes, more than `rows` when even the
    /// drawn marks need them.
    fn legend(&self, marks: u8, room: usize, rows: usize) -> Vec<String> {
        let (lang, g) = (self.lang, &self.theme.glyphs);
        let killed = if self.theme.ascii { 'x' } else { '✕' };
        // (text, which goes first when short of room: higher goes sooner, 0 never).
        let keep = |mark: u8, otherwise: u8| if marks & mark != 0 { 0 } else { otherwise };
        let mut parts: Vec<(String, u8)> = vec![
            (
                tf(lang, Key::watch_legend_on, &[&g.on_core[3]]),
                keep(FULL, 1),
            ),
            (
                tf(
                    lang,
                    Key::watch_legend_part,
                    &[&String::from_iter(&g.on_core[..3])],
                ),
                keep(PART, 3),
            ),
        ];
        if marks & ASLEEP != 0 || !self.program.waits.is_empty() {
            parts.push((
                tf(lang, Key::watch_legend_asleep, &[&g.waiting]),
                keep(ASLEEP, 2),
            ));
        }
        parts.push((tf(lang, Key::watch_legend_off, &[&g.track]), keep(OFF, 4)));
        if marks & DAEMON != 0 {
            parts.push((t(lang, Key::watch_legend_daemon).to_string(), 0));
        }
        if marks & KILLED != 0 {
            parts.push((tf(lang, Key::watch_legend_killed, &[&killed]), 0));
        }
        let mut lines = pack(&parts, room);
        for drop in [4, 3, 2, 1] {
            if lines.len() <= rows {
                break;
            }
            parts.retain(|(_, d)| *d != drop);
            lines = pack(&parts, room);
        }
        lines
    }

    fn process_title(&self, proc_: &Process) -> String {
        let (lang, p) = (self.lang, self.program);
        let mut s = if p.is_main(proc_.pid) {
            tf(lang, Key::watch_process_main, &[&proc_.pid])
        } else {
            tf(lang, Key::watch_process_child, &[&proc_.pid, &proc_.ppid])
        };
        if proc_.hello.is_none() {
            s.push_str(" · ");
            s.push_str(t(lang, Key::watch_unprobed));
        }
        match (proc_.end, proc_.exit_code) {
            (Some(_), Some(c)) => {
                s.push_str(&format!(" · {}", tf(lang, Key::watch_exit_code, &[&c])))
            }
            (Some(_), None) => s.push_str(&format!(" · {}", t(lang, Key::watch_ended))),
            _ => {}
        }
        s
    }

    /// One thread's lane from `t0` to `t1`, `w` cells: on a core, sleeping, alive, or not there
    /// (`None`). Returns the cells and which marks they use (see [`FULL`] and the others).
    fn lane(&self, w: u16, thread: &Thread, (t0, t1): (f64, f64)) -> (Vec<Cell>, u8) {
        let th = self.theme;
        let g = &th.glyphs;
        let mut marks = if thread.daemon { DAEMON } else { 0 };
        let mut cells: Vec<Cell> = vec![None; usize::from(w)];
        if w == 0 {
            return (cells, marks);
        }
        let span = (t1 - t0) / f64::from(w);
        let end = thread.end.unwrap_or(t1);
        // Where its process ended with it still running: that cell is the mark, nothing else.
        let killed_at = (thread.killed)
            .then(|| (((end - t0) / span).floor().max(0.0) as usize).min(cells.len() - 1));
        for (i, cell) in cells.iter_mut().enumerate() {
            if killed_at == Some(i) {
                marks |= KILLED;
                // As the legend says.
                *cell = Some((if th.ascii { 'x' } else { '✕' }, th.failed));
                continue;
            }
            let a = t0 + span * i as f64;
            let b = a + span;
            if b <= thread.start || a >= end {
                continue;
            }
            // The share of a core it had in this cell, shaded by quarters as on the main
            // screen's timeline: a thread that got a fifth of a core looks a fifth busy.
            // Its sleeps as the model keeps them per event (merged: asyncio's several at once
            // are one), found by a binary search: a cell's cost does not grow with the run.
            let sleeping = thread.asleep_in(a, b, end);
            *cell = Some(match on_core_level(thread.share(a, b)) {
                Some(l) => {
                    marks |= 1 << l;
                    (g.on_core[l], th.running)
                }
                None if sleeping => {
                    marks |= ASLEEP;
                    (g.waiting, th.accent)
                }
                None => {
                    marks |= OFF;
                    (g.track, th.dim)
                }
            });
        }
        (cells, marks)
    }

    /// The run's figures, label and value, as the panel shows them.
    fn figures(&self) -> Vec<(String, String, Style)> {
        let (th, lang, p) = (self.theme, self.lang, self.program);
        let (sum, longest) = p.sum_and_longest();
        let elapsed = p.lesson(self.shown_now());
        let mut lines: Vec<(String, String, Style)> = vec![(
            t(lang, Key::timing_elapsed).into(),
            format!("{elapsed:.2} s"),
            th.accent,
        )];
        // A program that never slept has no waits to add up (its waits pane says so).
        if !p.waits.is_empty() {
            lines.extend([
                (
                    t(lang, Key::watch_sum).into(),
                    format!("{sum:.2} s"),
                    th.text,
                ),
                (
                    t(lang, Key::watch_longest).into(),
                    format!("{longest:.2} s"),
                    th.text,
                ),
                (
                    t(lang, Key::watch_at_once).into(),
                    p.max_overlap().to_string(),
                    th.text,
                ),
            ]);
        }
        lines.extend([
            (
                t(lang, Key::watch_threads).into(),
                p.shown_thread_count().to_string(),
                th.text,
            ),
            (
                t(lang, Key::watch_processes).into(),
                p.shown_process_count().to_string(),
                th.text,
            ),
        ]);
        // Rounded as the verdict reads them; not the whole CpuFigures, which collects every
        // thread, on every frame.
        if let Some(c) = p.cores_busy().map(report::hundredths) {
            lines.push((
                t(lang, Key::watch_cores_busy).into(),
                format!("{c:.2}"),
                th.accent,
            ));
            lines.push((
                t(lang, Key::watch_cpu_time).into(),
                format!("{:.2} s", p.cpu_total()),
                th.text,
            ));
        }
        // What the verdict weighs against: room the machine left (all programs counted).
        if let Some(idle) = p.idle_cores().map(report::hundredths) {
            lines.push((
                t(lang, Key::watch_idle).into(),
                format!("{idle:.2}"),
                th.text,
            ));
        }
        if p.malformed + p.unknown > 0 {
            lines.push((
                t(lang, Key::watch_ignored).into(),
                (p.malformed + p.unknown).to_string(),
                th.warn,
            ));
        }
        lines
    }

    /// What the figures support, once the run is over; how it failed, if it did.
    fn notes(&self) -> Vec<(String, Style)> {
        let (th, lang, p) = (self.theme, self.lang, self.program);
        let mut notes: Vec<(String, Style)> = Vec::new();
        let killed: Vec<String> = p.killed().map(|t| clean(&t.name)).collect();
        if !killed.is_empty() {
            notes.push((tf(lang, Key::watch_killed, &[&killed.join(", ")]), th.warn));
        }
        notes.extend(
            report::conclusions(lang, p)
                .into_iter()
                .map(|c| (c, th.done)),
        );
        if p.ended.is_some_and(|e| e.code != Some(0)) {
            notes.push((t(lang, Key::watch_stderr_tail).into(), th.failed));
            let tail = p.stderr_tail.len().saturating_sub(4);
            for l in p.stderr_tail.iter().skip(tail) {
                notes.push((clean(l), th.failed));
            }
        }
        if p.ended.is_some() && !p.probed() {
            notes.push((t(lang, Key::watch_no_probe).into(), th.warn));
        }
        notes
    }

    fn side(&self, area: Rect, buf: &mut Buffer) {
        let (th, lang) = (self.theme, self.lang);
        let inner = self.pane(t(lang, Key::pane_timing), area, buf);
        let w = inner.width.saturating_sub(2) as usize;
        let mut y = inner.y;
        for (k, v, style) in self.figures() {
            if y >= inner.bottom() {
                return;
            }
            let key_w = w.saturating_sub(width(&v) + 1);
            self.put(buf, inner.x + 1, y, &pad(&k, key_w), key_w as u16, th.muted);
            self.put(
                buf,
                inner.x + 1 + key_w as u16 + 1,
                y,
                &v,
                width(&v) as u16,
                style,
            );
            y += 1;
        }
        for (note, style) in self.notes() {
            y += 1;
            for line in wrap(&note, w) {
                if y >= inner.bottom() {
                    return;
                }
                self.put(buf, inner.x + 1, y, &line, w as u16, style);
                y += 1;
            }
        }
    }

    /// The same as the side panel, for a screen too narrow for one: the figures run on as one
    /// paragraph, then what they support, each wrapped to `w` columns.
    fn summary_lines(&self, w: usize) -> Vec<(String, Style)> {
        let th = self.theme;
        let figures: Vec<String> = (self.figures().into_iter())
            .map(|(k, v, _)| format!("{k} {v}"))
            .collect();
        let mut out: Vec<(String, Style)> = (wrap(&figures.join(" · "), w).into_iter())
            .map(|l| (l, th.text))
            .collect();
        for (note, style) in self.notes() {
            out.extend(wrap(&note, w).into_iter().map(|l| (l, style)));
        }
        out
    }

    fn summary(&self, lines: &[(String, Style)], area: Rect, buf: &mut Buffer) {
        let inner = self.pane(t(self.lang, Key::pane_timing), area, buf);
        for ((line, style), y) in lines.iter().zip(inner.y..inner.bottom()) {
            self.put(
                buf,
                inner.x + 1,
                y,
                line,
                inner.width.saturating_sub(2),
                *style,
            );
        }
    }

    fn log(&self, area: Rect, buf: &mut Buffer) {
        let (th, lang, p) = (self.theme, self.lang, self.program);
        let inner = self.pane(t(lang, Key::pane_log), area, buf);
        let rows = inner.height as usize;
        let skip = p.log.len().saturating_sub(rows);
        for (i, e) in p.log.iter().skip(skip).enumerate() {
            let line = report::transcript_line(lang, p, e);
            let style = match e.kind {
                super::model::LogKind::Stderr(_) => th.failed,
                super::model::LogKind::Printed(_) | super::model::LogKind::Stdout(_) => th.text,
                super::model::LogKind::Killed { .. } => th.warn,
                _ => th.muted,
            };
            self.put(
                buf,
                inner.x + 1,
                inner.y + i as u16,
                &line,
                inner.width.saturating_sub(1),
                style,
            );
        }
    }
}

/// Which of the four shades a share of a core gets, to the nearest quarter; under a tenth is
/// not on a core (the kernel's 10 ms tick charged to a thread that woke a moment).
pub fn on_core_level(share: f64) -> Option<usize> {
    if !share.is_finite() || share < 0.1 {
        return None;
    }
    let quarters = (share.min(1.0) * 4.0).round() as usize;
    Some(quarters.clamp(1, 4) - 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::watch::protocol::parse;
    use crate::watch::session::{Ended, Input};

    pub(crate) fn program(lines: &[&str]) -> Program {
        let mut p = Program::new(vec!["python3".into(), "threads.py".into()], 10.0, 10, 0.0);
        crate::watch::model::tests::feed(&mut p, lines);
        p
    }

    fn text(buf: &Buffer) -> String {
        let mut s = String::new();
        for y in 0..buf.area.height {
            for x in 0..buf.area.width {
                s.push_str(buf[(x, y)].symbol());
            }
            s.push('\n');
        }
        s
    }

    /// The watch screen of `p` at `now`, `w`×`h` in `lang`, as text (a row a line).
    fn drawn(p: &Program, lang: Lang, now: f64, w: u16, h: u16) -> String {
        drawn_in(&Theme::default(), p, lang, now, w, h)
    }

    /// [`drawn`] in `theme`.
    fn drawn_in(theme: &Theme, p: &Program, lang: Lang, now: f64, w: u16, h: u16) -> String {
        let view = WatchView {
            program: p,
            lang,
            theme,
            now,
            back: false,
        };
        let mut buf = Buffer::empty(Rect::new(0, 0, w, h));
        (&view).render(buf.area, &mut buf);
        text(&buf)
    }

    #[test]
    fn a_thread_waiting_for_several_things_at_once_is_asleep_until_the_last_ends() {
        // asyncio: two sleeps on the main thread, the later-started one ending first.
        let mut p = program(&[
            r#"{"v":1,"ev":"hello","t":1.0,"pid":10,"tid":10,"name":"MainThread","python":"3.11.7","gil":true,"cpus":2}"#,
            r#"{"v":1,"ev":"sleep","t":1.0,"pid":10,"tid":10,"d":6,"w":1,"site":"a.py:9","args":[["filename","a"]]}"#,
            r#"{"v":1,"ev":"sleep","t":1.0,"pid":10,"tid":10,"d":5,"w":2,"site":"a.py:9","args":[["filename","b"]]}"#,
            r#"{"v":1,"ev":"wake","t":1.5,"pid":10,"tid":10,"w":2}"#,
            r#"{"v":1,"ev":"wake","t":1.6,"pid":10,"tid":10,"w":1}"#,
            r#"{"v":1,"ev":"exit","t":1.6,"pid":10,"tid":10,"alive":[]}"#,
        ]);
        p.apply(Input::Exited(Ended {
            code: Some(0),
            signal: None,
            cpu: 0.0,
            at: 1.6,
        }));
        let screen = drawn(&p, Lang::En, 1.6, 120, 30);
        let lane = (screen.lines())
            .find(|l| l.contains("MainThread") && l.contains('─'))
            .unwrap_or_else(|| panic!("no lane:\n{screen}"));
        let cells: String = lane
            .split("MainThread")
            .nth(1)
            .unwrap()
            .trim()
            .chars()
            .take(40)
            .collect();
        assert!(cells.chars().all(|c| c == '─'), "{lane}");
    }

    #[test]
    fn a_tiny_screen_says_so_and_any_size_draws_without_panicking() {
        let mut p = program(&[
            r#"{"v":1,"ev":"hello","t":1.0,"pid":10,"tid":10,"name":"MainThread","python":"3.11.7","gil":true,"cpus":2}"#,
            r#"{"v":1,"ev":"sleep","t":1.1,"pid":10,"tid":10,"d":3,"fn":"download","args":[["filename","Python从入门到住院.pdf"]]}"#,
        ]);
        p.apply(Input::Exited(Ended {
            code: Some(1),
            signal: None,
            cpu: 0.1,
            at: 1.2,
        }));
        for (w, h) in [
            (10, 4),
            (20, 8),
            (40, 10),
            (80, 24),
            (99, 30),
            (100, 30),
            (200, 60),
        ] {
            let screen = drawn(&p, Lang::Zh, 1.2, w, h);
            if (w, h) == (40, 10) {
                assert!(screen.contains("threadlab watch"), "{screen}");
            }
        }
    }

    #[test]
    fn wait_rows_name_the_process_only_when_two_share_a_thread_name() {
        // workshops.py: two processes, each with a pool whose first worker has the same name.
        let mut lines = vec![
            r#"{"v":1,"ev":"hello","t":1.0,"pid":10,"tid":10,"name":"MainThread","python":"3.11.7","gil":true,"cpus":2}"#.to_string(),
        ];
        for (pid, file) in [(21, "a.pdf"), (22, "b.pdf")] {
            lines.push(format!(r#"{{"v":1,"ev":"hello","t":1.0,"pid":{pid},"tid":{pid},"ppid":10,"name":"MainThread","python":"3.11.7","gil":true,"cpus":2}}"#));
            lines.push(format!(r#"{{"v":1,"ev":"thread_start","t":1.1,"pid":{pid},"tid":{},"name":"ThreadPoolExecutor-0_0"}}"#, pid + 100));
            lines.push(format!(r#"{{"v":1,"ev":"sleep","t":1.2,"pid":{pid},"tid":{},"d":3,"fn":"download","args":[["filename","{file}"]]}}"#, pid + 100));
        }
        lines.push(
            r#"{"v":1,"ev":"thread_start","t":1.1,"pid":21,"tid":140,"name":"Thread-1 (count)"}"#
                .to_string(),
        );
        lines.push(r#"{"v":1,"ev":"sleep","t":1.2,"pid":21,"tid":140,"d":3,"fn":"count","args":[["what","c.pdf"]]}"#.to_string());
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        let p = program(&lines);
        for (lang, a, b) in [
            (
                Lang::En,
                "ThreadPoolExecutor-0_0 (pid 21)",
                "ThreadPoolExecutor-0_0 (pid 22)",
            ),
            (
                Lang::Zh,
                "ThreadPoolExecutor-0_0（进程 21）",
                "ThreadPoolExecutor-0_0（进程 22）",
            ),
        ] {
            for (w, h) in [(120, 40), (80, 24)] {
                let screen = drawn(&p, lang, 1.5, w, h);
                // Without spaces: a wide character's second cell reads as one here.
                let row = |file: &str| {
                    (screen.lines())
                        .find(|l| l.contains(file))
                        .unwrap_or_else(|| panic!("no {file} row at {w}×{h}:\n{screen}"))
                        .replace(' ', "")
                };
                let (a, b) = (a.replace(' ', ""), b.replace(' ', ""));
                assert!(row("a.pdf").contains(&a), "{w}×{h}:\n{screen}");
                assert!(row("b.pdf").contains(&b), "{w}×{h}:\n{screen}");
                // A name only one process uses needs no pid.
                let c = row("c.pdf");
                assert!(c.contains("Thread-1(count)") && !c.contains("21"), "{c}");
            }
        }
    }

    #[test]
    fn log_and_transcript_lines_name_the_process_when_two_share_a_thread_name() {
        // workshops.py: each workshop's pool has a `ThreadPoolExecutor-0_0`, and both print.
        let mut lines = vec![
            r#"{"v":1,"ev":"hello","t":1.0,"pid":10,"tid":10,"name":"MainThread","python":"3.11.7","gil":true,"cpus":2}"#.to_string(),
        ];
        for (pid, file) in [(21, "a.pdf"), (22, "b.pdf")] {
            lines.push(format!(r#"{{"v":1,"ev":"hello","t":1.0,"pid":{pid},"tid":{pid},"ppid":10,"name":"MainThread","python":"3.11.7","gil":true,"cpus":2}}"#));
            lines.push(format!(r#"{{"v":1,"ev":"thread_start","t":1.1,"pid":{pid},"tid":{},"name":"ThreadPoolExecutor-0_0"}}"#, pid + 100));
            lines.push(format!(r#"{{"v":1,"ev":"print","t":1.2,"pid":{pid},"tid":{},"stream":"stdout","text":"Downloading {file}...\n"}}"#, pid + 100));
        }
        lines.push(
            r#"{"v":1,"ev":"thread_start","t":1.1,"pid":21,"tid":140,"name":"Thread-1 (count)"}"#
                .to_string(),
        );
        lines.push(r#"{"v":1,"ev":"print","t":1.2,"pid":21,"tid":140,"stream":"stdout","text":"counting\n"}"#.to_string());
        // Every process's main thread is a `MainThread`: the parent's says its pid too.
        lines.push(r#"{"v":1,"ev":"print","t":1.3,"pid":10,"tid":10,"stream":"stdout","text":"All done\n"}"#.to_string());
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        let p = program(&lines);
        for (lang, a, b, main) in [
            (
                Lang::En,
                "[ThreadPoolExecutor-0_0 (pid 21)] Downloading a.pdf...",
                "[ThreadPoolExecutor-0_0 (pid 22)] Downloading b.pdf...",
                "[MainThread (pid 10)] All done",
            ),
            (
                Lang::Zh,
                "[ThreadPoolExecutor-0_0（进程 21）] Downloading a.pdf...",
                "[ThreadPoolExecutor-0_0（进程 22）] Downloading b.pdf...",
                "[MainThread（进程 10）] All done",
            ),
        ] {
            // The printed transcript.
            let transcript: Vec<String> = (p.log.iter())
                .map(|e| report::transcript_line(lang, &p, e))
                .collect();
            // A name only one process uses needs no pid.
            for want in [a, b, main, "[Thread-1 (count)] counting"] {
                assert!(
                    transcript.iter().any(|l| l.ends_with(want)),
                    "{want:?} not in {transcript:#?}"
                );
            }
            // The live screen's event log.
            let screen = drawn(&p, lang, 1.5, 120, 40).replace(' ', "");
            for want in [a, b, main, "[Thread-1 (count)] counting"] {
                assert!(
                    screen.contains(&want.replace(' ', "")),
                    "{want:?} not in\n{screen}"
                );
            }
        }
    }

    /// A daemon that computed half the time, killed at exit, beside a main thread that slept
    /// ("nap"): the legend has more to say than 80 columns hold.
    fn daemon_killed_beside_a_sleeper() -> Program {
        let mut p = program(&[
            r#"{"v":1,"ev":"hello","t":1.0,"pid":10,"tid":10,"name":"MainThread","python":"3.11.7","gil":true,"cpus":2,"thread_cpu":0.0}"#,
            r#"{"v":1,"ev":"thread_start","t":1.0,"pid":10,"tid":11,"name":"Thread-1 (spin)","daemon":true}"#,
            r#"{"v":1,"ev":"sleep","t":1.0,"pid":10,"tid":10,"d":10,"fn":"main","args":[["what","nap"]]}"#,
        ]);
        for at in [1.0, 2.0] {
            let threads = vec![crate::watch::sampler::ThreadSample {
                tid: 11,
                comm: "python3".into(),
                cpu: 0.5 * (at - 1.0),
            }];
            p.apply(Input::Samples {
                at,
                procs: vec![crate::watch::sampler::ProcSample {
                    pid: 10,
                    ppid: 1,
                    cpu: 0.5 * (at - 1.0),
                    threads,
                }],
                idle: None,
            });
        }
        let exit = r#"{"v":1,"ev":"exit","t":2.0,"pid":10,"tid":10,"alive":[{"tid":11,"name":"Thread-1 (spin)","daemon":true}]}"#;
        let (stamp, event) = parse(exit.as_bytes()).unwrap();
        p.apply(Input::Probe {
            received: 2.0,
            stamp,
            event,
        });
        p
    }

    #[test]
    fn the_shades_a_lane_uses_keep_their_legend_on_a_small_screen() {
        let p = daemon_killed_beside_a_sleeper();
        for (lang, part) in [(Lang::En, "░▒▓ part of the time"), (Lang::Zh, "部分时间")] {
            for (w, h) in [(80, 24), (120, 40)] {
                let screen = drawn(&p, lang, 2.0, w, h);
                let lane = (screen.lines())
                    .find(|l| l.contains("Thread-1 (spin)"))
                    .unwrap_or_else(|| panic!("no lane:\n{screen}"));
                assert!(
                    lane.contains('▒'),
                    "half a core is the middle shade: {lane}"
                );
                let legend = (screen.lines())
                    .find(|l| l.contains('░') && l.contains('✕'))
                    .unwrap_or_else(|| panic!("no legend at {w}×{h}:\n{screen}"))
                    .replace(' ', "");
                assert!(
                    legend.contains(&part.replace(' ', "")),
                    "{w}×{h}: the shades are not explained:\n{screen}"
                );
            }
        }
    }

    #[test]
    fn every_mark_a_lane_draws_is_explained_by_the_legend_at_every_size() {
        // At 80×24 the legend used to drop "D daemon" while the daemon's lane showed its D.
        let p = daemon_killed_beside_a_sleeper();
        for ascii in [false, true] {
            let theme = if ascii {
                *Theme::of(crate::look::Look::choose(
                    crate::look::ThemeName::Dark,
                    true,
                    None,
                ))
            } else {
                Theme::default()
            };
            let g = &theme.glyphs;
            let killed = if ascii { 'x' } else { '✕' };
            let part = String::from_iter(&g.on_core[..3]);
            for lang in [Lang::En, Lang::Zh] {
                // (marks that need it, the legend's words for them), without spaces: a wide
                // character's second cell reads as one here.
                let entries: Vec<(Vec<char>, String)> = vec![
                    (
                        vec![g.on_core[3]],
                        tf(lang, Key::watch_legend_on, &[&g.on_core[3]]),
                    ),
                    (
                        g.on_core[..3].to_vec(),
                        tf(lang, Key::watch_legend_part, &[&part]),
                    ),
                    (
                        vec![g.waiting],
                        tf(lang, Key::watch_legend_asleep, &[&g.waiting]),
                    ),
                    (vec![g.track], tf(lang, Key::watch_legend_off, &[&g.track])),
                    (vec![killed], tf(lang, Key::watch_legend_killed, &[&killed])),
                ];
                for (w, h) in [
                    (80, 24),
                    (80, 30),
                    (90, 24),
                    (100, 30),
                    (120, 40),
                    (200, 60),
                ] {
                    let screen = drawn_in(&theme, &p, lang, 2.0, w, h);
                    let flat = screen.replace(' ', "");
                    let mut lanes = 0;
                    for name in ["MainThread", "Thread-1 (spin)"] {
                        // A lane's row: the name, then its cells up to the pane's border.
                        let Some(row) = (screen.lines())
                            .find(|l| l.contains(name) && !l.contains("nap") && !l.contains("tid"))
                        else {
                            continue;
                        };
                        lanes += 1;
                        let cells = row.split(name).nth(1).unwrap();
                        let cells = cells.split(['│', '|']).next().unwrap();
                        for (marks, words) in &entries {
                            if cells.chars().any(|c| marks.contains(&c)) {
                                assert!(
                                    flat.contains(&words.replace(' ', "")),
                                    "{w}×{h}: {words:?} is not explained:\n{screen}"
                                );
                            }
                        }
                        if row.contains(&format!("D {name}")) {
                            let daemon = t(lang, Key::watch_legend_daemon).replace(' ', "");
                            assert!(flat.contains(&daemon), "{w}×{h}: no {daemon}:\n{screen}");
                        }
                    }
                    assert_eq!(lanes, 2, "{w}×{h}: both lanes are on screen:\n{screen}");
                }
            }
        }
    }

    #[test]
    fn a_program_that_raised_shows_its_status_its_traceback_and_the_lines_it_ignored() {
        use crate::watch::protocol::Rejected;
        use crate::watch::session::Stream;
        let mut p = program(&[
            r#"{"v":1,"ev":"hello","t":1.0,"pid":10,"tid":10,"name":"MainThread","python":"3.11.7","gil":true,"cpus":2}"#,
        ]);
        for line in [
            "Traceback (most recent call last):",
            "  File \"<string>\", line 1, in <module>",
            "ValueError: boom",
        ] {
            p.apply(Input::Output {
                stream: Stream::Stderr,
                line: line.into(),
            });
        }
        for r in [Rejected::Malformed, Rejected::Malformed, Rejected::Unknown] {
            p.apply(Input::Rejected(r));
        }
        p.apply(Input::Exited(Ended {
            code: Some(1),
            signal: None,
            cpu: 0.0,
            at: 1.2,
        }));
        for lang in [Lang::En, Lang::Zh] {
            for (w, h) in [(80, 24), (120, 40)] {
                let screen = drawn(&p, lang, 1.2, w, h).replace(' ', "");
                for want in [
                    tf(lang, Key::watch_exit_code, &[&1]),
                    t(lang, Key::watch_stderr_tail).to_string(),
                    "ValueError: boom".to_string(),
                ] {
                    let want = want.replace(' ', "");
                    assert!(screen.contains(&want), "{w}×{h}: no {want:?}:\n{screen}");
                }
                // The ignored lines are counted where the figures are.
                let ignored = t(lang, Key::watch_ignored).replace(' ', "");
                assert!(
                    (screen.lines()).any(|l| l.contains(&ignored) && l.contains('3')),
                    "{w}×{h}: no count of ignored lines:\n{screen}"
                );
            }
        }
    }

    #[test]
    fn a_program_without_a_probe_says_so_and_shows_its_threads_from_proc() {
        use crate::watch::sampler::{ProcSample, ThreadSample};
        use crate::watch::session::Stream;
        // `python3 -I` (or a shell): only /proc knows it, its threads by their kernel names.
        let mut p = Program::new(vec!["python3".into(), "-I".into()], 1.0, 10, 0.0);
        for at in [0.1, 0.6] {
            p.apply(Input::Samples {
                at,
                procs: vec![ProcSample {
                    pid: 10,
                    ppid: 1,
                    cpu: 0.1 * at,
                    threads: vec![
                        ThreadSample {
                            tid: 10,
                            comm: "python3".into(),
                            cpu: 0.1 * at,
                        },
                        ThreadSample {
                            tid: 11,
                            comm: "worker-thread".into(),
                            cpu: 0.0,
                        },
                    ],
                }],
                idle: None,
            });
        }
        p.apply(Input::Exited(Ended {
            code: Some(0),
            signal: None,
            cpu: 0.06,
            at: 0.7,
        }));
        // Everything it sent has been read: the header may say no probe came.
        for stream in [Stream::Stdout, Stream::Stderr] {
            p.apply(Input::OutputClosed(stream));
        }
        for lang in [Lang::En, Lang::Zh] {
            for (w, h) in [(80, 24), (120, 40)] {
                let screen = drawn(&p, lang, 0.7, w, h).replace(' ', "");
                for want in [
                    t(lang, Key::watch_no_probe_short),
                    t(lang, Key::watch_unprobed),
                    "worker-thread",
                ] {
                    let want = want.replace(' ', "");
                    assert!(screen.contains(&want), "{w}×{h}: no {want:?}:\n{screen}");
                }
            }
        }
    }
}
