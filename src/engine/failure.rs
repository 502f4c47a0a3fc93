//! Why a download could not run to its end, as data rather than words: the engine, the pipe
//! from a child and the report carry a [`Failure`], and each screen says it in its own language
//! ([`crate::i18n::failure`]), so a Chinese screen never shows `process aborted (SIGABRT)`.

use super::SpawnKind;
use std::io::ErrorKind;

/// Why a download failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Its worker thread panicked (the crash demo does this on purpose).
    Panicked,
    /// Its child process was killed by signal N (9 SIGKILL: the process crash demo; 6 SIGABRT:
    /// a workshop's thread aborted the whole process).
    Signal(i32),
    /// Its child process exited with status N before finishing (101: Rust's exit on a panic).
    Exit(i32),
    /// Its child process ended and left no status to read.
    Vanished,
    /// Its child process said something that is not a message (the line, cut short): it was
    /// stopped, as it could not be trusted any more.
    Malformed(String),
    /// The operating system refused to start its worker (a thread or a process).
    NotStarted { worker: SpawnKind, error: ErrorKind },
    /// The operating system would not give the async strategy its event loop (a tokio runtime
    /// needs an epoll and a wake-up fd, not a thread): no task could run. `errno`: the system's
    /// own number, kept for a kind without words (EMFILE, when the process has no fd left).
    NoEventLoop {
        error: ErrorKind,
        errno: Option<i32>,
    },
}

/// The error kinds a refused start is likely to have, with the names they travel by over a
/// child's pipe. Any other kind travels, and is said, as `Other`.
const KINDS: [(ErrorKind, &str); 5] = [
    (ErrorKind::WouldBlock, "would-block"),
    (ErrorKind::OutOfMemory, "out-of-memory"),
    (ErrorKind::PermissionDenied, "permission-denied"),
    (ErrorKind::NotFound, "not-found"),
    (ErrorKind::Other, "other"),
];

/// A known error kind (see [`KINDS`]), else `Other`.
pub fn known_kind(kind: ErrorKind) -> ErrorKind {
    KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or(ErrorKind::Other, |(k, _)| *k)
}

/// The name a known error kind travels by (see [`KINDS`]).
fn kind_name(kind: ErrorKind) -> &'static str {
    KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or("other", |k| k.1)
}

impl Failure {
    /// A refused start of a `worker`, keeping the error's kind.
    pub fn not_started(worker: SpawnKind, e: &std::io::Error) -> Failure {
        Failure::NotStarted {
            worker,
            error: known_kind(e.kind()),
        }
    }

    /// A refused event loop, keeping the error's kind and number.
    pub fn no_event_loop(e: &std::io::Error) -> Failure {
        Failure::NoEventLoop {
            error: known_kind(e.kind()),
            errno: e.raw_os_error(),
        }
    }

    /// How a child process ended, from its exit status (None: no status could be read).
    #[cfg(unix)]
    pub fn of_exit(status: Option<std::process::ExitStatus>) -> Failure {
        use std::os::unix::process::ExitStatusExt;
        match (
            status.and_then(|s| s.signal()),
            status.and_then(|s| s.code()),
        ) {
            (Some(n), _) => Failure::Signal(n),
            (None, Some(code)) => Failure::Exit(code),
            (None, None) => Failure::Vanished,
        }
    }

    /// How a child process ended, from its exit status (None: no status could be read).
    #[cfg(not(unix))]
    pub fn of_exit(status: Option<std::process::ExitStatus>) -> Failure {
        match status.and_then(|s| s.code()) {
            Some(code) => Failure::Exit(code),
            None => Failure::Vanished,
        }
    }

    /// The failure as one word or a few, for a child's pipe (`panicked`, `not-started thread
    /// would-block`); [`Failure::parse`] reads it back.
    pub fn wire(&self) -> String {
        match self {
            Failure::Panicked => "panicked".into(),
            Failure::Signal(n) => format!("signal {n}"),
            Failure::Exit(n) => format!("exit {n}"),
            Failure::Vanished => "vanished".into(),
            Failure::Malformed(line) => format!("malformed {line}"),
            Failure::NotStarted { worker, error } => {
                let worker = match worker {
                    SpawnKind::Thread => "thread",
                    SpawnKind::Process => "process",
                };
                format!("not-started {worker} {}", kind_name(*error))
            }
            Failure::NoEventLoop { error, errno } => match errno {
                Some(n) => format!("no-event-loop {} {n}", kind_name(*error)),
                None => format!("no-event-loop {}", kind_name(*error)),
            },
        }
    }

    /// Read [`Failure::wire`]'s words back; None for anything else.
    pub fn parse(s: &str) -> Option<Failure> {
        let (word, rest) = s.split_once(' ').unwrap_or((s, ""));
        Some(match (word, rest) {
            ("panicked", "") => Failure::Panicked,
            ("vanished", "") => Failure::Vanished,
            ("signal", n) => Failure::Signal(n.parse().ok()?),
            ("exit", n) => Failure::Exit(n.parse().ok()?),
            ("malformed", line) => Failure::Malformed(line.to_string()),
            ("not-started", rest) => {
                let (worker, kind) = rest.split_once(' ')?;
                let worker = match worker {
                    "thread" => SpawnKind::Thread,
                    "process" => SpawnKind::Process,
                    _ => return None,
                };
                let error = KINDS.iter().find(|(_, name)| *name == kind)?.0;
                Failure::NotStarted { worker, error }
            }
            ("no-event-loop", rest) => {
                let (kind, errno) = match rest.split_once(' ') {
                    Some((kind, n)) => (kind, Some(n.parse().ok()?)),
                    None => (rest, None),
                };
                let error = KINDS.iter().find(|(_, name)| *name == kind)?.0;
                Failure::NoEventLoop { error, errno }
            }
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_failure_crosses_a_pipe_as_itself() {
        let all = [
            Failure::Panicked,
            Failure::Signal(9),
            Failure::Exit(101),
            Failure::Vanished,
            Failure::Malformed("%% garbled %%".into()),
            Failure::NotStarted {
                worker: SpawnKind::Thread,
                error: ErrorKind::WouldBlock,
            },
            Failure::NotStarted {
                worker: SpawnKind::Process,
                error: ErrorKind::Other,
            },
            Failure::NoEventLoop {
                error: ErrorKind::OutOfMemory,
                errno: None,
            },
            Failure::NoEventLoop {
                error: ErrorKind::Other,
                errno: Some(libc::EMFILE),
            },
        ];
        for f in all {
            assert_eq!(Failure::parse(&f.wire()), Some(f.clone()), "{}", f.wire());
        }
        for bad in [
            "",
            "panicked now",
            "signal x",
            "not-started fork would-block",
            "no-event-loop other many",
            "died",
        ] {
            assert_eq!(Failure::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_refused_start_keeps_a_known_kind_of_error_and_calls_the_rest_other() {
        let e = std::io::Error::from(ErrorKind::WouldBlock);
        assert_eq!(
            Failure::not_started(SpawnKind::Thread, &e),
            Failure::NotStarted {
                worker: SpawnKind::Thread,
                error: ErrorKind::WouldBlock
            }
        );
        let e = std::io::Error::from(ErrorKind::BrokenPipe);
        let f = Failure::not_started(SpawnKind::Process, &e);
        assert_eq!(Failure::parse(&f.wire()), Some(f));
    }
}
