//! One watched run: a private directory holding the probe and its socket, the program started
//! with the probe on `PYTHONPATH`, and threads that turn everything it does into [`Input`]s on
//! one channel: probe lines, its output, `/proc` samples, its exit. Dropping the session removes
//! the directory (the socket with it) and stops every thread it started.

use super::protocol::{self, Event, Rejected, Stamp};
use super::sampler::{self, ProcSample};
use std::ffi::OsString;
use std::io::{self, BufRead, BufReader, Read};
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::os::unix::net::{UnixListener, UnixStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// The probe, compiled in and written next to the socket at run time.
const PROBE: &str = include_str!("../../assets/python/probe/sitecustomize.py");

/// Environment variables the probe reads.
pub const ENV_SOCKET: &str = "THREADLAB_WATCH_SOCKET";
pub const ENV_SPEED: &str = "THREADLAB_WATCH_SPEED";

/// Every live session's private directory, and its program's process group when it has one of
/// its own, for [`abandon_all`].
static LIVE: Mutex<Vec<(PathBuf, Option<u32>)>> = Mutex::new(Vec::new());

/// For a process about to end without unwinding (a lost terminal, a second signal): kill every
/// watched program that has a process group of its own, and remove every private directory, so
/// neither a program nor a socket outlives threadlab.
pub fn abandon_all() {
    let live = std::mem::take(&mut *LIVE.lock().unwrap_or_else(|e| e.into_inner()));
    for (dir, group) in live {
        if let Some(pgid) = group {
            // SAFETY: kill has no memory-safety preconditions.
            unsafe { libc::kill(-(pgid as libc::pid_t), libc::SIGKILL) };
        }
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// How often `/proc` is read: finer than the kernel's 10 ms CPU accounting is pointless.
const SAMPLE_EVERY: Duration = Duration::from_millis(25);

/// Now on CLOCK_MONOTONIC, the clock the probe stamps its lines with (Python's `time.monotonic`).
pub fn mono_now() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: a valid timespec to fill; CLOCK_MONOTONIC always exists on Linux.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

/// A line of the program's own output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

/// How the program ended.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ended {
    /// Its exit code, or None if a signal ended it.
    pub code: Option<i32>,
    pub signal: Option<i32>,
    /// CPU seconds of the program and every child it waited for (`wait4`'s rusage).
    pub cpu: f64,
    pub at: f64,
}

impl Ended {
    /// The status a shell would report: the code, or 128 + the signal.
    pub fn shell_status(&self) -> i32 {
        self.code.or(self.signal.map(|s| 128 + s)).unwrap_or(1)
    }
}

/// Everything that reaches the model, in the order it arrived.
#[derive(Debug, Clone)]
pub enum Input {
    /// A probe line, and when threadlab read it.
    Probe {
        stamp: Stamp,
        event: Event,
        received: f64,
    },
    /// A line that was not an event: malformed, too long, or of an unknown kind or version.
    Rejected(Rejected),
    /// A probed process connected (`open` is how many are connected now) or went away.
    Connections {
        open: usize,
    },
    Output {
        stream: Stream,
        line: String,
    },
    /// The program's output stream ended.
    OutputClosed(Stream),
    /// A sweep of `/proc`: the program's processes and threads, and the machine's idle seconds.
    Samples {
        at: f64,
        procs: Vec<ProcSample>,
        idle: Option<f64>,
    },
    Exited(Ended),
}

/// Where the program's stdin and output go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Headless: stdin inherited, same process group (the terminal's Ctrl-C reaches it).
    Headless,
    /// The live screen owns the terminal: stdin is /dev/null, and a process group of its own.
    Screen,
}

/// Why the program could not be started.
#[derive(Debug)]
pub enum StartError {
    /// The command does not exist (exit 127) or cannot be executed (126).
    Command { status: u8, said: Said },
    /// Something of threadlab's own failed (the directory, the socket, a thread).
    Setup(Setup),
}

/// Why a command could not run, for saying it in the screen's language.
#[derive(Debug)]
pub enum Said {
    NotFound(String),
    Denied(String),
    /// Another reason: the command's name and the system's error.
    Other(String, io::Error),
}

/// Which part of threadlab's own set-up failed, for saying it in the screen's language.
#[derive(Debug)]
pub enum Setup {
    NoCommand,
    /// A carried program's name that is not a plain file name.
    ScriptName(String),
    Dir(io::Error),
    Probe(io::Error),
    Program(io::Error),
    Listen(PathBuf, io::Error),
    Thread(io::Error),
}

impl StartError {
    /// The one line that says what went wrong, in `lang`: every word from the string table
    /// (the system's error too, by its kind).
    pub fn text(&self, lang: crate::i18n::Lang) -> String {
        use crate::i18n::{Key, io_error as why, t, tf};
        let shown = |s: &str| crate::text::shown(s).into_owned();
        match self {
            StartError::Command {
                said: Said::NotFound(name),
                ..
            } => tf(lang, Key::watch_cmd_not_found, &[&shown(name)]),
            StartError::Command {
                said: Said::Denied(name),
                ..
            } => tf(lang, Key::watch_cmd_denied, &[&shown(name)]),
            StartError::Command {
                said: Said::Other(name, e),
                ..
            } => tf(
                lang,
                Key::watch_cmd_cannot_run,
                &[&shown(name), &why(lang, e)],
            ),
            StartError::Setup(setup) => {
                let what = match setup {
                    Setup::NoCommand => t(lang, Key::watch_setup_no_command).to_string(),
                    Setup::ScriptName(name) => {
                        tf(lang, Key::watch_setup_script_name, &[&shown(name)])
                    }
                    Setup::Dir(e) => tf(lang, Key::watch_setup_dir, &[&why(lang, e)]),
                    Setup::Probe(e) => tf(lang, Key::watch_setup_probe, &[&why(lang, e)]),
                    Setup::Program(e) => tf(lang, Key::watch_setup_program, &[&why(lang, e)]),
                    Setup::Listen(path, e) => tf(
                        lang,
                        Key::watch_setup_listen,
                        &[&shown(&path.to_string_lossy()), &why(lang, e)],
                    ),
                    Setup::Thread(e) => tf(lang, Key::watch_setup_thread, &[&why(lang, e)]),
                };
                tf(lang, Key::watch_setup_failed, &[&what])
            }
        }
    }
}

/// A running (or finished) watched program.
pub struct Session {
    dir: PathBuf,
    pub pid: u32,
    /// CLOCK_MONOTONIC when the program was started.
    pub spawned_at: f64,
    pub command: Vec<OsString>,
    pub speed: f64,
    stop: Arc<AtomicBool>,
    socket: PathBuf,
    streams: Arc<Mutex<Vec<UnixStream>>>,
    /// Dropped to stop the sampler at once.
    stop_sampler: Option<Sender<()>>,
    /// Threads that dropping the session wakes (the listener, the sampler): joined.
    woken: Vec<JoinHandle<()>>,
    /// Threads that end with the program (the output readers): joined only if they have, since
    /// a child the program left behind can hold its output open for as long as it likes.
    bound: Vec<JoinHandle<()>>,
    exited: Arc<AtomicBool>,
    /// The program leads a process group of its own (on the screen).
    own_group: bool,
    /// The thread that alone reaps the program, once started; it ends with the program, so it
    /// is joined like `bound`'s threads.
    waiter: Option<JoinHandle<()>>,
}

impl Session {
    /// Start `command` under the probe; its inputs arrive on `tx`, wrapped as the caller likes.
    pub fn start<T: From<Input> + Send + 'static>(
        command: &[OsString],
        speed: f64,
        mode: Mode,
        tx: Sender<T>,
    ) -> Result<Session, StartError> {
        Session::start_inner(command, None, speed, mode, tx)
    }

    /// Run Python `source` as `python3 NAME` under the probe, written beside it in the private
    /// directory (for programs threadlab carries compiled in, like the lesson's).
    pub fn start_script<T: From<Input> + Send + 'static>(
        name: &str,
        source: &str,
        speed: f64,
        mode: Mode,
        tx: Sender<T>,
    ) -> Result<Session, StartError> {
        if name.is_empty() || name.contains('/') || name.starts_with('.') {
            return Err(StartError::Setup(Setup::ScriptName(name.into())));
        }
        let command = [OsString::from("python3"), OsString::from(name)];
        Session::start_inner(&command, Some(source), speed, mode, tx)
    }

    fn start_inner<T: From<Input> + Send + 'static>(
        command: &[OsString],
        script: Option<&str>,
        speed: f64,
        mode: Mode,
        tx: Sender<T>,
    ) -> Result<Session, StartError> {
        let Some((program, args)) = command.split_first() else {
            return Err(StartError::Setup(Setup::NoCommand));
        };
        let dir = private_dir().map_err(|e| StartError::Setup(Setup::Dir(e)))?;
        let socket = dir.join("probe.sock");
        let cleanup = |e: Setup| {
            let _ = std::fs::remove_dir_all(&dir);
            StartError::Setup(e)
        };
        std::fs::write(dir.join("sitecustomize.py"), PROBE)
            .map_err(|e| cleanup(Setup::Probe(e)))?;
        // A script of ours runs from the private directory, by its path there.
        let args: Vec<OsString> = match script {
            Some(source) => {
                let path = dir.join(args.first().map_or("script.py".as_ref(), |a| a.as_os_str()));
                std::fs::write(&path, source).map_err(|e| cleanup(Setup::Program(e)))?;
                vec![path.into_os_string()]
            }
            None => args.to_vec(),
        };
        let listener =
            UnixListener::bind(&socket).map_err(|e| cleanup(Setup::Listen(socket.clone(), e)))?;
        let stop = Arc::new(AtomicBool::new(false));
        let streams = Arc::new(Mutex::new(Vec::new()));
        let threads = vec![
            spawn_listener(listener, tx.clone(), stop.clone(), streams.clone())
                .map_err(|e| cleanup(Setup::Thread(e)))?,
        ];

        let mut cmd = Command::new(program);
        cmd.args(&args)
            .env(ENV_SOCKET, &socket)
            .env(ENV_SPEED, speed.to_string())
            .env("PYTHONPATH", python_path(&dir))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if mode == Mode::Screen {
            cmd.stdin(Stdio::null());
            // SAFETY: setpgid is async-signal-safe, as pre_exec requires.
            unsafe {
                cmd.pre_exec(|| {
                    if libc::setpgid(0, 0) != 0 {
                        return Err(io::Error::last_os_error());
                    }
                    Ok(())
                });
            }
        }
        let spawned_at = mono_now();
        let child = match cmd.spawn() {
            Ok(c) => c,
            Err(e) => {
                stop.store(true, Ordering::SeqCst);
                let _ = UnixStream::connect(&socket);
                for t in threads {
                    let _ = t.join();
                }
                let _ = std::fs::remove_dir_all(&dir);
                let name = program.to_string_lossy();
                return Err(match e.kind() {
                    io::ErrorKind::NotFound => StartError::Command {
                        status: 127,
                        said: Said::NotFound(name.into_owned()),
                    },
                    io::ErrorKind::PermissionDenied => StartError::Command {
                        status: 126,
                        said: Said::Denied(name.into_owned()),
                    },
                    _ => StartError::Command {
                        status: 126,
                        said: Said::Other(name.into_owned(), e),
                    },
                });
            }
        };
        let pid = child.id();
        #[cfg(test)]
        tests::SPAWNED.with(|s| s.replace(Some((pid, dir.clone()))));
        let group = (mode == Mode::Screen).then_some(pid);
        LIVE.lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((dir.clone(), group));
        let (stop_sampler, sampler_stop) = mpsc::channel();
        let mut session = Session {
            dir,
            pid,
            spawned_at,
            command: command.to_vec(),
            speed,
            stop,
            socket,
            streams,
            stop_sampler: Some(stop_sampler),
            woken: threads,
            bound: Vec::new(),
            exited: Arc::new(AtomicBool::new(false)),
            own_group: mode == Mode::Screen,
            waiter: None,
        };
        match session.listen_to(child, tx, sampler_stop) {
            Ok(()) => Ok(session),
            Err(e) => {
                // The program runs already: it must not outlive a session that failed to start.
                session.abandon_child();
                Err(StartError::Setup(Setup::Thread(e)))
            }
        }
    }

    /// Start the threads that read the program's output, reap it and sample `/proc`.
    fn listen_to<T: From<Input> + Send + 'static>(
        &mut self,
        mut child: std::process::Child,
        tx: Sender<T>,
        sampler_stop: Receiver<()>,
    ) -> io::Result<()> {
        if let Some(out) = child.stdout.take() {
            self.bound
                .push(spawn_output(out, Stream::Stdout, tx.clone())?);
        }
        if let Some(err) = child.stderr.take() {
            self.bound
                .push(spawn_output(err, Stream::Stderr, tx.clone())?);
        }
        // The child is reaped by wait4 in the waiter (for its rusage), never by `child.wait()`.
        drop(child);
        self.waiter = Some(spawn_waiter(self.pid, tx.clone(), self.exited.clone())?);
        self.woken.push(spawn_sampler(self.pid, tx, sampler_stop)?);
        Ok(())
    }

    /// Kill the program (its group, when it has one of its own) and reap it: by the waiter if
    /// it started (joined here), else here. Dropping the session then removes the rest.
    fn abandon_child(&mut self) {
        self.signal(libc::SIGKILL, self.own_group);
        if let Some(waiter) = self.waiter.take() {
            let _ = waiter.join();
            return;
        }
        let mut status = 0;
        // SAFETY: pid is our own child, not reaped by anyone else (no waiter started).
        while unsafe { libc::waitpid(self.pid as libc::pid_t, &mut status, 0) } < 0
            && io::Error::last_os_error().kind() == io::ErrorKind::Interrupted
        {}
        self.exited.store(true, Ordering::SeqCst);
    }

    /// Send `signal` to the program (its whole process group when it has one of its own).
    pub fn signal(&self, signal: i32, group: bool) {
        if self.exited.load(Ordering::SeqCst) {
            return; // the pid may already belong to someone else
        }
        let pid = self.pid as libc::pid_t;
        // SAFETY: kill has no memory-safety preconditions.
        unsafe {
            libc::kill(if group { -pid } else { pid }, signal);
        }
    }

    /// Whether the program has been reaped.
    pub fn has_exited(&self) -> bool {
        self.exited.load(Ordering::SeqCst)
    }

    /// The private directory holding the probe and the socket.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        drop(self.stop_sampler.take());
        // Wake the listener out of accept(), and readers out of read().
        let _ = UnixStream::connect(&self.socket);
        if let Ok(streams) = self.streams.lock() {
            for s in streams.iter() {
                let _ = s.shutdown(std::net::Shutdown::Both);
            }
        }
        let _ = std::fs::remove_dir_all(&self.dir);
        LIVE.lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|(d, _)| *d != self.dir);
        for t in self.woken.drain(..) {
            let _ = t.join();
        }
        for t in self.bound.drain(..).chain(self.waiter.take()) {
            if t.is_finished() {
                let _ = t.join();
            }
        }
    }
}

