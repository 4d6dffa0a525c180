//! `trainer eval`: the reference figures of a network on a digit set.

use anyhow::Result;
use model::{Network, evaluate};
use serde_json::json;

use crate::cli::EvalArgs;
use crate::files::load_pair;

pub fn run(args: &EvalArgs) -> Result<bool> {
    let (dataset, weights) = load_pair(args.input.data.as_deref(), args.input.weights.as_deref())?;
    let device = args.input.backend.device()?;
    let network = Network::from_weights(&weights, &device);
    let architecture = weights.architecture();
    let eval = evaluate(&network, &dataset, args.lambda, &device);
    let weights_file = weights.source.as_deref().map(|p| p.display().to_string()).unwrap_or_default();
    // A cost can only be non-finite when the weights are beyond f64's range (the loader
    // refuses non-finite entries): say so beside the figure, and exit 1.
    let finite = eval.cost.is_finite() && eval.cost_unregularized.is_finite();
    let overflow = format!("overflow: the weights' largest entry is {}", weights.largest_entry());
    // A cost line: rounded, then in full (or why it is not a number).
    let cost = |value: f64, lambda: f64| match value {
        v if v.abs() < 1e6 => format!("cost         {v:.6} at lambda {lambda}  ({v})"),
        v if v.is_finite() => format!("cost         {v:.6e} at lambda {lambda}"),
        v => format!("cost         {v} at lambda {lambda}  ({overflow})"),
    };
    if args.json {
        let object = json!({
            "network": crate::outputs::network_json(&architecture),
            "data": dataset.source.display().to_string(),
            "weights": weights_file,
            "backend": args.input.backend.name(),
            "examples": eval.examples,
            "cost_lambda_0": eval.cost_unregularized,
            "lambda": eval.lambda,
            "cost": eval.cost,
            "correct": eval.correct,
            "accuracy": eval.accuracy,
            "per_digit": crate::outputs::per_digit_json(&eval),
            "warning": weights.damage_warning(),
        });
        println!("{object}");
        return Ok(finite);
    }
    let shapes: Vec<String> = weights
        .thetas
        .iter()
        .enumerate()
        .map(|(l, t)| format!("{} {}x{}", data::theta_name(l + 1), t.rows(), t.cols()))
        .collect();
    println!("network      {architecture} ({}) from {weights_file}", shapes.join(", "));
    println!(
        "data         {} examples x {} features from {}",
        eval.examples,
        dataset.num_features(),
        dataset.source.display()
    );
    println!("backend      {} (f64)", args.input.backend);
    for (value, lambda) in [(eval.cost_unregularized, 0.0), (eval.cost, eval.lambda)] {
        println!("{}", cost(value, lambda));
    }
    println!("accuracy     {:.2}% ({} of {})", eval.accuracy, eval.correct, eval.examples);
    println!("per digit    digit  accuracy  correct/total");
    for d in &eval.per_digit {
        println!("             {:>5}  {:>7.2}%  {:>5}/{}", d.digit, d.percent(), d.correct, d.total);
    }
    Ok(finite)
}
