//! burn's autodiff gradient, unrolled, against central finite differences of the cost.

use backend::{matrix_to_tensor, one_hot, scalar, tensor_to_vec};
use burn::prelude::*;
use data::{Activation, Architecture, LayerSizes, Output};
use model::{Network, activate, cost, cost_and_gradient};

use crate::{devices, every_kind, sines, unroll, weights};

/// Examples in the small problems.
const M: usize = 5;
/// The central difference's step.
const EPSILON: f64 = 1e-5;

/// The exercise's measure, `‖a − b‖ / ‖a + b‖`.
fn relative_difference(a: &[f64], b: &[f64]) -> f64 {
    let norm = |v: Vec<f64>| v.iter().map(|x| x * x).sum::<f64>().sqrt();
    norm(a.iter().zip(b).map(|(x, y)| x - y).collect()) / norm(a.iter().zip(b).map(|(x, y)| x + y).collect())
}

/// The smallest `|z|` of any hidden unit on any example.
fn smallest_hidden_logit(network: &Network, x: Tensor<2>) -> f64 {
    let (_, hidden) = network.layers.split_last().unwrap();
    let mut a = x;
    let mut smallest = f64::INFINITY;
    for layer in hidden {
        let z = layer.logits(a);
        smallest = tensor_to_vec(z.clone()).iter().fold(smallest, |s, v| s.min(v.abs()));
        a = activate(network.activation, z);
    }
    smallest
}

#[test]
fn the_unrolled_gradient_matches_central_differences_at_any_depth_and_kind() {
    for device in devices() {
        let autodiff = device.clone().autodiff();
        for hidden in [&[5][..], &[5, 4], &[5, 4, 4]] {
            let sizes = LayerSizes::with_hidden(3, hidden, 3);
            let labels: Vec<usize> = (0..M).map(|i| 1 + i % sizes.labels()).collect();
            let x = sines(M, sizes.input(), 1.0, 0.3);
            for (activation, output) in every_kind() {
                let architecture = Architecture::new(sizes.clone(), activation, output);
                let params = unroll(&weights(sizes.layers(), activation, output));
                let (xp, yp) = (matrix_to_tensor(&x, &device), one_hot(&labels, sizes.labels(), &device));
                let j = |p: &[f64]| {
                    scalar(cost(&Network::from_unrolled(p, &architecture, &device), xp.clone(), yp.clone(), 1.0))
                };
                if activation == Activation::Relu {
                    let network = Network::from_unrolled(&params, &architecture, &device);
                    let margin = smallest_hidden_logit(&network, xp.clone());
                    assert!(margin > 1e-3, "{architecture}: a hidden z within {margin:e} of relu's kink");
                }
                let numerical: Vec<f64> = (0..params.len())
                    .map(|i| {
                        let (mut plus, mut minus) = (params.clone(), params.clone());
                        plus[i] += EPSILON;
                        minus[i] -= EPSILON;
                        (j(&plus) - j(&minus)) / (2.0 * EPSILON)
                    })
                    .collect();
                let (xa, ya) = (matrix_to_tensor(&x, &autodiff), one_hot(&labels, sizes.labels(), &autodiff));
                let (cost_value, gradient) = cost_and_gradient(&params, &architecture, xa, ya, 1.0, &autodiff);
                assert_eq!(gradient.len(), sizes.num_params());
                assert!((cost_value - j(&params)).abs() <= 1e-15 * cost_value.abs(), "{architecture}");
                let difference = relative_difference(&numerical, &gradient);
                assert!(difference < 1e-8, "{architecture} on {device:?}: relative difference {difference:e}");
            }
        }
    }
}

#[test]
fn the_regularization_skips_the_biases_of_every_layer() {
    // With all weights zero, only biases left: the cost does not depend on lambda.
    let device = devices().remove(0);
    let sizes = LayerSizes::with_hidden(3, &[4, 4], 2);
    let offsets = sizes.offsets();
    let mut params = vec![0.0; sizes.num_params()];
    for (l, &rows) in sizes.layers()[1..].iter().enumerate() {
        for bias in &mut params[offsets[l]..offsets[l] + rows] {
            *bias = 0.5;
        }
    }
    let architecture = Architecture::new(sizes.clone(), Activation::Tanh, Output::Softmax);
    let network = Network::from_unrolled(&params, &architecture, &device);
    let x = matrix_to_tensor(&sines(M, 3, 1.0, 0.0), &device);
    let y = one_hot(&[1, 2, 1, 2, 1], 2, &device);
    let without = scalar(cost(&network, x.clone(), y.clone(), 0.0));
    assert_eq!(scalar(cost(&network, x, y, 100.0)), without);
    // Equal logits over 2 labels: −log(1/2) per example.
    assert!((without - std::f64::consts::LN_2).abs() < 1e-15, "{without}");
}

#[test]
fn burns_relu_derivative_at_zero_is_zero() {
    for device in devices() {
        let autodiff = device.autodiff();
        let z = Tensor::<2>::from_data(TensorData::new(vec![-1.0, 0.0, 2.0], [1, 3]), &autodiff).require_grad();
        let grads = activate(Activation::Relu, z.clone()).sum().backward();
        assert_eq!(tensor_to_vec(z.grad(&grads).unwrap()), [0.0, 0.0, 1.0]);
    }
}
