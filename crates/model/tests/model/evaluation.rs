//! The evaluation figures of a softmax network, against a computation in plain f64.

use std::path::PathBuf;

use data::{Activation, Dataset, Matrix, Output};
use model::{Network, evaluate};

use crate::{devices, sines, weights};

/// `−log softmax(z)[label]` of each example of a 2-3-3 tanh network, computed here.
fn reference_losses(thetas: &[Matrix], x: &Matrix, labels: &[usize]) -> Vec<f64> {
    (0..x.rows())
        .map(|i| {
            let layer = |theta: &Matrix, a: &[f64]| -> Vec<f64> {
                (0..theta.rows())
                    .map(|j| theta.get(j, 0) + a.iter().enumerate().map(|(k, v)| theta.get(j, k + 1) * v).sum::<f64>())
                    .collect()
            };
            let hidden: Vec<f64> = layer(&thetas[0], x.row(i)).into_iter().map(f64::tanh).collect();
            let z = layer(&thetas[1], &hidden);
            let log_sum = z.iter().map(|v| v.exp()).sum::<f64>().ln();
            log_sum - z[labels[i] - 1]
        })
        .collect()
}

#[test]
fn evaluate_a_softmax_network_on_a_tiny_dataset() {
    let weights = weights(&[2, 3, 3], Activation::Tanh, Output::Softmax);
    let x = sines(7, 2, 1.5, 0.1);
    let labels = vec![1, 2, 3, 1, 2, 3, 3];
    let data = Dataset { x: x.clone(), labels: labels.clone(), source: PathBuf::from("tiny") };
    let losses = reference_losses(&weights.thetas, &x, &labels);
    let m = labels.len() as f64;
    let expected = losses.iter().sum::<f64>() / m;
    let squares: f64 = weights
        .thetas
        .iter()
        .map(|t| (0..t.rows()).map(|r| t.row(r)[1..].iter().map(|v| v * v).sum::<f64>()).sum::<f64>())
        .sum();
    for device in devices() {
        let network = Network::from_weights(&weights, &device);
        let predictions = network.predict_labels(backend::matrix_to_tensor(&x, &device));
        let evaluation = evaluate(&network, &data, 2.0, &device);
        assert!(
            (evaluation.cost_unregularized - expected).abs() < 1e-14,
            "{} vs {expected}",
            evaluation.cost_unregularized
        );
        let regularized = expected + 2.0 / (2.0 * m) * squares;
        assert!((evaluation.cost - regularized).abs() < 1e-14, "{} vs {regularized}", evaluation.cost);
        assert_eq!(evaluation.predictions, predictions);
        let correct = predictions.iter().zip(&labels).filter(|(p, l)| p == l).count();
        assert_eq!((evaluation.examples, evaluation.correct), (7, correct));
        assert!((evaluation.accuracy - 100.0 * correct as f64 / 7.0).abs() < 1e-12);
        // Labels 1, 2, 3 are the digits 1, 2, 3; the per-digit counts add up.
        let digits: Vec<usize> = evaluation.per_digit.iter().map(|d| d.digit).collect();
        assert_eq!(digits, [1, 2, 3]);
        assert_eq!(evaluation.per_digit.iter().map(|d| d.total).collect::<Vec<_>>(), [2, 2, 3]);
        assert_eq!(evaluation.per_digit.iter().map(|d| d.correct).sum::<usize>(), correct);
        // The best label pays least: the prediction of each example is its argmin of losses.
        assert!(losses.iter().all(|l| l.is_finite() && *l > 0.0));
    }
}
