//! The exercise's data, as plain Rust values: reading MAT v5 files, checking that what they
//! hold is what the exercise means (a digit set `X`, `y`, or a pair of weight matrices
//! `Theta1`, `Theta2` that fit together), finding the files on disk, and writing MAT v5 files
//! back, and the weights as safetensors ([`safetensors`]). This crate owns the exercise's conventions ([`conventions`]: label 10 is digit 0,
//! images are column-major, `Theta2`'s rows follow the labels). It knows nothing of tensors,
//! burn, networks or training: everything above it receives a [`Matrix`] of `f64` in row-major
//! order and labels in `1..=K`.

pub mod conventions;
mod dataset;
mod error;
mod locate;
pub mod mat;
mod matrix;
pub mod safetensors;
mod synthetic;
mod weights;

pub use dataset::{Dataset, load_dataset, load_dataset_from_bytes};
pub use error::{DataError, Problem};
pub use locate::{DATA_DIR_ENV, DataFile, NotFound, locate, search_dirs, workspace_root};
pub use matrix::Matrix;
#[doc(hidden)]
pub use synthetic::SplitMix64;
pub use synthetic::synthetic_digits;
pub use weights::{
    ABSURD_MAGNITUDE, LargestEntry, LayerSizes, Weights, check_fit, load_pair, load_weights, load_weights_from_bytes,
};
