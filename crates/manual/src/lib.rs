//! Backpropagation written by hand, as the exercise asks: the forward pass, the cost and its
//! gradient on the unrolled parameter vector, for a network of any depth (`Theta1` ...
//! `ThetaL`), hidden units `sigmoid`, `tanh` or `relu` ([`activation`], each derivative its
//! own function: [`sigmoid_gradient`], [`tanh_gradient`], [`relu_gradient`]) and a sigmoid
//! output with the exercise's cost or a softmax with the cross-entropy of the true label (from
//! the logits, by `log_sigmoid` and log-sum-exp, so never NaN or inf), vectorized over all
//! examples with plain tensor operations (matrix products and element-wise functions) and no
//! autodiff anywhere: [`NnCost`] reads top to bottom like the exercise's `nnCostFunction`,
//! each line beside its equation, and the exercise's network runs exactly the operations it
//! always did. It also owns the parameter vector's layout ([`unroll`], [`reshape`]:
//! `[Theta1(:); ...; ThetaL(:)]`, column-major) and its initializations ([`random_params`],
//! seeded, [`Init`]; the exercise's deterministic debug weights). The code is generic over
//! burn's devices, so the same backpropagation runs on `flex` and `ndarray`. It knows nothing
//! of burn's `Module`s or the model crate it is checked against, nor of files, nor of how a
//! CPU is made to run it fast (that is the `fused` crate, checked against [`NnCost`]).

mod activation;
mod backprop;
mod init;
mod output;
mod params;

pub use activation::{activation, activation_gradient, relu_gradient, sigmoid, sigmoid_gradient, tanh_gradient};
pub use backprop::{NnCost, cost_and_gradient};
pub use init::{
    DEFAULT_INIT_EPSILON, Init, debug_initialize_weights, init_epsilon, rand_initialize_weights, random_params,
};
pub use params::{reshape, unroll};