/// `PYTHONPATH` with the probe's directory first and the user's own entries after it.
fn python_path(dir: &Path) -> OsString {
    let mut path = OsString::from(dir);
    if let Some(old) = std::env::var_os("PYTHONPATH").filter(|p| !p.is_empty()) {
        path.push(":");
        path.push(old);
    }
    path
}

/// A new directory only this user can enter, with a short path (a socket path has ~107 bytes).
fn private_dir() -> io::Result<PathBuf> {
    let mut base = std::env::temp_dir();
    if base.as_os_str().len() > 60 {
        base = PathBuf::from("/tmp");
    }
    let mut last = None;
    for _ in 0..16 {
        let name = format!("threadlab-watch-{:016x}", rand::random::<u64>());
        let dir = base.join(name);
        match std::fs::DirBuilder::new().mode(0o700).create(&dir) {
            Ok(()) => {
                // The umask cannot widen 0700, but say it outright.
                std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))?;
                return Ok(dir);
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::other("no free name")))
}

/// Start one of the session's named threads. The OS may refuse any of them; tests refuse one
/// on purpose (the thread-local seam below) to check what a refusal leaves behind.
fn spawn_named(
    name: &'static str,
    body: impl FnOnce() + Send + 'static,
) -> io::Result<JoinHandle<()>> {
    #[cfg(test)]
    if tests::REFUSE.with(|r| r.get()) == Some(name) {
        return Err(io::Error::from(io::ErrorKind::WouldBlock));
    }
    thread::Builder::new().name(name.into()).spawn(body)
}

