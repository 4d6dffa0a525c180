//! A dense matrix of `f64`, row-major: the hand-over format between the files and tensors.

/// A dense `rows x cols` matrix of `f64` stored row by row.
#[derive(Clone, Debug, PartialEq)]
pub struct Matrix {
    rows: usize,
    cols: usize,
    data: Vec<f64>,
}

impl Matrix {
    /// A matrix from row-major values.
    ///
    /// # Panics
    /// When `data.len() != rows * cols`.
    pub fn from_row_major(rows: usize, cols: usize, data: Vec<f64>) -> Self {
        assert_eq!(data.len(), rows * cols, "Matrix::from_row_major: {rows}x{cols} needs {} values", rows * cols);
        Self { rows, cols, data }
    }

    /// A matrix from column-major values (MATLAB's storage order).
    ///
    /// # Panics
    /// When `data.len() != rows * cols`.
    pub fn from_column_major(rows: usize, cols: usize, data: &[f64]) -> Self {
        assert_eq!(data.len(), rows * cols, "Matrix::from_column_major: {rows}x{cols} needs {} values", rows * cols);
        let mut out = Vec::with_capacity(data.len());
        for r in 0..rows {
            out.extend((0..cols).map(|c| data[c * rows + r]));
        }
        Self { rows, cols, data: out }
    }

    /// A matrix whose element (`r`, `c`) is `f(r, c)`.
    pub fn from_fn(rows: usize, cols: usize, mut f: impl FnMut(usize, usize) -> f64) -> Self {
        let mut data = Vec::with_capacity(rows * cols);
        for r in 0..rows {
            data.extend((0..cols).map(|c| f(r, c)));
        }
        Self { rows, cols, data }
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of columns.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// `(rows, cols)`.
    pub fn shape(&self) -> (usize, usize) {
        (self.rows, self.cols)
    }

    /// Element (`r`, `c`).
    pub fn get(&self, r: usize, c: usize) -> f64 {
        self.data[r * self.cols + c]
    }

    /// Row `r` as a slice.
    pub fn row(&self, r: usize) -> &[f64] {
        &self.data[r * self.cols..(r + 1) * self.cols]
    }

    /// All values, row-major.
    pub fn as_slice(&self) -> &[f64] {
        &self.data
    }

    /// All values, row-major, by value.
    pub fn into_vec(self) -> Vec<f64> {
        self.data
    }

    /// All values, column-major (MATLAB's storage order).
    pub fn to_column_major(&self) -> Vec<f64> {
        let mut out = Vec::with_capacity(self.data.len());
        for c in 0..self.cols {
            out.extend((0..self.rows).map(|r| self.get(r, c)));
        }
        out
    }

    /// The matrix with every element multiplied by `factor`.
    pub fn scaled(&self, factor: f64) -> Self {
        Self { rows: self.rows, cols: self.cols, data: self.data.iter().map(|v| v * factor).collect() }
    }

    /// The rows `indices`, in that order.
    pub fn select_rows(&self, indices: &[usize]) -> Self {
        let mut data = Vec::with_capacity(indices.len() * self.cols);
        for &r in indices {
            data.extend_from_slice(self.row(r));
        }
        Self { rows: indices.len(), cols: self.cols, data }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_major_round_trip() {
        let m = Matrix::from_column_major(2, 3, &[1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);
        assert_eq!(m.row(0), &[1.0, 2.0, 3.0]);
        assert_eq!(m.row(1), &[4.0, 5.0, 6.0]);
        assert_eq!(m.to_column_major(), vec![1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);
    }

    #[test]
    fn select_rows_keeps_order() {
        let m = Matrix::from_fn(3, 2, |r, c| (r * 10 + c) as f64);
        let s = m.select_rows(&[2, 0]);
        assert_eq!(s.as_slice(), &[20.0, 21.0, 0.0, 1.0]);
    }
}
