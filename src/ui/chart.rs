//! The comparison as a picture on the live screen: the chart `compare` prints (src/chart.rs),
//! drawn from the last result of each strategy once there are two to compare.

use super::paint::{pane, put};
use super::theme_of as theme;
use crate::app::App;
use crate::chart::{Entry, Glyphs, lines as chart_lines};
use crate::engine::Strategy;
use crate::i18n::{Key, t, tf};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

/// The chart's lines at `width` columns (the pane's, border included), or none while a run is
/// under way or fewer than two strategies have a result.
pub(super) fn lines(app: &App, width: u16) -> Vec<String> {
    let (entries, glyphs) = entries(app);
    chart_lines(
        app.settings.lang,
        &entries,
        usize::from(width.saturating_sub(2)),
        glyphs,
    )
}

/// How many of the last of [`lines`] are the legend.
pub(super) fn legend_rows(app: &App, width: u16) -> usize {
    let (entries, glyphs) = entries(app);
    let cols = usize::from(width.saturating_sub(2));
    crate::chart::legend_rows(app.settings.lang, &entries, cols, glyphs)
}

/// The chart's bars (none while a run is under way or fewer than two strategies have a
/// result), and its glyphs.
fn entries(app: &App) -> (Vec<Entry>, Glyphs) {
    let glyphs = if theme(app).ascii {
        Glyphs::ASCII
    } else {
        Glyphs::UNICODE
    };
    if app.is_running() || app.code.is_some() || app.results.len() < 2 {
        return (Vec::new(), glyphs);
    }
    // Results are cleared with the durations, so every one ran the tasks the last run ran; each
    // keeps its own workload and cores, so io and cpu runs, or runs on other cores, are drawn
    // in groups of their own and never on one scale.
    let state = app.run.as_ref().map_or(app.queued(), |r| &r.state);
    let entries: Vec<Entry> = (Strategy::ALL.iter())
        .filter_map(|s| app.results.get(s).map(|o| (s, o)))
        .map(|(&strategy, o)| Entry {
            strategy,
            workload: o.workload,
            cores: o.cores,
            elapsed: o.elapsed,
            ideal: o.ideal,
            sum: state.sum(),
            failed: o.failed > 0,
        })
        .collect();
    (entries, glyphs)
}

pub(super) fn render(app: &App, area: Rect, buf: &mut Buffer) {
    if area.height < 3 {
        return;
    }
    let th = theme(app);
    let inner = pane(th, t(app.settings.lang, Key::pane_chart), area, buf);
    let mut lines = lines(app, area.width);
    let room = usize::from(inner.height);
    // Short of rows, the legend goes before any bar (tryout, lesson mode at 80×24).
    if lines.len() > room {
        let legend = legend_rows(app, area.width).min(lines.len());
        lines.truncate(lines.len() - legend);
    }
    // Rows other panes needed more (a running Ping/Pong on a short screen): the chart says what
    // it could not show rather than silently leave strategies out.
    let shown = match lines.len() > room {
        true => room.saturating_sub(1),
        false => lines.len(),
    };
    for (y, line) in (inner.y..inner.bottom()).zip(&lines[..shown]) {
        put(th, buf, inner.x, y, inner.width, line, th.text);
    }
    if shown < lines.len() {
        let more = tf(
            app.settings.lang,
            Key::chart_more,
            &[&(lines.len() - shown)],
        );
        let y = inner.y + shown as u16;
        put(th, buf, inner.x, y, inner.width, &more, th.dim);
    }
}
