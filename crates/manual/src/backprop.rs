//! The cost function and its gradient by backpropagation (the exercise's `nnCostFunction`), for
//! a network of any depth.
//!
//! Layers are counted as in the exercise: layer 1 is the input, layers `2 ... L−1` are hidden,
//! layer `L` is the output; `Theta_l` (`s_{l+1} x (s_l + 1)`) feeds layer `l` into layer
//! `l + 1`. The exercise's network has `L = 3`.

use backend::{matrix_to_tensor, one_hot, scalar, tensor_to_matrix, tensor_to_vec};
use burn::tensor::{Device, Tensor, TensorData};
use data::{Architecture, LayerSizes, Matrix};

use crate::activation::{activation, gradient_of};
use crate::output::{loss_terms, output_delta};

/// The cost and gradient of a network of some [`Architecture`] on fixed examples, as a
/// function of the unrolled parameters `[Theta1(:); ...; ThetaL(:)]`: the objective an
/// optimizer minimizes.
///
/// The bias-augmented `X₁ = [1 X]` and the one-hot `Y` are built once, here.
#[derive(Clone, Debug)]
pub struct NnCost {
    /// `[m, n + 1]`: the examples with a leading column of ones.
    x1: Tensor<2>,
    /// `[m, K]`: one-hot labels.
    y: Tensor<2>,
    architecture: Architecture,
    /// `g'` of the hidden layers: the activation's, unless replaced for a check.
    g_prime: fn(Tensor<2>) -> Tensor<2>,
    lambda: f64,
    device: Device,
}

/// The forward pass at one parameter vector: every layer's input and activations, kept for
/// backpropagation. Indexed as in the exercise ([`Forward::a`], [`Forward::z`]).
struct Forward {
    /// `a_1 = X₁`, `a_2`, ..., `a_{L−1}`: each layer's activations with the bias unit,
    /// `[m, s_l + 1]` (the output's `a_L` is never needed: the cost and `δ_L` are taken from
    /// `z_L`).
    activations: Vec<Tensor<2>>,
    /// `z_2`, ..., `z_L`: each layer's input, `[m, s_l]`; `z_L` (`[m, K]`) is the logits.
    inputs: Vec<Tensor<2>>,
}

impl Forward {
    /// `a_l`, `l` in `1 ..= L−1`.
    fn a(&self, l: usize) -> Tensor<2> {
        self.activations[l - 1].clone()
    }

    /// `z_l`, `l` in `2 ..= L`.
    fn z(&self, l: usize) -> Tensor<2> {
        self.inputs[l - 2].clone()
    }

    /// `z_L`, the output layer's input.
    fn z_out(&self) -> Tensor<2> {
        self.inputs.last().expect("at least one layer").clone()
    }
}

