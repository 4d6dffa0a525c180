//! The hidden units' activation `g`.

use backend::sigmoid;
use burn::prelude::*;
use burn::tensor::activation::relu;
use data::Activation;

/// `a = g(z)`, element-wise, for the hidden layers' activation `g`:
///
/// ```text
/// sigmoid: σ(z) = 1 / (1 + e^(−z))      (backend::sigmoid, finite at any z)
/// tanh:    tanh(z)                      (burn's; backward 1 − tanh²(z))
/// relu:    max(z, 0)                    (burn's; backward 1 for z > 0, 0 otherwise)
/// ```
///
/// On an autodiff device, burn differentiates each. burn 0.22's `relu` backward keeps the
/// gradient only where the input is `> 0`: its derivative at exactly `z = 0` is 0, the
/// convention the hand-written backpropagation follows too.
///
/// # Shapes
/// - `z`: `[m, units]`; the result has the same shape.
pub fn activate(g: Activation, z: Tensor<2>) -> Tensor<2> {
    match g {
        Activation::Sigmoid => sigmoid(z),
        Activation::Tanh => z.tanh(),
        Activation::Relu => relu(z),
    }
}
