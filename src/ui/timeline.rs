//! The timeline pane: one lane per worker, showing which download ran when. Serial stacks, threads
//! run side by side, and a pool visibly reuses its few workers.

use super::downloads::phase_style;
use super::theme_of as theme;
use super::{pane, put, put_row};
use crate::app::App;
use crate::app::Lane;
use crate::engine::Strategy;
use crate::i18n::{Key, t, tf};
use crate::oncore::OnCore;
use crate::run_state::Phase;
use crate::text::{pad, shorten_middle};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

pub(super) fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let th = theme(app);
    let g = &th.glyphs;
    let title = match app
        .run
        .as_ref()
        .map_or(app.settings.strategy, |r| r.state.strategy)
    {
        Strategy::Process => Key::pane_timeline_process,
        Strategy::Workshops => Key::pane_timeline_workshops,
        Strategy::Serial
        | Strategy::Threads
        | Strategy::Custom
        | Strategy::Pool
        | Strategy::Async => Key::pane_timeline,
    };
    let title = t(app.settings.lang, title);
    let inner = Rect::new(
        area.x.saturating_add(1),
        area.y.saturating_add(1),
        area.width.saturating_sub(2),
        area.height.saturating_sub(2),
    );
    let rows = Rows::of(app.run.as_ref().map_or(0, |r| r.lanes.len()), inner.height);
    // A pane with one row says on its border how many lanes it left out: its only row is a lane.
    // Said only beside a lane: a pane with no row for one says nothing of "more".
    let title = match rows.more {
        n if n > 0 && !rows.more_row && rows.lanes > 0 => {
            let more = tf(app.settings.lang, Key::more_lanes, &[&n]);
            format!("{title} · {more}")
        }
        _ => title.to_string(),
    };
    let inner = pane(th, &title, area, buf);
    if inner.height == 0 || inner.width < 8 {
        return;
    }
    let Some(run) = &app.run else {
        return;
    };
    let state = &run.state;
    // Lanes come in the workers' own order, kept as they appeared (see `app::Lanes`).
    // Whole names where a third of the pane holds them (`DownloadThread-1`, `pid 12345/t2`);
    // beyond that shortened from the middle, so the distinguishing end stays.
    let label_w = (run.lanes.widest()).clamp(4, usize::from(inner.width / 3).max(14)) as u16;
    let track_x = inner.x + label_w + 1;
    let track_w = inner.right().saturating_sub(track_x);
    if track_w < 4 {
        return;
    }
    // One axis for the whole run: the ideal or the time so far, whichever is longer.
    let span = run.elapsed().max(state.ideal()).max(1e-9);
    let col = |t: f64| {
        ((t / span) * track_w as f64)
            .floor()
            .clamp(0.0, track_w as f64) as u16
    };
    let shown = rows.lanes;
    let track = String::from_iter(std::iter::repeat_n(g.track, track_w as usize));
    // Only the lanes on screen are drawn, each with the downloads its worker ran.
    let mut estimated = false;
    for (i, lane) in run.lanes.in_order().take(shown).enumerate() {
        let y = inner.y + i as u16;
        // A task's row on a sampled juggler is an estimate, not a reading (the sampler reads
        // threads; a task has none of its own): marked with ≈.
        let name = match lane.task_of.is_some() && run.sampled {
            true => format!("{}{}", g.estimated, lane.name),
            false => lane.name.to_string(),
        };
        estimated |= lane.task_of.is_some() && run.sampled;
        put(
            th,
            buf,
            inner.x,
            y,
            label_w,
            &pad(
                &shorten_middle(&name, label_w as usize, g.ellipsis),
                label_w as usize,
            ),
            th.muted,
        );
        put(th, buf, track_x, y, track_w, &track, th.dim);
        if run.sampled {
            sampled_lane(app, lane, (track_x, y), track_w, span, buf);
            continue;
        }
        for &task in &lane.tasks {
            let Some(ts) = state.tasks.get(task) else {
                continue;
            };
            let Some(start) = ts.start else {
                continue;
            };
            let end = ts.end.unwrap_or(run.now).max(start);
            let (a, b) = (col(start), col(end).max(col(start) + 1).min(track_w));
            if b <= a {
                continue;
            }
            if lane.juggler {
                // Its downloads overlap (each has its own row below): one stretch, no numbers.
                let fill = String::from_iter(std::iter::repeat_n(g.segment, (b - a).into()));
                put(th, buf, track_x + a, y, b - a, &fill, th.running);
                continue;
            }
            segment(app, ts, (track_x + a, y), b - a, buf);
        }
    }
    if rows.more_row {
        let more = tf(app.settings.lang, Key::more_lanes, &[&rows.more]);
        put_row(th, buf, inner, shown, &more, th.dim);
    }
    if !rows.axis {
        return;
    }
    let axis_y = inner.bottom() - 1;
    let left = "0s".to_string();
    let right = format!("{span:.1}s");
    put(th, buf, track_x, axis_y, track_w, &left, th.dim);
    let rx = track_x + track_w.saturating_sub(right.len() as u16);
    put(th, buf, rx, axis_y, right.len() as u16, &right, th.dim);
    if run.sampled {
        // What the shades mean, between the axis' ends where it fits whole.
        let part = String::from_iter(&g.on_core[..3]);
        let args: [&dyn std::fmt::Display; 4] = [&g.on_core[3], &part, &g.waiting, &g.estimated];
        let legend = |key| tf(app.settings.lang, key, &args);
        let lx = track_x + left.len() as u16 + 2;
        let room = rx.saturating_sub(lx + 1);
        // With task rows, the legend says their shades are estimated; where that does not fit,
        // the shorter legend still does (and each such row's ≈ stays).
        let keys = match estimated {
            true => [Key::timeline_legend_estimated, Key::timeline_legend],
            false => [Key::timeline_legend, Key::timeline_legend],
        };
        if let Some(legend) =
            (keys.into_iter().map(legend)).find(|l| crate::text::width(l) <= usize::from(room))
        {
            put(th, buf, lx, axis_y, room, &legend, th.dim);
        }
    }
}

