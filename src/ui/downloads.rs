//! The downloads pane: one row per visible download, with a smooth bar.

use super::theme::Theme;
use super::theme_of as theme;
use super::{pane, put, put_on_bottom_border};
use crate::app::App;
use crate::engine::Workload;
use crate::i18n::{Key, t, tf};
use crate::run_state::{Phase, TaskState};
use crate::text::{pad, pad_left, shorten_middle, width, wrap};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

/// The style of a download in each phase.
pub(crate) fn phase_style(th: &Theme, p: Phase) -> Style {
    match p {
        Phase::Queued => th.queued,
        Phase::Running => th.running,
        Phase::Done => th.done,
        Phase::Failed => th.failed,
    }
}

pub(super) fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let state = app.view_state();
    let total = state.tasks.len();
    let title = if total > area.height.saturating_sub(2) as usize {
        let last = (app.scroll + area.height.saturating_sub(2) as usize).min(total);
        format!(
            "{} {}–{}/{total}",
            t(app.settings.lang, Key::pane_downloads),
            app.scroll + 1,
            last
        )
    } else {
        t(app.settings.lang, Key::pane_downloads).to_string()
    };
    let th = theme(app);
    let inner = pane(th, &title, area, buf);
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    if let Some(note) = note(app).filter(|n| note_fits(n, area.width)) {
        // On the pane's bottom border, right under the downloads it is about (a longer one is
        // wrapped under the pane: see `render_note`).
        put_on_bottom_border(th, buf, area, &note, th.failed);
    }
    let now = app.run.as_ref().map_or(0.0, |r| r.now);
    let name_w = app.name_width.min(inner.width as usize / 3) as u16;
    // Only the visible window is drawn: a thousand downloads cost no more than a screenful.
    let visible = || {
        state
            .tasks
            .iter()
            .skip(app.scroll)
            .take(inner.height as usize)
    };
    // The lanes keep their widest name, so this reads one number rather than every row.
    let widest = app.run.as_ref().map_or(0, |r| r.lanes.widest());
    let mut worker_w = widest.clamp(14, (inner.width as usize / 3).max(14));
    // A failed row's reason is whole where the bars can spare the room (every row's bar
    // shrinks alike, so the columns stay aligned); where not, the row says "failed" and the
    // log keeps the reason, wrapped.
    let figures_w = visible()
        .map(|ts| width(&figures(app, ts, now)))
        .max()
        .unwrap_or(0);
    let room = usize::from(inner.width)
        .saturating_sub(usize::from(name_w) + 1 + figures_w + MIN_BAR)
        .max(worker_w);
    let failed_w = visible()
        .filter(|ts| ts.phase == Phase::Failed)
        .map(|ts| width(&failed_text(app, ts, room)))
        .max()
        .unwrap_or(0);
    worker_w = worker_w.max(failed_w);
    for (row, ts) in visible().enumerate() {
        let y = inner.y + row as u16;
        draw_row(
            app,
            ts,
            now,
            (name_w, worker_w),
            Rect::new(inner.x, y, inner.width, 1),
            buf,
        );
    }
}

/// The fewest bar cells a row keeps when a failed row's reason wants the room.
const MIN_BAR: usize = 8;

/// A failed row's worker and why it failed in at most `room` columns: the reason whole, else
/// the word "failed" (the log and the note keep the reason), never a reason cut mid-word.
fn failed_text(app: &App, ts: &TaskState, room: usize) -> String {
    let worker = ts.worker.as_deref().unwrap_or("");
    let failed = t(app.settings.lang, Key::phase_failed);
    let join = |w: &str, why: &str| match w {
        "" => why.to_string(),
        w => format!("{w} {why}"),
    };
    if let Some(whole) =
        (ts.reason.as_ref()).map(|r| join(worker, &crate::i18n::failure(app.settings.lang, r)))
        && width(&whole) <= room
    {
        return whole;
    }
    let short = join(worker, failed);
    if width(&short) <= room {
        return short;
    }
    let ellipsis = theme(app).glyphs.ellipsis;
    let w = shorten_middle(worker, room.saturating_sub(width(failed) + 1), ellipsis);
    join(&w, failed)
}

