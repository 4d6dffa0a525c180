//! The network as the exercise's unrolled parameter vector `[Theta1(:); ...; ThetaL(:)]`,
//! the form every optimizer works on.
//!
//! Column-major, each Theta's first column is its bias; every further column holds one input's
//! weights to all the layer's units, which is a row of the `[inputs, outputs]` weight tensor.
//! So a layer's slice is `bias` followed by `weight` read row-major: no copy or transpose.

use backend::{scalar, tensor_to_vec};
use burn::prelude::*;
use burn::tensor::Gradients;
use data::Architecture;

use crate::{Layer, Network, cost};

impl Layer {
    /// A layer from its slice of the unrolled vector, `Theta_l(:)`: `outputs` biases, then the
    /// `[inputs, outputs]` weights row-major.
    ///
    /// # Panics
    /// When `part` has other than `outputs * (inputs + 1)` entries.
    pub fn from_unrolled(part: &[f64], inputs: usize, outputs: usize, device: &Device) -> Self {
        assert_eq!(part.len(), outputs * (inputs + 1), "{} values for a {inputs}->{outputs} layer", part.len());
        let bias = TensorData::new(part[..outputs].to_vec(), [outputs]);
        let weight = TensorData::new(part[outputs..].to_vec(), [inputs, outputs]);
        Self::new(Tensor::from_data(weight, device), Tensor::from_data(bias, device))
    }
}

impl Network {
    /// The network holding the unrolled parameters `params` of an `architecture` network:
    /// `Theta_l` is `params[offsets[l-1]..offsets[l]]` (see [`data::LayerSizes::offsets`]).
    ///
    /// # Panics
    /// When `params` has other than `architecture.sizes.num_params()` entries.
    pub fn from_unrolled(params: &[f64], architecture: &Architecture, device: &Device) -> Self {
        let sizes = &architecture.sizes;
        assert_eq!(params.len(), sizes.num_params(), "{} parameters for a {sizes} network", params.len());
        let offsets = sizes.offsets();
        let layers = sizes
            .layers()
            .windows(2)
            .zip(offsets.windows(2))
            .map(|(s, o)| Layer::from_unrolled(&params[o[0]..o[1]], s[0], s[1], device))
            .collect();
        Self::new(layers, architecture.activation, architecture.output)
    }

    /// The gradient of a cost with respect to this network's parameters, unrolled like the
    /// parameters, `[Theta1_grad(:); ...; ThetaL_grad(:)]` (see [`Network::from_unrolled`]).
    /// `grads` comes from `.backward()` on a cost computed with this network on an autodiff
    /// device.
    pub fn unrolled_gradient(&self, grads: &Gradients) -> Vec<f64> {
        let mut gradient = Vec::with_capacity(self.sizes().num_params());
        for layer in &self.layers {
            gradient.extend(tensor_to_vec(layer.bias.val().grad(grads).expect("the bias is a parameter of the cost")));
            gradient
                .extend(tensor_to_vec(layer.weight.val().grad(grads).expect("the weight is a parameter of the cost")));
        }
        gradient
    }
}

/// The cost and its gradient at the unrolled `params` of an `architecture` network, by
/// `backward()` through [`cost`]: the network is built from `params` on `device`, an autodiff
/// device, which also holds `x` and the one-hot `y`. The gradient is unrolled like `params`
/// (see [`Network::from_unrolled`] and [`Network::unrolled_gradient`]).
///
/// # Shapes
/// - `x`: `[m, input]`
/// - `y`: `[m, labels]`, one-hot (see [`backend::one_hot`])
pub fn cost_and_gradient(
    params: &[f64],
    architecture: &Architecture,
    x: Tensor<2>,
    y: Tensor<2>,
    lambda: f64,
    device: &Device,
) -> (f64, Vec<f64>) {
    let network = Network::from_unrolled(params, architecture, device);
    let j = cost(&network, x, y, lambda);
    let gradient = network.unrolled_gradient(&j.backward());
    (scalar(j), gradient)
}
