//! The `threadlab` binary: parse the command line and hand over to the TUI or a headless command.

use clap::Parser;
use clap::error::ErrorKind;
use std::io::{self, IsTerminal};
use std::process::ExitCode;
use threadlab::cli::{Cli, Command};
use threadlab::headless;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => match e.kind() {
            ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
                let _ = e.print();
                return ExitCode::SUCCESS;
            }
            // clap's own message is several lines; the first one names the problem.
            _ => return fail(e.to_string().lines().next().unwrap_or("invalid arguments")),
        },
    };
    if let Some(Command::Worker(args)) = &cli.command {
        // A child of the process strategies: no setup, no terminal, just the job on the pipe.
        return ExitCode::from(threadlab::engine::worker::serve(args.job()) as u8);
    }
    let setup = match cli.opts.setup() {
        Ok(s) => s,
        Err(e) => return fail(&format!("error: {e}")),
    };
    let mut out = io::stdout().lock();
    let result = match &cli.command {
        Some(Command::Run) => headless::run(&setup, cli.opts.json, &mut out),
        Some(Command::Compare) => headless::compare(&setup, cli.opts.json, &mut out),
        Some(Command::Bench(args)) => headless::bench(args, cli.opts.json, &mut out),
        Some(Command::Worker(_)) => unreachable!("handled above"),
        None => {
            if !io::stdout().is_terminal() || !io::stdin().is_terminal() {
                return fail(
                    "error: threadlab needs a terminal for its live screen; use `threadlab run` (or `threadlab compare`) to run without one",
                );
            }
            Err("the live screen is not built yet".to_string())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&format!("error: {e}")),
    }
}

/// Print a one-line error and return the exit code for bad input.
fn fail(message: &str) -> ExitCode {
    eprintln!("threadlab: {message}");
    ExitCode::from(2)
}
