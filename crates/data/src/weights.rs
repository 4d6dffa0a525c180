//! The exercise's weights: `Theta1` (hidden x (input + 1)) and `Theta2` (labels x (hidden + 1)),
//! bias in column 0.

use std::path::{Path, PathBuf};

use crate::mat::read_matrices;
use crate::{DataError, Dataset, Matrix, Problem};

/// Sizes of the three layers of a network, bias units not counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LayerSizes {
    /// Input units `n` (400 for 20x20 images).
    pub input: usize,
    /// Hidden units (25 in the exercise).
    pub hidden: usize,
    /// Output units, one per label `K` (10).
    pub labels: usize,
}

impl LayerSizes {
    /// Sizes `input-hidden-labels`.
    pub fn new(input: usize, hidden: usize, labels: usize) -> Self {
        Self { input, hidden, labels }
    }

    /// Number of parameters: `hidden * (input + 1) + labels * (hidden + 1)`.
    pub fn num_params(&self) -> usize {
        self.hidden * (self.input + 1) + self.labels * (self.hidden + 1)
    }
}

impl std::fmt::Display for LayerSizes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}-{}", self.input, self.hidden, self.labels)
    }
}

/// A pair of weight matrices that fit each other.
#[derive(Clone, Debug, PartialEq)]
pub struct Weights {
    /// `hidden x (input + 1)`; column 0 is the bias.
    pub theta1: Matrix,
    /// `labels x (hidden + 1)`; column 0 is the bias; row `k` scores label `k + 1`.
    pub theta2: Matrix,
    /// Where they came from, if from a file.
    pub source: Option<PathBuf>,
}

impl Weights {
    /// Weights from two matrices, checked to fit each other: columns of `theta2` = rows of
    /// `theta1` + 1, and both have a bias column plus at least one weight column.
    pub fn new(theta1: Matrix, theta2: Matrix) -> Result<Self, String> {
        if theta1.cols() < 2 {
            return Err(format!("`Theta1` has {} columns; expected a bias column and one per input", theta1.cols()));
        }
        if theta2.cols() != theta1.rows() + 1 {
            return Err(format!(
                "`Theta2` has {} columns but `Theta1` has {} rows; expected {} (rows of Theta1 + 1)",
                theta2.cols(),
                theta1.rows(),
                theta1.rows() + 1
            ));
        }
        Ok(Self { theta1, theta2, source: None })
    }

    /// Layer sizes, taken from the matrices.
    pub fn layer_sizes(&self) -> LayerSizes {
        LayerSizes::new(self.theta1.cols() - 1, self.theta1.rows(), self.theta2.rows())
    }
}

/// Entries larger than this in magnitude are not weights any training produces. With inputs in
/// about [-0.13, 1.13], a weight of 10 already drives a sigmoid to 0.99995; the exercise's
/// `ex4weights.mat` stays below 10, and a run without regularization below a few hundred. A
/// flipped exponent bit, by contrast, turns 1.5 into 1e9 or 1e182, whose square overflows.
pub const ABSURD_MAGNITUDE: f64 = 1e6;

/// The entry of largest magnitude of a weights pair, in the exercise's terms.
#[derive(Clone, Debug, PartialEq)]
pub struct LargestEntry {
    /// `Theta1` or `Theta2`.
    pub variable: &'static str,
    /// Row, counted from 1 as in Octave.
    pub row: usize,
    /// Column, counted from 1 as in Octave (column 1 is the bias).
    pub col: usize,
    /// The entry.
    pub value: f64,
}

impl LargestEntry {
    /// True when no training could have produced it ([`ABSURD_MAGNITUDE`]).
    pub fn is_absurd(&self) -> bool {
        self.value.abs() > ABSURD_MAGNITUDE
    }

    /// True when its square overflows `f64` and it is regularized (not in the bias column), so
    /// the regularization term `Σ Θ²` is infinite.
    pub fn square_overflows(&self) -> bool {
        self.col > 1 && !(self.value * self.value).is_finite()
    }
}

impl std::fmt::Display for LargestEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}({}, {}) = {:e}", self.variable, self.row, self.col, self.value)
    }
}

impl Weights {
    /// The entry of largest magnitude over `Theta1` then `Theta2` (the first one on a tie).
    pub fn largest_entry(&self) -> LargestEntry {
        let mut best = LargestEntry { variable: "Theta1", row: 1, col: 1, value: 0.0 };
        for (variable, theta) in [("Theta1", &self.theta1), ("Theta2", &self.theta2)] {
            for r in 0..theta.rows() {
                for (c, &value) in theta.row(r).iter().enumerate() {
                    if value.abs() > best.value.abs() {
                        best = LargestEntry { variable, row: r + 1, col: c + 1, value };
                    }
                }
            }
        }
        best
    }

    /// A one-line warning naming the file, the variable, the position and the value of the
    /// largest entry when it is [absurd](LargestEntry::is_absurd); `None` otherwise.
    pub fn damage_warning(&self) -> Option<String> {
        let largest = self.largest_entry();
        if !largest.is_absurd() {
            return None;
        }
        let file = self.source.as_deref().map_or_else(|| "(weights)".into(), |p| p.display().to_string());
        let consequence = if largest.square_overflows() {
            "; its square overflows, so every regularized cost is infinite"
        } else {
            ""
        };
        Some(format!(
            "{file}: variable `{}`: largest entry {largest} is far beyond any trained weight (|value| > {ABSURD_MAGNITUDE:e}){consequence}; the file may be damaged",
            largest.variable
        ))
    }
}