impl NnCost {
    /// The objective on examples `x` (`m x n`) with labels `1..=K`, for a network of
    /// `architecture` (sizes `n-...-K`), regularized by `lambda`, computed on `device` (which
    /// must not be an autodiff device).
    ///
    /// # Panics
    /// When `x` has other than `n` columns or `labels` other than `x.rows()` entries.
    pub fn new(x: &Matrix, labels: &[usize], architecture: &Architecture, lambda: f64, device: &Device) -> Self {
        let sizes = &architecture.sizes;
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

    /// The same objective with `gradient` in place of the hidden layers' `g'` in
    /// backpropagation (the forward pass and the cost are unchanged): for checks that must
    /// show a wrong derivative is caught.
    ///
    /// # Shapes
    /// - `gradient` is called on each hidden layer's `z_l`, `[m, s_l]`, and must return the
    ///   same shape
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

    /// `Theta1ᵀ`, ..., `ThetaLᵀ`, `Theta_lᵀ` being `[s_l + 1, s_{l+1}]`: the unrolled vector is
    /// column-major, so each part read row-major is the transposed matrix, and the products
    /// below need no transpose of the activations.
    ///
    /// # Panics
    /// When `params` has other than `sizes.num_params()` entries.
    fn thetas_transposed(&self, params: &[f64]) -> Vec<Tensor<2>> {
        let s = self.sizes();
        assert_eq!(params.len(), s.num_params(), "{} parameters for a {s} network", params.len());
        let offsets = s.offsets();
        s.theta_shapes()
            .into_iter()
            .enumerate()
            .map(|(l, (rows, cols))| {
                let theta_t = TensorData::new(params[offsets[l]..offsets[l + 1]].to_vec(), [cols, rows]);
                Tensor::from_data(theta_t, &self.device)
            })
            .collect()
    }

    /// Forward pass, from `a_1 = X₁`:
    ///
    /// ```text
    /// z_{l+1} = a_l Theta_lᵀ               [m, s_{l+1}]      l = 1 ... L−1
    /// a_{l+1} = [1 g(z_{l+1})]             [m, s_{l+1} + 1]  l = 1 ... L−2 (hidden layers)
    /// ```
    /// `g` is the hidden layers' activation; the output `z_L` is left as logits.
    ///
    /// # Shapes
    /// - `thetas_t`: `Theta_lᵀ`, `[s_l + 1, s_{l+1}]` each
    fn forward(&self, thetas_t: &[Tensor<2>]) -> Forward {
        let m = self.num_examples();
        let (output_theta_t, hidden_thetas_t) = thetas_t.split_last().expect("at least two Thetas");
        let mut forward = Forward { activations: vec![self.x1.clone()], inputs: Vec::with_capacity(thetas_t.len()) };
        for theta_t in hidden_thetas_t {
            let a = forward.activations.last().expect("a_1 is there").clone();
            let z = a.matmul(theta_t.clone()); // z_{l+1} = a_l Theta_lᵀ
            let g = activation(z.clone(), self.architecture.activation);
            forward.activations.push(Tensor::cat(vec![Tensor::ones([m, 1], &self.device), g], 1)); // a_{l+1}
            forward.inputs.push(z);
        }
        let a = forward.activations.last().expect("a_1 is there").clone();
        forward.inputs.push(a.matmul(output_theta_t.clone())); // z_L = a_{L−1} Theta_{L−1}ᵀ
        forward
    }

    /// `J = (1/m) Σ_i Σ_k cost_ik + λ/(2m) Σ_l Σ Theta_l[:, 1:]²`, each example's cost taken
    /// from the logits `z_L` so that it stays finite when an output saturates (see
    /// [`loss_terms`]).
    ///
    /// # Shapes
    /// - `z_out`: `[m, K]`; returns `[1]`
    fn cost_of(&self, z_out: Tensor<2>, thetas_t: &[Tensor<2>]) -> Tensor<1> {
        let m = self.num_examples() as f64;
        let cross_entropy = self.loss_terms(z_out).sum().div_scalar(m);
        cross_entropy + squared_weights(thetas_t).sum().mul_scalar(self.lambda / (2.0 * m))
    }

    /// The cost of each example and label ([`loss_terms`]).
    ///
    /// # Shapes
    /// - `z_out`: `[m, K]`; returns `[m, K]`
    fn loss_terms(&self, z_out: Tensor<2>) -> Tensor<2> {
        loss_terms(z_out, &self.y, self.architecture.output)
    }

    /// `J(a) − J(b)`, computed term by term: the cost of each example and label, and each
    /// squared weight, is subtracted before anything is summed. When `a` and `b` differ in
    /// a few coordinates, as in finite differences, the rounding error is then relative to
    /// the difference, not to the whole cost (about 1e-16 · J / ε otherwise).
    pub fn cost_difference(&self, a: &[f64], b: &[f64]) -> f64 {
        let m = self.num_examples() as f64;
        let a_thetas_t = self.thetas_transposed(a);
        let b_thetas_t = self.thetas_transposed(b);
        let za = self.forward(&a_thetas_t).z_out();
        let zb = self.forward(&b_thetas_t).z_out();
        let cross_entropy = (self.loss_terms(za) - self.loss_terms(zb)).sum().div_scalar(m);
        let squares = (squared_weights(&a_thetas_t) - squared_weights(&b_thetas_t)).sum();
        scalar(cross_entropy + squares.mul_scalar(self.lambda / (2.0 * m)))
    }

    /// The cost at `params` (no gradient): for finite differences and line searches.
    pub fn cost(&self, params: &[f64]) -> f64 {
        let thetas_t = self.thetas_transposed(params);
        let z_out = self.forward(&thetas_t).z_out();
        scalar(self.cost_of(z_out, &thetas_t))
    }

    /// The cost and its gradient at `params`, by backpropagation:
    ///
    /// ```text
    /// δ_L = h − y                                               [m, K]      (see output_delta)
    /// δ_l = (δ_{l+1} Theta_l[:, 1:]) .* g'(z_l)                 [m, s_l]    l = L−1 ... 2
    /// Theta_l_grad = (1/m) δ_{l+1}ᵀ a_l + (λ/m) [0 Theta_l[:, 1:]]          l = L−1 ... 1
    /// ```
    /// Each gradient is computed transposed, `(1/m) a_lᵀ δ_{l+1}` (`[s_l + 1, s_{l+1}]`), whose
    /// row-major order is the column-major order of `Theta_l_grad`: the gradient comes out
    /// unrolled in the same order as `params`, without a copy into another order.
    ///
    /// # Panics
    /// When `params` has other than `sizes.num_params()` entries.
    pub fn cost_and_gradient(&self, params: &[f64]) -> (f64, Vec<f64>) {
        let m = self.num_examples() as f64;
        let num_layers = self.sizes().layers().len(); // L
        let thetas_t = self.thetas_transposed(params);

        // Part 1: the forward pass and the cost.
        let forward = self.forward(&thetas_t);
        let cost = self.cost_of(forward.z_out(), &thetas_t);

        // Part 2: backpropagation, from the output layer down; Part 3: regularization.
        let scale = self.lambda / m;
        let mut delta = output_delta(forward.z_out(), &self.y, self.architecture.output); // δ_L
        let mut gradients_t = Vec::with_capacity(thetas_t.len());
        for l in (1..num_layers).rev() {
            // Here `delta` is δ_{l+1}.
            let theta_t = &thetas_t[l - 1]; // Theta_lᵀ
            // Theta_l_gradᵀ = (1/m) a_lᵀ δ_{l+1} + (λ/m) [0 Theta_l[:, 1:]]ᵀ
            let grad_t = forward.a(l).transpose().matmul(delta.clone()).div_scalar(m)
                + bias_row_zeroed(theta_t).mul_scalar(scale);
            gradients_t.push(grad_t);
            if l > 1 {
                // δ_l = (δ_{l+1} Theta_l[:, 1:]) .* g'(z_l), Theta_l[:, 1:] being (rows 1.. of Theta_lᵀ)ᵀ
                delta = delta.matmul(without_bias_row(theta_t).transpose()) * (self.g_prime)(forward.z(l));
            }
        }

        let gradient = gradients_t.into_iter().rev().flat_map(tensor_to_vec).collect();
        (scalar(cost), gradient)
    }

    /// `z_2`, ..., `z_{L−1}`: each hidden layer's input at `params` (for finite differences,
    /// which must not step across a kink of the activation, such as ReLU's at 0).
    ///
    /// # Shapes
    /// - returns one `[m, s_l]` matrix per hidden layer, `z_2` first
    pub fn hidden_inputs(&self, params: &[f64]) -> Vec<Matrix> {
        let mut inputs = self.forward(&self.thetas_transposed(params)).inputs;
        inputs.pop(); // z_L
        inputs.into_iter().map(tensor_to_matrix).collect()
    }
}

/// The squares of the non-bias weights of every layer, flattened, `Theta1`'s first.
///
/// # Shapes
/// - `thetas_t`: `Theta_lᵀ`, `[s_l + 1, s_{l+1}]` each; returns `[Σ_l s_l s_{l+1}]`
fn squared_weights(thetas_t: &[Tensor<2>]) -> Tensor<1> {
    Tensor::cat(thetas_t.iter().map(|theta_t| without_bias_row(theta_t).square().flatten::<1>(0, 1)).collect(), 0)
}

/// Rows `1..` of a transposed Theta: its weights without the bias (`Theta[:, 1:]ᵀ`).
///
/// # Shapes
/// - `theta_t`: `[inputs + 1, outputs]`; returns `[inputs, outputs]`
fn without_bias_row(theta_t: &Tensor<2>) -> Tensor<2> {
    let [rows, cols] = theta_t.dims();
    theta_t.clone().slice([1..rows, 0..cols])
}

/// A transposed Theta with its bias row set to zero (biases are not regularized):
/// `[0 Theta[:, 1:]]ᵀ`.
///
/// # Shapes
/// - `theta_t`: `[inputs + 1, outputs]`; returns the same shape
fn bias_row_zeroed(theta_t: &Tensor<2>) -> Tensor<2> {
    let [_, cols] = theta_t.dims();
    Tensor::cat(vec![Tensor::zeros([1, cols], &theta_t.device()), without_bias_row(theta_t)], 0)
}

/// `nnCostFunction(nn_params, ..., X, y, lambda)`: cost and unrolled gradient in one call.
/// Builds the objective each time; keep an [`NnCost`] to evaluate it repeatedly.
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
