//! Property tests: the screen renders at every size without panicking, and random storms of
//! keys, resizes and worker reports (stale, unknown, out of range) keep the app's invariants.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;
use threadlab::app::{App, Command, Event, Start};
use threadlab::engine::{RunEvent, Strategy as Kind, WorkerEvent};
use threadlab::i18n::Lang;
use threadlab::settings::Settings;
use threadlab::tasks;

fn app(n: usize, lang: Lang) -> App {
    let names = if n == 3 {
        tasks::lesson_names()
    } else {
        tasks::generated_names(n)
    };
    App::new(Start {
        settings: Settings {
            lang,
            strategy: Kind::Pool,
            names,
            ..Settings::default()
        },
        cores: 2,
        all_cores: 2,
        scenes: threadlab::lesson::builtin(),
    })
}

fn draw(app: &App, w: u16, h: u16) {
    let mut buf = Buffer::empty(Rect::new(0, 0, w, h));
    app.render(buf.area, &mut buf);
}

/// A mid-run app with every pane busy: the hardest thing to lay out.
fn busy(lang: Lang) -> App {
    let mut a = app(12, lang);
    let cmds = a.update(Event::Key(KeyEvent::new(
        KeyCode::Enter,
        KeyModifiers::NONE,
    )));
    let Some(Command::StartRun { id, .. }) = cmds.first() else {
        panic!("{cmds:?}")
    };
    for task in 0..6 {
        let worker = format!("pool-{}", task % 4 + 1).into();
        a.update(Event::Worker(RunEvent {
            run: *id,
            event: WorkerEvent::Started {
                task,
                worker,
                at: task as f64,
            },
        }));
        a.update(Event::Worker(RunEvent {
            run: *id,
            event: WorkerEvent::Progress { task, done: 0.5 },
        }));
    }
    a.update(Event::Ticker("Ping"));
    a.update(Event::Tick { now: 7.5 });
    a.os_threads = 9;
    a
}

#[test]
fn every_size_from_1x1_to_300x100_renders() {
    for lang in [Lang::En, Lang::Zh] {
        let mut a = busy(lang);
        for w in 1..=300 {
            for h in 1..=100 {
                threadlab::runner::feed(&mut a, Event::Resize(w, h));
                draw(&a, w, h);
            }
        }
        // the overlays too, at a spread of sizes
        a.help = true;
        for (w, h) in [(1, 1), (2, 5), (10, 3), (40, 12), (79, 23), (300, 100)] {
            draw(&a, w, h);
        }
        a.help = false;
        a.main_finished = true;
        for (w, h) in [(1, 1), (3, 2), (20, 6), (64, 9), (300, 100)] {
            draw(&a, w, h);
        }
    }
}

#[test]
fn the_code_panel_renders_at_every_size_in_every_theme() {
    use threadlab::code::Language;
    use threadlab::look::{Look, ThemeName};
    let mut a = busy(Lang::Zh);
    a.update(Event::Ticker("Pong"));
    for (i, name) in ThemeName::ALL.into_iter().enumerate() {
        a.settings.look = Look {
            name,
            ascii: i % 2 == 1,
        };
        for (language, strategy) in [
            (Language::Rust, Kind::Pool),
            (Language::Python, Kind::Async),
        ] {
            a.code = Some(language);
            a.settings.strategy = strategy;
            // Odd sizes from 1x1 up: every cut, fold and narrow gutter gets drawn somewhere.
            for w in (1..=240).step_by(7) {
                for h in (1..=90).step_by(3) {
                    threadlab::runner::feed(&mut a, Event::Resize(w, h));
                    draw(&a, w, h);
                }
            }
        }
    }
}

fn key_code() -> impl Strategy<Value = KeyCode> {
    prop_oneof![
        prop::sample::select(vec![
            KeyCode::Enter,
            KeyCode::Esc,
            KeyCode::Up,
            KeyCode::Down,
            KeyCode::PageUp,
            KeyCode::PageDown,
            KeyCode::Tab,
            KeyCode::Backspace,
        ]),
        prop::sample::select(
            "1234567rncx+-=_ []pdl?qjkhw.LJKvVe"
                .chars()
                .collect::<Vec<_>>()
        )
        .prop_map(KeyCode::Char),
        any::<char>().prop_map(KeyCode::Char),
    ]
}

