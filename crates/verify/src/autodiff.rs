//! The gradient according to burn's autodiff on the model crate's cost.

use backend::{matrix_to_tensor, one_hot};
use burn::tensor::Device;
use data::{Architecture, Matrix};

/// The cost and its gradient at the unrolled `params`, by `backward()` through
/// [`model::cost`] on `device.autodiff()` ([`model::cost_and_gradient`]). The gradient is
/// unrolled like `params` (see [`manual::unroll`] and [`model::Network::from_unrolled`]).
pub fn autodiff_cost_and_gradient(
    params: &[f64],
    architecture: &Architecture,
    x: &Matrix,
    labels: &[usize],
    lambda: f64,
    device: &Device,
) -> (f64, Vec<f64>) {
    let device = device.clone().autodiff();
    model::cost_and_gradient(
        params,
        architecture,
        matrix_to_tensor(x, &device),
        one_hot(labels, architecture.sizes.labels(), &device),
        lambda,
        &device,
    )
}
