//! Listening to one child: the lines on its pipe turned into [`WorkerEvent`]s, a child that says
//! anything else cut off, and whatever it left unfinished failed with the reason it ended.

use super::super::ipc::Msg;
use super::super::support::lock;
use super::super::{BytesVia, Ctx, Failure, SpawnKind, WorkerEvent};
use super::registry::LiveChild;
use std::collections::BTreeMap;
use std::io::{self, BufRead, BufReader};
use std::process::ChildStdout;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// How listening to a child ended.
enum End {
    /// The pipe closed: the child exited, or died.
    Closed,
    /// The child said something that is not a message; it cannot be trusted any more.
    Malformed(String),
    /// Nobody listens to the run any more.
    NobodyListens,
}

/// Read the child's pipe until it closes, turning each line into events; then reap the child and
/// fail whatever it left unfinished.
pub(super) fn listen(kid: &LiveChild, stdout: ChildStdout, asked: Instant, ctx: &Ctx) {
    let mut reading = Reading {
        kid,
        ctx,
        asked,
        hello: false,
        starts: BTreeMap::new(),
        workers: BTreeMap::new(),
        bytes: 0,
    };
    let mut end = End::Closed;
    for line in BufReader::new(stdout).lines() {
        end = match line {
            Ok(line) => match Msg::parse(&line) {
                Some(msg) => match reading.apply(msg) {
                    Ok(true) => continue,
                    Ok(false) => End::NobodyListens,
                    Err(()) => End::Malformed(line),
                },
                None => End::Malformed(line),
            },
            Err(e) if e.kind() == io::ErrorKind::InvalidData => {
                End::Malformed("bytes that are not UTF-8".into())
            }
            Err(_) => End::Closed,
        };
        break;
    }
    if !matches!(end, End::Closed) {
        kid.kill();
    }
    let status = kid.reap();
    ctx.children.remove(kid.pid);
    if ctx.clock.is_stopped() {
        return; // stopped on purpose: nothing failed
    }
    let reason = match end {
        End::Malformed(line) => Failure::Malformed(clip(&line)),
        _ => Failure::of_exit(status),
    };
    let unfinished: Vec<usize> = lock(&kid.unfinished).iter().copied().collect();
    for task in unfinished {
        let worker = reading.workers.get(&task).unwrap_or(&kid.name).clone();
        ctx.reporter.send(WorkerEvent::Failed {
            task,
            worker,
            at: ctx.clock.now(),
            reason: reason.clone(),
        });
    }
}

/// The listener's picture of one child.
struct Reading<'a> {
    kid: &'a LiveChild,
    ctx: &'a Ctx,
    asked: Instant,
    hello: bool,
    /// When each started download began, on the run's clock.
    starts: BTreeMap<usize, f64>,
    workers: BTreeMap<usize, Arc<str>>,
    /// The child's last byte total, to add only the difference to the run's.
    bytes: u64,
}

impl Reading<'_> {
    /// The worker name for one of the child's threads: `pid 123` for its main thread, `pid 123/t2` for others.
    fn worker(&self, thread: &str) -> Arc<str> {
        if thread == "main" {
            self.kid.name.clone()
        } else {
            format!("{}/{thread}", self.kid.name).into()
        }
    }

    /// Turn one message into events: Ok(false) when the listener is gone, Err for a message that
    /// does not fit (before hello, or about a download this child does not run).
    fn apply(&mut self, msg: Msg) -> Result<bool, ()> {
        let ours = |task: usize| lock(&self.kid.unfinished).contains(&task);
        if !self.hello {
            return if msg == Msg::Hello {
                self.hello = true;
                Ok(self.ctx.reporter.send(WorkerEvent::Spawned {
                    worker: self.kid.name.clone(),
                    kind: SpawnKind::Process,
                    cost: self.asked.elapsed(),
                }))
            } else {
                Err(())
            };
        }
        let event = match msg {
            Msg::Hello => return Err(()),
            Msg::Spawned { thread, nanos } => WorkerEvent::Spawned {
                worker: self.worker(&thread),
                kind: SpawnKind::Thread,
                cost: Duration::from_nanos(nanos),
            },
            Msg::Thread { thread, tid } => WorkerEvent::Thread {
                worker: self.worker(&thread),
                pid: self.kid.pid,
                tid,
            },
            Msg::Start { task, thread } if ours(task) => {
                let (worker, at) = (self.worker(&thread), self.ctx.clock.now());
                self.starts.insert(task, at);
                self.workers.insert(task, worker.clone());
                lock(&self.kid.started).insert(task);
                WorkerEvent::Started { task, worker, at }
            }
            Msg::Progress { task, done } if self.starts.contains_key(&task) && ours(task) => {
                WorkerEvent::Progress { task, done }
            }
            // The child's threads report their totals in whatever order they get to the pipe.
            Msg::Bytes { total } if total <= self.bytes => return Ok(true),
            Msg::Bytes { total } => {
                // Inter-process communication: the child's count reaches us only as a message.
                let delta = total - self.bytes;
                self.bytes = total;
                let total = self.ctx.bytes.fetch_add(delta, Ordering::Relaxed) + delta;
                let via = BytesVia::Messages;
                WorkerEvent::Bytes { total, via }
            }
            Msg::Done { task, took } if ours(task) => {
                let start = *self.starts.get(&task).ok_or(())?;
                self.finish(task);
                WorkerEvent::Finished {
                    task,
                    worker: self.workers[&task].clone(),
                    // Our clock stamps the line's arrival; the child's says how long it waited.
                    at: self.ctx.clock.now().max(start + took),
                    took,
                }
            }
            Msg::Failed { task, reason } if ours(task) => {
                self.finish(task);
                WorkerEvent::Failed {
                    task,
                    worker: self.workers.get(&task).unwrap_or(&self.kid.name).clone(),
                    at: self.ctx.clock.now(),
                    reason,
                }
            }
            _ => return Err(()),
        };
        Ok(self.ctx.reporter.send(event))
    }

    fn finish(&self, task: usize) {
        lock(&self.kid.unfinished).remove(&task);
        lock(&self.kid.started).remove(&task);
    }
}

/// A line from a misbehaving child, short enough for one row.
fn clip(line: &str) -> String {
    line.chars().take(40).collect()
}