fn worker_event() -> impl Strategy<Value = WorkerEvent> {
    let task = 0usize..40;
    let at = prop_oneof![-5.0..100.0f64, Just(f64::NAN), Just(f64::INFINITY)];
    prop_oneof![
        (task.clone(), at.clone()).prop_map(|(task, at)| WorkerEvent::Started {
            task,
            worker: "w".into(),
            at
        }),
        (task.clone(), prop_oneof![-1.0..2.0f64, Just(f64::NAN)])
            .prop_map(|(task, done)| WorkerEvent::Progress { task, done }),
        (task.clone(), at.clone(), at.clone()).prop_map(|(task, at, took)| WorkerEvent::Finished {
            task,
            worker: "w".into(),
            at,
            took
        }),
        (task, at.clone()).prop_map(|(task, at)| WorkerEvent::Failed {
            task,
            worker: "w".into(),
            at,
            reason: "x".into()
        }),
        at.prop_map(|elapsed| WorkerEvent::RunFinished { elapsed }),
    ]
}

fn event() -> impl Strategy<Value = Event> {
    prop_oneof![
        6 => (key_code(), prop::bool::weighted(0.05)).prop_map(|(c, ctrl)| {
            let m = if ctrl { KeyModifiers::CONTROL } else { KeyModifiers::NONE };
            Event::Key(KeyEvent::new(c, m))
        }),
        1 => (0u16..320, 0u16..120).prop_map(|(w, h)| Event::Resize(w, h)),
        4 => (0u64..6, worker_event()).prop_map(|(run, event)| Event::Worker(RunEvent { run, event })),
        1 => prop_oneof![0.0..100.0f64, Just(f64::NAN)].prop_map(|now| Event::Tick { now }),
        1 => prop::sample::select(vec!["Ping", "Pong"]).prop_map(Event::Ticker),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 64,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct("tests/props.proptest-regressions"))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn key_storms_keep_invariants(n in 1usize..30, events in prop::collection::vec(event(), 1..3000)) {
        let mut a = app(n, Lang::En);
        let mut size = (80u16, 24u16);
        for (i, ev) in events.into_iter().enumerate() {
            if let Event::Resize(w, h) = ev {
                size = (w, h);
            }
            threadlab::runner::feed(&mut a, ev);
            if let Some(run) = &a.run {
                for t in &run.state.tasks {
                    prop_assert!((0.0..=1.0).contains(&t.done), "progress {} out of range", t.done);
                }
                prop_assert!(run.now.is_finite(), "lesson clock {} is not a number", run.now);
            }
            // A lesson scene may bring downloads of its own: the current list is the bound.
            prop_assert!(a.scroll < a.tasks.len().max(1));
            prop_assert!((1..=1024).contains(&a.settings.workers));
            // a frame now and then, at the storm's current size
            if i % 97 == 0 {
                draw(&a, size.0, size.1);
            }
        }
        draw(&a, size.0, size.1);
        draw(&a, 120, 40);
    }
}

/// Names as each strategy gives its workers, the longest the lesson has among them.
fn worker_name(kind: Kind, i: usize) -> String {
    match kind {
        Kind::Serial | Kind::Async => "main".to_string(),
        Kind::Threads => format!("Thread-{}", i + 1),
        Kind::Custom => format!("DownloadThread-{}", i + 1),
        Kind::Pool => format!("ThreadPoolExecutor-0_{i}"),
        Kind::Process => format!("pid {}", 12345 + i),
        Kind::Workshops => format!("pid {}/t{}", 12345 + i / 2, i % 2 + 1),
    }
}

