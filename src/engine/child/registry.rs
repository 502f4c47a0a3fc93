//! Every live child of a run, so pause, speed, the crash demo and stop can reach them; and the
//! process-wide limit on live children, which every way of starting one goes through.

use super::super::ipc::Control;
use super::super::support::lock;
use super::super::{Clock, Crash};
use std::collections::BTreeSet;
use std::io::{self, Write};
use std::process::{Child, ChildStdin, ExitStatus};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// The most child processes threadlab keeps alive at once, whatever starts them (a key, compare,
/// a lesson scene, several runs): beyond it a download waits, queued, until a child is reaped.
pub const MAX_PROCESSES: usize = 256;

/// A child that closed its pipe but has not exited within this long is killed.
const REAP_GRACE: Duration = Duration::from_secs(2);

/// One live child, as the rest of the run can reach it.
pub(super) struct LiveChild {
    pub(super) pid: u32,
    pub(super) name: Arc<str>,
    pub(super) process: Mutex<Child>,
    pub(super) stdin: Mutex<Option<ChildStdin>>,
    /// Its downloads not yet finished, and which of them have started.
    pub(super) unfinished: Mutex<BTreeSet<usize>>,
    pub(super) started: Mutex<BTreeSet<usize>>,
}

impl LiveChild {
    fn tell(&self, control: Control) {
        if let Some(stdin) = lock(&self.stdin).as_mut() {
            // A child that has just died cannot hear us; its reader reports why.
            let _ = writeln!(stdin, "{control}").and_then(|()| stdin.flush());
        }
    }

    pub(super) fn kill(&self) {
        // `Child::kill` does nothing once the child has been reaped, so a recycled pid is never hit.
        let _ = lock(&self.process).kill();
    }

    /// Bring a child up to the clock's pause and speed, as they are now.
    pub(super) fn tell_state(&self, clock: &Clock) {
        self.tell(Control::Speed(clock.speed()));
        self.tell(if clock.is_paused() {
            Control::Pause
        } else {
            Control::Resume
        });
    }

    fn is_running_something(&self) -> bool {
        !lock(&self.started).is_empty()
    }

    /// Wait for a child whose pipe has closed; one that lingers is killed. Always reaps, so no zombie.
    pub(super) fn reap(&self) -> Option<ExitStatus> {
        let deadline = Instant::now() + REAP_GRACE;
        // Woken the moment it has exited: the run's end waits on this, and looking again and
        // again costs a timer's slack each time.
        await_exit(self.pid, REAP_GRACE);
        // Where that could not be asked: a child closes its pipe a few microseconds before it
        // can be reaped, so look again soon, then less and less often.
        let mut pause = Duration::from_micros(20);
        loop {
            let mut process = lock(&self.process);
            match process.try_wait() {
                Ok(Some(status)) => return Some(status),
                Ok(None) if Instant::now() >= deadline => {
                    let _ = process.kill();
                    return process.wait().ok();
                }
                Ok(None) => {}
                Err(_) => return None,
            }
            drop(process);
            thread::sleep(pause);
            pause = (pause * 2).min(Duration::from_millis(5));
        }
    }
}

/// Wait until child `pid` (ours, not yet reaped) has exited or `timeout` has passed; returns at
/// once where the OS cannot be asked (no pidfd).
fn await_exit(pid: u32, timeout: Duration) {
    #[cfg(target_os = "linux")]
    // SAFETY: the pidfd is ours alone, polled once and closed here; the pid cannot have been
    // recycled, since only this child's listener reaps it.
    unsafe {
        let fd = libc::syscall(libc::SYS_pidfd_open, pid as libc::pid_t, 0);
        let Ok(fd) = libc::c_int::try_from(fd) else {
            return;
        };
        if fd < 0 {
            return;
        }
        let mut ready = libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        };
        let ms = libc::c_int::try_from(timeout.as_millis()).unwrap_or(libc::c_int::MAX);
        // A signal may cut the wait short; the loop after it copes with that.
        libc::poll(&mut ready, 1, ms);
        libc::close(fd);
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (pid, timeout);
}

/// Every live child of a run.
#[derive(Default)]
pub struct Children {
    state: Mutex<Registry>,
}

