//! The comparison as a picture: one bar per strategy's run, solid up to its ideal and shaded
//! beyond it, with the serial sum as a reference line, grouped by workload and cores. Pure text
//! lines of a given width, so `compare` prints them and the live screen can draw them.

use crate::engine::{Strategy, Workload};
use crate::i18n::{Key, Lang, strategy_name, t, tf};
use crate::text::{pad, pad_left, width, wrap};

/// One finished run as the chart shows it; times in lesson seconds.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub strategy: Strategy,
    pub workload: Workload,
    pub cores: usize,
    pub elapsed: f64,
    pub ideal: f64,
    /// The serial sum of the run's durations: the reference line.
    pub sum: f64,
    /// A download failed: the bar is drawn, but its time is no fair comparison.
    pub failed: bool,
}

/// The characters a chart is drawn with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Glyphs {
    /// Elapsed time up to the ideal.
    pub ideal: char,
    /// Elapsed time beyond the ideal.
    pub beyond: char,
    /// The serial sum's column, where no bar covers it; and the ideal's, past a bar that ended
    /// before it.
    pub rule: char,
    pub mark: char,
}

impl Glyphs {
    pub const UNICODE: Glyphs = Glyphs {
        ideal: '█',
        beyond: '░',
        rule: '┆',
        mark: '▏',
    };
    /// For terminals without block or box-drawing characters (`--ascii`).
    pub const ASCII: Glyphs = Glyphs {
        ideal: '#',
        beyond: '=',
        rule: ':',
        mark: '|',
    };
}

/// The fewest columns a bar gets, however narrow the chart.
const MIN_BAR: usize = 8;

/// The chart's lines, at most `width` columns each (when `width` leaves a bar at least
/// [`MIN_BAR`] columns beside the longest name and time): per group of workload and cores, a
/// heading, one bar per entry in the order given, and a legend at the end, wrapped to the width.
/// Empty for no entries.
pub fn lines(lang: Lang, entries: &[Entry], width_cols: usize, glyphs: Glyphs) -> Vec<String> {
    if entries.is_empty() {
        return Vec::new();
    }
    let mut groups: Vec<(Workload, usize)> = Vec::new();
    for e in entries {
        if !groups.contains(&(e.workload, e.cores)) {
            groups.push((e.workload, e.cores));
        }
    }
    let (label_w, value_w) = widths(lang, entries);
    let bar_w = width_cols
        .saturating_sub(label_w + value_w + 2)
        .max(MIN_BAR);
    // Headings and the legend wrap to the width, or to the bars' own where those cannot shrink.
    let fit = width_cols.max(label_w + value_w + MIN_BAR + 2);
    // One scale for every group, so a bar's length compares across groups too: an 11 s io run
    // and a 17 s cpu run once drew bars of the same length, each group scaled to its own.
    let top = (entries.iter())
        .flat_map(|e| [e.elapsed, e.ideal, e.sum])
        .filter(|s| s.is_finite())
        .fold(0.0, f64::max);
    let mut out = Vec::new();
    for (workload, cores) in groups {
        let group: Vec<&Entry> = (entries.iter())
            .filter(|e| (e.workload, e.cores) == (workload, cores))
            .collect();
        // The longest sum of the group: every entry of a compare has the same durations.
        let sum = group.iter().map(|e| e.sum).fold(0.0, f64::max);
        let workload_name = match workload {
            Workload::Io => t(lang, Key::workload_io),
            Workload::Cpu => t(lang, Key::workload_cpu),
        };
        let heading = tf(
            lang,
            Key::chart_group,
            &[&workload_name, &cores, &format!("{sum:.2}")],
        );
        out.extend(wrap(&heading, fit));
        for e in group {
            let bar = bar(e, sum, top, bar_w, glyphs);
            out.push(format!(
                "{} {} {}",
                pad(strategy_name(lang, e.strategy), label_w),
                bar,
                pad_left(&value(lang, e), value_w)
            ));
        }
    }
    out.extend(legend(lang, glyphs, fit));
    out
}

/// What a bar's entry says at its end: its time, or that a download failed.
fn value(lang: Lang, e: &Entry) -> String {
    match e.failed {
        true => t(lang, Key::result_failed).to_string(),
        false => format!("{:.2} s", e.elapsed),
    }
}

/// The widest strategy name and the widest value of `entries`.
fn widths(lang: Lang, entries: &[Entry]) -> (usize, usize) {
    let label_w = (entries.iter())
        .map(|e| width(strategy_name(lang, e.strategy)))
        .max()
        .unwrap_or(0);
    let value_w = (entries.iter())
        .map(|e| width(&value(lang, e)))
        .max()
        .unwrap_or(0);
    (label_w, value_w)
}

