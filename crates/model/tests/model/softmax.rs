//! The softmax output: stable at any logits, rows summing to one.

use backend::{matrix_to_tensor, one_hot, scalar, tensor_to_vec};
use burn::prelude::*;
use data::{Activation, Output};
use model::{Network, cost, log_softmax, softmax_cross_entropy};

use crate::{devices, every_kind, sines, weights};

fn tensor(rows: usize, cols: usize, values: Vec<f64>, device: &Device) -> Tensor<2> {
    Tensor::from_data(TensorData::new(values, [rows, cols]), device)
}

#[test]
fn the_softmax_cost_and_its_gradient_stay_finite_for_huge_logits() {
    for device in devices() {
        let autodiff = device.autodiff();
        let z = tensor(2, 3, vec![1e300, -1e300, 0.0, -1e300, 1e300, 5.0], &autodiff).require_grad();
        let y = one_hot(&[2, 2], 3, &autodiff);
        let j = softmax_cross_entropy(z.clone(), y);
        let gradient = tensor_to_vec(z.grad(&j.backward()).unwrap());
        // Example 1 puts all its mass on label 1 and pays 2e300 for label 2; example 2 pays 0.
        assert_eq!(scalar(j), 1e300);
        // (softmax(z) − y)/m.
        assert_eq!(gradient, [0.5, -0.5, 0.0, 0.0, 0.0, 0.0]);
    }
}

#[test]
fn log_softmax_matches_a_direct_computation() {
    let device = devices().remove(0);
    let values = vec![1.0, -2.0, 0.5, 3.0, 30.0, 29.5, -700.0, 0.0, 1.0];
    let got = tensor_to_vec(log_softmax(tensor(3, 3, values.clone(), &device)));
    for (r, row) in values.chunks(3).enumerate() {
        let c = row.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let log_sum = row.iter().map(|z| (z - c).exp()).sum::<f64>().ln();
        for k in 0..3 {
            let expected = row[k] - c - log_sum;
            assert!((got[3 * r + k] - expected).abs() <= 1e-15 * expected.abs().max(1.0), "{r},{k}");
        }
    }
}

#[test]
fn a_network_with_huge_weights_has_a_finite_cost_of_either_output() {
    for device in devices() {
        let autodiff = device.autodiff();
        for (activation, output) in every_kind() {
            let mut huge = weights(&[3, 5, 4, 3], activation, output);
            huge.thetas = huge.thetas.iter().map(|t| t.scaled(1e6)).collect();
            let network = Network::from_weights(&huge, &autodiff);
            let x = matrix_to_tensor(&sines(4, 3, 1.0, 0.3), &autodiff);
            let y = one_hot(&[1, 2, 3, 1], 3, &autodiff);
            let j = cost(&network, x.clone(), y, 1.0);
            let gradient = network.unrolled_gradient(&j.backward());
            assert!(scalar(j).is_finite(), "{activation} {output}");
            assert!(gradient.iter().all(|g| g.is_finite()), "{activation} {output}");
            let h = tensor_to_vec(network.forward(x));
            assert!(h.iter().all(|p| (0.0..=1.0).contains(p)), "{activation} {output}");
        }
    }
}

#[test]
fn softmax_outputs_sum_to_one_and_sigmoid_outputs_do_not_have_to() {
    let device = devices().remove(0);
    let x = matrix_to_tensor(&sines(6, 3, 1.0, 0.3), &device);
    let softmax = Network::from_weights(&weights(&[3, 5, 4, 4], Activation::Relu, Output::Softmax), &device);
    for row in tensor_to_vec(softmax.forward(x.clone())).chunks(4) {
        assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-15, "{row:?}");
    }
    let sigmoid = Network::from_weights(&weights(&[3, 5, 4, 4], Activation::Relu, Output::Sigmoid), &device);
    let sums: Vec<f64> = tensor_to_vec(sigmoid.forward(x)).chunks(4).map(|row| row.iter().sum()).collect();
    assert!(sums.iter().any(|s| (s - 1.0).abs() > 0.1), "{sums:?}");
}