/// How the timeline's rows are spent on `lanes` lanes in `height` rows inside its border.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Rows {
    /// Lanes drawn, from the first.
    lanes: usize,
    /// Lanes left out, said on a row under them when `more_row`, else on the border.
    more: usize,
    more_row: bool,
    /// The time axis on the last row.
    axis: bool,
}

/// The fewest rows inside the border that keep the time axis when the lanes do not all fit:
/// below it, lanes come first (tryout, 80×24: a crash message and the card left two rows, which
/// went to "+3 more workers" and the axis, and not one lane showed).
const AXIS_MIN_ROWS: usize = 5;

impl Rows {
    fn of(lanes: usize, height: u16) -> Rows {
        let h = usize::from(height);
        let all = |axis| Rows {
            lanes,
            more: 0,
            more_row: false,
            axis,
        };
        if lanes < h {
            return all(true);
        }
        if lanes <= h && h < AXIS_MIN_ROWS {
            return all(false);
        }
        // Not all fit: a row says how many were left out, except in a one-row pane (its border
        // says it), and the axis stays where there are rows enough.
        let axis = h >= AXIS_MIN_ROWS;
        let room = h - usize::from(axis);
        let (shown, more_row) = match room {
            0 | 1 => (room, false),
            n => (n - 1, true),
        };
        Rows {
            lanes: shown,
            more: lanes - shown,
            more_row,
            axis,
        }
    }
}

