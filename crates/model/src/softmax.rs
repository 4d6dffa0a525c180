//! The softmax over the labels in a form that stays finite at any logits.

use burn::prelude::*;

/// `log softmax(z)` of each row, from the log-sum-exp with the row's largest logit taken out:
///
/// ```text
/// log softmax(z)_k = z_k − log Σ_j e^(z_j) = (z_k − c) − log Σ_j e^(z_j − c),  c = max_j z_j
/// ```
///
/// Every `e^(z_j − c)` lies in `[0, 1]` and one of them is 1, so the sum neither overflows nor
/// underflows and its log is finite: the result is finite for any finite logits (whose
/// differences do not overflow). `c` is detached: the shift does not change the value, and
/// the gradient, `e_k − softmax(z)`, then does not pass through the `max`.
///
/// # Shapes
/// - `z`: `[m, labels]`; the result has the same shape.
pub fn log_softmax(z: Tensor<2>) -> Tensor<2> {
    let c = z.clone().max_dim(1).detach();
    let shifted = z - c;
    shifted.clone() - shifted.exp().sum_dim(1).log()
}

/// `softmax(z)_k = e^(z_k) / Σ_j e^(z_j)` of each row, as `exp(log_softmax(z))`: each row
/// sums to 1, and no entry is NaN for any finite logits.
///
/// # Shapes
/// - `z`: `[m, labels]`; the result has the same shape.
pub fn softmax(z: Tensor<2>) -> Tensor<2> {
    log_softmax(z).exp()
}
