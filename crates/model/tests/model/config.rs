//! The network's configuration and its random initialization.

use burn::config::Config;
use data::{Activation, Architecture, LayerSizes, Output};
use model::{ByName, LayerConfig, NetworkConfig};

use crate::devices;

#[test]
fn the_default_configuration_is_the_exercises_network() {
    let config = NetworkConfig::new();
    assert_eq!(config.architecture(), Architecture::exercise());
    assert_eq!(NetworkConfig::from_sizes(&LayerSizes::new(400, 25, 10)).architecture(), Architecture::exercise());
}

#[test]
fn a_configuration_saves_its_choices_by_name_and_reads_them_back() {
    let architecture =
        Architecture::new(LayerSizes::with_hidden(400, &[100, 25], 10), Activation::Tanh, Output::Softmax);
    let config = NetworkConfig::from_architecture(&architecture);
    let json = config.to_string();
    let compact: String = json.split_whitespace().collect();
    assert!(compact.contains("\"activation\":\"tanh\",\"output\":\"softmax\""), "{json}");
    assert!(compact.contains("\"hidden_sizes\":[100,25]"), "{json}");
    let read = NetworkConfig::load_binary(json.as_bytes()).unwrap();
    assert_eq!(read.architecture(), architecture);
    let wrong = json.replace("tanh", "swish");
    let error = NetworkConfig::load_binary(wrong.as_bytes()).unwrap_err().to_string();
    assert!(error.contains("unknown activation 'swish'"), "{error}");
    assert_eq!(ByName(Activation::Relu).to_string(), "relu");
}

#[test]
fn init_uniform_draws_every_layer_within_epsilon_and_repeats_with_the_seed() {
    let device = devices().remove(0);
    let architecture = Architecture::new(LayerSizes::with_hidden(5, &[4, 3], 2), Activation::Relu, Output::Softmax);
    let config = NetworkConfig::from_architecture(&architecture);
    assert_eq!(config.layers().iter().map(|l| (l.inputs, l.outputs)).collect::<Vec<_>>(), [(5, 4), (4, 3), (3, 2)]);
    device.seed(7);
    let network = config.init_uniform(0.12, &device);
    assert_eq!(network.architecture(), architecture);
    let weights = network.to_weights();
    let values: Vec<f64> = weights.thetas.iter().flat_map(|t| t.as_slice().to_vec()).collect();
    assert!(values.iter().all(|v| v.abs() <= 0.12), "{values:?}");
    assert!(values.iter().any(|v| v.abs() > 0.06), "drawn over the whole range");
    device.seed(7);
    assert_eq!(config.init_uniform(0.12, &device).to_weights(), weights);
    let layer = LayerConfig::new(3, 2).init_uniform(0.5, &device);
    assert_eq!(layer.dims(), (3, 2));
    assert_eq!(layer.to_theta().shape(), (2, 4));
}
