//! The loop itself, driven on `TestBackend`: input is handled before any backlog of worker
//! reports, and a backlog costs the screen no more than the downloads it is about.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::{Backend, ClearType, TestBackend, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};
use std::io;
use std::sync::mpsc;
use threadlab::app::{App, Event, Start};
use threadlab::engine::{Strategy, WorkerEvent};
use threadlab::runner::{self, Runner};
use threadlab::settings::Settings;
use threadlab::tasks;

/// A test terminal that keeps every frame it is sent, and goes away (its flush fails) after
/// `frames` frames: the way a test ends a loop that would otherwise run for ever.
struct Frames {
    inner: TestBackend,
    frames: Vec<String>,
    last: usize,
}

/// A test backend cannot fail.
fn ok<T>(r: Result<T, std::convert::Infallible>) -> io::Result<T> {
    match r {
        Ok(v) => Ok(v),
        Err(never) => match never {},
    }
}

impl Backend for Frames {
    type Error = io::Error;
    fn draw<'a, I>(&mut self, content: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        ok(self.inner.draw(content))
    }
    fn hide_cursor(&mut self) -> io::Result<()> {
        ok(self.inner.hide_cursor())
    }
    fn show_cursor(&mut self) -> io::Result<()> {
        ok(self.inner.show_cursor())
    }
    fn get_cursor_position(&mut self) -> io::Result<Position> {
        ok(self.inner.get_cursor_position())
    }
    fn set_cursor_position<P: Into<Position>>(&mut self, p: P) -> io::Result<()> {
        ok(self.inner.set_cursor_position(p))
    }
    fn clear(&mut self) -> io::Result<()> {
        ok(self.inner.clear())
    }
    fn clear_region(&mut self, t: ClearType) -> io::Result<()> {
        ok(self.inner.clear_region(t))
    }
    fn size(&self) -> io::Result<Size> {
        ok(self.inner.size())
    }
    fn window_size(&mut self) -> io::Result<WindowSize> {
        ok(self.inner.window_size())
    }
    fn flush(&mut self) -> io::Result<()> {
        let buf = self.inner.buffer();
        let text: String = (buf.content.iter()).map(|c| c.symbol()).collect();
        self.frames.push(text);
        if self.frames.len() >= self.last {
            return Err(io::Error::other("the test has seen enough frames"));
        }
        Ok(())
    }
}

fn app(count: usize) -> App {
    App::new(Start {
        settings: Settings {
            strategy: Strategy::Pool,
            workers: 1024,
            speed: 10.0,
            names: tasks::generated_names(count),
            ..Settings::default()
        },
        cores: 2,
        all_cores: 2,
        scenes: Vec::new(),
    })
}

#[test]
fn a_key_queued_behind_100000_progress_reports_shows_on_the_next_frame() {
    const N: usize = 100_000;
    let mut a = app(N);
    runner::feed(&mut a, Event::Resize(120, 40));
    let (tx, rx) = mpsc::channel();
    let mut r = Runner::new(tx.clone());
    // A run the reports belong to, as the screen would have started it.
    let start = a.update(Event::Key(KeyEvent::new(
        KeyCode::Enter,
        KeyModifiers::NONE,
    )));
    let id = match &start[..] {
        [threadlab::app::Command::StartRun { id, .. }] => *id,
        other => panic!("Enter should start a run: {other:?}"),
    };
    // Reports first, the key after them, as a busy run would have queued them.
    let reporter = r.reporter(id);
    for task in 0..N {
        reporter.send(WorkerEvent::Started {
            task,
            worker: format!("pool-{}", task % 1024 + 1).into(),
            at: 0.0,
        });
        for done in [0.1, 0.2, 0.3] {
            reporter.send(WorkerEvent::Progress { task, done });
        }
    }
    tx.send(Event::Key(KeyEvent::new(
        KeyCode::Char('l'),
        KeyModifiers::NONE,
    )))
    .expect("the loop's channel is open");
    let mut term = Terminal::new(Frames {
        inner: TestBackend::new(120, 40),
        frames: Vec::new(),
        last: 3,
    })
    .expect("a test terminal");
    let ended = runner::run(&mut term, &mut a, rx, &mut r);
    r.shut_down();
    assert!(ended.is_err(), "the loop ends only when the terminal goes");
    let frames = &term.backend().frames;
    assert_eq!(
        frames.len(),
        3,
        "a frame before any event, one for the key, then one for the reports"
    );
    assert!(frames[0].contains("running"), "{}", frames[0]);
    // The key's effect is on the very next frame, although 400,000 reports were ahead of it:
    // the key bar now offers English back.
    assert!(
        frames[1].contains("l English") && !frames[1].contains("running"),
        "{}",
        frames[1]
    );
    // Every download's reports arrived by the frame after (coalesced to its latest), none lost.
    let run = a.run.as_ref().expect("the run is on screen");
    assert_eq!(run.state.running(), N);
    assert!(run.state.tasks.iter().all(|t| t.done == 0.3));
    assert_eq!(run.lanes.len(), 1024);
}

