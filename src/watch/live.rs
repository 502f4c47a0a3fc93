//! The live screen's loop for a watched program: the program's inputs applied as they come, keys
//! looked at every 16 ms at most, a frame drawn as soon as something changed (at most one per
//! 16 ms) and at least every 33 ms while the program runs.

use super::carried::Watched;
use super::model::Program;
use super::session::{Input, Mode, Session, mono_now};
use super::view::WatchView;
use crate::app::Event;
use crate::bindings::{self, Action};
use crate::i18n::Lang;
use crate::terminal;
use crate::ui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::Backend;
use std::ffi::OsString;
use std::io::Write;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

/// Frames while the program runs: bars and lanes move with the clock.
const FRAME: Duration = Duration::from_millis(33);
/// The soonest a change is drawn after the frame before it.
const MIN_FRAME: Duration = Duration::from_millis(16);
/// How long a stopped program gets to end after SIGTERM before SIGKILL.
const STOP_GRACE: Duration = Duration::from_millis(1000);
/// How often keys are looked at while the program is busy, and how often an ended one redraws.
const KEYS: Duration = Duration::from_millis(16);
const IDLE: Duration = Duration::from_millis(250);

/// Frame timing figures for `THREADLAB_WATCH_STATS` (a measuring seam, off by default): how
/// long after the program did something its frame was on the screen.
#[derive(Default)]
struct Delays {
    pending: Option<f64>,
    seen: Vec<f64>,
}

/// Run the program on the live screen until the user quits; returns threadlab's exit status.
pub fn run(command: &[OsString], speed: f64, lang: Lang, theme: Theme) -> i32 {
    let (etx, erx) = mpsc::channel::<Event>();
    if let Err(e) = terminal::spawn_signals(etx.clone()) {
        eprintln!("threadlab: {}", super::no_signals(lang, &e));
        return 2;
    }
    let (tx, rx) = mpsc::channel::<Input>();
    // Started before the screen, so a missing command is one line on the normal screen.
    let (session, mut program) = match super::start(command, speed, Mode::Screen, tx, lang) {
        Ok(s) => s,
        Err(status) => return status,
    };
    let result = terminal::init(false).and_then(|mut term| {
        let _guard = terminal::Guard;
        terminal::spawn_input(etx)?;
        let mut shown = Shown {
            lang,
            theme,
            back: false,
            held: Vec::new(),
        };
        let quit = match screen(&mut term, &erx, &session, &mut program, &rx, &mut shown) {
            Ok(q) => q,
            Err(e) => {
                // The terminal failed (most often: it went away). Dropping it would try to show
                // the cursor on it and print that it could not, which panics on a dead stderr.
                std::mem::forget(term);
                return Err(e);
            }
        };
        drop(term);
        terminal::restore();
        Ok(quit)
    });
    stop(&session);
    // The private directory and its socket go now, before anything below can fail.
    drop(session);
    match result {
        // A plain quit: the program's own status if it ended, 0 if the user stopped it.
        Ok(Quit::Plain) => program.ended.map_or(0, |e| e.shell_status()),
        Ok(Quit::Status(s)) => s,
        Err(e) => {
            terminal::restore();
            match terminal::exit_code() {
                // (eprintln! would panic on a terminal that is gone.)
                0 => {
                    let line = super::error_line(lang, &crate::i18n::io_error(lang, &e));
                    let _ = writeln!(std::io::stderr(), "threadlab: {line}");
                    2
                }
                // The terminal went away or a signal came: that is why the screen failed.
                code => i32::from(code),
            }
        }
    }
}

/// Start `command` for a screen that is already open (the main screen's key for a strategy's
/// Python counterpart): nothing is printed, a failure comes back as one line of text in `lang`,
/// the same words the command line says it in.
pub fn start_on_screen(
    command: &[OsString],
    speed: f64,
    lang: Lang,
) -> Result<(Session, Program, mpsc::Receiver<Input>), String> {
    let (tx, rx) = mpsc::channel::<Input>();
    match Session::start(command, speed, Mode::Screen, tx) {
        Ok(session) => {
            let program = Program::new(
                super::command_text(command),
                speed,
                session.pid,
                session.spawned_at,
            );
            Ok((session, program, rx))
        }
        Err(e) => Err(e.text(lang)),
    }
}

/// [`start_on_screen`] for a Python program threadlab carries (a strategy's counterpart from
/// `assets/python/`): written to the private directory and run as `python3 NAME`.
pub fn start_script_on_screen(
    name: &str,
    source: &str,
    speed: f64,
    lang: Lang,
) -> Result<(Session, Program, mpsc::Receiver<Input>), String> {
    let (tx, rx) = mpsc::channel::<Input>();
    match Session::start_script(name, source, speed, Mode::Screen, tx) {
        Ok(session) => {
            let program = Program::new(
                super::command_text(&session.command),
                speed,
                session.pid,
                session.spawned_at,
            );
            Ok((session, program, rx))
        }
        Err(e) => Err(e.text(lang)),
    }
}

/// How the screen looks, and where `q` leads.
pub struct Shown {
    pub lang: Lang,
    pub theme: Theme,
    /// Lent by the main screen: `q` goes back to it instead of quitting threadlab.
    pub back: bool,
    /// What came for the screen that lent this one meanwhile (its own runs' and programs'
    /// news), handed back when `q` returns to it; keys, resizes and samples stay here.
    pub held: Vec<Event>,
}

