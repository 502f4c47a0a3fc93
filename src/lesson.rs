//! Lesson mode: the lesson's sections as scenes, each a short bilingual card and a preset, read
//! from a small human-editable file (`assets/lesson.txt` is the built-in one; its header documents
//! the format), and the numbers a finished run adds to the card.

use crate::engine::{Strategy, Workload};
use crate::i18n::{Key, Lang, t, tf};
use crate::run_state::RunState;
use crate::verdict::{self, Figures, Measured};
use std::path::Path;

/// The built-in lesson, compiled in.
pub const BUILTIN: &str = include_str!("../assets/lesson.txt");

/// Ping/Pong as a scene wants it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TickerSetting {
    Off,
    On,
    Daemon,
}

/// How many cores a scene runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CoresSetting {
    One,
    All,
}

/// What a scene sets up before it runs; `None` keeps the current value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Preset {
    pub strategy: Option<Strategy>,
    pub workload: Option<Workload>,
    pub cores: Option<CoresSetting>,
    pub workers: Option<usize>,
    pub ticker: Option<TickerSetting>,
    /// The scene's own downloads (`names:`); None runs the class's list (`--tasks` or the lesson's).
    pub names: Option<Vec<String>>,
    /// The lesson's own Python programs (`python:`) that Enter runs for real under watch, one
    /// per Enter, in this order; empty: Enter runs the scene's strategy.
    pub python: Vec<&'static str>,
    /// `program: ping-pong` (Some(false)) or `ping-pong daemon` (Some(true)): Enter runs the
    /// daemon lesson's Ping/Pong program in a process of its own instead of the downloads.
    pub ping_pong: Option<bool>,
}

/// One section of the lesson.
#[derive(Debug, Clone, PartialEq)]
pub struct Scene {
    /// English, Chinese.
    pub title: [String; 2],
    /// One to four lines in each language.
    pub card: [Vec<String>; 2],
    pub preset: Preset,
    /// The language the file did not give this scene's card in: its lines are the other
    /// language's, so the screen can say so.
    pub missing: Option<Lang>,
}

impl Scene {
    /// The title in `lang`.
    pub fn title(&self, lang: Lang) -> &str {
        &self.title[lang_index(lang)]
    }

    /// The card's lines in `lang` (the other language's where the file gave none in `lang`).
    pub fn card(&self, lang: Lang) -> &[String] {
        &self.card[lang_index(lang)]
    }

    /// Whether the card shown in `lang` is really in the other language.
    pub fn borrowed(&self, lang: Lang) -> bool {
        self.missing == Some(lang)
    }
}

fn lang_index(lang: Lang) -> usize {
    match lang {
        Lang::En => 0,
        Lang::Zh => 1,
    }
}

/// The most lines a lesson file may have (as many as downloads a tasks file may name).
pub const MAX_LINES: usize = crate::tasks::MAX_TASKS;

/// Parse a lesson file; an error names the line.
pub fn parse(text: &str) -> Result<Vec<Scene>, String> {
    parse_in(text, Lang::En)
}

