//! The report `just verify` prints: every check, per weight matrix, on the exercise's network
//! and data and on networks of every depth, activation and output.

use std::fmt;

use backend::Backend;
use data::{Activation, Architecture, Dataset, LayerSizes, Matrix, Output, Weights};
use manual::unroll;
use serde::Serialize;

use crate::checks::{
    Check, Coordinates, ExerciseCheck, FINITE_DIFFERENCE_BOUND, IMPLEMENTATION_BOUND, NetworkCheck, check_network,
    debug_problem, depth_networks, exercise_gradient_check, kink_problem,
};
use crate::{DEFAULT_EPSILON, FULL_NETWORK_EPSILON, max_raw_relative_error, norm};

/// What to check and how.
#[derive(Clone, Debug)]
pub struct Options {
    /// Lambdas of the full-network checks.
    pub lambdas: Vec<f64>,
    /// Coordinates of each weight matrix sampled for finite differences on the full network.
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

/// Every check, with the exercise's side-by-side gradients, the published norms and each
/// network's per-matrix comparisons.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub exercise: Vec<ExerciseCheck>,
    pub checks: Vec<Check>,
    pub norms: Vec<GradientNorm>,
    /// Each network checked, with its group (`b` the reference weights at each lambda, `c`
    /// every depth, activation and output, `e` the kink, `d` deeper networks on the data).
    pub networks: Vec<(&'static str, NetworkCheck)>,
}

impl Report {
    /// Whether every check passed.
    pub fn passed(&self) -> bool {
        self.checks.iter().all(|c| c.passed)
    }
}

/// The lambda of the checks at every depth.
pub const DEPTH_LAMBDA: f64 = 1.0;
/// The deeper networks checked on the exercise's data, at random weights (seed 0, the default
/// initialization): two hidden layers of sigmoids, and one of ReLUs under a softmax, whose
/// finite differences meet the kink.
pub fn data_networks(input: usize, labels: usize) -> Vec<Architecture> {
    vec![
        Architecture::sigmoid(LayerSizes::with_hidden(input, &[100, 25], labels)),
        Architecture::new(LayerSizes::new(input, 100, labels), Activation::Relu, Output::Softmax),
    ]
}
/// Coordinates per weight matrix of the finite differences on the deeper networks.
pub const DATA_NETWORK_SAMPLES: usize = 20;

/// Runs every check: the exercise's (3-5-3, lambda 0 and 1); then on `data` with `weights` at
/// each lambda: manual against autodiff on both backends, finite differences at sampled
/// coordinates of each weight matrix, and flex against ndarray; then the same at lambda 1 on
/// the small networks of every depth, activation and output ([`depth_networks`], debug weights,
/// every coordinate), and on deeper networks on `data` ([`data_networks`]).
pub fn run(data: &Dataset, weights: &Weights, options: &Options) -> Result<Report, backend::BackendError> {
    let flex = Backend::Flex.device()?;
    let ndarray = Backend::NdArray.device()?;
    let devices = [(Backend::Flex, flex.clone()), (Backend::NdArray, ndarray)];
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
    let architecture = weights.architecture();
    let params = unroll(&weights.thetas);
    let sampled = Coordinates::PerMatrix { count: options.samples, seed: options.seed };
    let mut norms = Vec::new();
    let mut networks = Vec::new();
    for &lambda in &options.lambdas {
        let network = check_network(
            &architecture,
            &params,
            &data.x,
            &data.labels,
            lambda,
            sampled,
            options.full_epsilon,
            &devices,
        );
        checks.extend(network.checks("b. "));
        norms.push(GradientNorm {
            lambda,
            cost: network.cost,
            norm: norm(&network.gradient),
            raw_autodiff_error: max_raw_relative_error(&network.gradient, &network.gradient_autodiff),
        });
        networks.push(("b", network));
    }
    // The checks beyond the exercise's network: at lambda 1, with the full network's step.
    let at_depth = |architecture: &Architecture, params: &[f64], x: &Matrix, labels: &[usize], coordinates| {
        check_network(architecture, params, x, labels, DEPTH_LAMBDA, coordinates, options.full_epsilon, &devices)
    };
    for architecture in depth_networks() {
        let (params, x, labels) = debug_problem(&architecture.sizes);
        let network = at_depth(&architecture, &params, &x, &labels, Coordinates::All);
        checks.extend(network.checks("c. "));
        networks.push(("c", network));
    }
    let (architecture, params, x, labels) = kink_problem();
    let kink = at_depth(&architecture, &params, &x, &labels, Coordinates::All);
    checks.extend(kink.checks("e. "));
    if let Some(averaged) = kink.at_kinks {
        checks.push(Check::above(
            format!("e. {}: the stencils across the kink, averaged in, fail (relative difference)", kink.network),
            averaged,
            FINITE_DIFFERENCE_BOUND,
        ));
    }
    networks.push(("e", kink));
    for architecture in data_networks(data.num_features(), weights.layer_sizes().labels()) {
        let params = manual::random_params(&architecture.sizes, manual::Init::default_for(&architecture.sizes), 0);
        let coordinates = Coordinates::PerMatrix { count: DATA_NETWORK_SAMPLES, seed: options.seed };
        let network = at_depth(&architecture, &params, &data.x, &data.labels, coordinates);
        checks.extend(network.checks("d. "));
        networks.push(("d", network));
    }
    Ok(Report { exercise, checks, norms, networks })
}

/// Writes one network's comparisons as a table, one row per weight matrix.
fn write_network(f: &mut fmt::Formatter<'_>, network: &NetworkCheck, what: &str) -> fmt::Result {
    writeln!(f, "{} ({what}), lambda {}, eps {:e}", network.network, network.lambda, network.epsilon)?;
    let backends: Vec<&str> = network.autodiff.iter().map(|(b, _)| b.as_str()).collect();
    write!(f, "  {:<7} {:>8} {:>7} {:>12}", "matrix", "compared", "at kink", "fd rel.diff")?;
    for b in &backends {
        write!(f, " {:>15}", format!("autodiff {b}"))?;
    }
    if network.backends.is_some() {
        write!(f, " {:>15}", "flex vs ndarray")?;
    }
    writeln!(f, "  largest finite-difference error: manual vs numerical")?;
    for (l, fd) in network.finite_differences.iter().enumerate() {
        write!(f, "  {:<7} {:>8} {:>7} {:>12.2e}", fd.matrix, fd.compared, fd.skipped, fd.relative_difference)?;
        for (_, matrices) in &network.autodiff {
            write!(f, " {:>15.2e}", matrices[l].max_relative_error())?;
        }
        if let Some(backends) = &network.backends {
            write!(f, " {:>15.2e}", backends[l].max_relative_error())?;
        }
        let error = fd.largest.as_ref().map_or(String::new(), |e| format!(" ({:.1e})", e.relative_error));
        writeln!(f, "  {}{error}", fd.location())?;
    }
    if let Some(averaged) = network.at_kinks {
        writeln!(
            f,
            "  {} stencils cross the kink and are left out; averaged in, their relative difference would be {averaged:.2e}",
            network.skipped()
        )?;
    }
    Ok(())
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
        writeln!(
            f,
            "Per weight matrix: manual (hand-written backpropagation) against finite differences (kinks left out),"
        )?;
        writeln!(f, "against burn's autodiff on each backend, and against itself on the other backend.")?;
        writeln!(f, "b. the reference weights on the exercise's data; c. every depth, activation and output on")?;
        writeln!(
            f,
            "the debug weights; d. deeper networks on the exercise's data at random weights (seed 0); e. ReLUs"
        )?;
        writeln!(f, "with an input z exactly at the kink.")?;
        writeln!(f)?;
        for (_, network) in &self.networks {
            let what = match network.coordinates {
                Coordinates::All => "debug weights, 5 examples, every coordinate".to_string(),
                Coordinates::PerMatrix { count, .. } => format!("{count} coordinates per matrix at most"),
            };
            write_network(f, network, &what)?;
        }
        writeln!(f)?;
        let exercise_checks = self.checks.iter().filter(|c| c.name.starts_with("a. "));
        writeln!(f, "{:<112} {:>10}  {:>8}  result", "check", "figure", "bound")?;
        for check in exercise_checks {
            let result = if check.passed { "PASS" } else { "FAIL" };
            writeln!(f, "{:<112} {:>10.3e}  {:>8.0e}  {result}", check.name, check.figure, check.bound)?;
        }
        let failures: Vec<&Check> = self.checks.iter().filter(|c| !c.passed).collect();
        for check in &failures {
            writeln!(f, "FAIL {:<107} {:>10.3e}  {:>8.0e}", check.name, check.figure, check.bound)?;
        }
        let worst = |group: &str, figure: fn(&NetworkCheck) -> f64| {
            self.networks.iter().filter(|(g, _)| *g == group).map(|(_, n)| figure(n)).fold(0.0, f64::max)
        };
        for (group, what) in
            [("b", "reference weights"), ("c", "every depth"), ("d", "deeper, on the data"), ("e", "at the kink")]
        {
            writeln!(
                f,
                "{group}. {what}: largest finite-difference relative difference {:.2e} (bound {FINITE_DIFFERENCE_BOUND:.0e}), \
                 largest implementation error {:.2e} (bound {IMPLEMENTATION_BOUND:.0e})",
                worst(group, NetworkCheck::worst_finite_difference),
                worst(group, NetworkCheck::worst_implementation_error)
            )?;
        }
        let skipped: usize = self.networks.iter().map(|(_, n)| n.skipped()).sum();
        let averaged = self.networks.iter().filter_map(|(_, n)| n.at_kinks).fold(f64::INFINITY, f64::min);
        write!(f, "finite-difference stencils across ReLU's kink, left out: {skipped}")?;
        if averaged.is_finite() {
            write!(f, " (averaged in, they would differ from manual by {averaged:.2e} at least)")?;
        }
        writeln!(f)?;
        writeln!(f)?;
        writeln!(f, "Gradient at the reference weights (manual, flex, f64):")?;
        for n in &self.norms {
            writeln!(
                f,
                "  lambda {:<4} cost {:.16}  |grad| {:.16e}  (manual vs autodiff, raw element-wise: {:.1e})",
                n.lambda, n.cost, n.norm, n.raw_autodiff_error
            )?;
        }
        let failed = failures.len();
        write!(f, "{} checks: {} passed, {} failed", self.checks.len(), self.checks.len() - failed, failed)
    }
}
