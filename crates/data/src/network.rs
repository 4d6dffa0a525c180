//! What a network is, as the files and the command line describe it: the sizes of its layers,
//! the activation of its hidden layers and its output layer. Nothing here computes a network;
//! the engines above read this description and do.

use std::fmt;

/// Sizes of every layer of a network, bias units not counted: the input `n`, one or more
/// hidden layers, the labels `K`. The exercise's network is `400-25-10`.
///
/// Layer `l` (counted from 1, the input being layer 1) feeds layer `l + 1` through `Theta_l`,
/// an `s_{l+1} x (s_l + 1)` matrix whose column 0 is the bias.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LayerSizes {
    layers: Vec<usize>,
}

impl LayerSizes {
    /// Sizes `input-hidden-labels`: one hidden layer, as in the exercise.
    ///
    /// # Panics
    /// When a size is 0 (use [`LayerSizes::from_layers`] to get an error instead).
    pub fn new(input: usize, hidden: usize, labels: usize) -> Self {
        Self::with_hidden(input, &[hidden], labels)
    }

    /// Sizes `input-hidden[0]-...-hidden[last]-labels`.
    ///
    /// # Panics
    /// When `hidden` is empty or any size is 0 (use [`LayerSizes::from_layers`] to get an error
    /// instead).
    pub fn with_hidden(input: usize, hidden: &[usize], labels: usize) -> Self {
        let mut layers = vec![input];
        layers.extend_from_slice(hidden);
        layers.push(labels);
        Self::from_layers(layers).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Sizes from a list, input first, labels last; an error unless there are at least three
    /// layers (one hidden) and every size is at least 1.
    pub fn from_layers(layers: Vec<usize>) -> Result<Self, String> {
        if layers.len() < 3 {
            return Err(format!(
                "a network needs an input, at least one hidden layer and an output; got {} layer(s)",
                layers.len()
            ));
        }
        if let Some(l) = layers.iter().position(|&s| s == 0) {
            return Err(format!("layer {} has 0 units", l + 1));
        }
        Ok(Self { layers })
    }

    /// Every layer's size, input first.
    pub fn layers(&self) -> &[usize] {
        &self.layers
    }

    /// Input units `n` (400 for 20x20 images).
    pub fn input(&self) -> usize {
        self.layers[0]
    }

    /// The hidden layers' sizes (`[25]` in the exercise).
    pub fn hidden(&self) -> &[usize] {
        &self.layers[1..self.layers.len() - 1]
    }

    /// Output units, one per label `K` (10).
    pub fn labels(&self) -> usize {
        self.layers[self.layers.len() - 1]
    }

    /// Number of hidden layers (1 in the exercise).
    pub fn depth(&self) -> usize {
        self.layers.len() - 2
    }

    /// Number of weight matrices `L - 1`: `Theta1` ... `Theta{L-1}`, one more than the depth.
    pub fn num_thetas(&self) -> usize {
        self.layers.len() - 1
    }

    /// The shape `(rows, cols)` of each `Theta_l`, `Theta1` first: `(s_{l+1}, s_l + 1)`.
    pub fn theta_shapes(&self) -> Vec<(usize, usize)> {
        self.layers.windows(2).map(|w| (w[1], w[0] + 1)).collect()
    }

    /// Number of parameters: `Σ_l s_{l+1} (s_l + 1)`.
    pub fn num_params(&self) -> usize {
        self.theta_shapes().iter().map(|(r, c)| r * c).sum()
    }

    /// Where each `Theta_l` starts in the unrolled vector `[Theta1(:); ...; ThetaL(:)]`, and
    /// one more entry, the total.
    pub fn offsets(&self) -> Vec<usize> {
        let mut offsets = vec![0];
        for (r, c) in self.theta_shapes() {
            offsets.push(offsets.last().expect("never empty") + r * c);
        }
        offsets
    }
}

impl fmt::Display for LayerSizes {
    /// `400-25-10`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<String> = self.layers.iter().map(usize::to_string).collect();
        f.write_str(&names.join("-"))
    }
}

/// The name of layer `l`'s weights, counted from 1: `Theta1`, `Theta2`, ...
pub fn theta_name(l: usize) -> String {
    format!("Theta{l}")
}

/// Names for a closed set of choices, as the command line, files and reports spell them:
/// `ALL` (every choice, in the order the command line lists them), `name()`, `Display`, and
/// `FromStr` (case-insensitive; an unknown name gets `unknown <what> '<name>' (choose one of:
/// ...)`). `named_choices!(Output, "output", Sigmoid => "sigmoid", Softmax => "softmax")`.
#[macro_export]
macro_rules! named_choices {
    ($ty:ident, $what:literal, $($variant:ident => $name:literal),+ $(,)?) => {
        impl $ty {
            /// Every choice, in the order the command line lists them.
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            /// The name used on the command line, in files and in reports.
            pub fn name(self) -> &'static str {
                match self {
                    $($ty::$variant => $name),+
                }
            }
        }

        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.name())
            }
        }

        impl ::std::str::FromStr for $ty {
            type Err = String;

            fn from_str(s: &str) -> Result<Self, String> {
                let lower = s.to_ascii_lowercase();
                $ty::ALL.iter().copied().find(|v| v.name() == lower).ok_or_else(|| {
                    let names: Vec<&str> = $ty::ALL.iter().map(|v| v.name()).collect();
                    format!("unknown {} '{s}' (choose one of: {})", $what, names.join(", "))
                })
            }
        }
    };
}

