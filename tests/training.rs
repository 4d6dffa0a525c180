//! Training across implementations: both gradient engines, every optimizer, the baseline and
//! the sweep's figures, on small problems that run in a second or two.

mod common;

use backend::Backend;
use data::{Dataset, LayerSizes, Matrix, synthetic_digits};
use model::{Network, evaluate};
use train::{Control, Engine, Monitor, Optimizer, Precision, Silent, Stop, TrainConfig, objective, sharpness, train};

fn small_config(optimizer: Optimizer, engine: Engine, iterations: usize) -> TrainConfig {
    TrainConfig { optimizer, engine, iterations, hidden: vec![10], ..TrainConfig::default() }
}

/// A synthetic set of `per_label` examples of each label.
fn small_set(per_label: usize) -> Dataset {
    synthetic_digits(per_label * 10, 5)
}

#[test]
fn every_engine_gives_the_same_gradient_descent_curve() {
    let data = small_set(20);
    let device = Backend::Flex.device().unwrap();
    let runs: Vec<_> = Engine::ALL
        .iter()
        .map(|&engine| {
            let config = TrainConfig { alpha: Some(0.5), lambda: 1.0, ..small_config(Optimizer::Gd, engine, 60) };
            train(&data, &config, &device, &mut Silent).unwrap()
        })
        .collect();
    let manual = &runs[1];
    assert_eq!(Engine::ALL[1], Engine::Manual);
    assert_eq!(manual.costs.len(), 61);
    assert!(manual.cost() < manual.costs[0] * 0.8, "gradient descent made no progress: {:?}", manual.costs);
    for (engine, other) in Engine::ALL.iter().zip(&runs) {
        assert_eq!(manual.costs.len(), other.costs.len());
        for (i, (a, b)) in manual.costs.iter().zip(&other.costs).enumerate() {
            assert!((a - b).abs() <= 1e-9 * a.abs().max(1.0), "iteration {i}: manual {a} {engine} {b}");
        }
        let max_param_difference =
            manual.params.iter().zip(&other.params).map(|(a, b)| (a - b).abs()).fold(0.0f64, f64::max);
        assert!(max_param_difference < 1e-9, "{engine}: weights differ by {max_param_difference}");
    }
}

/// Every engine in f64, and the fused engine in f32 too.
fn engines_and_precisions() -> Vec<(Engine, Precision)> {
    let mut all: Vec<_> = Engine::ALL.iter().map(|&engine| (engine, Precision::F64)).collect();
    all.push((Engine::Fused, Precision::F32));
    all
}

#[test]
fn every_optimizer_trains_with_every_engine_and_precision() {
    let data = small_set(20);
    let device = Backend::Flex.device().unwrap();
    for &optimizer in Optimizer::ALL {
        for (engine, precision) in engines_and_precisions() {
            let config = TrainConfig { precision, ..small_config(optimizer, engine, 40) };
            let run = format!("{optimizer} {engine} {precision}");
            let outcome = train(&data, &config, &device, &mut Silent).unwrap();
            assert!(!matches!(outcome.stop, Stop::Diverged { .. } | Stop::Interrupted), "{run}: {:?}", outcome.stop);
            assert!(outcome.costs.iter().all(|c| c.is_finite()));
            assert!(
                outcome.cost() < 0.7 * outcome.costs[0],
                "{run}: cost {} from {}",
                outcome.cost(),
                outcome.costs[0]
            );
            let network = Network::from_weights(&outcome.weights(), &device);
            let accuracy = evaluate(&network, &data, 0.0, &device).accuracy;
            assert!(accuracy > 30.0, "{run}: {accuracy}% after 40 iterations (chance is 10%)");
        }
    }
}

#[test]
fn f32_gradient_descent_follows_the_f64_curve() {
    // Gradient descent has no line search to branch on rounding: the f32 run's costs stay
    // within f32's rounding of the f64 run's, iteration by iteration.
    let data = small_set(20);
    let device = Backend::Flex.device().unwrap();
    let [f64_run, f32_run] = [Precision::F64, Precision::F32].map(|precision| {
        let config = TrainConfig { precision, ..small_config(Optimizer::Gd, Engine::Fused, 60) };
        train(&data, &config, &device, &mut Silent).unwrap()
    });
    assert_eq!(f64_run.costs.len(), f32_run.costs.len());
    let worst = f64_run.costs.iter().zip(&f32_run.costs).map(|(a, b)| (a - b).abs() / a).fold(0.0, f64::max);
    assert!(worst < 1e-4, "f32 and f64 gradient descent costs differ by {worst} (relative)");
    assert!(worst > 0.0, "the f32 run computed in f64");
}

#[test]
fn the_same_seed_gives_the_same_run_and_another_seed_another() {
    let data = small_set(10);
    let device = Backend::Flex.device().unwrap();
    let run = |seed| {
        train(&data, &TrainConfig { seed, ..small_config(Optimizer::Lbfgs, Engine::Manual, 15) }, &device, &mut Silent)
            .unwrap()
    };
    let (a, b, c) = (run(7), run(7), run(8));
    assert_eq!(a.params, b.params);
    assert_eq!(a.costs, b.costs);
    assert_ne!(a.params, c.params);
}

