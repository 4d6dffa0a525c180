//! Moving values between [`Matrix`] and tensors.

use burn::tensor::{Device, Tensor, TensorData};
use data::Matrix;

/// A `rows x cols` float tensor holding `matrix`.
///
/// # Shapes
/// - returns `[matrix.rows(), matrix.cols()]`.
pub fn matrix_to_tensor(matrix: &Matrix, device: &Device) -> Tensor<2> {
    rows_to_tensor(matrix, 0..matrix.rows(), device)
}

/// Rows `rows` of a matrix as a tensor.
///
/// # Shapes
/// - returns `[rows.len(), matrix.cols()]`.
pub fn rows_to_tensor(matrix: &Matrix, rows: std::ops::Range<usize>, device: &Device) -> Tensor<2> {
    let n = matrix.cols();
    let values = matrix.as_slice()[rows.start * n..rows.end * n].to_vec();
    Tensor::from_data(TensorData::new(values, [rows.len(), n]), device)
}

/// The values of a float tensor, row-major, as `f64`.
///
/// # Shapes
/// - `tensor`: any shape.
pub fn tensor_to_vec<const D: usize>(tensor: Tensor<D>) -> Vec<f64> {
    tensor.into_data().convert::<f64>().try_to_vec::<f64>().expect("float tensor data converts to f64")
}

/// A [`Matrix`] holding a 2-D float tensor.
///
/// # Shapes
/// - `tensor`: `[rows, cols]`.
pub fn tensor_to_matrix(tensor: Tensor<2>) -> Matrix {
    let [rows, cols] = tensor.dims();
    Matrix::from_row_major(rows, cols, tensor_to_vec(tensor))
}

/// The value of a one-element tensor.
///
/// # Shapes
/// - `tensor`: `[1]`.
pub fn scalar(tensor: Tensor<1>) -> f64 {
    tensor.into_scalar::<f64>()
}

/// The exercise's `Y` matrix: row `i` is all zeros but a one in column `label_i − 1`.
///
/// # Shapes
/// - returns `[labels.len(), num_labels]`.
pub fn one_hot(labels: &[usize], num_labels: usize, device: &Device) -> Tensor<2> {
    let mut values = vec![0.0f64; labels.len() * num_labels];
    for (i, &label) in labels.iter().enumerate() {
        values[i * num_labels + data::conventions::output_unit(label)] = 1.0;
    }
    Tensor::from_data(TensorData::new(values, [labels.len(), num_labels]), device)
}