fn spawn_listener<T: From<Input> + Send + 'static>(
    listener: UnixListener,
    tx: Sender<T>,
    stop: Arc<AtomicBool>,
    streams: Arc<Mutex<Vec<UnixStream>>>,
) -> io::Result<JoinHandle<()>> {
    spawn_named("watch-listen", move || {
        let open = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        for conn in listener.incoming() {
            if stop.load(Ordering::SeqCst) {
                return;
            }
            let Ok(conn) = conn else { continue };
            if let Ok(mut list) = streams.lock()
                && let Ok(clone) = conn.try_clone()
            {
                list.push(clone);
            }
            let n = open.fetch_add(1, Ordering::SeqCst) + 1;
            let _ = tx.send(Input::Connections { open: n }.into());
            let (tx, still_open) = (tx.clone(), open.clone());
            // One reader per process: a slow or silent process never holds up another.
            let spawned = thread::Builder::new()
                .name("watch-read".into())
                .spawn(move || {
                    read_probe(conn, &tx);
                    let n = still_open.fetch_sub(1, Ordering::SeqCst) - 1;
                    let _ = tx.send(Input::Connections { open: n }.into());
                });
            if spawned.is_err() {
                open.fetch_sub(1, Ordering::SeqCst);
            }
        }
    })
}

