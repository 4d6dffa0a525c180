//! The gradient according to burn's autodiff on the model crate's cost.

use backend::{matrix_to_tensor, one_hot, scalar, tensor_to_vec};
use burn::tensor::Device;
use data::{LayerSizes, Matrix, Weights};
use model::{Network, cost};

/// The cost and its gradient at the unrolled `params`, by `backward()` through
/// [`model::cost`] on `device.autodiff()`. The gradient is unrolled like `params`
/// (see [`manual::unroll`]): per Theta, the bias gradient is column 0 and the weight gradient,
/// transposed, the other columns.
pub fn autodiff_cost_and_gradient(
    params: &[f64],
    sizes: LayerSizes,
    x: &Matrix,
    labels: &[usize],
    lambda: f64,
    device: &Device,
) -> (f64, Vec<f64>) {
    let device = device.clone().autodiff();
    let (theta1, theta2) = manual::reshape(params, sizes);
    let weights = Weights::new(theta1, theta2).expect("reshape gives matching Thetas");
    let network = Network::from_weights(&weights, &device);
    let j = cost(&network, matrix_to_tensor(x, &device), one_hot(labels, sizes.labels, &device), lambda);
    let grads = j.backward();
    let mut gradient = Vec::with_capacity(params.len());
    for layer in [&network.hidden, &network.output] {
        // Column-major Theta gradient: the bias column first, then one column per input,
        // which is a row of the [inputs, outputs] weight gradient.
        gradient.extend(tensor_to_vec(layer.bias.val().grad(&grads).expect("bias gradient")));
        gradient.extend(tensor_to_vec(layer.weight.val().grad(&grads).expect("weight gradient")));
    }
    (scalar(j), gradient)
}
