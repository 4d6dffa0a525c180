//! The files of a run directory and of a sweep directory, by name.

/// The directory of runs (`runs/`), where the index is kept.
pub const RUNS_DIR: &str = "runs";
/// The index of a runs directory.
pub const INDEX: &str = "index.html";
/// A run's or sweep's report.
pub const REPORT: &str = "report.html";

/// A run: its configuration, costs and figures.
pub const METRICS: &str = "metrics.json";
/// A run: `Theta1` and `Theta2` at the end.
pub const WEIGHTS: &str = "weights.mat";
/// A run: the same weights as safetensors (`Theta1`, `Theta2`; see `data::safetensors`).
pub const WEIGHTS_SAFETENSORS: &str = "weights.safetensors";
/// A run: `Theta1` at moments of training, one variable per moment (`metrics.json` lists them).
pub const SNAPSHOTS: &str = "snapshots.mat";
/// A run: the held-out digits it gets wrong, most confident first (see [`crate::Mistakes`]).
pub const MISTAKES: &str = "mistakes.mat";
/// A run: 64 training digits.
pub const DIGITS: &str = "digits.png";
pub const HIDDEN: &str = "hidden.png";
pub const COST: &str = "cost.png";
pub const CONFUSION: &str = "confusion.png";

/// A sweep: its configuration and each lambda's figures.
pub const SWEEP: &str = "sweep.json";
pub const SWEEP_CSV: &str = "sweep.csv";
pub const HIDDEN_BY_LAMBDA: &str = "hidden_by_lambda.png";
pub const ACCURACY_BY_LAMBDA: &str = "accuracy_by_lambda.png";

/// The run directory of one lambda inside a sweep directory.
pub fn lambda_dir(lambda: f64) -> String {
    format!("lambda_{lambda}")
}

/// Variables of [`MISTAKES`]: the images (one row each), the true and predicted digits, the ten
/// outputs by digit (column `d` is the output unit of digit `d`) and the row in the held-out file
/// (counted from 1).
pub const MISTAKE_IMAGES: &str = "X";
pub const MISTAKE_ACTUAL: &str = "actual";
pub const MISTAKE_PREDICTED: &str = "predicted";
pub const MISTAKE_OUTPUTS: &str = "outputs";
pub const MISTAKE_ROWS: &str = "row";

/// The variable of [`SNAPSHOTS`] that holds `Theta1` after `iteration`.
pub fn snapshot_variable(iteration: usize) -> String {
    format!("Theta1_at_{iteration}")
}
