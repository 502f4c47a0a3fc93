//! The live screen's loop for a watched program: keys, signals and the program's inputs on one
//! channel, the model updated as they come, a frame drawn as soon as something changed (at most
//! one per 16 ms) and at least every 33 ms while the program runs.

use super::model::Program;
use super::session::{Input, Mode, Session, mono_now};
use super::view::WatchView;
use crate::app::Event;
use crate::i18n::Lang;
use crate::terminal;
use crate::ui::theme::Theme;
use crossterm::event::{KeyCode, KeyEventKind, KeyModifiers};
use std::ffi::OsString;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

/// Frames while the program runs: bars and lanes move with the clock.
const FRAME: Duration = Duration::from_millis(33);
/// The soonest a change is drawn after the frame before it.
const MIN_FRAME: Duration = Duration::from_millis(16);
/// How long a stopped program gets to end after SIGTERM before SIGKILL.
const STOP_GRACE: Duration = Duration::from_millis(1000);

/// What the loop hears.
enum Heard {
    Watch(Input),
    Terminal(Event),
}

impl From<Input> for Heard {
    fn from(i: Input) -> Self {
        Heard::Watch(i)
    }
}

/// Forward the terminal's keys and signals into the loop's channel.
fn forward_terminal(tx: Sender<Heard>) -> std::io::Result<Sender<Event>> {
    let (etx, erx) = mpsc::channel::<Event>();
    std::thread::Builder::new()
        .name("watch-keys".into())
        .spawn(move || {
            for e in erx {
                if tx.send(Heard::Terminal(e)).is_err() {
                    return;
                }
            }
        })?;
    Ok(etx)
}

/// Frame timing figures for `THREADLAB_WATCH_STATS` (a measuring seam, off by default): how
/// long after the program did something its frame was on the screen.
#[derive(Default)]
struct Delays {
    pending: Option<f64>,
    seen: Vec<f64>,
}

/// Run the program on the live screen until the user quits; returns threadlab's exit status.
pub fn run(command: &[OsString], speed: f64, lang: Lang, theme: Theme) -> i32 {
    let (tx, rx) = mpsc::channel::<Heard>();
    let etx = match forward_terminal(tx.clone()) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("threadlab: error: cannot start a thread: {e}");
            return 2;
        }
    };
    if let Err(e) = terminal::spawn_signals(etx.clone()) {
        eprintln!("threadlab: error: cannot watch for signals: {e}");
        return 2;
    }
    let (session, mut program) = match super::start(command, speed, Mode::Screen, tx) {
        Ok(s) => s,
        Err(status) => return status,
    };
    let status = match screen(&mut program, lang, theme, etx, rx) {
        Ok(status) => status,
        Err(e) => {
            terminal::restore();
            eprintln!("threadlab: error: {e}");
            2
        }
    };
    stop(&session);
    status
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

fn screen(
    program: &mut Program,
    mut lang: Lang,
    theme: Theme,
    etx: Sender<Event>,
    rx: mpsc::Receiver<Heard>,
) -> std::io::Result<i32> {
    let mut term = terminal::init(false)?;
    let _guard = terminal::Guard;
    terminal::spawn_input(etx)?;
    let stats = std::env::var_os("THREADLAB_WATCH_STATS").is_some();
    let mut delays = Delays::default();
    let mut dirty = true;
    let mut last_draw = Instant::now() - FRAME;
    let quit_status;
    loop {
        let running = program.ended.is_none();
        let next = if dirty {
            MIN_FRAME.saturating_sub(last_draw.elapsed())
        } else if running {
            FRAME.saturating_sub(last_draw.elapsed())
        } else {
            Duration::from_millis(500)
        };
        match rx.recv_timeout(next) {
            Ok(Heard::Watch(input)) => {
                if let Input::Probe { stamp, .. } = &input {
                    delays.pending = Some(delays.pending.map_or(stamp.t, |p: f64| p.min(stamp.t)));
                }
                program.apply(input);
                dirty = true;
            }
            Ok(Heard::Terminal(Event::Key(k))) if k.kind == KeyEventKind::Press => {
                let ctrl_c =
                    k.modifiers.contains(KeyModifiers::CONTROL) && k.code == KeyCode::Char('c');
                match k.code {
                    KeyCode::Char('q') | KeyCode::Esc => {
                        quit_status = None;
                        break;
                    }
                    _ if ctrl_c => {
                        quit_status = Some(130);
                        break;
                    }
                    KeyCode::Char('l') => {
                        lang = lang.toggled();
                        dirty = true;
                    }
                    _ => {}
                }
            }
            Ok(Heard::Terminal(Event::Shutdown(_))) => {
                quit_status = Some(i32::from(terminal::exit_code()).max(1));
                break;
            }
            Ok(Heard::Terminal(_)) => dirty = true,
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => {
                quit_status = None;
                break;
            }
        }
        let due = (dirty && last_draw.elapsed() >= MIN_FRAME)
            || (running && last_draw.elapsed() >= FRAME);
        if due {
            if terminal::take_redraw() {
                term.clear()?;
            }
            let now = mono_now();
            let view = WatchView {
                program,
                lang,
                theme: &theme,
                now,
            };
            term.draw(|f| f.render_widget(&view, f.area()))?;
            if let Some(p) = delays.pending.take() {
                delays.seen.push(mono_now() - p);
            }
            last_draw = Instant::now();
            dirty = false;
        }
    }
    drop(term);
    terminal::restore();
    if stats {
        report_delays(&delays.seen);
    }
    Ok(match quit_status {
        Some(s) => s,
        // A plain quit: the program's own status if it has ended, 0 if the user stopped it.
        None => program.ended.map_or(0, |e| e.shell_status()),
    })
}

fn report_delays(seen: &[f64]) {
    if seen.is_empty() {
        return;
    }
    let mut d = seen.to_vec();
    d.sort_by(f64::total_cmp);
    eprintln!(
        "threadlab watch: {} frames after probe events; event to frame median {:.1} ms, max {:.1} ms",
        d.len(),
        d[d.len() / 2] * 1000.0,
        d[d.len() - 1] * 1000.0
    );
}