/// Stops the run after `after` iterations, as Ctrl-C does.
struct StopAfter(usize);

impl Monitor for StopAfter {
    fn iteration(&mut self, iteration: usize, _: f64) -> Control {
        if iteration >= self.0 { Control::Stop } else { Control::Continue }
    }
}

#[test]
fn a_stopped_run_returns_the_weights_it_reached() {
    let data = small_set(10);
    let device = Backend::Flex.device().unwrap();
    for &optimizer in Optimizer::ALL {
        let config = small_config(optimizer, Engine::Manual, 50);
        let outcome = train(&data, &config, &device, &mut StopAfter(5)).unwrap();
        assert_eq!(outcome.stop, Stop::Interrupted, "{optimizer}");
        assert_eq!(outcome.iterations(), 5, "{optimizer}");
        // The weights returned are the ones whose cost was recorded last.
        let objective =
            objective(Engine::Manual, Precision::F64, &data, &outcome.architecture, config.lambda, &device).unwrap();
        let (cost, _) = objective.cost_and_gradient(&outcome.params);
        assert!((cost - outcome.cost()).abs() < 1e-12, "{optimizer}: {cost} vs {}", outcome.cost());
    }
}

#[test]
fn a_diverging_run_stops_and_names_the_iteration() {
    let data = small_set(10);
    let device = Backend::Flex.device().unwrap();
    let config = TrainConfig { alpha: Some(1e6), lambda: 1e9, ..small_config(Optimizer::Gd, Engine::Manual, 100) };
    let outcome = train(&data, &config, &device, &mut Silent).unwrap();
    let Stop::Diverged { iteration, message, .. } = &outcome.stop else {
        panic!("did not diverge: {:?}", outcome.stop)
    };
    assert!(*iteration >= 1 && *iteration < 100);
    assert!(message.contains(&format!("iteration {iteration}")), "{message}");
    assert!(outcome.params.iter().all(|p| p.is_finite()));
    assert!(outcome.costs.iter().all(|c| c.is_finite()));
}

#[test]
fn invalid_configurations_are_refused_before_training() {
    let data = small_set(2);
    let device = Backend::Flex.device().unwrap();
    for (config, flag) in [
        (TrainConfig { lambda: -1.0, ..TrainConfig::default() }, "--lambda"),
        (TrainConfig { lambda: f64::NAN, ..TrainConfig::default() }, "--lambda"),
        (TrainConfig { iterations: 0, ..TrainConfig::default() }, "--iterations"),
        (TrainConfig { alpha: Some(0.0), ..TrainConfig::default() }, "--alpha"),
        (TrainConfig { hidden: vec![0], ..TrainConfig::default() }, "--hidden"),
        (TrainConfig { hidden: vec![], ..TrainConfig::default() }, "--hidden"),
        (TrainConfig { init_epsilon: -0.1, ..TrainConfig::default() }, "--init-epsilon"),
        (TrainConfig { precision: Precision::F32, engine: Engine::Manual, ..TrainConfig::default() }, "--precision"),
        (TrainConfig { precision: Precision::F32, engine: Engine::Autodiff, ..TrainConfig::default() }, "--precision"),
    ] {
        let error = train(&data, &config, &device, &mut Silent).unwrap_err();
        assert_eq!(error.flag, flag);
    }
}

#[test]
fn lr_cost_function_gradient_matches_finite_differences() {
    let data = small_set(3);
    let y: Vec<bool> = data.labels.iter().map(|&l| l == 4).collect();
    let theta: Vec<f64> = (0..401).map(|j| ((j * 37 % 101) as f64 / 101.0 - 0.5) * 0.1).collect();
    let (_, gradient) = train::lr_cost_function(&theta, &data.x, &y, 0.7);
    let eps = 1e-6;
    for j in [0, 1, 57, 200, 400] {
        let mut plus = theta.clone();
        let mut minus = theta.clone();
        plus[j] += eps;
        minus[j] -= eps;
        let numeric = (train::lr_cost_function(&plus, &data.x, &y, 0.7).0
            - train::lr_cost_function(&minus, &data.x, &y, 0.7).0)
            / (2.0 * eps);
        assert!(
            (numeric - gradient[j]).abs() < 1e-7 * gradient[j].abs().max(1e-3),
            "j {j}: {numeric} vs {}",
            gradient[j]
        );
    }
}

#[test]
fn the_baseline_learns_the_synthetic_digits() {
    let data = synthetic_digits(1000, 2);
    let baseline = train::one_vs_all(&data, 10, train::BASELINE_LAMBDA, 30);
    let predictions = train::predict_one_vs_all(&baseline, &data.x);
    let correct = predictions.iter().zip(&data.labels).filter(|(p, l)| p == l).count();
    assert!(correct > 900, "{correct} of 1000");
    assert_eq!(baseline.all_theta.shape(), (10, 401));
}

