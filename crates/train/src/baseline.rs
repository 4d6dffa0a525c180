//! The exercise's comparison: one-vs-all regularized logistic regression (`oneVsAll`,
//! `lrCostFunction`, `predictOneVsAll`), one classifier per label on the raw pixels.

use argmin::core::Executor;
use data::{Dataset, Matrix};
use rayon::prelude::*;

use crate::argmin_problem::{Cached, conjugate_gradient};

/// The exercise's `λ` for the one-vs-all classifiers.
pub const BASELINE_LAMBDA: f64 = 0.1;
/// The exercise's iterations per classifier.
pub const BASELINE_ITERATIONS: usize = 50;

/// `K` trained classifiers: row `k` of `all_theta` (`K x (n + 1)`, bias first) scores label
/// `k + 1`.
#[derive(Clone, Debug)]
pub struct Baseline {
    pub all_theta: Matrix,
    pub lambda: f64,
    pub iterations: usize,
}

/// `log(1 + e^z)` without overflow.
fn softplus(z: f64) -> f64 {
    z.max(0.0) + (-z.abs()).exp().ln_1p()
}

/// `σ(z)` without overflow.
fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 { 1.0 / (1.0 + (-z).exp()) } else { z.exp() / (1.0 + z.exp()) }
}

/// `θᵀ x₁` for example row `x` with the bias term `θ₀`.
fn logit(theta: &[f64], x: &[f64]) -> f64 {
    theta[0] + theta[1..].iter().zip(x).map(|(t, v)| t * v).sum::<f64>()
}

/// `lrCostFunction(θ, X, y, λ)` for the binary targets `y`, with `X` (`m x n`) and `θ`
/// (`n + 1`, bias first):
///
/// ```text
/// J    = (1/m) Σᵢ [−yᵢ log σ(zᵢ) − (1 − yᵢ) log(1 − σ(zᵢ))] + λ/(2m) Σ_{j≥1} θⱼ²
/// ∇J   = (1/m) X₁ᵀ (σ(z) − y) + (λ/m) [0; θ₁..]
/// ```
/// with `z = X₁ θ`; each log term is `softplus(z) − y z`, finite for any `z`.
pub fn lr_cost_function(theta: &[f64], x: &Matrix, y: &[bool], lambda: f64) -> (f64, Vec<f64>) {
    let m = x.rows() as f64;
    let mut cost = 0.0;
    let mut gradient = vec![0.0; theta.len()];
    for (i, &yi) in y.iter().enumerate() {
        let row = x.row(i);
        let z = logit(theta, row);
        let target = if yi { 1.0 } else { 0.0 };
        cost += softplus(z) - target * z;
        let error = sigmoid(z) - target;
        gradient[0] += error;
        for (g, v) in gradient[1..].iter_mut().zip(row) {
            *g += error * v;
        }
    }
    let squares: f64 = theta[1..].iter().map(|t| t * t).sum();
    for (j, g) in gradient.iter_mut().enumerate() {
        *g = *g / m + if j == 0 { 0.0 } else { lambda / m * theta[j] };
    }
    (cost / m + lambda / (2.0 * m) * squares, gradient)
}

/// `oneVsAll(X, y, K, λ)`: for each label `k`, logistic regression of "is `k`" against the
/// rest, from `θ = 0`, by nonlinear conjugate gradient (Polak-Ribière+, like the exercise's
/// `fmincg`) for `iterations` iterations. The classifiers are independent
/// and are trained in parallel across the available cores.
pub fn one_vs_all(data: &Dataset, num_labels: usize, lambda: f64, iterations: usize) -> Baseline {
    let n = data.num_features();
    let rows: Vec<Vec<f64>> =
        (0..num_labels).into_par_iter().map(|k| train_one(data, k + 1, lambda, iterations)).collect();
    let all_theta = Matrix::from_fn(num_labels, n + 1, |k, j| rows[k][j]);
    Baseline { all_theta, lambda, iterations }
}

/// One classifier: label `label` against the rest.
fn train_one(data: &Dataset, label: usize, lambda: f64, iterations: usize) -> Vec<f64> {
    let y: Vec<bool> = data.labels.iter().map(|&l| l == label).collect();
    let problem = Cached::new(|theta: &[f64]| lr_cost_function(theta, &data.x, &y, lambda));
    let init = vec![0.0; data.num_features() + 1];
    // Nonlinear conjugate gradient, as the exercise's fmincg.
    let result = Executor::new(problem, conjugate_gradient())
        .configure(|state| state.param(init.clone()).max_iters(iterations as u64))
        .run();
    match result {
        Ok(result) => result.state.best_param.or(result.state.param).unwrap_or(init),
        // A failed line search leaves the starting point; it does not happen on digit data.
        Err(_) => init,
    }
}

/// `predictOneVsAll`: for each example, the label whose classifier scores highest.
pub fn predict_one_vs_all(baseline: &Baseline, x: &Matrix) -> Vec<usize> {
    (0..x.rows())
        .map(|i| {
            let row = x.row(i);
            let scores = (0..baseline.all_theta.rows()).map(|k| logit(baseline.all_theta.row(k), row));
            let (best, _) =
                scores.enumerate().fold((0, f64::NEG_INFINITY), |b, (k, s)| if s > b.1 { (k, s) } else { b });
            best + 1
        })
        .collect()
}
