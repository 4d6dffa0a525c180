//! Pictures: PNG files of what the network sees and learns, for people to look at.
//!
//! This crate owns every picture the tools write: grids of digits and of hidden units drawn
//! as the exercise's `displayData` draws them, the cost curve, the confusion matrix, and the
//! two sweep pictures. It takes plain numbers (images as unrolled column-major vectors,
//! costs, counts) and knows nothing of networks, training or burn. Pictures are encoded in
//! memory and written atomically (a temporary file renamed into place).

mod canvas;
mod charts;
mod confusion;
mod grid;

pub use canvas::{PictureError, save_png};
pub use charts::{SweepAccuracy, accuracy_vs_lambda, cost_curve};
pub use confusion::{ConfusionMatrix, confusion_matrix};
pub use grid::{GridLayout, display_data, hidden_layer, labelled_row};
