//! The only code that touches the real terminal: raw mode and the alternate screen, restored on
//! every way out (quit, error, panic, Ctrl-C, a terminating signal, a terminal that goes away),
//! given back while the program is suspended (Ctrl-Z, SIGTSTP); keys and signals become events.

use crate::app::Event;
use crossterm::event::{self, Event as CtEvent, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use crossterm::event::{MouseButton, MouseEventKind};
use crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen};
use crossterm::{cursor, execute, terminal};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use std::io::{self, Stdout};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::mpsc::Sender;
use std::thread;
use std::time::{Duration, Instant};

/// Set while the terminal is in raw mode on the alternate screen.
static ACTIVE: AtomicBool = AtomicBool::new(false);
/// Set when the mouse is captured (`--mouse`), so restoring releases it and resuming takes it again.
static MOUSE: AtomicBool = AtomicBool::new(false);
/// The exit status the first reason to end asked for (0: none, a plain quit).
static EXIT: AtomicU8 = AtomicU8::new(0);
/// Set when the screen was taken away (suspend): the next frame must be drawn whole.
static REDRAW: AtomicBool = AtomicBool::new(false);
/// Set while the program stops itself (Ctrl-Z): the SIGCONT that follows is not news.
static OWN_STOP: AtomicBool = AtomicBool::new(false);

/// What the program does around a suspend (see [`on_suspend`]).
static ON_SUSPEND: OnceLock<Box<dyn Fn(Suspend) + Send + Sync>> = OnceLock::new();

/// The two moments of a suspend (Ctrl-Z, SIGTSTP).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Suspend {
    /// The process is about to stop.
    Stopping,
    /// It was continued after being stopped this long.
    Continued(Duration),
}

/// Call `hook` around every suspend: the runner freezes a run's clock (a stopped process's clock
/// runs on) and says afterwards how long it was away. Set once; later calls are ignored.
pub fn on_suspend(hook: impl Fn(Suspend) + Send + Sync + 'static) {
    let _ = ON_SUSPEND.set(Box::new(hook));
}

fn suspending(moment: Suspend) {
    if let Some(hook) = ON_SUSPEND.get() {
        hook(moment);
    }
}

/// Exit status for a hangup or a terminal that went away, as if SIGHUP had ended the program.
const HANGUP_EXIT: u8 = 128 + libc::SIGHUP as u8;
/// Exit status for Ctrl-C pressed as a key, as if SIGINT had ended the program.
const CTRL_C_EXIT: u8 = 128 + libc::SIGINT as u8;
/// How long the loop has to restore and leave after the terminal went away before it is cut short.
const HANGUP_GRACE: Duration = Duration::from_millis(800);

/// Put the terminal in raw mode on the alternate screen, with a panic hook that restores it.
pub fn init(mouse: bool) -> io::Result<Terminal<CrosstermBackend<Stdout>>> {
    install_panic_hook();
    MOUSE.store(mouse, Ordering::SeqCst);
    enter()?;
    Terminal::new(CrosstermBackend::new(io::stdout())).inspect_err(|_| restore())
}

/// Raw mode, the alternate screen, the cursor hidden and (if asked for) the mouse captured.
fn enter() -> io::Result<()> {
    terminal::enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    // A failure half way must not leave the shell in raw mode.
    execute!(io::stdout(), EnterAlternateScreen, cursor::Hide).inspect_err(|_| restore())?;
    if MOUSE.load(Ordering::SeqCst) {
        // Opt-in: capturing the mouse takes copy and paste away from the terminal.
        execute!(io::stdout(), crossterm::event::EnableMouseCapture).inspect_err(|_| restore())?;
    }
    Ok(())
}

/// Leave the alternate screen, show the cursor, end raw mode. Safe to call more than once.
pub fn restore() {
    if ACTIVE.swap(false, Ordering::SeqCst) {
        // Errors are ignored on purpose: the terminal may already be gone, and there is no one to tell.
        if MOUSE.load(Ordering::SeqCst) {
            let _ = execute!(io::stdout(), crossterm::event::DisableMouseCapture);
        }
        let _ = execute!(io::stdout(), LeaveAlternateScreen, cursor::Show);
        let _ = terminal::disable_raw_mode();
    }
}

