//! The only code that touches the real terminal: raw mode and the alternate screen, restored on
//! every way out (quit, error, panic, Ctrl-C, SIGTERM, SIGHUP); keys and signals become events.

use crate::app::Event;
use crossterm::event::{self, Event as CtEvent, MouseButton, MouseEventKind};
use crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen};
use crossterm::{cursor, execute, terminal};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use std::io::{self, Stdout};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::thread;

/// Set while the terminal is in raw mode on the alternate screen.
static ACTIVE: AtomicBool = AtomicBool::new(false);
/// Set while the mouse is captured (`--mouse`), so restoring releases it.
static MOUSE: AtomicBool = AtomicBool::new(false);

/// Put the terminal in raw mode on the alternate screen, with a panic hook that restores it.
pub fn init(mouse: bool) -> io::Result<Terminal<CrosstermBackend<Stdout>>> {
    install_panic_hook();
    terminal::enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    // A failure half way must not leave the shell in raw mode.
    execute!(io::stdout(), EnterAlternateScreen, cursor::Hide).inspect_err(|_| restore())?;
    if mouse {
        // Opt-in: capturing the mouse takes copy and paste away from the terminal.
        MOUSE.store(true, Ordering::SeqCst);
        execute!(io::stdout(), crossterm::event::EnableMouseCapture).inspect_err(|_| restore())?;
    }
    Terminal::new(CrosstermBackend::new(io::stdout())).inspect_err(|_| restore())
}

/// Leave the alternate screen, show the cursor, end raw mode. Safe to call more than once.
pub fn restore() {
    if ACTIVE.swap(false, Ordering::SeqCst) {
        // Errors are ignored on purpose: the terminal may already be gone, and there is no one to tell.
        if MOUSE.swap(false, Ordering::SeqCst) {
            let _ = execute!(io::stdout(), crossterm::event::DisableMouseCapture);
        }
        let _ = execute!(io::stdout(), LeaveAlternateScreen, cursor::Show);
        let _ = terminal::disable_raw_mode();
    }
}

/// Restores the terminal when dropped, so an early return or `?` cannot leave it broken.
pub struct Guard;

impl Drop for Guard {
    fn drop(&mut self) {
        restore();
    }
}

fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        // The crash demo's panic is the lesson, caught at its worker: the screen carries on.
        if crate::engine::is_worker_panic(info) {
            return;
        }
        // A panic on any thread leaves the screen inconsistent: restore it, show the message on
        // the normal screen, and end the process instead of drawing on a restored terminal.
        let was_active = ACTIVE.load(Ordering::SeqCst);
        restore();
        previous(info);
        if was_active {
            std::process::exit(101);
        }
    }));
}

/// Forward keys and resizes into `tx` from a thread of their own. A read error means the
/// terminal is gone: report it once and stop, never spin on a dead terminal.
pub fn spawn_input(tx: Sender<Event>) -> io::Result<()> {
    thread::Builder::new().name("input".into()).spawn(move || {
        loop {
            let ev = match event::read() {
                Ok(CtEvent::Key(k)) => Event::Key(k),
                Ok(CtEvent::Resize(w, h)) => Event::Resize(w, h),
                Ok(CtEvent::Mouse(m)) if m.kind == MouseEventKind::Down(MouseButton::Left) => {
                    Event::Click(m.column, m.row)
                }
                Ok(_) => continue,
                Err(e) => {
                    let _ = tx.send(Event::Shutdown(format!("terminal input closed: {e}")));
                    return;
                }
            };
            if tx.send(ev).is_err() {
                return;
            }
        }
    })?;
    Ok(())
}

/// Turn SIGTERM, SIGHUP and SIGINT into a shutdown event, so the loop restores the terminal.
pub fn spawn_signals(tx: Sender<Event>) -> io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP, SIGINT])?;
    thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            let mut asked = false;
            for sig in signals.forever() {
                if asked {
                    // Asked twice: the loop did not end in time, so restore and leave right here.
                    restore();
                    std::process::exit(128 + sig);
                }
                asked = true;
                let _ = tx.send(Event::Shutdown(format!("signal {sig}")));
            }
        })?;
    Ok(())
}
