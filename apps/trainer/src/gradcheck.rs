//! `trainer gradcheck`: manual gradients against autodiff (on both backends), finite
//! differences and the other backend, per weight matrix, on any data and weights of any depth,
//! or (`--epsilon-sweep`) the finite-difference error against the step.

use anyhow::Result;
use backend::Backend;
use data::{Architecture, Dataset, LayerSizes, conventions::NUM_LABELS};
use manual::unroll;
use serde_json::json;
use std::path::Path;

use verify::checks::{
    Coordinates, NetworkCheck, SweepPoint, check_network, epsilon_sweep, epsilon_sweep_steps, log_log_slope,
    sweep_minimum,
};

use crate::cli::GradcheckArgs;
use crate::files::{ensure_new_file, load_pair, training_set};
use crate::outputs::{network_json, write_gradient, write_picture};

/// The network to check, its parameters and the examples, from the flags: the weights file
/// (any depth, its activation and output), or with `--hidden` a network of random weights.
fn problem(args: &GradcheckArgs) -> Result<(Architecture, Vec<f64>, Dataset, Option<String>)> {
    if let Some(hidden) = &args.hidden {
        let (data, _) = training_set(args.input.data.as_deref(), false)?;
        let labels = NUM_LABELS.max(data.max_label());
        let sizes = LayerSizes::with_hidden(data.num_features(), hidden, labels);
        let architecture =
            Architecture::new(sizes, args.activation.unwrap_or_default(), args.output.unwrap_or_default());
        let init = manual::Init::default_for(&architecture.sizes);
        let params = manual::random_params(&architecture.sizes, init, args.seed);
        return Ok((architecture, params, data, None));
    }
    if let Some(flag) = [(args.activation.is_some(), "--activation"), (args.output.is_some(), "--output")]
        .into_iter()
        .find_map(|(given, flag)| given.then_some(flag))
    {
        anyhow::bail!("{flag} describes a network of random weights (--hidden); a weights file names its own");
    }
    let (data, weights) = load_pair(args.input.data.as_deref(), args.input.weights.as_deref())?;
    let source = weights.source.as_deref().map(|p| p.display().to_string());
    Ok((weights.architecture(), unroll(&weights.thetas), data, source))
}

/// Runs the checks, and writes the cost and gradient when asked; `Ok(false)` when a check
/// fails (the gradient is written all the same).
pub fn run(args: &GradcheckArgs) -> Result<bool> {
    if let Some(path) = &args.epsilon_sweep {
        return run_epsilon_sweep(args, path);
    }
    if let Some(path) = &args.save_gradient {
        ensure_new_file(path, "--save-gradient")?;
    }
    let (architecture, params, dataset, weights_file) = problem(args)?;
    let backend = args.input.backend;
    let other = if backend == Backend::Flex { Backend::NdArray } else { Backend::Flex };
    let devices = [(backend, backend.device()?), (other, other.device()?)];
    let epsilon = args.epsilon.unwrap_or(verify::FULL_NETWORK_EPSILON);
    let coordinates = Coordinates::PerMatrix { count: args.samples as usize, seed: args.seed };
    let network =
        check_network(&architecture, &params, &dataset.x, &dataset.labels, args.lambda, coordinates, epsilon, &devices);
    let checks = network.checks("");
    let passed = checks.iter().all(|c| c.passed);
    let (cost, gradient) = (network.cost, &network.gradient);
    if let Some(path) = &args.save_gradient {
        write_gradient(path, cost, gradient, &architecture.sizes)?;
    }
    let saved = args.save_gradient.as_deref().map(|p| p.display().to_string());
    if args.json {
        let object = json!({
            "network": network_json(&architecture),
            "data": dataset.source.display().to_string(),
            "weights": weights_file,
            "random_weights_seed": args.hidden.as_ref().map(|_| args.seed),
            "backend": backend.name(),
            "other_backend": other.name(),
            "examples": dataset.len(),
            "lambda": args.lambda,
            "cost": cost,
            "cost_autodiff": network.cost_autodiff,
            "gradient_norm": verify::norm(gradient),
            "manual_vs_autodiff": network.worst_against_autodiff(),
            "manual_vs_autodiff_raw": verify::max_raw_relative_error(gradient, &network.gradient_autodiff),
            "finite_differences": network.worst_finite_difference(),
            "per_matrix": &network,
            "skipped_at_kink": network.skipped(),
            "samples_per_matrix": args.samples,
            "seed": args.seed,
            "epsilon": epsilon,
            "passed": passed,
            "gradient_file": saved,
        });
        println!("{object}");
        return Ok(passed);
    }
    let source =
        weights_file.map_or_else(|| format!("random weights (seed {})", args.seed), |w| format!("weights {w}"));
    println!("network        {architecture}, {source}");
    println!("data           {} examples from {}, lambda {}", dataset.len(), dataset.source.display(), args.lambda);
    println!("cost           {cost:.16} (autodiff {:.16})", network.cost_autodiff);
    println!("gradient norm  {:.16e}", verify::norm(gradient));
    print_table(&network, backend, other);
    let width = checks.iter().map(|c| c.name.chars().count()).max().unwrap_or(0);
    for check in &checks {
        let result = if check.passed { "PASS" } else { "FAIL" };
        println!("{:<width$} {:>10.3e}  bound {:.0e}  {result}", check.name, check.figure, check.bound);
    }
    if let Some(saved) = saved {
        let names: Vec<String> = (1..=architecture.sizes.num_thetas()).map(|l| format!("Theta{l}_grad")).collect();
        println!("saved          J, grad, {} to {saved}", names.join(", "));
    }
    Ok(passed)
}

