//! The cost function and its gradient by backpropagation (the exercise's `nnCostFunction`).

use backend::{log_sigmoid, matrix_to_tensor, one_hot, scalar, tensor_to_matrix, tensor_to_vec};
use burn::tensor::{Device, Tensor, TensorData};
use data::{Architecture, LayerSizes, Matrix};

use crate::activation::gradient_of;
use crate::sigmoid;

/// The cost and gradient of a network of `sizes` on fixed examples, as a function of the
/// unrolled parameters: the objective an optimizer minimizes.
///
/// The bias-augmented `X₁ = [1 X]` and the one-hot `Y` are built once, here.
#[derive(Clone, Debug)]
pub struct NnCost {
    /// `[m, input + 1]`: the examples with a leading column of ones.
    x1: Tensor<2>,
    /// `[m, labels]`: one-hot labels.
    y: Tensor<2>,
    architecture: Architecture,
    /// `g'` of the hidden layers.
    g_prime: fn(Tensor<2>) -> Tensor<2>,
    lambda: f64,
    device: Device,
}

impl NnCost {
    /// The objective on examples `x` (`m x input`) with labels `1..=sizes.labels`, regularized
    /// by `lambda`, computed on `device` (which must not be an autodiff device).
    ///
    /// # Panics
    /// When `x` has other than `sizes.input` columns or `labels` other than `x.rows()` entries.
    pub fn new(x: &Matrix, labels: &[usize], architecture: &Architecture, lambda: f64, device: &Device) -> Self {
        let sizes = &architecture.sizes;
        assert!(architecture.is_exercise_kind(), "NnCost: only the exercise's kind of network for now");
        assert_eq!(x.cols(), sizes.input(), "NnCost: X has {} columns for a {sizes} network", x.cols());
        assert_eq!(labels.len(), x.rows(), "NnCost: {} labels for {} examples", labels.len(), x.rows());
        let x1 = Tensor::cat(vec![Tensor::ones([x.rows(), 1], device), matrix_to_tensor(x, device)], 1);
        Self {
            x1,
            y: one_hot(labels, sizes.labels(), device),
            architecture: architecture.clone(),
            g_prime: gradient_of(architecture.activation),
            lambda,
            device: device.clone(),
        }
    }

    /// The same objective with another `lambda`.
    pub fn with_lambda(&self, lambda: f64) -> Self {
        Self { lambda, ..self.clone() }
    }

    /// The same objective with `gradient` in place of the hidden layers' `g'` (the forward pass
    /// is unchanged): for checks that must show a wrong derivative is caught.
    pub fn with_activation_gradient(self, gradient: fn(Tensor<2>) -> Tensor<2>) -> Self {
        Self { g_prime: gradient, ..self }
    }

    /// The network.
    pub fn architecture(&self) -> &Architecture {
        &self.architecture
    }

    /// Layer sizes.
    pub fn sizes(&self) -> &LayerSizes {
        &self.architecture.sizes
    }

    /// The regularization strength.
    pub fn lambda(&self) -> f64 {
        self.lambda
    }

    /// Number of examples `m`.
    pub fn num_examples(&self) -> usize {
        self.x1.dims()[0]
    }

    /// `Theta1ᵀ` (`[input + 1, hidden]`) and `Theta2ᵀ` (`[hidden + 1, labels]`): the unrolled
    /// vector is column-major, so each part read row-major is the transposed matrix, and the
    /// products below need no transpose of `X₁`.
    fn thetas_transposed(&self, params: &[f64]) -> (Tensor<2>, Tensor<2>) {
        let s = self.sizes();
        assert_eq!(params.len(), s.num_params(), "{} parameters for a {s} network", params.len());
        let (input, hidden, labels) = (s.input(), s.hidden()[0], s.labels());
        let split = hidden * (input + 1);
        let t1 = TensorData::new(params[..split].to_vec(), [input + 1, hidden]);
        let t2 = TensorData::new(params[split..].to_vec(), [hidden + 1, labels]);
        (Tensor::from_data(t1, &self.device), Tensor::from_data(t2, &self.device))
    }

