//! Every engine against the exercise's own figures: costs, unrolled gradients, predictions,
//! the gradient-check network and `sigmoidGradient`, as the exercise's Octave code computed
//! them (`tests/fixtures/octave_ex4_reference.mat`; see `tests/fixtures/README.md`).
//!
//! Bounds: a cost to 1e-14 relative; a gradient's every entry to 1e-10 of the gradient's
//! largest entry; predictions identical; the debug network's weights and examples identical.
//! The fused engine in f32 is held to its own type's rounding.

mod common;

use std::path::PathBuf;

use backend::{Backend, matrix_to_tensor, tensor_to_vec};
use burn::tensor::{Tensor, TensorData};
use common::{exercise_set, reference_weights};
use data::{Architecture, DataFile, LayerSizes, Matrix};
use fused::{FusedNnCost, Layout};
use manual::{NnCost, debug_initialize_weights, sigmoid_gradient, unroll};
use model::Network;
use sha2::{Digest, Sha256};

/// Relative error a cost may have against Octave's.
const COST_BOUND: f64 = 1e-14;
/// Largest difference a gradient entry may have against Octave's, relative to the largest
/// entry of Octave's gradient.
const GRADIENT_BOUND: f64 = 1e-10;
/// The fixture's SHA-256, as `tests/fixtures/README.md` gives it.
const FIXTURE_SHA256: &str = "faa7ec6bcd19f3d5c7bd3e55c463078aa9b6427dca59a9e5c0a5415f3c582dd2";

fn fixture_path() -> PathBuf {
    data::workspace_root().join("tests/fixtures/octave_ex4_reference.mat")
}

/// The fixture's real variables `names`, in that order, read by our own MAT reader.
fn reference(names: &[&str]) -> Vec<Matrix> {
    let path = fixture_path();
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let read = data::mat::read_matrices(&path, &bytes, names).unwrap_or_else(|e| panic!("{e}"));
    read.into_iter().map(|r| r.matrix).collect()
}

/// A 1x1 variable's value.
fn scalar(matrix: &Matrix) -> f64 {
    assert_eq!(matrix.shape(), (1, 1));
    matrix.get(0, 0)
}

/// A column vector's values.
fn column(matrix: &Matrix) -> Vec<f64> {
    assert_eq!(matrix.cols(), 1);
    matrix.as_slice().to_vec()
}

/// `(relative cost error, largest gradient difference relative to the largest entry of the
/// reference gradient)`.
fn errors((cost, gradient): &(f64, Vec<f64>), expected_cost: f64, expected_gradient: &[f64]) -> (f64, f64) {
    assert_eq!(gradient.len(), expected_gradient.len());
    let largest = expected_gradient.iter().map(|g| g.abs()).fold(0.0, f64::max);
    let worst = gradient.iter().zip(expected_gradient).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
    ((cost - expected_cost).abs() / expected_cost.abs(), worst / largest)
}

/// A cost-and-gradient function of the unrolled parameters at one lambda, named.
type Engine<'a> = (String, Box<dyn Fn(&[f64]) -> (f64, Vec<f64>) + 'a>);

/// Every engine on `x`, `labels` at `lambda`: the fused engine as training builds it and in
/// each layout, the tensor backpropagation and burn's autodiff on both backends.
fn engines<'a>(x: &'a Matrix, labels: &'a [usize], sizes: &LayerSizes, lambda: f64) -> Vec<Engine<'a>> {
    let architecture = Architecture::sigmoid(sizes.clone());
    let mut engines: Vec<Engine<'a>> = Vec::new();
    let fused = FusedNnCost::<f64>::new(x, labels, &architecture, lambda);
    engines.push((
        format!("fused f64 ({:?}, the default)", fused.layout()),
        Box::new(move |p| fused.cost_and_gradient(p)),
    ));
    for layout in [Layout::Dense, Layout::Sparse] {
        let fused = FusedNnCost::<f64>::with_layout(x, labels, &architecture, lambda, layout);
        engines.push((format!("fused f64 {layout:?}"), Box::new(move |p| fused.cost_and_gradient(p))));
    }
    for backend in Backend::ALL {
        let device = backend.device().unwrap();
        let manual = NnCost::new(x, labels, &architecture, lambda, &device);
        engines.push((format!("manual {backend}"), Box::new(move |p| manual.cost_and_gradient(p))));
        engines.push((
            format!("autodiff {backend}"),
            Box::new({
                let architecture = architecture.clone();
                move |p| verify::autodiff_cost_and_gradient(p, &architecture, x, labels, lambda, &device)
            }),
        ));
    }
    engines
}

