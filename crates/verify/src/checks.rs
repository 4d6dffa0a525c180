//! The checks, each a figure against a bound.

use backend::Backend;
use burn::tensor::Device;
use data::{Activation, Architecture, LayerSizes, Matrix, Output};
use manual::{NnCost, debug_initialize_weights, unroll};
use serde::Serialize;

use crate::per_matrix::{MatrixComparison, per_matrix};
use crate::{
    autodiff_cost_and_gradient, finite_differences, max_relative_error, numerical_gradient, relative_difference,
    sample_coordinates, sample_per_matrix,
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

    /// A figure that must be above `bound`: a check that a failure is seen.
    pub fn above(name: impl Into<String>, figure: f64, bound: f64) -> Self {
        Self { name: name.into(), figure, bound, passed: figure > bound }
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
    let (params, x, labels) = debug_problem(&sizes);
    (sizes, params, x, labels)
}

/// `checkNNGradients`' problem for a network of any `sizes`: every `Theta_l =
/// debugInitializeWeights(s_{l+1}, s_l)`, 5 examples `X = debugInitializeWeights(5, n − 1)`,
/// labels `y = 1 + (1..=5 mod K)`. Deterministic, so the figures are the same everywhere.
pub fn debug_problem(sizes: &LayerSizes) -> (Vec<f64>, Matrix, Vec<usize>) {
    let m = 5;
    let thetas: Vec<Matrix> = sizes.layers().windows(2).map(|w| debug_initialize_weights(w[1], w[0])).collect();
    let x = debug_initialize_weights(m, sizes.input() - 1);
    let labels = (1..=m).map(|i| 1 + i % sizes.labels()).collect();
    (unroll(&thetas), x, labels)
}

/// The small networks `just verify` checks at every depth: 3 inputs, 1 to 4 hidden layers
/// (5, then 4 units), 3 labels, with each activation and each output.
pub fn depth_networks() -> Vec<Architecture> {
    let hidden: [&[usize]; 4] = [&[5], &[5, 4], &[5, 4, 4], &[5, 4, 4, 4]];
    let mut networks = Vec::new();
    for layers in hidden {
        for &activation in Activation::ALL {
            for &output in Output::ALL {
                networks.push(Architecture::new(LayerSizes::with_hidden(3, layers, 3), activation, output));
            }
        }
    }
    networks
}

/// Which coordinates finite differences are taken at.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Coordinates {
    /// Every one.
    All,
    /// `count` of each weight matrix (all of a smaller one's), drawn with `seed`
    /// ([`sample_per_matrix`](crate::sample_per_matrix)).
    PerMatrix { count: usize, seed: u64 },
}

impl Coordinates {
    /// The unrolled indices, sorted.
    pub fn pick(self, sizes: &LayerSizes) -> Vec<usize> {
        match self {
            Coordinates::All => (0..sizes.num_params()).collect(),
            Coordinates::PerMatrix { count, seed } => sample_per_matrix(sizes, count, seed),
        }
    }
}

/// One network checked three ways at one lambda, weight matrix by weight matrix: the
/// hand-written gradient against burn's autodiff on each backend, against central finite
/// differences (kinks left out), and against itself on the other backend.
#[derive(Clone, Debug, Serialize)]
pub struct NetworkCheck {
    /// The network, as [`Architecture`] prints it.
    pub network: String,
    pub lambda: f64,
    /// The finite-difference step, and the coordinates it was taken at.
    pub epsilon: f64,
    pub coordinates: Coordinates,
    /// The cost by the hand-written code on the first backend, and by autodiff there.
    pub cost: f64,
    pub cost_autodiff: f64,
    /// The hand-written gradient on the first backend, unrolled.
    #[serde(skip)]
    pub gradient: Vec<f64>,
    /// The autodiff gradient on the first backend, unrolled.
    #[serde(skip)]
    pub gradient_autodiff: Vec<f64>,
    /// Manual against autodiff, per backend (its name, then one comparison per matrix).
    pub autodiff: Vec<(String, Vec<MatrixComparison>)>,
    /// Manual on the first backend against manual on the second, when there are two.
    pub backends: Option<Vec<MatrixComparison>>,
    /// Finite differences (reference) against manual on the first backend.
    pub finite_differences: Vec<MatrixComparison>,
    /// At the coordinates left out at a kink: the relative difference the central differences
    /// there would have had against manual, had they been averaged in (`None` when none was
    /// left out).
    pub at_kinks: Option<f64>,
}

