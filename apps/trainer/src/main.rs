//! `trainer`: the command line of the ex4 network. A thin layer: it parses flags, finds the
//! files, calls the crates below, shows progress and prints what they return.

mod baseline_run;
mod cli;
mod eval;
mod files;
mod gradcheck;
mod outputs;
mod predict;
mod progress;
mod report_run;
mod show;
mod sweep_run;
mod train_run;

use std::process::ExitCode;

use clap::Parser as _;

/// How a command ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Exit 0.
    Success,
    /// Exit 1: the command ran but its answer is "no" (a failed check, a diverged run).
    Failed,
    /// Exit 130: stopped by SIGINT/SIGTERM after writing its outputs.
    Interrupted,
}

impl From<bool> for Status {
    fn from(ok: bool) -> Self {
        if ok { Status::Success } else { Status::Failed }
    }
}

fn main() -> ExitCode {
    // A closed pipe (`trainer eval | head`) ends the program quietly, as it does any Unix
    // tool, instead of making `println!` panic.
    #[cfg(unix)]
    // SAFETY: called first thing, before any other thread exists; SIG_DFL is a valid handler.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) if !error.use_stderr() => {
            // --help and --version.
            let _ = error.print();
            return ExitCode::SUCCESS;
        }
        Err(error) => {
            // One line: clap's first line names the flag and the problem; its tips and usage
            // lines are left out.
            let text = error.render().to_string();
            eprintln!("{}", text.lines().next().unwrap_or("error: invalid arguments").trim_end());
            return ExitCode::from(2);
        }
    };
    let result = match &cli.command {
        None => train_run::run(&cli.train),
        Some(cli::Command::Eval(args)) => eval::run(args).map(Status::from),
        Some(cli::Command::Gradcheck(args)) => gradcheck::run(args).map(Status::from),
        Some(cli::Command::Sweep(args)) => sweep_run::run(args),
        Some(cli::Command::Baseline(args)) => baseline_run::run(args),
        Some(cli::Command::Show(args)) => show::run(args),
        Some(cli::Command::Predict(args)) => predict::run(args),
        Some(cli::Command::Report(args)) => report_run::run(args),
    };
    match result {
        Ok(Status::Success) => ExitCode::SUCCESS,
        Ok(Status::Failed) => ExitCode::FAILURE,
        Ok(Status::Interrupted) => ExitCode::from(130),
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}
