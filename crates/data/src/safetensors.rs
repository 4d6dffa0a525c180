//! Writing a network's weights as a [safetensors](https://github.com/huggingface/safetensors)
//! file, for numpy, PyTorch, JAX and anything else that reads the format.
//!
//! The file holds one tensor per layer, `Theta1` ... `ThetaL`, each `F64` of shape
//! `[rows, cols]` in the exercise's layout (row `j` of `Theta_l` is unit `j` of layer `l + 1`,
//! column 0 its bias), row-major as safetensors requires, and a small `__metadata__`:
//! `format` ([`FORMAT`]), `layers` (the layer sizes, input first, comma-separated: `400,25,10`),
//! `activation` and `output` (their names: `sigmoid`, `tanh`, `relu`; `sigmoid`, `softmax`).

use std::collections::HashMap;
use std::io;
use std::path::Path;

use ::safetensors::{Dtype, serialize, tensor::TensorView};

use crate::mat::write_atomic;
use crate::theta_name;
use crate::{Activation, Matrix, Output, Weights};

/// The `format` entry of the metadata.
pub const FORMAT: &str = "ex4";
/// The metadata key of the format.
pub const FORMAT_KEY: &str = "format";
/// The metadata key of the layer sizes.
pub const LAYERS_KEY: &str = "layers";
/// The metadata key of the hidden layers' activation (`sigmoid`, `tanh`, `relu`).
pub const ACTIVATION_KEY: &str = "activation";
/// The metadata key of the output layer (`sigmoid`, `softmax`).
pub const OUTPUT_KEY: &str = "output";

/// The layer sizes of `thetas`, input first, or why they do not form a network: each
/// `Theta_{l+1}` must have one column more than `Theta_l` has rows.
fn layer_sizes(thetas: &[&Matrix]) -> Result<Vec<usize>, String> {
    let first = thetas.first().ok_or("no weights")?;
    if first.cols() == 0 {
        return Err("Theta1 has no bias column".into());
    }
    let mut sizes = vec![first.cols() - 1];
    for (l, theta) in thetas.iter().enumerate() {
        let previous = *sizes.last().expect("never empty");
        if theta.cols() != previous + 1 {
            return Err(format!(
                "{} is {}x{}, but the layer before it has {previous} units (it needs {} columns)",
                theta_name(l + 1),
                theta.rows(),
                theta.cols(),
                previous + 1
            ));
        }
        sizes.push(theta.rows());
    }
    Ok(sizes)
}

/// The safetensors file of `thetas` (`Theta1` first) for a network with `activation` and
/// `output`, as bytes.
pub fn safetensors_bytes(thetas: &[&Matrix], activation: Activation, output: Output) -> io::Result<Vec<u8>> {
    let sizes = layer_sizes(thetas).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
    let bytes: Vec<Vec<u8>> =
        thetas.iter().map(|t| t.as_slice().iter().flat_map(|v| v.to_le_bytes()).collect()).collect();
    let views = thetas
        .iter()
        .zip(&bytes)
        .enumerate()
        .map(|(l, (theta, data))| {
            TensorView::new(Dtype::F64, vec![theta.rows(), theta.cols()], data).map(|view| (theta_name(l + 1), view))
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(io::Error::other)?;
    let layers = sizes.iter().map(usize::to_string).collect::<Vec<_>>().join(",");
    let metadata = HashMap::from([
        (FORMAT_KEY.to_string(), FORMAT.to_string()),
        (LAYERS_KEY.to_string(), layers),
        (ACTIVATION_KEY.to_string(), activation.name().to_string()),
        (OUTPUT_KEY.to_string(), output.name().to_string()),
    ]);
    serialize(views, Some(metadata)).map_err(io::Error::other)
}

/// Writes the safetensors file of `weights` to `path`, atomically (see [`write_atomic`]).
pub fn write_safetensors_file(path: &Path, weights: &Weights) -> io::Result<()> {
    let thetas: Vec<&Matrix> = weights.thetas.iter().collect();
    write_atomic(path, &safetensors_bytes(&thetas, weights.activation, weights.output)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ::safetensors::SafeTensors;

    fn matrix(rows: usize, cols: usize, offset: f64) -> Matrix {
        Matrix::from_fn(rows, cols, |r, c| offset + (r * cols + c) as f64 / 7.0 - 1.0)
    }

    #[test]
    fn thetas_read_back_bit_for_bit_with_their_shapes_and_metadata() {
        let mut theta1 = matrix(3, 5, 0.0);
        let theta2 = matrix(2, 4, 10.0);
        let theta3 = matrix(4, 3, -3.0);
        // Values a careless conversion would change.
        let specials = [f64::MIN_POSITIVE / 4.0, -0.0, f64::MAX, 1.0 + f64::EPSILON];
        let mut data = theta1.as_slice().to_vec();
        data[..specials.len()].copy_from_slice(&specials);
        theta1 = Matrix::from_row_major(3, 5, data);
        let thetas = [&theta1, &theta2, &theta3];
        let bytes = safetensors_bytes(&thetas, Activation::Tanh, Output::Softmax).unwrap();

        let file = SafeTensors::deserialize(&bytes).unwrap();
        let mut names = file.names();
        names.sort();
        assert_eq!(names, ["Theta1", "Theta2", "Theta3"]);
        for (l, theta) in thetas.iter().enumerate() {
            let view = file.tensor(&theta_name(l + 1)).unwrap();
            assert_eq!(view.dtype(), Dtype::F64);
            assert_eq!(view.shape(), [theta.rows(), theta.cols()]);
            let values: Vec<u64> =
                view.data().chunks_exact(8).map(|b| f64::from_le_bytes(b.try_into().unwrap()).to_bits()).collect();
            let expected: Vec<u64> = theta.as_slice().iter().map(|v| v.to_bits()).collect();
            assert_eq!(values, expected, "Theta{}", l + 1);
        }
        let (_, metadata) = SafeTensors::read_metadata(&bytes).unwrap();
        let metadata = metadata.metadata().clone().unwrap();
        assert_eq!(metadata[FORMAT_KEY], "ex4");
        assert_eq!(metadata[LAYERS_KEY], "4,3,2,4");
        assert_eq!((metadata[ACTIVATION_KEY].as_str(), metadata[OUTPUT_KEY].as_str()), ("tanh", "softmax"));
    }

    #[test]
    fn thetas_that_do_not_fit_are_refused_and_a_file_is_written_whole() {
        let dir = std::env::temp_dir().join(format!("ex4-safetensors-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("weights.safetensors");
        let (theta1, theta2) = (matrix(3, 5, 0.0), matrix(2, 3, 0.0));
        let (sigmoid, sigmoid_output) = (Activation::Sigmoid, Output::Sigmoid);
        let err = safetensors_bytes(&[&theta1, &theta2], sigmoid, sigmoid_output).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert!(err.to_string().contains("Theta2 is 2x3"), "{err}");
        assert!(safetensors_bytes(&[], sigmoid, sigmoid_output).is_err());

        let theta2 = matrix(2, 4, 0.0);
        write_safetensors_file(&path, &Weights::new(vec![theta1, theta2]).unwrap()).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(SafeTensors::deserialize(&bytes).unwrap().tensor("Theta2").unwrap().shape(), [2, 4]);
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1, "no temporary file left");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
