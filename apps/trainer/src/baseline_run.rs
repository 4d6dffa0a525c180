//! `trainer baseline`: one-vs-all logistic regression beside the network.

use std::time::Instant;

use anyhow::Result;
use data::conventions::NUM_LABELS;
use data::{DataFile, Dataset, check_fit, load_weights, locate};
use model::{Network, evaluate};
use serde_json::json;

use crate::Status;
use crate::cli::BaselineArgs;
use crate::files::{held_out_set, training_set};

fn accuracy(predictions: &[usize], data: &Dataset) -> f64 {
    let correct = predictions.iter().zip(&data.labels).filter(|(p, l)| p == l).count();
    100.0 * correct as f64 / data.len().max(1) as f64
}

pub fn run(args: &BaselineArgs) -> Result<Status> {
    let (data, synthetic) = training_set(args.data.as_deref(), args.synthetic)?;
    let test = held_out_set(args.test.as_deref(), false, synthetic, &data)?;
    let start = Instant::now();
    let baseline = train::one_vs_all(&data, NUM_LABELS, args.lambda, args.iterations);
    let seconds = start.elapsed().as_secs_f64();
    let train_accuracy = accuracy(&train::predict_one_vs_all(&baseline, &data.x), &data);
    let test_accuracy = test.as_ref().map(|t| accuracy(&train::predict_one_vs_all(&baseline, &t.x), t));

    // The network to compare with: the weights given, or the exercise's when found and they fit.
    let network = if synthetic {
        None
    } else {
        match locate(DataFile::Weights, args.weights.as_deref()) {
            Ok(path) => {
                let weights = load_weights(&path)?;
                check_fit(&data, &weights)?;
                Some(weights)
            }
            Err(not_found) if args.weights.is_some() => return Err(not_found.into()),
            Err(_) => None,
        }
    };
    let network_figures = network.as_ref().map(|weights| {
        let device = backend::Backend::Flex.device().expect("flex runs in f64");
        let net = Network::from_weights(weights, &device);
        let name = weights.source.as_deref().map_or("network".into(), |p| p.display().to_string());
        (
            name,
            evaluate(&net, &data, 0.0, &device).accuracy,
            test.as_ref().map(|t| evaluate(&net, t, 0.0, &device).accuracy),
        )
    });

    if args.json {
        println!(
            "{}",
            json!({
                "dataset": data.source.display().to_string(),
                "held_out": test.as_ref().map(|t| t.source.display().to_string()),
                "lambda": args.lambda,
                "iterations": args.iterations,
                "seconds": seconds,
                "training_accuracy": train_accuracy,
                "test_accuracy": test_accuracy,
                "network": network_figures.as_ref().map(|(name, tr, te)| json!({
                    "weights": name, "training_accuracy": tr, "test_accuracy": te
                })),
            })
        );
        return Ok(Status::Success);
    }
    println!("training set   {} ({} examples)", data.source.display(), data.len());
    if let Some(t) = &test {
        println!("held-out set   {} ({} examples)", t.source.display(), t.len());
    }
    let pct = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.2}%"));
    println!("{:<52}  {:>9}  {:>9}", "model", "training", "held-out");
    println!(
        "{:<52}  {:>9}  {:>9}",
        format!("one-vs-all logistic regression (lambda {}, {} it)", args.lambda, args.iterations),
        pct(Some(train_accuracy)),
        pct(test_accuracy)
    );
    if let Some((name, tr, te)) = &network_figures {
        let short = std::path::Path::new(name).file_name().map_or(name.clone(), |n| n.to_string_lossy().into_owned());
        println!("{:<52}  {:>9}  {:>9}", format!("network {}", short), pct(Some(*tr)), pct(*te));
    }
    println!("time           {seconds:.2} s (10 classifiers, nonlinear conjugate gradient)");
    Ok(Status::Success)
}