#[derive(Default)]
pub(super) struct Registry {
    /// Set by stop: a child started after it is killed at once.
    pub(super) closed: bool,
    pub(super) kids: Vec<Arc<LiveChild>>,
    /// Slots this run holds: its children alive or about to start.
    claimed: usize,
}

impl Children {
    /// Tell every child; the clock has already changed, so a child started meanwhile got the new state.
    pub fn tell_all(&self, control: Control) {
        for kid in &lock(&self.state).kids {
            kid.tell(control);
        }
    }

    /// Kill every child and refuse new ones; their readers reap them. A download waiting for a
    /// free slot gives up.
    pub fn kill_all(&self) {
        {
            let mut reg = lock(&self.state);
            reg.closed = true;
            for kid in &reg.kids {
                kid.kill();
            }
        }
        SLOTS.wake_all();
    }

    /// How many children are alive (not yet reaped).
    pub fn live(&self) -> usize {
        lock(&self.state).kids.len()
    }

    /// Crash demo, process strategy: kill one child that is running a download.
    pub fn kill_one(&self) -> Crash {
        let Some(kid) = self.pick() else {
            return Crash::NothingRunning;
        };
        kid.kill();
        Crash::Killed {
            worker: kid.name.clone(),
            pid: kid.pid,
            tasks: lock(&kid.unfinished).iter().copied().collect(),
        }
    }

    /// Crash demo, workshops: make one thread of one child abort its whole process.
    pub fn abort_one(&self) -> Crash {
        let Some(kid) = self.pick() else {
            return Crash::NothingRunning;
        };
        // The workshops that go on are those alive now with work left: one that finished its
        // share has gone (or is going), whatever the plan said.
        let others = (lock(&self.state).kids.iter())
            .filter(|k| k.pid != kid.pid)
            .map(|k| lock(&k.unfinished).len())
            .filter(|&left| left > 0)
            .collect();
        kid.tell(Control::Abort);
        Crash::Aborted {
            worker: kid.name.clone(),
            pid: kid.pid,
            tasks: lock(&kid.unfinished).iter().copied().collect(),
            others,
        }
    }

    fn pick(&self) -> Option<Arc<LiveChild>> {
        let reg = lock(&self.state);
        reg.kids.iter().find(|k| k.is_running_something()).cloned()
    }

    /// The registry, locked: a child is added under this lock, so stop cannot miss it.
    pub(super) fn lock(&self) -> std::sync::MutexGuard<'_, Registry> {
        lock(&self.state)
    }

    pub(super) fn remove(&self, pid: u32) {
        lock(&self.state).kids.retain(|k| k.pid != pid);
    }

    pub(super) fn is_closed(&self) -> bool {
        lock(&self.state).closed
    }
}

/// Live children of this whole program, against [`MAX_PROCESSES`].
struct Slots {
    live: Mutex<usize>,
    freed: Condvar,
}

static SLOTS: Slots = Slots {
    live: Mutex::new(0),
    freed: Condvar::new(),
};

impl Slots {
    fn wake_all(&self) {
        // Taken so that a waiter between its check and its wait cannot miss the wake-up.
        let _live = lock(&self.live);
        self.freed.notify_all();
    }
}

/// The right to one live child: taken before the child is started, given back once it is reaped.
pub(super) struct Slot(Arc<Children>);

impl Slot {
    /// Wait for a free slot, and until this run holds fewer than `per_run`; `Err` if the run
    /// was stopped meanwhile.
    pub(super) fn take(
        children: &Arc<Children>,
        clock: &Clock,
        per_run: usize,
    ) -> io::Result<Slot> {
        let mut live = lock(&SLOTS.live);
        loop {
            if clock.is_stopped() {
                return Err(io::Error::other("the run was stopped"));
            }
            {
                let mut reg = children.lock();
                if reg.closed {
                    return Err(io::Error::other("the run was stopped"));
                }
                if *live < MAX_PROCESSES && reg.claimed < per_run.max(1) {
                    *live += 1;
                    reg.claimed += 1;
                    return Ok(Slot(children.clone()));
                }
            }
            live = SLOTS.freed.wait(live).unwrap_or_else(|e| e.into_inner());
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.lock().claimed -= 1;
        *lock(&SLOTS.live) -= 1;
        SLOTS.freed.notify_all();
    }
}