/// A row's figures, as the row shows them: waiting (io), the percent and the time so far against
/// the time it takes; computing (cpu), the work done against the work needed (one core's
/// seconds), and apart from it the time it has taken, which on a shared core is longer.
fn figures(app: &App, ts: &TaskState, now: f64) -> String {
    let done = ts.done.clamp(0.0, 1.0);
    let elapsed = match (ts.start, ts.end) {
        (Some(s), Some(e)) => e - s,
        // Not capped at the duration: computing on a shared core really does take longer.
        (Some(s), None) => (now - s).max(0.0),
        _ => 0.0,
    };
    match app.view_state().workload {
        Workload::Cpu => format!(
            " {} ",
            tf(
                app.settings.lang,
                Key::bar_cpu,
                &[
                    &pad_left(&format!("{:.1}", done * ts.task.duration), 4),
                    &format_args!("{:.1}", ts.task.duration),
                    &pad_left(&format!("{elapsed:.1}"), 4),
                ]
            )
        ),
        Workload::Io => format!(
            " {}% {}/{}s ",
            pad_left(&format!("{:.0}", done * 100.0), 3),
            pad_left(&format!("{elapsed:.1}"), 4),
            format_args!("{:.1}", ts.task.duration)
        ),
    }
}

/// What the crash demo did, or the clicked download's details.
pub(super) fn note(app: &App) -> Option<String> {
    crash_note(app).or_else(|| details(app, app.view_state()))
}

/// Whether `note` fits on the bottom border of a pane `w` columns wide.
fn note_fits(note: &str, w: u16) -> bool {
    width(note) + 2 <= usize::from(w.saturating_sub(2))
}

/// The note's rows under a pane `w` columns wide: none when it fits on the border.
pub(super) fn note_rows(app: &App, w: u16) -> u16 {
    match note(app) {
        Some(n) if !note_fits(&n, w) => wrap(&n, usize::from(w.saturating_sub(2))).len() as u16,
        _ => 0,
    }
}

/// A note too long for the border, wrapped under the downloads, never cut.
pub(super) fn render_note(app: &App, area: Rect, buf: &mut Buffer) {
    let Some(note) = note(app) else { return };
    let th = theme(app);
    let lines = wrap(&note, usize::from(area.width.saturating_sub(2)));
    for (y, line) in (area.y..area.bottom()).zip(lines) {
        put(
            th,
            buf,
            area.x + 1,
            y,
            area.width.saturating_sub(2),
            &line,
            th.failed,
        );
    }
}

/// The clicked download's details: its worker, when it started and ended, how long it waited.
fn details(app: &App, state: &crate::run_state::RunState) -> Option<String> {
    use crate::i18n::tf;
    let ts = state.tasks.get(app.selected?)?;
    let secs = |t: Option<f64>| t.map_or("—".to_string(), |t| format!("{t:.2} s"));
    Some(tf(
        app.settings.lang,
        Key::details,
        &[
            &ts.task.name,
            &ts.worker.as_deref().unwrap_or("—"),
            &secs(ts.start),
            &secs(ts.end),
            // Every download is handed out at time 0: until its start it waited for a worker.
            &secs(ts.start),
        ],
    ))
}

/// The crash demo's outcome in one line, as the lesson would say it.
fn crash_note(app: &App) -> Option<String> {
    use crate::engine::{Crash, Strategy};
    use crate::i18n::{n_downloads, tf};
    let l = app.settings.lang;
    Some(match app.crash_note.as_ref()? {
        Crash::Panicked { worker, .. }
            if app
                .run
                .as_ref()
                .is_some_and(|r| r.state.strategy == Strategy::Pool) =>
        {
            tf(l, Key::crash_panicked_pool, &[worker])
        }
        Crash::Panicked { worker, .. }
            if app
                .run
                .as_ref()
                .is_some_and(|r| r.state.strategy == Strategy::Async) =>
        {
            tf(l, Key::crash_panicked_async, &[worker])
        }
        Crash::Panicked { worker, .. } => {
            tf(l, Key::crash_panicked, &[worker, &workshops_pointer(app)])
        }
        Crash::Killed { worker, .. } => tf(l, Key::crash_killed, &[worker]),
        Crash::Aborted {
            worker,
            tasks,
            others,
            ..
        } => {
            // The workshops alive when it went down, with the downloads they had left: one
            // that had finished its share goes on with nothing, so it is not said to.
            let planned = (app.run.as_ref()).map_or(0, |r| r.state.workshops_started());
            let left = n_downloads(l, others.iter().sum());
            let others = match others.len() {
                0 if planned <= 1 => t(l, Key::crash_others_none).to_string(),
                0 => t(l, Key::crash_others_gone).to_string(),
                1 => tf(l, Key::crash_others_one, &[&left]),
                n => tf(l, Key::crash_others_n, &[&n, &left]),
            };
            tf(
                l,
                Key::crash_aborted,
                &[worker, &n_downloads(l, tasks.len()), &others],
            )
        }
        Crash::NothingRunning => t(l, Key::crash_nothing).to_string(),
        Crash::Unsupported => tf(l, Key::crash_unsupported, &[&workshops_pointer(app)]),
    })
}