/// [`parse`], its errors in `lang`.
pub fn parse_in(text: &str, lang: Lang) -> Result<Vec<Scene>, String> {
    let at = |n: usize, what: String| tf(lang, Key::err_line, &[&n, &what]);
    let mut scenes: Vec<(usize, Scene)> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        if n > MAX_LINES {
            return Err(at(n, tf(lang, Key::err_too_many_lines, &[&MAX_LINES])));
        }
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(c) = line.chars().find(|&c| crate::text::is_hidden(c)) {
            let key = match c.is_control() {
                true => Key::err_control,
                false => Key::err_hidden,
            };
            return Err(at(n, tf(lang, key, &[&c.escape_unicode()])));
        }
        if let Some(title) = line.strip_prefix("==") {
            // "== English | 中文", or one title for both languages.
            let (en, zh) = title.split_once('|').unwrap_or((title, title));
            let (en, zh) = match (en.trim(), zh.trim()) {
                ("", "") => return Err(at(n, t(lang, Key::err_no_title).into())),
                ("", one) | (one, "") => (one, one),
                both => both,
            };
            scenes.push((
                n,
                Scene {
                    title: [en.to_string(), zh.to_string()],
                    card: [Vec::new(), Vec::new()],
                    preset: Preset::default(),
                    missing: None,
                },
            ));
            continue;
        }
        let Some((_, scene)) = scenes.last_mut() else {
            return Err(at(n, t(lang, Key::err_title_first).into()));
        };
        let (key, value) =
            (line.split_once(':')).ok_or_else(|| at(n, t(lang, Key::err_key_value).into()))?;
        let value = value.trim();
        let bad = |what: Key| {
            at(
                n,
                tf(lang, Key::err_bad_value, &[&key, &value, &t(lang, what)]),
            )
        };
        let p = &mut scene.preset;
        match key.trim() {
            "strategy" => {
                p.strategy = Some(value.parse().map_err(|_| {
                    at(
                        n,
                        tf(lang, Key::cli_err_strategy, &[&value, &Strategy::names()]),
                    )
                })?)
            }
            "workload" => {
                p.workload = Some(value.parse().map_err(|_| bad(Key::err_want_workload))?)
            }
            "cores" => {
                p.cores = Some(match value {
                    "1" => CoresSetting::One,
                    "all" => CoresSetting::All,
                    _ => return Err(bad(Key::err_want_cores)),
                })
            }
            "workers" => match value.parse::<usize>() {
                Ok(w) if (1..=crate::cli::MAX_WORKERS).contains(&w) => p.workers = Some(w),
                _ => return Err(bad(Key::err_want_workers)),
            },
            "ticker" => {
                p.ticker = Some(match value {
                    "off" => TickerSetting::Off,
                    "on" => TickerSetting::On,
                    "daemon" => TickerSetting::Daemon,
                    _ => return Err(bad(Key::err_want_ticker)),
                })
            }
            "program" => {
                p.ping_pong = match value {
                    "none" => None,
                    "ping-pong" => Some(false),
                    "ping-pong daemon" => Some(true),
                    _ => return Err(bad(Key::err_want_program)),
                }
            }
            "names" => {
                // The same rules as a tasks file's names, one per comma instead of per line.
                let list = value.split(',').collect::<Vec<_>>().join("\n");
                let names = crate::tasks::parse_names(&list, lang).map_err(|e| at(n, e))?;
                p.names = Some(names);
            }
            "python" => {
                for name in value.split(',').map(str::trim) {
                    let Some((name, _)) = crate::watch::carried::script(name) else {
                        let list: Vec<_> = crate::watch::carried::names().collect();
                        let want = tf(lang, Key::err_want_python, &[&list.join(", ")]);
                        return Err(at(n, tf(lang, Key::err_bad_value, &[&key, &name, &want])));
                    };
                    p.python.push(name);
                }
            }
            "en" => scene.card[0].push(value.to_string()),
            "zh" => scene.card[1].push(value.to_string()),
            other => {
                return Err(at(n, tf(lang, Key::err_unknown_key, &[&other])));
            }
        }
    }
    if scenes.is_empty() {
        return Err(t(lang, Key::err_no_scenes).into());
    }
    for (n, s) in &mut scenes {
        // A card in one language only is shown in both, and marked as borrowed.
        let [en, zh] = &mut s.card;
        s.missing = match (en.is_empty(), zh.is_empty()) {
            (true, true) => {
                return Err(at(*n, tf(lang, Key::err_no_card, &[&s.title[0]])));
            }
            (true, false) => {
                en.clone_from(zh);
                Some(Lang::En)
            }
            (false, true) => {
                zh.clone_from(en);
                Some(Lang::Zh)
            }
            (false, false) => None,
        };
        for (code, lines) in ["en", "zh"].iter().zip(&s.card) {
            if lines.len() > 4 {
                let why = tf(lang, Key::err_card_long, &[&s.title[0], code, &lines.len()]);
                return Err(at(*n, why));
            }
        }
    }
    Ok(scenes.into_iter().map(|(_, s)| s).collect())
}

/// The built-in lesson.
pub fn builtin() -> Vec<Scene> {
    parse(BUILTIN).expect("the built-in lesson is valid (a unit test checks it)")
}

/// Read a teacher's lesson file; the error, in `lang`, names the file and the line.
pub fn load(path: &Path, lang: Lang) -> Result<Vec<Scene>, String> {
    let what = t(lang, Key::file_lesson);
    let text = crate::tasks::read_text(path, what, lang)?;
    let shown = crate::text::shown_path(path);
    parse_in(&text, lang).map_err(|e| tf(lang, Key::err_in_file, &[&what, &shown, &e]))
}

