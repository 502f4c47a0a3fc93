//! The daemon lesson's Ping/Pong program, run as a process of its own so the class sees that
//! process live or die without threadlab ending: the child side (the lesson's program, in Rust)
//! and the parent side (start it, read its words, end it, always reap it).
//!
//! The child is this same binary, told by an environment variable (never a command-line option:
//! the localized parser would have to know it) to be the program. Its main thread starts `Ping`
//! and `Pong`, sleeps 5 lesson seconds and ends; with `daemon` the process then ends and the two
//! threads die with it, without it the process waits for them forever, as Python waits for its
//! non-daemon threads, until the parent ends it.

use crate::app::Event;
use std::ffi::OsStr;
use std::io::{self, BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// The environment variable that makes threadlab the Ping/Pong program: `daemon,speed,parent`.
pub const ENV: &str = "THREADLAB_PING_PONG";

/// The line the child's main thread prints when its 5 s are over.
const MAIN_ENDED: &str = "main ended";

/// The shortest real pause between two words: at `--speed 1000` the lesson's 0.1 s would flood
/// the pipe with ten thousand words a second that nobody could read.
const FLOOR: Duration = Duration::from_millis(10);

/// How the program ended, as its parent's `wait` saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ended {
    /// The exit status, when it exited.
    pub code: Option<i32>,
    /// The signal that ended it, when one did.
    pub signal: Option<i32>,
}

/// What the program did, as the parent reports it to the screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum News {
    Started {
        pid: u32,
    },
    Word(&'static str),
    /// The main thread slept its 5 s and finished.
    MainEnded,
    /// The process is gone.
    Exited(Ended),
    /// It could not be started.
    Failed(String),
}

/// The lesson's seconds, paced by the time scale.
#[derive(Debug, Clone, Copy)]
struct Pace {
    speed: f64,
}

impl Pace {
    fn sleep(self, lesson_seconds: f64) {
        thread::sleep(Duration::from_secs_f64(lesson_seconds / self.speed).max(FLOOR));
    }
}

/// `print(content, end='', flush=True)`, one word a line for the parent; a parent that stopped
/// listening ends the process.
fn say(word: &str) {
    let mut out = io::stdout().lock();
    if writeln!(out, "{word}").and_then(|()| out.flush()).is_err() {
        std::process::exit(1);
    }
}

/// The program, as `threadlab` started it.
struct Program {
    daemon: bool,
    pace: Pace,
}

/// The lesson's `display(content)`: print the word, sleep 0.1 s, forever.
// lesson:begin
fn display(word: &'static str, pace: Pace) {
    loop {
        say(word);
        pace.sleep(0.1);
    }
}
// lesson:end

impl Program {
    /// The lesson's `main()`: start Ping and Pong, sleep 5 s, end.
    // lesson:begin
    fn run(self) {
        let Program { daemon, pace } = self;
        let ping = thread::spawn(move || display("Ping", pace));
        let pong = thread::spawn(move || display("Pong", pace));
        pace.sleep(5.0);
        say(MAIN_ENDED);
        if !daemon {
            // Python waits for its non-daemon threads.
            let _ = (ping.join(), pong.join());
        }
        // main returns: the process ends, and its threads with it.
    }
    // lesson:end
}

/// The child's side: when `ENV` is set by a parent that is really ours, run the program and
/// return its exit status; `None` when this process is not such a child.
pub fn serve(spec: &OsStr) -> Option<u8> {
    let spec = spec.to_str()?;
    let mut parts = spec.split(',');
    let daemon = parts.next()? == "1";
    let speed: f64 = parts.next()?.parse().ok()?;
    let parent: u32 = parts.next()?.parse().ok()?;
    // The screen's speeds are within these; anything else did not come from it.
    if !(0.01..=10_000.0).contains(&speed) {
        return None;
    }
    // SAFETY: plain system calls on this process.
    unsafe {
        // Not our parent (the variable was inherited by some other threadlab): not ours to run,
        // and that threadlab must not be killed with its parent either.
        if libc::getppid() as u32 != parent {
            return None;
        }
        // Killed when the parent dies, however it dies: no Ping/Pong is ever left behind.
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
        // The parent died between the look and prctl: end now, as prctl would have had it.
        if libc::getppid() as u32 != parent {
            return Some(1);
        }
        // A parent started from a background job ignores SIGINT and we would inherit it; `x`
        // ends the program as Ctrl-C would, so SIGINT gets its default action back.
        libc::signal(libc::SIGINT, libc::SIG_DFL);
    }
    let program = Program {
        daemon,
        pace: Pace { speed },
    };
    // A thread the system refuses panics (std's spawn), and the exit status says so.
    program.run();
    Some(0)
}

