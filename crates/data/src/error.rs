//! Errors of loading: one line that names the file, the variable and the problem.

use std::fmt;
use std::path::{Path, PathBuf};

/// Something wrong with a file the user gave us.
///
/// Its `Display` is one line: `FILE: variable `NAME`: PROBLEM` (or `FILE: PROBLEM` when the
/// problem is with the file as a whole).
#[derive(Debug, Clone, PartialEq)]
pub struct DataError {
    /// The file that was read.
    pub file: PathBuf,
    /// The variable in it that is at fault, when one is.
    pub variable: Option<String>,
    /// What is wrong.
    pub problem: Problem,
}

impl DataError {
    /// An error with the file as a whole.
    pub fn file(file: &Path, problem: Problem) -> Self {
        Self { file: file.to_path_buf(), variable: None, problem }
    }

    /// An error with one variable of the file.
    pub fn variable(file: &Path, variable: &str, problem: Problem) -> Self {
        Self { file: file.to_path_buf(), variable: Some(variable.to_string()), problem }
    }
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.variable {
            Some(name) => write!(f, "{}: variable `{}`: {}", self.file.display(), name, self.problem),
            None => write!(f, "{}: {}", self.file.display(), self.problem),
        }
    }
}

impl std::error::Error for DataError {}

/// What is wrong with a file or one of its variables.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Problem {
    /// The file could not be read.
    #[error("cannot read the file: {0}")]
    Io(String),
    /// A MATLAB v7.3 file, which is HDF5 inside.
    #[error(
        "this is a MATLAB v7.3 (HDF5) file, which is not supported; re-save it as MAT v7 \
         (Octave/MATLAB: `save -v7 FILE X y`, Python: `scipy.io.savemat(FILE, d)`)"
    )]
    Hdf5,
    /// Not a MAT v5 file at all.
    #[error("not a MAT v5 file ({0}); save it with `save -v7` in Octave/MATLAB or `scipy.io.savemat` in Python")]
    NotMat(String),
    /// The MAT structure is broken.
    #[error("malformed MAT file: {0}")]
    Malformed(String),
    /// The variable is not in the file.
    #[error("missing; the file holds {0}")]
    Missing(String),
    /// The variable has other than two dimensions.
    #[error("is {0}-dimensional ({1}); expected a 2-D matrix")]
    NotTwoD(usize, String),
    /// The variable holds no numbers.
    #[error("is empty ({0}); expected at least one row and one column")]
    Empty(String),
    /// The variable is of a non-numeric class (char, cell, struct, sparse, logical, ...).
    #[error("is a {0} array; expected a real numeric matrix (double, single or integer)")]
    NotNumeric(String),
    /// The variable holds complex numbers.
    #[error("is complex; expected a real numeric matrix")]
    Complex,
    /// An element is NaN or infinite.
    #[error("element ({row}, {col}) is {value}; every value must be finite")]
    NonFinite {
        /// 1-based row.
        row: usize,
        /// 1-based column.
        col: usize,
        /// The value found.
        value: f64,
    },
    /// A label is not an integer in `1..=K`.
    #[error("element {index} is {value}; labels must be integers in 1..={num_labels} (10 means the digit 0)")]
    BadLabel {
        /// 1-based position in `y`.
        index: usize,
        /// The value found.
        value: f64,
        /// Number of labels `K`.
        num_labels: usize,
    },
    /// `y` is not a vector.
    #[error("is {0}; expected a vector (m x 1 or 1 x m)")]
    NotVector(String),
    /// Two variables do not fit each other.
    #[error("{0}")]
    Shape(String),
}
