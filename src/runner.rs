//! The loop: input first, then the worker reports waiting in the inbox, then draw at most 30
//! frames a second and only when something changed. Generic over the backend, so tests can
//! drive it. The runner is also the edge between the screen and the state: it tells the app its
//! viewport and turns clicks into what they hit ([`feed`]).

use crate::app::{App, Command, Event};
use crate::engine::{self, Reporter, RunEvent, RunHandle, WorkerEvent};
use crate::procinfo;
use crate::ticker::Ticker;
use crate::ticker_child::{News, PingPong};
use ratatui::Terminal;
use ratatui::backend::Backend;
use std::collections::HashMap;
use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// Held while a frame is drawn, so a panic on another thread can restore the terminal between
/// two frames rather than in the middle of one (which would hide the cursor again after it).
pub static DRAWING: Mutex<()> = Mutex::new(());

/// The shortest time between two frames (30 fps).
pub const FRAME: Duration = Duration::from_millis(33);

/// How soon the loop tries again for reports a worker was still writing.
const RETRY: Duration = Duration::from_millis(2);
/// A wait back this much later than asked was a stop, not a slow pass (a frame costs under a
/// millisecond here, a pass of reports a few).
const STALL: Duration = Duration::from_millis(250);
/// How long after the gap its SIGCONT may come and still be taken as its end.
const GAP_FRESH: Duration = Duration::from_secs(2);

/// What the loop did, for `threadlab bench`: frame times and worker events handled.
#[derive(Debug, Default)]
pub struct LoopStats {
    /// Time to build and flush each frame, in ms.
    pub frame_ms: Mutex<Vec<f64>>,
    pub worker_events: AtomicU64,
    /// Runs that reported their end.
    pub runs_finished: AtomicU64,
}

/// Worker reports waiting for the screen. Progress coalesces to each download's latest value and
/// the byte count to its largest, so what waits here is bounded by the number of downloads, not
/// by how long the screen was busy; starts and ends keep their order.
#[derive(Debug, Default)]
pub struct Pending {
    pub events: Vec<RunEvent>,
    progress: HashMap<(u64, usize), f64>,
    bytes: Option<RunEvent>,
    /// A wake-up is on its way through the event channel.
    woken: bool,
}

impl Pending {
    /// Every report, in an order that loses nothing: starts and ends first, then the latest
    /// progress (which a finished download ignores), then the byte count.
    pub fn into_events(self) -> impl Iterator<Item = RunEvent> {
        let progress = (self.progress.into_iter()).map(|((run, task), done)| RunEvent {
            run,
            event: WorkerEvent::Progress { task, done },
        });
        self.events.into_iter().chain(progress).chain(self.bytes)
    }

