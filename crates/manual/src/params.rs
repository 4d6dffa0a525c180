//! The unrolled parameter vector.
//!
//! Element order, as in the exercise's `nn_params = [Theta1(:) ; Theta2(:)]`, for any number
//! of layers: all of `Theta1` column by column (MATLAB's column-major order: `Theta1[i][j]` at
//! index `j * s_2 + i`), then all of `Theta2` the same way, and so on to `ThetaL`;
//! `Theta_l[i][j]` is at `offsets[l - 1] + j * s_{l+1} + i` ([`LayerSizes::offsets`]). Column 0
//! of each matrix is the bias, so the first `s_2` entries are `Theta1`'s biases.

use data::{LayerSizes, Matrix};

/// `[Theta1(:) ; Theta2(:) ; ... ; ThetaL(:)]`: every matrix, column-major, one after the
/// other.
pub fn unroll(thetas: &[Matrix]) -> Vec<f64> {
    thetas.iter().flat_map(Matrix::to_column_major).collect()
}

/// `Theta1` ... `ThetaL` from the unrolled vector; `Theta_l` is `s_{l+1} x (s_l + 1)`.
///
/// # Panics
/// When `params.len()` is not `sizes.num_params()`.
pub fn reshape(params: &[f64], sizes: &LayerSizes) -> Vec<Matrix> {
    assert_eq!(params.len(), sizes.num_params(), "reshape: {} parameters for a {sizes} network", params.len());
    let offsets = sizes.offsets();
    sizes
        .theta_shapes()
        .into_iter()
        .enumerate()
        .map(|(l, (rows, cols))| Matrix::from_column_major(rows, cols, &params[offsets[l]..offsets[l + 1]]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unroll_is_column_major_theta1_then_theta2() {
        let theta1 = Matrix::from_row_major(2, 3, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        let theta2 = Matrix::from_row_major(1, 3, vec![7.0, 8.0, 9.0]);
        let params = unroll(&[theta1.clone(), theta2.clone()]);
        assert_eq!(params, vec![1.0, 4.0, 2.0, 5.0, 3.0, 6.0, 7.0, 8.0, 9.0]);
        assert_eq!(reshape(&params, &LayerSizes::new(2, 2, 1)), vec![theta1, theta2]);
    }

    #[test]
    fn unroll_and_reshape_round_trip_three_matrices_at_their_offsets() {
        // 3-4-2-2: Theta1 4x4, Theta2 2x5, Theta3 2x3.
        let sizes = LayerSizes::with_hidden(3, &[4, 2], 2);
        let thetas: Vec<Matrix> = sizes
            .theta_shapes()
            .into_iter()
            .enumerate()
            .map(|(l, (rows, cols))| Matrix::from_fn(rows, cols, |i, j| (100 * (l + 1) + 10 * i + j) as f64))
            .collect();
        let params = unroll(&thetas);
        assert_eq!(params.len(), 16 + 10 + 6);
        assert_eq!(sizes.offsets(), [0, 16, 26, 32]);
        // Theta_l[i][j] at offsets[l - 1] + j * rows + i.
        let offsets = sizes.offsets();
        for (l, theta) in thetas.iter().enumerate() {
            for i in 0..theta.rows() {
                for j in 0..theta.cols() {
                    assert_eq!(params[offsets[l] + j * theta.rows() + i], theta.get(i, j), "Theta{}({i}, {j})", l + 1);
                }
            }
        }
        assert_eq!(&params[..6], &[100.0, 110.0, 120.0, 130.0, 101.0, 111.0]);
        assert_eq!(&params[26..], &[300.0, 310.0, 301.0, 311.0, 302.0, 312.0]);
        assert_eq!(reshape(&params, &sizes), thetas);
    }

    #[test]
    #[should_panic(expected = "reshape: 31 parameters for a 3-4-2-2 network")]
    fn reshape_refuses_a_vector_of_the_wrong_length() {
        reshape(&[0.0; 31], &LayerSizes::with_hidden(3, &[4, 2], 2));
    }
}
