//! Backpropagation written by hand, as the exercise asks: the forward pass, the cost and its
//! gradient on the unrolled parameter vector, vectorized over all examples with plain tensor
//! operations (matrix products and element-wise functions) and no autodiff anywhere. It also
//! owns the parameter vector's layout ([`unroll`], [`reshape`]) and its initializations
//! (random, seeded; the exercise's deterministic debug weights). The code is generic over
//! burn's devices, so the same backpropagation runs on `flex` and `ndarray`. [`FusedNnCost`]
//! is the same computation written out on plain slices (`f32` or `f64`; the products with `X`
//! over its nonzeros or by `gemm`, element-wise steps fused and vectorized): the fast path
//! training uses, checked against [`NnCost`]. It
//! knows nothing of burn's `Module`s or the model crate it is checked against, nor of files.

mod backprop;
mod fused;
mod init;
mod params;
mod sigmoid;

pub use backprop::{NnCost, cost_and_gradient};
pub use fused::{FusedNnCost, Isa, Layout, Real, ThreadBudget, with_thread_budget};
pub use init::{DEFAULT_INIT_EPSILON, debug_initialize_weights, init_epsilon, rand_initialize_weights, random_params};
pub use params::{reshape, unroll};
pub use sigmoid::{sigmoid, sigmoid_gradient};
