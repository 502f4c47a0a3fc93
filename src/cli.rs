//! The command line: clap definitions, value checks, and turning options into a run's plan.

use crate::cli_text::Refusal;
use crate::cores;
use crate::engine::worker::{Job, Threads};
use crate::engine::{ProcessOptions, Strategy, Task, Workload};
use crate::i18n::{Key, Lang, tf};
use crate::look::{Look, ThemeName};
use crate::names;
use crate::settings::Settings;
use crate::tasks;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// threadlab: a live concurrency lab in the terminal, for teaching threads.
#[derive(Debug, Parser)]
#[command(
    name = "threadlab",
    version,
    about = "A live concurrency lab in the terminal: watch serial downloads, threads, a thread pool and daemon threads race.",
    long_about = None
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub opts: Opts,
}

/// What to do instead of opening the live screen.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run one strategy without the TUI: the lesson's transcript, then a summary
    Run,
    /// Run every strategy on the same durations and print a comparison table
    Compare,
    /// Measure this build on this machine: timing overhead of every strategy
    Bench(BenchArgs),
    /// Run a real program (Python) unchanged and watch its threads: watch -- python3 prog.py
    Watch(WatchArgs),
    /// A child process of the process strategies (started by threadlab itself)
    #[command(hide = true)]
    Worker(WorkerArgs),
}

/// Options of the hidden `threadlab worker`, which the process strategies start.
#[derive(Debug, Args)]
pub struct WorkerArgs {
    /// The parent's pid: the worker exits at once if its parent is someone else
    #[arg(long)]
    pub parent_pid: Option<u32>,
    /// Time scale of the worker's own lesson clock
    #[arg(long, allow_hyphen_values = true, value_parser = parse_speed)]
    pub clock: f64,
    /// Start with the clock paused
    #[arg(long)]
    pub paused: bool,
    /// 0: downloads one after another on the main thread; M: on M threads
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// One download as ID:SECONDS; repeat for more
    #[arg(long = "task", value_parser = parse_job_task)]
    pub downloads: Vec<(usize, f64)>,
    /// Whether the downloads wait (io) or compute (cpu)
    #[arg(long, default_value = "io", value_parser = one_of::<Workload>(Key::cli_err_workload))]
    pub workload: Workload,
    /// The parent's calibration of cpu work, so the child need not measure again
    #[arg(long, allow_hyphen_values = true, value_parser = parse_units_per_second)]
    pub units_per_second: Option<f64>,
    /// Wall seconds between two progress reports of one download: the parent run's pace
    #[arg(long, allow_hyphen_values = true, value_parser = parse_report_every)]
    pub report_every: Option<f64>,
    /// Tests only: write one malformed line after the first progress message
    #[arg(long)]
    pub garble: bool,
}

impl WorkerArgs {
    /// The job these arguments describe.
    pub fn job(&self) -> Job {
        Job {
            parent: self.parent_pid,
            speed: self.clock,
            paused: self.paused,
            threads: Threads::from_arg(self.threads),
            tasks: (self.downloads.iter())
                .map(|&(id, duration)| Task {
                    id,
                    name: id.to_string().into(),
                    duration,
                })
                .collect(),
            garble: self.garble,
            workload: self.workload,
            units_per_second: self.units_per_second,
            report_every: self.report_every,
        }
    }
}

/// A report pace a parent can ask for: from a frame's worth of wall time up to a minute.
fn parse_report_every(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if x.is_finite() && (0.0..=60.0).contains(&x) => Ok(x),
        _ => Err("must be a number of seconds from 0 to 60".into()),
    }
}

/// Units of cpu work a core does per second, as the parent measured them: anything outside this
/// range is not a measurement (one step of a hash takes between 1 ns and 1 ms on any machine).
pub const UNITS_PER_SECOND_RANGE: (f64, f64) = (1e3, 1e12);

