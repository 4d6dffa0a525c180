//! `trainer`: the command line of the ex4 network. A thin layer: it parses flags, finds the
//! files, calls the crates below and prints what they return.

mod cli;
mod eval;
mod files;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let result = match cli.command {
        cli::Command::Eval(args) => eval::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}
