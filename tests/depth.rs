//! Networks of any depth, activation and output, checked three ways per weight matrix: the
//! hand-written backpropagation against burn's autodiff (both backends), central finite
//! differences (ReLU's kinks left out) and the fused engine; and a deliberately broken
//! derivative of each activation is caught.

use backend::Backend;
use burn::tensor::Tensor;
use data::{Activation, Architecture, LayerSizes, Matrix, Output};
use manual::{Init, NnCost, activation_gradient};
use proptest::prelude::*;
use verify::checks::{
    Coordinates, FINITE_DIFFERENCE_BOUND, IMPLEMENTATION_BOUND, check_network, kink_problem, manual_vs_autodiff,
};
use verify::per_matrix::per_matrix;
use verify::{FULL_NETWORK_EPSILON, finite_differences, max_relative_error};

/// Examples in `[-1, 1]` with about a third exactly 0, and labels cycling through `1..=K`,
/// from `seed`.
fn examples(m: usize, n: usize, labels: usize, seed: u64) -> (Matrix, Vec<usize>) {
    let values = manual::random_params(&LayerSizes::new(m * n, 1, 1), Init::Uniform(1.0), seed);
    let x = Matrix::from_fn(m, n, |r, c| {
        let v = values[r * n + c];
        if v.abs() < 1.0 / 3.0 { 0.0 } else { v }
    });
    (x, (0..m).map(|i| 1 + (i + seed as usize) % labels).collect())
}

fn devices() -> [(Backend, burn::tensor::Device); 2] {
    [(Backend::Flex, Backend::Flex.device().unwrap()), (Backend::NdArray, Backend::NdArray.device().unwrap())]
}

fn activation_strategy() -> impl Strategy<Value = Activation> {
    prop_oneof![Just(Activation::Sigmoid), Just(Activation::Tanh), Just(Activation::Relu)]
}

fn output_strategy() -> impl Strategy<Value = Output> {
    prop_oneof![Just(Output::Sigmoid), Just(Output::Softmax)]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn every_depth_activation_and_output_agrees_three_ways(
        input in 1usize..=9,
        hidden in prop::collection::vec(1usize..=9, 1..=4),
        labels in 2usize..=6,
        activation in activation_strategy(),
        output in output_strategy(),
        m in 1usize..=12,
        lambda in 0.0f64..=5.0,
        seed in any::<u64>(),
    ) {
        let architecture = Architecture::new(LayerSizes::with_hidden(input, &hidden, labels), activation, output);
        let params = manual::random_params(&architecture.sizes, Init::PerLayer, seed);
        let (x, y) = examples(m, input, labels, seed ^ 0x5eed);
        let check = check_network(
            &architecture, &params, &x, &y, lambda, Coordinates::All, FULL_NETWORK_EPSILON, &devices(),
        );
        for c in check.checks("") {
            prop_assert!(c.passed, "{}: {:e} (bound {:e})", c.name, c.figure, c.bound);
        }
        // Every coordinate is either compared or counted as across a kink, and only ReLUs have kinks.
        let counted: usize = check.finite_differences.iter().map(|m| m.compared + m.skipped).sum();
        prop_assert_eq!(counted, architecture.sizes.num_params());
        if activation != Activation::Relu {
            prop_assert_eq!(check.skipped(), 0);
        }
        // The fused engine computes the same function and gradient, in both layouts, f64.
        for layout in [fused::Layout::Dense, fused::Layout::Sparse] {
            let fused = fused::FusedNnCost::<f64>::with_layout(&x, &y, &architecture, lambda, layout);
            let (cost, gradient) = fused.cost_and_gradient(&params);
            prop_assert!((cost - check.cost).abs() <= 1e-12 * check.cost.abs().max(1.0), "{:?}: {} vs {}", layout, cost, check.cost);
            let error = max_relative_error(&gradient, &check.gradient);
            prop_assert!(error <= IMPLEMENTATION_BOUND, "{:?}: fused vs manual {:e}", layout, error);
        }
    }
}

