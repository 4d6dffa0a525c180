//! Flags and subcommands.

use std::path::PathBuf;

use backend::Backend;
use clap::{Args, Parser, Subcommand};
use data::{Activation, Output};
use train::{Engine, InitRule, Optimizer, Precision};

/// The ex4 neural network: a 400-25-10 sigmoid network on 20x20 handwritten digits.
///
/// Without a subcommand, trains the network (flags below) and writes weights.mat,
/// metrics.json, pictures and report.html into a new run directory.
#[derive(Parser, Debug)]
#[command(name = "trainer", version, about, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub train: TrainArgs,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Cost, accuracy and per-digit accuracy of a network on a digit set
    /// (the exercise's reference weights on its training set by default).
    Eval(EvalArgs),
    /// Gradient checks on any data and weights whose shapes fit: manual backpropagation
    /// against burn's autodiff and against central finite differences.
    Gradcheck(GradcheckArgs),
    /// Train at several lambdas in parallel and compare them (held-out accuracy, sharpness
    /// of the hidden layer).
    Sweep(SweepArgs),
    /// One-vs-all regularized logistic regression, the exercise's comparison for the network.
    Baseline(BaselineArgs),
    /// Write an 8x8 grid of random digits of a data file as a PNG picture.
    Show(ShowArgs),
    /// Predicted digit and the ten output probabilities for chosen rows of a data file.
    Predict(PredictArgs),
    /// Rebuild report.html of a run or sweep directory from the files in it (and the index
    /// of runs/ when the directory is in it).
    Report(ReportArgs),
}

#[derive(Args, Debug)]
pub struct ReportArgs {
    /// A run directory (with metrics.json) or a sweep directory (with sweep.json)
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
}

