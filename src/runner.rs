//! The loop: receive an event, update the app, carry out its commands, draw at most 30 frames a
//! second and only when something changed. Generic over the backend, so tests can drive it.

use crate::app::{App, Command, Event};
use crate::engine::{self, Reporter, RunHandle};
use crate::procinfo;
use crate::ticker::Ticker;
use ratatui::Terminal;
use ratatui::backend::Backend;
use std::io;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

/// The shortest time between two frames (30 fps).
pub const FRAME: Duration = Duration::from_millis(33);

/// Events handled before drawing, at most: a flood of worker reports must not starve the screen.
const BATCH: usize = 20_000;

/// The threads the loop owns on the app's behalf.
pub struct Runner {
    tx: Sender<Event>,
    /// Where `e` writes the trace (`--trace FILE`); None names the file after the run.
    pub trace_path: Option<std::path::PathBuf>,
    run: Option<RunHandle>,
    ticker: Option<Ticker>,
}

impl Runner {
    /// Nothing running yet; every thread the runner starts reports into `tx`.
    pub fn new(tx: Sender<Event>) -> Self {
        Runner {
            tx,
            trace_path: None,
            run: None,
            ticker: None,
        }
    }

    /// Carry out one command; true when the app asked to quit.
    pub fn execute(&mut self, cmd: Command) -> io::Result<bool> {
        match cmd {
            Command::StartRun { id, plan } => {
                // Dropping the old handle stops and joins its threads before the new run starts.
                self.run = None;
                self.run = Some(engine::start(plan, Reporter::new(id, self.tx.clone()))?);
            }
            Command::StopRun => self.run = None,
            Command::Pause => self.run.iter().for_each(|r| r.pause()),
            Command::Step => self.run.iter().for_each(|r| r.step()),
            Command::ExportTrace(report) => {
                let path = self.trace_path.clone().unwrap_or_else(|| {
                    format!(
                        "threadlab-{}-seed{}.trace.json",
                        report.strategy, report.seed
                    )
                    .into()
                });
                let said = match crate::trace::write(&path, &[*report]) {
                    Ok(()) => format!(
                        "trace written to {} (open it in ui.perfetto.dev)",
                        crate::text::shown_path(&path)
                    ),
                    Err(e) => e,
                };
                // Closed channel: the loop is ending anyway.
                let _ = self.tx.send(Event::Notice(said));
            }
            Command::Resume => self.run.iter().for_each(|r| r.resume()),
            Command::SetSpeed(s) => self.run.iter().for_each(|r| r.set_speed(s)),
            Command::StartTicker { daemon } => {
                self.ticker = None;
                self.ticker = Some(Ticker::start(self.tx.clone(), daemon)?);
            }
            Command::StopTicker => self.ticker = None,
            Command::SetDaemon(d) => self.ticker.iter().for_each(|t| t.set_daemon(d)),
            Command::Crash => {
                if let Some(r) = &self.run {
                    // Closed channel: the loop is ending anyway.
                    let _ = self.tx.send(Event::Crashed(r.crash()));
                }
            }
            Command::SetCores(n) => {
                if let Err(e) = crate::cores::set_cores(n) {
                    // Closed channel: the loop is ending anyway.
                    let _ = self.tx.send(Event::Notice(e));
                }
            }
            Command::Quit => return Ok(true),
        }
        Ok(false)
    }

    /// The current run's lesson clock, if a run exists.
    pub fn now(&self) -> Option<f64> {
        self.run.as_ref().map(|r| r.clock().now())
    }

    /// Wind down for exit: the run is stopped and joined; the ticker threads are left to die with
    /// the process, which is what daemon threads do (and all the app lets us quit with).
    pub fn shut_down(&mut self) {
        self.run = None;
        if let Some(t) = self.ticker.take() {
            t.abandon();
        }
    }
}

/// How often the context-switch table is read: each read opens two files per thread.
const THREADS_EVERY: Duration = Duration::from_millis(500);

/// Run the screen until the app quits or the channel closes.
pub fn run<B: Backend>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    rx: Receiver<Event>,
    runner: &mut Runner,
) -> io::Result<()>
where
    B::Error: Into<io::Error>,
{
    let mut last_draw: Option<Instant> = None;
    let mut last_threads: Option<Instant> = None;
    let mut dirty = true;
    loop {
        let due = last_draw.is_none_or(|t| t.elapsed() >= FRAME);
        if dirty && due {
            let now = runner.now().unwrap_or(0.0);
            app.update(Event::Tick {
                now,
                os_threads: procinfo::thread_count(),
            });
            if last_threads.is_none_or(|t| t.elapsed() >= THREADS_EVERY) {
                app.update(Event::Threads(procinfo::threads()));
                last_threads = Some(Instant::now());
            }
            // Back from a suspend the screen is blank: the last frame cannot be diffed against.
            // (A resize to the same size clears without `clear`'s cursor query, which would wait
            // on the input thread's read forever.)
            if crate::terminal::take_redraw() {
                let area = terminal.size().map_err(Into::into)?.into();
                terminal.resize(area).map_err(Into::into)?;
            }
            // A failed draw means the terminal is gone: end instead of spinning on it.
            terminal
                .draw(|f| f.render_widget(&*app, f.area()))
                .map_err(Into::into)?;
            last_draw = Some(Instant::now());
            dirty = false;
        }
        // Wait for the next event; while something moves, no longer than the next frame.
        let wait = if dirty || app.is_animating() {
            Some(FRAME.saturating_sub(last_draw.map_or(FRAME, |t| t.elapsed())))
        } else {
            None
        };
        let first = match wait {
            Some(d) => match rx.recv_timeout(d) {
                Ok(e) => Some(e),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => return Ok(()),
            },
            None => match rx.recv() {
                Ok(e) => Some(e),
                Err(_) => return Ok(()),
            },
        };
        if first.is_none() {
            // The clock moved on: bars and elapsed time need a new frame.
            dirty = true;
            continue;
        }
        let events = first
            .into_iter()
            .chain(std::iter::from_fn(|| rx.try_recv().ok()).take(BATCH));
        for event in events {
            let key = matches!(event, Event::Key(_) | Event::Resize(..));
            for cmd in app.update(event) {
                if runner.execute(cmd)? {
                    return Ok(());
                }
            }
            dirty = true;
            if key {
                // A key is answered on the next frame at once, not after the frame budget.
                last_draw = None;
            }
        }
    }
}
