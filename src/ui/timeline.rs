//! The timeline pane: one lane per worker, showing which download ran when. Serial stacks, threads
//! run side by side, and a pool visibly reuses its few workers.

use super::downloads::phase_style;
use super::theme_of as theme;
use super::{pane, put};
use crate::app::App;
use crate::engine::Strategy;
use crate::i18n::{Key, t, tf};
use crate::report::Phase;
use crate::text::{pad, shorten_middle};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

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
        _ => Key::pane_timeline,
    };
    let inner = pane(th, t(app.settings.lang, title), area, buf);
    if inner.height < 2 || inner.width < 8 {
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
    let rows = inner.height as usize - 1; // the last row is the axis
    let shown = if run.lanes.len() > rows {
        rows - 1
    } else {
        run.lanes.len()
    };
    let track = String::from_iter(std::iter::repeat_n(g.track, track_w as usize));
    // Only the lanes on screen are drawn, each with the downloads its worker ran.
    for (i, lane) in run.lanes.in_order().take(shown).enumerate() {
        let y = inner.y + i as u16;
        put(
            th,
            buf,
            inner.x,
            y,
            label_w,
            &pad(
                &shorten_middle(&lane.name, label_w as usize, g.ellipsis),
                label_w as usize,
            ),
            th.muted,
        );
        put(th, buf, track_x, y, track_w, &track, th.dim);
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
            segment(app, ts, (track_x + a, y), b - a, buf);
        }
    }
    if run.lanes.len() > shown {
        let more = tf(
            app.settings.lang,
            Key::more_lanes,
            &[&(run.lanes.len() - shown)],
        );
        put(
            th,
            buf,
            inner.x,
            inner.y + shown as u16,
            inner.width,
            &more,
            th.dim,
        );
    }
    let axis_y = inner.bottom() - 1;
    let left = "0s".to_string();
    let right = format!("{span:.1}s");
    put(th, buf, track_x, axis_y, track_w, &left, th.dim);
    let rx = track_x + track_w.saturating_sub(right.len() as u16);
    put(th, buf, rx, axis_y, right.len() as u16, &right, th.dim);
}

/// One download's stretch of its lane, `w` cells from `at`: its number where it begins, then
/// solid colour, so the class can tell who ran what.
fn segment(app: &App, ts: &crate::report::TaskState, at: (u16, u16), w: u16, buf: &mut Buffer) {
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
