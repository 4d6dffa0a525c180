//! Proof that the hand-written backpropagation is right, from independent directions: burn's
//! autodiff on the model crate's cost ([`autodiff_cost_and_gradient`]), central finite
//! differences ([`numerical_gradient`]; on ReLU networks each stencil that crosses the kink is
//! detected and left out, [`finite_differences`]), and the same code on two backends, on
//! networks of any depth, activation and output. It owns the comparison figures
//! ([`relative_difference`], [`max_relative_error`], per weight matrix in [`per_matrix`]), the
//! checks with their bounds ([`checks`]) and the report `just verify` prints. It computes no
//! gradient of its own and knows nothing of training or the command line.

mod autodiff;
pub mod checks;
mod compare;
mod finite_diff;
pub mod per_matrix;
pub mod report;

pub use autodiff::autodiff_cost_and_gradient;
pub use compare::{SMALL_ENTRY_FRACTION, max_raw_relative_error, max_relative_error, norm, relative_difference};
pub use finite_diff::{
    DEFAULT_EPSILON, FULL_NETWORK_EPSILON, FiniteDifferences, finite_differences, numerical_gradient,
    sample_coordinates, sample_per_matrix,
};