/// The parent's side: the running program, the thread that reads it, and the child to reap.
pub struct PingPong {
    pid: u32,
    child: Arc<Mutex<Child>>,
    reader: Option<JoinHandle<()>>,
}

impl PingPong {
    /// Start the program (`exe`, or this binary) with `daemon` at `speed`; its news go to `tx`
    /// as [`Event::PingPong`] with `id`.
    pub fn start(
        tx: Sender<Event>,
        id: u64,
        daemon: bool,
        speed: f64,
        exe: Option<PathBuf>,
    ) -> io::Result<PingPong> {
        let exe = match exe {
            Some(exe) => exe,
            None => std::env::current_exe()?,
        };
        let spec = format!("{},{speed},{}", u8::from(daemon), std::process::id());
        let (started, is_started) = mpsc::sync_channel(1);
        // The child is started from the thread that reads it and lives until it is reaped: the
        // kernel's parent-death signal follows the thread that started a child, not the process.
        let reader = thread::Builder::new()
            .name("ping-pong".into())
            .spawn(move || {
                let spawned = Command::new(exe)
                    .env(ENV, spec)
                    .stdin(Stdio::null())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::null())
                    .spawn();
                let mut child = match spawned {
                    Ok(child) => child,
                    Err(e) => {
                        let _ = started.send(Err(e));
                        return;
                    }
                };
                let out = child.stdout.take().expect("stdout is piped");
                let child = Arc::new(Mutex::new(child));
                if started.send(Ok(child.clone())).is_err() {
                    let _ = lock(&child).kill();
                }
                read(out, &child, &tx, id);
            })?;
        let child = match is_started.recv() {
            Ok(Ok(child)) => child,
            Ok(Err(e)) => {
                let _ = reader.join();
                return Err(e);
            }
            Err(_) => {
                let _ = reader.join();
                return Err(io::Error::other("the ping-pong reader ended"));
            }
        };
        let pid = lock(&child).id();
        Ok(PingPong {
            pid,
            child,
            reader: Some(reader),
        })
    }

    /// The child's process id.
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// End the program as Ctrl-C in its terminal would (SIGINT), if it still runs.
    pub fn interrupt(&self) {
        let mut child = lock(&self.child);
        // Only a child not yet reaped: its pid cannot belong to anyone else yet.
        if matches!(child.try_wait(), Ok(None)) {
            // SAFETY: kill(2) on our own unreaped child.
            unsafe {
                libc::kill(self.pid as libc::pid_t, libc::SIGINT);
            }
        }
    }
}

impl Drop for PingPong {
    fn drop(&mut self) {
        // SIGKILL on a reaped child is refused by std, never sent to a stranger.
        let _ = lock(&self.child).kill();
        if let Some(r) = self.reader.take() {
            let _ = r.join();
        }
    }
}

fn lock(child: &Mutex<Child>) -> std::sync::MutexGuard<'_, Child> {
    child.lock().unwrap_or_else(|e| e.into_inner())
}

/// Forward the child's words until its output ends, then reap it and say how it ended.
fn read(out: std::process::ChildStdout, child: &Mutex<Child>, tx: &Sender<Event>, id: u64) {
    // Closed channel: the screen is ending, and dropping `PingPong` kills the child.
    let send = |news| {
        let _ = tx.send(Event::PingPong { id, news });
    };
    send(News::Started {
        pid: lock(child).id(),
    });
    for line in BufReader::new(out).lines() {
        let Ok(line) = line else { break };
        match line.as_str() {
            "Ping" => send(News::Word("Ping")),
            "Pong" => send(News::Word("Pong")),
            MAIN_ENDED => send(News::MainEnded),
            _ => {}
        }
    }
    // Reaped without holding the lock while waiting, so `x` and the screen's exit (which take it)
    // never wait on a child that closed its output but lives on.
    let mut pause = Duration::from_millis(1);
    let reaped = loop {
        match lock(child).try_wait() {
            Ok(Some(status)) => break Ok(status),
            Ok(None) => {}
            Err(e) => break Err(e),
        }
        thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(50));
    };
    let ended = match reaped {
        Ok(status) => {
            use std::os::unix::process::ExitStatusExt;
            Ended {
                code: status.code(),
                signal: status.signal(),
            }
        }
        Err(e) => {
            send(News::Failed(e.to_string()));
            return;
        }
    };
    send(News::Exited(ended));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A speed the screen never sends (a tiny one would overflow the sleep and panic) means the
    /// variable is not ours: this process goes on as a plain threadlab.
    #[test]
    fn a_spec_the_screen_never_writes_is_not_served() {
        for spec in ["0,1e-300,1", "1,NaN,1", "0,inf,1", "1,-2,1", "x", "0,1"] {
            assert_eq!(serve(OsStr::new(spec)), None, "{spec}");
        }
    }
}
