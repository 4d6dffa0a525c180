//! The network: `input -> sigmoid(hidden) -> sigmoid(output)`.

use backend::{matrix_to_tensor, sigmoid, tensor_to_matrix};
use burn::module::Param;
use burn::prelude::*;
use data::{Architecture, LayerSizes, Matrix, Weights};

/// Layer sizes of a network; the exercise's 400-25-10 by default.
#[derive(Config, Debug)]
pub struct NetworkConfig {
    /// Input units (pixels).
    #[config(default = 400)]
    pub input_size: usize,
    /// Hidden units.
    #[config(default = 25)]
    pub hidden_size: usize,
    /// Output units, one per label.
    #[config(default = 10)]
    pub num_labels: usize,
}

impl NetworkConfig {
    /// The configuration of these layer sizes.
    ///
    /// # Panics
    /// When `sizes` has more than one hidden layer.
    pub fn from_sizes(sizes: &LayerSizes) -> Self {
        assert_eq!(sizes.depth(), 1, "a {sizes} network has {} hidden layers; this model has one", sizes.depth());
        Self::new().with_input_size(sizes.input()).with_hidden_size(sizes.hidden()[0]).with_num_labels(sizes.labels())
    }

    /// The layer sizes.
    pub fn sizes(&self) -> LayerSizes {
        LayerSizes::new(self.input_size, self.hidden_size, self.num_labels)
    }

    /// A network with every weight and bias drawn uniformly from `[-epsilon, epsilon]` by the
    /// device's random generator (seed it with `device.seed(..)`).
    pub fn init_uniform(&self, epsilon: f64, device: &Device) -> Network {
        let layer = |inputs: usize, outputs: usize| SigmoidLayer {
            weight: Param::from_tensor(Tensor::random(
                [inputs, outputs],
                burn::tensor::Distribution::Uniform(-epsilon, epsilon),
                device,
            )),
            bias: Param::from_tensor(Tensor::random(
                [outputs],
                burn::tensor::Distribution::Uniform(-epsilon, epsilon),
                device,
            )),
        };
        Network { hidden: layer(self.input_size, self.hidden_size), output: layer(self.hidden_size, self.num_labels) }
    }
}

/// A fully connected layer followed by the logistic function: `sigmoid(input · weight + bias)`.
#[derive(Module, Debug)]
pub struct SigmoidLayer {
    /// `[inputs, outputs]`: the transpose of a Theta matrix without its bias column.
    pub weight: Param<Tensor<2>>,
    /// `[outputs]`: a Theta matrix's bias column.
    pub bias: Param<Tensor<1>>,
}

impl SigmoidLayer {
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
        let bias = backend::tensor_to_vec(self.bias.val());
        Matrix::from_fn(weight.cols(), weight.rows() + 1, |o, c| if c == 0 { bias[o] } else { weight.get(c - 1, o) })
    }

    /// The pre-activation `z = input · weight + bias`.
    ///
    /// # Shapes
    /// - `input`: `[m, inputs]`
    /// - returns `[m, outputs]`
    pub fn logits(&self, input: Tensor<2>) -> Tensor<2> {
        input.matmul(self.weight.val()) + self.bias.val().unsqueeze_dim(0)
    }

    /// The activation `sigmoid(z)`.
    ///
    /// # Shapes
    /// - `input`: `[m, inputs]`
    /// - returns `[m, outputs]`
    pub fn forward(&self, input: Tensor<2>) -> Tensor<2> {
        sigmoid(self.logits(input))
    }

    /// Sum of the squared weights, bias excluded (the L2 term's share of this layer).
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

/// The exercise's network: input, one sigmoid hidden layer, a sigmoid output unit per label.
#[derive(Module, Debug)]
pub struct Network {
    /// Input to hidden (`Theta1`).
    pub hidden: SigmoidLayer,
    /// Hidden to output (`Theta2`); output unit `k` scores label `k + 1`.
    pub output: SigmoidLayer,
}

impl Network {
    /// The network holding the exercise's `Theta1` and `Theta2`; layer sizes come from them.
    ///
    /// # Panics
    /// When `weights` are not of the exercise's kind (one hidden layer, sigmoids).
    pub fn from_weights(weights: &Weights, device: &Device) -> Self {
        let architecture = weights.architecture();
        assert!(architecture.is_exercise_kind(), "a {architecture} network is not of the exercise's kind");
        Self {
            hidden: SigmoidLayer::from_theta(&weights.thetas[0], device),
            output: SigmoidLayer::from_theta(&weights.thetas[1], device),
        }
    }

    /// `Theta1` and `Theta2`, bit for bit the values the network holds.
    pub fn to_weights(&self) -> Weights {
        Weights::new(vec![self.hidden.to_theta(), self.output.to_theta()]).expect("a network's layers fit each other")
    }

    /// The network's description: its sizes, sigmoids everywhere.
    pub fn architecture(&self) -> Architecture {
        Architecture::sigmoid(self.sizes())
    }

    /// Layer sizes.
    pub fn sizes(&self) -> LayerSizes {
        let (input, hidden) = self.hidden.dims();
        LayerSizes::new(input, hidden, self.output.dims().1)
    }

    /// The output layer's pre-activation `z3` (the cost works on it, for stability).
    ///
    /// # Shapes
    /// - `x`: `[m, input]`
    /// - returns `[m, labels]`
    pub fn output_logits(&self, x: Tensor<2>) -> Tensor<2> {
        self.output.logits(self.hidden.forward(x))
    }

    /// The hypothesis `h(x) = a3`: for each example, the probability of each label.
    ///
    /// # Shapes
    /// - `x`: `[m, input]`
    /// - returns `[m, labels]`
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        sigmoid(self.output_logits(x))
    }

    /// The predicted label of each example (`1..=labels`; 10 is the digit 0): the output unit
    /// with the highest score.
    ///
    /// # Shapes
    /// - `x`: `[m, input]`
    pub fn predict_labels(&self, x: Tensor<2>) -> Vec<usize> {
        labels_of_logits(self.output_logits(x))
    }

    /// The predicted digit `0..=9` of each example.
    ///
    /// # Shapes
    /// - `x`: `[m, input]`
    pub fn predict_digits(&self, x: Tensor<2>) -> Vec<usize> {
        self.predict_labels(x).into_iter().map(data::conventions::label_to_digit).collect()
    }
}

/// The label (`1..=labels`) of each row's highest output: σ is increasing, so the largest
/// logit is the largest probability.
///
/// # Shapes
/// - `z3`: `[m, labels]`, from [`Network::output_logits`]
pub fn labels_of_logits(z3: Tensor<2>) -> Vec<usize> {
    let units = z3.argmax(1).flatten::<1>(0, 1);
    units
        .into_data()
        .convert::<i64>()
        .try_to_vec::<i64>()
        .expect("argmax gives integers")
        .into_iter()
        .map(|u| data::conventions::unit_label(u as usize))
        .collect()
}