fn parse_units_per_second(s: &str) -> Result<f64, String> {
    let (lo, hi) = UNITS_PER_SECOND_RANGE;
    match s.parse::<f64>() {
        Ok(x) if x.is_finite() && (lo..=hi).contains(&x) => Ok(x),
        _ => Err(format!("must be a number from {lo:e} to {hi:e}")),
    }
}

fn parse_job_task(s: &str) -> Result<(usize, f64), String> {
    let bad = || format!("expected ID:SECONDS, SECONDS from 0 to {MAX_SECONDS}");
    let (id, secs) = s.split_once(':').ok_or_else(bad)?;
    match (id.parse(), secs.parse::<f64>()) {
        (Ok(id), Ok(secs)) if secs.is_finite() && (0.0..=MAX_SECONDS).contains(&secs) => {
            Ok((id, secs))
        }
        _ => Err(bad()),
    }
}

/// Options of `threadlab watch`.
#[derive(Debug, Args)]
pub struct WatchArgs {
    /// The program to run and its arguments (after `--`)
    #[arg(
        required = true,
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "COMMAND"
    )]
    pub command: Vec<std::ffi::OsString>,
}

/// Options of `threadlab bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Runs per strategy; the median is reported
    #[arg(long, default_value_t = 25, value_parser = whole::<u32>(1, 1000))]
    pub runs: u32,
    /// Skip the screen-loop figures and the scale table (they take about two minutes)
    #[arg(long)]
    pub no_tui: bool,
    /// Only the scale table: big classes of work run live on the screen loop
    #[arg(long, conflicts_with = "no_tui")]
    pub scale: bool,
}

/// Options shared by the TUI, `run`, `compare` and `bench`.
#[derive(Debug, Args, Clone)]
pub struct Opts {
    /// serial, threads, custom, pool, process, async or workshops
    #[arg(long, global = true, value_name = "NAME", default_value = "serial", value_parser = parse_strategy)]
    pub strategy: Strategy,
    /// Pool size, 1..=1024
    #[arg(long, global = true, allow_hyphen_values = true, value_name = "N", default_value_t = 4, value_parser = whole::<usize>(1, MAX_WORKERS))]
    pub workers: usize,
    /// Workshops: how many child processes, 1..=16
    #[arg(long, global = true, allow_hyphen_values = true, value_name = "K", default_value_t = 2, value_parser = whole::<usize>(1, 16))]
    pub workshops: usize,
    /// Workshops: threads in each process, 1..=64
    #[arg(long, global = true, allow_hyphen_values = true, value_name = "M", default_value_t = 3, value_parser = whole::<usize>(1, 64))]
    pub workshop_threads: usize,
    /// One download name per line (default: the lesson's three downloads)
    #[arg(long, global = true, value_name = "FILE", conflicts_with = "count")]
    pub tasks: Option<PathBuf>,
    /// Generate N downloads instead
    #[arg(long, global = true, allow_hyphen_values = true, value_name = "N", value_parser = whole::<usize>(1, tasks::MAX_TASKS))]
    pub count: Option<usize>,
    /// Shortest download, in lesson seconds
    #[arg(long, global = true, allow_hyphen_values = true, value_name = "S", default_value_t = 3.0, value_parser = parse_seconds)]
    pub min: f64,
    /// Longest download, in lesson seconds
    #[arg(long, global = true, allow_hyphen_values = true, value_name = "S", default_value_t = 6.0, value_parser = parse_seconds)]
    pub max: f64,
    /// Random seed for the durations (default: a new one, always printed)
    #[arg(long, global = true, allow_hyphen_values = true, value_name = "N", value_parser = parse_seed)]
    pub seed: Option<u64>,
    /// Time scale: 1 is real time, 100 runs a 5-second download in 50 ms
    #[arg(long, global = true, allow_hyphen_values = true, value_name = "X", default_value_t = 1.0, value_parser = parse_speed)]
    pub speed: f64,
    /// io (downloads wait) or cpu (downloads compute for real)
    #[arg(long, global = true, value_name = "KIND", default_value = "io", value_parser = one_of::<Workload>(Key::cli_err_workload))]
    pub workload: Workload,
    /// Run on N CPU cores (Linux; default: all of them)
    #[arg(long, global = true, allow_hyphen_values = true, value_name = "N", value_parser = parse_cores)]
    pub cores: Option<usize>,
    /// zh or en (default from LANG)
    #[arg(long, global = true, value_name = "LANG", value_parser = one_of::<Lang>(Key::cli_err_lang))]
    pub lang: Option<Lang>,
    /// Open the live screen in lesson mode: the built-in lesson, or a teacher's FILE
    #[arg(long, global = true, value_name = "FILE", num_args = 0..=1)]
    pub lesson: Option<Option<PathBuf>>,
    /// Live screen: click a strategy tab or a download (takes copy and paste from the terminal)
    #[arg(long, global = true)]
    pub mouse: bool,
    /// Machine-readable output (run, compare, bench, watch)
    #[arg(long, global = true)]
    pub json: bool,
    /// One CSV row per strategy, for a class spreadsheet (compare)
    #[arg(long, global = true, conflicts_with = "json")]
    pub csv: bool,
    /// Write the run as Chrome trace-event JSON, to open in ui.perfetto.dev (run, compare)
    #[arg(long, global = true, value_name = "FILE")]
    pub trace: Option<PathBuf>,
    /// Live screen colours: dark, light, projector (high contrast, bold) or mono; NO_COLOR means mono
    #[arg(long, value_name = "NAME", default_value = "dark", value_parser = one_of::<ThemeName>(Key::cli_err_theme))]
    pub theme: ThemeName,
    /// Live screen in ASCII only, for terminals without box-drawing or block characters
    #[arg(long)]
    pub ascii: bool,
}

