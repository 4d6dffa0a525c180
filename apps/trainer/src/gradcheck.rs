//! `trainer gradcheck`: manual gradients against autodiff and finite differences on any
//! data and weights pair.

use anyhow::Result;
use manual::{NnCost, unroll};
use serde_json::json;
use verify::checks::{
    Check, FINITE_DIFFERENCE_BOUND, IMPLEMENTATION_BOUND, manual_vs_autodiff, sampled_finite_differences,
};

use crate::cli::GradcheckArgs;
use crate::files::{ensure_new_file, load_pair};
use crate::outputs::write_gradient;

/// Runs the checks, and writes the cost and gradient when asked; `Ok(false)` when a check
/// fails (the gradient is written all the same).
pub fn run(args: &GradcheckArgs) -> Result<bool> {
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