#[test]
fn an_idle_inbox_holds_one_entry_per_download_however_many_reports_came() {
    let (tx, rx) = mpsc::channel();
    let r = Runner::new(tx);
    let reporter = r.reporter(1);
    for round in 1..=50 {
        for task in 0..1000 {
            reporter.send(WorkerEvent::Progress {
                task,
                done: f64::from(round) / 50.0,
            });
        }
    }
    // One wake-up in the channel, not 50,000 messages.
    assert_eq!(rx.try_iter().count(), 1);
    let pending = r.take_reports();
    assert_eq!(pending.len(), 1000);
    assert!(pending.into_events().all(|e| matches!(
        e.event,
        WorkerEvent::Progress { done, .. } if done == 1.0
    )));
}

/// Whatever the interleaving of many workers' reports and the screen's takes, each download's
/// start comes before its end, its latest progress is never lost, and one take holds at most one
/// progress report per download.
#[test]
fn reports_from_many_threads_arrive_in_order_while_the_screen_takes_them() {
    const THREADS: usize = 8;
    const EACH: usize = 500;
    let (tx, _rx) = mpsc::channel();
    let r = Runner::new(tx);
    let reporter = r.reporter(7);
    let workers: Vec<_> = (0..THREADS)
        .map(|t| {
            let reporter = reporter.clone();
            std::thread::spawn(move || {
                for task in t * EACH..(t + 1) * EACH {
                    let worker: std::sync::Arc<str> = format!("w{t}").into();
                    let at = 0.0;
                    reporter.send(WorkerEvent::Started {
                        task,
                        worker: worker.clone(),
                        at,
                    });
                    for step in 1..=20 {
                        let done = f64::from(step) / 20.0;
                        reporter.send(WorkerEvent::Progress { task, done });
                    }
                    reporter.send(WorkerEvent::Finished {
                        task,
                        worker,
                        at,
                        took: 0.0,
                    });
                }
            })
        })
        .collect();
    let mut started = vec![false; THREADS * EACH];
    let mut finished = vec![false; THREADS * EACH];
    let mut latest = vec![0.0; THREADS * EACH];
    let take = |started: &mut [bool], finished: &mut [bool], latest: &mut [f64]| {
        let pending = r.take_reports();
        let mut seen = std::collections::HashSet::new();
        for ev in pending.into_events() {
            assert_eq!(ev.run, 7);
            match ev.event {
                WorkerEvent::Started { task, .. } => started[task] = true,
                WorkerEvent::Finished { task, .. } => {
                    assert!(started[task], "download {task} ended before it started");
                    finished[task] = true;
                }
                WorkerEvent::Progress { task, done } => {
                    assert!(
                        seen.insert(task),
                        "two progress reports of {task} in one take"
                    );
                    assert!(started[task], "progress of {task} before its start");
                    assert!(done >= latest[task], "progress of {task} went back");
                    latest[task] = done;
                }
                other => panic!("unexpected {other:?}"),
            }
        }
    };
    while workers.iter().any(|w| !w.is_finished()) {
        take(&mut started, &mut finished, &mut latest);
    }
    for w in workers {
        w.join().expect("a reporting thread");
    }
    take(&mut started, &mut finished, &mut latest);
    assert!(finished.iter().all(|&f| f), "every end arrived");
    assert!(
        latest.iter().all(|&d| d == 1.0),
        "every latest progress arrived"
    );
}

/// The runner measures a run's CPU time at its start and as it ends (on the run's thread, not
/// the screen's), and the app judges the finished run with it, whichever of the two came first.
#[test]
fn a_finished_run_is_judged_with_its_measured_cpu_time() {
    let mut a = app(3);
    a.update(Event::Key(KeyEvent::new(
        KeyCode::Char('2'),
        KeyModifiers::NONE,
    )));
    let (tx, rx) = mpsc::channel();
    let mut r = Runner::new(tx);
    let cmds = a.update(Event::Key(KeyEvent::new(
        KeyCode::Enter,
        KeyModifiers::NONE,
    )));
    let [threadlab::app::Command::StartRun { id, plan }] = &cmds[..] else {
        panic!("Enter should start a run: {cmds:?}");
    };
    let (id, mut plan) = (*id, plan.clone());
    plan.speed = 1000.0;
    a.run.as_mut().expect("a run").speed = Some(plan.speed);
    r.execute(threadlab::app::Command::StartRun { id, plan })
        .expect("the run starts");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let mut finished = false;
    while !(finished && a.run.as_ref().is_some_and(|r| r.cpu.is_some())) {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let event = rx.recv_timeout(left).expect("the run ends in time");
        if matches!(event, Event::WorkerReports) {
            for ev in r.take_reports().into_events() {
                finished |= matches!(ev.event, WorkerEvent::RunFinished { .. });
                a.update(Event::Worker(ev));
            }
        } else {
            a.update(event);
        }
    }
    r.shut_down();
    let run = a.run.as_ref().expect("the run is on screen");
    let v = run.verdict.as_ref().expect("a finished run is judged");
    assert_eq!(v.figures.measured.cpu, run.cpu);
    assert!(v.figures.measured.wall.is_some_and(|w| w > 0.0), "{v:?}");
}

