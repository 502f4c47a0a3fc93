//! `threadlab bench`'s screen figures: the real loop (`runner::run`) drawing through crossterm's
//! backend into a byte counter, with 1,000 downloads on a pool of 64 at speed 10, keys pressed
//! every 100 ms, then the same loop idle. CPU comes from `/proc/self/stat`, so it counts every
//! thread of the process: the workers as well as the screen.

use crate::app::{App, Event, Start};
use crate::engine::Strategy;
use crate::runner::{self, Runner};
use crate::settings::Settings;
use crate::tasks;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use std::io::{self, Write};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// What the screen loop cost.
#[derive(Debug, Clone)]
pub struct TuiFigures {
    /// Share of one core used by the whole process while the big run is under way, in percent.
    pub busy_cpu: f64,
    /// Key press to the end of the frame that shows it, in ms, one per key.
    pub key_latency: Vec<f64>,
    pub frames: usize,
    pub bytes_per_frame: f64,
    /// Share of one core used with nothing running and the ticker off, in percent.
    pub idle_cpu: f64,
}

#[derive(Default)]
pub(super) struct Tape {
    pub(super) bytes: usize,
    pub(super) flushes: Vec<Instant>,
}

/// A terminal that only counts what it is sent and notes when each frame is flushed.
#[derive(Clone, Default)]
pub(super) struct Recorder(pub(super) Arc<Mutex<Tape>>);

impl Write for Recorder {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).bytes += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .flushes
            .push(Instant::now());
        Ok(())
    }
}

/// CPU seconds used so far by this process (all threads), from `/proc/self/stat`.
pub fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name may contain spaces; the fields we need come after its closing parenthesis.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    // USER_HZ is 100 on every Linux this runs on.
    Some(ticks / 100.0)
}

pub(super) fn key(c: char) -> Event {
    Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

/// The screen's state for a bench: `count` generated downloads of the lesson's 3 to 6 s on
/// `strategy`, seed 1, io work, told its size as the runner would.
pub(super) fn bench_app(
    strategy: Strategy,
    workers: usize,
    speed: f64,
    count: usize,
    area: Rect,
) -> App {
    let mut app = App::new(Start {
        settings: Settings {
            strategy,
            workers,
            speed,
            names: tasks::generated_names(count),
            ..Settings::default()
        },
        cores: crate::cores::cores_in_use(),
        all_cores: crate::cores::available_cores(),
        scenes: Vec::new(),
    });
    runner::feed(&mut app, Event::Resize(area.width, area.height));
    app
}

/// Run the loop through a busy phase of `busy` and an idle phase of `idle`.
pub fn measure(busy: Duration, idle: Duration) -> io::Result<TuiFigures> {
    let recorder = Recorder::default();
    let area = Rect::new(0, 0, 200, 60);
    let mut term = Terminal::with_options(
        CrosstermBackend::new(recorder.clone()),
        TerminalOptions {
            viewport: Viewport::Fixed(area),
        },
    )?;
    let mut app = bench_app(Strategy::Pool, 64, 10.0, 1000, area);
    let (tx, rx) = mpsc::channel();
    let mut runner = Runner::new(tx.clone());
    runner.start_sampler()?;
    let driver = thread::Builder::new()
        .name("bench-keys".into())
        .spawn(move || {
            let _ = tx.send(Event::Key(KeyEvent::new(
                KeyCode::Enter,
                KeyModifiers::NONE,
            )));
            // Let the pool start its 64 workers before measuring.
            thread::sleep(Duration::from_millis(300));
            let (c0, t0) = (cpu_seconds(), Instant::now());
            let mut sent = Vec::new();
            let mut i = 0;
            while t0.elapsed() < busy {
                let at = Instant::now();
                // Scrolling redraws the pane and changes nothing else (k would change cores).
                let _ = tx.send(key(if i % 2 == 0 { 'J' } else { 'K' }));
                sent.push(at);
                i += 1;
                thread::sleep(Duration::from_millis(100));
            }
            let busy_cpu = cpu_of(c0, t0);
            // `n` stops the run; then nothing happens at all.
            let _ = tx.send(key('n'));
            thread::sleep(Duration::from_millis(500));
            let (c1, t1) = (cpu_seconds(), Instant::now());
            thread::sleep(idle);
            let idle_cpu = cpu_of(c1, t1);
            let _ = tx.send(Event::Key(KeyEvent::new(
                KeyCode::Char('c'),
                KeyModifiers::CONTROL,
            )));
            (sent, busy_cpu, idle_cpu)
        })?;
    runner::run(&mut term, &mut app, rx, &mut runner)?;
    runner.shut_down();
    let (sent, busy_cpu, idle_cpu) = driver
        .join()
        .map_err(|_| io::Error::other("bench driver panicked"))?;
    let tape = recorder.0.lock().unwrap_or_else(|e| e.into_inner());
    let key_latency = sent
        .iter()
        .filter_map(|s| {
            tape.flushes
                .iter()
                .find(|f| *f >= s)
                .map(|f| (*f - *s).as_secs_f64() * 1000.0)
        })
        .collect();
    Ok(TuiFigures {
        busy_cpu,
        key_latency,
        frames: tape.flushes.len(),
        bytes_per_frame: tape.bytes as f64 / tape.flushes.len().max(1) as f64,
        idle_cpu,
    })
}

fn cpu_of(c0: Option<f64>, t0: Instant) -> f64 {
    match (c0, cpu_seconds()) {
        (Some(a), Some(b)) => (b - a) / t0.elapsed().as_secs_f64() * 100.0,
        _ => f64::NAN,
    }
}