/// Read one process's lines until it closes the connection.
fn read_probe<T: From<Input>>(conn: UnixStream, tx: &Sender<T>) {
    let mut reader = BufReader::with_capacity(64 * 1024, conn);
    let mut line = Vec::new();
    loop {
        match read_line(&mut reader, &mut line) {
            Ok(Line::End) | Err(_) => return,
            Ok(Line::TooLong) => {
                if tx
                    .send(Input::Rejected(Rejected::Malformed).into())
                    .is_err()
                {
                    return;
                }
            }
            Ok(Line::Complete) => {
                let received = super::session::mono_now();
                let input = match protocol::parse(&line) {
                    Ok((stamp, event)) => Input::Probe {
                        stamp,
                        event,
                        received,
                    },
                    Err(r) => Input::Rejected(r),
                };
                // The model has gone: nobody is listening, so stop reading.
                if tx.send(input.into()).is_err() {
                    return;
                }
            }
        }
    }
}

enum Line {
    Complete,
    TooLong,
    End,
}

/// One line into `buf` (without its newline), never holding more than [`protocol::MAX_LINE`].
fn read_line(reader: &mut impl BufRead, buf: &mut Vec<u8>) -> io::Result<Line> {
    buf.clear();
    let mut too_long = false;
    loop {
        let chunk = reader.fill_buf()?;
        if chunk.is_empty() {
            // A last line without its newline was cut off mid-write: not an event.
            return Ok(if buf.is_empty() && !too_long {
                Line::End
            } else if too_long {
                Line::TooLong
            } else {
                buf.clear();
                Line::End
            });
        }
        let (take, done) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (i, true),
            None => (chunk.len(), false),
        };
        if !too_long {
            if buf.len() + take > protocol::MAX_LINE {
                too_long = true;
                buf.clear();
            } else {
                buf.extend_from_slice(&chunk[..take]);
            }
        }
        reader.consume(take + usize::from(done));
        if done {
            return Ok(if too_long {
                Line::TooLong
            } else {
                Line::Complete
            });
        }
    }
}

