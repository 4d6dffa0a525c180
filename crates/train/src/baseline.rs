//! The exercise's comparison: one-vs-all regularized logistic regression (`oneVsAll`,
//! `lrCostFunction`, `predictOneVsAll`), one classifier per label on the raw pixels.

use argmin::core::{CostFunction, Error as ArgminError, Executor, Gradient};
use argmin::solver::conjugategradient::NonlinearConjugateGradient;
use argmin::solver::conjugategradient::beta::PolakRibierePlus;
use argmin::solver::linesearch::MoreThuenteLineSearch;
use data::{Dataset, Matrix};

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

/// One binary classifier's problem for `argmin`.
struct OneClass<'a> {
    x: &'a Matrix,
    y: Vec<bool>,
    lambda: f64,
}

impl CostFunction for OneClass<'_> {
    type Param = Vec<f64>;
    type Output = f64;

    fn cost(&self, theta: &Vec<f64>) -> Result<f64, ArgminError> {
        Ok(lr_cost_function(theta, self.x, &self.y, self.lambda).0)
    }
}

impl Gradient for OneClass<'_> {
    type Param = Vec<f64>;
    type Gradient = Vec<f64>;

    fn gradient(&self, theta: &Vec<f64>) -> Result<Vec<f64>, ArgminError> {
        Ok(lr_cost_function(theta, self.x, &self.y, self.lambda).1)
    }
}

/// `oneVsAll(X, y, K, λ)`: for each label `k`, logistic regression of "is `k`" against the
/// rest, from `θ = 0`, by nonlinear conjugate gradient (Polak-Ribière+, like the exercise's
/// `fmincg`) for `iterations` iterations. The classifiers are independent
/// and are trained in parallel across the available cores.
pub fn one_vs_all(data: &Dataset, num_labels: usize, lambda: f64, iterations: usize) -> Baseline {
    let n = data.num_features();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(num_labels).max(1);
    let mut rows: Vec<Vec<f64>> = vec![Vec::new(); num_labels];
    std::thread::scope(|scope| {
        let chunks: Vec<_> = (0..threads)
            .map(|t| {
                scope.spawn(move || {
                    (t..num_labels)
                        .step_by(threads)
                        .map(|k| (k, train_one(data, k + 1, lambda, iterations)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for chunk in chunks {
            for (k, theta) in chunk.join().expect("a one-vs-all worker panicked") {
                rows[k] = theta;
            }
        }
    });
    let all_theta = Matrix::from_fn(num_labels, n + 1, |k, j| rows[k][j]);
    Baseline { all_theta, lambda, iterations }
}

/// One classifier: label `label` against the rest.
fn train_one(data: &Dataset, label: usize, lambda: f64, iterations: usize) -> Vec<f64> {
    let problem = OneClass { x: &data.x, y: data.labels.iter().map(|&l| l == label).collect(), lambda };
    let init = vec![0.0; data.num_features() + 1];
    // Nonlinear conjugate gradient, as the exercise's fmincg.
    let line_search = MoreThuenteLineSearch::new().with_c(1e-4, 0.1).expect("0 < c1 < c2 < 1");
    let solver = NonlinearConjugateGradient::new(line_search, PolakRibierePlus::new()).restart_orthogonality(0.1);
    let result =
        Executor::new(problem, solver).configure(|state| state.param(init.clone()).max_iters(iterations as u64)).run();
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
