//! The confusion matrix: which digit was taken for which.

use image::RgbImage;
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::PictureError;
use crate::canvas::{draw, draw_svg, text};

/// Counts `counts[actual][predicted]` over digits `0..n` (digit order, not label order).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfusionMatrix {
    pub counts: Vec<Vec<usize>>,
}

impl ConfusionMatrix {
    /// Counts from pairs of (actual, predicted) digits in `0..n`.
    pub fn from_digits(n: usize, pairs: impl IntoIterator<Item = (usize, usize)>) -> Self {
        let mut counts = vec![vec![0; n]; n];
        for (actual, predicted) in pairs {
            if actual < n && predicted < n {
                counts[actual][predicted] += 1;
            }
        }
        Self { counts }
    }
}

/// A heat map of `matrix`, one row per actual digit, one column per predicted digit, each cell
/// shaded by its share of the row and printed with its count.
pub fn confusion_matrix(matrix: &ConfusionMatrix, title: &str) -> Result<RgbImage, PictureError> {
    let (width, height) = size(matrix);
    draw(width, height, |root| paint(&root, matrix, title))
}

/// [`confusion_matrix`] as an SVG document.
pub fn confusion_matrix_svg(matrix: &ConfusionMatrix, title: &str) -> Result<String, PictureError> {
    let (width, height) = size(matrix);
    draw_svg(width, height, |root| paint(&root, matrix, title))
}

const CELL: i32 = 56;
const LEFT: i32 = 90;
const TOP: i32 = 90;

fn size(matrix: &ConfusionMatrix) -> (u32, u32) {
    let side = CELL * matrix.counts.len() as i32;
    ((LEFT + side + 30) as u32, (TOP + side + 70) as u32)
}

fn paint<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    matrix: &ConfusionMatrix,
    title: &str,
) -> Result<(), String> {
    let n = matrix.counts.len();
    let (cell, left, top) = (CELL, LEFT, TOP);
    let side = cell * n as i32;
    root.fill(&WHITE).map_err(text)?;
    root.draw(&Text::new(title.to_string(), (20, 15), ("sans-serif", 24).into_font())).map_err(text)?;
    root.draw(&Text::new("predicted digit", (left + side / 2 - 70, 50), ("sans-serif", 18).into_font()))
        .map_err(text)?;
    root.draw(&Text::new("actual", (10, top + side / 2 - 10), ("sans-serif", 18).into_font())).map_err(text)?;
    for (actual, row) in matrix.counts.iter().enumerate() {
        let total = row.iter().sum::<usize>().max(1) as f64;
        let y = top + actual as i32 * cell;
        root.draw(&Text::new(actual.to_string(), (left - 22, y + cell / 2 - 9), ("sans-serif", 18).into_font()))
            .map_err(text)?;
        for (predicted, &count) in row.iter().enumerate() {
            let x = left + predicted as i32 * cell;
            let share = count as f64 / total;
            // Diagonal cells in blue, mistakes in red; the darker, the larger the share.
            let strength = if actual == predicted { share } else { (share * 5.0).min(1.0) };
            let (r, g, b) = if actual == predicted { (0.2, 0.4, 0.9) } else { (0.9, 0.2, 0.2) };
            let mix = |c: f64| (255.0 - (255.0 - c * 255.0) * strength).round() as u8;
            root.draw(&Rectangle::new([(x, y), (x + cell, y + cell)], RGBColor(mix(r), mix(g), mix(b)).filled()))
                .map_err(text)?;
            root.draw(&Rectangle::new([(x, y), (x + cell, y + cell)], BLACK.mix(0.2))).map_err(text)?;
            if count > 0 {
                let colour = if strength > 0.6 { WHITE } else { BLACK };
                let label = count.to_string();
                let dx = (label.len() as i32 * 10) / 2;
                root.draw(&Text::new(
                    label,
                    (x + cell / 2 - dx, y + cell / 2 - 9),
                    ("sans-serif", 17).into_font().color(&colour),
                ))
                .map_err(text)?;
            }
        }
    }
    for predicted in 0..n {
        let x = left + predicted as i32 * cell + cell / 2 - 5;
        root.draw(&Text::new(predicted.to_string(), (x, top - 26), ("sans-serif", 18).into_font())).map_err(text)?;
    }
    Ok(())
}