/// The exit status the program should end with: 128 + the signal that ended it, 130 for Ctrl-C,
/// 129 when the terminal went away, 0 for a plain quit.
pub fn exit_code() -> u8 {
    EXIT.load(Ordering::SeqCst)
}

/// Record why the program ends; the first reason wins.
fn set_exit(code: u8) {
    let _ = EXIT.compare_exchange(0, code, Ordering::SeqCst, Ordering::SeqCst);
}

/// Whether the screen must be drawn whole (it was given back to the shell meanwhile); clears it.
pub fn take_redraw() -> bool {
    REDRAW.swap(false, Ordering::SeqCst)
}

/// Ask the loop for a whole new frame: the flag says "everything", the resize wakes it up.
fn request_redraw(tx: &Sender<Event>) {
    REDRAW.store(true, Ordering::SeqCst);
    if let Ok((w, h)) = terminal::size() {
        let _ = tx.send(Event::Resize(w, h));
    }
}

/// Give the terminal back and stop the process (Ctrl-Z, SIGTSTP); once continued, take the
/// terminal again and have the whole screen redrawn.
fn suspend(tx: &Sender<Event>) {
    // Holding stdout keeps the loop from drawing on the shell's screen while we are stopped; a
    // frame it had half written lands on the alternate screen before we leave it.
    let out = io::stdout();
    let _held = out.lock();
    if !ACTIVE.load(Ordering::SeqCst) {
        return;
    }
    restore();
    suspending(Suspend::Stopping);
    let stopped = Instant::now();
    // SIGSTOP, not SIGTSTP: a stop request to an orphaned process group is discarded, SIGSTOP never is.
    OWN_STOP.store(true, Ordering::SeqCst);
    // SAFETY: raise has no preconditions; it returns once the process is continued.
    unsafe {
        libc::raise(libc::SIGSTOP);
    }
    suspending(Suspend::Continued(stopped.elapsed()));
    if enter().is_ok() {
        request_redraw(tx);
    }
}

/// After a stop we did not ask for (SIGSTOP from outside, then SIGCONT): the shell may have reset
/// the tty meanwhile, so put raw mode back, and redraw everything. The loop is told, as it is
/// what can tell how long the program was stopped: SIGSTOP cannot be caught, and a stopped
/// run's clock runs on.
fn continued(tx: &Sender<Event>) {
    let out = io::stdout();
    let _held = out.lock();
    // Our own suspend ends here too (this lock waits for it): its time is told already.
    if !OWN_STOP.swap(false, Ordering::SeqCst) {
        // Closed channel: the loop is ending anyway.
        let _ = tx.send(Event::Continued);
    }
    if ACTIVE.load(Ordering::SeqCst) {
        // crossterm skips enabling raw mode when it believes it already did: reset its belief first.
        let _ = terminal::disable_raw_mode();
        let _ = terminal::enable_raw_mode();
        request_redraw(tx);
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
        // Wait for a frame being drawn to finish (briefly: the panic may be in that frame, on
        // this very thread), and keep the next one from starting before the process ends.
        let deadline = std::time::Instant::now() + std::time::Duration::from_millis(200);
        let _frames = loop {
            match crate::runner::DRAWING.try_lock() {
                Ok(g) => break Some(g),
                Err(std::sync::TryLockError::Poisoned(p)) => break Some(p.into_inner()),
                Err(std::sync::TryLockError::WouldBlock)
                    if std::time::Instant::now() < deadline =>
                {
                    thread::yield_now()
                }
                Err(std::sync::TryLockError::WouldBlock) => break None,
            }
        };
        restore();
        // Nor may a watched program or its socket outlive us.
        crate::watch::session::abandon_all();
        previous(info);
        if was_active {
            std::process::exit(101);
        }
    }));
}

