//! The lesson's Python programs threadlab carries compiled in (`assets/python/`), so the main
//! screen and the lesson can run them for real under watch wherever threadlab is installed, and
//! what such a run showed, kept in both languages for the screen it returns to.

use super::model::Program;
use super::report;
use crate::engine::Strategy;
use crate::i18n::{Key, Lang, t, tf};

macro_rules! carried {
    ($($file:literal),* $(,)?) => {
        &[$(($file, include_str!(concat!("../../assets/python/", $file)))),*]
    };
}

/// Every program threadlab can run by name: file name, source.
const SCRIPTS: &[(&str, &str)] = carried!(
    "serial.py",
    "threads.py",
    "custom.py",
    "pool.py",
    "process.py",
    "async.py",
    "workshops.py",
    "ticker.py",
    "cpu_threads.py",
    "cpu_processes.py",
);

/// Whether a carried program's times are its sleeps (which `--speed` divides); the ones that
/// compute run at their own pace, so their wall time × speed would be no lesson time at all.
pub fn sleeps(name: &str) -> bool {
    !name.starts_with("cpu_")
}

/// The names threadlab carries, for messages that list them.
pub fn names() -> impl Iterator<Item = &'static str> {
    SCRIPTS.iter().map(|(n, _)| *n)
}

/// The carried program called `name` and its source.
pub fn script(name: &str) -> Option<(&'static str, &'static str)> {
    SCRIPTS.iter().find(|(n, _)| *n == name).copied()
}

/// The Python counterpart of a strategy: the program the code panel's `V` shows.
pub fn counterpart(strategy: Strategy) -> &'static str {
    match strategy {
        Strategy::Serial => "serial.py",
        Strategy::Threads => "threads.py",
        Strategy::Custom => "custom.py",
        Strategy::Pool => "pool.py",
        Strategy::Process => "process.py",
        Strategy::Async => "async.py",
        Strategy::Workshops => "workshops.py",
    }
}

/// The lesson's Ping/Pong program: the Python that threadlab's ticker and the daemon scenes'
/// program re-enact, shown beside them.
pub const PING_PONG: &str = "ticker.py";

/// What one run of a carried program showed, in English and Chinese (the screen it returns to
/// may switch language): a line of figures, then the conclusions they support and nothing more.
#[derive(Debug, Clone, PartialEq)]
pub struct Watched {
    pub script: &'static str,
    /// Whether the program ran to its end (false: stopped from the screen first).
    pub finished: bool,
    pub figures: [String; 2],
    pub conclusions: [Vec<String>; 2],
    /// The same figures as numbers, for a panel that lays them out in rows.
    pub numbers: Numbers,
}

/// What one run of a program measured, as the watch screen's timing panel shows it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Numbers {
    /// Its exit status, when it ran to its end.
    pub exit_code: Option<i32>,
    /// Lesson seconds (real seconds for a program that never slept).
    pub elapsed: f64,
    pub waits: usize,
    pub sum: f64,
    pub longest: f64,
    pub threads: usize,
    pub processes: usize,
    /// CPU seconds, cores busy and the machine's idle cores, as the verdict read them.
    pub cpu: f64,
    pub busy: Option<f64>,
    pub idle: Option<f64>,
    /// The build that ran: Python's version and whether it has a GIL (None: no probe).
    pub python: Option<String>,
    pub gil: Option<bool>,
}

impl Watched {
    /// The figures line in `lang`.
    pub fn figures(&self, lang: Lang) -> &str {
        &self.figures[usize::from(lang == Lang::Zh)]
    }

    /// The conclusions in `lang`.
    pub fn conclusions(&self, lang: Lang) -> &[String] {
        &self.conclusions[usize::from(lang == Lang::Zh)]
    }
}

/// Sum up `program`, a run of `script`, as the screen it returns to shows it.
pub fn summarize(script: &'static str, program: &Program) -> Watched {
    let both = |f: &dyn Fn(Lang) -> String| [f(Lang::En), f(Lang::Zh)];
    let finished = program.ended.is_some_and(|e| e.signal.is_none());
    Watched {
        script,
        finished,
        figures: both(&|lang| figures(lang, script, program)),
        conclusions: [
            report::conclusions(Lang::En, program),
            report::conclusions(Lang::Zh, program),
        ],
        numbers: numbers(program),
    }
}

fn numbers(p: &Program) -> Numbers {
    let (sum, longest) = p.sum_and_longest();
    let cpu = report::CpuFigures::of(p);
    let hello = p.hello();
    Numbers {
        exit_code: p.ended.filter(|e| e.signal.is_none()).and_then(|e| e.code),
        elapsed: p.wall() * p.scale(),
        waits: p.waits.len(),
        sum,
        longest,
        threads: p.shown_threads().count(),
        processes: p.shown_processes().count(),
        cpu: p.cpu_total(),
        busy: cpu.busy,
        idle: cpu.idle,
        python: hello.map(|h| report::clean(&h.python)),
        gil: hello.map(|h| h.gil),
    }
}

/// `threads.py: exit status 0 · 6.01 s · waits: sum 15.00 s, longest 6.00 s · cores busy 0.02 ·
/// Python 3.11.2, GIL on`: what was measured, with the build that ran.
fn figures(lang: Lang, script: &str, p: &Program) -> String {
    let status = match p.ended {
        Some(e) if e.signal.is_none() => report::exit_status(lang, e),
        Some(_) | None => t(lang, Key::watched_stopped).to_string(),
    };
    let (sum, longest) = p.sum_and_longest();
    let mut parts = vec![
        format!("{script}: {status}"),
        tf(
            lang,
            Key::watched_elapsed,
            &[&format!("{:.2}", p.wall() * p.scale())],
        ),
    ];
    if !p.waits.is_empty() {
        parts.push(tf(
            lang,
            Key::watched_waits,
            &[&format!("{sum:.2}"), &format!("{longest:.2}")],
        ));
    }
    if let Some(c) = report::CpuFigures::of(p).busy {
        parts.push(tf(lang, Key::watched_cores, &[&format!("{c:.2}")]));
    }
    parts.push(match p.hello() {
        Some(h) => tf(
            lang,
            Key::watched_build,
            &[&report::clean(&h.python), &report::gil_state(lang, h.gil)],
        ),
        None => t(lang, Key::watch_no_probe_short).to_string(),
    });
    parts.join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_strategy_has_a_carried_counterpart() {
        for s in Strategy::ALL {
            let (name, source) = script(counterpart(s)).expect("carried");
            assert!(source.contains("def "), "{name}");
        }
        assert!(script("cpu_threads.py").is_some() && script("nope.py").is_none());
        // The computing programs never sleep: what they show is real seconds.
        for (name, source) in SCRIPTS {
            assert_eq!(sleeps(name), source.contains("sleep("), "{name}");
        }
        assert_eq!(names().count(), SCRIPTS.len());
    }
}