fn spawn_output<T: From<Input> + Send + 'static>(
    stream: impl Read + Send + 'static,
    which: Stream,
    tx: Sender<T>,
) -> io::Result<JoinHandle<()>> {
    spawn_named("watch-output", move || {
        let mut reader = BufReader::new(stream);
        let mut line = Vec::new();
        loop {
            match read_line(&mut reader, &mut line) {
                Ok(Line::Complete) => {
                    let text = String::from_utf8_lossy(&line).into_owned();
                    if tx
                        .send(
                            Input::Output {
                                stream: which,
                                line: text,
                            }
                            .into(),
                        )
                        .is_err()
                    {
                        break;
                    }
                }
                Ok(Line::TooLong) => {
                    let _ = tx.send(
                        Input::Output {
                            stream: which,
                            line: "…".into(),
                        }
                        .into(),
                    );
                }
                Ok(Line::End) | Err(_) => break,
            }
        }
        let _ = tx.send(Input::OutputClosed(which).into());
    })
}

fn spawn_waiter<T: From<Input> + Send + 'static>(
    pid: u32,
    tx: Sender<T>,
    exited: Arc<AtomicBool>,
) -> io::Result<JoinHandle<()>> {
    spawn_named("watch-wait", move || {
        let mut status = 0;
        // SAFETY: a zeroed rusage is valid, and the kernel fills it in.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        loop {
            // SAFETY: pid is our own child, reaped only here.
            let r = unsafe { libc::wait4(pid as libc::pid_t, &mut status, 0, &mut usage) };
            if r == pid as libc::pid_t {
                break;
            }
            if r < 0 && io::Error::last_os_error().kind() != io::ErrorKind::Interrupted {
                // Someone else reaped it: its status is lost.
                exited.store(true, Ordering::SeqCst);
                let ended = Ended {
                    code: None,
                    signal: None,
                    cpu: 0.0,
                    at: mono_now(),
                };
                let _ = tx.send(Input::Exited(ended).into());
                return;
            }
        }
        let at = mono_now();
        exited.store(true, Ordering::SeqCst);
        let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 * 1e-6;
        let (code, signal) = if libc::WIFEXITED(status) {
            (Some(libc::WEXITSTATUS(status)), None)
        } else if libc::WIFSIGNALED(status) {
            (None, Some(libc::WTERMSIG(status)))
        } else {
            (None, None)
        };
        let ended = Ended {
            code,
            signal,
            cpu: secs(usage.ru_utime) + secs(usage.ru_stime),
            at,
        };
        let _ = tx.send(Input::Exited(ended).into());
    })
}