/// What to train on, how, and where to write the results.
#[derive(Args, Debug, Clone)]
pub struct TrainArgs {
    /// Training set (`X`, `y`): a path, or a file name looked up in the data directories
    /// [default: ex4data1.mat in data/]
    #[arg(long, value_name = "FILE")]
    pub data: Option<PathBuf>,
    /// Train on the built-in synthetic digits (held out: another synthetic set)
    #[arg(long, conflicts_with_all = ["data", "test"])]
    pub synthetic: bool,
    /// Held-out set [default: ex4test.mat when found]
    #[arg(long, value_name = "FILE", conflicts_with = "no_test")]
    pub test: Option<PathBuf>,
    /// Do not evaluate on a held-out set
    #[arg(long)]
    pub no_test: bool,
    /// Optimizer: lbfgs, cg (nonlinear conjugate gradient), gd (gradient descent), adam
    #[arg(long, default_value = "lbfgs", value_parser = parse_named::<Optimizer>)]
    pub optimizer: Optimizer,
    /// Gradient engine: fused (hand-written backpropagation fused on the CPU, f64 or f32),
    /// manual (the same in burn tensor operations on --backend, f64) or autodiff (burn's, on
    /// --backend, f64)
    #[arg(long, default_value = "fused", value_parser = parse_named::<Engine>)]
    pub engine: Engine,
    /// What the gradient engine computes in: f64, or f32 (--engine fused only; the optimizer
    /// keeps its state in f64)
    #[arg(long, default_value = "f64", value_parser = parse_named::<Precision>)]
    pub precision: Precision,
    /// Iterations of the optimizer
    #[arg(long, default_value_t = 100, value_parser = parse_iterations, allow_negative_numbers = true)]
    pub iterations: usize,
    /// Step size for gd and adam [default: 0.5 for gd, 0.1 for adam]
    #[arg(long, value_parser = parse_alpha, allow_negative_numbers = true)]
    pub alpha: Option<f64>,
    /// Regularization strength
    #[arg(long, default_value_t = 1.0, value_parser = parse_lambda, allow_negative_numbers = true)]
    pub lambda: f64,
    /// Seed of the initial weights
    #[arg(long, default_value_t = 0, value_parser = parse_seed, allow_negative_numbers = true)]
    pub seed: u64,
    /// How the initial weights are drawn: exercise (every layer uniform in [-epsilon,
    /// epsilon]) or per-layer (layer l uniform in [-e_l, e_l], e_l = sqrt(6)/sqrt(s_l +
    /// s_l+1)) [default: exercise for one hidden layer, per-layer for deeper networks]
    #[arg(long, value_parser = parse_named::<InitRule>)]
    pub init: Option<InitRule>,
    /// Epsilon of the exercise's initialization (implies --init exercise) [default: 0.12]
    #[arg(long, value_parser = parse_epsilon, allow_negative_numbers = true)]
    pub init_epsilon: Option<f64>,
    /// Units in each hidden layer, comma-separated, the first next to the input: 25 is the
    /// exercise's network (400-25-10), 100,25 a 400-100-25-10 one
    #[arg(long, value_delimiter = ',', default_value = "25", value_parser = parse_hidden, allow_negative_numbers = true)]
    pub hidden: Vec<usize>,
    /// Activation of the hidden layers: sigmoid, tanh, relu
    #[arg(long, default_value = "sigmoid", value_parser = parse_named::<Activation>)]
    pub activation: Activation,
    /// Output layer: sigmoid (one per label, the exercise's cost) or softmax (cross-entropy of
    /// the true label)
    #[arg(long, default_value = "sigmoid", value_parser = parse_named::<Output>)]
    pub output: Output,
    /// burn backend that computes, in f64
    #[arg(long, default_value = "flex", value_parser = parse_backend)]
    pub backend: Backend,
    /// Output directory, which must not exist yet [default: a new directory under runs/]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Print the final summary as one JSON object
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct SweepArgs {
    /// Comma-separated lambdas
    #[arg(long, value_delimiter = ',', default_value = "0,0.3,1,3,10,20", value_parser = parse_lambda, allow_negative_numbers = true)]
    pub lambdas: Vec<f64>,
    /// Worker threads [default: the number of cores]
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub threads: Option<u64>,
    #[command(flatten)]
    pub train: TrainArgs,
}

#[derive(Args, Debug)]
pub struct BaselineArgs {
    /// Training set [default: ex4data1.mat in data/]
    #[arg(long, value_name = "FILE")]
    pub data: Option<PathBuf>,
    /// Use the built-in synthetic digits (held out: another synthetic set)
    #[arg(long, conflicts_with_all = ["data", "test", "weights"])]
    pub synthetic: bool,
    /// Held-out set [default: ex4test.mat when found]
    #[arg(long, value_name = "FILE")]
    pub test: Option<PathBuf>,
    /// Network weights to compare with [default: ex4weights.mat when found]
    #[arg(long, value_name = "FILE")]
    pub weights: Option<PathBuf>,
    /// Regularization strength of each classifier
    #[arg(long, default_value_t = train::BASELINE_LAMBDA, value_parser = parse_lambda, allow_negative_numbers = true)]
    pub lambda: f64,
    /// Conjugate-gradient iterations per classifier
    #[arg(long, default_value_t = train::BASELINE_ITERATIONS, value_parser = parse_iterations, allow_negative_numbers = true)]
    pub iterations: usize,
    /// Print one JSON object instead of text
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct ShowArgs {
    /// Digit set [default: ex4data1.mat in data/]
    #[arg(long, value_name = "FILE")]
    pub data: Option<PathBuf>,
    /// Show the built-in synthetic digits
    #[arg(long, conflicts_with = "data")]
    pub synthetic: bool,
    /// The PNG file to write; it must not exist yet
    #[arg(long, value_name = "FILE", default_value = "digits.png")]
    pub out: PathBuf,
    /// Seed of the random choice of digits
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
}

#[derive(Args, Debug)]
pub struct PredictArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Rows to predict, counted from 1 as in Octave (comma-separated)
    #[arg(long, value_delimiter = ',', required = true, value_parser = parse_row, allow_negative_numbers = true)]
    pub rows: Vec<u64>,
    /// Print one JSON object instead of text
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct GradcheckArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Regularization strength
    #[arg(long, default_value_t = 1.0, value_parser = parse_lambda, allow_negative_numbers = true)]
    pub lambda: f64,
    /// Instead of the weights file, check a network with random weights (the training's
    /// default initialization, seed --seed) and hidden layers of these sizes, comma-separated
    #[arg(long, value_delimiter = ',', conflicts_with = "weights", value_parser = parse_hidden, allow_negative_numbers = true)]
    pub hidden: Option<Vec<usize>>,
    /// With --hidden: activation of the hidden layers (sigmoid, tanh, relu) [default: sigmoid]
    #[arg(long, value_parser = parse_named::<Activation>)]
    pub activation: Option<Activation>,
    /// With --hidden: output layer (sigmoid, softmax) [default: sigmoid]
    #[arg(long, value_parser = parse_named::<Output>)]
    pub output: Option<Output>,
    /// Coordinates of each weight matrix sampled for finite differences (all of a smaller
    /// matrix's)
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u64).range(1..))]
    pub samples: u64,
    /// Seed of the sample (and, with --hidden, of the random weights)
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Finite-difference step [default: 1e-5, see verify::FULL_NETWORK_EPSILON]
    #[arg(long, value_parser = parse_epsilon)]
    pub epsilon: Option<f64>,
    /// Also write the cost and the gradient of the manual backpropagation as MAT v5: `J`,
    /// `grad` (unrolled, [Theta1(:); ...; ThetaL(:)]), `Theta1_grad` ... `ThetaL_grad`; the
    /// file must not exist yet
    #[arg(long, value_name = "FILE")]
    pub save_gradient: Option<PathBuf>,
    /// Instead of the checks, sweep the finite-difference step from 1e-2 to 1e-10 (4 steps a
    /// decade) on the exercise's 3-5-3 debug network at --lambda, print the error at each
    /// step, and draw error against step, log-log, as a PNG; the file must not exist yet
    #[arg(
        long,
        value_name = "FILE.png",
        conflicts_with_all = ["data", "weights", "hidden", "samples", "seed", "epsilon", "save_gradient"]
    )]
    pub epsilon_sweep: Option<PathBuf>,
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
    /// Weights (`Theta1` ... `ThetaL`, and `activation`, `output` when not sigmoid): a path,
    /// or a file name looked up in the data directories [default: ex4weights.mat]
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
    parse_positive(s, "epsilon")
}