/// Where the class sees a crash that takes a whole process down: this scene (its workshops
/// run), the lesson's workshops scene by its number, or key 7 outside a lesson that has one.
fn workshops_pointer(app: &App) -> String {
    use crate::engine::Strategy;
    use crate::i18n::tf;
    let l = app.settings.lang;
    let Some(lesson) = &app.lesson else {
        return t(l, Key::crash_see_key).to_string();
    };
    let is_workshops = |s: &crate::lesson::Scene| s.preset.strategy == Some(Strategy::Workshops);
    if is_workshops(lesson.scene()) {
        return t(l, Key::crash_see_here).to_string();
    }
    match lesson.scenes.iter().position(is_workshops) {
        Some(i) => tf(l, Key::crash_see_scene, &[&(i + 1)]),
        None => t(l, Key::crash_see_key).to_string(),
    }
}

fn draw_row(
    app: &App,
    ts: &TaskState,
    now: f64,
    (name_w, worker_w): (u16, usize),
    r: Rect,
    buf: &mut Buffer,
) {
    let th = theme(app);
    let style = phase_style(th, ts.phase);
    let mut x = r.x;
    x += put(
        th,
        buf,
        x,
        r.y,
        name_w.min(r.width),
        // Cut with the theme's own ellipsis first (`...` under --ascii is wider than `…`), then
        // pad: a wide character that no longer fits leaves a space, never a shifted row.
        &pad(
            &th.truncate(&ts.task.name, name_w as usize),
            name_w as usize,
        ),
        style,
    );
    let done = ts.done.clamp(0.0, 1.0);
    let worker = match (ts.phase, &ts.worker) {
        (Phase::Queued, _) => t(app.settings.lang, Key::phase_queued).to_string(),
        (Phase::Failed, _) => failed_text(app, ts, worker_w),
        (_, Some(w)) => shorten_middle(w, worker_w, th.glyphs.ellipsis),
        (_, None) => String::new(),
    };
    let figures = figures(app, ts, now);
    // Room for the widest worker name the run has shown, whole (`DownloadThread-1`).
    let tail_w = (width(&figures) + worker_w) as u16;
    let bar_w = r.right().saturating_sub(x + 1).saturating_sub(tail_w);
    if bar_w >= 4 {
        x += 1;
        bar(th, buf, x, r.y, bar_w, done, style);
        x += bar_w;
    }
    x += put(
        th,
        buf,
        x,
        r.y,
        r.right().saturating_sub(x),
        &figures,
        th.text,
    );
    put(th, buf, x, r.y, r.right().saturating_sub(x), &worker, style);
}

/// A bar `w` cells wide, `done` (0..=1) of it filled, to the eighth of a cell where the theme
/// draws eighths.
fn bar(th: &Theme, buf: &mut Buffer, x: u16, y: u16, w: u16, done: f64, style: Style) {
    let g = &th.glyphs;
    let eighths = (done * w as f64 * 8.0).round() as usize;
    let (full, part) = (eighths / 8, eighths % 8);
    let mut s = String::with_capacity(w as usize * 3);
    for i in 0..w as usize {
        s.push(if i < full {
            g.bar_full
        } else if i == full && part > 0 {
            g.eighths[part]
        } else {
            g.bar_empty
        });
    }
    let filled = (full + usize::from(part > 0)) as u16;
    put(
        th,
        buf,
        x,
        y,
        filled,
        &s.chars().take(filled as usize).collect::<String>(),
        style,
    );
    let rest: String = s.chars().skip(filled as usize).collect();
    put(
        th,
        buf,
        x + filled,
        y,
        w - filled.min(w),
        &rest,
        th.bar_empty,
    );
}