/// The legend's lines at the end of [`lines`], wrapped to `fit` columns.
fn legend(lang: Lang, glyphs: Glyphs, fit: usize) -> Vec<String> {
    let legend = tf(
        lang,
        Key::chart_legend,
        &[&glyphs.ideal, &glyphs.beyond, &glyphs.rule, &glyphs.mark],
    );
    wrap(&legend, fit)
}

/// How many of the last of [`lines`] are the legend: a screen short of rows leaves them out
/// before any bar.
pub fn legend_rows(lang: Lang, entries: &[Entry], width_cols: usize, glyphs: Glyphs) -> usize {
    match entries.is_empty() {
        true => 0,
        false => {
            let (label_w, value_w) = widths(lang, entries);
            let fit = width_cols.max(label_w + value_w + MIN_BAR + 2);
            legend(lang, glyphs, fit).len()
        }
    }
}

/// The column (0-based, out of `cols`) where `seconds` ends on a scale whose full width is `top`.
fn column(seconds: f64, top: f64, cols: usize) -> usize {
    if top <= 0.0 || !seconds.is_finite() {
        return 0;
    }
    ((seconds / top * cols as f64).round() as usize).min(cols)
}

/// One bar of `cols` columns: solid up to the ideal, shaded beyond it, the sum's rule wherever
/// the bar is not solid, and the ideal's mark where a bar ended before its ideal.
fn bar(e: &Entry, sum: f64, top: f64, cols: usize, g: Glyphs) -> String {
    // A run that took any time at all shows at least one cell.
    let end = match column(e.elapsed, top, cols) {
        0 if e.elapsed > 0.0 => 1,
        n => n,
    };
    // Solid to the ideal; a run at or under its ideal is solid all along.
    let solid = match e.elapsed <= e.ideal {
        true => end,
        false => column(e.ideal, top, cols).min(end),
    };
    // An ideal the bar did not reach is marked in the cell where it ends.
    let mark = Some(column(e.ideal, top, cols)).filter(|&c| e.ideal > e.elapsed && c > end);
    // The rule sits in the column just before the sum's end, so a bar of exactly the sum covers it.
    let rule = column(sum, top, cols).saturating_sub(1);
    (0..cols)
        .map(|x| {
            if x < solid {
                g.ideal
            } else if Some(x + 1) == mark {
                g.mark
            } else if x == rule && (x > 0 || end == 0) {
                // Through the time beyond the ideal too, so a run slower than serial shows it;
                // never over a bar's only cell.
                g.rule
            } else if x < end {
                g.beyond
            } else {
                ' '
            }
        })
        .collect::<String>()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lesson's compare: 3 + 4 + 3 seconds, io, on 2 cores.
    fn entry(strategy: Strategy, elapsed: f64, ideal: f64) -> Entry {
        Entry {
            strategy,
            workload: Workload::Io,
            cores: 2,
            elapsed,
            ideal,
            sum: 10.0,
            failed: false,
        }
    }

    fn lesson() -> Vec<Entry> {
        vec![
            entry(Strategy::Serial, 10.0, 10.0),
            entry(Strategy::Threads, 5.0, 4.0),
            entry(Strategy::Pool, 2.0, 4.0),
        ]
    }

    #[test]
    fn bars_are_solid_to_the_ideal_and_shaded_beyond_it() {
        // Bars of 24 columns: 10 s is the full width, 2.4 columns a second.
        let lines = lines(Lang::En, &lesson(), 40, Glyphs::ASCII);
        assert_eq!(
            lines,
            [
                "io work · 2 core(s) · serial sum 10.00 s",
                "serial  ######################## 10.00 s",
                "threads ##########==           :  5.00 s",
                "pool    #####    |             :  2.00 s",
                "# elapsed up to the ideal · = beyond it",
                "· | ideal not reached · : serial sum",
            ]
        );
    }

    #[test]
    fn labelled_in_the_outputs_language() {
        let lines = lines(Lang::Zh, &lesson(), 40, Glyphs::UNICODE);
        assert_eq!(lines[0], "io 负载 · 2 个核 · 串行总和 10.00 秒");
        assert!(lines[1].starts_with("串行   ██"), "{lines:?}");
        assert!(lines[2].starts_with("多线程 ██"), "{lines:?}");
        assert!(lines[3].starts_with("线程池 ██"), "{lines:?}");
        assert!(lines[4].starts_with("█ 到理想耗时为止"), "{lines:?}");
        // Every line fits the width, wide characters counted as two columns.
        for l in &lines[1..4] {
            assert_eq!(width(l), 40, "{l}");
        }
        assert!(lines.iter().all(|l| width(l) <= 40), "{lines:?}");
    }

    #[test]
    fn groups_by_workload_and_cores_each_with_its_own_sum() {
        let mut entries = lesson();
        entries.push(Entry {
            workload: Workload::Cpu,
            cores: 1,
            sum: 12.0,
            ..entry(Strategy::Threads, 12.5, 12.0)
        });
        let lines = lines(Lang::En, &entries, 60, Glyphs::UNICODE);
        let heads: Vec<&String> = lines.iter().filter(|l| l.contains(" work · ")).collect();
        assert_eq!(
            heads,
            [
                "io work · 2 core(s) · serial sum 10.00 s",
                "cpu work · 1 core(s) · serial sum 12.00 s"
            ]
        );
        // One scale for both groups: the cpu bar, the longest time charted, fills the width.
        let cpu = lines.iter().find(|l| l.ends_with("12.50 s")).unwrap();
        assert!(cpu.starts_with("threads ████"), "{cpu}");
        assert!(cpu.ends_with("░ 12.50 s"), "{cpu}");
        // Slower than its ideal and past the sum: the sum's rule shows through the shading.
        let slow = Entry {
            sum: 10.0,
            ..entry(Strategy::Threads, 20.0, 4.0)
        };
        let lines = super::lines(Lang::En, &[slow], 28, Glyphs::ASCII);
        assert_eq!(lines[2], "threads ##===:====== 20.00 s", "{lines:?}");
    }

    #[test]
    fn bars_of_different_groups_share_one_scale() {
        let io = Entry {
            sum: 11.0,
            ..entry(Strategy::Serial, 11.0, 11.0)
        };
        let cpu = Entry {
            workload: Workload::Cpu,
            sum: 17.5,
            ..entry(Strategy::Threads, 17.5, 8.75)
        };
        let lines = lines(Lang::En, &[io, cpu], 60, Glyphs::ASCII);
        let drawn = |name: &str| {
            let l = lines.iter().find(|l| l.starts_with(name)).unwrap();
            l.chars().filter(|c| matches!(c, '#' | '=')).count()
        };
        let (short, long) = (drawn("serial"), drawn("threads"));
        assert!(
            short < long,
            "11 s drawn {short} cells, 17.5 s {long}: {lines:?}"
        );
        let ratio = short as f64 / long as f64;
        assert!((ratio - 11.0 / 17.5).abs() < 0.1, "{ratio}: {lines:?}");
    }

    #[test]
    fn a_failed_run_says_so_instead_of_a_time() {
        let mut entries = lesson();
        entries[1].failed = true;
        let lines = lines(Lang::En, &entries, 40, Glyphs::UNICODE);
        assert!(lines[2].ends_with(" failed"), "{lines:?}");
    }

    proptest::proptest! {
        /// Whatever the times and the width, every line fits (once the width leaves room for a
        /// bar), the bars all start and end in the same columns, and a run that took time shows.
        #[test]
        fn every_chart_fits_its_width(
            times in proptest::collection::vec((0.001f64..500.0, 0.001f64..500.0), 1..8),
            sum in 0.001f64..500.0,
            width_cols in 0usize..220,
        ) {
            let entries: Vec<Entry> = (times.iter().zip(Strategy::ALL))
                .map(|(&(elapsed, ideal), strategy)| Entry {
                    sum,
                    workload: Workload::Cpu,
                    ..entry(strategy, elapsed, ideal)
                })
                .collect();
            for lang in [Lang::En, Lang::Zh] {
                let lines = lines(lang, &entries, width_cols, Glyphs::UNICODE);
                let bars: Vec<&String> = (lines.iter())
                    .filter(|l| l.ends_with(" s") && (l.contains('█') || l.contains('░')))
                    .collect();
                proptest::prop_assert_eq!(bars.len(), entries.len(), "{:?}", lines);
                let w = width(bars[0]);
                proptest::prop_assert!(bars.iter().all(|l| width(l) == w), "{bars:?}");
                proptest::prop_assert!(lines.iter().all(|l| width(l) <= w.max(width_cols)));
                proptest::prop_assert!(bars.iter().all(|l| l.contains('█') || l.contains('░')));
            }
        }
    }

    #[test]
    fn narrow_widths_keep_a_readable_bar_and_nothing_is_empty_that_ran() {
        let tiny = vec![
            entry(Strategy::Threads, 0.01, 0.01),
            entry(Strategy::Serial, 10.0, 10.0),
        ];
        let lines = lines(Lang::En, &tiny, 1, Glyphs::ASCII);
        // The heading wraps to the bars' width; the bars keep MIN_BAR columns.
        assert_eq!(lines[..2], ["io work · 2 core(s) ·", "serial sum 10.00 s"]);
        assert_eq!(lines[2], "threads #      :  0.01 s");
        assert_eq!(lines[3], format!("serial  {} 10.00 s", "#".repeat(MIN_BAR)));
        assert!(super::lines(Lang::En, &[], 80, Glyphs::ASCII).is_empty());
    }
}
