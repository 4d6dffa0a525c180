//! The figures a user checks a network by: cost, accuracy, accuracy per digit.

use backend::{one_hot, rows_to_tensor, scalar};
use burn::prelude::*;
use data::{Dataset, conventions};
use serde::Serialize;

use crate::{Network, cross_entropy, labels_of_logits, regularization};

/// Accuracy on the examples of one digit.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DigitAccuracy {
    /// The digit `0..=9` (label 10 is the digit 0).
    pub digit: usize,
    /// Examples of this digit predicted right.
    pub correct: usize,
    /// Examples of this digit.
    pub total: usize,
}

impl DigitAccuracy {
    /// Percentage predicted right.
    pub fn percent(&self) -> f64 {
        100.0 * self.correct as f64 / self.total.max(1) as f64
    }
}

/// A network's figures on a dataset.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Evaluation {
    /// Examples.
    pub examples: usize,
    /// Cost without regularization (lambda 0).
    pub cost_unregularized: f64,
    /// The lambda of [`Evaluation::cost`].
    pub lambda: f64,
    /// Cost with regularization `lambda`.
    pub cost: f64,
    /// Examples predicted right.
    pub correct: usize,
    /// Percentage predicted right.
    pub accuracy: f64,
    /// Accuracy per digit, digits in order 0..=9 (only those present).
    pub per_digit: Vec<DigitAccuracy>,
    /// The predicted label of each example.
    #[serde(skip)]
    pub predictions: Vec<usize>,
}

/// Examples per forward pass of [`evaluate`]: it goes through the examples in batches, so that
/// it holds one batch of `X` as a tensor, not a second copy of all of it.
pub const EVALUATION_BATCH: usize = 1000;

/// Cost at lambda 0 and at `lambda` (the network's cost, [`crate::cost`]), accuracy and
/// per-digit accuracy of `network` on `data`.
pub fn evaluate(network: &Network, data: &Dataset, lambda: f64, device: &Device) -> Evaluation {
    let sizes = network.sizes();
    let m = data.len();
    // The cross-entropy is a mean over the examples: each batch's mean, weighted by its size.
    let mut cross_entropy_sum = 0.0;
    let mut predictions = Vec::with_capacity(m);
    for start in (0..m).step_by(EVALUATION_BATCH) {
        let rows = start..(start + EVALUATION_BATCH).min(m);
        let x = rows_to_tensor(&data.x, rows.clone(), device);
        let y = one_hot(&data.labels[rows.clone()], sizes.labels(), device);
        // One forward pass serves both costs and the predictions.
        let z = network.output_logits(x);
        cross_entropy_sum += scalar(cross_entropy(network.output, z.clone(), y)) * rows.len() as f64;
        predictions.extend(labels_of_logits(z));
    }
    let cost_unregularized = cross_entropy_sum / m.max(1) as f64;
    let cost_lambda = cost_unregularized + scalar(regularization(network, lambda, m));
    let correct = predictions.iter().zip(&data.labels).filter(|(p, l)| p == l).count();
    let mut per_digit: Vec<DigitAccuracy> =
        (0..10).map(|digit| DigitAccuracy { digit, correct: 0, total: 0 }).collect();
    for (&predicted, &label) in predictions.iter().zip(&data.labels) {
        let entry = &mut per_digit[conventions::label_to_digit(label)];
        entry.total += 1;
        entry.correct += usize::from(predicted == label);
    }
    per_digit.retain(|d| d.total > 0);
    Evaluation {
        examples: data.len(),
        cost_unregularized,
        lambda,
        cost: cost_lambda,
        correct,
        accuracy: 100.0 * correct as f64 / data.len().max(1) as f64,
        per_digit,
        predictions,
    }
}
