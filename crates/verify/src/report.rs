//! The report `just verify` prints: every check on the reference data, one line each.

use std::fmt;

use backend::Backend;
use data::{Dataset, Weights};
use manual::{NnCost, unroll};
use serde::Serialize;

use crate::checks::{
    Check, ExerciseCheck, FINITE_DIFFERENCE_BOUND, IMPLEMENTATION_BOUND, exercise_gradient_check, manual_vs_autodiff,
    sampled_finite_differences,
};
use crate::{DEFAULT_EPSILON, FULL_NETWORK_EPSILON, max_raw_relative_error, max_relative_error, norm};

/// What to check and how.
#[derive(Clone, Debug)]
pub struct Options {
    /// Lambdas of the full-network checks.
    pub lambdas: Vec<f64>,
    /// Coordinates sampled for finite differences on the full network.
    pub samples: usize,
    /// Seed of that sample.
    pub seed: u64,
    /// Finite-difference step of the exercise's 3-5-3 check.
    pub epsilon: f64,
    /// Finite-difference step on the full network.
    pub full_epsilon: f64,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            lambdas: vec![0.0, 1.0, 20.0],
            samples: 200,
            seed: 0,
            epsilon: DEFAULT_EPSILON,
            full_epsilon: FULL_NETWORK_EPSILON,
        }
    }
}

/// The cost and gradient norm at the reference weights, for other implementations to compare.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GradientNorm {
    pub lambda: f64,
    pub cost: f64,
    pub norm: f64,
    /// Manual against autodiff, element-wise relative error without the small-entry floor.
    pub raw_autodiff_error: f64,
}

/// Every check, with the exercise's side-by-side gradients and the published norms.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub exercise: Vec<ExerciseCheck>,
    pub checks: Vec<Check>,
    pub norms: Vec<GradientNorm>,
}

impl Report {
    /// Whether every check passed.
    pub fn passed(&self) -> bool {
        self.checks.iter().all(|c| c.passed)
    }
}

/// Runs every check: the exercise's (3-5-3, lambda 0 and 1), then on `data` with `weights`
/// at each lambda: manual against autodiff on both backends, finite differences at sampled
/// coordinates, and flex against ndarray.
pub fn run(data: &Dataset, weights: &Weights, options: &Options) -> Result<Report, backend::BackendError> {
    let flex = Backend::Flex.device()?;
    let ndarray = Backend::NdArray.device()?;
    let mut checks = Vec::new();
    let mut exercise = Vec::new();
    for lambda in [0.0, 1.0] {
        let check = exercise_gradient_check(lambda, options.epsilon, &flex);
        checks.push(Check::below(
            format!("a. exercise 3-5-3, lambda {lambda}: finite differences vs manual (relative difference)"),
            check.relative_difference,
            FINITE_DIFFERENCE_BOUND,
        ));
        exercise.push(check);
    }
    let sizes = weights.layer_sizes();
    let params = unroll(&weights.theta1, &weights.theta2);
    let mut norms = Vec::new();
    for &lambda in &options.lambdas {
        let mut manual_gradients = Vec::new();
        for (backend, device) in [(Backend::Flex, &flex), (Backend::NdArray, &ndarray)] {
            let objective = NnCost::new(&data.x, &data.labels, sizes, lambda, device);
            let agreement = manual_vs_autodiff(&objective, &params, &data.x, &data.labels, device);
            checks.push(Check::at_most(
                format!("b. {sizes}, lambda {lambda}, {backend}: manual vs autodiff (max element-wise rel. error)"),
                agreement.max_relative_error,
                IMPLEMENTATION_BOUND,
            ));
            if backend == Backend::Flex {
                let figure = sampled_finite_differences(
                    &objective,
                    &params,
                    &agreement.manual.1,
                    options.samples,
                    options.seed,
                    options.full_epsilon,
                );
                checks.push(Check::below(
                    format!(
                        "c. {sizes}, lambda {lambda}, {backend}: finite differences (eps {:e}) at {} coordinates vs manual",
                        options.full_epsilon, options.samples
                    ),
                    figure,
                    FINITE_DIFFERENCE_BOUND,
                ));
                norms.push(GradientNorm {
                    lambda,
                    cost: agreement.manual.0,
                    norm: norm(&agreement.manual.1),
                    raw_autodiff_error: max_raw_relative_error(&agreement.manual.1, &agreement.autodiff.1),
                });
            }
            manual_gradients.push(agreement.manual.1);
        }
        checks.push(Check::at_most(
            format!("d. {sizes}, lambda {lambda}: manual on flex vs manual on ndarray (max element-wise rel. error)"),
            max_relative_error(&manual_gradients[0], &manual_gradients[1]),
            IMPLEMENTATION_BOUND,
        ));
    }
    Ok(Report { exercise, checks, norms })
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for check in &self.exercise {
            writeln!(f, "Exercise gradient check, 3-5-3 network, 5 examples, lambda {}:", check.lambda)?;
            writeln!(f, "  {:>24}  {:>24}", "numerical", "analytical")?;
            for (n, a) in check.numerical.iter().zip(&check.analytical).take(10) {
                writeln!(f, "  {n:>24.16e}  {a:>24.16e}")?;
            }
            writeln!(f, "  ... ({} entries in all)", check.numerical.len())?;
            writeln!(f, "  Relative Difference: {:e}", check.relative_difference)?;
            writeln!(f)?;
        }
        writeln!(f, "{:<112} {:>10}  {:>8}  result", "check", "figure", "bound")?;
        for check in &self.checks {
            let result = if check.passed { "PASS" } else { "FAIL" };
            writeln!(f, "{:<112} {:>10.3e}  {:>8.0e}  {result}", check.name, check.figure, check.bound)?;
        }
        writeln!(f)?;
        writeln!(f, "Gradient at the reference weights (manual, flex, f64):")?;
        for n in &self.norms {
            writeln!(
                f,
                "  lambda {:<4} cost {:.16}  |grad| {:.16e}  (manual vs autodiff, raw element-wise: {:.1e})",
                n.lambda, n.cost, n.norm, n.raw_autodiff_error
            )?;
        }
        let failed = self.checks.iter().filter(|c| !c.passed).count();
        write!(f, "{} passed, {} failed", self.checks.len() - failed, failed)
    }
}
