//! `trainer`: the command line of the ex4 network. A thin layer: it parses flags, finds the
//! files, calls the crates below and prints what they return.

mod cli;
mod eval;
mod files;
mod gradcheck;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let result = match cli.command {
        cli::Command::Eval(args) => eval::run(&args),
        cli::Command::Gradcheck(args) => gradcheck::run(&args),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}
