//! `threadlab watch -- COMMAND`: a real (Python) program run unchanged under a small probe,
//! its threads, sleeps, pool work, processes and printed lines shown live, as a transcript, or
//! as one JSON object for a grader.
//!
//! - [`protocol`]: the probe's JSON lines; [`session`]: the probe's directory, the socket, the
//!   program and the threads that listen to it; [`sampler`]: CPU time per thread from `/proc`.
//! - [`carried`]: the lesson's programs threadlab carries, for the main screen and the lesson.
//! - [`model`]: the program rebuilt from all of that; [`report`]: `--json` and the transcript;
//!   [`view`] and [`live`]: the live screen.

pub mod carried;
pub mod live;
pub mod model;
pub mod protocol;
pub mod report;
pub mod sampler;
pub mod session;
pub mod view;

use crate::cli::{Opts, WatchArgs};
use crate::i18n::{Key, Lang, io_error, t, tf};
use model::Program;
use session::{Input, Mode, Session, StartError};
use std::ffi::OsString;
use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

/// How long to wait, after the program has exited, for what its children and the socket still
/// carry; a child that outlives the program does not hold threadlab open longer than this.
const LINGER: Duration = Duration::from_secs(1);
/// How long the transcript waits for a probe's hello before it calls the program unprobed.
pub const PROBE_PATIENCE: Duration = Duration::from_secs(3);
/// How long a program gets to end after Ctrl-C before it is killed.
const GRACE: Duration = Duration::from_secs(2);
/// How long after a signal to threadlab the program gets to end by itself before it is passed on.
const FORWARD: Duration = Duration::from_millis(200);

/// `threadlab watch`: the live screen on a terminal, else the transcript, or `--json`.
pub fn main(args: &WatchArgs, opts: &Opts) -> ExitCode {
    let lang = opts.lang.unwrap_or_else(Lang::from_env);
    if opts.trace.is_some() {
        return fail(lang, t(lang, Key::watch_trace_not_for));
    }
    if let Some(n) = opts.cores
        && let Err(e) = crate::cores::set_cores(n)
    {
        return fail(lang, &e.text(lang));
    }
    // The screen reads keys from stdin: with either end not a terminal, the transcript it is.
    let screen = io::stdout().is_terminal() && io::stdin().is_terminal();
    let status = if opts.json || !screen {
        headless(&args.command, opts.speed, opts.json, lang)
    } else {
        let look = crate::look::Look::choose(
            opts.theme,
            opts.ascii,
            std::env::var_os("NO_COLOR").as_deref(),
        );
        live::run(
            &args.command,
            opts.speed,
            lang,
            *crate::ui::theme::Theme::of(look),
        )
    };
    ExitCode::from(status.clamp(0, 255) as u8)
}

fn fail(lang: Lang, message: &str) -> ExitCode {
    eprintln!("threadlab: {}", error_line(lang, message));
    ExitCode::from(2)
}

/// "error: …" in `lang`, as every other command says a bad input.
pub fn error_line(lang: Lang, message: &str) -> String {
    tf(lang, Key::cli_error, &[&message])
}

/// That threadlab cannot watch for signals, in `lang`.
pub fn no_signals(lang: Lang, e: &io::Error) -> String {
    error_line(
        lang,
        &tf(lang, Key::watch_no_signals, &[&io_error(lang, e)]),
    )
}

/// The command as text, for the report and the screen.
pub fn command_text(command: &[OsString]) -> Vec<String> {
    command
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect()
}

/// Start the program, or say in one line why not and give the exit status for it.
pub fn start<T: From<Input> + Send + 'static>(
    command: &[OsString],
    speed: f64,
    mode: Mode,
    tx: Sender<T>,
    lang: Lang,
) -> Result<(Session, Program), i32> {
    match Session::start(command, speed, mode, tx) {
        Ok(session) => {
            let program = Program::new(
                command_text(command),
                speed,
                session.pid,
                session.spawned_at,
            );
            Ok((session, program))
        }
        Err(e @ StartError::Command { status, .. }) => {
            eprintln!("threadlab: {}", e.text(lang));
            Err(i32::from(status))
        }
        Err(e @ StartError::Setup(_)) => {
            eprintln!("threadlab: {}", error_line(lang, &e.text(lang)));
            Err(2)
        }
    }
}

/// What the headless loop hears: the program, or a signal to threadlab itself.
enum Heard {
    Watch(Input),
    Signal(i32),
}

