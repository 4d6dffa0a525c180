//! Weights and unrolled vectors in and out of a network, bit for bit.

use burn::module::Module;
use model::Network;

use crate::{devices, every_kind, unroll, weights};

#[test]
fn weights_of_any_depth_and_kind_come_back_bit_for_bit() {
    for device in devices() {
        for layers in [&[3, 5, 4, 2][..], &[4, 6, 5, 3, 3]] {
            for (activation, output) in every_kind() {
                let original = weights(layers, activation, output);
                let network = Network::from_weights(&original, &device);
                assert_eq!(network.layers.len(), layers.len() - 1);
                assert_eq!(network.architecture(), original.architecture());
                assert_eq!(network.sizes().layers(), layers);
                assert_eq!(network.to_weights(), original, "{layers:?} {activation} {output}");
            }
        }
    }
}

#[test]
fn the_unrolled_vector_is_the_thetas_column_major_in_turn() {
    for device in devices() {
        for (activation, output) in every_kind() {
            let original = weights(&[4, 6, 5, 3, 3], activation, output);
            let params = unroll(&original);
            let network = Network::from_unrolled(&params, &original.architecture(), &device);
            assert_eq!(network.to_weights(), original);
        }
    }
}

#[test]
fn the_activation_and_output_are_not_parameters() {
    let device = devices().remove(0);
    let original = weights(&[3, 5, 4, 2], data::Activation::Tanh, data::Output::Softmax);
    let network = Network::from_weights(&original, &device);
    // Only the layers' weights and biases are burn parameters: the skipped fields add none.
    assert_eq!(network.num_params(), original.layer_sizes().num_params());
    let copy = network.clone().valid();
    assert_eq!((copy.activation, copy.output), (data::Activation::Tanh, data::Output::Softmax));
}

#[test]
#[should_panic(expected = "layer 2 has 4 inputs but layer 1 has 5 outputs")]
fn layers_that_do_not_fit_are_refused() {
    let device = devices().remove(0);
    let a = model::LayerConfig::new(3, 5).init_uniform(0.1, &device);
    let b = model::LayerConfig::new(4, 2).init_uniform(0.1, &device);
    Network::new(vec![a, b], data::Activation::Sigmoid, data::Output::Sigmoid);
}
