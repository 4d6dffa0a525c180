//! A digit set: `X` (one example per row) and `y` (labels `1..=K`).

use std::path::{Path, PathBuf};

use crate::mat::read_matrices;
use crate::{DataError, Matrix, Problem};

/// Examples and their labels, as read from a file.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset {
    /// `m x n`: one example per row (for the exercise, a 20x20 image unrolled column-major).
    pub x: Matrix,
    /// `m` labels in `1..=K` (10 means the digit 0).
    pub labels: Vec<usize>,
    /// Where the examples came from, for messages and reports.
    pub source: PathBuf,
}

impl Dataset {
    /// Number of examples `m`.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are no examples (never true for a loaded file).
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Number of features `n` per example.
    pub fn num_features(&self) -> usize {
        self.x.cols()
    }

    /// `k` distinct example rows chosen at random (all of them, shuffled, when `k >= m`); the
    /// same `seed` gives the same rows.
    pub fn random_rows(&self, k: usize, seed: u64) -> Vec<usize> {
        let mut rng = crate::synthetic::SplitMix64(seed);
        let mut rows: Vec<usize> = (0..self.len()).collect();
        let k = k.min(rows.len());
        // The first k steps of a Fisher-Yates shuffle.
        for i in 0..k {
            let j = i + (rng.next_u64() % (rows.len() - i) as u64) as usize;
            rows.swap(i, j);
        }
        rows.truncate(k);
        rows
    }

    /// The largest label present.
    pub fn max_label(&self) -> usize {
        self.labels.iter().copied().max().unwrap_or(0)
    }
}

/// Reads a digit set from a MAT v5 file: `X` (m x n) and `y` (m x 1 or 1 x m), labels integers
/// in `1..=num_labels`.
pub fn load_dataset(path: &Path, num_labels: usize) -> Result<Dataset, DataError> {
    let bytes = std::fs::read(path).map_err(|e| DataError::file(path, Problem::Io(e.to_string())))?;
    load_dataset_from_bytes(path, &bytes, num_labels)
}

/// [`load_dataset`] on a file's content already in memory; `path` names it in messages.
pub fn load_dataset_from_bytes(path: &Path, bytes: &[u8], num_labels: usize) -> Result<Dataset, DataError> {
    let mut vars = read_matrices(path, bytes, &["X", "y"])?.into_iter();
    let (x, y) = (vars.next().expect("X was read").matrix, vars.next().expect("y was read").matrix);
    let y_err = |problem| DataError::variable(path, "y", problem);
    if y.rows() != 1 && y.cols() != 1 {
        return Err(y_err(Problem::NotVector(format!("{}x{}", y.rows(), y.cols()))));
    }
    let values = y.as_slice();
    if values.len() != x.rows() {
        return Err(y_err(Problem::Shape(format!(
            "has {} labels but `X` has {} rows (one label per example)",
            values.len(),
            x.rows()
        ))));
    }
    let mut labels = Vec::with_capacity(values.len());
    for (i, &value) in values.iter().enumerate() {
        if value.fract() != 0.0 || value < 1.0 || value > num_labels as f64 {
            return Err(y_err(Problem::BadLabel { index: i + 1, value, num_labels }));
        }
        labels.push(value as usize);
    }
    Ok(Dataset { x, labels, source: path.to_path_buf() })
}