/// Reads `Theta1` and `Theta2` from a MAT v5 file and checks that they fit each other.
pub fn load_weights(path: &Path) -> Result<Weights, DataError> {
    let bytes = std::fs::read(path).map_err(|e| DataError::file(path, Problem::Io(e.to_string())))?;
    load_weights_from_bytes(path, &bytes)
}

/// [`load_weights`] on a file's content already in memory; `path` names it in messages.
pub fn load_weights_from_bytes(path: &Path, bytes: &[u8]) -> Result<Weights, DataError> {
    let mut vars = read_matrices(path, bytes, &["Theta1", "Theta2"])?.into_iter();
    let (theta1, theta2) = (vars.next().expect("Theta1 was read").matrix, vars.next().expect("Theta2 was read").matrix);
    let culprit = if theta1.cols() < 2 { "Theta1" } else { "Theta2" };
    let mut weights =
        Weights::new(theta1, theta2).map_err(|message| DataError::variable(path, culprit, Problem::Shape(message)))?;
    weights.source = Some(path.to_path_buf());
    Ok(weights)
}

/// Checks that a digit set fits a network: columns of `X` + 1 = columns of `Theta1`, and every
/// label has its row in `Theta2`. The error names the weights file and its variable.
pub fn check_fit(data: &Dataset, weights: &Weights) -> Result<(), DataError> {
    let file = weights.source.clone().unwrap_or_else(|| PathBuf::from("(weights)"));
    let sizes = weights.layer_sizes();
    if data.num_features() != sizes.input {
        return Err(DataError::variable(
            &file,
            "Theta1",
            Problem::Shape(format!(
                "has {} columns but `X` in {} has {} columns; expected {} (columns of X + 1)",
                weights.theta1.cols(),
                data.source.display(),
                data.num_features(),
                data.num_features() + 1
            )),
        ));
    }
    if data.max_label() > sizes.labels {
        return Err(DataError::variable(
            &file,
            "Theta2",
            Problem::Shape(format!(
                "has {} rows but `y` in {} uses label {}; expected one row per label",
                sizes.labels,
                data.source.display(),
                data.max_label()
            )),
        ));
    }
    Ok(())
}

/// Loads the weights, then a digit set whose labels must fit them (`1..=` rows of `Theta2`),
/// and checks that the two fit ([`check_fit`]).
pub fn load_pair(data: &Path, weights: &Path) -> Result<(Dataset, Weights), DataError> {
    let weights = load_weights(weights)?;
    let dataset = crate::load_dataset(data, weights.layer_sizes().labels)?;
    check_fit(&dataset, &weights)?;
    Ok((dataset, weights))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(theta1: Vec<f64>, theta2: Vec<f64>) -> Weights {
        let mut weights =
            Weights::new(Matrix::from_row_major(2, 3, theta1), Matrix::from_row_major(2, 3, theta2)).unwrap();
        weights.source = Some(PathBuf::from("w.mat"));
        weights
    }

    #[test]
    fn the_largest_entry_is_named_in_octave_positions() {
        let weights = pair(vec![0.1, -0.2, 0.3, 0.4, -5.0, 0.6], vec![1.0, 2.0, -4.0, 0.0, 0.0, 0.0]);
        let largest = weights.largest_entry();
        assert_eq!(largest, LargestEntry { variable: "Theta1", row: 2, col: 2, value: -5.0 });
        assert!(!largest.is_absurd());
        assert_eq!(weights.damage_warning(), None);
    }

    #[test]
    fn a_flipped_exponent_bit_is_named_with_file_variable_position_and_value() {
        // What a flipped exponent bit makes of a weight of order 1.
        let value = 2.8e182;
        let weights = pair(vec![0.1; 6], vec![0.0, 0.0, 0.0, 0.0, 0.0, value]);
        assert!(weights.largest_entry().square_overflows());
        let warning = weights.damage_warning().expect("absurd");
        assert_eq!(
            warning,
            "w.mat: variable `Theta2`: largest entry Theta2(2, 3) = 2.8e182 is far beyond any trained weight \
             (|value| > 1e6); its square overflows, so every regularized cost is infinite; the file may be damaged"
        );
        assert!(!warning.contains('\n'));
        // Absurd but finite when squared: still named, without the overflow clause.
        let weights = pair(vec![0.1, 0.1, 0.1, 0.1, 0.1, -3.0e9], vec![0.0; 6]);
        let warning = weights.damage_warning().expect("absurd");
        assert!(warning.contains("Theta1(2, 3) = -3e9") && !warning.contains("overflows"), "{warning}");
        // A bias is not regularized: its square never reaches the cost.
        let weights = pair(vec![0.1; 6], vec![0.0, 0.0, 0.0, value, 0.0, 0.0]);
        let warning = weights.damage_warning().expect("absurd");
        assert!(warning.contains("Theta2(2, 1) = 2.8e182") && !warning.contains("overflows"), "{warning}");
    }
}
