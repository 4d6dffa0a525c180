//! An RGB canvas, its PNG encoding and atomic writing, and the font for text.

use std::path::Path;
use std::sync::Once;

use image::{ImageEncoder, RgbImage, codecs::png::PngEncoder};
use plotters::style::FontStyle;

/// A picture that could not be made or written.
#[derive(Debug, thiserror::Error)]
pub enum PictureError {
    #[error("{file}: cannot write the picture: {problem}")]
    Write { file: String, problem: String },
    #[error("cannot draw the picture: {0}")]
    Draw(String),
}

/// The font for every label: DejaVu Sans, embedded, so that text looks the same everywhere.
pub(crate) fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // Cannot fail: the bytes are a valid TrueType font.
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, dejavu::sans::regular());
        let _ = plotters::style::register_font("sans-serif", FontStyle::Bold, dejavu::sans::bold());
    });
}

/// `image` as PNG bytes.
fn encode_png(image: &RgbImage) -> Result<Vec<u8>, PictureError> {
    let mut bytes = Vec::new();
    PngEncoder::new(&mut bytes)
        .write_image(image.as_raw(), image.width(), image.height(), image::ExtendedColorType::Rgb8)
        .map_err(|e| PictureError::Draw(e.to_string()))?;
    Ok(bytes)
}

/// Writes `image` as a PNG file at `path`, atomically.
pub fn save_png(path: &Path, image: &RgbImage) -> Result<(), PictureError> {
    let bytes = encode_png(image)?;
    data::mat::write_atomic(path, &bytes)
        .map_err(|e| PictureError::Write { file: path.display().to_string(), problem: e.to_string() })
}

/// Draws on a white `width x height` canvas with plotters and returns the image.
pub(crate) fn draw(
    width: u32,
    height: u32,
    paint: impl FnOnce(
        plotters::drawing::DrawingArea<plotters::backend::BitMapBackend<'_>, plotters::coord::Shift>,
    ) -> Result<(), String>,
) -> Result<RgbImage, PictureError> {
    register_font();
    let mut buffer = vec![255u8; (width * height * 3) as usize];
    {
        let area = plotters::backend::BitMapBackend::with_buffer(&mut buffer, (width, height));
        let root = plotters::drawing::IntoDrawingArea::into_drawing_area(area);
        paint(root.clone()).map_err(PictureError::Draw)?;
        root.present().map_err(|e| PictureError::Draw(e.to_string()))?;
    }
    RgbImage::from_raw(width, height, buffer).ok_or_else(|| PictureError::Draw("canvas size".into()))
}

/// Draws the same way as an SVG document (text as `<text>` in the reader's sans-serif font,
/// sized with the embedded one), for pages.
pub(crate) fn draw_svg(
    width: u32,
    height: u32,
    paint: impl FnOnce(
        plotters::drawing::DrawingArea<plotters::backend::SVGBackend<'_>, plotters::coord::Shift>,
    ) -> Result<(), String>,
) -> Result<String, PictureError> {
    register_font();
    let mut svg = String::new();
    {
        let area = plotters::backend::SVGBackend::with_string(&mut svg, (width, height));
        let root = plotters::drawing::IntoDrawingArea::into_drawing_area(area);
        paint(root.clone()).map_err(PictureError::Draw)?;
        root.present().map_err(|e| PictureError::Draw(e.to_string()))?;
    }
    Ok(svg)
}

/// `image` as PNG bytes (for pages that embed a picture).
pub fn png_bytes(image: &RgbImage) -> Result<Vec<u8>, PictureError> {
    encode_png(image)
}

/// Any displayable error as a `String` (plotters' errors are generic over the backend).
pub(crate) fn text<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}
