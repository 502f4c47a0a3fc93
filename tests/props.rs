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
            reason: threadlab::engine::Failure::Panicked
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
        Kind::Pool => format!("ThreadPoolExecutor-0_{}", i % 4),
        Kind::Process => format!("pid {}", 12345 + i),
        Kind::Workshops => format!("pid {}/t{}", 12345 + i / 2, i % 2 + 1),
    }
}

/// What `kind`'s crash demo does to its second worker, as the engine reports it.
fn crash(kind: Kind) -> threadlab::engine::Crash {
    use threadlab::engine::Crash;
    let worker: std::sync::Arc<str> = worker_name(kind, 1).into();
    match kind {
        Kind::Process => Crash::Killed {
            worker,
            pid: 12346,
            tasks: vec![1],
        },
        Kind::Workshops => Crash::Aborted {
            worker,
            pid: 12345,
            tasks: vec![0, 1],
            others: vec![1],
        },
        _ => Crash::Panicked { worker, task: 1 },
    }
}

/// The crash note the screen gives for [`crash`] after a run of `kind`, in `lang`.
fn crash_text(kind: Kind, lang: Lang) -> String {
    use threadlab::i18n::{Key, tf};
    let worker = worker_name(kind, 1);
    match kind {
        Kind::Pool => tf(lang, Key::crash_panicked_pool, &[&worker]),
        Kind::Async => tf(lang, Key::crash_panicked_async, &[&worker]),
        Kind::Process => tf(lang, Key::crash_killed, &[&worker]),
        Kind::Workshops => {
            // The other workshop was running its one download: it goes on.
            let left = threadlab::i18n::n_downloads(lang, 1);
            let others = tf(lang, Key::crash_others_one, &[&left]);
            let lost = threadlab::i18n::n_downloads(lang, 2);
            tf(lang, Key::crash_aborted, &[&worker, &lost, &others])
        }
        _ => {
            let see = threadlab::i18n::t(lang, Key::crash_see_key);
            tf(lang, Key::crash_panicked, &[&worker, &see])
        }
    }
}

/// A finished run of `kind` on `n` downloads (the lesson's three when `n` is 3), its second
/// worker crashed mid-run: its download (a workshop's, both of its first two) failed.
fn finished(kind: Kind, lang: Lang, n: usize) -> App {
    let mut a = app(n.max(2), lang);
    a.settings.strategy = kind;
    assert!(
        run_to_the_end(&mut a, Some(crash(kind))),
        "Enter started no run"
    );
    a
}

