//! Flags and subcommands.

use std::path::PathBuf;

use backend::Backend;
use clap::{Args, Parser, Subcommand};

/// The ex4 neural network: a 400-25-10 sigmoid network on 20x20 handwritten digits.
#[derive(Parser, Debug)]
#[command(name = "trainer", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Cost, accuracy and per-digit accuracy of a network on a digit set
    /// (the exercise's reference weights on its training set by default).
    Eval(EvalArgs),
    /// Gradient checks on any data and weights whose shapes fit: manual backpropagation
    /// against burn's autodiff and against central finite differences.
    Gradcheck(GradcheckArgs),
}

#[derive(Args, Debug)]
pub struct GradcheckArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Regularization strength
    #[arg(long, default_value_t = 1.0, value_parser = parse_lambda, allow_negative_numbers = true)]
    pub lambda: f64,
    /// Coordinates sampled for finite differences
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u64).range(1..))]
    pub samples: u64,
    /// Seed of the sample
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Finite-difference step [default: 1e-5, see verify::FULL_NETWORK_EPSILON]
    #[arg(long, value_parser = parse_epsilon)]
    pub epsilon: Option<f64>,
    /// Print one JSON object instead of text
    #[arg(long)]
    pub json: bool,
}

/// Where the data and weights come from, and which backend computes.
#[derive(Args, Debug)]
pub struct InputArgs {
    /// Digit set (`X`, `y`): a path, or a file name looked up in the data directories
    /// [default: ex4data1.mat]
    #[arg(long, value_name = "FILE")]
    pub data: Option<PathBuf>,
    /// Weights (`Theta1`, `Theta2`): a path, or a file name looked up in the data directories
    /// [default: ex4weights.mat]
    #[arg(long, value_name = "FILE")]
    pub weights: Option<PathBuf>,
    /// burn backend that computes, in f64
    #[arg(long, default_value = "flex", value_parser = parse_backend)]
    pub backend: Backend,
}

#[derive(Args, Debug)]
pub struct EvalArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Regularization strength of the second cost figure
    #[arg(long, default_value_t = 1.0, value_parser = parse_lambda, allow_negative_numbers = true)]
    pub lambda: f64,
    /// Print one JSON object instead of text
    #[arg(long)]
    pub json: bool,
}

fn parse_backend(s: &str) -> Result<Backend, String> {
    s.parse().map_err(|e: backend::BackendError| e.to_string())
}

fn parse_lambda(s: &str) -> Result<f64, String> {
    let value: f64 = s.parse().map_err(|_| format!("`{s}` is not a number"))?;
    if value.is_finite() && value >= 0.0 { Ok(value) } else { Err(format!("lambda must be finite and >= 0, got {s}")) }
}

fn parse_epsilon(s: &str) -> Result<f64, String> {
    let value: f64 = s.parse().map_err(|_| format!("`{s}` is not a number"))?;
    if value.is_finite() && value > 0.0 { Ok(value) } else { Err(format!("epsilon must be finite and > 0, got {s}")) }
}