fn is_ctrl(k: &KeyEvent, c: char) -> bool {
    k.kind == KeyEventKind::Press
        && k.modifiers.contains(KeyModifiers::CONTROL)
        && matches!(k.code, KeyCode::Char(x) if x.eq_ignore_ascii_case(&c))
}

/// Forward keys and resizes into `tx` from a thread of their own, and watch the terminal from a
/// second one: when it goes away the program ends within a second, whatever the reads do.
pub fn spawn_input(tx: Sender<Event>) -> io::Result<()> {
    spawn_hangup_watch(tx.clone())?;
    thread::Builder::new().name("input".into()).spawn(move || {
        loop {
            let ev = match event::read() {
                Ok(CtEvent::Key(k)) if is_ctrl(&k, 'z') => {
                    // Raw mode turned ISIG off, so Ctrl-Z arrives as a key: suspend as the tty would.
                    suspend(&tx);
                    continue;
                }
                Ok(CtEvent::Key(k)) => {
                    if is_ctrl(&k, 'c') {
                        // The app quits on it at once; the shell should see an interrupt.
                        set_exit(CTRL_C_EXIT);
                    }
                    Event::Key(k)
                }
                Ok(CtEvent::Resize(w, h)) => Event::Resize(w, h),
                Ok(CtEvent::Mouse(m)) if m.kind == MouseEventKind::Down(MouseButton::Left) => {
                    Event::Click(m.column, m.row)
                }
                Ok(_) => continue,
                Err(e) => {
                    set_exit(HANGUP_EXIT);
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

/// crossterm's reader never returns once its terminal is at end of input (it retries the empty
/// read forever, at 100% of a core). So a thread of our own waits, without a timeout and without
/// reading, for the tty to report a hangup or an error; then the program ends, via the loop if it
/// answers in time, or right here.
fn spawn_hangup_watch(tx: Sender<Event>) -> io::Result<()> {
    thread::Builder::new()
        .name("hangup-watch".into())
        .spawn(move || {
            let mut fd = libc::pollfd {
                fd: libc::STDIN_FILENO,
                // No events asked for: poll still reports POLLHUP, POLLERR and POLLNVAL, and
                // nothing else, so a key never wakes this thread.
                events: 0,
                revents: 0,
            };
            loop {
                // SAFETY: one valid pollfd, for the duration of the call.
                let n = unsafe { libc::poll(&mut fd, 1, -1) };
                if n > 0 && fd.revents & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0 {
                    break;
                }
                if n < 0 && io::Error::last_os_error().kind() != io::ErrorKind::Interrupted {
                    // poll itself failed: nothing to watch with; the reads still end on errors.
                    return;
                }
            }
            set_exit(HANGUP_EXIT);
            let _ = tx.send(Event::Shutdown("the terminal went away".into()));
            thread::sleep(HANGUP_GRACE);
            restore();
            crate::trace::remove_pending();
            crate::watch::session::abandon_all();
            std::process::exit(i32::from(HANGUP_EXIT));
        })?;
    Ok(())
}

/// Turn the terminating signals (SIGTERM, SIGHUP, SIGINT, SIGQUIT) into a shutdown event, so the
/// loop restores the terminal and the program exits with 128 + the signal; SIGTSTP suspends.
pub fn spawn_signals(tx: Sender<Event>) -> io::Result<()> {
    use signal_hook::consts::{SIGCONT, SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGTSTP};
    let mut signals =
        signal_hook::iterator::Signals::new([SIGTERM, SIGHUP, SIGINT, SIGQUIT, SIGTSTP, SIGCONT])?;
    thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            let mut asked = false;
            for sig in signals.forever() {
                match sig {
                    SIGTSTP => suspend(&tx),
                    SIGCONT => continued(&tx),
                    _ if asked => {
                        // Asked twice: the loop did not end in time, so restore and leave right here.
                        restore();
                        crate::trace::remove_pending();
                        crate::watch::session::abandon_all();
                        std::process::exit(128 + sig);
                    }
                    _ => {
                        asked = true;
                        set_exit(128 + sig as u8);
                        let _ = tx.send(Event::Shutdown(format!("signal {sig}")));
                    }
                }
            }
        })?;
    Ok(())
}