/// The function `g` every hidden unit applies to its input `z`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Activation {
    /// `σ(z) = 1 / (1 + e^(−z))`, the exercise's; `σ'(z) = σ(z)(1 − σ(z))`.
    #[default]
    Sigmoid,
    /// `tanh(z)`; `tanh'(z) = 1 − tanh²(z)`.
    Tanh,
    /// `max(z, 0)`; its derivative is taken as 1 for `z > 0` and 0 otherwise (it has none at
    /// `z = 0`, the kink).
    Relu,
}

named_choices!(Activation, "activation", Sigmoid => "sigmoid", Tanh => "tanh", Relu => "relu");

/// The output layer and the cost measured on it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Output {
    /// One sigmoid per label and the exercise's cost, the cross-entropy of each label as a
    /// yes/no question: `J = (1/m) Σ_i Σ_k [−y_k log h_k − (1 − y_k) log(1 − h_k)]`.
    #[default]
    Sigmoid,
    /// The softmax over the labels, `h_k = e^(z_k) / Σ_j e^(z_j)`, and the cross-entropy of the
    /// true label: `J = (1/m) Σ_i −log h_{y_i}`.
    Softmax,
}

named_choices!(Output, "output", Sigmoid => "sigmoid", Softmax => "softmax");

/// A network's description: its layer sizes, its hidden layers' activation and its output.
/// The exercise's is `400-25-10`, sigmoid, sigmoid output ([`Architecture::exercise`]).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Architecture {
    pub sizes: LayerSizes,
    pub activation: Activation,
    pub output: Output,
}

impl Architecture {
    /// A network of `sizes` with the exercise's sigmoids everywhere.
    pub fn sigmoid(sizes: LayerSizes) -> Self {
        Self { sizes, activation: Activation::Sigmoid, output: Output::Sigmoid }
    }

    /// The exercise's network, `400-25-10`, sigmoids everywhere.
    pub fn exercise() -> Self {
        Self::sigmoid(LayerSizes::new(400, 25, 10))
    }

    /// A network of `sizes` with `activation` in its hidden layers and `output`.
    pub fn new(sizes: LayerSizes, activation: Activation, output: Output) -> Self {
        Self { sizes, activation, output }
    }

    /// True for one hidden layer of sigmoids and a sigmoid output: the exercise's kind of
    /// network, whatever its sizes.
    pub fn is_exercise_kind(&self) -> bool {
        self.sizes.depth() == 1 && self.activation == Activation::Sigmoid && self.output == Output::Sigmoid
    }
}

impl fmt::Display for Architecture {
    /// `400-25-10 sigmoid` (the output named only when it is not the exercise's sigmoid):
    /// `400-100-10 relu, softmax output`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.sizes, self.activation)?;
        if self.output != Output::Sigmoid {
            write!(f, ", {} output", self.output)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_shapes_and_offsets() {
        let sizes = LayerSizes::with_hidden(400, &[100, 25], 10);
        assert_eq!(sizes.to_string(), "400-100-25-10");
        assert_eq!((sizes.input(), sizes.hidden(), sizes.labels()), (400, &[100, 25][..], 10));
        assert_eq!((sizes.depth(), sizes.num_thetas()), (2, 3));
        assert_eq!(sizes.theta_shapes(), [(100, 401), (25, 101), (10, 26)]);
        assert_eq!(sizes.num_params(), 100 * 401 + 25 * 101 + 10 * 26);
        assert_eq!(sizes.offsets(), [0, 40100, 42625, 42885]);
        assert_eq!(LayerSizes::new(400, 25, 10).num_params(), 10285);
    }

    #[test]
    fn sizes_refuse_what_is_not_a_network() {
        assert!(std::panic::catch_unwind(|| LayerSizes::new(3, 0, 2)).is_err());
        assert!(LayerSizes::from_layers(vec![400, 10]).unwrap_err().contains("at least one hidden layer"));
        assert_eq!(LayerSizes::from_layers(vec![400, 0, 10]).unwrap_err(), "layer 2 has 0 units");
    }

    #[test]
    fn names_round_trip_and_unknown_names_list_the_choices() {
        for &a in Activation::ALL {
            assert_eq!(a.name().parse::<Activation>(), Ok(a));
        }
        assert_eq!("ReLU".parse::<Activation>(), Ok(Activation::Relu));
        assert_eq!(
            "swish".parse::<Activation>().unwrap_err(),
            "unknown activation 'swish' (choose one of: sigmoid, tanh, relu)"
        );
        assert_eq!("softmax".parse::<Output>(), Ok(Output::Softmax));
        assert_eq!(Architecture::exercise().to_string(), "400-25-10 sigmoid");
        let relu = Architecture::new(LayerSizes::new(400, 100, 10), Activation::Relu, Output::Softmax);
        assert_eq!(relu.to_string(), "400-100-10 relu, softmax output");
        assert!(Architecture::exercise().is_exercise_kind() && !relu.is_exercise_kind());
    }
}