/// The fastest and slowest time scales allowed: beyond them a run is either instant or endless.
pub const SPEED_RANGE: (f64, f64) = (0.01, 10_000.0);

/// A parser of one of `T`'s names (its `ValueEnum` derive), refusing anything else with `key`,
/// given the value and every name. Not clap's own `value_enum` parser: its refusal is in
/// English only, this one reads in either language.
fn one_of<T: ValueEnum + Send + Sync + 'static>(
    key: Key,
) -> impl Fn(&str) -> Result<T, Refusal> + Clone + Send + Sync + 'static {
    move |s| crate::names::parse(s).ok_or_else(|| Refusal::new(key, &[&s, &names::list::<T>()]))
}

/// A parser of a whole number within `lo..=hi`; not clap's `value_parser!(u64).range(..)`,
/// for the same reason as [`one_of`].
fn whole<T: TryFrom<usize> + Clone + Send + Sync + 'static>(
    lo: usize,
    hi: usize,
) -> impl Fn(&str) -> Result<T, Refusal> + Clone + Send + Sync + 'static {
    move |s| {
        let n = s.parse::<usize>().ok().filter(|n| (lo..=hi).contains(n));
        (n.and_then(|n| T::try_from(n).ok()))
            .ok_or_else(|| Refusal::new(Key::cli_err_range, &[&lo, &hi]))
    }
}

/// [`one_of`], its names listed in key order ([`Strategy::ALL`]) rather than the enum's.
fn parse_strategy(s: &str) -> Result<Strategy, Refusal> {
    crate::names::parse(s)
        .ok_or_else(|| Refusal::new(Key::cli_err_strategy, &[&s, &Strategy::names()]))
}

fn parse_cores(s: &str) -> Result<usize, Refusal> {
    let all = cores::available_cores();
    match s.parse::<usize>() {
        Ok(n) if !(1..=all).contains(&n) => Err(Refusal::new(Key::cli_err_cores, &[&n, &all])),
        // Choosing cores needs Linux: elsewhere `check` says so.
        Ok(n) => cores::check(n).map_err(|e| match e {
            cores::CoresError::Range { n, all } => Refusal::new(Key::cli_err_cores, &[&n, &all]),
            // `check` refuses only a number out of range, or a system that cannot choose.
            _ => Refusal::new(Key::cores_err_unsupported, &[]),
        }),
        Err(_) => Err(Refusal::new(Key::cli_err_range, &[&1, &all])),
    }
}