/// A lane whose thread the on-core sampler watched: each download's stretch drawn as waiting,
/// and over it, cell by cell, how much of that time the thread was on a core (the shade says
/// the share), so taking turns on one core and computing side by side on two look different.
fn sampled_lane(app: &App, lane: &Lane, at: (u16, u16), w: u16, span: f64, buf: &mut Buffer) {
    let th = theme(app);
    let g = &th.glyphs;
    let Some(run) = &app.run else {
        return;
    };
    let cols = usize::from(w);
    let col = |t: f64| ((t / span) * cols as f64).floor().clamp(0.0, cols as f64) as usize;
    // The columns a started download spans, from its start to its end (or now).
    let stretch = |task: usize| {
        let ts = run.state.tasks.get(task)?;
        let start = ts.start?;
        let end = ts.end.unwrap_or(run.now).max(start);
        Some((ts, col(start), col(end).max(col(start) + 1).min(cols)))
    };
    // Which download's colour each cell takes, and where each download's number goes.
    let mut alive: Vec<Option<Style>> = vec![None; cols];
    let mut labels = Vec::new();
    for (ts, a, b) in lane.tasks.iter().filter_map(|&task| stretch(task)) {
        let style = match ts.phase {
            Phase::Done => th.lanes[ts.task.id % th.lanes.len()],
            p => phase_style(th, p),
        };
        alive[a..b].iter_mut().for_each(|c| *c = Some(style));
        if a < b {
            labels.push((a, b, ts.task.id + 1, style));
        }
    }
    let mut shares = column_shares(&lane.on_core, span, cols);
    if lane.juggler {
        // Its downloads overlap (each has its own row below): one stretch, no numbers.
        labels.clear();
        let style = phase_style(th, Phase::Running);
        alive.iter_mut().flatten().for_each(|c| *c = style);
    }
    if let Some(thread) = lane.task_of.as_deref().and_then(|w| run.lanes.get(w)) {
        // A task has no thread of its own: it gets its turn of the juggler's, which takes its
        // tasks in turn (each yields after a chunk), so each in progress has an equal part.
        let mut juggled = vec![0u32; cols];
        for (_, a, b) in thread.tasks.iter().filter_map(|&task| stretch(task)) {
            juggled[a..b].iter_mut().for_each(|n| *n += 1);
        }
        shares = column_shares(&thread.on_core, span, cols);
        for (share, n) in shares.iter_mut().zip(juggled) {
            *share /= f64::from(n.max(1));
        }
        // Drawn apart from what was read: dim, whatever the task's colour.
        alive.iter_mut().flatten().for_each(|c| *c = th.dim);
    }
    let (x, y) = at;
    for (c, share) in shares.into_iter().enumerate() {
        let glyph = match level(share) {
            Some(l) => g.on_core[l],
            None if alive[c].is_some() => g.waiting,
            None => continue,
        };
        // On a core between two downloads (a pool worker taking the next job): the text colour.
        let style = alive[c].unwrap_or(th.text);
        if let Some(cell) = buf.cell_mut((x + c as u16, y)) {
            cell.set_char(glyph).set_style(style);
        }
    }
    for (a, b, number, style) in labels {
        let label = number.to_string();
        put(
            th,
            buf,
            x + a as u16,
            y,
            (b - a) as u16,
            &label,
            th.on(style),
        );
    }
}

/// The share of each of `cols` cells (of `span` lesson seconds in all) a thread spent on a core.
fn column_shares(stretches: &[OnCore], span: f64, cols: usize) -> Vec<f64> {
    let mut shares = vec![0.0; cols];
    if cols == 0 || span <= 0.0 {
        return shares;
    }
    let cell = span / cols as f64;
    for s in stretches {
        let first = ((s.from / cell).floor().max(0.0) as usize).min(cols);
        let last = ((s.to / cell).ceil().max(0.0) as usize).min(cols);
        for (c, share) in shares.iter_mut().enumerate().take(last).skip(first) {
            let (c0, c1) = (c as f64 * cell, (c + 1) as f64 * cell);
            let overlap = s.to.min(c1) - s.from.max(c0);
            if overlap > 0.0 {
                *share += overlap * f64::from(s.share) / cell;
            }
        }
    }
    shares
}

/// Which of the four shades a cell's share gets, rounded to the nearest quarter. Under a tenth
/// counts as waiting: a sleeping thread waking to report, or the kernel's 10 ms tick charged
/// to a thread that ran a moment.
fn level(share: f64) -> Option<usize> {
    if share < 0.1 {
        return None;
    }
    let quarters = (share.min(1.0) * 4.0).round() as usize;
    Some(quarters.clamp(1, 4) - 1)
}

