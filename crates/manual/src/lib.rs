//! Backpropagation written by hand, as the exercise asks: the forward pass, the cost and its
//! gradient on the unrolled parameter vector, vectorized over all examples with plain tensor
//! operations (matrix products and element-wise functions) and no autodiff anywhere. It also
//! owns the parameter vector's layout ([`unroll`], [`reshape`]) and its initializations
//! (random, seeded; the exercise's deterministic debug weights). The code is generic over
//! burn's devices, so the same backpropagation runs on `flex` and `ndarray`. It knows nothing
//! of burn's `Module`s or the model crate it is checked against, nor of files, nor of how a
//! CPU is made to run it fast (that is the `fused` crate, checked against [`NnCost`]).

mod activation;
mod backprop;
mod init;
mod params;

pub use activation::{activation, activation_gradient, relu_gradient, sigmoid, sigmoid_gradient, tanh_gradient};
pub use backprop::{NnCost, cost_and_gradient};
pub use init::{
    DEFAULT_INIT_EPSILON, Init, debug_initialize_weights, init_epsilon, rand_initialize_weights, random_params,
};
pub use params::{reshape, unroll};