fn spawn_sampler<T: From<Input> + Send + 'static>(
    root: u32,
    tx: Sender<T>,
    stop: Receiver<()>,
) -> io::Result<JoinHandle<()>> {
    spawn_named("watch-sample", move || {
        let mut seen = sampler::Seen::default();
        loop {
            let procs = sampler::sample(root, &mut seen);
            let idle = sampler::machine_idle();
            let at = mono_now();
            if tx.send(Input::Samples { at, procs, idle }.into()).is_err() {
                return;
            }
            match stop.recv_timeout(SAMPLE_EVERY) {
                Err(RecvTimeoutError::Timeout) => {}
                _ => return,
            }
        }
    })
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::i18n::Lang;
    use std::cell::Cell;

    thread_local! {
        /// The name of a session thread to refuse on this test thread, as the OS may.
        pub(super) static REFUSE: Cell<Option<&'static str>> = const { Cell::new(None) };
        /// The program the latest session on this test thread started, and its directory.
        pub(super) static SPAWNED: Cell<Option<(u32, PathBuf)>> = const { Cell::new(None) };
    }

    #[test]
    fn every_start_error_is_said_in_the_users_language() {
        let not_found = StartError::Command {
            status: 127,
            said: Said::NotFound("python3".into()),
        };
        assert_eq!(not_found.text(Lang::Zh), "python3：找不到这个命令");
        assert_eq!(not_found.text(Lang::En), "python3: command not found");
        let other = StartError::Command {
            status: 126,
            said: Said::Other("prog".into(), io::Error::from_raw_os_error(libc::ENOEXEC)),
        };
        assert_eq!(other.text(Lang::Zh), "无法运行 prog：系统错误（errno 8）");
        assert_eq!(
            other.text(Lang::En),
            "cannot run prog: system error (errno 8)"
        );
        let cases = [
            (
                Setup::Dir(io::Error::from_raw_os_error(libc::ENOSPC)),
                "could not set up the watch: cannot make a private temporary directory: system error (errno 28)",
                "无法准备观察：无法创建私有临时目录：系统错误（errno 28）",
            ),
            (
                Setup::Probe(io::Error::from_raw_os_error(libc::EACCES)),
                "could not set up the watch: cannot write the probe: permission denied",
                "无法准备观察：无法写入探针：没有权限",
            ),
            (
                Setup::Program(io::Error::from_raw_os_error(libc::ENOMEM)),
                "could not set up the watch: cannot write the program: out of memory",
                "无法准备观察：无法写入程序：内存不足",
            ),
            (
                Setup::Listen(
                    "/tmp/d/probe.sock".into(),
                    io::Error::from_raw_os_error(libc::ENOENT),
                ),
                "could not set up the watch: cannot listen on /tmp/d/probe.sock: not found",
                "无法准备观察：无法在 /tmp/d/probe.sock 上监听：找不到",
            ),
            (
                Setup::Thread(io::Error::from_raw_os_error(libc::EAGAIN)),
                "could not set up the watch: cannot start a thread: resource temporarily unavailable",
                "无法准备观察：无法启动线程：资源暂时不可用",
            ),
            (
                Setup::NoCommand,
                "could not set up the watch: no command to watch",
                "无法准备观察：没有要观察的命令",
            ),
            (
                Setup::ScriptName("../x.py".into()),
                "could not set up the watch: not a plain file name: ../x.py",
                "无法准备观察：不是普通的文件名：../x.py",
            ),
        ];
        for (setup, en, zh) in cases {
            let e = StartError::Setup(setup);
            assert_eq!(e.text(Lang::En), en);
            assert_eq!(e.text(Lang::Zh), zh);
        }
    }

    /// Whether `pid` is still a process (a zombie counts: it has not been reaped).
    fn exists(pid: u32) -> bool {
        Path::new(&format!("/proc/{pid}")).exists()
    }

    #[test]
    fn a_thread_refused_after_the_spawn_leaves_no_program_and_no_directory_behind() {
        for refused in ["watch-output", "watch-wait", "watch-sample"] {
            for mode in [Mode::Screen, Mode::Headless] {
                REFUSE.with(|r| r.set(Some(refused)));
                SPAWNED.with(|s| s.set(None));
                let (tx, _rx) = mpsc::channel::<Input>();
                // A program that would run for a minute if nobody stopped it.
                let command = ["sleep".into(), "60".into()];
                let result = Session::start(&command, 1.0, mode, tx);
                REFUSE.with(|r| r.set(None));
                let Err(e) = result else {
                    panic!("{refused}: the session started");
                };
                assert_eq!(
                    e.text(Lang::En),
                    "could not set up the watch: cannot start a thread: resource temporarily unavailable",
                );
                assert_eq!(
                    e.text(Lang::Zh),
                    "无法准备观察：无法启动线程：资源暂时不可用"
                );
                let (pid, dir) = SPAWNED.with(|s| s.take()).expect("the program was spawned");
                // Killed and reaped before start returned: not running, not a zombie.
                assert!(!exists(pid), "{refused} {mode:?}: pid {pid} is left");
                assert!(!dir.exists(), "{refused}: {} is left", dir.display());
                assert!(
                    !LIVE.lock().unwrap().iter().any(|(d, _)| *d == dir),
                    "{refused}: still listed as live"
                );
            }
        }
    }
}