impl NetworkCheck {
    /// One [`Check`] per comparison and weight matrix: the largest element-wise relative error
    /// at most [`IMPLEMENTATION_BOUND`] between implementations, the relative difference below
    /// [`FINITE_DIFFERENCE_BOUND`] against finite differences. Each name starts with `prefix`.
    pub fn checks(&self, prefix: &str) -> Vec<Check> {
        let head = format!("{prefix}{}, lambda {}", self.network, self.lambda);
        let mut checks = Vec::new();
        for (backend, matrices) in &self.autodiff {
            for m in matrices {
                checks.push(Check::at_most(
                    format!("{head}, {backend}: manual vs autodiff, {} (max element-wise rel. error)", m.matrix),
                    m.max_relative_error(),
                    IMPLEMENTATION_BOUND,
                ));
            }
        }
        for m in &self.finite_differences {
            checks.push(Check::below(
                format!(
                    "{head}: finite differences (eps {:e}) vs manual, {}, {} entries{}",
                    self.epsilon,
                    m.matrix,
                    m.compared,
                    if m.skipped > 0 { format!(", {} at a kink left out", m.skipped) } else { String::new() }
                ),
                m.relative_difference,
                FINITE_DIFFERENCE_BOUND,
            ));
        }
        for m in self.backends.iter().flatten() {
            checks.push(Check::at_most(
                format!("{head}: manual, flex vs ndarray, {} (max element-wise rel. error)", m.matrix),
                m.max_relative_error(),
                IMPLEMENTATION_BOUND,
            ));
        }
        checks
    }

    /// Coordinates left out of the finite differences, over every matrix.
    pub fn skipped(&self) -> usize {
        self.finite_differences.iter().map(|m| m.skipped).sum()
    }

    /// The largest finite-difference relative difference over the matrices: the figure of the
    /// worst of the finite-difference [`checks`](Self::checks).
    pub fn worst_finite_difference(&self) -> f64 {
        self.finite_differences.iter().map(|m| m.relative_difference).fold(0.0, f64::max)
    }

    /// The largest element-wise relative error against autodiff, over the backends and the
    /// matrices.
    pub fn worst_against_autodiff(&self) -> f64 {
        let matrices = self.autodiff.iter().flat_map(|(_, matrices)| matrices);
        matrices.map(MatrixComparison::max_relative_error).fold(0.0, f64::max)
    }

    /// The largest element-wise relative error against autodiff or the other backend: the
    /// figure of the worst of the other [`checks`](Self::checks).
    pub fn worst_implementation_error(&self) -> f64 {
        let across = self.backends.iter().flatten().map(MatrixComparison::max_relative_error);
        across.fold(self.worst_against_autodiff(), f64::max)
    }
}

