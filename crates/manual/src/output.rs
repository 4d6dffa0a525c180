//! The output layer: the cost of each example and label, and the error `δ_L` backpropagation
//! starts from, for the exercise's sigmoid outputs and for a softmax over the labels.

use backend::{log_sigmoid, log_softmax, softmax};
use burn::tensor::Tensor;
use data::Output;

use crate::sigmoid;

/// The cost of each example and label, from the output layer's input `z_L` (the logits), so
/// that it stays finite however saturated the outputs are:
///
/// ```text
/// sigmoid:  −y log σ(z_L) − (1 − y) log σ(−z_L)     (the exercise's; log(1 − σ(z)) = log σ(−z))
/// softmax:  −y .* log softmax(z_L)                  (nonzero only at the true label)
/// ```
/// `J` is their sum divided by `m`, plus the regularization.
///
/// # Shapes
/// - `z_out`, `y`: `[m, K]`; returns `[m, K]`
pub(crate) fn loss_terms(z_out: Tensor<2>, y: &Tensor<2>, output: Output) -> Tensor<2> {
    match output {
        Output::Sigmoid => {
            let not_y = y.clone().neg().add_scalar(1.0);
            (y.clone() * log_sigmoid(z_out.clone()) + not_y * log_sigmoid(z_out.neg())).neg()
        }
        Output::Softmax => (y.clone() * log_softmax(z_out)).neg(),
    }
}

/// `δ_L = h − y`, the derivative of each example's cost with respect to `z_L`, for either
/// output (each cost is the one whose derivative this is):
///
/// ```text
/// sigmoid:  δ_L = σ(z_L) − y,      computed as (1 − y) σ(z_L) − y σ(−z_L)
/// softmax:  δ_L = softmax(z_L) − y, softmax(z_L) = exp(log softmax(z_L))
/// ```
/// The sigmoid form is exact where `y` is 1 and `σ(z_L)` is close to 1 (no `1 − σ`
/// cancellation).
///
/// # Shapes
/// - `z_out`, `y`: `[m, K]`; returns `[m, K]`
pub(crate) fn output_delta(z_out: Tensor<2>, y: &Tensor<2>, output: Output) -> Tensor<2> {
    match output {
        Output::Sigmoid => {
            let not_y = y.clone().neg().add_scalar(1.0);
            not_y * sigmoid(z_out.clone()) - y.clone() * sigmoid(z_out.neg())
        }
        Output::Softmax => softmax(z_out) - y.clone(),
    }
}