/// Checks every engine against Octave's cost and gradient at each `(lambda, cost, gradient)`
/// of a network of `sizes` at `params`, printing each engine's worst figures (`--nocapture`
/// shows them).
fn check_every_engine(
    problem: &str,
    (sizes, params): (&LayerSizes, &[f64]),
    (x, labels): (&Matrix, &[usize]),
    cases: &[(f64, f64, Vec<f64>)],
) {
    let mut failures = Vec::new();
    // Each engine's name and worst figures, in the order `engines` gives them.
    let mut worst: Vec<(String, f64, f64)> = Vec::new();
    for (lambda, expected_cost, expected_gradient) in cases {
        for (i, (name, engine)) in engines(x, labels, sizes, *lambda).into_iter().enumerate() {
            let (cost_error, gradient_error) = errors(&engine(params), *expected_cost, expected_gradient);
            if i == worst.len() {
                worst.push((name.clone(), 0.0, 0.0));
            }
            worst[i] = (name.clone(), worst[i].1.max(cost_error), worst[i].2.max(gradient_error));
            if !(cost_error <= COST_BOUND && gradient_error <= GRADIENT_BOUND) {
                failures.push(format!(
                    "{name}, lambda {lambda}: cost {cost_error:.2e} (bound {COST_BOUND:.0e}), gradient \
                     {gradient_error:.2e} (bound {GRADIENT_BOUND:.0e})"
                ));
            }
        }
    }
    for (name, cost, gradient) in &worst {
        eprintln!("{problem}: {name:<32} worst cost error {cost:.2e}, worst gradient error {gradient:.2e}");
    }
    assert!(failures.is_empty(), "{problem}, against Octave:\n{}", failures.join("\n"));
}

#[test]
fn the_fixture_is_the_file_octave_wrote() {
    let bytes = std::fs::read(fixture_path()).unwrap();
    let digest: String = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(digest, FIXTURE_SHA256, "tests/fixtures/octave_ex4_reference.mat was changed");
}

#[test]
fn every_engine_gives_octaves_cost_and_gradient_on_the_reference_network() {
    let [j0, j1, grad0, grad1] = <[Matrix; 4]>::try_from(reference(&["J0", "J1", "grad0", "grad1"])).unwrap();
    let weights = reference_weights();
    let data = exercise_set(DataFile::Training);
    let params = unroll(&weights.thetas);
    assert_eq!((grad0.shape(), grad1.shape()), ((10285, 1), (10285, 1)));
    check_every_engine(
        "reference network",
        (&weights.layer_sizes(), &params),
        (&data.x, &data.labels),
        &[(0.0, scalar(&j0), column(&grad0)), (1.0, scalar(&j1), column(&grad1))],
    );
}

#[test]
fn the_fused_engine_in_f32_gives_octaves_figures_to_f32_rounding() {
    // f32 keeps 24 bits (ε ≈ 6e-8): measured here, in both layouts, the cost within 2e-8
    // (relative) and the gradient within 7e-6 of its largest entry; the bounds leave a margin
    // of about four. The two slips README's comparison shows are off by 0.098 and 0.45.
    const F32_COST_BOUND: f64 = 1e-7;
    const F32_GRADIENT_BOUND: f64 = 3e-5;
    let [j0, j1, grad0, grad1] = <[Matrix; 4]>::try_from(reference(&["J0", "J1", "grad0", "grad1"])).unwrap();
    let weights = reference_weights();
    let data = exercise_set(DataFile::Training);
    let params = unroll(&weights.thetas);
    for (lambda, cost, gradient) in [(0.0, &j0, &grad0), (1.0, &j1, &grad1)] {
        for layout in [Layout::Dense, Layout::Sparse] {
            let fused = FusedNnCost::<f32>::with_layout(&data.x, &data.labels, &weights.architecture(), lambda, layout);
            let (cost_error, gradient_error) =
                errors(&fused.cost_and_gradient(&params), scalar(cost), &column(gradient));
            eprintln!("fused f32 {layout:?}, lambda {lambda}: cost {cost_error:.2e}, gradient {gradient_error:.2e}");
            assert!(cost_error <= F32_COST_BOUND, "{layout:?}, lambda {lambda}: cost {cost_error:e}");
            assert!(gradient_error <= F32_GRADIENT_BOUND, "{layout:?}, lambda {lambda}: gradient {gradient_error:e}");
            assert!(gradient_error > 1e-10, "{layout:?}: the f32 engine computed in f64");
        }
    }
}

