//! What a run writes: the weights in the exercise's layout, and the pictures.

use std::path::Path;

use anyhow::{Context, Result};
use data::conventions::{IMAGE_SIDE, label_to_digit};
use data::mat::{MatArray, MatData, write_mat_file};
use data::{Dataset, LayerSizes, Weights};
use pictures::{ConfusionMatrix, GridLayout, display_data, hidden_layer, save_png};

/// File names inside a run directory.
pub const WEIGHTS_FILE: &str = "weights.mat";
pub const METRICS_FILE: &str = "metrics.json";
pub const DIGITS_PICTURE: &str = "digits.png";
pub const HIDDEN_PICTURE: &str = "hidden.png";
pub const COST_PICTURE: &str = "cost.png";
pub const CONFUSION_PICTURE: &str = "confusion.png";

/// Pixels per image pixel in the grids.
const SCALE: u32 = 4;

/// `Theta1` and `Theta2` as a MAT v5 file (doubles, the exercise's layout), atomically.
pub fn write_weights(path: &Path, weights: &Weights) -> Result<()> {
    let arrays = [MatArray::matrix("Theta1", &weights.theta1), MatArray::matrix("Theta2", &weights.theta2)];
    write_mat_file(path, &arrays, false).with_context(|| format!("{}: cannot write the weights", path.display()))
}

/// A cost and its gradient for a network of `sizes` as a MAT v5 file, atomically, in the
/// exercise's shapes: `J` (1x1), `grad` unrolled as `[Theta1(:); Theta2(:)]` (a column), and
/// the same values as `Theta1_grad` and `Theta2_grad`, each the shape of its Theta.
pub fn write_gradient(path: &Path, cost: f64, gradient: &[f64], sizes: LayerSizes) -> Result<()> {
    let (theta1_grad, theta2_grad) = manual::reshape(gradient, sizes);
    let arrays = [
        MatArray::new("J", &[1, 1], MatData::Double(vec![cost])),
        MatArray::new("grad", &[gradient.len(), 1], MatData::Double(gradient.to_vec())),
        MatArray::matrix("Theta1_grad", &theta1_grad),
        MatArray::matrix("Theta2_grad", &theta2_grad),
    ];
    write_mat_file(path, &arrays, false).with_context(|| format!("{}: cannot write the gradient", path.display()))
}

/// The 8x8 grid of randomly chosen digits of `data`.
pub fn write_digit_grid(path: &Path, data: &Dataset, seed: u64) -> Result<()> {
    let rows = data.random_rows(64, seed);
    let images: Vec<&[f64]> = rows.iter().map(|&r| data.x.row(r)).collect();
    let side = image_side(data.num_features());
    save_png(path, &display_data(&images, GridLayout { side, columns: 8, rows: 8, scale: SCALE }))?;
    Ok(())
}

/// The hidden layer: each row of `Theta1` without its bias as an image.
pub fn hidden_image(weights: &Weights) -> image::RgbImage {
    let rows: Vec<&[f64]> = (0..weights.theta1.rows()).map(|j| &weights.theta1.row(j)[1..]).collect();
    hidden_layer(&rows, image_side(weights.theta1.cols() - 1), SCALE)
}

/// The side of the square images of `features` pixels (20 for the exercise); inputs that are
/// not square images are drawn as the largest square that fits.
pub fn image_side(features: usize) -> usize {
    if features == IMAGE_SIDE * IMAGE_SIDE { IMAGE_SIDE } else { (features as f64).sqrt().floor().max(1.0) as usize }
}

/// The confusion matrix of `predictions` (labels) against `data`'s labels, in digit order.
pub fn confusion(data: &Dataset, predictions: &[usize]) -> ConfusionMatrix {
    ConfusionMatrix::from_digits(
        10,
        data.labels.iter().zip(predictions).map(|(&a, &p)| (label_to_digit(a), label_to_digit(p))),
    )
}

/// Writes a picture, naming the file on failure.
pub fn write_picture(path: &Path, picture: Result<image::RgbImage, pictures::PictureError>) -> Result<()> {
    let picture = picture.with_context(|| format!("{}: cannot draw", path.display()))?;
    save_png(path, &picture)?;
    Ok(())
}

/// A short name for a data set in titles: its file name (a synthetic set's description has
/// no directory part, so it is its own file name).
pub fn dataset_name(data: &Dataset) -> String {
    data.source.file_name().map_or_else(|| data.source.display().to_string(), |n| n.to_string_lossy().into_owned())
}

/// Per-digit accuracy of an evaluation as JSON objects, digits in order.
pub fn per_digit_json(eval: &model::Evaluation) -> Vec<serde_json::Value> {
    eval.per_digit
        .iter()
        .map(|d| serde_json::json!({ "digit": d.digit, "correct": d.correct, "total": d.total, "accuracy": d.percent() }))
        .collect()
}