/// The largest pool `--workers` and `+` make.
pub const MAX_WORKERS: usize = 1024;

/// The most child processes alive at once; the engine holds to it, and queues the rest.
pub use crate::engine::MAX_PROCESSES;

/// The shortest download: durations are drawn in hundredths of a second, and a download of no
/// time at all has nothing to show and makes every ratio 0 / 0.
pub const MIN_SECONDS: f64 = 0.01;
/// The longest download, in lesson seconds.
pub const MAX_SECONDS: f64 = 3600.0;

fn parse_seconds(s: &str) -> Result<f64, Refusal> {
    match s.parse::<f64>() {
        Ok(x) if x.is_finite() && (MIN_SECONDS..=MAX_SECONDS).contains(&x) => Ok(x),
        _ => Err(Refusal::new(
            Key::cli_err_seconds,
            &[&MIN_SECONDS, &MAX_SECONDS],
        )),
    }
}

fn parse_seed(s: &str) -> Result<u64, Refusal> {
    s.parse::<u64>()
        .map_err(|_| Refusal::new(Key::cli_err_range, &[&0, &u64::MAX]))
}

fn parse_speed(s: &str) -> Result<f64, Refusal> {
    let (lo, hi) = SPEED_RANGE;
    match s.parse::<f64>() {
        Ok(x) if x.is_finite() && (lo..=hi).contains(&x) => Ok(x),
        _ => Err(Refusal::new(Key::cli_err_speed, &[&lo, &hi])),
    }
}

/// Options turned into what a run needs: the class's settings, and what only starting needs.
#[derive(Debug, Clone)]
pub struct Setup {
    pub settings: Settings,
    /// Whether the seed was picked for this run, in which case it is printed.
    pub seed_chosen: bool,
    /// Cores to restrict the process to before anything starts (`--cores`); None keeps them all.
    pub cores: Option<usize>,
    /// `--lesson`: the scenes to teach (the built-in ones, or a file's).
    pub lesson: Option<Vec<crate::lesson::Scene>>,
    /// `--mouse`: capture clicks on the live screen.
    pub mouse: bool,
}

impl Opts {
    /// Check the options against each other and load the tasks; the error is one line.
    pub fn setup(&self) -> Result<Setup, String> {
        let lang = self.lang.unwrap_or_else(Lang::from_env);
        if self.min > self.max {
            return Err(tf(lang, Key::cli_err_min_max, &[&self.min, &self.max]));
        }
        let names = match (&self.tasks, self.count) {
            (Some(path), _) => tasks::read_names(path, lang)?,
            (None, Some(n)) => tasks::generated_names(n),
            (None, None) => tasks::lesson_names(),
        };
        let (seed, seed_chosen) = match self.seed {
            Some(s) => (s, false),
            None => (tasks::random_seed(), true),
        };
        Ok(Setup {
            settings: Settings {
                lang,
                strategy: self.strategy,
                workers: self.workers,
                speed: self.speed,
                seed,
                names,
                min: self.min,
                max: self.max,
                workload: self.workload,
                procs: ProcessOptions {
                    workshops: self.workshops,
                    workshop_threads: self.workshop_threads,
                    ..ProcessOptions::default()
                },
                look: Look::choose(
                    self.theme,
                    self.ascii,
                    std::env::var_os("NO_COLOR").as_deref(),
                ),
            },
            seed_chosen,
            mouse: self.mouse,
            lesson: match &self.lesson {
                None => None,
                Some(None) => Some(crate::lesson::builtin()),
                Some(Some(path)) => Some(crate::lesson::load(path, lang)?),
            },
            cores: self.cores,
        })
    }
}