/// One download's stretch of its lane, `w` cells from `at`: its number where it begins, then
/// solid colour, so the class can tell who ran what.
fn segment(app: &App, ts: &crate::run_state::TaskState, at: (u16, u16), w: u16, buf: &mut Buffer) {
    let th = theme(app);
    let g = &th.glyphs;
    // Finished downloads alternate colours, so neighbours in one lane stay apart.
    let style = match ts.phase {
        Phase::Done => th.lanes[ts.task.id % th.lanes.len()],
        p => phase_style(th, p),
    };
    let mut number = [0u8; 20];
    let label = {
        use std::io::Write;
        let mut cur = std::io::Cursor::new(&mut number[..]);
        let _ = write!(cur, "{}", ts.task.id + 1);
        let n = cur.position() as usize;
        std::str::from_utf8(&number[..n.min(w as usize)]).unwrap_or("")
    };
    let (x, y) = at;
    let used = put(th, buf, x, y, w, label, th.on(style));
    for cx in x + used..x + w {
        if let Some(cell) = buf.cell_mut((cx, y)) {
            cell.set_char(g.segment).set_style(style);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Rows;

    #[test]
    fn lanes_come_before_the_axis_and_more_is_said_only_under_a_lane() {
        let r = |lanes, more, more_row, axis| Rows {
            lanes,
            more,
            more_row,
            axis,
        };
        // Room for all and the axis.
        assert_eq!(Rows::of(3, 4), r(3, 0, false, true));
        assert_eq!(Rows::of(0, 1), r(0, 0, false, true));
        // Short: the lanes take the axis's row.
        assert_eq!(Rows::of(3, 3), r(3, 0, false, false));
        assert_eq!(Rows::of(3, 2), r(1, 2, true, false));
        assert_eq!(Rows::of(3, 1), r(1, 2, false, false));
        assert_eq!(Rows::of(1, 1), r(1, 0, false, false));
        // Tall enough: the axis stays and a row says how many more.
        assert_eq!(Rows::of(10, 6), r(4, 6, true, true));
        // No row inside: nothing drawn, and "more" is not said (the title checks `lanes`).
        assert_eq!(Rows::of(3, 0).lanes, 0);
        for lanes in 0..12 {
            for h in 1..12u16 {
                let x = Rows::of(lanes, h);
                assert_eq!(x.lanes + x.more, lanes, "{lanes} in {h}");
                assert!(
                    x.more == 0 || x.lanes > 0,
                    "+more with no lane: {lanes} in {h}"
                );
                let used = x.lanes + usize::from(x.more_row) + usize::from(x.axis);
                assert!(used <= usize::from(h), "{lanes} in {h}: {x:?}");
            }
        }
    }

    use super::*;

    fn on(from: f64, to: f64, share: f32) -> OnCore {
        OnCore { from, to, share }
    }

    #[test]
    fn a_cell_shows_the_share_of_its_time_on_a_core() {
        // Ten cells of one second: all of 0-2 s, half of 2-4 s, then a thread waiting.
        let shares = column_shares(&[on(0.0, 2.0, 1.0), on(2.0, 4.0, 0.5)], 10.0, 10);
        let levels: Vec<_> = shares.iter().map(|&s| level(s)).collect();
        assert_eq!(
            levels,
            [
                Some(3),
                Some(3),
                Some(1),
                Some(1),
                None,
                None,
                None,
                None,
                None,
                None
            ]
        );
        // A stretch across a cell's edge counts in both cells, by how much of each it covers.
        let shares = column_shares(&[on(0.5, 1.5, 1.0)], 2.0, 2);
        assert!((shares[0] - 0.5).abs() < 1e-9 && (shares[1] - 0.5).abs() < 1e-9);
        // A wake-up to report progress is not a turn on a core.
        assert_eq!(level(0.05), None);
        assert_eq!(
            (level(0.11), level(0.3), level(0.5)),
            (Some(0), Some(0), Some(1))
        );
    }
}