    pub fn len(&self) -> usize {
        self.events.len() + self.progress.len() + usize::from(self.bytes.is_some())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Where a run's workers report to: the pending reports, and one wake-up in the event channel
/// whenever there are some, so a key never queues behind thousands of reports.
#[derive(Debug)]
pub struct Inbox {
    pending: Mutex<Pending>,
    wake: Sender<Event>,
}

impl Inbox {
    pub fn new(wake: Sender<Event>) -> Arc<Self> {
        Arc::new(Inbox {
            pending: Mutex::new(Pending::default()),
            wake,
        })
    }

    /// Keep one report; false once the screen's loop has gone (the workers then stop).
    pub fn push(&self, ev: RunEvent) -> bool {
        let mut p = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        match ev.event {
            WorkerEvent::Progress { task, done } => {
                let latest = p.progress.entry((ev.run, task)).or_insert(done);
                *latest = latest.max(done);
            }
            WorkerEvent::Bytes { total, .. } => {
                let larger = match &p.bytes {
                    Some(RunEvent {
                        run,
                        event: WorkerEvent::Bytes { total: had, .. },
                    }) => *run != ev.run || total >= *had,
                    _ => true,
                };
                if larger {
                    p.bytes = Some(ev);
                }
            }
            _ => p.events.push(ev),
        }
        if p.woken {
            return true;
        }
        p.woken = true;
        drop(p);
        self.wake.send(Event::WorkerReports).is_ok()
    }

    /// Everything waiting, leaving the inbox empty.
    pub fn take(&self) -> Pending {
        let mut p = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        std::mem::take(&mut *p)
    }

    /// [`Inbox::take`], or None while a worker is writing: the screen never waits for a worker,
    /// which among ten thousand runnable threads may not get a core again for a long while.
    pub fn try_take(&self) -> Option<Pending> {
        let mut p = match self.pending.try_lock() {
            Ok(p) => p,
            Err(std::sync::TryLockError::Poisoned(e)) => e.into_inner(),
            Err(std::sync::TryLockError::WouldBlock) => return None,
        };
        Some(std::mem::take(&mut *p))
    }

    /// Where run `run`'s workers report. (A lock-free inbox was tried: the screen then yielded
    /// to ten thousand threads while waiting for a preempted worker's half-written report, and
    /// a key's p99 grew from ~140 ms to ~460 ms on 10,000 threads.)
    fn reporter(self: &Arc<Self>, run: u64) -> Reporter {
        let inbox = self.clone();
        Reporter::to(run, move |ev| inbox.push(ev))
    }
}

/// The threads the loop owns on the app's behalf.
pub struct Runner {
    /// Where the loop records what it did, when something measures it.
    pub stats: Option<Arc<LoopStats>>,
    tx: Sender<Event>,
    inbox: Arc<Inbox>,
    /// Where `e` writes the trace (`--trace FILE`); None names the file after the run.
    pub trace_path: Option<std::path::PathBuf>,
    run: Option<RunHandle>,
    ticker: Option<Ticker>,
    /// The daemon lesson's Ping/Pong program, in a child process; dropping it kills and reaps it.
    ping_pong: Option<PingPong>,
    /// The binary the Ping/Pong program runs from; None is this one (tests name theirs).
    pub ping_pong_exe: Option<std::path::PathBuf>,
    sampler: Option<Sampler>,
    /// A carried Python program to run under watch: the loop does it, as it needs the screen.
    watch: Option<&'static str>,
    /// When each worker thread was on a core: watches the threads workers report.
    oncore: Option<crate::oncore::Sampler>,
    /// The run under way and what pauses it, for a suspend (see [`Runner::suspend_hook`]).
    holds: Arc<Mutex<Option<(u64, engine::Hold)>>>,
}

impl Runner {
    /// Nothing running yet; every thread the runner starts reports into `tx`.
    pub fn new(tx: Sender<Event>) -> Self {
        Runner {
            stats: None,
            inbox: Inbox::new(tx.clone()),
            tx,
            trace_path: None,
            run: None,
            ticker: None,
            ping_pong: None,
            ping_pong_exe: None,
            sampler: None,
            watch: None,
            oncore: None,
            holds: Arc::default(),
        }
    }

    /// What to do around a suspend (Ctrl-Z): a stopped process's clock runs on and its child
    /// processes are not stopped, so a run under way is paused first and resumed after, and the
    /// app is told how long the program was away and whether the run's clock was held for it.
    pub fn suspend_hook(&self) -> impl Fn(crate::terminal::Suspend) + Send + Sync + 'static {
        use crate::terminal::Suspend;
        let (holds, tx) = (self.holds.clone(), self.tx.clone());
        // The run this suspend paused, to resume and to name; a run paused by Space stays so.
        let paused: Mutex<Option<u64>> = Mutex::new(None);
        move |moment| {
            let holds = crate::engine::support::lock(&holds);
            match moment {
                Suspend::Stopping => {
                    let held = (holds.as_ref()).filter(|(_, h)| h.pause_if_running());
                    *crate::engine::support::lock(&paused) = held.map(|(id, _)| *id);
                }
                Suspend::Continued(away) => {
                    let run = crate::engine::support::lock(&paused).take();
                    if let Some((id, h)) = holds.as_ref()
                        && run == Some(*id)
                    {
                        h.release();
                    }
                    let seconds = away.as_secs_f64();
                    // Closed channel: the loop is ending anyway.
                    let _ = tx.send(Event::Suspended { run, seconds });
                }
            }
        }
    }

    /// Where run `run`'s workers report: the inbox, which wakes the loop.
    pub fn reporter(&self, run: u64) -> Reporter {
        self.inbox.reporter(run)
    }

    /// [`Runner::reporter`], which also reads the run's CPU time as it ends, on the run's thread
    /// that reports it: what its own threads and children used, not the screen's or the
    /// samplers' ([`procinfo::RunCpu`]).
    fn measuring_reporter(&self, run: u64, cpu_at_start: procinfo::RunCpu) -> Reporter {
        let (inbox, tx) = (self.reporter(run), self.tx.clone());
        Reporter::to(run, move |ev| {
            if matches!(ev.event, WorkerEvent::RunFinished { .. }) {
                let cpu = cpu_at_start.used();
                // Closed channel: the loop is ending anyway.
                let _ = tx.send(Event::RunCpu { run, cpu });
            }
            inbox.send(ev.event)
        })
    }

    /// The reports the workers left since the last call.
    pub fn take_reports(&self) -> Pending {
        self.inbox.take()
    }

    /// [`Runner::take_reports`], unless a worker is writing one right now.
    pub fn try_take_reports(&self) -> Option<Pending> {
        self.inbox.try_take()
    }

    /// Carry out one command; true when the app asked to quit.
    pub fn execute(&mut self, cmd: Command) -> io::Result<bool> {
        match cmd {
            Command::StartRun { id, plan } => {
                // Dropping the old handle stops and joins its threads before the new run starts.
                self.run = None;
                if plan.workload == engine::Workload::Cpu {
                    // The one-off calibration of computing work is not the run's CPU time.
                    engine::units_per_second();
                }
                let cpu = procinfo::RunCpu::start();
                let reporter = self.measuring_reporter(id, cpu);
                *crate::engine::support::lock(&self.holds) = None;
                let run = engine::start(plan, reporter)?;
                if let Some(s) = &self.oncore {
                    s.new_run(id, run.shared_clock());
                }
                *crate::engine::support::lock(&self.holds) = Some((id, run.hold()));
                self.run = Some(run);
            }
            Command::StopRun => {
                *crate::engine::support::lock(&self.holds) = None;
                self.run = None;
            }
            Command::Pause => self.run.iter().for_each(|r| r.pause()),
            Command::Step => self.run.iter().for_each(|r| r.step()),
            Command::ExportTrace { report, lang } => {
                let path = self.trace_path.clone().unwrap_or_else(|| {
                    format!(
                        "threadlab-{}-seed{}.trace.json",
                        report.strategy, report.seed
                    )
                    .into()
                });
                // In the screen's language, as every other message on it (it was English on a
                // Chinese screen, tryout).
                let said = match crate::trace::write_in(&path, &[*report], lang) {
                    Ok(()) => crate::i18n::tf(
                        lang,
                        crate::i18n::Key::trace_written,
                        &[&crate::text::shown_path(&path)],
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
            Command::StartPingPong { id, daemon, speed } => {
                self.ping_pong = None;
                let exe = self.ping_pong_exe.clone();
                match PingPong::start(self.tx.clone(), id, daemon, speed, exe) {
                    Ok(p) => self.ping_pong = Some(p),
                    Err(e) => {
                        let news = News::Failed(e.to_string());
                        // Closed channel: the loop is ending anyway.
                        let _ = self.tx.send(Event::PingPong { id, news });
                    }
                }
            }
            Command::EndPingPong => self.ping_pong.iter().for_each(|p| p.interrupt()),
            Command::StopPingPong => self.ping_pong = None,
            Command::Crash => {
                if let Some(r) = &self.run {
                    // Closed channel: the loop is ending anyway.
                    let _ = self.tx.send(Event::Crashed(r.crash()));
                }
            }
            Command::SetCores(n) => {
                if let Err(e) = crate::cores::set_cores(n) {
                    // The runner does not know the screen's language: a refusal by the kernel,
                    // rare enough, is said in English (as the trace's notice is).
                    let said = e.text(crate::i18n::Lang::En);
                    // Closed channel: the loop is ending anyway.
                    let _ = self.tx.send(Event::Notice(said));
                }
            }
            Command::WatchPython { script } => self.watch = Some(script),
            Command::Quit => return Ok(true),
        }
        Ok(false)
    }

    /// The carried Python program asked for, which only the loop can run (it lends the screen).
    pub fn take_watch(&mut self) -> Option<&'static str> {
        self.watch.take()
    }

    /// The current run's lesson clock, if a run exists.
    pub fn now(&self) -> Option<f64> {
        self.run.as_ref().map(|r| r.clock().now())
    }

    /// Start reading `/proc` on a thread of its own (the screen's thread never does).
    pub fn start_sampler(&mut self) -> io::Result<()> {
        if self.sampler.is_none() {
            self.sampler = Some(Sampler::start(self.tx.clone())?);
        }
        if self.oncore.is_none() {
            self.oncore = Some(crate::oncore::Sampler::start(self.tx.clone())?);
        }
        Ok(())
    }

    /// Wind down for exit: the run is stopped and joined; the ticker threads are left to die with
    /// the process, which is what daemon threads do (and all the app lets us quit with).
    pub fn shut_down(&mut self) {
        *crate::engine::support::lock(&self.holds) = None;
        self.run = None;
        self.sampler = None;
        // A child program never outlives the screen, whatever it was doing.
        self.ping_pong = None;
        self.oncore = None;
        if let Some(t) = self.ticker.take() {
            t.abandon();
        }
    }
}

/// Reads the process's threads (names, context switches) and memory now and then, and sends
/// them as [`Event::Sampled`]. With ten thousand threads one read opens twenty thousand files,
/// so the pause after a read is at least ten times what the read took: never more than a tenth
/// of a core, whatever the run.
struct Sampler {
    stop: Option<Sender<()>>,
    thread: Option<thread::JoinHandle<()>>,
}

/// The shortest time between two samples.
const SAMPLE_EVERY: Duration = Duration::from_millis(500);

impl Sampler {
    fn start(tx: Sender<Event>) -> io::Result<Sampler> {
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = thread::Builder::new()
            .name("sampler".into())
            .spawn(move || {
                // SAFETY: gettid has no preconditions.
                let me = unsafe { libc::gettid() } as u32;
                let mut last = None;
                loop {
                    let t0 = Instant::now();
                    let mut threads = procinfo::threads();
                    // The sampler's own switches change at every sample: leave it out.
                    threads.retain(|t| t.tid != me);
                    let sample = (threads, procinfo::rss());
                    // Only news is sent, so an idle screen stays idle (and draws nothing).
                    if last.as_ref() != Some(&sample) {
                        last = Some(sample.clone());
                        let (threads, rss) = sample;
                        if tx.send(Event::Sampled { threads, rss }).is_err() {
                            return;
                        }
                    }
                    let pause = SAMPLE_EVERY.max(t0.elapsed() * 10);
                    // A message or a dropped sender both mean stop.
                    if !matches!(stopped.recv_timeout(pause), Err(RecvTimeoutError::Timeout)) {
                        return;
                    }
                }
            })?;
        Ok(Sampler {
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

impl Drop for Sampler {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(t) = self.thread.take() {
            // A sampler that panicked has nothing left to clean up.
            let _ = t.join();
        }
    }
}

/// Hand one event to the app as the edge should: a click becomes what it hit, and whenever the
/// size or the language changed, the app learns its new viewport from the view's layout.
pub fn feed(app: &mut App, event: Event) -> Vec<Command> {
    let event = match event {
        Event::Click(x, y) => match crate::ui::hit(app, x, y) {
            Some(e) => e,
            None => return vec![],
        },
        e => e,
    };
    let viewed = |app: &App| {
        let code = crate::ui::spare_subject(app);
        (app.size, app.settings.lang, app.settings.look, code)
    };
    let before = viewed(app);
    let resized = matches!(event, Event::Resize(..));
    let cmds = app.update(event);
    if resized || before != viewed(app) {
        app.update(crate::ui::viewport(app));
    }
    cmds
}

/// Lend the screen to a carried Python program under watch until `q` there; then tell the app
/// what it showed and the screen's size (a resize meanwhile went to the watch screen). True when
/// threadlab should end (Ctrl-C, a signal, a lost terminal).
fn watch_python<B: Backend>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    rx: &Receiver<Event>,
    runner: &mut Runner,
    script: &'static str,
) -> io::Result<bool>
where
    B::Error: Into<io::Error> + Send + Sync + 'static,
{
    let theme = *crate::ui::theme::Theme::of(app.settings.look);
    let ran = crate::watch::live::run_carried(
        terminal,
        rx,
        script,
        app.settings.speed,
        app.settings.lang,
        theme,
    )?;
    let mut cmds = match ran {
        Ok((crate::watch::live::Quit::Status(_), ..)) => return Ok(true),
        Ok((crate::watch::live::Quit::Plain, watched, shown)) => {
            let mut cmds = Vec::new();
            // `l` on the watch screen: the class keeps the language it switched to.
            cmds.extend(feed(app, Event::Language(shown.lang)));
            // What the main screen's own threads and children said meanwhile (a Ping/Pong
            // program's exit, a stopped run's last figures), in the order it came.
            for event in shown.held {
                cmds.extend(feed(app, event));
            }
            cmds.extend(feed(app, Event::Watched(Box::new(watched))));
            cmds
        }
        Err(why) => feed(app, Event::Notice(why)),
    };
    let size = terminal.size().map_err(Into::into)?;
    cmds.extend(feed(app, Event::Resize(size.width, size.height)));
    // Reports that came meanwhile (a stopped run's last words): taken, so the inbox wakes the
    // loop again for the next run's.
    for ev in runner.take_reports().into_events() {
        cmds.extend(app.update(Event::Worker(ev)));
    }
    for cmd in cmds {
        if runner.execute(cmd)? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Run the screen until the app quits or the channel closes.
pub fn run<B: Backend>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    rx: Receiver<Event>,
    runner: &mut Runner,
) -> io::Result<()>
where
    B::Error: Into<io::Error> + Send + Sync + 'static,
{
    let mut last_draw: Option<Instant> = None;
    let mut dirty = true;
    let mut input = Vec::new();
    // A wake-up came for reports the loop has not taken yet, and since when.
    let mut owed = false;
    let mut owed_since: Option<Instant> = None;
    // A stop from outside (kill -STOP) cannot be caught, and the run's clock runs on through
    // it: the loop sees it as a wait that came back late. The last such gap while a run's clock
    // ran (the run, how long, when seen), for the SIGCONT that follows to report.
    let mut woke = Instant::now();
    let mut gap: Option<(u64, Duration, Instant)> = None;
    loop {
        if let Some(script) = runner.take_watch() {
            if watch_python(terminal, app, &rx, runner, script)? {
                return Ok(());
            }
            dirty = true;
            last_draw = None;
            // The time on the watch screen was no gap of this loop's.
            woke = Instant::now();
        }
        let due = last_draw.is_none_or(|t| t.elapsed() >= FRAME);
        if dirty && due {
            let now = runner.now().unwrap_or(0.0);
            app.update(Event::Tick { now });
            // Back from a suspend the screen is blank: the last frame cannot be diffed against.
            // (A resize to the same size clears without `clear`'s cursor query, which would wait
            // on the input thread's read forever.)
            if crate::terminal::take_redraw() {
                let area = terminal.size().map_err(Into::into)?.into();
                terminal.resize(area).map_err(Into::into)?;
            }
            let t0 = Instant::now();
            let frame = DRAWING.lock().unwrap_or_else(|e| e.into_inner());
            // A failed draw means the terminal is gone: end instead of spinning on it.
            terminal
                .draw(|f| f.render_widget(&*app, f.area()))
                .map_err(Into::into)?;
            drop(frame);
            if let Some(s) = &runner.stats {
                let ms = t0.elapsed().as_secs_f64() * 1000.0;
                s.frame_ms
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(ms);
            }
            last_draw = Some(Instant::now());
            dirty = false;
        }
        // Wait for the next event; while something moves, no longer than the next frame.
        let wait = if dirty || app.is_animating() {
            Some(FRAME.saturating_sub(last_draw.map_or(FRAME, |t| t.elapsed())))
        } else {
            None
        };
        // Reports a worker was still writing are tried again soon, not at the next frame.
        let wait = if owed {
            Some(wait.map_or(RETRY, |w| w.min(RETRY)))
        } else {
            wait
        };
        let counting = (app.run.as_ref())
            .filter(|_| app.is_animating())
            .map(|r| r.id);
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
        // Back later than the wait and one pass's work allow: the program did not run.
        let back = Instant::now();
        if let (Some(run), Some(d)) = (counting, wait) {
            let lost = back.duration_since(woke).saturating_sub(d);
            if lost >= STALL {
                gap = Some((run, lost, back));
            }
        }
        woke = back;
        // Everything in the channel is input, signals, samples or a wake-up: a bounded handful,
        // since worker reports wait in the inbox. Input goes first, then the reports.
        input.clear();
        match first {
            Some(first) => input.push(first),
            // The clock moved on: bars and elapsed time need a new frame.
            None => dirty = true,
        }
        input.extend(std::iter::from_fn(|| rx.try_recv().ok()));
        let mut answered = false;
        for event in input.drain(..) {
            if matches!(event, Event::WorkerReports) {
                owed = true;
                continue;
            }
            // The gap this SIGCONT ended was measured on this pass or one just before it.
            let event = match event {
                Event::Continued => {
                    match gap.take().filter(|(_, _, at)| at.elapsed() < GAP_FRESH) {
                        Some((run, lost, _)) => Event::Stopped {
                            run,
                            seconds: lost.as_secs_f64(),
                        },
                        None => continue,
                    }
                }
                event => event,
            };
            let key = matches!(event, Event::Key(_) | Event::Resize(..));
            for cmd in feed(app, event) {
                if runner.execute(cmd)? {
                    return Ok(());
                }
            }
            dirty = true;
            if key {
                // A key is answered on the next frame at once, not after the frame budget and
                // before any report waiting in the inbox.
                last_draw = None;
                answered = true;
            }
        }
        // Owed for a frame already (keys or resizes every pass, a paste, a dragged edge): taken
        // now, so the bars never stop while input keeps coming.
        let overdue = owed_since.is_some_and(|t: Instant| t.elapsed() >= FRAME);
        let pending = if owed && (!answered || overdue) {
            runner.try_take_reports()
        } else {
            None
        };
        if owed {
            owed_since.get_or_insert_with(Instant::now);
        }
        if let Some(pending) = pending {
            owed = false;
            owed_since = None;
            dirty = true;
            let count = pending.len() as u64;
            let mut ended = 0;
            for ev in pending.into_events() {
                ended += u64::from(matches!(ev.event, WorkerEvent::RunFinished { .. }));
                if let (WorkerEvent::Thread { pid, tid, .. }, Some(s)) = (&ev.event, &runner.oncore)
                {
                    s.watch(ev.run, *pid, *tid);
                }
                for cmd in app.update(Event::Worker(ev)) {
                    if runner.execute(cmd)? {
                        return Ok(());
                    }
                }
            }
            if let Some(s) = &runner.stats {
                s.worker_events.fetch_add(count, Ordering::Relaxed);
                s.runs_finished.fetch_add(ended, Ordering::Relaxed);
            }
        }
    }
}
