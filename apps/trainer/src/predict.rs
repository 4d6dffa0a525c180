//! `trainer predict`: what the network says about chosen examples.

use anyhow::{Result, bail};
use backend::{matrix_to_tensor, tensor_to_matrix};
use data::conventions::{by_digit, label_to_digit};
use model::{Network, labels_of_logits};
use serde_json::json;

use crate::Status;
use crate::cli::PredictArgs;
use crate::files::load_pair;

pub fn run(args: &PredictArgs) -> Result<Status> {
    let (data, weights) = load_pair(args.input.data.as_deref(), args.input.weights.as_deref())?;
    let rows: Vec<usize> = args.rows.iter().map(|&r| r as usize - 1).collect();
    if let Some(&bad) = rows.iter().find(|&&r| r >= data.len()) {
        bail!("--rows: row {} is past the last row ({}) of {}", bad + 1, data.len(), data.source.display());
    }
    let device = args.input.backend.device()?;
    let network = Network::from_weights(&weights, &device);
    let x = data.x.select_rows(&rows);
    // Output unit k scores label k + 1: reorder the probabilities by digit 0..=9. The
    // probabilities are the output layer's (σ(z_L) or softmax(z_L)), the prediction the largest
    // z_L.
    let z = network.output_logits(matrix_to_tensor(&x, &device));
    let predictions: Vec<usize> = labels_of_logits(z.clone()).into_iter().map(label_to_digit).collect();
    let outputs = tensor_to_matrix(network.output_values(z));
    let by_digit = |i: usize| by_digit(outputs.row(i));
    if args.json {
        let items: Vec<_> = rows
            .iter()
            .enumerate()
            .map(|(i, &r)| {
                json!({
                    "row": r + 1,
                    "actual_digit": label_to_digit(data.labels[r]),
                    "predicted_digit": predictions[i],
                    "probabilities_by_digit": by_digit(i),
                })
            })
            .collect();
        println!("{}", json!({ "data": data.source.display().to_string(), "predictions": items }));
        return Ok(Status::Success);
    }
    println!("data {}  (probabilities are the output units, by digit)", data.source.display());
    let header: String = (0..outputs.cols()).map(|d| format!("{d:>7}")).collect();
    println!("{:>6}  {:>6}  {:>9} {header}", "row", "actual", "predicted");
    for (i, &r) in rows.iter().enumerate() {
        let probs: String = by_digit(i).iter().map(|p| format!("{p:>7.4}")).collect();
        println!("{:>6}  {:>6}  {:>9} {probs}", r + 1, label_to_digit(data.labels[r]), predictions[i]);
    }
    Ok(Status::Success)
}
