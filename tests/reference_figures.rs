//! The exercise's published figures, reproduced with the reference weights on both backends.

mod common;

use backend::{Backend, matrix_to_tensor, one_hot, scalar, sigmoid, tensor_to_vec};
use burn::tensor::{Tensor, TensorData};
use common::{exercise_set, reference_weights};
use data::DataFile;
use model::{Network, cost, evaluate};

const COST_LAMBDA_0: f64 = 0.2876291651613189;
const COST_LAMBDA_1: f64 = 0.38376985909092365;

#[test]
fn reference_cost_and_training_accuracy_on_both_backends() {
    let weights = reference_weights();
    let data = exercise_set(DataFile::Training);
    for backend in Backend::ALL {
        let device = backend.device().unwrap();
        let network = Network::from_weights(&weights, &device);
        let eval = evaluate(&network, &data, 1.0, &device);
        assert!(
            (eval.cost_unregularized - COST_LAMBDA_0).abs() <= 1e-12,
            "{backend}: cost at lambda 0 is {}, expected {COST_LAMBDA_0}",
            eval.cost_unregularized
        );
        assert!((eval.cost - COST_LAMBDA_1).abs() <= 1e-12, "{backend}: cost at lambda 1 is {}", eval.cost);
        assert_eq!((eval.correct, eval.examples), (4876, 5000), "{backend}: training accuracy");
        assert_eq!(format!("{:.2}", eval.accuracy), "97.52");
        assert_eq!(eval.per_digit.len(), 10);
        assert_eq!(eval.per_digit.iter().map(|d| d.correct).sum::<usize>(), 4876);
    }
}

#[test]
fn reference_held_out_accuracy_on_both_backends() {
    let weights = reference_weights();
    let test = exercise_set(DataFile::Test);
    for backend in Backend::ALL {
        let device = backend.device().unwrap();
        let eval = evaluate(&Network::from_weights(&weights, &device), &test, 0.0, &device);
        assert_eq!((eval.correct, eval.examples), (9339, 10000), "{backend}: held-out accuracy");
    }
}

#[test]
fn backends_agree_on_the_forward_pass() {
    let weights = reference_weights();
    let data = exercise_set(DataFile::Training);
    let outputs: Vec<Vec<f64>> = Backend::ALL
        .iter()
        .map(|b| {
            let device = b.device().unwrap();
            tensor_to_vec(Network::from_weights(&weights, &device).forward(matrix_to_tensor(&data.x, &device)))
        })
        .collect();
    let worst = outputs[0].iter().zip(&outputs[1]).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
    assert!(worst <= 1e-13, "flex and ndarray outputs differ by {worst}");
}

#[test]
fn sigmoid_of_zero_is_one_half_and_saturates_finitely() {
    for backend in Backend::ALL {
        let device = backend.device().unwrap();
        let z = Tensor::<1>::from_data(TensorData::new(vec![0.0, -1000.0, 1000.0, 2.0], [4]), &device);
        let s = tensor_to_vec(sigmoid(z));
        assert_eq!(s[0], 0.5, "{backend}");
        assert_eq!(s[1], 0.0, "{backend}");
        assert_eq!(s[2], 1.0, "{backend}");
        assert!((s[3] - 1.0 / (1.0 + (-2.0f64).exp())).abs() <= 1e-15, "{backend}: {}", s[3]);
    }
}

#[test]
fn theta_round_trip_is_exact() {
    let weights = reference_weights();
    for backend in Backend::ALL {
        let device = backend.device().unwrap();
        let back = Network::from_weights(&weights, &device).to_weights();
        for (a, b) in weights.thetas.iter().zip(&back.thetas) {
            assert_eq!(a.shape(), b.shape());
            assert!(a.as_slice().iter().zip(b.as_slice()).all(|(x, y)| x.to_bits() == y.to_bits()), "{backend}");
        }
        assert_eq!(back.layer_sizes(), data::LayerSizes::new(400, 25, 10));
    }
}

#[test]
fn cost_stays_finite_when_outputs_saturate() {
    let weights = reference_weights();
    let data = exercise_set(DataFile::Training);
    let scaled = data::Weights::new(weights.thetas.iter().map(|t| t.scaled(1000.0)).collect()).unwrap();
    for backend in Backend::ALL {
        let device = backend.device().unwrap();
        let network = Network::from_weights(&scaled, &device);
        let outputs = tensor_to_vec(network.forward(matrix_to_tensor(&data.x, &device)));
        assert!(outputs.iter().any(|&h| h == 0.0 || h == 1.0), "{backend}: outputs should saturate");
        let x = matrix_to_tensor(&data.x, &device);
        let y = one_hot(&data.labels, 10, &device);
        let j = scalar(cost(&network, x, y, 1.0));
        assert!(j.is_finite() && j > 100.0, "{backend}: cost at weights x1000 is {j}");
    }
}

#[test]
fn predicted_label_ten_is_the_digit_zero() {
    let weights = reference_weights();
    let data = exercise_set(DataFile::Training);
    let device = Backend::Flex.device().unwrap();
    let network = Network::from_weights(&weights, &device);
    // The training set stores label 10 (digit 0) first; the reference network gets it right.
    let first = data.x.select_rows(&[0]);
    assert_eq!(data.labels[0], 10);
    assert_eq!(network.predict_labels(matrix_to_tensor(&first, &device)), vec![10]);
    assert_eq!(network.predict_digits(matrix_to_tensor(&first, &device)), vec![0]);
}
