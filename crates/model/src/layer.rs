//! One fully connected layer `l`: the weights `Theta_l` as a burn weight and bias.

use backend::{matrix_to_tensor, tensor_to_matrix, tensor_to_vec};
use burn::module::Param;
use burn::prelude::*;
use burn::tensor::Distribution;
use data::Matrix;

/// The sizes of one layer, `inputs -> outputs` (`Theta_l` is `outputs x (inputs + 1)`).
#[derive(Config, Debug)]
pub struct LayerConfig {
    /// Units feeding the layer, `s_l` (bias not counted).
    pub inputs: usize,
    /// Units of the layer, `s_{l+1}`.
    pub outputs: usize,
}

impl LayerConfig {
    /// A layer whose weights, then biases, are drawn uniformly from `[-epsilon, epsilon]` by
    /// the device's random generator (seed it with `device.seed(..)`).
    pub fn init_uniform(&self, epsilon: f64, device: &Device) -> Layer {
        let uniform = Distribution::Uniform(-epsilon, epsilon);
        Layer {
            weight: Param::from_tensor(Tensor::random([self.inputs, self.outputs], uniform, device)),
            bias: Param::from_tensor(Tensor::random([self.outputs], uniform, device)),
        }
    }
}

/// A fully connected layer, `z = a · weight + bias`: the network applies the activation.
///
/// It holds `Theta_l` split in two parameters, so that the product needs no bias column.
#[derive(Module, Debug)]
pub struct Layer {
    /// `[inputs, outputs]`: the transpose of a Theta matrix without its bias column.
    pub weight: Param<Tensor<2>>,
    /// `[outputs]`: a Theta matrix's bias column.
    pub bias: Param<Tensor<1>>,
}

impl Layer {
    /// The layer holding these tensors.
    ///
    /// # Shapes
    /// - `weight`: `[inputs, outputs]`
    /// - `bias`: `[outputs]`
    ///
    /// # Panics
    /// When the bias does not have one entry per output.
    pub fn new(weight: Tensor<2>, bias: Tensor<1>) -> Self {
        let ([inputs, outputs], [biases]) = (weight.dims(), bias.dims());
        assert_eq!(biases, outputs, "{biases} biases for a {inputs}->{outputs} layer");
        Self { weight: Param::from_tensor(weight), bias: Param::from_tensor(bias) }
    }

    /// The layer from a Theta matrix (`outputs x (inputs + 1)`, bias in column 0):
    /// `weight = Theta[:, 1..]ᵀ`, `bias = Theta[:, 0]`.
    pub fn from_theta(theta: &Matrix, device: &Device) -> Self {
        let weight = Matrix::from_fn(theta.cols() - 1, theta.rows(), |i, o| theta.get(o, i + 1));
        let bias: Vec<f64> = (0..theta.rows()).map(|o| theta.get(o, 0)).collect();
        Self {
            weight: Param::from_tensor(matrix_to_tensor(&weight, device)),
            bias: Param::from_tensor(Tensor::from_data(TensorData::new(bias, [theta.rows()]), device)),
        }
    }

    /// The layer as a Theta matrix, `outputs x (inputs + 1)`, bias in column 0. Exact: the
    /// values are copied, not computed.
    pub fn to_theta(&self) -> Matrix {
        let weight = tensor_to_matrix(self.weight.val());
        let bias = tensor_to_vec(self.bias.val());
        Matrix::from_fn(weight.cols(), weight.rows() + 1, |o, c| if c == 0 { bias[o] } else { weight.get(c - 1, o) })
    }

    /// The pre-activation `z_{l+1} = a_l · Theta_lᵀ` with the bias column taken apart:
    /// `input · weight + bias`.
    ///
    /// # Shapes
    /// - `input`: `[m, inputs]`
    /// - returns `[m, outputs]`
    pub fn logits(&self, input: Tensor<2>) -> Tensor<2> {
        input.matmul(self.weight.val()) + self.bias.val().unsqueeze_dim(0)
    }

    /// Sum of the squared weights, bias excluded: `Σ Theta_l[:, 1..]²`, this layer's share of
    /// the regularization.
    ///
    /// # Shapes
    /// - returns `[1]`
    pub fn squared_weights(&self) -> Tensor<1> {
        self.weight.val().square().sum()
    }

    /// `(inputs, outputs)`.
    pub fn dims(&self) -> (usize, usize) {
        let [inputs, outputs] = self.weight.val().dims();
        (inputs, outputs)
    }
}