/// Checks the hand-written gradient of `architecture` at `params` on the examples `x`,
/// `labels` three ways ([`NetworkCheck`]): against autodiff on each of `devices`, against
/// central finite differences of step `epsilon` at `coordinates` on the first device, and
/// against itself on the second device when there is one.
///
/// # Panics
/// When `devices` is empty.
#[allow(clippy::too_many_arguments)]
pub fn check_network(
    architecture: &Architecture,
    params: &[f64],
    x: &Matrix,
    labels: &[usize],
    lambda: f64,
    coordinates: Coordinates,
    epsilon: f64,
    devices: &[(Backend, Device)],
) -> NetworkCheck {
    let sizes = &architecture.sizes;
    let all: Vec<usize> = (0..params.len()).collect();
    let mut autodiff = Vec::new();
    let mut manual_gradients = Vec::new();
    let mut first = None;
    for (backend, device) in devices {
        let objective = NnCost::new(x, labels, architecture, lambda, device);
        let agreement = manual_vs_autodiff(&objective, params, x, labels, device);
        autodiff.push((
            backend.name().to_string(),
            per_matrix(sizes, &all, &agreement.autodiff.1, &agreement.manual.1, &[]),
        ));
        manual_gradients.push(agreement.manual.1.clone());
        if first.is_none() {
            first = Some((objective, agreement));
        }
    }
    let (objective, agreement) = first.expect("at least one device");
    let fd = finite_differences(&objective, params, &coordinates.pick(sizes), epsilon);
    let picked: Vec<f64> = fd.coordinates.iter().map(|&i| agreement.manual.1[i]).collect();
    let finite = per_matrix(sizes, &fd.coordinates, &fd.numerical, &picked, &fd.skipped);
    let at_kink: Vec<f64> = fd.skipped.iter().map(|&i| agreement.manual.1[i]).collect();
    let at_kinks = (!fd.skipped.is_empty()).then(|| relative_difference(&fd.at_kinks, &at_kink));
    let backends =
        (manual_gradients.len() > 1).then(|| per_matrix(sizes, &all, &manual_gradients[1], &manual_gradients[0], &[]));
    NetworkCheck {
        network: architecture.to_string(),
        lambda,
        epsilon,
        coordinates,
        cost: agreement.manual.0,
        cost_autodiff: agreement.autodiff.0,
        gradient: agreement.manual.1,
        gradient_autodiff: agreement.autodiff.1,
        autodiff,
        backends,
        finite_differences: finite,
        at_kinks,
    }
}

/// `checkNNGradients`' 3-5-3 problem with ReLUs, the bias of hidden unit 1 set so that its
/// input `z` on example 1 is 0 (to rounding): every coordinate that moves that `z` has a
/// finite-difference stencil across the kink, where the cost has no derivative.
pub fn kink_problem() -> (Architecture, Vec<f64>, Matrix, Vec<usize>) {
    let sizes = LayerSizes::new(3, 5, 3);
    let (mut params, x, labels) = debug_problem(&sizes);
    let hidden = sizes.hidden()[0];
    // Theta1(1, j + 1) is at j * hidden in the unrolled (column-major) vector.
    let z: f64 = (0..sizes.input()).map(|i| params[(i + 1) * hidden] * x.get(0, i)).sum();
    params[0] = -z;
    (Architecture::new(sizes, Activation::Relu, Output::Sigmoid), params, x, labels)
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
    let objective = NnCost::new(&x, &labels, &Architecture::sigmoid(sizes), lambda, device);
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
    let autodiff = autodiff_cost_and_gradient(params, objective.architecture(), x, labels, objective.lambda(), device);
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

/// Steps per decade of [`epsilon_sweep_steps`].
pub const SWEEP_STEPS_PER_DECADE: usize = 4;

/// The steps of the epsilon sweep: from 1e-2 down to 1e-10, log-spaced,
/// [`SWEEP_STEPS_PER_DECADE`] a decade (33 steps, `ε = 10^(−2 − k/4)`).
pub fn epsilon_sweep_steps() -> Vec<f64> {
    let count = 8 * SWEEP_STEPS_PER_DECADE;
    (0..=count).map(|k| 10f64.powf(-2.0 - k as f64 / SWEEP_STEPS_PER_DECADE as f64)).collect()
}

/// One step of the epsilon sweep and the exercise's relative difference there.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct SweepPoint {
    pub epsilon: f64,
    /// `norm(numgrad − grad) / norm(numgrad + grad)` over the full gradient.
    pub relative_difference: f64,
}