/// Per weight matrix: where finite differences and manual differ most, with both values.
fn print_table(network: &NetworkCheck, backend: Backend, other: Backend) {
    println!(
        "{:<8} {:>8} {:>8} {:>12} {:>16} {:>16} {:>16}  largest finite-difference error: manual vs numerical",
        "matrix",
        "compared",
        "at kink",
        "fd rel.diff",
        format!("autodiff {backend}"),
        format!("autodiff {other}"),
        format!("{backend} vs {other}")
    );
    for (l, fd) in network.finite_differences.iter().enumerate() {
        let autodiff: Vec<f64> = network.autodiff.iter().map(|(_, m)| m[l].max_relative_error()).collect();
        let backends = network.backends.as_ref().map_or(0.0, |b| b[l].max_relative_error());
        let error = fd.largest.as_ref().map_or(String::new(), |e| format!(" ({:.1e})", e.relative_error));
        println!(
            "{:<8} {:>8} {:>8} {:>12.2e} {:>16.2e} {:>16.2e} {:>16.2e}  {}{error}",
            fd.matrix,
            fd.compared,
            fd.skipped,
            fd.relative_difference,
            autodiff[0],
            autodiff.get(1).copied().unwrap_or(0.0),
            backends,
            fd.location()
        );
    }
}

/// Steps at or above this are on the truncation side of the sweep (its error `∝ ε²`).
pub const TRUNCATION_SIDE: f64 = 1e-3;
/// Steps at or below this are on the rounding side of the sweep (its error `∝ 1/ε`).
pub const ROUNDING_SIDE: f64 = 1e-6;

/// `--epsilon-sweep`: the exercise's check at every step of [`epsilon_sweep_steps`], as a
/// table and a picture. Always `Ok(true)`: the sweep measures, it does not judge.
fn run_epsilon_sweep(args: &GradcheckArgs, path: &Path) -> Result<bool> {
    ensure_new_file(path, "--epsilon-sweep")?;
    let backend = args.input.backend;
    let device = backend.device()?;
    let points = epsilon_sweep(args.lambda, &epsilon_sweep_steps(), &device);
    let minimum = sweep_minimum(&points).expect("the sweep has steps");
    let side =
        |keep: fn(f64) -> bool| -> Vec<SweepPoint> { points.iter().copied().filter(|p| keep(p.epsilon)).collect() };
    let truncation_slope = log_log_slope(&side(|e| e >= TRUNCATION_SIDE));
    let rounding_slope = log_log_slope(&side(|e| e <= ROUNDING_SIDE));
    let pairs: Vec<(f64, f64)> = points.iter().map(|p| (p.epsilon, p.relative_difference)).collect();
    let title = format!("Gradient check on the 3-5-3 network (lambda {}): error against step", args.lambda);
    let sweep = pictures::EpsilonSweep { points: &pairs, exercise_epsilon: verify::DEFAULT_EPSILON, title: &title };
    write_picture(path, pictures::epsilon_sweep(&sweep))?;
    if args.json {
        let object = json!({
            "network": "3-5-3 (debug weights, 5 examples)",
            "backend": backend.name(),
            "lambda": args.lambda,
            "measure": "norm(numgrad - grad) / norm(numgrad + grad)",
            "sweep": points,
            "minimum": minimum,
            "truncation_slope": truncation_slope,
            "rounding_slope": rounding_slope,
            "exercise_epsilon": verify::DEFAULT_EPSILON,
            "picture": path.display().to_string(),
        });
        println!("{object}");
        return Ok(true);
    }
    println!("network        3-5-3 (debug weights, 5 examples), lambda {}, backend {backend} (f64)", args.lambda);
    println!("error          norm(numgrad - grad) / norm(numgrad + grad), central differences J(θ+ε) − J(θ−ε)");
    println!("{:>10}  {:>10}", "epsilon", "error");
    for p in &points {
        let mark = if p.epsilon == minimum.epsilon { "  minimum" } else { "" };
        println!("{:>10.3e}  {:>10.3e}{mark}", p.epsilon, p.relative_difference);
    }
    println!(
        "slopes         {truncation_slope:.2} for eps >= {TRUNCATION_SIDE:e} (truncation), {rounding_slope:.2} for eps <= {ROUNDING_SIDE:e} (rounding)"
    );
    println!("saved          {}", path.display());
    Ok(true)
}
