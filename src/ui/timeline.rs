//! The timeline pane: one lane per worker, showing which download ran when. Serial stacks, threads
//! run side by side, and a pool visibly reuses its few workers.

use super::downloads::phase_style;
use super::{pane, put};
use crate::app::App;
use crate::engine::Strategy;
use crate::i18n::{t, tf};
use crate::report::Phase;
use crate::text::pad;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use std::collections::HashMap;

pub(super) fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let th = &app.theme;
    let g = &th.glyphs;
    let title = match app.run.as_ref().map_or(app.strategy, |r| r.state.strategy) {
        Strategy::Process => "pane_timeline_process",
        Strategy::Workshops => "pane_timeline_workshops",
        _ => "pane_timeline",
    };
    let inner = pane(th, t(app.lang, title), area, buf);
    if inner.height < 2 || inner.width < 8 {
        return;
    }
    let Some(run) = &app.run else {
        return;
    };
    let state = &run.state;
    // By the workers' numbers (Thread-2 before Thread-10, pool-5 after the pool-4 it replaced,
    // child processes by pid), not the order they happened to report; workshop lanes
    // "pid N/tI" stay together under their process.
    let mut lanes: Vec<&std::sync::Arc<str>> = run.lanes.iter().collect();
    lanes.sort_by_cached_key(|l| natural_key(l));
    let label_w = run
        .lanes
        .iter()
        .map(|l| l.len())
        .max()
        .unwrap_or(4)
        .clamp(4, 14) as u16;
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
    let shown = if lanes.len() > rows {
        rows - 1
    } else {
        lanes.len()
    };
    let lane_of: HashMap<&str, usize> = lanes
        .iter()
        .take(shown)
        .enumerate()
        .map(|(i, l)| (&***l, i))
        .collect();
    for (i, lane) in lanes.iter().take(shown).enumerate() {
        let y = inner.y + i as u16;
        put(
            th,
            buf,
            inner.x,
            y,
            label_w,
            &pad(lane, label_w as usize),
            th.muted,
        );
        let track = String::from_iter(std::iter::repeat_n(g.track, track_w as usize));
        put(th, buf, track_x, y, track_w, &track, th.dim);
    }
    if run.lanes.len() > shown {
        let more = tf(app.lang, "more_lanes", &[&(run.lanes.len() - shown)]);
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
    for ts in &state.tasks {
        let (Some(worker), Some(start)) = (&ts.worker, ts.start) else {
            continue;
        };
        let Some(&lane) = lane_of.get(&**worker) else {
            continue;
        };
        let end = ts.end.unwrap_or(run.now).max(start);
        let (a, b) = (col(start), col(end).max(col(start) + 1).min(track_w));
        if b <= a {
            continue;
        }
        // Finished downloads alternate colours, so neighbours in one lane stay apart.
        let style = match ts.phase {
            Phase::Done => th.lanes[ts.task.id % th.lanes.len()],
            p => phase_style(th, p),
        };
        // The download's number marks where it begins, so the class can tell who ran what.
        let mut seg: String = (ts.task.id + 1).to_string();
        seg.truncate((b - a) as usize);
        let fill = (b - a) as usize - seg.chars().count();
        seg.extend(std::iter::repeat_n(g.segment, fill));
        let y = inner.y + lane as u16;
        put(th, buf, track_x + a, y, b - a, &seg, th.on(style));
        // Keep the number readable: it sits on the colour, the rest is solid colour.
        put(
            th,
            buf,
            track_x + a + (b - a - fill as u16),
            y,
            fill as u16,
            &String::from_iter(std::iter::repeat_n(g.segment, fill)),
            style,
        );
    }
    let axis_y = inner.bottom() - 1;
    let left = "0s".to_string();
    let right = format!("{span:.1}s");
    put(th, buf, track_x, axis_y, track_w, &left, th.dim);
    let rx = track_x + track_w.saturating_sub(right.len() as u16);
    put(th, buf, rx, axis_y, right.len() as u16, &right, th.dim);
}

/// A name split into runs of text and numbers, numbers compared by value: `Thread-2` < `Thread-10`.
fn natural_key(name: &str) -> Vec<(String, u64)> {
    let mut key = Vec::new();
    let mut text = String::new();
    let mut chars = name.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_ascii_digit() {
            let mut n: u64 = 0;
            while let Some(d) = chars.peek().and_then(|c| c.to_digit(10)) {
                n = n.saturating_mul(10).saturating_add(u64::from(d));
                chars.next();
            }
            key.push((std::mem::take(&mut text), n));
        } else {
            text.push(c);
            chars.next();
        }
    }
    key.push((text, 0));
    key
}

#[cfg(test)]
mod tests {
    use super::natural_key;

    #[test]
    fn lanes_sort_by_their_numbers_not_their_letters() {
        let mut lanes = [
            "Thread-10",
            "Thread-2",
            "pid 9352/t1",
            "pid 9347/t2",
            "pid 9347/t1",
        ];
        lanes.sort_by_cached_key(|l| natural_key(l));
        assert_eq!(
            lanes,
            [
                "Thread-2",
                "Thread-10",
                "pid 9347/t1",
                "pid 9347/t2",
                "pid 9352/t1"
            ]
        );
    }
}
