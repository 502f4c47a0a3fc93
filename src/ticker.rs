//! The lesson's Ping/Pong threads: two real threads that each print a word every 100 ms, daemon
//! or not. Python keeps a process alive until its non-daemon threads end; the runner follows the
//! same rule when asked to quit.

use crate::app::Event;
use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Condvar, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// How often each thread prints, as in the lesson's `time.sleep(0.1)`.
pub const PERIOD: Duration = Duration::from_millis(100);

struct Shared {
    stopped: Mutex<bool>,
    wake: Condvar,
    daemon: Flag,
}

/// A yes/no the screen's thread sets and reads; nothing else is ordered by it.
struct Flag(AtomicBool);

impl Flag {
    fn set(&self, on: bool) {
        self.0.store(on, Ordering::Relaxed);
    }

    fn get(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// The two running ticker threads. Dropping it stops and joins them.
pub struct Ticker {
    shared: Arc<Shared>,
    threads: Vec<JoinHandle<()>>,
}

impl Ticker {
    /// Start the `Ping` and `Pong` threads, sending their words into `tx`.
    pub fn start(tx: Sender<Event>, daemon: bool) -> io::Result<Ticker> {
        let shared = Arc::new(Shared {
            stopped: Mutex::new(false),
            wake: Condvar::new(),
            daemon: Flag(AtomicBool::new(daemon)),
        });
        let mut ticker = Ticker {
            shared: shared.clone(),
            threads: Vec::new(),
        };
        // lesson:begin
        for word in ["Ping", "Pong"] {
            let (tx, shared) = (tx.clone(), shared.clone());
            let handle = thread::Builder::new()
                .name(word.into())
                .spawn(move || display(word, &tx, &shared))?;
            ticker.threads.push(handle);
        }
        // lesson:end
        Ok(ticker)
    }

    // lesson:begin
    /// Mark the threads daemon or not; it only matters when the main thread finishes.
    pub fn set_daemon(&self, daemon: bool) {
        self.shared.daemon.set(daemon);
    }
    // lesson:end

    /// Whether the threads are daemons.
    pub fn is_daemon(&self) -> bool {
        self.shared.daemon.get()
    }

    // lesson:begin
    /// Let the process end without joining the threads: they die with it, as daemon threads do.
    pub fn abandon(mut self) {
        self.threads.clear();
    }
    // lesson:end

    fn stop_and_join(&mut self) {
        *self
            .shared
            .stopped
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = true;
        self.shared.wake.notify_all();
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        self.stop_and_join();
    }
}

/// The lesson's `display(content)`: print, wait 100 ms, forever (until stopped).
fn display(word: &'static str, tx: &Sender<Event>, shared: &Shared) {
    let mut next = Instant::now();
    let mut stopped = shared.stopped.lock().unwrap_or_else(|e| e.into_inner());
    loop {
        if *stopped || tx.send(Event::Ticker(word)).is_err() {
            return;
        }
        next += PERIOD;
        // A cancellable sleep: stop wakes the thread at once instead of after the period.
        while !*stopped {
            let left = next.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            stopped = shared
                .wake
                .wait_timeout(stopped, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    #[test]
    fn ticks_ping_and_pong_and_stops_at_once() {
        let (tx, rx) = mpsc::channel();
        let ticker = Ticker::start(tx, false).unwrap();
        let mut words = Vec::new();
        while words.len() < 4 {
            match rx.recv_timeout(Duration::from_secs(10)) {
                Ok(Event::Ticker(w)) => words.push(w),
                other => panic!("expected a tick, got {other:?}"),
            }
        }
        assert!(words.contains(&"Ping") && words.contains(&"Pong"));
        assert!(!ticker.is_daemon());
        ticker.set_daemon(true);
        assert!(ticker.is_daemon());
        drop(ticker);
        // Both threads have been joined, so their senders are gone: after the words already
        // sent, the channel reports disconnection, never a timeout.
        loop {
            match rx.recv_timeout(Duration::from_secs(10)) {
                Ok(_) => continue,
                Err(e) => {
                    assert_eq!(e, std::sync::mpsc::RecvTimeoutError::Disconnected);
                    break;
                }
            }
        }
    }
}