    /// Forward pass: `z2 = X₁ Theta1ᵀ`, `a2 = [1 σ(z2)]`, `z3 = a2 Theta2ᵀ`.
    ///
    /// # Shapes
    /// - `theta1_t`: `[input + 1, hidden]`, `theta2_t`: `[hidden + 1, labels]`
    /// - returns `z2`: `[m, hidden]`, `a2`: `[m, hidden + 1]`, `z3`: `[m, labels]`
    fn forward(&self, theta1_t: Tensor<2>, theta2_t: Tensor<2>) -> (Tensor<2>, Tensor<2>, Tensor<2>) {
        let m = self.num_examples();
        let z2 = self.x1.clone().matmul(theta1_t);
        let a2 = Tensor::cat(vec![Tensor::ones([m, 1], &self.device), sigmoid(z2.clone())], 1);
        let z3 = a2.clone().matmul(theta2_t);
        (z2, a2, z3)
    }

    /// `J = (1/m) Σ [−y log σ(z3) − (1 − y) log σ(−z3)] + λ/(2m) (Σ Theta1[:,1:]² + Σ Theta2[:,1:]²)`,
    /// from the logits so that it stays finite when an output saturates.
    fn cost_of(&self, z3: Tensor<2>, theta1_t: &Tensor<2>, theta2_t: &Tensor<2>) -> Tensor<1> {
        let m = self.num_examples() as f64;
        let cross_entropy = self.loss_terms(z3).sum().div_scalar(m);
        cross_entropy + self.squared_weights(theta1_t, theta2_t).sum().mul_scalar(self.lambda / (2.0 * m))
    }

    /// The cross-entropy of each example and label, `−y log σ(z3) − (1 − y) log σ(−z3)`.
    ///
    /// # Shapes
    /// - `z3`: `[m, labels]`; returns `[m, labels]`
    fn loss_terms(&self, z3: Tensor<2>) -> Tensor<2> {
        let not_y = self.y.clone().neg().add_scalar(1.0);
        (self.y.clone() * log_sigmoid(z3.clone()) + not_y * log_sigmoid(z3.neg())).neg()
    }

    /// The squares of the non-bias weights, both layers, flattened.
    ///
    /// # Shapes
    /// - returns `[input * hidden + hidden * labels]`
    fn squared_weights(&self, theta1_t: &Tensor<2>, theta2_t: &Tensor<2>) -> Tensor<1> {
        Tensor::cat(
            vec![
                without_bias_row(theta1_t).square().flatten::<1>(0, 1),
                without_bias_row(theta2_t).square().flatten::<1>(0, 1),
            ],
            0,
        )
    }

    /// `J(a) − J(b)`, computed term by term: the cross-entropy of each example and label, and
    /// each squared weight, is subtracted before anything is summed. When `a` and `b` differ in
    /// a few coordinates, as in finite differences, the rounding error is then relative to
    /// the difference, not to the whole cost (about 1e-16 · J / ε otherwise).
    pub fn cost_difference(&self, a: &[f64], b: &[f64]) -> f64 {
        let m = self.num_examples() as f64;
        let (a1, a2) = self.thetas_transposed(a);
        let (b1, b2) = self.thetas_transposed(b);
        let (_, _, za) = self.forward(a1.clone(), a2.clone());
        let (_, _, zb) = self.forward(b1.clone(), b2.clone());
        let cross_entropy = (self.loss_terms(za) - self.loss_terms(zb)).sum().div_scalar(m);
        let squares = (self.squared_weights(&a1, &a2) - self.squared_weights(&b1, &b2)).sum();
        scalar(cross_entropy + squares.mul_scalar(self.lambda / (2.0 * m)))
    }

    /// The cost at `params` (no gradient): for finite differences and line searches.
    pub fn cost(&self, params: &[f64]) -> f64 {
        let (theta1_t, theta2_t) = self.thetas_transposed(params);
        let (_, _, z3) = self.forward(theta1_t.clone(), theta2_t.clone());
        scalar(self.cost_of(z3, &theta1_t, &theta2_t))
    }

