//! Predictions and hidden activations of a network built by hand.

use backend::{matrix_to_tensor, tensor_to_vec};
use data::{Activation, Matrix, Output, Weights};
use model::Network;

use crate::devices;

/// 2 inputs, 2 relu hidden units that copy them, 10 outputs: unit 9 (label 10, the digit 0)
/// reads hidden unit 1, unit 2 (label 3) reads hidden unit 2, and with both hidden units at 0
/// the biases decide for unit 4 (label 5).
fn hand_built(output: Output) -> Weights {
    let theta1 = Matrix::from_row_major(2, 3, vec![0.0, 1.0, 0.0, 0.0, 0.0, 1.0]);
    let theta2 = Matrix::from_fn(10, 3, |k, c| match (k, c) {
        (9, 1) | (2, 2) => 5.0,
        (4, 0) => 0.5,
        _ => 0.0,
    });
    Weights::new(vec![theta1, theta2]).unwrap().with_kind(Activation::Relu, output)
}

#[test]
fn labels_and_digits_of_a_hand_built_network() {
    let x = Matrix::from_row_major(4, 2, vec![1.0, 0.0, 0.0, 1.0, -1.0, -1.0, 0.2, 1.0]);
    for device in devices() {
        for output in Output::ALL.iter().copied() {
            let network = Network::from_weights(&hand_built(output), &device);
            assert_eq!(network.predict_labels(matrix_to_tensor(&x, &device)), [10, 3, 5, 3], "{output}");
            assert_eq!(network.predict_digits(matrix_to_tensor(&x, &device)), [0, 3, 5, 3], "{output}");
        }
    }
}

#[test]
fn hidden_activations_are_one_per_hidden_layer_without_bias_column() {
    let device = devices().remove(0);
    let x = Matrix::from_row_major(3, 2, vec![1.0, -2.0, -0.5, 0.25, 0.0, 3.0]);
    let network = Network::from_weights(&hand_built(Output::Softmax), &device);
    let hidden = network.hidden_activations(matrix_to_tensor(&x, &device));
    assert_eq!(hidden.len(), 1);
    assert_eq!(tensor_to_vec(hidden[0].clone()), [1.0, 0.0, 0.0, 0.25, 0.0, 3.0]);

    let sizes = data::LayerSizes::with_hidden(2, &[4, 3], 2);
    for activation in Activation::ALL.iter().copied() {
        let deep = model::NetworkConfig::from_architecture(&data::Architecture::new(
            sizes.clone(),
            activation,
            Output::Sigmoid,
        ))
        .init_uniform(2.0, &device);
        let hidden = deep.hidden_activations(matrix_to_tensor(&x, &device));
        assert_eq!(hidden.iter().map(|a| a.dims()).collect::<Vec<_>>(), [[3, 4], [3, 3]]);
        let values: Vec<f64> = hidden.into_iter().flat_map(tensor_to_vec).collect();
        let range = match activation {
            Activation::Sigmoid => 0.0..=1.0,
            Activation::Tanh => -1.0..=1.0,
            Activation::Relu => 0.0..=f64::MAX,
        };
        assert!(values.iter().all(|v| range.contains(v)), "{activation}: {values:?}");
        // The output layer reads the last hidden activation.
        let last = deep.hidden_activations(matrix_to_tensor(&x, &device)).pop().unwrap();
        let z = tensor_to_vec(deep.layers[2].logits(last));
        assert_eq!(z, tensor_to_vec(deep.output_logits(matrix_to_tensor(&x, &device))));
    }
}
