//! The built-in lesson's scenes prove their point when really run: the pool scene makes a queue
//! and reuses a worker, scene 1's crash brings exactly one workshop down, and a teacher's own
//! change to a scene's settings holds when Enter runs it.

mod pids;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::{HashMap, HashSet};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use threadlab::app::{App, Command, Event, Start};
use threadlab::engine::{self, Crash, Failure, Plan, Reporter, Strategy, Workload};
use threadlab::i18n::{Key, Lang};
use threadlab::run_state::{Phase, RunState};
use threadlab::settings::Settings;
use threadlab::tasks;
use threadlab::ticker_child::{Ended, News, PingPong};

fn lesson_app() -> App {
    let mut app = App::new(Start {
        settings: Settings {
            seed: 7,
            ..Settings::default()
        },
        cores: 2,
        all_cores: 2,
        scenes: threadlab::lesson::builtin(),
    });
    app.open_lesson();
    app
}

fn press(app: &mut App, code: KeyCode) -> Vec<Command> {
    app.update(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

/// Enter in a daemon scene: the lesson's program starts, and says so as process `pid`. Its
/// run's id, and whether its threads are daemons.
fn enter_program(app: &mut App, pid: u32) -> (u64, bool) {
    let cmds = press(app, KeyCode::Enter);
    let Some(Command::StartPingPong { id, daemon, .. }) = cmds.last().cloned() else {
        panic!("Enter starts the program: {cmds:?}")
    };
    app.update(Event::PingPong {
        id,
        news: News::Started { pid },
    });
    (id, daemon)
}

/// Page to the first scene running `strategy`.
fn scene_of(app: &mut App, strategy: Strategy) {
    while app.lesson.as_ref().unwrap().scene().preset.strategy != Some(strategy) {
        let at = app.lesson.as_ref().unwrap().index;
        press(app, KeyCode::PageDown);
        assert_ne!(
            app.lesson.as_ref().unwrap().index,
            at,
            "no {strategy} scene"
        );
    }
}

/// Enter in the scene: the plan it starts, made runnable by the test binary's children.
fn enter(app: &mut App) -> Plan {
    let cmds = press(app, KeyCode::Enter);
    let mut plan = cmds
        .into_iter()
        .find_map(|c| match c {
            Command::StartRun { plan, .. } => Some(plan),
            _ => None,
        })
        .expect("Enter starts the scene's run");
    plan.procs.exe = Some(env!("CARGO_BIN_EXE_threadlab").into());
    plan
}

#[test]
fn the_pool_scene_queues_downloads_and_reuses_a_worker() {
    let mut app = lesson_app();
    scene_of(&mut app, Strategy::Pool);
    let mut plan = enter(&mut app);
    assert!(plan.tasks.len() > plan.workers, "{plan:?}");
    plan.speed = 200.0;
    let state = threadlab::headless::run_plan(&plan, |_, _| {}).unwrap();
    assert!(state.tasks.iter().all(|t| t.phase == Phase::Done));
    let first_end = (state.tasks.iter())
        .filter_map(|t| t.end)
        .fold(f64::INFINITY, f64::min);
    let queued = (state.tasks.iter())
        .filter(|t| t.start.unwrap() >= first_end)
        .count();
    assert!(queued >= 1, "no download waited: {:#?}", state.tasks);
    let mut per_worker: HashMap<&str, usize> = HashMap::new();
    for t in &state.tasks {
        *per_worker.entry(t.worker.as_deref().unwrap()).or_default() += 1;
    }
    assert!(per_worker.len() <= plan.workers, "{per_worker:?}");
    assert!(per_worker.values().any(|&n| n >= 2), "{per_worker:?}");
}

fn pid_of(worker: &str) -> u32 {
    let rest = worker.strip_prefix("pid ").expect("a workshop's worker");
    rest.split('/').next().unwrap().parse().unwrap()
}

#[test]
fn scene_one_crash_brings_exactly_one_workshop_down() {
    engine::quiet_worker_panics();
    let mut app = lesson_app();
    assert_eq!(app.lesson.as_ref().unwrap().index, 0);
    let mut plan = enter(&mut app);
    assert_eq!(plan.strategy, Strategy::Workshops);
    plan.speed = 10.0;
    let (tx, rx) = mpsc::channel::<threadlab::engine::RunEvent>();
    let mut state = RunState::for_plan(&plan);
    let run = engine::start(plan, Reporter::new(1, tx)).unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let until = |state: &mut RunState, done: &dyn Fn(&RunState) -> bool| {
        while !done(state) {
            let left = deadline.saturating_duration_since(Instant::now());
            let ev = rx.recv_timeout(left).expect("the run reports in time");
            state.apply(&ev.event);
        }
    };
    until(&mut state, &|s| s.running() == s.tasks.len());
    let pids: HashSet<u32> = (state.tasks.iter())
        .map(|t| pid_of(t.worker.as_deref().unwrap()))
        .collect();
    assert_eq!(pids.len(), 2, "two workshops: {:#?}", state.tasks);
    let Crash::Aborted { pid, .. } = run.crash() else {
        panic!("the workshop scene's crash aborts a workshop")
    };
    run.set_speed(5000.0);
    until(&mut state, &|s| s.is_finished());
    run.join();
    let down: HashSet<u32> = (state.tasks.iter())
        .filter(|t| t.phase == Phase::Failed)
        .map(|t| pid_of(t.worker.as_deref().unwrap()))
        .collect();
    assert_eq!(down, HashSet::from([pid]), "{:#?}", state.tasks);
    // The other workshop went on and finished its downloads.
    let other = (state.tasks.iter()).filter(|t| pid_of(t.worker.as_deref().unwrap()) != pid);
    assert!(other.clone().count() >= 1);
    assert!(other.into_iter().all(|t| t.phase == Phase::Done));
}

#[test]
fn a_teachers_change_holds_on_enter_and_a_scenes_settings_hold_otherwise() {
    let mut app = lesson_app();
    scene_of(&mut app, Strategy::Pool);
    let scene_workers = app.settings.workers;
    // Untouched, Enter runs the scene's settings even if something else changed them.
    let plan = enter(&mut app);
    assert_eq!(plan.workers, scene_workers);
    // - during the run says it is for the next run; Enter then keeps the teacher's choice.
    press(&mut app, KeyCode::Char('-'));
    assert_eq!(app.hint, Some(Key::hint_workers_next_run));
    assert!(app.lesson.as_ref().unwrap().held.workers);
    // The card says the teacher's change holds, and which.
    threadlab::runner::feed(&mut app, Event::Resize(120, 40));
    let shown = card(&app);
    let said = format!("workers {}", scene_workers - 1);
    assert!(
        shown.contains("your change holds") && shown.contains(&said),
        "{shown}"
    );
    let plan = enter(&mut app);
    assert_eq!(plan.workers, scene_workers - 1);
    // A new scene forgets the change.
    press(&mut app, KeyCode::PageDown);
    press(&mut app, KeyCode::PageUp);
    assert!(!app.lesson.as_ref().unwrap().held.any());
    assert_eq!(enter(&mut app).workers, scene_workers);
    // Scenes without downloads of their own run the class's list again.
    press(&mut app, KeyCode::PageUp);
    assert_eq!(app.settings.names, tasks::lesson_names());
}

/// Finish run `id` as its workers would report it with no overhead: every download starts as
/// soon as a worker is free (one worker for serial, the pool's size for the pool, one each
/// otherwise), and the run takes its ideal.
fn finish(app: &mut App, id: u64) {
    let ideal = app.queued().ideal();
    finish_in(app, id, ideal);
}

/// [`finish`], the run ending after `elapsed` lesson seconds.
fn finish_in(app: &mut App, id: u64, elapsed: f64) {
    let strategy = app.settings.strategy;
    let slots = match strategy {
        Strategy::Serial => 1,
        Strategy::Pool => app.settings.workers,
        _ => app.tasks.len(),
    };
    let mut free = vec![0.0_f64; slots];
    let durations: Vec<f64> = app.tasks.iter().map(|t| t.duration).collect();
    for (task, d) in durations.into_iter().enumerate() {
        let (w, at) = (free.iter().copied().enumerate())
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .unwrap();
        free[w] = at + d;
        let worker: std::sync::Arc<str> = format!("w{}", w + 1).into();
        for event in [
            engine::WorkerEvent::Started {
                task,
                worker: worker.clone(),
                at,
            },
            engine::WorkerEvent::Finished {
                task,
                worker,
                took: d,
                at: at + d,
            },
        ] {
            app.update(Event::Worker(engine::RunEvent { run: id, event }));
        }
    }
    let event = engine::WorkerEvent::RunFinished { elapsed };
    app.update(Event::Worker(engine::RunEvent { run: id, event }));
}

/// Issue 12's busy machine, on the live screen: the parallelism scene's threads took twice the
/// ideal while the process got about one core's time of the two it asked for. The card and the
/// panel name that, from the CPU time the runner measured, whichever arrives first; without it
/// neither blames other programs.
#[test]
fn a_busy_machine_is_named_on_the_card_and_in_the_panel() {
    for lang in [Lang::En, Lang::Zh] {
        for cpu_first in [true, false] {
            let mut app = lesson_app();
            app.settings.lang = lang;
            threadlab::runner::feed(&mut app, Event::Resize(120, 40));
            while app.settings.workload != Workload::Cpu || app.cores < 2 {
                press(&mut app, KeyCode::PageDown);
            }
            let id = match &press(&mut app, KeyCode::Enter)[..] {
                [.., Command::StartRun { id, .. }] => *id,
                other => panic!("{other:?}"),
            };
            let ideal = app.queued().ideal();
            let elapsed = 2.0 * ideal;
            // Speed 1: the run's wall seconds are its lesson seconds; one core's time in all.
            let cpu = Event::RunCpu {
                run: id,
                cpu: Duration::from_secs_f64(elapsed),
            };
            if cpu_first {
                app.update(cpu.clone());
            }
            finish_in(&mut app, id, elapsed);
            let before_cpu = screen_words(&app);
            if !cpu_first {
                assert!(!before_cpu.contains("50%"), "{before_cpu}");
                app.update(cpu);
            }
            let shown = screen_words(&app);
            let (card_says, panel_says, in_use) = match lang {
                Lang::En => (
                    "got only 50% of the 2 core(s) it asked for (other programs were busy)",
                    "got 50% of 2 core(s): others busy",
                    "Run's CPU         1.00 of 2 core(s)",
                ),
                Lang::Zh => (
                    "它的线程只得到所要的 2 个核的 50%（其他程序在占用 CPU）",
                    "只得到 2 个核的 50%：别的程序在占用",
                    "1.00 / 2 个核",
                ),
            };
            let card = card(&app);
            let flat: String = (card.replace('│', " ").split_whitespace()).collect();
            let want: String = card_says.split_whitespace().collect();
            assert!(flat.contains(&want), "{lang:?}: {want}\n{card}");
            // Row by row with spaces dropped: a wide character's second cell reads as one.
            let rows: String = (shown.lines())
                .map(|r| r.split_whitespace().collect::<String>() + "\n")
                .collect();
            for says in [panel_says, in_use] {
                let want: String = says.split_whitespace().collect();
                assert!(rows.contains(&want), "{lang:?}: {says}\n{shown}");
            }
            assert!(!shown.contains("every core was busy"), "{shown}");
        }
    }
}

/// The lesson card's rows, as the class sees them at 120×40.
fn card(app: &App) -> String {
    pane(app, |r| r.contains("Scene ") || r.contains("第 "))
}

/// The rows of the first pane whose top row `is_top` picks, at 120×40, up to its right border.
fn pane(app: &App, is_top: impl Fn(&str) -> bool) -> String {
    let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).unwrap();
    term.draw(|f| f.render_widget(app, f.area())).unwrap();
    let buf = term.backend().buffer().clone();
    let rows: Vec<String> = (0..40)
        .map(|y| {
            let mut s = String::new();
            let mut skip = 0;
            for x in 0..120 {
                let sym = buf[(x, y)].symbol();
                if skip > 0 {
                    skip -= 1;
                    continue;
                }
                skip = unicode_width::UnicodeWidthStr::width(sym).saturating_sub(1);
                s.push_str(sym);
            }
            s.trim_end().to_string()
        })
        .collect();
    let top = rows.iter().position(|r| is_top(r));
    let top = top.expect("the pane shows");
    (rows[top..].iter())
        .take_while(|r| !r.starts_with('└'))
        .chain(rows[top..].iter().find(|r| r.starts_with('└')))
        .map(|r| {
            // The card's own columns: up to its right border, never the panel beside it.
            let end = (r.char_indices().skip(1))
                .find(|(_, c)| matches!(c, '│' | '┐' | '┘'))
                .map_or(r.len(), |(i, c)| i + c.len_utf8());
            &r[..end]
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_scenes_finished_card_in_both_languages() {
    for lang in [Lang::En, Lang::Zh] {
        let mut app = lesson_app();
        app.settings.lang = lang;
        threadlab::runner::feed(&mut app, Event::Resize(120, 40));
        let n = app.lesson.as_ref().unwrap().scenes.len();
        for i in 0..n {
            if app.python_scene() {
                // Enter runs a real Python program there (tests/watch.rs), not a run of ours.
                press(&mut app, KeyCode::PageDown);
                continue;
            }
            let id = match &press(&mut app, KeyCode::Enter)[..] {
                [.., Command::StartRun { id, .. }] => *id,
                [.., Command::StartPingPong { id, daemon, .. }] => {
                    // The daemon scenes run the lesson's program: its box says how it ended.
                    let ended = Ended {
                        code: Some(0),
                        signal: None,
                    };
                    let mut news = vec![News::Started { pid: 4242 }, News::MainEnded];
                    news.extend(daemon.then_some(News::Exited(ended)));
                    for news in news {
                        app.update(Event::PingPong { id: *id, news });
                    }
                    let shown = pane(&app, |r| r.starts_with("┌ Ping/Pong"));
                    let name = format!("finished_program_{}_{:?}", i + 1, lang).to_lowercase();
                    insta::assert_snapshot!(name, shown);
                    press(&mut app, KeyCode::PageDown);
                    continue;
                }
                other => panic!("scene {}: {other:?}", i + 1),
            };
            finish(&mut app, id);
            let card = card(&app);
            assert!(
                card.contains('→'),
                "scene {} has no numbers:\n{card}",
                i + 1
            );
            let name = format!("finished_card_{}_{:?}", i + 1, lang).to_lowercase();
            insta::assert_snapshot!(name, card);
            press(&mut app, KeyCode::PageDown);
        }
    }
}

#[test]
fn an_async_task_that_panics_fails_only_its_download() {
    engine::quiet_worker_panics();
    let names = tasks::generated_names(3);
    let plan = Plan {
        strategy: Strategy::Async,
        tasks: tasks::make_tasks(&names, &[30.0, 30.0, 30.0]),
        workers: 2,
        speed: 20.0,
        workload: Workload::Io,
        procs: Default::default(),
    };
    let (tx, rx) = mpsc::channel::<threadlab::engine::RunEvent>();
    let mut state = RunState::for_plan(&plan);
    let run = engine::start(plan, Reporter::new(1, tx)).unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let until = |state: &mut RunState, done: &dyn Fn(&RunState) -> bool| {
        while !done(state) {
            let left = deadline.saturating_duration_since(Instant::now());
            let ev = rx.recv_timeout(left).expect("the run reports in time");
            state.apply(&ev.event);
        }
    };
    until(&mut state, &|s| s.running() == 3);
    let Crash::Panicked { task, .. } = run.crash() else {
        panic!("an async task panics")
    };
    run.set_speed(5000.0);
    until(&mut state, &|s| s.is_finished());
    run.join();
    for t in &state.tasks {
        match t.task.id == task {
            true => assert_eq!(
                (t.phase, t.reason.as_ref()),
                (Phase::Failed, Some(&Failure::Panicked))
            ),
            false => assert_eq!(t.phase, Phase::Done, "{t:?}"),
        }
    }
}

/// The screen's text at 120×40, every row's cells joined.
fn screen_words(app: &App) -> String {
    let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).unwrap();
    term.draw(|f| f.render_widget(app, f.area())).unwrap();
    let buf = term.backend().buffer().clone();
    let mut words = String::new();
    for y in 0..40 {
        let mut skip = 0;
        for x in 0..120 {
            let sym = buf[(x, y)].symbol();
            if skip > 0 {
                // A wide character's second cell: keep the columns for the cut at 80.
                skip -= 1;
                words.push(' ');
                continue;
            }
            skip = unicode_width::UnicodeWidthStr::width(sym).saturating_sub(1);
            words.push_str(sym);
        }
        words.push('\n');
    }
    words
}

#[test]
fn every_strategys_crash_message_is_whole_at_120x40() {
    let cases = [
        (Strategy::Serial, Crash::Unsupported, Key::crash_unsupported),
        (Strategy::Async, panicked("main"), Key::crash_panicked_async),
        (Strategy::Pool, panicked("pool-1"), Key::crash_panicked_pool),
        (Strategy::Threads, panicked("Thread-2"), Key::crash_panicked),
        (
            Strategy::Custom,
            panicked("DownloadThread-1"),
            Key::crash_panicked,
        ),
        (
            Strategy::Process,
            Crash::Killed {
                worker: "pid 42".into(),
                pid: 42,
                tasks: vec![1],
            },
            Key::crash_killed,
        ),
        (
            Strategy::Workshops,
            Crash::Aborted {
                worker: "pid 43/t1".into(),
                pid: 43,
                tasks: vec![0, 1],
                others: vec![1],
            },
            Key::crash_aborted,
        ),
    ];
    for lang in [Lang::En, Lang::Zh] {
        for (strategy, crash, key) in &cases {
            let mut app = lesson_app();
            press(&mut app, KeyCode::Char('L'));
            app.settings.lang = lang;
            threadlab::runner::feed(&mut app, Event::Resize(120, 40));
            app.settings.strategy = *strategy;
            press(&mut app, KeyCode::Enter);
            app.update(Event::Crashed(crash.clone()));
            let shown = screen_words(&app);
            // Every word of the message is on screen, in order, once borders are taken away.
            // The left column of panes only (the downloads are 80 wide here), borders dropped.
            let flat: String = (shown.lines())
                .map(|l| l.chars().take(80).collect::<String>())
                .collect::<Vec<_>>()
                .concat()
                .replace(['│', '└', '┘', '┌', '┐', '─'], " ");
            let flat: String = flat.split_whitespace().collect();
            let worker = match crash {
                Crash::Panicked { worker, .. }
                | Crash::Killed { worker, .. }
                | Crash::Aborted { worker, .. } => worker.to_string(),
                _ => String::new(),
            };
            // Outside the lesson a panic points at key 7; two workshops: the other goes on.
            let third = match key {
                Key::crash_panicked => threadlab::i18n::t(lang, Key::crash_see_key).to_string(),
                Key::crash_unsupported => threadlab::i18n::t(lang, Key::crash_see_key).to_string(),
                _ => threadlab::i18n::tf(
                    lang,
                    Key::crash_others_one,
                    &[&threadlab::i18n::n_downloads(lang, 1)],
                ),
            };
            let want = match key {
                Key::crash_unsupported => threadlab::i18n::tf(lang, *key, &[&third]),
                Key::crash_panicked => threadlab::i18n::tf(lang, *key, &[&worker, &third]),
                _ => {
                    let lost = threadlab::i18n::n_downloads(lang, 2);
                    threadlab::i18n::tf(lang, *key, &[&worker, &lost, &third])
                }
            };
            let want: String = want.split_whitespace().collect();
            assert!(
                flat.contains(&want),
                "{strategy} {lang:?}: {want}\n{flat}\n{shown}"
            );
        }
    }
}

fn panicked(worker: &str) -> Crash {
    Crash::Panicked {
        worker: worker.into(),
        task: 1,
    }
}

/// `q` in scene 8 never ends the lesson's program without a word: with the program running, the
/// first `q` says that quitting ends it too (x ends only it), and only a second `q` quits; with
/// threadlab's own non-daemon ticker, a download run that `q` stops is named in main's box.
#[test]
fn q_in_the_daemon_scene_says_what_it_ends() {
    for (lang, warned, stopped) in [
        (
            Lang::En,
            "the Ping/Pong program is still running: x ends it; q again quits",
            "The threads run was stopped with main",
        ),
        (
            Lang::Zh,
            "Ping/Pong 程序还在运行：按 x 结束它；再按 q 退出 threadlab",
            "多线程的运行随主线程一起停止",
        ),
    ] {
        let mut app = lesson_app();
        app.settings.lang = lang;
        while !app.program_scene() {
            press(&mut app, KeyCode::PageDown);
        }
        enter_program(&mut app, 4242);
        assert_eq!(press(&mut app, KeyCode::Char('q')), []);
        // Wide characters leave a blank cell after them: compare without any blanks.
        let flat = |s: String| s.split_whitespace().collect::<String>();
        let words = flat(screen_words(&app));
        assert!(words.contains(&flat(warned.into())), "{words}");
        // Another key forgets the warning; q then warns again, and q once more quits.
        press(&mut app, KeyCode::Char('?'));
        press(&mut app, KeyCode::Char('?'));
        assert_eq!(press(&mut app, KeyCode::Char('q')), []);
        assert_eq!(press(&mut app, KeyCode::Char('q')), [Command::Quit]);

        // threadlab's own ticker on, a download run under way: q stops it and says so (the
        // box wraps the line where it may: its first words are on one row).
        let mut app = lesson_app();
        app.settings.lang = lang;
        press(&mut app, KeyCode::PageDown);
        press(&mut app, KeyCode::Char('p'));
        let cmds = press(&mut app, KeyCode::Enter);
        assert!(
            matches!(cmds.last(), Some(Command::StartRun { .. })),
            "{cmds:?}"
        );
        let cmds = press(&mut app, KeyCode::Char('q'));
        assert_eq!(cmds, [Command::StopRun]);
        let words = flat(screen_words(&app));
        assert!(words.contains(&flat(stopped.into())), "{words}");
    }
}

#[test]
fn scenes_8_and_9_never_trap_the_teacher() {
    let mut app = lesson_app();
    for _ in 0..7 {
        press(&mut app, KeyCode::PageDown);
    }
    assert!(
        app.program_scene() && !app.ticker.daemon,
        "scene 8: not daemon"
    );
    // Enter runs the lesson's program in a child, not the downloads.
    let (id, daemon) = enter_program(&mut app, 4242);
    assert!(!daemon && app.run.is_none());
    app.update(Event::PingPong {
        id,
        news: News::Word("Ping"),
    });
    app.update(Event::PingPong {
        id,
        news: News::MainEnded,
    });
    let words = screen_words(&app);
    assert!(words.contains("main thread has finished"), "{words}");
    assert!(words.contains("Ping"), "{words}");
    // x ends the program (never threadlab), as Ctrl-C would.
    assert_eq!(press(&mut app, KeyCode::Char('x')), [Command::EndPingPong]);
    app.update(Event::PingPong {
        id,
        news: News::Exited(Ended {
            code: None,
            signal: Some(2),
        }),
    });
    assert!(screen_words(&app).contains("SIGINT"));
    // q with threadlab's own non-daemon ticker still shows the rule on threadlab itself.
    press(&mut app, KeyCode::Char('p'));
    assert!(app.ticker.on && app.ticker.child.is_none());
    assert!(!press(&mut app, KeyCode::Char('q')).contains(&Command::Quit));
    assert!(app.main_finished);
    // PgDn goes on to scene 9 (daemon) without ending threadlab, and PgUp comes back.
    let cmds = press(&mut app, KeyCode::PageDown);
    assert!(!cmds.contains(&Command::Quit), "{cmds:?}");
    assert!(!app.main_finished && !app.ticker.on);
    assert_eq!(app.lesson.as_ref().unwrap().index, 8);
    assert!(app.ticker.daemon);
    // Scene 9: the program ends with its main thread, and the screen says its daemons died.
    let (id, daemon) = enter_program(&mut app, 4343);
    assert!(daemon);
    for news in [
        News::MainEnded,
        News::Exited(Ended {
            code: Some(0),
            signal: None,
        }),
    ] {
        app.update(Event::PingPong { id, news });
    }
    let words = screen_words(&app);
    assert!(
        words.contains("pid 4343 exited with status 0 when main finished"),
        "{words}"
    );
    assert!(words.contains("Ping and Pong died with it"), "{words}");
    // Said once, in the large box: the side panel no longer repeats it in a small one, where
    // it was cut after "when" (teacher tryout, 120×40).
    assert_eq!(
        words.matches("Ping/Pong ticker").count(),
        1,
        "one ticker box: {words}"
    );
    assert_eq!(words.matches("exited with status 0").count(), 1, "{words}");
    // A program still running is killed when the scene moves: PgUp stops it.
    let cmds = press(&mut app, KeyCode::Enter);
    assert!(matches!(cmds.last(), Some(Command::StartPingPong { .. })));
    let cmds = press(&mut app, KeyCode::PageUp);
    assert!(cmds.contains(&Command::StopPingPong), "{cmds:?}");
    assert_eq!(app.lesson.as_ref().unwrap().index, 7);
    assert!(!app.ticker.daemon && app.ticker.child.is_none());
    press(&mut app, KeyCode::PageUp);
    assert_eq!(app.lesson.as_ref().unwrap().index, 6);
}

#[test]
fn the_python_ticker_follows_d() {
    let mut app = lesson_app();
    for _ in 0..7 {
        press(&mut app, KeyCode::PageDown);
    }
    press(&mut app, KeyCode::Char('V'));
    let shown = |app: &App| {
        let s = screen_words(app);
        (s.contains("DAEMON = True"), s.contains("DAEMON = False"))
    };
    assert_eq!(shown(&app), (false, true), "{}", screen_words(&app));
    let ticker = |app: &App| pane(app, |r| r.contains("ticker.py"));
    insta::assert_snapshot!("python_ticker_daemon_off", ticker(&app));
    press(&mut app, KeyCode::Char('d'));
    assert_eq!(shown(&app), (true, false), "{}", screen_words(&app));
    insta::assert_snapshot!("python_ticker_daemon_on", ticker(&app));
    // The Rust panel shows the program the child runs, and says what d set.
    press(&mut app, KeyCode::Char('v'));
    let rust = pane(&app, |r| r.contains("ticker_child.rs"));
    assert!(rust.contains("DAEMON = True (d)"), "{rust}");
    press(&mut app, KeyCode::Char('d'));
    let rust = pane(&app, |r| r.contains("ticker_child.rs"));
    assert!(rust.contains("DAEMON = False (d)"), "{rust}");
    assert!(rust.contains("if !daemon"), "{rust}");
}

#[test]
fn io_and_cpu_results_stay_apart_and_finished_threads_stay_in_the_switch_table() {
    let mut app = lesson_app();
    press(&mut app, KeyCode::Char('L'));
    threadlab::runner::feed(&mut app, Event::Resize(120, 40));
    // serial on io, then threads computing: no speedup across the two.
    press(&mut app, KeyCode::Char('1'));
    let id = match &press(&mut app, KeyCode::Enter)[..] {
        [.., Command::StartRun { id, .. }] => *id,
        other => panic!("{other:?}"),
    };
    finish(&mut app, id);
    press(&mut app, KeyCode::Char('2'));
    press(&mut app, KeyCode::Char('w'));
    let id = match &press(&mut app, KeyCode::Enter)[..] {
        [.., Command::StartRun { id, .. }] => *id,
        other => panic!("{other:?}"),
    };
    let info = |tid, name: &str, n| threadlab::procinfo::ThreadInfo {
        pid: 1,
        tid,
        name: name.into(),
        voluntary: n,
        nonvoluntary: n,
    };
    // The threads this run started (the lanes know their names once they report).
    for (task, name) in [(0, "w1"), (1, "w2")] {
        let event = engine::WorkerEvent::Started {
            task,
            worker: name.into(),
            at: 0.0,
        };
        app.update(Event::Worker(engine::RunEvent { run: id, event }));
    }
    let sampled = |threads| Event::Sampled { threads, rss: None };
    app.update(sampled(vec![info(11, "w1", 5), info(12, "w2", 7)]));
    // w1 finished: the next sample no longer has it, the table still does.
    app.update(sampled(vec![info(12, "w2", 9)]));
    let names: Vec<(&str, u64)> = (app.switches.iter())
        .map(|t| (t.name.as_str(), t.voluntary))
        .collect();
    assert_eq!(names, [("w1", 5), ("w2", 9)]);
    finish(&mut app, id);
    let shown = screen_words(&app);
    let serial_row = shown.lines().find(|l| l.contains("│serial ")).unwrap();
    assert!(
        serial_row.contains("io 2c") && !serial_row.contains('×'),
        "{shown}"
    );
    // The next run starts a fresh table.
    press(&mut app, KeyCode::Enter);
    assert!(app.switches.is_empty());
}

/// The Ping/Pong program's news, until `until` says stop or 30 s pass (a busy machine).
fn news_until(
    rx: &mpsc::Receiver<Event>,
    mut until: impl FnMut(&News, &[News]) -> bool,
) -> Vec<News> {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut seen = Vec::new();
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match rx.recv_timeout(left) {
            Ok(Event::PingPong { news, .. }) => {
                let stop = until(&news, &seen);
                seen.push(news);
                if stop {
                    return seen;
                }
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
    panic!("the program's news stopped short: {seen:?}")
}

fn start_program(daemon: bool) -> (PingPong, mpsc::Receiver<Event>) {
    let (tx, rx) = mpsc::channel();
    let exe = Some(env!("CARGO_BIN_EXE_threadlab").into());
    // Main's 5 lesson seconds in a quarter of a real second.
    let program = PingPong::start(tx, 1, daemon, 20.0, exe).expect("the program starts");
    (program, rx)
}

#[test]
fn the_daemon_program_ends_with_its_main_thread_and_leaves_nothing_behind() {
    let (program, rx) = start_program(true);
    let pid = program.pid();
    let seen = news_until(&rx, |n, _| matches!(n, News::Exited(_)));
    assert_eq!(seen.first(), Some(&News::Started { pid }));
    let main_ended = seen.iter().position(|n| *n == News::MainEnded);
    let main_ended = main_ended.expect("main says it ended");
    assert!(seen[..main_ended].contains(&News::Word("Ping")), "{seen:?}");
    assert!(seen[..main_ended].contains(&News::Word("Pong")), "{seen:?}");
    assert_eq!(
        seen.last(),
        Some(&News::Exited(Ended {
            code: Some(0),
            signal: None
        }))
    );
    assert!(
        pids::gone_within(pid, Duration::from_secs(30)),
        "pid {pid} is still there"
    );
    drop(program);
}

#[test]
fn the_non_daemon_program_outlives_its_main_thread_until_x_ends_it() {
    let (program, rx) = start_program(false);
    let pid = program.pid();
    // After main has ended, Ping and Pong go on: words keep coming and the process is alive.
    let seen = news_until(&rx, |n, seen| {
        let after = seen.iter().skip_while(|n| **n != News::MainEnded).count();
        assert!(!matches!(n, News::Exited(_)), "it ended: {seen:?}");
        matches!(n, News::Word(_)) && after >= 4
    });
    assert!(seen.contains(&News::MainEnded));
    assert!(
        std::fs::metadata(format!("/proc/{pid}")).is_ok(),
        "pid {pid} died"
    );
    // x: SIGINT, as Ctrl-C would, and the process is reaped.
    program.interrupt();
    let seen = news_until(&rx, |n, _| matches!(n, News::Exited(_)));
    assert_eq!(
        seen.last(),
        Some(&News::Exited(Ended {
            code: None,
            signal: Some(2)
        }))
    );
    assert!(
        pids::gone_within(pid, Duration::from_secs(30)),
        "pid {pid} is still there"
    );
}

#[test]
fn a_dropped_program_is_killed_and_reaped() {
    let (program, rx) = start_program(false);
    let pid = program.pid();
    news_until(&rx, |n, _| *n == News::MainEnded);
    drop(program);
    // Dropping joins the reader, which reaped the child: no zombie, no process.
    assert!(std::fs::metadata(format!("/proc/{pid}")).is_err());
}

/// An io serial run and a cpu threads run are different experiments: the results table gives
/// the unlike one no speedup, and the chart draws each in a group of its own, named in the
/// screen's language.
#[test]
fn io_and_cpu_results_are_charted_apart() {
    for lang in [Lang::En, Lang::Zh] {
        let mut app = lesson_app();
        press(&mut app, KeyCode::Char('L'));
        app.settings.lang = lang;
        threadlab::runner::feed(&mut app, Event::Resize(120, 40));
        for (strategy, key) in [(Strategy::Serial, '1'), (Strategy::Threads, '2')] {
            press(&mut app, KeyCode::Char(key));
            if strategy == Strategy::Threads {
                press(&mut app, KeyCode::Char('w'));
            }
            let id = match &press(&mut app, KeyCode::Enter)[..] {
                [.., Command::StartRun { id, .. }] => *id,
                other => panic!("{other:?}"),
            };
            finish(&mut app, id);
        }
        assert_eq!(app.settings.workload, Workload::Cpu);
        let shown = screen_words(&app);
        let rows: Vec<String> = (shown.lines())
            .map(|r| r.split_whitespace().collect::<String>())
            .collect();
        let group = |workload: &str| {
            let head = threadlab::i18n::tf(lang, Key::chart_group, &[&workload, &2, &"10.00"]);
            let head: String = head.split_whitespace().collect();
            rows.iter().position(|r| r.contains(&head))
        };
        let io = group(threadlab::i18n::t(lang, Key::workload_io));
        let cpu = group(threadlab::i18n::t(lang, Key::workload_cpu));
        assert!(io.is_some() && cpu.is_some(), "{lang:?}:\n{shown}");
        assert_ne!(io, cpu);
    }
}

#[test]
fn d_in_a_daemon_scene_holds_through_enter_and_the_card_says_so() {
    let mut app = lesson_app();
    for _ in 0..8 {
        press(&mut app, KeyCode::PageDown);
    }
    assert!(app.program_scene() && app.ticker.daemon, "scene 9: daemon");
    press(&mut app, KeyCode::Char('d'));
    threadlab::runner::feed(&mut app, Event::Resize(120, 40));
    let shown = card(&app).replace('│', " ");
    let words = shown.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(words.contains("the program's daemon=False"), "{shown}");
    let cmds = press(&mut app, KeyCode::Enter);
    assert!(
        matches!(
            cmds.last(),
            Some(Command::StartPingPong { daemon: false, .. })
        ),
        "{cmds:?}"
    );
}

/// Threads of two processes may have the same id (ids are per namespace and reused): the
/// on-core stretches and the switch counts go by process and thread, so a workshop's thread
/// never lends its time to this process's thread of the same id.
#[test]
fn threads_are_known_by_process_and_thread_id() {
    let mut app = lesson_app();
    press(&mut app, KeyCode::Char('L'));
    press(&mut app, KeyCode::Char('7'));
    let id = match &press(&mut app, KeyCode::Enter)[..] {
        [.., Command::StartRun { id, .. }] => *id,
        other => panic!("{other:?}"),
    };
    let report =
        |app: &mut App, event| app.update(Event::Worker(engine::RunEvent { run: id, event }));
    for (task, worker, pid) in [(0, "main", 100), (1, "pid 2001/t1", 2001)] {
        report(
            &mut app,
            engine::WorkerEvent::Started {
                task,
                worker: worker.into(),
                at: 0.0,
            },
        );
        report(
            &mut app,
            engine::WorkerEvent::Thread {
                worker: worker.into(),
                pid,
                tid: 7,
            },
        );
    }
    let seg = threadlab::oncore::OnCore {
        from: 0.0,
        to: 1.0,
        share: 1.0,
    };
    app.update(Event::OnCore {
        run: id,
        segments: vec![(2001, 7, seg)],
    });
    let lanes = &app.run.as_ref().unwrap().lanes;
    assert_eq!(lanes.get("pid 2001/t1").unwrap().on_core, [seg]);
    assert!(lanes.get("main").unwrap().on_core.is_empty());
    // This process's sample names its own thread 7, not the workshop's.
    let info = threadlab::procinfo::ThreadInfo {
        pid: 100,
        tid: 7,
        name: "main".into(),
        voluntary: 3,
        nonvoluntary: 1,
    };
    app.update(Event::Sampled {
        threads: vec![info],
        rss: None,
    });
    let names: Vec<&str> = app.switches.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["main"]);
}

/// A new scene starts clean: scene 1's aborted workshop no longer reads "SIGABRT" in scene 2's
/// log; scenes whose Enter runs a program show neither the downloads nor the old chart; the
/// status line says the program runs; and `p`, which ends it, says so.
#[test]
fn each_scene_shows_only_its_own_stage() {
    use threadlab::i18n::t;
    let flat = |s: &str| s.split_whitespace().collect::<String>();
    for lang in [Lang::En, Lang::Zh] {
        let mut app = lesson_app();
        app.settings.lang = lang;
        enter(&mut app);
        let id = app.run.as_ref().unwrap().id;
        let aborted = engine::WorkerEvent::Failed {
            task: 0,
            worker: "pid 77/t1".into(),
            at: 1.0,
            reason: Failure::Signal(6),
        };
        app.update(Event::Worker(engine::RunEvent {
            run: id,
            event: aborted,
        }));
        finish(&mut app, id);
        assert!(screen_words(&app).contains("SIGABRT"));
        // A second strategy's result, so the chart shows.
        press(&mut app, KeyCode::Char('2'));
        enter(&mut app);
        let id = app.run.as_ref().unwrap().id;
        finish(&mut app, id);
        assert!(
            flat(&screen_words(&app)).contains(&flat(t(lang, Key::pane_chart))),
            "a result draws the chart"
        );
        press(&mut app, KeyCode::PageDown);
        let words = screen_words(&app);
        assert!(
            !words.contains("SIGABRT"),
            "scene 1's log in scene 2: {words}"
        );
        // Scene 8 runs the Ping/Pong program: no download, no chart, no download timing.
        while !app.program_scene() {
            press(&mut app, KeyCode::PageDown);
        }
        let words = flat(&screen_words(&app));
        for name in &app.settings.names {
            assert!(!words.contains(&flat(name)), "{name} in scene 8: {words}");
        }
        for stale in [Key::pane_chart, Key::timing_sum, Key::pane_downloads] {
            assert!(!words.contains(&flat(t(lang, stale))), "{stale:?}: {words}");
        }
        // Nor at 80×24, where the timing moves up to a status row of its own.
        let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
        term.draw(|f| f.render_widget(&app, f.area())).unwrap();
        let small: String = (term.backend().buffer().content.iter())
            .map(|c| c.symbol())
            .collect();
        let small = flat(&small);
        for stale in [Key::timing_ideal, Key::timing_sum, Key::pane_downloads] {
            assert!(!small.contains(&flat(t(lang, stale))), "{stale:?}: {small}");
        }
        enter_program(&mut app, 4242);
        let words = flat(&screen_words(&app));
        assert!(
            words.contains(&flat(t(lang, Key::state_program))),
            "{words}"
        );
        assert!(!words.contains(&flat(t(lang, Key::state_ready))), "{words}");
        // p ends the program to start threadlab's own Ping/Pong, and says so.
        let cmds = press(&mut app, KeyCode::Char('p'));
        assert!(cmds.contains(&Command::StopPingPong), "{cmds:?}");
        let words = flat(&screen_words(&app));
        let said = Key::hint_program_ended_for_ticker;
        assert!(words.contains(&flat(t(lang, said))), "{words}");
        let log = pane(&app, |r| r.contains(t(lang, Key::pane_log))).replace('│', "");
        let said = Key::pp_log_ended_for_ticker;
        assert!(flat(&log).contains(&flat(t(lang, said))), "{log}");
        // Scenes 10 and 11 (the real Python programs) show no downloads either.
        while !app.python_scene() {
            press(&mut app, KeyCode::PageDown);
        }
        let words = flat(&screen_words(&app));
        assert!(
            !words.contains(&flat(t(lang, Key::pane_downloads))),
            "{words}"
        );
    }
}

/// The crash notes say what this run and this lesson hold: scene 1 is not sent to scene 1, and
/// "the other workshops" are counted (there was one other, or none).
#[test]
fn crash_notes_point_where_the_class_is_and_count_the_workshops() {
    use threadlab::i18n::{t, tf};
    let flat = |s: &str| s.split_whitespace().collect::<String>();
    for lang in [Lang::En, Lang::Zh] {
        let note = |app: &App| {
            let words = screen_words(app);
            let left: Vec<String> = (words.lines())
                .map(|l| l.chars().take(80).collect::<String>())
                .collect();
            flat(&left.concat().replace(['│', '└', '┘', '┌', '┐', '─'], " "))
        };
        // Scene 1, the contrast its card asks for: 2, Enter, x.
        let mut app = lesson_app();
        app.settings.lang = lang;
        threadlab::runner::feed(&mut app, Event::Resize(120, 40));
        press(&mut app, KeyCode::Char('2'));
        press(&mut app, KeyCode::Enter);
        app.update(Event::Crashed(panicked("Thread-2")));
        let here = tf(
            lang,
            Key::crash_panicked,
            &[&"Thread-2", &t(lang, Key::crash_see_here)],
        );
        assert!(note(&app).contains(&flat(&here)), "{}", note(&app));
        assert!(!note(&app).contains(&flat(&tf(lang, Key::crash_see_scene, &[&1]))));
        // A later scene of threads points back at scene 1 by its number.
        press(&mut app, KeyCode::PageDown);
        press(&mut app, KeyCode::PageDown);
        press(&mut app, KeyCode::Enter);
        app.update(Event::Crashed(panicked("Thread-2")));
        let back = tf(lang, Key::crash_see_scene, &[&1]);
        assert!(note(&app).contains(&flat(&back)), "{}", note(&app));
        // Workshops: the others as the run had them when one went down, whatever the plan.
        let n = |n| threadlab::i18n::n_downloads(lang, n);
        for (k, alive, others) in [
            (1, vec![], t(lang, Key::crash_others_none).to_string()),
            // Planned two, but the other had finished its share: nothing goes on.
            (2, vec![], t(lang, Key::crash_others_gone).to_string()),
            (2, vec![1], tf(lang, Key::crash_others_one, &[&n(1)])),
            // Planned three, one of the others done: one goes on, not "the other 2".
            (3, vec![2], tf(lang, Key::crash_others_one, &[&n(2)])),
            (3, vec![2, 1], tf(lang, Key::crash_others_n, &[&2, &n(3)])),
        ] {
            let mut app = lesson_app();
            app.settings.lang = lang;
            app.settings.procs.workshops = k;
            threadlab::runner::feed(&mut app, Event::Resize(120, 40));
            press(&mut app, KeyCode::Enter);
            assert_eq!(app.run.as_ref().unwrap().state.workshops_started(), k);
            app.update(Event::Crashed(Crash::Aborted {
                worker: "pid 43/t1".into(),
                pid: 43,
                tasks: vec![0],
                others: alive.clone(),
            }));
            let want = tf(lang, Key::crash_aborted, &[&"pid 43/t1", &n(1), &others]);
            assert!(
                note(&app).contains(&flat(&want)),
                "{k} {alive:?}: {}",
                note(&app)
            );
            if lang == Lang::En && k == 2 && alive.is_empty() {
                // Spelled out once: one download is one, and no workshop is said to go on.
                let words = "the 1 download it had not finished failed with it; no other workshop was still running";
                assert!(note(&app).contains(&flat(words)), "{}", note(&app));
            }
        }
    }
}
