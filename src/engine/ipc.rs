//! The pipes between threadlab and its child worker processes: one plain-text message per line,
//! so the class can read them (`progress 2 0.35`). Processes share no memory; this is all they have.

use super::Failure;
use std::fmt;

/// The version a child announces in its first line; a parent refuses any other.
pub const PROTOCOL: &str = "threadlab-worker/1";

/// What a child tells its parent, over the child's stdout.
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    /// The child is running (`hello threadlab-worker/1`): always its first line.
    Hello,
    /// A thread of the child started, `nanos` after the child asked for it (`spawned t2 41000`).
    Spawned { thread: String, nanos: u64 },
    /// A thread of the child runs as OS thread `tid` (`thread t2 41213`), for the parent's sampler.
    Thread { thread: String, tid: u32 },
    /// A thread of the child picked up a download (`start 2 t1`).
    Start { task: usize, thread: String },
    /// Fraction of a download done (`progress 2 0.35`).
    Progress { task: usize, done: f64 },
    /// Bytes the whole child has downloaded so far (`bytes 1200000`).
    Bytes { total: u64 },
    /// A download completed after `took` lesson seconds on the child's clock (`done 2 5.001`).
    Done { task: usize, took: f64 },
    /// A download failed inside the child (`failed 2 panicked`).
    Failed { task: usize, reason: Failure },
}

impl fmt::Display for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Msg::Hello => write!(f, "hello {PROTOCOL}"),
            Msg::Spawned { thread, nanos } => write!(f, "spawned {thread} {nanos}"),
            Msg::Thread { thread, tid } => write!(f, "thread {thread} {tid}"),
            Msg::Start { task, thread } => write!(f, "start {task} {thread}"),
            Msg::Progress { task, done } => write!(f, "progress {task} {done}"),
            Msg::Bytes { total } => write!(f, "bytes {total}"),
            Msg::Done { task, took } => write!(f, "done {task} {took}"),
            Msg::Failed { task, reason } => write!(f, "failed {task} {}", reason.wire()),
        }
    }
}

impl Msg {
    /// Read one line; `None` if it is not a well-formed message.
    pub fn parse(line: &str) -> Option<Msg> {
        let (word, rest) = line.split_once(' ')?;
        let two = || rest.split_once(' ');
        let fraction = |s: &str| s.parse::<f64>().ok().filter(|x| (0.0..=1.0).contains(x));
        let seconds = |s: &str| s.parse::<f64>().ok().filter(|x| x.is_finite() && *x >= 0.0);
        let name = |s: &str| (!s.is_empty() && !s.contains(' ')).then(|| s.to_string());
        Some(match word {
            "hello" if rest == PROTOCOL => Msg::Hello,
            "spawned" => {
                let (thread, nanos) = two()?;
                Msg::Spawned {
                    thread: name(thread)?,
                    nanos: nanos.parse().ok()?,
                }
            }
            "thread" => {
                let (thread, tid) = two()?;
                Msg::Thread {
                    thread: name(thread)?,
                    tid: tid.parse().ok()?,
                }
            }
            "start" => {
                let (task, thread) = two()?;
                Msg::Start {
                    task: task.parse().ok()?,
                    thread: name(thread)?,
                }
            }
            "progress" => {
                let (task, done) = two()?;
                Msg::Progress {
                    task: task.parse().ok()?,
                    done: fraction(done)?,
                }
            }
            "bytes" => Msg::Bytes {
                total: rest.parse().ok()?,
            },
            "done" => {
                let (task, took) = two()?;
                Msg::Done {
                    task: task.parse().ok()?,
                    took: seconds(took)?,
                }
            }
            "failed" => {
                let (task, reason) = two()?;
                Msg::Failed {
                    task: task.parse().ok()?,
                    reason: match Failure::parse(reason)? {
                        // From another process: made safe for a terminal where it enters.
                        Failure::Malformed(line) => {
                            Failure::Malformed(crate::text::shown(&line).into_owned())
                        }
                        f => f,
                    },
                }
            }
            _ => return None,
        })
    }
}

/// What a parent tells a child, over the child's stdin.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Control {
    /// Freeze the child's lesson clock.
    Pause,
    /// Let it run again.
    Resume,
    /// Change its time scale.
    Speed(f64),
    /// Crash demo: the first running thread calls `std::process::abort()`.
    Abort,
}

impl fmt::Display for Control {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Control::Pause => f.write_str("pause"),
            Control::Resume => f.write_str("resume"),
            Control::Speed(x) => write!(f, "speed {x}"),
            Control::Abort => f.write_str("abort"),
        }
    }
}

impl Control {
    /// Read one line; `None` if it is not a control message.
    pub fn parse(line: &str) -> Option<Control> {
        match line.split_once(' ') {
            None if line == "pause" => Some(Control::Pause),
            None if line == "resume" => Some(Control::Resume),
            None if line == "abort" => Some(Control::Abort),
            Some(("speed", x)) => x
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite() && *x > 0.0)
                .map(Control::Speed),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_reads_back_as_itself() {
        let msgs = [
            Msg::Hello,
            Msg::Spawned {
                thread: "t2".into(),
                nanos: 41_000,
            },
            Msg::Thread {
                thread: "t2".into(),
                tid: 41_213,
            },
            Msg::Start {
                task: 2,
                thread: "main".into(),
            },
            Msg::Progress {
                task: 2,
                done: 0.35,
            },
            Msg::Bytes { total: 1_200_000 },
            Msg::Done {
                task: 0,
                took: 5.001,
            },
            Msg::Failed {
                task: 1,
                reason: Failure::Panicked,
            },
        ];
        for m in msgs {
            assert_eq!(Msg::parse(&m.to_string()), Some(m.clone()), "{m}");
        }
        for c in [
            Control::Pause,
            Control::Resume,
            Control::Speed(250.0),
            Control::Abort,
        ] {
            assert_eq!(Control::parse(&c.to_string()), Some(c));
        }
    }

    #[test]
    fn anything_else_is_malformed() {
        for bad in [
            "",
            "hello",
            "hello threadlab-worker/0",
            "progress 1 1.5",
            "progress x 0.5",
            "progress 1",
            "done 1 NaN",
            "done 1 -2",
            "start 1 two words",
            "failed 1 panicked at last",
            "bytes -1",
            "%%% garbled %%%",
        ] {
            assert_eq!(Msg::parse(bad), None, "{bad:?}");
        }
        for bad in ["speed 0", "speed -1", "speed inf", "stop", "pause now"] {
            assert_eq!(Control::parse(bad), None, "{bad:?}");
        }
    }
}