/// Run the carried program `script` (a strategy's counterpart, a lesson scene's program) on the
/// main screen's terminal until `q` brings the main screen back: how the screen was left, what
/// the run showed, and the language it was left in with the events held for the main screen;
/// or one line saying why it could not start.
pub fn run_carried<B: Backend>(
    term: &mut Terminal<B>,
    keys: &mpsc::Receiver<Event>,
    script: &'static str,
    speed: f64,
    lang: Lang,
    theme: Theme,
) -> std::io::Result<Result<(Quit, Watched, Shown), String>>
where
    B::Error: Send + Sync + 'static,
{
    let Some((name, source)) = super::carried::script(script) else {
        return Ok(Err(format!("threadlab carries no program called {script}")));
    };
    // A program that computes has no sleeps to divide: its seconds stay real seconds.
    let speed = if super::carried::sleeps(name) {
        speed
    } else {
        1.0
    };
    let (session, mut program, inputs) = match start_script_on_screen(name, source, speed, lang) {
        Ok(s) => s,
        Err(e) => return Ok(Err(e)),
    };
    let mut shown = Shown {
        lang,
        theme,
        back: true,
        held: Vec::new(),
    };
    let quit = screen(term, keys, &session, &mut program, &inputs, &mut shown)?;
    // What the program said while it was being stopped is part of its story.
    while let Ok(input) = inputs.try_recv() {
        program.apply(input);
    }
    Ok(Ok((quit, super::carried::summarize(name, &program), shown)))
}

/// How the screen was left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quit {
    /// `q` or Esc.
    Plain,
    /// Ctrl-C, a signal or a lost terminal: the exit status asked for.
    Status(i32),
}

/// Draw `program` on `term` until the user quits, reading keys and resizes from `keys` and the
/// program's inputs from `inputs`; the program is stopped (its process group: SIGTERM, then
/// SIGKILL) before this returns. Generic over the backend, so a caller with a screen of its own
/// can lend it.
pub fn screen<B: Backend>(
    term: &mut Terminal<B>,
    keys: &mpsc::Receiver<Event>,
    session: &Session,
    program: &mut Program,
    inputs: &mpsc::Receiver<Input>,
    shown: &mut Shown,
) -> std::io::Result<Quit>
where
    B::Error: Send + Sync + 'static,
{
    let (mut lang, theme, back) = (shown.lang, shown.theme, shown.back);
    let stats = std::env::var_os("THREADLAB_WATCH_STATS").is_some();
    let mut delays = Delays::default();
    let mut dirty = true;
    let mut last_draw = Instant::now() - FRAME;
    let quit = 'screen: loop {
        let running = program.ended.is_none();
        let next = if dirty {
            MIN_FRAME.saturating_sub(last_draw.elapsed())
        } else if running {
            FRAME.saturating_sub(last_draw.elapsed())
        } else {
            IDLE
        };
        // Keys are looked at at least every KEYS, whatever the program does.
        match inputs.recv_timeout(next.min(KEYS)) {
            Ok(input) => {
                if let Input::Probe { stamp, .. } = &input {
                    delays.pending = Some(delays.pending.map_or(stamp.t, |p: f64| p.min(stamp.t)));
                }
                program.apply(input);
                dirty = true;
            }
            Err(RecvTimeoutError::Timeout) => {}
            // Every sender is gone: nothing more will come from the program.
            Err(RecvTimeoutError::Disconnected) => {
                if !dirty {
                    std::thread::sleep(next.min(KEYS));
                }
            }
        }
        while let Ok(event) = keys.try_recv() {
            match event {
                // The one key table, limited to what this screen does.
                Event::Key(k) => match bindings::watch_action_for(&k) {
                    Some(Action::ForceQuit) => break 'screen Quit::Status(130),
                    Some(Action::Quit) => break 'screen Quit::Plain,
                    Some(Action::Language) => {
                        lang = lang.toggled();
                        dirty = true;
                    }
                    _ => {}
                },
                Event::Shutdown(_) => {
                    break 'screen Quit::Status(i32::from(terminal::exit_code()).max(1));
                }
                // Stale by the time the lending screen is back, or news only of this screen.
                Event::Resize(..)
                | Event::Click(..)
                | Event::Ticker(_)
                | Event::Sampled { .. }
                | Event::WorkerReports => dirty = true,
                other => {
                    if back {
                        shown.held.push(other);
                    }
                }
            }
        }
        let due = (dirty && last_draw.elapsed() >= MIN_FRAME)
            || (running && last_draw.elapsed() >= FRAME);
        if due {
            if terminal::take_redraw() {
                term.clear().map_err(std::io::Error::other)?;
            }
            let view = WatchView {
                program,
                lang,
                theme: &theme,
                now: mono_now(),
                back,
            };
            term.draw(|f| f.render_widget(&view, f.area()))
                .map_err(std::io::Error::other)?;
            if let Some(p) = delays.pending.take() {
                delays.seen.push(mono_now() - p);
            }
            last_draw = Instant::now();
            dirty = false;
        }
    };
    stop(session);
    if stats {
        report_delays(&delays.seen);
    }
    // `l` here switches the screen that lent it too.
    shown.lang = lang;
    Ok(quit)
}

/// SIGTERM to the program's process group, then SIGKILL if it is still there after a grace.
fn stop(session: &Session) {
    if session.has_exited() {
        return;
    }
    session.signal(libc::SIGTERM, true);
    let start = Instant::now();
    while !session.has_exited() && start.elapsed() < STOP_GRACE {
        std::thread::sleep(Duration::from_millis(10));
    }
    session.signal(libc::SIGKILL, true);
}

fn report_delays(seen: &[f64]) {
    if seen.is_empty() {
        return;
    }
    let mut d = seen.to_vec();
    d.sort_by(f64::total_cmp);
    let _ = writeln!(
        std::io::stderr(),
        "threadlab watch: {} frames after probe events; event to frame median {:.1} ms, max {:.1} ms",
        d.len(),
        d[d.len() / 2] * 1000.0,
        d[d.len() - 1] * 1000.0
    );
}