/// The screen's words at 120×40, rows joined, blanks dropped (a wrapped line reads whole).
fn words(a: &App) -> String {
    let mut term = Terminal::new(TestBackend::new(120, 40)).unwrap();
    term.draw(|f| f.render_widget(a, f.area())).unwrap();
    let buf = term.backend().buffer().clone();
    // The left column only (the log is 80 wide here), so a wrapped line is not cut by the panel.
    let left: String = (0..40)
        .flat_map(|y| (0..80).map(move |x| (x, y)))
        .map(|(x, y)| buf[(x, y)].symbol().to_string())
        .collect();
    left.replace('│', "").split_whitespace().collect()
}

/// Ctrl-Z stops the process, not its clock: the runner holds a run under way while suspended
/// (child processes included) and lets it go on after, and the screen says how long the program
/// was away and that the run's figures leave it out. A run paused with Space stays paused.
#[test]
fn a_suspend_holds_the_runs_clock_and_the_screen_says_for_how_long() {
    use std::time::Duration;
    use threadlab::i18n::{Key, Lang, tf};
    use threadlab::terminal::Suspend;
    let flat = |s: String| s.split_whitespace().collect::<String>();
    for lang in [Lang::En, Lang::Zh] {
        let mut a = app(3);
        a.settings.lang = lang;
        let (tx, rx) = mpsc::channel();
        let mut r = Runner::new(tx);
        let hook = r.suspend_hook();
        let cmds = a.update(Event::Key(KeyEvent::new(
            KeyCode::Enter,
            KeyModifiers::NONE,
        )));
        let [threadlab::app::Command::StartRun { id, plan }] = &cmds[..] else {
            panic!("Enter should start a run: {cmds:?}");
        };
        let (id, mut plan) = (*id, plan.clone());
        // Slow enough that the run is still under way when the test is done with it.
        plan.speed = 0.1;
        r.execute(threadlab::app::Command::StartRun { id, plan })
            .expect("the run starts");
        // Once a download has started, the run's clock has begun (its main thread zeroes it).
        let mut started = false;
        while !started {
            let event = rx.recv_timeout(Duration::from_secs(60)).expect("a report");
            if matches!(event, Event::WorkerReports) {
                for ev in r.take_reports().into_events() {
                    started |= matches!(ev.event, WorkerEvent::Started { .. });
                    a.update(Event::Worker(ev));
                }
            }
        }
        hook(Suspend::Stopping);
        let frozen = r.now();
        std::thread::sleep(Duration::from_millis(20));
        assert_eq!(r.now(), frozen, "the run's clock is held while suspended");
        hook(Suspend::Continued(Duration::from_secs_f64(12.34)));
        let said = (rx.try_iter())
            .find(|e| matches!(e, Event::Suspended { .. }))
            .expect("the runner says how long it was away");
        assert!(
            matches!(said, Event::Suspended { run: Some(r), seconds } if r == id && seconds == 12.34),
            "{said:?}"
        );
        a.update(said);
        let shown = words(&a);
        let log = flat(tf(lang, Key::log_suspended_run, &[&"12.3"]));
        assert!(shown.contains(&log), "{shown}");
        let side = flat(tf(lang, Key::side_suspended, &[&"12.3"]));
        let whole = {
            let mut term = Terminal::new(TestBackend::new(120, 40)).unwrap();
            term.draw(|f| f.render_widget(&a, f.area())).unwrap();
            let buf = term.backend().buffer().clone();
            (0..40)
                .flat_map(|y| (0..120).map(move |x| (x, y)))
                .map(|(x, y)| buf[(x, y)].symbol().to_string())
                .collect::<String>()
        };
        assert!(flat(whole.clone()).contains(&side), "{whole}");
        // Going on again: the clock moves (within a generous time).
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while r.now() == frozen {
            assert!(
                std::time::Instant::now() < deadline,
                "the run never went on"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        // Paused with Space, a suspend leaves it paused and counts nothing against the run.
        for cmd in a.update(Event::Key(KeyEvent::new(
            KeyCode::Char(' '),
            KeyModifiers::NONE,
        ))) {
            r.execute(cmd).unwrap();
        }
        let paused = r.now();
        hook(Suspend::Stopping);
        hook(Suspend::Continued(Duration::from_secs(2)));
        let said = (rx.try_iter())
            .find(|e| matches!(e, Event::Suspended { .. }))
            .expect("the runner says how long it was away");
        assert!(
            matches!(said, Event::Suspended { run: None, .. }),
            "{said:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
        assert_eq!(r.now(), paused, "still paused");
        a.update(said);
        let log = flat(tf(lang, Key::log_suspended, &[&"2.0"]));
        assert!(words(&a).contains(&log), "{}", words(&a));
        assert_eq!(a.run.as_ref().unwrap().suspended, 12.34);
        r.shut_down();
    }
}
