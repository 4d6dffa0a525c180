//! The network as a burn [`Module`](burn::module::Module), at any depth: a list of fully
//! connected [`Layer`]s with explicit weight and bias parameters (`Theta1 ... ThetaL`), the
//! hidden layers' activation (sigmoid, tanh, relu) and the output (sigmoid or softmax) held as
//! plain values ([`Network`], configured by [`NetworkConfig`]); its forward pass, hidden
//! activations and prediction; its cost (the exercise's cross-entropy or the softmax
//! cross-entropy of the true label, plus L2 on the non-bias weights, from the output logits
//! with stable `log σ` and log-sum-exp so that it stays finite when outputs saturate);
//! conversion from and to `Weights` and the unrolled vector; and the evaluation figures
//! (cost, accuracy, per-digit accuracy). Gradients come from burn's autodiff when the network
//! lives on an autodiff device ([`cost_and_gradient`]). It does not know how files are found
//! or read, the command line, nor anything of the hand-written backpropagation it is checked
//! against.

mod activation;
mod config;
mod cost;
mod evaluation;
mod layer;
mod network;
mod unrolled;

pub use activation::activate;
pub use backend::{log_softmax, softmax};
pub use config::{ByName, NetworkConfig};
pub use cost::{cost, cross_entropy, regularization, sigmoid_cross_entropy, softmax_cross_entropy};
pub use evaluation::{DigitAccuracy, Evaluation, evaluate};
pub use layer::{Layer, LayerConfig};
pub use network::{Network, labels_of_logits};
pub use unrolled::cost_and_gradient;
