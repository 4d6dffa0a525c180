//! The model's tests, one binary: each module one concern.

mod config;
mod evaluation;
mod gradient;
mod prediction;
mod round_trip;
mod softmax;

use backend::Backend;
use burn::tensor::Device;
use data::{Activation, Matrix, Output, Weights};

/// Both backends' devices, in f64.
pub fn devices() -> Vec<Device> {
    Backend::ALL.iter().map(|b| b.device().expect("an f64 device")).collect()
}

/// Every (activation, output) pair.
pub fn every_kind() -> Vec<(Activation, Output)> {
    Activation::ALL.iter().flat_map(|&a| Output::ALL.iter().map(move |&o| (a, o))).collect()
}

/// A deterministic `rows x cols` matrix of values in `[-scale, scale]` (the exercise's
/// `debugInitializeWeights` idea: sines of the entry's number), `phase` telling matrices
/// apart.
pub fn sines(rows: usize, cols: usize, scale: f64, phase: f64) -> Matrix {
    Matrix::from_fn(rows, cols, |r, c| scale * ((r * cols + c) as f64 + phase).sin())
}

/// Weights of a network of these layer sizes, input first, of this kind.
pub fn weights(layers: &[usize], activation: Activation, output: Output) -> Weights {
    let thetas = layers.windows(2).enumerate().map(|(l, w)| sines(w[1], w[0] + 1, 0.8, 1.0 + 7.0 * l as f64)).collect();
    Weights::new(thetas).expect("layers fit").with_kind(activation, output)
}

/// `[Theta1(:); ...; ThetaL(:)]`, column-major, computed here rather than taken from the
/// crate under test.
pub fn unroll(weights: &Weights) -> Vec<f64> {
    weights.thetas.iter().flat_map(Matrix::to_column_major).collect()
}