fn parse_named<T: std::str::FromStr<Err = String>>(s: &str) -> Result<T, String> {
    s.parse()
}

fn parse_iterations(s: &str) -> Result<usize, String> {
    parse_count(s, "iterations")
}

fn parse_hidden(s: &str) -> Result<usize, String> {
    parse_count(s, "hidden")
}

fn parse_alpha(s: &str) -> Result<f64, String> {
    parse_positive(s, "alpha")
}

/// A finite number > 0; `name` is the flag's name in the message.
fn parse_positive(s: &str, name: &str) -> Result<f64, String> {
    let value: f64 = s.parse().map_err(|_| format!("`{s}` is not a number"))?;
    if value.is_finite() && value > 0.0 { Ok(value) } else { Err(format!("{name} must be finite and > 0, got {s}")) }
}

/// A whole number >= 1; `name` is the flag's name in the message.
fn parse_count(s: &str, name: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!("{name} must be a whole number >= 1, got {s}")),
    }
}

fn parse_seed(s: &str) -> Result<u64, String> {
    s.parse().map_err(|_| format!("seed must be a whole number from 0 to {}, got {s}", u64::MAX))
}

fn parse_row(s: &str) -> Result<u64, String> {
    match s.parse::<u64>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!("rows are whole numbers counted from 1, got {s}")),
    }
}