/// Each activation's derivative, deliberately broken, is caught by finite differences and by
/// autodiff, in the weight matrices below the last hidden layer's (the last matrix's gradient
/// does not go through `g'`).
#[test]
fn a_broken_derivative_of_each_activation_is_caught() {
    fn doubled_sigmoid(z: Tensor<2>) -> Tensor<2> {
        activation_gradient(z, Activation::Sigmoid).mul_scalar(2.0)
    }
    /// `1 − tanh(z)` instead of `1 − tanh²(z)`.
    fn tanh_unsquared(z: Tensor<2>) -> Tensor<2> {
        manual::activation(z, Activation::Tanh).neg().add_scalar(1.0)
    }
    /// The step at the wrong side: 1 for `z < 0`.
    fn relu_mirrored(z: Tensor<2>) -> Tensor<2> {
        activation_gradient(z.neg(), Activation::Relu)
    }
    type Derivative = fn(Tensor<2>) -> Tensor<2>;
    let broken: [(Activation, Derivative); 3] =
        [(Activation::Sigmoid, doubled_sigmoid), (Activation::Tanh, tanh_unsquared), (Activation::Relu, relu_mirrored)];
    let device = Backend::Flex.device().unwrap();
    let (x, y) = examples(10, 6, 4, 3);
    for (activation, wrong) in broken {
        for output in [Output::Sigmoid, Output::Softmax] {
            let architecture = Architecture::new(LayerSizes::with_hidden(6, &[7, 5], 4), activation, output);
            let params = manual::random_params(&architecture.sizes, Init::PerLayer, 11);
            let right = NnCost::new(&x, &y, &architecture, 1.0, &device);
            let wrong = right.clone().with_activation_gradient(wrong);
            let coordinates: Vec<usize> = (0..params.len()).collect();
            let what = format!("{architecture}");
            for (objective, is_right) in [(&right, true), (&wrong, false)] {
                let (_, gradient) = objective.cost_and_gradient(&params);
                let fd = finite_differences(objective, &params, &coordinates, FULL_NETWORK_EPSILON);
                let picked: Vec<f64> = fd.coordinates.iter().map(|&i| gradient[i]).collect();
                let matrices = per_matrix(&architecture.sizes, &fd.coordinates, &fd.numerical, &picked, &fd.skipped);
                let autodiff = manual_vs_autodiff(objective, &params, &x, &y, &device).max_relative_error;
                let [theta1, theta2, theta3] = <[_; 3]>::try_from(matrices).unwrap();
                if is_right {
                    for m in [&theta1, &theta2, &theta3] {
                        assert!(m.relative_difference < FINITE_DIFFERENCE_BOUND, "{what}, right g': {m:?}");
                    }
                    assert!(autodiff <= IMPLEMENTATION_BOUND, "{what}, right g': autodiff {autodiff:e}");
                } else {
                    for m in [&theta1, &theta2] {
                        assert!(m.relative_difference > 1e-3, "{what}, broken g' not caught in {}: {m:?}", m.matrix);
                    }
                    // The output layer's gradient does not go through g', and stays right.
                    assert!(theta3.relative_difference < FINITE_DIFFERENCE_BOUND, "{what}: {theta3:?}");
                    assert!(autodiff > 1e-3, "{what}: broken g' agrees with autodiff ({autodiff:e})");
                }
            }
        }
    }
}

/// A stencil across ReLU's kink is detected, left out and counted; averaged in, it would have
/// failed the check.
#[test]
fn relus_kink_is_left_out_and_counted_never_averaged_in() {
    let (architecture, params, x, labels) = kink_problem();
    let device = Backend::Flex.device().unwrap();
    let objective = NnCost::new(&x, &labels, &architecture, 1.0, &device);
    // Hidden unit 1's input on example 1 is 0 to rounding.
    let z = objective.hidden_inputs(&params).remove(0);
    assert!(z.get(0, 0).abs() < 1e-15, "{}", z.get(0, 0));
    let check = check_network(&architecture, &params, &x, &labels, 1.0, Coordinates::All, 1e-5, &devices());
    for c in check.checks("") {
        assert!(c.passed, "{}: {:e} (bound {:e})", c.name, c.figure, c.bound);
    }
    // Unit 1's bias, and each of its weights on a nonzero input of example 1, moves that z.
    let skipped = check.skipped();
    let nonzero_inputs = (0..3).filter(|&i| x.get(0, i) != 0.0).count();
    assert_eq!(skipped, 1 + nonzero_inputs, "the bias and each weight of unit 1 on a nonzero input");
    assert_eq!(check.finite_differences[0].skipped, skipped, "all in Theta1");
    let averaged = check.at_kinks.expect("some were left out");
    assert!(averaged > 1e-3, "averaged in, the kink's stencils would pass: {averaged:e}");
    // Sigmoid and tanh have no kink: nothing is left out on the same weights.
    for activation in [Activation::Sigmoid, Activation::Tanh] {
        let smooth = Architecture { activation, ..architecture.clone() };
        let check = check_network(&smooth, &params, &x, &labels, 1.0, Coordinates::All, 1e-5, &devices());
        assert_eq!(check.skipped(), 0);
        for c in check.checks("") {
            assert!(c.passed, "{}: {:e} (bound {:e})", c.name, c.figure, c.bound);
        }
    }
}
