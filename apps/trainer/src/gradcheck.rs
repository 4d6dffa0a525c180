//! `trainer gradcheck`: manual gradients against autodiff and finite differences on any
//! data and weights pair, or (`--epsilon-sweep`) the finite-difference error against the step.

use anyhow::Result;
use manual::{NnCost, unroll};
use serde_json::json;
use std::path::Path;

use verify::checks::{
    Check, FINITE_DIFFERENCE_BOUND, IMPLEMENTATION_BOUND, SweepPoint, epsilon_sweep, epsilon_sweep_steps,
    log_log_slope, manual_vs_autodiff, sampled_finite_differences, sweep_minimum,
};

use crate::cli::GradcheckArgs;
use crate::files::{ensure_new_file, load_pair};
use crate::outputs::{write_gradient, write_picture};

/// Runs the checks, and writes the cost and gradient when asked; `Ok(false)` when a check
/// fails (the gradient is written all the same).
pub fn run(args: &GradcheckArgs) -> Result<bool> {
    if let Some(path) = &args.epsilon_sweep {
        return run_epsilon_sweep(args, path);
    }
    if let Some(path) = &args.save_gradient {
        ensure_new_file(path, "--save-gradient")?;
    }
    let (dataset, weights) = load_pair(args.input.data.as_deref(), args.input.weights.as_deref())?;
    let backend = args.input.backend;
    let device = backend.device()?;
    let sizes = weights.layer_sizes();
    let params = unroll(&weights.theta1, &weights.theta2);
    let epsilon = args.epsilon.unwrap_or(verify::FULL_NETWORK_EPSILON);
    let objective = NnCost::new(&dataset.x, &dataset.labels, sizes, args.lambda, &device);
    let agreement = manual_vs_autodiff(&objective, &params, &dataset.x, &dataset.labels, &device);
    let (cost, gradient) = &agreement.manual;
    let fd = sampled_finite_differences(&objective, &params, gradient, args.samples as usize, args.seed, epsilon);
    let checks = [
        Check::at_most(
            "manual vs autodiff (max element-wise relative error)",
            agreement.max_relative_error,
            IMPLEMENTATION_BOUND,
        ),
        Check::below(
            format!(
                "finite differences at {} coordinates (seed {}, eps {epsilon:e}) vs manual",
                args.samples.min(params.len() as u64),
                args.seed
            ),
            fd,
            FINITE_DIFFERENCE_BOUND,
        ),
    ];
    let passed = checks.iter().all(|c| c.passed);
    if let Some(path) = &args.save_gradient {
        write_gradient(path, *cost, gradient, sizes)?;
    }
    let saved = args.save_gradient.as_deref().map(|p| p.display().to_string());
    if args.json {
        let object = json!({
            "network": { "input": sizes.input, "hidden": sizes.hidden, "labels": sizes.labels },
            "data": dataset.source.display().to_string(),
            "weights": weights.source.as_deref().map(|p| p.display().to_string()),
            "backend": backend.name(),
            "examples": dataset.len(),
            "lambda": args.lambda,
            "cost": cost,
            "cost_autodiff": agreement.autodiff.0,
            "gradient_norm": verify::norm(gradient),
            "manual_vs_autodiff": agreement.max_relative_error,
            "manual_vs_autodiff_raw": verify::max_raw_relative_error(gradient, &agreement.autodiff.1),
            "finite_differences": fd,
            "samples": args.samples,
            "seed": args.seed,
            "epsilon": epsilon,
            "passed": passed,
            "gradient_file": saved,
        });
        println!("{object}");
        return Ok(passed);
    }
    println!("network        {sizes}, {} examples, lambda {}, backend {backend} (f64)", dataset.len(), args.lambda);
    println!("cost           {cost:.16} (autodiff {:.16})", agreement.autodiff.0);
    println!("gradient norm  {:.16e}", verify::norm(gradient));
    for check in &checks {
        let result = if check.passed { "PASS" } else { "FAIL" };
        println!("{:<78} {:>10.3e}  bound {:.0e}  {result}", check.name, check.figure, check.bound);
    }
    if let Some(saved) = saved {
        println!("saved          J, grad, Theta1_grad, Theta2_grad to {saved}");
    }
    Ok(passed)
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
