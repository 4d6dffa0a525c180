//! The exercise's conventions, in one place.
//!
//! - Labels in the files run `1..=10`; label 10 means the digit 0 (MATLAB indexes from 1).
//! - Row `k` (0-based) of `Theta2` scores label `k + 1`: the network's output unit order
//!   follows the labels, so output unit 9 is the digit 0.
//! - Each row of `X` is a 20x20 grey image unrolled column-major (MATLAB order): pixel
//!   (row `r`, column `c`) is at index `c * 20 + r`.

/// Number of labels (output units) in the exercise.
pub const NUM_LABELS: usize = 10;

/// Side of the square images, in pixels.
pub const IMAGE_SIDE: usize = 20;

/// Number of pixels of one image (the network's input size).
pub const IMAGE_PIXELS: usize = IMAGE_SIDE * IMAGE_SIDE;

/// The digit a label stands for: labels `1..=9` are themselves, label 10 is the digit 0.
///
/// For networks with other numbers of labels, the digit is the label modulo 10.
pub fn label_to_digit(label: usize) -> usize {
    label % 10
}

/// The label that stands for a digit `0..=9` (the digit 0 is label 10).
pub fn digit_to_label(digit: usize) -> usize {
    if digit == 0 { 10 } else { digit }
}

/// The 0-based output unit (row of `Theta2`) that scores `label`.
pub fn output_unit(label: usize) -> usize {
    label - 1
}

/// The label scored by the 0-based output unit `unit`.
pub fn unit_label(unit: usize) -> usize {
    unit + 1
}

/// The side of the square images of `features` pixels: 20 for the exercise's 400; inputs
/// that are not square images are drawn as the largest square that fits.
pub fn image_side(features: usize) -> usize {
    (features as f64).sqrt().floor().max(1.0) as usize
}

/// The output units' values in digit order: entry `d` is the value of the unit that scores
/// digit `d` (unit `k` scores label `k + 1`, label 10 being digit 0).
pub fn by_digit(units: &[f64]) -> Vec<f64> {
    let mut digits = vec![0.0; units.len()];
    for (unit, &value) in units.iter().enumerate() {
        digits[label_to_digit(unit_label(unit))] = value;
    }
    digits
}

/// Index in an unrolled image of the pixel at (`row`, `col`), column-major.
pub fn pixel_index(row: usize, col: usize) -> usize {
    col * IMAGE_SIDE + row
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_ten_is_digit_zero_and_back() {
        assert_eq!(label_to_digit(10), 0);
        assert_eq!(digit_to_label(0), 10);
        for digit in 1..=9 {
            assert_eq!(label_to_digit(digit_to_label(digit)), digit);
        }
    }

    #[test]
    fn output_units_follow_labels() {
        assert_eq!(output_unit(1), 0);
        assert_eq!(output_unit(10), 9);
        assert_eq!(unit_label(output_unit(7)), 7);
        let units: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(by_digit(&units), [10.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]);
        assert_eq!((image_side(400), image_side(16), image_side(17), image_side(0)), (20, 4, 4, 1));
    }

    #[test]
    fn pixels_are_column_major() {
        assert_eq!(pixel_index(0, 0), 0);
        assert_eq!(pixel_index(1, 0), 1);
        assert_eq!(pixel_index(0, 1), IMAGE_SIDE);
        assert_eq!(pixel_index(19, 19), IMAGE_PIXELS - 1);
    }
}
