//! The checks, each a figure against a bound.

use burn::tensor::Device;
use data::{LayerSizes, Matrix};
use manual::{NnCost, debug_initialize_weights, unroll};
use serde::Serialize;

use crate::{
    autodiff_cost_and_gradient, max_relative_error, numerical_gradient, relative_difference, sample_coordinates,
};

/// Bound of the exercise's own check (3-5-3 network) and of finite differences on the full
/// network: relative difference below 1e-9.
pub const FINITE_DIFFERENCE_BOUND: f64 = 1e-9;
/// Bound of manual against autodiff and of flex against ndarray: element-wise relative error
/// at most 1e-12.
pub const IMPLEMENTATION_BOUND: f64 = 1e-12;

/// One check: a figure, its bound, and whether it passed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Check {
    /// What was compared, on what.
    pub name: String,
    /// The measured figure.
    pub figure: f64,
    /// The bound it must respect.
    pub bound: f64,
    /// `figure < bound` (strict) or `figure <= bound`; false for NaN.
    pub passed: bool,
}

impl Check {
    /// A figure that must be strictly below `bound`.
    pub fn below(name: impl Into<String>, figure: f64, bound: f64) -> Self {
        Self { name: name.into(), figure, bound, passed: figure < bound }
    }

    /// A figure that must be at most `bound`.
    pub fn at_most(name: impl Into<String>, figure: f64, bound: f64) -> Self {
        Self { name: name.into(), figure, bound, passed: figure <= bound }
    }
}

/// The exercise's `checkNNGradients` problem: a 3-5-3 network with the debug weights, and 5
/// examples `X = debugInitializeWeights(5, 2)` with labels `y = 1 + (1..=5 mod 3)`.
pub fn exercise_problem() -> (LayerSizes, Vec<f64>, Matrix, Vec<usize>) {
    let sizes = LayerSizes::new(3, 5, 3);
    let m = 5;
    let params = unroll(
        &debug_initialize_weights(sizes.hidden, sizes.input),
        &debug_initialize_weights(sizes.labels, sizes.hidden),
    );
    let x = debug_initialize_weights(m, sizes.input - 1);
    let labels = (1..=m).map(|i| 1 + i % sizes.labels).collect();
    (sizes, params, x, labels)
}

/// The outcome of the exercise's check at one lambda: both gradients and their relative
/// difference.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ExerciseCheck {
    pub lambda: f64,
    pub numerical: Vec<f64>,
    pub analytical: Vec<f64>,
    pub relative_difference: f64,
}

/// `checkNNGradients(lambda)`: finite differences (step `epsilon`) against the hand-written
/// backpropagation on [`exercise_problem`].
pub fn exercise_gradient_check(lambda: f64, epsilon: f64, device: &Device) -> ExerciseCheck {
    let (sizes, params, x, labels) = exercise_problem();
    let objective = NnCost::new(&x, &labels, sizes, lambda, device);
    let (_, analytical) = objective.cost_and_gradient(&params);
    let numerical = numerical_gradient(|a, b| objective.cost_difference(a, b), &params, epsilon, None);
    let relative_difference = relative_difference(&numerical, &analytical);
    ExerciseCheck { lambda, numerical, analytical, relative_difference }
}

/// Manual and autodiff cost and gradient at `params`, and the largest element-wise relative
/// error between the gradients.
pub struct Agreement {
    pub manual: (f64, Vec<f64>),
    pub autodiff: (f64, Vec<f64>),
    pub max_relative_error: f64,
}

/// Backpropagation by hand against burn's autodiff through the model's cost, on `device`.
pub fn manual_vs_autodiff(
    objective: &NnCost,
    params: &[f64],
    x: &Matrix,
    labels: &[usize],
    device: &Device,
) -> Agreement {
    let manual = objective.cost_and_gradient(params);
    let autodiff = autodiff_cost_and_gradient(params, objective.sizes(), x, labels, objective.lambda(), device);
    let max_relative_error = max_relative_error(&manual.1, &autodiff.1);
    Agreement { manual, autodiff, max_relative_error }
}

/// Relative difference between `analytical` and central finite differences of `objective` at
/// `samples` coordinates drawn with `seed`.
pub fn sampled_finite_differences(
    objective: &NnCost,
    params: &[f64],
    analytical: &[f64],
    samples: usize,
    seed: u64,
    epsilon: f64,
) -> f64 {
    let coordinates = sample_coordinates(params.len(), samples, seed);
    let numerical = numerical_gradient(|a, b| objective.cost_difference(a, b), params, epsilon, Some(&coordinates));
    let picked: Vec<f64> = coordinates.iter().map(|&i| analytical[i]).collect();
    relative_difference(&numerical, &picked)
}