/// A finished run of `kind` on the lesson's downloads, its second worker crashed.
fn finished(kind: Kind, lang: Lang) -> App {
    let mut a = app(3, lang);
    a.settings.strategy = kind;
    let cmds = a.update(Event::Key(KeyEvent::new(
        KeyCode::Enter,
        KeyModifiers::NONE,
    )));
    let Some(Command::StartRun { id, .. }) = cmds.first() else {
        panic!("{cmds:?}")
    };
    for task in 0..3 {
        let worker: std::sync::Arc<str> = worker_name(kind, task).into();
        for event in [
            WorkerEvent::Started {
                task,
                worker: worker.clone(),
                at: 0.0,
            },
            WorkerEvent::Finished {
                task,
                worker,
                at: 4.0,
                took: 4.0,
            },
        ] {
            a.update(Event::Worker(RunEvent { run: *id, event }));
        }
    }
    a.update(Event::Worker(RunEvent {
        run: *id,
        event: WorkerEvent::RunFinished { elapsed: 4.0 },
    }));
    a.update(Event::Crashed(threadlab::engine::Crash::Panicked {
        worker: worker_name(kind, 1).into(),
        task: 1,
    }));
    a
}

fn screen_text(app: &App, w: u16, h: u16) -> String {
    let mut buf = Buffer::empty(Rect::new(0, 0, w, h));
    app.render(buf.area, &mut buf);
    let mut out = String::new();
    for y in 0..h {
        let mut skip = 0;
        for x in 0..w {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let sym = buf[(x, y)].symbol();
            skip = unicode_width::UnicodeWidthStr::width(sym).saturating_sub(1);
            out.push_str(sym);
        }
        out.push('\n');
    }
    out
}

/// `text` is on `screen`, wrapped or not: every word of it (a wrapped line is whole when all
/// its words are), and for words in Chinese, which wrap anywhere, every character.
fn words_shown(text: &str, screen: &str) -> bool {
    text.split_whitespace().all(|word| match word.is_ascii() {
        true => screen.contains(word),
        false => word.chars().all(|c| screen.contains(c)),
    })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 96,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct("tests/props.proptest-regressions"))),
        ..ProptestConfig::default()
    })]

    /// From 120×40 up, no worker name, card line or crash message is cut: each worker's whole
    /// name is in its download row and its lane, every word of the crash note and of the scene's
    /// card is on screen. Below that, the screen still renders.
    #[test]
    fn nothing_a_class_reads_is_cut_from_120x40(
        kind in prop::sample::select(Kind::ALL.to_vec()),
        lang in prop::sample::select(vec![Lang::En, Lang::Zh]),
        w in 80u16..=300,
        h in 24u16..=100,
    ) {
        let mut a = finished(kind, lang);
        threadlab::runner::feed(&mut a, Event::Resize(w, h));
        let s = screen_text(&a, w, h);
        let whole = w >= 120 && h >= 40;
        if whole {
            for (i, task) in a.tasks.iter().enumerate() {
                let name = worker_name(kind, i);
                let row = s.lines().find(|l| l.contains(&*task.name) && l.contains("100%"));
                prop_assert!(row.is_some_and(|r| r.contains(&name)), "{w}×{h}: {name} cut in its row\n{s}");
                let lane = format!("│{name}");
                prop_assert!(s.lines().any(|l| l.starts_with(&lane)), "{w}×{h}: {name} cut in its lane\n{s}");
            }
            // The downloads and the crash note under them, down to the timeline: nothing cut.
            let top = s.lines().position(|l| l.contains("┌ ")).unwrap_or(0);
            let cut = s.lines().skip(top).take_while(|l| !l.contains("┌ Time") && !l.contains("┌ 时间线"))
                .find(|l| l.split('│').take(3).any(|part| part.contains('…')));
            prop_assert!(cut.is_none(), "{w}×{h}: cut under the downloads: {cut:?}\n{s}");
        }
        let mut a = app(3, lang);
        a.open_lesson();
        for _ in 0..(kind.key() as usize % 9) {
            a.update(Event::Key(KeyEvent::new(KeyCode::PageDown, KeyModifiers::NONE)));
        }
        threadlab::runner::feed(&mut a, Event::Resize(w, h));
        let s = screen_text(&a, w, h);
        if whole {
            let card = a.lesson.as_ref().unwrap().scene().card(lang).to_vec();
            for line in card {
                prop_assert!(words_shown(&line, &s), "{w}×{h}: card line cut: {line}\n{s}");
            }
        }
    }
}
