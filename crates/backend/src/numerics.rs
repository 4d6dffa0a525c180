//! The logistic function in forms that stay finite and accurate at any input.

use burn::tensor::Tensor;

/// `log(sigmoid(z))`, element-wise, without overflow or cancellation, and with the right
/// derivative everywhere, `z = 0` included.
///
/// ```text
/// log σ(z) = −log(1 + e^(−z)) = min(z, 0) − log1p(e^(−|z|)),   min(z, 0) = (z − |z|) / 2
/// ```
/// `e^(−|z|)` lies in (0, 1], so nothing overflows; `log1p` keeps the small tail exact. Its
/// derivative through autodiff is `σ(−z)`, computed as `e^(−|z|)/(1 + e^(−|z|))` for `z > 0`
/// (no `1 − σ(z)` cancellation), so gradients of saturated units stay accurate too. `min(z, 0)`
/// is written `(z − |z|) / 2` (the same value, to the bit) so that autodiff's derivative at
/// the kink of `|z|` (`sign(0) = 0`) gives the true `1/2` at `z = 0`; burn's `clamp_max(z, 0)`
/// would give 1 there, a wrong gradient for a unit whose input is exactly 0, as with weights
/// all zero.
///
/// burn's own `log_sigmoid` and `sigmoid` are not used: on the `ndarray` backend `sigmoid`
/// runs in `f32` (error about 7e-8 in f64) and the `log_sigmoid` backward loses relative
/// precision for large `|z|`.
///
/// # Shapes
/// - `z`: any shape; the result has the same shape.
pub fn log_sigmoid<const D: usize>(z: Tensor<D>) -> Tensor<D> {
    let magnitude = z.clone().abs();
    (z - magnitude.clone()).mul_scalar(0.5) - magnitude.neg().exp().log1p()
}

/// The logistic function `σ(z) = 1 / (1 + e^(−z)) = exp(log σ(z))`, element-wise.
///
/// Never NaN or inf: it rounds to exactly 0 or 1 only for `|z|` beyond about 37 (the `1`)
/// or 745 (the `0`), and its derivative there stays finite.
///
/// # Shapes
/// - `z`: any shape; the result has the same shape.
pub fn sigmoid<const D: usize>(z: Tensor<D>) -> Tensor<D> {
    log_sigmoid(z).exp()
}

/// `log softmax(z)` of each row, from the log-sum-exp with the row's largest logit taken out:
///
/// ```text
/// log softmax(z)_k = z_k − log Σ_j e^(z_j) = (z_k − c) − log Σ_j e^(z_j − c),  c = max_j z_j
/// ```
///
/// Every `e^(z_j − c)` lies in `[0, 1]` and one of them is 1, so the sum lies in `[1, K]`:
/// nothing overflows, and the result is finite for any finite logits (whose differences do not
/// overflow). `c` is detached: the shift does not change the value, and under autodiff the
/// gradient, `e_k − softmax(z)`, then does not pass through the `max` (on a plain device
/// `detach` does nothing).
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

#[cfg(test)]
mod tests {
    use burn::tensor::{Tensor, TensorData};

    use super::*;
    use crate::{Backend, tensor_to_vec};

    #[test]
    fn values_and_derivatives_are_right_everywhere_and_at_zero() {
        for backend in Backend::ALL {
            let device = backend.device().unwrap().autodiff();
            let points: Vec<f64> = vec![-1000.0, -40.5, -3.0, -1e-300, 0.0, 1e-300, 3.0, 40.5, 1000.0];
            let z = Tensor::<1>::from_data(TensorData::new(points.clone(), [points.len()]), &device).require_grad();
            let values = tensor_to_vec(log_sigmoid(z.clone()));
            let grads = log_sigmoid(z.clone()).sum().backward();
            let slopes = tensor_to_vec(z.grad(&grads).expect("z is an input"));
            for ((&z, &value), &slope) in points.iter().zip(&values).zip(&slopes) {
                // log σ(z) = −log(1 + e^(−z)); its slope σ(−z) = 1/(1 + e^z).
                let expected = if z < 0.0 { z - z.exp().ln_1p() } else { -(-z).exp().ln_1p() };
                let expected_slope = 1.0 / (1.0 + z.exp());
                assert!((value - expected).abs() <= 1e-15 * expected.abs().max(1e-300), "{backend} {z}: {value}");
                assert!((slope - expected_slope).abs() <= 1e-15, "{backend} {z}: slope {slope} vs {expected_slope}");
            }
            // σ'(0) = 1/4 through autodiff: the exercise's `sigmoidGradient(0)`.
            let zero = Tensor::<1>::from_data(TensorData::new(vec![0.0], [1]), &device).require_grad();
            let grads = sigmoid(zero.clone()).sum().backward();
            assert_eq!(tensor_to_vec(zero.grad(&grads).unwrap()), [0.25], "{backend}");
        }
    }
}
