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

#[cfg(test)]
mod tests {
    use backend::{Backend, tensor_to_vec};
    use burn::tensor::TensorData;

    use super::*;

    fn at(points: &[f64], f: impl Fn(Tensor<1>) -> Tensor<1>) -> Vec<f64> {
        let device = Backend::Flex.device().expect("f64 device");
        tensor_to_vec(f(Tensor::from_data(TensorData::new(points.to_vec(), [points.len()]), &device)))
    }

    fn assert_close(got: &[f64], want: &[f64]) {
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() <= 1e-15 * w.abs().max(1e-300), "got {got:?}, want {want:?}");
        }
    }

    #[test]
    fn tanh_gradient_is_one_minus_tanh_squared() {
        // 1 − tanh²(z) = sech²(z): 1 at 0, sech²(1) = 0.4199743416140261..., sech²(2) = 0.0706508248531644...
        let points = [0.0, 1.0, -2.0, 0.5];
        assert_close(&at(&points, tanh_gradient), &[1.0, 0.41997434161402614, 0.07065082485316443, 0.7864477329659274]);
        assert_close(
            &at(&points, |z| activation(z, Activation::Tanh)),
            &[0.0, 0.7615941559557649, -0.9640275800758169, 0.46211715726000974],
        );
        let saturated = at(&[30.0, -800.0], tanh_gradient);
        assert!(saturated.iter().all(|&g| (0.0..1e-20).contains(&g)), "{saturated:?}");
    }

    #[test]
    fn relu_gradient_is_one_above_zero_and_zero_elsewhere() {
        let points = [-1.0, 0.0, 1e-300, 2.0, -1e-300];
        assert_eq!(at(&points, relu_gradient), [0.0, 0.0, 1.0, 1.0, 0.0]);
        assert_eq!(at(&points, |z| activation(z, Activation::Relu)), [0.0, 0.0, 1e-300, 2.0, 0.0]);
    }

    #[test]
    fn each_activation_gets_its_own_gradient() {
        let points = [-1.5, 0.0, 0.25, 3.0];
        assert_eq!(at(&points, sigmoid_gradient)[1], 0.25);
        for (a, g) in [
            (Activation::Sigmoid, sigmoid_gradient as fn(Tensor<1>) -> Tensor<1>),
            (Activation::Tanh, tanh_gradient),
            (Activation::Relu, relu_gradient),
        ] {
            assert_eq!(at(&points, |z| activation_gradient(z, a)), at(&points, g), "{a}");
        }
        // g' is the derivative of g: central differences at points away from ReLU's kink.
        for &a in Activation::ALL {
            let h = 1e-6;
            let up = at(&points.map(|z| z + h), |z| activation(z, a));
            let down = at(&points.map(|z| z - h), |z| activation(z, a));
            let slope: Vec<f64> = up.iter().zip(&down).map(|(u, d)| (u - d) / (2.0 * h)).collect();
            let g = at(&points, |z| activation_gradient(z, a));
            for (k, (s, g)) in slope.iter().zip(&g).enumerate() {
                if a == Activation::Relu && points[k] == 0.0 {
                    continue;
                }
                assert!((s - g).abs() < 1e-8, "{a} at {}: slope {s}, g' {g}", points[k]);
            }
        }
    }
}
