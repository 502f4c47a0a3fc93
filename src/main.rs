//! The `threadlab` binary: parse the command line and hand over to the TUI or a headless command.

use clap::error::ErrorKind;
use clap::{CommandFactory, FromArgMatches};
use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;
use std::sync::mpsc;
use threadlab::app::{App, Event, Start};
use threadlab::cli::Setup;
use threadlab::cli::{Cli, Command};
use threadlab::cli_text;
use threadlab::headless;
use threadlab::i18n::{Key, Lang, t, tf};
use threadlab::runner::{self, Runner};
use threadlab::terminal;

fn main() -> ExitCode {
    // The daemon lesson's Ping/Pong program, started by threadlab as a child of its own.
    if let Some(code) = std::env::var_os(threadlab::ticker_child::ENV)
        .and_then(|spec| threadlab::ticker_child::serve(&spec))
    {
        return ExitCode::from(code);
    }
    // A child of the process strategies is decided first: it must report in about what exec
    // costs, so it parses its own few options and builds nothing else (no help text, no locale).
    if std::env::args_os().nth(1).is_some_and(|a| a == "worker") {
        return worker();
    }
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // Known before parsing, so help and parse errors speak it too.
    let lang = cli_text::lang_of_args(&args);
    let error = |e: &dyn std::fmt::Display| fail(&tf(lang, Key::cli_error, &[e]));
    let parsed = cli_text::localize(Cli::command().after_help(keys_help(lang)), lang)
        .try_get_matches_from(&args)
        .and_then(|m| Cli::from_arg_matches(&m));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => match e.kind() {
            ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
                let _ = e.print();
                return ExitCode::SUCCESS;
            }
            // One line in the user's language, from the string table (clap's own is several).
            _ => return error(&cli_text::error_line(&e, lang)),
        },
    };
    if let Some(Command::Worker(args)) = &cli.command {
        // Options before `worker` (the parent never puts any there) take the slow road.
        return ExitCode::from(threadlab::engine::worker::serve(args.job()) as u8);
    }
    if let Err(e) = check_outputs(&cli, lang) {
        return error(&e);
    }
    if let Some(Command::Watch(args)) = &cli.command {
        return threadlab::watch::main(args, &cli.opts);
    }
    let setup = match cli.opts.setup() {
        Ok(s) => s,
        Err(e) => return error(&e),
    };
    // Before any thread starts, so every thread of the run inherits the restriction.
    if let Some(n) = setup.cores
        && let Err(e) = threadlab::cores::set_cores(n)
    {
        return error(&e.text(lang));
    }
    // Locked only by the headless commands: the live screen must leave stdout free, or a panic
    // hook on another thread would wait for the lock forever instead of restoring the terminal.
    let out = || headless::Output::new(io::stdout().lock(), false);
    let result = match &cli.command {
        Some(Command::Run | Command::Compare) => headless_runs(&cli, &setup),
        Some(Command::Bench(args)) => {
            let out = &mut out();
            threadlab::bench::bench(args, cli.opts.json, out).and_then(|()| flushed(out))
        }
        Some(Command::Worker(_) | Command::Watch(_)) => unreachable!("handled above"),
        None => {
            // `e` writes it later: a path that cannot be written is refused now, not then.
            if let Some(path) = &cli.opts.trace
                && let Err(e) = threadlab::trace::TraceFile::create_in(path, lang)
            {
                return error(&e);
            }
            if std::env::var_os("TERM").is_some_and(|t| t == "dumb") {
                return error(&t(lang, Key::cli_err_dumb));
            }
            if !io::stdout().is_terminal() || !io::stdin().is_terminal() {
                return error(&t(lang, Key::cli_err_terminal));
            }

            let result = tui(&setup, cli.opts.trace.clone());
            // Ended by a signal, Ctrl-C or a terminal gone away: 128 + the signal, as a shell
            // expects; an error writing to a vanished terminal is no news then.
            match terminal::exit_code() {
                0 => result.map_err(|e| e.to_string()),
                code => return ExitCode::from(code),
            }
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => error(&e),
    }
}

/// `threadlab worker ...`: a child of the process strategies, with no setup and no terminal,
/// just its job on the pipe.
fn worker() -> ExitCode {
    #[derive(clap::Parser)]
    #[command(name = "threadlab worker")]
    struct Worker {
        #[command(flatten)]
        args: threadlab::cli::WorkerArgs,
    }
    match <Worker as clap::Parser>::try_parse_from(std::env::args_os().skip(1)) {
        Ok(w) => ExitCode::from(threadlab::engine::worker::serve(w.args.job()) as u8),
        Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
            let _ = e.print();
            ExitCode::SUCCESS
        }
        Err(e) => fail(e.to_string().lines().next().unwrap_or("invalid arguments")),
    }
}

/// Options that only some commands can honour: refused elsewhere rather than silently ignored.
fn check_outputs(cli: &Cli, lang: Lang) -> Result<(), &'static str> {
    let command = &cli.command;
    if cli.opts.csv && !matches!(command, Some(Command::Compare)) {
        return Err(t(lang, Key::cli_err_csv));
    }
    if cli.opts.trace.is_some() && matches!(command, Some(Command::Bench(_))) {
        return Err(t(lang, Key::cli_err_trace_bench));
    }
    if command.is_some() && cli.opts.lesson.is_some() {
        return Err(t(lang, Key::cli_err_lesson_command));
    }
    if command.is_some() && cli.opts.mouse {
        return Err(t(lang, Key::cli_err_mouse_command));
    }
    Ok(())
}

