//! How sharp the hidden layer's pictures are: the exercise's observation that a larger `λ`
//! gives blurrier hidden units, as a number.

use data::Matrix;

/// The hidden units as images: row `j` of `Theta1` without its bias, scaled to `[0, 1]`
/// (`(w − min) / (max − min)`; a constant row becomes all 0.5). Pixel order is the data's
/// (column-major, as in `data::conventions::pixel_index`).
pub fn hidden_images(theta1: &Matrix) -> Vec<Vec<f64>> {
    (0..theta1.rows())
        .map(|j| {
            let weights = &theta1.row(j)[1..];
            let (lo, hi) =
                weights.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &w| (lo.min(w), hi.max(w)));
            let range = hi - lo;
            weights.iter().map(|&w| if range > 0.0 { (w - lo) / range } else { 0.5 }).collect()
        })
        .collect()
}

/// Sharpness of the hidden layer: the mean total variation of its normalized images, the
/// mean of `|p − q|` over every pair of horizontally or vertically adjacent pixels, averaged
/// over the hidden units. Noise-like, sharp features give values near 0.3; smooth, blurred
/// ones give small values. `side` is the image side (20 for the exercise); when the input
/// is not a square image the figure is taken along the input order.
///
/// `Theta1` is `hidden x (side² + 1)`.
pub fn sharpness(theta1: &Matrix, side: usize) -> f64 {
    let images = hidden_images(theta1);
    if images.is_empty() {
        return 0.0;
    }
    let total: f64 = images
        .iter()
        .map(|image| {
            if side * side != image.len() {
                let pairs = image.windows(2).map(|w| (w[0] - w[1]).abs());
                return pairs.sum::<f64>() / (image.len().saturating_sub(1).max(1)) as f64;
            }
            let mut sum = 0.0;
            let mut count = 0usize;
            for row in 0..side {
                for col in 0..side {
                    // Column-major: pixel (row, col) is at col * side + row.
                    let p = image[col * side + row];
                    if col + 1 < side {
                        sum += (p - image[(col + 1) * side + row]).abs();
                        count += 1;
                    }
                    if row + 1 < side {
                        sum += (p - image[col * side + row + 1]).abs();
                        count += 1;
                    }
                }
            }
            sum / count as f64
        })
        .sum();
    total / images.len() as f64
}
