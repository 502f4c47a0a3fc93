//! The command line: clap definitions, value checks, and turning options into a run's plan.

use crate::cores;
use crate::engine::{Plan, Strategy, Workload};
use crate::i18n::Lang;
use crate::tasks;
use clap::{Args, Parser, Subcommand};
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
}

/// Options of `threadlab bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Runs per strategy; the median is reported
    #[arg(long, default_value_t = 25, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub runs: u32,
    /// Skip the screen-loop figures (they take about ten seconds)
    #[arg(long)]
    pub no_tui: bool,
}

/// Options shared by the TUI, `run`, `compare` and `bench`.
#[derive(Debug, Args, Clone)]
pub struct Opts {
    /// serial, threads, custom, pool or async
    #[arg(long, global = true, value_name = "NAME", default_value = "serial", value_parser = parse_strategy)]
    pub strategy: Strategy,
    /// Pool size, 1..=256
    #[arg(long, global = true, allow_negative_numbers = true, value_name = "N", default_value_t = 4, value_parser = parse_workers)]
    pub workers: usize,
    /// One download name per line (default: the lesson's three downloads)
    #[arg(long, global = true, value_name = "FILE", conflicts_with = "count")]
    pub tasks: Option<PathBuf>,
    /// Generate N downloads instead
    #[arg(long, global = true, allow_negative_numbers = true, value_name = "N", value_parser = parse_count)]
    pub count: Option<usize>,
    /// Shortest download, in lesson seconds
    #[arg(long, global = true, allow_negative_numbers = true, value_name = "S", default_value_t = 3.0, value_parser = parse_seconds)]
    pub min: f64,
    /// Longest download, in lesson seconds
    #[arg(long, global = true, allow_negative_numbers = true, value_name = "S", default_value_t = 6.0, value_parser = parse_seconds)]
    pub max: f64,
    /// Random seed for the durations (default: a new one, always printed)
    #[arg(long, global = true, allow_negative_numbers = true, value_name = "N", value_parser = parse_seed)]
    pub seed: Option<u64>,
    /// Time scale: 1 is real time, 100 runs a 5-second download in 50 ms
    #[arg(long, global = true, allow_negative_numbers = true, value_name = "X", default_value_t = 1.0, value_parser = parse_speed)]
    pub speed: f64,
    /// io (downloads wait) or cpu (downloads compute for real)
    #[arg(long, global = true, value_name = "KIND", default_value = "io", value_parser = parse_workload)]
    pub workload: Workload,
    /// Run on N CPU cores (Linux; default: all of them)
    #[arg(long, global = true, allow_negative_numbers = true, value_name = "N", value_parser = parse_cores)]
    pub cores: Option<usize>,
    /// zh or en (default from LANG)
    #[arg(long, global = true, value_name = "LANG", value_parser = Lang::parse)]
    pub lang: Option<Lang>,
    /// Machine-readable output (run, compare, bench)
    #[arg(long, global = true)]
    pub json: bool,
}

/// The fastest and slowest time scales allowed: beyond them a run is either instant or endless.
pub const SPEED_RANGE: (f64, f64) = (0.01, 10_000.0);

fn parse_strategy(s: &str) -> Result<Strategy, String> {
    s.parse()
}

fn parse_workload(s: &str) -> Result<Workload, String> {
    s.parse()
}

fn parse_cores(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) => cores::check(n),
        Err(_) => Err(format!(
            "must be a whole number from 1 to {}",
            cores::available_cores()
        )),
    }
}

fn parse_workers(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if (1..=256).contains(&n) => Ok(n),
        _ => Err("must be a whole number from 1 to 256".into()),
    }
}

fn parse_count(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if (1..=tasks::MAX_TASKS).contains(&n) => Ok(n),
        _ => Err(format!(
            "must be a whole number from 1 to {}",
            tasks::MAX_TASKS
        )),
    }
}

fn parse_seconds(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if x.is_finite() && (0.0..=3600.0).contains(&x) => Ok(x),
        _ => Err("must be a number of seconds from 0 to 3600".into()),
    }
}

fn parse_seed(s: &str) -> Result<u64, String> {
    s.parse::<u64>()
        .map_err(|_| "must be a whole number from 0 to 18446744073709551615".into())
}

fn parse_speed(s: &str) -> Result<f64, String> {
    let (lo, hi) = SPEED_RANGE;
    match s.parse::<f64>() {
        Ok(x) if x.is_finite() && (lo..=hi).contains(&x) => Ok(x),
        _ => Err(format!(
            "must be a number from {lo} to {hi} (1 is real time)"
        )),
    }
}

/// Options turned into what a run needs: the tasks with their durations, and the seed used.
#[derive(Debug, Clone)]
pub struct Setup {
    pub plan: Plan,
    pub names: Vec<String>,
    pub seed: u64,
    /// Whether the seed was picked for this run, in which case it is printed.
    pub seed_chosen: bool,
    pub min: f64,
    pub max: f64,
    pub lang: Lang,
    /// Cores to restrict the process to before anything starts (`--cores`); None keeps them all.
    pub cores: Option<usize>,
}

impl Opts {
    /// Check the options against each other and load the tasks; the error is one line.
    pub fn setup(&self) -> Result<Setup, String> {
        if self.min > self.max {
            return Err(format!("--min {} is above --max {}", self.min, self.max));
        }
        let names = match (&self.tasks, self.count) {
            (Some(path), _) => tasks::read_names(path)?,
            (None, Some(n)) => tasks::generated_names(n),
            (None, None) => tasks::lesson_names(),
        };
        let (seed, seed_chosen) = match self.seed {
            Some(s) => (s, false),
            None => (tasks::random_seed(), true),
        };
        let durations = tasks::durations(seed, names.len(), self.min, self.max);
        Ok(Setup {
            plan: Plan {
                strategy: self.strategy,
                tasks: tasks::make_tasks(&names, &durations),
                workers: self.workers,
                speed: self.speed,
                workload: self.workload,
            },
            names,
            seed,
            seed_chosen,
            min: self.min,
            max: self.max,
            lang: self.lang.unwrap_or_else(Lang::from_env),
            cores: self.cores,
        })
    }
}

impl Setup {
    /// The same tasks with new durations from `seed` (the `n` key).
    pub fn reseed(&mut self, seed: u64) {
        self.seed = seed;
        let durations = tasks::durations(seed, self.names.len(), self.min, self.max);
        self.plan.tasks = tasks::make_tasks(&self.names, &durations);
    }
}