/// `run` or `compare`, then `--trace`'s file, opened before the run(s) so a bad path costs no wait.
fn headless_runs(cli: &Cli, setup: &Setup) -> Result<(), String> {
    use threadlab::headless::Format;
    use threadlab::trace::TraceFile;
    let opts = &cli.opts;
    let lang = setup.settings.lang;
    let trace = (opts.trace.as_deref())
        .map(|p| TraceFile::create_in(p, lang))
        .transpose()?;
    if trace.is_some() {
        // An interrupt must not leave the trace's temporary file behind.
        threadlab::trace::remove_on_signals().map_err(|e| format!("cannot watch signals: {e}"))?;
    }
    let format = match (opts.json, opts.csv) {
        (true, _) => Format::Json,
        (_, true) => Format::Csv,
        _ => Format::Table,
    };
    // With a trace to write, a reader that stops early (`| head`) does not stop the run.
    let out = &mut headless::Output::new(io::stdout().lock(), trace.is_some());
    let runs = match &cli.command {
        Some(Command::Compare) => headless::compare(setup, format, out),
        _ => headless::run(setup, opts.json, out).map(|r| vec![r]),
    };
    let Some(trace) = trace else {
        return runs.and_then(|_| flushed(out));
    };
    let runs = match runs {
        Ok(runs) => runs,
        Err(e) => {
            trace.discard();
            return Err(e);
        }
    };
    let path = threadlab::text::shown_path(trace.path());
    trace.finish(&runs)?;
    let line = threadlab::i18n::tf(setup.settings.lang, Key::trace_written, &[&path]);
    // Machine-readable stdout stays pure: the note goes to stderr.
    if format == Format::Table {
        let _ = writeln!(out, "{line}");
    } else {
        let _ = writeln!(io::stderr(), "{line}");
    }
    flushed(out)
}

/// Flush the output: its errors end the program (see [`headless::Output`]).
fn flushed(out: &mut impl Write) -> Result<(), String> {
    out.flush()
        .map_err(|e| format!("cannot write the output: {e}"))
}

/// `--help`'s closing part: every key of the live screen, from the same table that handles them.
fn keys_help(lang: Lang) -> String {
    let mut s = format!("{}\n", t(lang, Key::cli_keys_head));
    for b in threadlab::bindings::described() {
        if let Some(help) = b.help {
            s.push_str(&format!("  {:<10} {}\n", b.label, t(lang, help.long)));
        }
    }
    s.push_str(t(lang, Key::cli_keys_seed));
    s
}

/// The live classroom screen, until the user quits; the terminal is restored on every way out.
fn tui(setup: &Setup, cli_trace: Option<std::path::PathBuf>) -> std::io::Result<()> {
    let (tx, rx) = mpsc::channel();
    terminal::spawn_signals(tx.clone())?;
    let mut app = App::new(Start {
        settings: setup.settings.clone(),
        cores: threadlab::cores::cores_in_use(),
        all_cores: threadlab::cores::available_cores(),
        scenes: setup
            .lesson
            .clone()
            .unwrap_or_else(threadlab::lesson::builtin),
    });
    // Highlighting every listing takes about 0.1 s: do it now, off the screen's thread, so the
    // first `v` draws at once instead of stalling a frame.
    std::thread::Builder::new()
        .name("warm-code".into())
        .spawn(|| {
            use threadlab::code::{Language, Subject, listing};
            let subjects = threadlab::engine::Strategy::ALL
                .into_iter()
                .map(Subject::Strategy)
                .chain([Subject::Ticker, Subject::Program]);
            for subject in subjects {
                for language in [Language::Rust, Language::Python] {
                    listing(subject, language);
                }
            }
        })?;
    let mut term = terminal::init(setup.mouse)?;
    let _guard = terminal::Guard;
    let size = term.size()?;
    runner::feed(&mut app, Event::Resize(size.width, size.height));
    terminal::spawn_input(tx.clone())?;
    // A seam for the real-terminal tests: prove that a panic on some other thread still restores
    // the terminal and shows its message. Nothing sets this outside tests.
    if std::env::var_os("THREADLAB_TEST_PANIC").is_some() {
        // Late enough for the test to have seen the live screen first (or when it says, in ms).
        let ms = std::env::var("THREADLAB_TEST_PANIC_MS").ok();
        let ms = ms.and_then(|s| s.parse().ok()).unwrap_or(1500);
        std::thread::Builder::new()
            .name("test-panic".into())
            .spawn(move || {
                std::thread::sleep(std::time::Duration::from_millis(ms));
                panic!("test panic on a background thread");
            })?;
    }
    let mut runner = Runner::new(tx);
    terminal::on_suspend(runner.suspend_hook());
    runner.trace_path = cli_trace.clone();
    runner.start_sampler()?;
    if setup.lesson.is_some() {
        // `--lesson`: open at the first scene, its stage set.
        for cmd in app.open_lesson() {
            runner.execute(cmd)?;
        }
    }
    let result = runner::run(&mut term, &mut app, rx, &mut runner);
    runner.shut_down();
    result
}

/// Print a one-line error and return the exit code for bad input.
fn fail(message: &str) -> ExitCode {
    // The message may quote a path or a value from the command line: nothing in it reaches the
    // terminal raw. (A stderr that cannot be written leaves only the exit code to tell.)
    let _ = writeln!(
        io::stderr(),
        "threadlab: {}",
        threadlab::text::shown(message)
    );
    ExitCode::from(2)
}
