//! The logistic function and its derivative.

use burn::tensor::Tensor;

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
