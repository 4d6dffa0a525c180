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