#[test]
fn sharpness_is_lower_for_smooth_hidden_images_than_for_noise() {
    let sizes = LayerSizes::new(400, 5, 10);
    let noise = manual::reshape(&manual::random_params(&sizes, manual::Init::Uniform(0.12), 3), &sizes).swap_remove(0);
    let smooth = Matrix::from_fn(5, 401, |j, i| {
        if i == 0 {
            return 0.0;
        }
        let (col, row) = ((i - 1) / 20, (i - 1) % 20);
        ((row as f64 / 6.0 + j as f64).sin() + (col as f64 / 7.0).cos()) * 0.1
    });
    let (noisy, smooth) = (sharpness(&noise, 20), sharpness(&smooth, 20));
    assert!(noisy > 0.2, "noise {noisy}");
    assert!(smooth < 0.1, "smooth {smooth}");
}

#[test]
fn on_the_exercise_data_lbfgs_reaches_95_percent_in_50_iterations() {
    let data = common::exercise_set(data::DataFile::Training);
    let device = Backend::Flex.device().unwrap();
    let config = TrainConfig { iterations: 50, ..TrainConfig::default() };
    let outcome = train(&data, &config, &device, &mut Silent).unwrap();
    let network = Network::from_weights(&outcome.weights(), &device);
    let accuracy = evaluate(&network, &data, 1.0, &device).accuracy;
    assert!(accuracy >= 95.0, "{accuracy}%");
}

#[test]
fn on_the_exercise_data_f32_and_f64_reach_the_same_accuracy() {
    // The default run (L-BFGS, 100 iterations, lambda 1) in both precisions of the fused engine.
    let data = common::exercise_set(data::DataFile::Training);
    let device = Backend::Flex.device().unwrap();
    let [f64_accuracy, f32_accuracy] = [Precision::F64, Precision::F32].map(|precision| {
        let outcome = train(&data, &TrainConfig { precision, ..TrainConfig::default() }, &device, &mut Silent).unwrap();
        assert!(!matches!(outcome.stop, Stop::Diverged { .. }), "{precision}: {:?}", outcome.stop);
        let network = Network::from_weights(&outcome.weights(), &device);
        evaluate(&network, &data, 1.0, &device).accuracy
    });
    assert!(f64_accuracy >= 97.0, "f64: {f64_accuracy}%");
    assert!((f32_accuracy - f64_accuracy).abs() <= 0.5, "f32 {f32_accuracy}% against f64 {f64_accuracy}%");
}

#[test]
fn on_the_exercise_data_the_baseline_reaches_about_95_percent() {
    let data = common::exercise_set(data::DataFile::Training);
    let baseline = train::one_vs_all(&data, 10, train::BASELINE_LAMBDA, train::BASELINE_ITERATIONS);
    let predictions = train::predict_one_vs_all(&baseline, &data.x);
    let accuracy = 100.0 * predictions.iter().zip(&data.labels).filter(|(p, l)| p == l).count() as f64 / 5000.0;
    // The exercise reports 94.9% (fmincg, 50 iterations, lambda 0.1).
    assert!((94.0..=96.0).contains(&accuracy), "{accuracy}%");
}

/// The deeper networks of the README, trained as it says (L-BFGS, 300 iterations, lambda 1,
/// seed 0) with the default engine: at least 95% held-out for 400-100-25-10 sigmoid, 94.5% for
/// 400-100-10 tanh and ReLU under a softmax; and the same seed gives the same weights.
#[test]
fn on_the_exercise_data_deeper_networks_reach_the_readmes_held_out_accuracy() {
    use data::{Activation, Output};
    let data = common::exercise_set(data::DataFile::Training);
    let test = common::exercise_set(data::DataFile::Test);
    let device = Backend::Flex.device().unwrap();
    for (hidden, activation, output, bar) in [
        (vec![100, 25], Activation::Sigmoid, Output::Sigmoid, 95.0),
        (vec![100], Activation::Tanh, Output::Softmax, 94.5),
        (vec![100], Activation::Relu, Output::Softmax, 94.5),
    ] {
        let config = TrainConfig { iterations: 300, hidden, activation, output, ..TrainConfig::default() };
        let outcome = train(&data, &config, &device, &mut Silent).unwrap();
        assert_eq!(outcome.stop, Stop::Completed, "{}", outcome.architecture);
        let network = Network::from_weights(&outcome.weights(), &device);
        let accuracy = evaluate(&network, &test, 1.0, &device).accuracy;
        assert!(accuracy >= bar, "{}: {accuracy}% held-out, below {bar}%", outcome.architecture);
        if activation == Activation::Sigmoid {
            let again = train(&data, &config, &device, &mut Silent).unwrap();
            assert_eq!(again.params, outcome.params, "the same seed gave other weights");
        }
    }
}