/// Press Enter and, when that starts a run of the downloads, finish it: every download on its
/// own worker (named as the strategy names them) in 4 s, but those `crash` takes down, which
/// fail with the reason the engine gives. Whether a run was started.
fn run_to_the_end(a: &mut App, crash: Option<threadlab::engine::Crash>) -> bool {
    use threadlab::engine::Crash;
    let kind = a.settings.strategy;
    let cmds = a.update(Event::Key(KeyEvent::new(
        KeyCode::Enter,
        KeyModifiers::NONE,
    )));
    let Some(Command::StartRun { id, .. }) = cmds.first() else {
        return false;
    };
    use threadlab::engine::Failure;
    let (failed, reason): (Vec<usize>, Failure) = match &crash {
        Some(Crash::Panicked { task, .. }) => (vec![*task], Failure::Panicked),
        Some(Crash::Killed { tasks, .. }) => (tasks.clone(), Failure::Signal(9)),
        Some(Crash::Aborted { tasks, .. }) => (tasks.clone(), Failure::Signal(6)),
        _ => (vec![], Failure::Vanished),
    };
    for task in 0..a.tasks.len() {
        let worker: std::sync::Arc<str> = worker_name(kind, task).into();
        let end = match failed.contains(&task) {
            true => WorkerEvent::Failed {
                task,
                worker: worker.clone(),
                at: 2.0,
                reason: reason.clone(),
            },
            false => WorkerEvent::Finished {
                task,
                worker: worker.clone(),
                at: 4.0,
                took: 4.0,
            },
        };
        let start = WorkerEvent::Started {
            task,
            worker,
            at: 0.0,
        };
        for event in [start, end] {
            a.update(Event::Worker(RunEvent { run: *id, event }));
        }
    }
    if let Some(crash) = crash {
        a.update(Event::Crashed(crash));
    }
    a.update(Event::Worker(RunEvent {
        run: *id,
        event: WorkerEvent::RunFinished { elapsed: 4.0 },
    }));
    true
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

/// The inside of the first pane on a screen row: what lies between its first two borders.
fn first_pane(line: &str) -> &str {
    line.split('│').nth(1).unwrap_or("")
}

/// The worker label `text` starts with when it is `name` whole, or `name` shortened from the
/// middle (its start, `…`, a non-empty end of it): a label cut at its end, or by a border, is
/// neither. The label ends at a space or at the end of `text`.
fn label_of(name: &str, text: &str) -> Option<String> {
    let ends = |rest: &str| rest.is_empty() || rest.starts_with(' ');
    if let Some(rest) = text.strip_prefix(name)
        && ends(rest)
    {
        return Some(name.to_string());
    }
    let (head, tail) = text.split_once('…')?;
    if !name.starts_with(head) || head.chars().count() >= name.chars().count() {
        return None;
    }
    // The longest end of the name the text goes on with, up to a space or its end.
    let end = (name.char_indices().map(|(i, _)| &name[i..]))
        .filter(|end| !end.is_empty() && head.len() + end.len() < name.len())
        .find(|end| tail.strip_prefix(*end).is_some_and(ends))?;
    Some(format!("{head}…{end}"))
}

/// Every worker name the downloads rows and the timeline's lanes of `s` show for a finished
/// run of `kind`: each whole or shortened from the middle, and different workers' labels
/// different; the crash note and, in lesson mode, every card line with every word on screen.
fn check_names(kind: Kind, a: &App, s: &str, w: u16, h: u16) -> Result<(), String> {
    let names: Vec<String> = (0..a.tasks.len()).map(|i| worker_name(kind, i)).collect();
    let mut shown: Vec<(String, String)> = Vec::new();
    // The downloads: every row ends in its worker (a failed one's followed by why), after
    // its figures.
    let rows = (s.lines().map(first_pane)).filter(|p| p.contains("% "));
    for (i, row) in rows.enumerate() {
        let Some(name) = names.get(a.scroll + i) else {
            break;
        };
        let after = &row[row.find("% ").unwrap()..];
        let worker = after.split_once("s ").map_or("", |(_, w)| w).trim();
        match label_of(name, worker) {
            Some(label) => shown.push((name.clone(), label)),
            None => return Err(format!("{w}×{h}: {name} cut in its row: {row:?}\n{s}")),
        }
    }
    // The timeline's lanes: each starts with its worker's label (an async thread's tasks get
    // rows of their own, named as Python's asyncio names them).
    let mut names = names;
    if kind == Kind::Async {
        names.extend((1..=a.tasks.len()).map(|n| format!("main/Task-{n}")));
    }
    let lines: Vec<&str> = s.lines().collect();
    if let Some(top) =
        (lines.iter()).position(|l| l.contains("┌ Timeline") || l.contains("┌ 时间线"))
    {
        let pane = lines[top + 1..].iter().map(|l| first_pane(l));
        for lane in pane
            .take_while(|p| !p.is_empty())
            .filter(|p| p.contains(['█', '·']))
        {
            let label = names
                .iter()
                .find_map(|n| label_of(n, lane).map(|l| (n.clone(), l)));
            match label {
                Some(label) => shown.push(label),
                None => return Err(format!("{w}×{h}: a lane's worker is cut: {lane:?}\n{s}")),
            }
        }
    }
    for (name, label) in &shown {
        let twin = (shown.iter()).find(|(other, l)| other != name && l == label);
        if let Some((other, _)) = twin {
            return Err(format!(
                "{w}×{h}: {name} and {other} both show as {label}\n{s}"
            ));
        }
    }
    Ok(())
}

/// The text of the pane titled `title` in the screen's left column, with the rows right under
/// it that belong to no pane (a note wrapped under the downloads); the side panel left out.
fn pane_text(s: &str, title: &str) -> String {
    let top = format!("┌ {title}");
    let mut lines = s.lines().skip_while(|l| !l.starts_with(&top));
    let mut out = Vec::new();
    for l in lines.by_ref() {
        // Up to the pane's own right edge: a side panel may stand beside it.
        let inner = l
            .char_indices()
            .skip(1)
            .find(|&(_, c)| matches!(c, '│' | '┐' | '┘'));
        out.push(inner.map_or(l, |(i, _)| &l[..i]).to_string());
        if l.starts_with('└') {
            break;
        }
    }
    for l in lines.take_while(|l| l.starts_with(' ')) {
        out.push(l.split('│').next().unwrap_or("").to_string());
    }
    out.join("\n")
}

/// Every size the property test may pick that sits on either side of a layout threshold.
const EDGES: [(u16, u16); 16] = [
    (80, 24),
    (80, 29),
    (80, 30),
    (80, 39),
    (80, 40),
    (99, 29),
    (99, 30),
    (100, 29),
    (100, 30),
    (119, 39),
    (120, 40),
    (179, 50),
    (180, 50),
    (200, 60),
    (300, 24),
    (300, 100),
];

/// Nothing a class reads is cut on a screen `w`×`h` in `lang`: the worker names of a finished
/// run of `kind` and its crash note (see [`check_names`]), and every line of lesson scene
/// `scene`'s card. From 120×40 up, nothing under the downloads is cut at all.
fn nothing_cut(
    kind: Kind,
    lang: Lang,
    n: usize,
    scene: usize,
    w: u16,
    h: u16,
) -> Result<(), String> {
    let mut a = finished(kind, lang, n);
    threadlab::runner::feed(&mut a, Event::Resize(w, h));
    let s = screen_text(&a, w, h);
    check_names(kind, &a, &s, w, h)?;
    let note = crash_text(kind, lang);
    let downloads = threadlab::i18n::t(lang, threadlab::i18n::Key::pane_downloads);
    if !words_shown(&note, &pane_text(&s, downloads)) {
        return Err(format!("{w}×{h}: crash note cut: {note}\n{s}"));
    }
    if w >= 120 && h >= 40 {
        // The downloads and the crash note under them, down to the timeline: nothing cut.
        let top = s.lines().position(|l| l.contains("┌ ")).unwrap_or(0);
        let cut = s
            .lines()
            .skip(top)
            .take_while(|l| !l.contains("┌ Time") && !l.contains("┌ 时间线"))
            .find(|l| l.split('│').take(3).any(|part| part.contains('…')));
        if let Some(cut) = cut {
            return Err(format!("{w}×{h}: cut under the downloads: {cut:?}\n{s}"));
        }
    }
    let mut a = app(3, lang);
    a.open_lesson();
    for _ in 0..scene {
        a.update(Event::Key(KeyEvent::new(
            KeyCode::PageDown,
            KeyModifiers::NONE,
        )));
    }
    // The scene's run done, so the card adds what it showed.
    run_to_the_end(&mut a, None);
    threadlab::runner::feed(&mut a, Event::Resize(w, h));
    let s = screen_text(&a, w, h);
    let lesson = a.lesson.as_ref().unwrap();
    let title = threadlab::i18n::tf(
        lang,
        threadlab::i18n::Key::lesson_scene,
        &[&(scene + 1), &lesson.scenes.len(), &""],
    );
    let shown = pane_text(&s, title.trim_end());
    let verdict = (a.run.as_ref().and_then(|r| r.verdict.as_ref())).map(|v| v.line(lang));
    for line in a.card_lines(lang).iter().chain(&verdict) {
        if !words_shown(line, &shown) {
            return Err(format!(
                "{w}×{h}: scene {}: card line cut: {line}\n{s}",
                scene + 1
            ));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 256,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct("tests/props.proptest-regressions"))),
        ..ProptestConfig::default()
    })]

    /// At every size from 80×24 to 300×100, compact screens included, no worker name, card
    /// line or crash message is cut.
    #[test]
    fn nothing_a_class_reads_is_cut_from_80x24(
        kind in prop::sample::select(Kind::ALL.to_vec()),
        lang in prop::sample::select(vec![Lang::En, Lang::Zh]),
        n in prop_oneof![Just(3usize), 2usize..40],
        scene in 0usize..11,
        w in 80u16..=300,
        h in 24u16..=100,
    ) {
        nothing_cut(kind, lang, n, scene, w, h).map_err(TestCaseError::fail)?;
    }
}

/// The same, on both sides of every threshold the layout has, for every strategy and scene.
#[test]
fn nothing_a_class_reads_is_cut_on_either_side_of_a_threshold() {
    let scenes = threadlab::lesson::builtin().len();
    for lang in [Lang::En, Lang::Zh] {
        for (i, kind) in Kind::ALL.into_iter().enumerate() {
            for (w, h) in EDGES {
                // Every scene at every edge, spread over the strategies.
                for scene in (0..scenes).filter(|s| s % Kind::ALL.len() == i) {
                    if let Err(e) = nothing_cut(kind, lang, 3, scene, w, h) {
                        panic!("{kind:?} {lang:?}: {e}");
                    }
                }
            }
        }
    }
}
