//! Pictures: PNG files of what the network sees and learns, for people to look at.
//!
//! This crate owns every picture the tools write: grids of digits and of hidden units drawn
//! as the exercise's `displayData` draws them, the cost curve, the confusion matrix, the
//! two sweep pictures and the gradient check's epsilon sweep. It takes plain numbers (images as unrolled column-major vectors,
//! costs, counts) and knows nothing of networks, training or burn. Pictures are encoded in
//! memory and written atomically (a temporary file renamed into place).

mod canvas;
mod charts;
mod confusion;
mod grid;
mod ticks;

pub use canvas::{PictureError, png_bytes, save_png};
pub use charts::{
    CostCurve, EpsilonSweep, SweepAccuracy, accuracy_vs_lambda, accuracy_vs_lambda_svg, cost_curve, cost_curve_svg,
    epsilon_sweep, epsilon_sweep_svg,
};
pub use confusion::{ConfusionMatrix, confusion_matrix, confusion_matrix_svg};
pub use grid::{GridLayout, display_data, hidden_layer, hidden_units, labelled_row};
pub use ticks::{Tick, integer_ticks, tick_range, ticks};
