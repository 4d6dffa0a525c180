//! The unrolled parameter vector.
//!
//! Element order, as in the exercise's `nn_params = [Theta1(:) ; Theta2(:)]`: all of `Theta1`
//! column by column (MATLAB's column-major order: `Theta1[i][j]` at index `j * hidden + i`),
//! then all of `Theta2` the same way (`Theta2[k][j]` at `hidden * (input + 1) + j * labels + k`).
//! Column 0 of each matrix is the bias, so the first `hidden` entries are `Theta1`'s biases.

use data::{LayerSizes, Matrix};

/// `[Theta1(:) ; Theta2(:)]`: both matrices, column-major, one after the other.
pub fn unroll(theta1: &Matrix, theta2: &Matrix) -> Vec<f64> {
    let mut params = theta1.to_column_major();
    params.extend(theta2.to_column_major());
    params
}

/// `Theta1` (`hidden x (input + 1)`) and `Theta2` (`labels x (hidden + 1)`) from the unrolled
/// vector.
///
/// # Panics
/// When `params.len()` is not `sizes.num_params()`.
pub fn reshape(params: &[f64], sizes: LayerSizes) -> (Matrix, Matrix) {
    assert_eq!(params.len(), sizes.num_params(), "reshape: {} parameters for a {sizes} network", params.len());
    let split = sizes.hidden * (sizes.input + 1);
    (
        Matrix::from_column_major(sizes.hidden, sizes.input + 1, &params[..split]),
        Matrix::from_column_major(sizes.labels, sizes.hidden + 1, &params[split..]),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unroll_is_column_major_theta1_then_theta2() {
        let theta1 = Matrix::from_row_major(2, 3, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        let theta2 = Matrix::from_row_major(1, 3, vec![7.0, 8.0, 9.0]);
        let params = unroll(&theta1, &theta2);
        assert_eq!(params, vec![1.0, 4.0, 2.0, 5.0, 3.0, 6.0, 7.0, 8.0, 9.0]);
        let (t1, t2) = reshape(&params, LayerSizes::new(2, 2, 1));
        assert_eq!((t1, t2), (theta1, theta2));
    }
}