/// The exercise's check ([`exercise_problem`], the 3-5-3 network at `lambda`) at every step
/// of `epsilons`: the relative difference between the hand-written gradient and the central
/// difference `(J(θ + ε eᵢ) − J(θ − ε eᵢ)) / 2ε` computed as the exercise computes it, two
/// whole costs subtracted. Its error is the sum of two:
///
/// ```text
/// truncation  ≈ (ε²/6) ∂³J/∂θᵢ³           falls as ε²
/// rounding    ≈ u · |J| / ε   (u = 2⁻⁵³)    rises as 1/ε
/// ```
/// so the curve is a V on log-log axes with its bottom near `(3 u |J| / |J'''|)^(1/3)`.
/// (`NnCost::cost_difference`, which subtracts term by term, would keep the rounding side far
/// lower; the sweep shows the exercise's own arithmetic.)
pub fn epsilon_sweep(lambda: f64, epsilons: &[f64], device: &Device) -> Vec<SweepPoint> {
    let (sizes, params, x, labels) = exercise_problem();
    let objective = NnCost::new(&x, &labels, &Architecture::sigmoid(sizes), lambda, device);
    let (_, analytical) = objective.cost_and_gradient(&params);
    epsilons
        .iter()
        .map(|&epsilon| {
            let numerical = numerical_gradient(|a, b| objective.cost(a) - objective.cost(b), &params, epsilon, None);
            SweepPoint { epsilon, relative_difference: relative_difference(&numerical, &analytical) }
        })
        .collect()
}

/// The point of least error of a sweep (the first, on a tie); `None` when empty.
pub fn sweep_minimum(points: &[SweepPoint]) -> Option<SweepPoint> {
    points.iter().copied().min_by(|a, b| a.relative_difference.total_cmp(&b.relative_difference))
}

/// The least-squares slope of `log10(error)` against `log10(ε)` over `points`: 2 on the
/// truncation side, −1 on the rounding side. NaN for fewer than two points.
pub fn log_log_slope(points: &[SweepPoint]) -> f64 {
    let xy: Vec<(f64, f64)> = points.iter().map(|p| (p.epsilon.log10(), p.relative_difference.log10())).collect();
    let n = xy.len() as f64;
    let (mx, my) = xy.iter().fold((0.0, 0.0), |(sx, sy), (x, y)| (sx + x / n, sy + y / n));
    let (sxy, sxx) =
        xy.iter().fold((0.0, 0.0), |(sxy, sxx), (x, y)| (sxy + (x - mx) * (y - my), sxx + (x - mx).powi(2)));
    if xy.len() < 2 { f64::NAN } else { sxy / sxx }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sweep_steps_run_from_1e_2_to_1e_10_four_a_decade() {
        let steps = epsilon_sweep_steps();
        assert_eq!(steps.len(), 33);
        assert!((steps[0] - 1e-2).abs() < 1e-17 && (steps[32] - 1e-10).abs() < 1e-25, "{steps:?}");
        assert!((steps[4] - 1e-3).abs() < 1e-18 && steps.windows(2).all(|w| w[1] < w[0]));
    }

    #[test]
    fn log_log_slopes_of_power_laws() {
        let law = |c: f64, p: i32| -> Vec<SweepPoint> {
            epsilon_sweep_steps()
                .into_iter()
                .map(|epsilon| SweepPoint { epsilon, relative_difference: c * epsilon.powi(p) })
                .collect()
        };
        assert!((log_log_slope(&law(3.0, 2)) - 2.0).abs() < 1e-9);
        assert!((log_log_slope(&law(1e-14, -1)) + 1.0).abs() < 1e-9);
        assert!(log_log_slope(&law(1.0, 2)[..1]).is_nan());
        let v: Vec<SweepPoint> = law(1.0, 2)
            .into_iter()
            .zip(law(1e-14, -1))
            .map(|(a, b)| SweepPoint {
                epsilon: a.epsilon,
                relative_difference: a.relative_difference + b.relative_difference,
            })
            .collect();
        let minimum = sweep_minimum(&v).unwrap();
        // d/dε (ε² + c/ε) = 0 at ε = (c/2)^(1/3) ≈ 1.7e-5; the nearest step is 1.78e-5.
        assert!((minimum.epsilon - 10f64.powf(-4.75)).abs() < 1e-12, "{minimum:?}");
    }
}
