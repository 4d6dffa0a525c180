//! The network's configuration: layer sizes, hidden activation and output, and its random
//! initialization.

use std::fmt;
use std::str::FromStr;

use burn::prelude::*;
use data::{Activation, Architecture, LayerSizes, Output};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{LayerConfig, Network};

/// A choice such as [`Activation`] or [`Output`] in a [`Config`], written by its name
/// (`"tanh"`, `"softmax"`), the name the command line and the weights files use.
///
/// `data`'s choices know nothing of serde, and a burn `Config` field must be serializable;
/// this wrapper gives them the serde form without teaching `data` about it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ByName<T>(pub T);

impl<T: fmt::Display> Serialize for ByName<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

impl<'de, T: FromStr<Err = String>> Deserialize<'de> for ByName<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        name.parse().map(ByName).map_err(serde::de::Error::custom)
    }
}

impl<T: fmt::Display> fmt::Display for ByName<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A network's configuration; the exercise's 400-25-10, sigmoid hidden units, sigmoid
/// outputs by default. Saved as JSON (`Config::save`) it holds
/// `"input_size": 400, "hidden_sizes": [25], "num_labels": 10, "activation": "sigmoid",
/// "output": "sigmoid"`.
#[derive(Config, Debug)]
pub struct NetworkConfig {
    /// Input units (pixels).
    #[config(default = 400)]
    pub input_size: usize,
    /// Units of each hidden layer, the first one fed by the input; at least one layer.
    #[config(default = "vec![25]")]
    pub hidden_sizes: Vec<usize>,
    /// Output units, one per label.
    #[config(default = 10)]
    pub num_labels: usize,
    /// The hidden layers' activation.
    #[config(default = "ByName(Activation::Sigmoid)")]
    pub activation: ByName<Activation>,
    /// The output layer (and so the cost).
    #[config(default = "ByName(Output::Sigmoid)")]
    pub output: ByName<Output>,
}

impl NetworkConfig {
    /// The configuration of these layer sizes, sigmoids everywhere.
    pub fn from_sizes(sizes: &LayerSizes) -> Self {
        Self::from_architecture(&Architecture::sigmoid(sizes.clone()))
    }

    /// The configuration of this network description.
    pub fn from_architecture(architecture: &Architecture) -> Self {
        let sizes = &architecture.sizes;
        Self::new()
            .with_input_size(sizes.input())
            .with_hidden_sizes(sizes.hidden().to_vec())
            .with_num_labels(sizes.labels())
            .with_activation(ByName(architecture.activation))
            .with_output(ByName(architecture.output))
    }

    /// The layer sizes.
    ///
    /// # Panics
    /// When there is no hidden layer or a size is 0.
    pub fn sizes(&self) -> LayerSizes {
        LayerSizes::with_hidden(self.input_size, &self.hidden_sizes, self.num_labels)
    }

    /// The network's description.
    pub fn architecture(&self) -> Architecture {
        Architecture::new(self.sizes(), self.activation.0, self.output.0)
    }

    /// The configuration of each layer, `Theta1`'s first.
    pub fn layers(&self) -> Vec<LayerConfig> {
        self.sizes().layers().windows(2).map(|w| LayerConfig::new(w[0], w[1])).collect()
    }

    /// A network with every weight and bias drawn uniformly from `[-epsilon, epsilon]` by the
    /// device's random generator (seed it with `device.seed(..)`): layer by layer from the
    /// input, each layer's weights, then its biases ([`LayerConfig::init_uniform`]).
    pub fn init_uniform(&self, epsilon: f64, device: &Device) -> Network {
        let layers = self.layers().iter().map(|layer| layer.init_uniform(epsilon, device)).collect();
        Network::new(layers, self.activation.0, self.output.0)
    }
}