/// What the class just saw, in numbers, for a finished run, when nothing was measured besides its
/// events: the lesson's conclusion if the times support it, otherwise what happened instead.
pub fn summary(lang: Lang, state: &RunState) -> Option<String> {
    conclusion(lang, state, Measured::default())
}

/// [`summary`] with the run's wall and CPU time, so a slow run can name its likeliest reason
/// (other programs busy, start-up cost) instead of only saying it was slow.
pub fn conclusion(lang: Lang, state: &RunState, measured: Measured) -> Option<String> {
    let figures = Figures::of_run(state, measured)?;
    Some(verdict::judge(figures).line(lang))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Task;

    fn finished(strategy: Strategy, workload: Workload, cores: usize, elapsed: f64) -> RunState {
        let names = crate::tasks::lesson_names();
        let tasks: Vec<Task> = crate::tasks::make_tasks(&names, &[3.0, 4.0, 3.0]);
        let mut state = RunState::with(strategy, &tasks, 4, workload, cores);
        state.elapsed = Some(elapsed);
        state
    }

    #[test]
    fn the_summary_names_what_really_limited_the_run() {
        let io = finished(Strategy::Threads, Workload::Io, 2, 4.0);
        assert_eq!(
            summary(Lang::En, &io).unwrap(),
            "threads took 4.0 s ≈ the longest download (4.0 s), not the sum (10.0 s)"
        );
        // Computing on one core: the sum, never "the longest".
        let one = finished(Strategy::Threads, Workload::Cpu, 1, 10.7);
        assert_eq!(
            summary(Lang::En, &one).unwrap(),
            "threads took 10.7 s ≈ the sum (10.0 s): one core computes one download at a time"
        );
        let two = finished(Strategy::Custom, Workload::Cpu, 2, 5.1);
        assert_eq!(
            summary(Lang::En, &two).unwrap(),
            "custom took 5.1 s ≈ the sum ÷ 2 cores (10.0 s ÷ 2): every core was busy"
        );
        // Issue 12's busy machine: nowhere near sum ÷ 2, so no "every core was busy"; with the
        // run's CPU time measured, the card names the reason.
        let slow = finished(Strategy::Threads, Workload::Cpu, 2, 9.8);
        let line = summary(Lang::En, &slow).unwrap();
        assert!(
            line.starts_with("threads took 9.8 s, not ≈ 5.0 s"),
            "{line}"
        );
        let measured = Measured {
            wall: Some(9.8),
            cpu: Some(10.0),
            stopped: 0.0,
        };
        let line = conclusion(Lang::En, &slow, measured).unwrap();
        assert!(
            line.ends_with("got only 51% of the 2 core(s) it asked for (other programs were busy)"),
            "{line}"
        );
        // The screen's own name for the strategy, in Chinese too.
        assert!(
            summary(Lang::Zh, &one)
                .unwrap()
                .starts_with("多线程耗时 10.7 秒 ≈ 总和")
        );
    }

    #[test]
    fn the_builtin_lesson_follows_the_lesson_order() {
        let scenes = builtin();
        let strategies: Vec<_> = scenes.iter().map(|s| s.preset.strategy.unwrap()).collect();
        assert_eq!(scenes.len(), 11);
        assert_eq!(strategies[0], Strategy::Workshops);
        assert_eq!(
            &strategies[3..7],
            [
                Strategy::Serial,
                Strategy::Threads,
                Strategy::Custom,
                Strategy::Pool
            ]
        );
        // The daemon scenes run the lesson's program in a child, not threadlab's own ticker.
        assert_eq!(scenes[7].preset.ticker, Some(TickerSetting::Off));
        assert_eq!(scenes[8].preset.ticker, Some(TickerSetting::Off));
        assert_eq!(scenes[7].preset.ping_pong, Some(false));
        assert_eq!(scenes[8].preset.ping_pong, Some(true));
        // Then the lesson's own Python programs, for real, and the GIL.
        assert_eq!(
            scenes[9].preset.python,
            ["serial.py", "threads.py", "pool.py"]
        );
        assert_eq!(
            scenes[10].preset.python,
            ["cpu_threads.py", "cpu_processes.py"]
        );
        assert!(scenes[..9].iter().all(|s| s.preset.python.is_empty()));
        for s in &scenes {
            assert!((2..=4).contains(&s.card(Lang::En).len()), "{:?}", s.title);
            assert!((2..=4).contains(&s.card(Lang::Zh).len()), "{:?}", s.title);
        }
    }

    #[test]
    fn a_lesson_in_one_language_is_shown_in_both_and_says_so() {
        let scenes = parse("== Pools\nstrategy: pool\nen: A pool reuses its workers.\n").unwrap();
        let s = &scenes[0];
        assert_eq!((s.title(Lang::En), s.title(Lang::Zh)), ("Pools", "Pools"));
        assert_eq!(s.card(Lang::Zh), ["A pool reuses its workers."]);
        assert!(s.borrowed(Lang::Zh) && !s.borrowed(Lang::En));
        let scenes = parse("== | 线程池\nzh: 线程池会反复使用工人。\n").unwrap();
        let s = &scenes[0];
        assert_eq!(s.title(Lang::En), "线程池");
        assert_eq!(s.card(Lang::En), ["线程池会反复使用工人。"]);
        assert!(s.borrowed(Lang::En) && !s.borrowed(Lang::Zh));
        // The built-in lesson has both everywhere.
        assert!(builtin().iter().all(|s| s.missing.is_none()));
    }

    #[test]
    fn a_scene_may_name_its_own_downloads() {
        let scenes = parse("== Pools\nnames: a.pdf, b 2.avi ,c.mp4\nen: x\n").unwrap();
        let names = scenes[0].preset.names.clone().unwrap();
        assert_eq!(names, ["a.pdf", "b 2.avi", "c.mp4"]);
        assert!(
            parse("== A\nnames: , ,\nen: x\n")
                .unwrap_err()
                .starts_with("line 2:")
        );
        // The built-in pool scene has more downloads than workers, so a queue forms.
        let pool = builtin()
            .into_iter()
            .find(|s| s.preset.strategy == Some(Strategy::Pool));
        let p = pool.expect("a pool scene").preset;
        assert!(p.names.unwrap().len() > p.workers.unwrap());
    }

    #[test]
    fn bad_lesson_files_name_their_line() {
        let err = |text: &str| parse(text).unwrap_err();
        assert!(err("strategy: pool").starts_with("line 1:"));
        assert!(err("== A | 甲\nstrategy: fibers").starts_with("line 2: unknown strategy"));
        assert!(err("== A | 甲\nworkers: 0").starts_with("line 2: workers"));
        assert!(err("== A | 甲\nworkers: 1025").contains("1 to 1024"));
        assert!(parse("== A | 甲\nworkers: 1024\nen: a\nzh: 甲").is_ok());
        assert!(err("== A | 甲\ncolour: red").starts_with("line 2: unknown key"));
        let python = err("== A | 甲\npython: threads.py, ../x.py\nen: x");
        assert!(python.starts_with("line 2: python: '../x.py'"), "{python}");
        assert!(python.contains("cpu_threads.py"), "{python}");
        let program = err("== A | 甲\nprogram: pingpong");
        assert!(program.starts_with("line 2: program"), "{program}");
        assert!(program.contains("ping-pong daemon"), "{program}");
        assert!(err("==  |  \nen: x").starts_with("line 1:"));
        assert!(err("# only comments\n").starts_with("no scenes"));
        assert!(err("== A | 甲\nstrategy: pool\n").contains("'en:' or 'zh:'"));
        let five = "== A | 甲\nen: 1\nen: 2\nen: 3\nen: 4\nen: 5\nzh: 1\n";
        assert!(err(five).starts_with("line 1:"));
        assert!(err("== A | 甲\nen: a\x1b[2J\nzh: b").starts_with("line 2: control"));
        let bidi = err("== A | 甲\nen: a\nzh: b\u{2067}c");
        assert!(bidi.starts_with("line 3: invisible"), "{bidi}");
        assert!(!bidi.contains('\u{2067}'), "{bidi}");
        let long = format!("== A | 甲\nen: a\nzh: b\n{}", "# note\n".repeat(MAX_LINES));
        assert!(err(&long).contains("more than"), "{}", err(&long));
    }
}
