//! The network: `input -> g(hidden) -> ... -> g(hidden) -> σ or softmax (output)`.

use burn::prelude::*;
use data::{Activation, Architecture, LayerSizes, Output, Weights};

use crate::{Layer, activate, softmax};

/// A network of any depth: `Theta1 ... ThetaL` as [`Layer`]s, the hidden layers'
/// activation `g` and the output layer. The exercise's is 400-25-10 with sigmoids.
///
/// ```text
/// a_1 = x,  z_{l+1} = a_l Theta_lᵀ (bias apart),  a_{l+1} = g(z_{l+1}) for the hidden layers,
/// h(x) = σ(z_L) (sigmoid output) or softmax(z_L) (softmax output)
/// ```
///
/// The activation and output are plain values, not parameters: `#[module(skip)]` keeps them
/// out of the parameter traversal, the records and the device moves (burn 0.22's way for
/// configuration held by a module; it replaces the deprecated `Ignored<T>`).
#[derive(Module, Debug)]
pub struct Network {
    /// `Theta1` (input to the first hidden layer) ... `ThetaL` (last hidden layer to the
    /// output); output unit `k` scores label `k + 1`.
    pub layers: Vec<Layer>,
    /// The hidden layers' activation `g`.
    #[module(skip)]
    pub activation: Activation,
    /// The output layer, and so the cost ([`crate::cost`]).
    #[module(skip)]
    pub output: Output,
}

impl Network {
    /// The network of these layers, `Theta1`'s first.
    ///
    /// # Panics
    /// With fewer than two layers (no hidden layer), or when a layer's inputs are not the
    /// previous layer's outputs.
    pub fn new(layers: Vec<Layer>, activation: Activation, output: Output) -> Self {
        assert!(layers.len() >= 2, "{} layer(s): a network needs at least one hidden layer", layers.len());
        for (l, pair) in layers.windows(2).enumerate() {
            let ((_, outputs), (inputs, _)) = (pair[0].dims(), pair[1].dims());
            assert_eq!(
                inputs,
                outputs,
                "layer {} has {inputs} inputs but layer {} has {outputs} outputs",
                l + 2,
                l + 1
            );
        }
        Self { layers, activation, output }
    }

    /// The network holding `Theta1` ... `ThetaL`, with their activation and output; layer
    /// sizes come from the matrices.
    pub fn from_weights(weights: &Weights, device: &Device) -> Self {
        let layers = weights.thetas.iter().map(|theta| Layer::from_theta(theta, device)).collect();
        Self::new(layers, weights.activation, weights.output)
    }

    /// `Theta1` ... `ThetaL`, bit for bit the values the network holds, with its activation
    /// and output.
    pub fn to_weights(&self) -> Weights {
        Weights::new(self.layers.iter().map(Layer::to_theta).collect())
            .expect("a network's layers fit each other")
            .with_kind(self.activation, self.output)
    }

    /// Layer sizes, input first.
    pub fn sizes(&self) -> LayerSizes {
        let mut layers = vec![self.layers[0].dims().0];
        layers.extend(self.layers.iter().map(|layer| layer.dims().1));
        LayerSizes::from_layers(layers).expect("checked by Network::new")
    }

    /// The network's description: sizes, activation, output.
    pub fn architecture(&self) -> Architecture {
        Architecture::new(self.sizes(), self.activation, self.output)
    }

    /// The hidden layers, then the output layer.
    fn hidden_and_output(&self) -> (&[Layer], &Layer) {
        let (output, hidden) = self.layers.split_last().expect("at least two layers");
        (hidden, output)
    }

    /// The hidden layers' activations `a_2 ... a_{L-1}`, `a_{l+1} = g(a_l · weight + bias)`,
    /// without the bias column (for pictures of the hidden units and reports).
    ///
    /// # Shapes
    /// - `x`: `[m, input]`
    /// - returns one `[m, s_l]` per hidden layer, the first hidden layer's first
    pub fn hidden_activations(&self, x: Tensor<2>) -> Vec<Tensor<2>> {
        let (hidden, _) = self.hidden_and_output();
        let mut a = x;
        let mut activations = Vec::with_capacity(hidden.len());
        for layer in hidden {
            a = activate(self.activation, layer.logits(a));
            activations.push(a.clone());
        }
        activations
    }

    /// The output layer's pre-activation `z_L` (the cost works on it, for stability).
    ///
    /// # Shapes
    /// - `x`: `[m, input]`
    /// - returns `[m, labels]`
    pub fn output_logits(&self, x: Tensor<2>) -> Tensor<2> {
        let (hidden, output) = self.hidden_and_output();
        let a = hidden.iter().fold(x, |a, layer| activate(self.activation, layer.logits(a)));
        output.logits(a)
    }

    /// The hypothesis `h(x)`: for each example, the probability of each label, `σ(z_L)`
    /// (each label on its own) or `softmax(z_L)` (rows summing to 1).
    ///
    /// # Shapes
    /// - `x`: `[m, input]`
    /// - returns `[m, labels]`
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        self.output_values(self.output_logits(x))
    }

    /// The output layer's values from its logits `z_L`: `σ(z_L)` or `softmax(z_L)`. With
    /// [`output_logits`](Self::output_logits), one forward pass gives both the scores a
    /// prediction takes the largest of and the values.
    ///
    /// # Shapes
    /// - `z`: `[m, labels]`; returns the same shape
    pub fn output_values(&self, z: Tensor<2>) -> Tensor<2> {
        match self.output {
            Output::Sigmoid => backend::sigmoid(z),
            Output::Softmax => softmax(z),
        }
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

/// The label (`1..=labels`) of each row's highest output: σ and softmax are both increasing
/// in each logit, so the largest logit is the largest probability.
///
/// # Shapes
/// - `z`: `[m, labels]`, from [`Network::output_logits`]
pub fn labels_of_logits(z: Tensor<2>) -> Vec<usize> {
    let units = z.argmax(1).flatten::<1>(0, 1);
    units
        .into_data()
        .convert::<i64>()
        .try_to_vec::<i64>()
        .expect("argmax gives integers")
        .into_iter()
        .map(|u| data::conventions::unit_label(u as usize))
        .collect()
}
