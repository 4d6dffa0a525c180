//! The burn backends the project runs on and the few tensor helpers every engine shares.
//!
//! It owns the choice of backend ([`Backend`]: `flex`, the default, or `ndarray`, the second
//! opinion), the configuration of its device to `f64`, moving [`data::Matrix`] values in and
//! out of tensors, one-hot label matrices, and the numerically stable [`log_sigmoid`] and
//! [`log_softmax`] that both the model and the hand-written engine build on. It knows nothing of networks, costs or
//! gradients.

mod device;
mod numerics;
mod tensors;

pub use device::{Backend, BackendError};
pub use numerics::{log_sigmoid, log_softmax, sigmoid, softmax};
pub use tensors::{matrix_to_tensor, one_hot, rows_to_tensor, scalar, tensor_to_matrix, tensor_to_vec};

/// Re-exported so that callers share this crate's burn version.
pub use burn;