impl From<Input> for Heard {
    fn from(i: Input) -> Self {
        Heard::Watch(i)
    }
}

fn spawn_signals(tx: Sender<Heard>) -> io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP])?;
    std::thread::Builder::new()
        .name("watch-signals".into())
        .spawn(move || {
            for signal in signals.forever() {
                if tx.send(Heard::Signal(signal)).is_err() {
                    return;
                }
            }
        })?;
    Ok(())
}

/// Run the program to its end without a screen; returns threadlab's exit status (the program's).
fn headless(command: &[OsString], speed: f64, json: bool, lang: Lang) -> i32 {
    let (tx, rx) = mpsc::channel::<Heard>();
    if let Err(e) = spawn_signals(tx.clone()) {
        eprintln!("threadlab: {}", no_signals(lang, &e));
        return 2;
    }
    let (session, mut program) = match start(command, speed, Mode::Headless, tx, lang) {
        Ok(s) => s,
        Err(status) => return status,
    };
    let mut out = io::stdout().lock();
    let mut shown: usize = 0;
    let mut head_shown = false;
    let mut interrupted: Option<i32> = None;
    let mut kill_at: Option<Instant> = None;
    let mut forward_at: Option<Instant> = None;
    let mut exited_at: Option<Instant> = None;
    loop {
        match rx.recv_timeout(Duration::from_millis(50)) {
            Ok(Heard::Watch(input)) => {
                if json && let Input::Output { line, .. } = &input {
                    // The program's own output goes to stderr, so stdout stays one JSON object.
                    let _ = writeln!(io::stderr().lock(), "{line}");
                }
                program.apply(input);
            }
            Ok(Heard::Signal(signal)) => {
                if interrupted.is_some() {
                    session.signal(libc::SIGKILL, false);
                } else {
                    // The terminal's Ctrl-C reached the program too (same process group); a
                    // `kill` reached only us. Pass it on if the program is still there shortly.
                    interrupted = Some(signal);
                    forward_at = Some(Instant::now() + FORWARD);
                    kill_at = Some(Instant::now() + GRACE);
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => break,
        }
        if !json {
            // The head says whether a probe reports, so it waits for the probe's hello: /proc
            // sees the process before Python has even loaded the probe. A program that never says
            // hello (not Python, -I) gets its head once the probe is clearly not coming, or at
            // its end, when everything it sent has been read.
            let no_hello = session::mono_now() - program.spawned_at > PROBE_PATIENCE.as_secs_f64();
            if !head_shown && (program.probed() || (no_hello && !program.log.is_empty())) {
                head_shown = true;
                let _ = writeln!(out, "{}", report::transcript_head(lang, &program));
            }
            if head_shown {
                // `shown` counts every line ever logged; the log keeps only its latest ones.
                let from = shown.saturating_sub(program.log_dropped);
                for e in &program.log[from.min(program.log.len())..] {
                    let _ = writeln!(out, "{}", report::transcript_line(lang, &program, e));
                }
                shown = program.log_dropped + program.log.len();
            }
        }
        if program.is_complete() {
            break;
        }
        if program.ended.is_some() {
            let at = *exited_at.get_or_insert_with(Instant::now);
            if at.elapsed() > LINGER {
                break;
            }
        }
        if let (Some(f), Some(sig)) = (forward_at, interrupted)
            && Instant::now() > f
        {
            session.signal(sig, false);
            forward_at = None;
        }
        if let Some(k) = kill_at
            && Instant::now() > k
        {
            session.signal(libc::SIGKILL, false);
            kill_at = None;
        }
    }
    if interrupted.is_some() {
        // Interrupted: whatever the program started goes with it.
        for p in &program.processes {
            if p.end.is_none() && p.pid != session.pid {
                // SAFETY: kill has no memory-safety preconditions.
                unsafe { libc::kill(p.pid as libc::pid_t, libc::SIGKILL) };
            }
        }
    }
    if json {
        let report = report::report(&program);
        let _ = writeln!(
            out,
            "{}",
            serde_json::to_string(&report).expect("a report serialises")
        );
    } else {
        if !head_shown {
            let _ = writeln!(out, "{}", report::transcript_head(lang, &program));
        }
        for line in report::transcript_tail(lang, &program) {
            let _ = writeln!(out, "{line}");
        }
    }
    let _ = out.flush();
    drop(session);
    match (interrupted, program.ended) {
        (Some(sig), _) => 128 + sig,
        (None, Some(e)) => e.shell_status(),
        (None, None) => 1,
    }
}
