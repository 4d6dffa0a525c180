//! The exercise's data, as plain Rust values: reading MAT v5 files, checking that what they
//! hold is what the exercise means (a digit set `X`, `y`, or weight matrices `Theta1` ...
//! `ThetaL` that fit together), finding the files on disk, and writing MAT v5 files back, and
//! the weights as safetensors ([`safetensors`]). This crate owns the exercise's conventions
//! ([`conventions`]: label 10 is digit 0, images are column-major, the last Theta's rows follow
//! the labels) and a network's description as files and flags give it ([`Architecture`]: layer
//! sizes, activation, output). It knows nothing of tensors, burn, how a network computes, or
//! training: everything above it receives a [`Matrix`] of `f64` in row-major order and labels in
//! `1..=K`.

pub mod conventions;
mod dataset;
mod error;
mod locate;
pub mod mat;
mod matrix;
mod network;
pub mod safetensors;
mod synthetic;
mod weights;

pub use dataset::{Dataset, load_dataset, load_dataset_from_bytes};
pub use error::{DataError, Problem};
pub use locate::{DATA_DIR_ENV, DataFile, NotFound, locate, search_dirs, workspace_root};
pub use matrix::Matrix;
pub use network::{Activation, Architecture, LayerSizes, Output, theta_name};
#[doc(hidden)]
pub use synthetic::SplitMix64;
pub use synthetic::synthetic_digits;
pub use weights::{
    ABSURD_MAGNITUDE, ACTIVATION_VARIABLE, LargestEntry, Misfit, OUTPUT_VARIABLE, Weights, check_fit, load_pair,
    load_weights, load_weights_from_bytes,
};