#[test]
fn predictions_are_octaves_on_both_backends() {
    let [predictions] = <[Matrix; 1]>::try_from(reference(&["predictions"])).unwrap();
    let expected: Vec<usize> = column(&predictions).iter().map(|&p| p as usize).collect();
    assert_eq!(expected.len(), 5000);
    let weights = reference_weights();
    let data = exercise_set(DataFile::Training);
    for backend in Backend::ALL {
        let device = backend.device().unwrap();
        let network = Network::from_weights(&weights, &device);
        let labels = network.predict_labels(matrix_to_tensor(&data.x, &device));
        let differing = labels.iter().zip(&expected).filter(|(a, b)| a != b).count();
        assert_eq!(differing, 0, "{backend}: {differing} of 5000 predictions differ from Octave's");
    }
    let correct = expected.iter().zip(&data.labels).filter(|(p, y)| p == y).count();
    assert_eq!(correct, 4876);
}

#[test]
fn the_debug_network_is_octaves_and_every_engine_gives_its_cost_and_gradient() {
    let names = ["dT1", "dT2", "dX", "dy", "dJ0", "dgrad0", "dJ3", "dgrad3"];
    let [t1, t2, x, y, j0, grad0, j3, grad3] = <[Matrix; 8]>::try_from(reference(&names)).unwrap();
    // debugInitializeWeights(5, 3), (3, 5) and (5, 2), to the bit.
    let bits = |m: &Matrix| m.as_slice().iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    for (ours, octave, name) in [
        (debug_initialize_weights(5, 3), &t1, "dT1"),
        (debug_initialize_weights(3, 5), &t2, "dT2"),
        (debug_initialize_weights(5, 2), &x, "dX"),
    ] {
        assert_eq!(ours.shape(), octave.shape(), "{name}");
        assert_eq!(bits(&ours), bits(octave), "{name}: debug_initialize_weights differs from Octave's");
    }
    // y = 1 + mod(1:5, 3)'
    let labels: Vec<usize> = (1..=5).map(|i| 1 + i % 3).collect();
    assert_eq!(column(&y), labels.iter().map(|&l| l as f64).collect::<Vec<_>>());
    // The problem the gradient checks run is this one.
    let (sizes, params, check_x, check_labels) = verify::checks::exercise_problem();
    assert_eq!((&sizes, &params), (&LayerSizes::new(3, 5, 3), &unroll(&[t1, t2])));
    assert_eq!((&check_x, &check_labels), (&x, &labels));
    check_every_engine(
        "debug network",
        (&sizes, &params),
        (&x, &labels),
        &[(0.0, scalar(&j0), column(&grad0)), (3.0, scalar(&j3), column(&grad3))],
    );
}

#[test]
fn sigmoid_gradient_is_octaves_on_both_backends() {
    let [sg] = <[Matrix; 1]>::try_from(reference(&["sg"])).unwrap();
    let expected = sg.as_slice();
    let z = [-1.0, -0.5, 0.0, 0.5, 1.0];
    for backend in Backend::ALL {
        let device = backend.device().unwrap();
        let ours = tensor_to_vec(sigmoid_gradient(Tensor::<1>::from_data(TensorData::new(z.to_vec(), [5]), &device)));
        for ((a, b), z) in ours.iter().zip(expected).zip(z) {
            let error = (a - b).abs() / b.abs();
            eprintln!("{backend}: sigmoid_gradient({z}) = {a:e}, Octave {b:e}, relative error {error:.2e}");
            assert!(error <= COST_BOUND, "{backend}: sigmoid_gradient({z}) is {a}, Octave's {b}");
        }
    }
}
