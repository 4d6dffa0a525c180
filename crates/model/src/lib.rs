//! The exercise's network as a burn [`Module`](burn::module::Module): two sigmoid layers with
//! explicit weight and bias parameters ([`Network`]), its forward pass and prediction, its cost
//! (cross-entropy over all labels plus L2 on the non-bias weights, in a form that stays finite
//! when outputs saturate), conversion from and to the exercise's `Theta1`/`Theta2`, and the
//! evaluation figures (cost, accuracy, per-digit accuracy). Gradients come from burn's
//! autodiff when the network lives on an autodiff device. It does not know how files are
//! found or read, nor anything of the hand-written backpropagation it is checked against.

mod cost;
mod evaluation;
mod network;
mod unrolled;

pub use cost::{cost, cross_entropy, regularization};
pub use evaluation::{DigitAccuracy, Evaluation, evaluate};
pub use network::{Network, NetworkConfig, SigmoidLayer, labels_of_logits};
pub use unrolled::cost_and_gradient;
