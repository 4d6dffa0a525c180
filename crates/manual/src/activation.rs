//! The hidden units' activations `g` and their derivatives `g'`, each written out.

use burn::tensor::Tensor;
use data::Activation;

/// `σ(z) = 1 / (1 + e^(−z))`, element-wise (the stable form of [`backend::sigmoid`]).
///
/// # Shapes
/// - `z`: any shape; the result has the same shape.
pub fn sigmoid<const D: usize>(z: Tensor<D>) -> Tensor<D> {
    backend::sigmoid(z)
}

/// The derivative of the sigmoid, element-wise:
///
/// ```text
/// σ'(z) = σ(z) (1 − σ(z)) = σ(z) σ(−z)
/// ```
/// `1 − σ(z)` is computed as `σ(−z)`, which keeps its relative precision when `σ(z)` is
/// close to 1. `σ'(0) = 0.25`.
///
/// # Shapes
/// - `z`: any shape; the result has the same shape.
pub fn sigmoid_gradient<const D: usize>(z: Tensor<D>) -> Tensor<D> {
    sigmoid(z.clone()) * sigmoid(z.neg())
}

/// The derivative of `tanh`, element-wise:
///
/// ```text
/// tanh'(z) = 1 − tanh²(z)
/// ```
/// `tanh'(0) = 1`; it goes to 0 (never below) as `|z|` grows.
///
/// # Shapes
/// - `z`: any shape; the result has the same shape.
pub fn tanh_gradient<const D: usize>(z: Tensor<D>) -> Tensor<D> {
    z.tanh().square().neg().add_scalar(1.0)
}

/// The derivative of `relu(z) = max(z, 0)`, element-wise, taken as 1 where `z > 0` and 0
/// elsewhere (`relu` has no derivative at the kink `z = 0`; 0 is the usual choice there).
///
/// # Shapes
/// - `z`: any shape; the result has the same shape.
pub fn relu_gradient<const D: usize>(z: Tensor<D>) -> Tensor<D> {
    z.greater_scalar(0.0).float()
}

/// `g(z)`, element-wise: `σ(z)`, `tanh(z)` or `max(z, 0)`.
///
/// # Shapes
/// - `z`: any shape; the result has the same shape.
pub fn activation<const D: usize>(z: Tensor<D>, activation: Activation) -> Tensor<D> {
    match activation {
        Activation::Sigmoid => sigmoid(z),
        Activation::Tanh => z.tanh(),
        Activation::Relu => z.clamp_min(0.0),
    }
}

/// `g'(z)`, element-wise: [`sigmoid_gradient`], [`tanh_gradient`] or [`relu_gradient`].
///
/// # Shapes
/// - `z`: any shape; the result has the same shape.
pub fn activation_gradient<const D: usize>(z: Tensor<D>, activation: Activation) -> Tensor<D> {
    gradient_of(activation)(z)
}

/// The function `g'` of an activation.
pub(crate) fn gradient_of<const D: usize>(activation: Activation) -> fn(Tensor<D>) -> Tensor<D> {
    match activation {
        Activation::Sigmoid => sigmoid_gradient,
        Activation::Tanh => tanh_gradient,
        Activation::Relu => relu_gradient,
    }
}
