//! Grids of 20x20 images, drawn as the exercise's `displayData` draws them.

use image::{Rgb, RgbImage, imageops};
use plotters::prelude::*;

use crate::PictureError;
use crate::canvas::{draw, text};

/// How a grid is laid out.
#[derive(Clone, Copy, Debug)]
pub struct GridLayout {
    /// Image side in pixels (images are `side x side`, unrolled column-major).
    pub side: usize,
    /// Images per row of the grid.
    pub columns: usize,
    /// Rows of the grid.
    pub rows: usize,
    /// Every source pixel becomes a `scale x scale` block, so that 20x20 digits are visible.
    pub scale: u32,
}

/// `displayData(X)`: the images side by side in a grid, each scaled by its own largest
/// absolute value to `[-1, 1]` and drawn in grey from black (-1) through mid-grey (0) to white
/// (1), on a black one-pixel border. Images are unrolled column-major, as in the exercise's
/// files, so element `c * side + r` is drawn at row `r`, column `c`: the digits come out
/// upright. Missing images (fewer than `columns * rows`) stay black.
pub fn display_data(images: &[&[f64]], layout: GridLayout) -> RgbImage {
    let GridLayout { side, columns, rows, scale } = layout;
    let pad = 1;
    let width = (columns * (side + pad) + pad) as u32;
    let height = (rows * (side + pad) + pad) as u32;
    let mut grid = RgbImage::from_pixel(width, height, Rgb([0, 0, 0]));
    for (index, image) in images.iter().take(columns * rows).enumerate() {
        let max = image.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let (top, left) = (pad + (index / columns) * (side + pad), pad + (index % columns) * (side + pad));
        for col in 0..side {
            for row in 0..side {
                let v = image.get(col * side + row).copied().unwrap_or(0.0);
                let v = if max > 0.0 && v.is_finite() { v / max } else { 0.0 };
                let grey = ((v + 1.0) / 2.0 * 255.0).round().clamp(0.0, 255.0) as u8;
                grid.put_pixel((left + col) as u32, (top + row) as u32, Rgb([grey, grey, grey]));
            }
        }
    }
    imageops::resize(&grid, width * scale, height * scale, imageops::FilterType::Nearest)
}

/// The units of the first hidden layer as pictures, from `Theta1` itself: each row without
/// its bias column, as an image of [`data::conventions::image_side`] pixels a side, the grid
/// scaled by `scale` ([`hidden_layer`]).
pub fn hidden_units(theta1: &data::Matrix, scale: u32) -> RgbImage {
    let rows: Vec<&[f64]> = (0..theta1.rows()).map(|j| &theta1.row(j)[1..]).collect();
    hidden_layer(&rows, data::conventions::image_side(theta1.cols().saturating_sub(1)), scale)
}

/// The hidden layer as pictures: row `j` of `Theta1` without its bias column is the image that
/// unit `j` responds to most (`displayData(Theta1(:, 2:end))`). `theta1_rows` are those rows,
/// bias removed; the grid is as square as the number of units allows (5x5 for 25).
pub fn hidden_layer(theta1_rows: &[&[f64]], side: usize, scale: u32) -> RgbImage {
    let n = theta1_rows.len().max(1);
    let columns = (n as f64).sqrt().ceil() as usize;
    let rows = n.div_ceil(columns);
    display_data(theta1_rows, GridLayout { side, columns, rows, scale })
}

/// Pictures side by side, each with a caption above it, on a white background (for example the
/// hidden layer at each lambda of a sweep).
pub fn labelled_row(panels: &[(String, RgbImage)], title: &str) -> Result<RgbImage, PictureError> {
    let gap = 24u32;
    let caption = 36u32;
    let title_height = 44u32;
    let width = panels.iter().map(|(_, p)| p.width() + gap).sum::<u32>() + gap;
    let height = title_height + caption + panels.iter().map(|(_, p)| p.height()).max().unwrap_or(0) + gap;
    let mut positions = Vec::new();
    let mut x = gap;
    for (label, panel) in panels {
        positions.push((x, label.as_str(), panel.width()));
        x += panel.width() + gap;
    }
    let mut canvas = draw(width, height, |root| {
        root.fill(&WHITE).map_err(text)?;
        let style = ("sans-serif", 26).into_font().color(&BLACK);
        root.draw(&Text::new(title.to_string(), (gap as i32, 10), style)).map_err(text)?;
        for (x, label, w) in &positions {
            let style = ("sans-serif", 22).into_font().color(&BLACK);
            let approx = (label.chars().count() as u32 * 11) / 2;
            let left = (x + w / 2).saturating_sub(approx) as i32;
            root.draw(&Text::new(*label, (left, (title_height + 6) as i32), style)).map_err(text)?;
        }
        Ok(())
    })?;
    for ((x, _, _), (_, panel)) in positions.iter().zip(panels) {
        imageops::replace(&mut canvas, panel, i64::from(*x), i64::from(title_height + caption));
    }
    Ok(canvas)
}