    /// The cost and its gradient at `params`, by backpropagation:
    ///
    /// ```text
    /// δ3 = a3 − y                                   [m, labels]
    /// δ2 = (δ3 Theta2[:, 1:]) .* σ'(z2)             [m, hidden]
    /// Theta1_grad = (1/m) δ2ᵀ X₁ + (λ/m) [0 Theta1[:, 1:]]
    /// Theta2_grad = (1/m) δ3ᵀ a2 + (λ/m) [0 Theta2[:, 1:]]
    /// ```
    /// `a3 − y` is computed as `(1 − y) σ(z3) − y σ(−z3)`, which is exact where `y` is 1 and
    /// `a3` is close to 1. The gradient is returned unrolled in the same order as `params`
    /// (each gradient is computed transposed, `X₁ᵀ δ2`, whose row-major order is the
    /// column-major order of `Theta1_grad`).
    pub fn cost_and_gradient(&self, params: &[f64]) -> (f64, Vec<f64>) {
        let m = self.num_examples() as f64;
        let (hidden, labels) = (self.sizes().hidden()[0], self.sizes().labels());
        let (theta1_t, theta2_t) = self.thetas_transposed(params);
        let (z2, a2, z3) = self.forward(theta1_t.clone(), theta2_t.clone());
        let cost = self.cost_of(z3.clone(), &theta1_t, &theta2_t);

        let not_y = self.y.clone().neg().add_scalar(1.0);
        let delta3 = not_y * sigmoid(z3.clone()) - self.y.clone() * sigmoid(z3.neg());
        let theta2_weights = theta2_t.clone().slice([1..hidden + 1, 0..labels]); // Theta2[:, 1:]ᵀ
        let delta2 = delta3.clone().matmul(theta2_weights.transpose()) * (self.g_prime)(z2);

        let scale = self.lambda / m;
        let grad1_t =
            self.x1.clone().transpose().matmul(delta2).div_scalar(m) + bias_row_zeroed(&theta1_t).mul_scalar(scale);
        let grad2_t = a2.transpose().matmul(delta3).div_scalar(m) + bias_row_zeroed(&theta2_t).mul_scalar(scale);

        let mut gradient = tensor_to_vec(grad1_t);
        gradient.extend(tensor_to_vec(grad2_t));
        (scalar(cost), gradient)
    }

    /// `z2`: the hidden layer's input at `params` (for finite differences, which must not
    /// step across a kink of the activation).
    ///
    /// # Shapes
    /// - returns one `[m, hidden]` matrix
    pub fn hidden_inputs(&self, params: &[f64]) -> Vec<Matrix> {
        let (theta1_t, theta2_t) = self.thetas_transposed(params);
        let (z2, _, _) = self.forward(theta1_t, theta2_t);
        vec![tensor_to_matrix(z2)]
    }
}

/// Rows `1..` of a transposed Theta: its weights without the bias.
///
/// # Shapes
/// - `theta_t`: `[inputs + 1, outputs]`; returns `[inputs, outputs]`
fn without_bias_row(theta_t: &Tensor<2>) -> Tensor<2> {
    let [rows, cols] = theta_t.dims();
    theta_t.clone().slice([1..rows, 0..cols])
}

/// A transposed Theta with its bias row set to zero (biases are not regularized).
///
/// # Shapes
/// - `theta_t`: `[inputs + 1, outputs]`; returns the same shape
fn bias_row_zeroed(theta_t: &Tensor<2>) -> Tensor<2> {
    let [_, cols] = theta_t.dims();
    Tensor::cat(vec![Tensor::zeros([1, cols], &theta_t.device()), without_bias_row(theta_t)], 0)
}

/// `nnCostFunction(nn_params, input, hidden, labels, X, y, lambda)`: cost and unrolled
/// gradient in one call. Builds the objective each time; keep an [`NnCost`] to evaluate it
/// repeatedly.
pub fn cost_and_gradient(
    params: &[f64],
    architecture: &Architecture,
    x: &Matrix,
    labels: &[usize],
    lambda: f64,
    device: &Device,
) -> (f64, Vec<f64>) {
    NnCost::new(x, labels, architecture, lambda, device).cost_and_gradient(params)
}
