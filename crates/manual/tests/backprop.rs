//! Backpropagation at every depth, activation and output, against central finite differences
//! of the cost and against a plain-loop forward pass written here independently of tensors.

use backend::Backend;
use burn::tensor::{Device, Tensor};
use data::{Activation, Architecture, LayerSizes, Matrix, Output};
use manual::{Init, NnCost, random_params, reshape, sigmoid};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

const LAMBDA: f64 = 1.0;
const EPSILON: f64 = 1e-5;
const EXAMPLES: usize = 8;

fn device() -> Device {
    Backend::Flex.device().expect("f64 device")
}

fn networks() -> Vec<LayerSizes> {
    vec![LayerSizes::new(4, 5, 3), LayerSizes::with_hidden(4, &[5, 4], 3), LayerSizes::with_hidden(3, &[4, 4, 4], 2)]
}

fn every_architecture() -> Vec<Architecture> {
    let mut all = Vec::new();
    for sizes in networks() {
        for &activation in Activation::ALL {
            for &output in Output::ALL {
                all.push(Architecture::new(sizes.clone(), activation, output));
            }
        }
    }
    all
}

/// `m` examples with features in `[−1, 1]` and labels `1, 2, ..., K, 1, ...`.
fn examples(sizes: &LayerSizes, m: usize, seed: u64) -> (Matrix, Vec<usize>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let x = Matrix::from_fn(m, sizes.input(), |_, _| rng.random_range(-1.0..=1.0));
    let labels = (0..m).map(|i| i % sizes.labels() + 1).collect();
    (x, labels)
}

/// An objective on a few examples and parameters where it is evaluated.
fn problem(architecture: &Architecture, seed: u64) -> (NnCost, Vec<f64>) {
    problem_on(architecture, seed, &device())
}

fn problem_on(architecture: &Architecture, seed: u64, device: &Device) -> (NnCost, Vec<f64>) {
    let (x, labels) = examples(&architecture.sizes, EXAMPLES, seed);
    let nn = NnCost::new(&x, &labels, architecture, LAMBDA, device);
    (nn, random_params(&architecture.sizes, Init::PerLayer, seed + 100))
}

/// Signs of every hidden unit's input, to see whether a step crosses ReLU's kink.
fn signs(nn: &NnCost, params: &[f64]) -> Vec<bool> {
    nn.hidden_inputs(params).iter().flat_map(|z| z.as_slice().iter().map(|&v| v > 0.0).collect::<Vec<_>>()).collect()
}

/// The exercise's relative difference `‖num − grad‖ / ‖num + grad‖` of the backpropagated
/// gradient to central differences `(J(θ + εe_i) − J(θ − εe_i)) / 2ε`, over the coordinates
/// whose stencil does not move any hidden input across 0 (for ReLU; all of them otherwise);
/// and how many were left out.
fn relative_difference(nn: &NnCost, params: &[f64]) -> (f64, usize) {
    let (_, gradient) = nn.cost_and_gradient(params);
    assert_eq!(gradient.len(), params.len());
    let at_params = signs(nn, params);
    let (mut diff, mut sum, mut skipped) = (0.0, 0.0, 0);
    for i in 0..params.len() {
        let (mut plus, mut minus) = (params.to_vec(), params.to_vec());
        plus[i] += EPSILON;
        minus[i] -= EPSILON;
        if nn.architecture().activation == Activation::Relu
            && (signs(nn, &plus) != at_params || signs(nn, &minus) != at_params)
        {
            skipped += 1;
            continue;
        }
        let numerical = nn.cost_difference(&plus, &minus) / (2.0 * EPSILON);
        diff += (numerical - gradient[i]).powi(2);
        sum += (numerical + gradient[i]).powi(2);
    }
    ((diff / sum).sqrt(), skipped)
}

#[test]
fn backpropagation_matches_central_differences_at_every_depth_activation_and_output() {
    let mut worst: f64 = 0.0;
    for (k, architecture) in every_architecture().iter().enumerate() {
        for backend in Backend::ALL {
            let (nn, params) = problem_on(architecture, k as u64, &backend.device().expect("f64 device"));
            let (difference, skipped) = relative_difference(&nn, &params);
            eprintln!(
                "{architecture} on {backend}: relative difference {difference:.2e}, {skipped} coordinates skipped"
            );
            assert!(difference < 1e-8, "{architecture}: relative difference {difference:e}");
            assert!(skipped * 20 <= params.len(), "{architecture}: {skipped} of {} coordinates skipped", params.len());
            if architecture.activation == Activation::Relu {
                // The check went through units on both sides of the kink.
                let z = signs(&nn, &params);
                assert!(z.iter().any(|&s| s) && z.iter().any(|&s| !s), "{architecture}: every ReLU on one side");
            }
            worst = worst.max(difference);
        }
    }
    eprintln!("worst relative difference {worst:.2e}");
}

#[test]
fn a_wrong_activation_derivative_is_caught() {
    // g itself, or the right g' doubled, in place of g'.
    fn sigmoid_itself(z: Tensor<2>) -> Tensor<2> {
        sigmoid(z)
    }
    fn doubled_tanh_gradient(z: Tensor<2>) -> Tensor<2> {
        manual::tanh_gradient(z).mul_scalar(2.0)
    }
    fn relu_gradient_of_minus_z(z: Tensor<2>) -> Tensor<2> {
        manual::relu_gradient(z.neg())
    }
    type Derivative = fn(Tensor<2>) -> Tensor<2>;
    let cases: [(Activation, Derivative, Derivative); 3] = [
        (Activation::Sigmoid, sigmoid_itself, manual::sigmoid_gradient),
        (Activation::Tanh, doubled_tanh_gradient, manual::tanh_gradient),
        (Activation::Relu, relu_gradient_of_minus_z, manual::relu_gradient),
    ];
    for sizes in networks() {
        for (activation, wrong, right) in cases {
            for &output in Output::ALL {
                let architecture = Architecture::new(sizes.clone(), activation, output);
                let (nn, params) = problem(&architecture, 7);
                let (difference, _) = relative_difference(&nn.clone().with_activation_gradient(wrong), &params);
                eprintln!("{architecture}: wrong g' {difference:.2e}");
                assert!(difference > 1e-3, "{architecture}: a wrong g' gives a relative difference of {difference:e}");
                // The right g' given the same way passes: the derivative is what was caught.
                let right = nn.with_activation_gradient(right);
                let (difference, _) = relative_difference(&right, &params);
                assert!(difference < 1e-8, "{architecture}: {difference:e}");
            }
        }
    }
}

/// `g(z)` of one unit.
fn g(activation: Activation, z: f64) -> f64 {
    match activation {
        Activation::Sigmoid => 1.0 / (1.0 + (-z).exp()),
        Activation::Tanh => z.tanh(),
        Activation::Relu => z.max(0.0),
    }
}

/// `log σ(z) = min(z, 0) − log(1 + e^(−|z|))`.
fn log_sigmoid(z: f64) -> f64 {
    z.min(0.0) - (-z.abs()).exp().ln_1p()
}

/// The logits `z_L` of every example by plain loops over examples and units, from the Theta
/// matrices themselves.
fn reference_logits(activation: Activation, thetas: &[Matrix], x: &Matrix) -> Vec<Vec<f64>> {
    (0..x.rows())
        .map(|i| {
            let mut a: Vec<f64> = x.row(i).to_vec();
            let mut z = Vec::new();
            for (l, theta) in thetas.iter().enumerate() {
                z = (0..theta.rows())
                    .map(|j| theta.get(j, 0) + (0..a.len()).map(|k| theta.get(j, k + 1) * a[k]).sum::<f64>())
                    .collect();
                if l + 1 < thetas.len() {
                    a = z.iter().map(|&v| g(activation, v)).collect();
                }
            }
            z
        })
        .collect()
}

/// The cost by plain loops, from [`reference_logits`].
fn reference_cost(architecture: &Architecture, thetas: &[Matrix], x: &Matrix, labels: &[usize], lambda: f64) -> f64 {
    let m = x.rows();
    let mut total = 0.0;
    for (z, &label) in reference_logits(architecture.activation, thetas, x).iter().zip(labels) {
        let truth = label - 1;
        total += match architecture.output {
            Output::Sigmoid => {
                z.iter().enumerate().map(|(k, &v)| if k == truth { -log_sigmoid(v) } else { -log_sigmoid(-v) }).sum()
            }
            Output::Softmax => {
                let max = z.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b));
                let log_sum = z.iter().map(|v| (v - max).exp()).sum::<f64>().ln();
                -(z[truth] - max - log_sum)
            }
        };
    }
    let squares: f64 = thetas
        .iter()
        .map(|t| (0..t.rows()).map(|r| t.row(r)[1..].iter().map(|v| v * v).sum::<f64>()).sum::<f64>())
        .sum();
    total / m as f64 + lambda / (2.0 * m as f64) * squares
}

#[test]
fn the_cost_is_the_plain_loops_cost_at_every_depth_activation_and_output() {
    for (k, architecture) in every_architecture().iter().enumerate() {
        let (x, labels) = examples(&architecture.sizes, EXAMPLES, k as u64);
        let nn = NnCost::new(&x, &labels, architecture, LAMBDA, &device());
        let params = random_params(&architecture.sizes, Init::PerLayer, 100 + k as u64);
        let want = reference_cost(architecture, &reshape(&params, &architecture.sizes), &x, &labels, LAMBDA);
        let (cost, _) = nn.cost_and_gradient(&params);
        assert!((cost - want).abs() <= 1e-13 * want, "{architecture}: cost {cost}, plain loops {want}");
        assert_eq!(nn.cost(&params), cost, "{architecture}");
        assert_eq!(nn.with_lambda(0.0).lambda(), 0.0);
    }
}

#[test]
fn huge_logits_give_a_finite_and_right_cost_and_a_finite_gradient() {
    for sizes in networks() {
        for &activation in Activation::ALL {
            for &output in Output::ALL {
                let architecture = Architecture::new(sizes.clone(), activation, output);
                let (x, labels) = examples(&sizes, EXAMPLES, 3);
                let nn = NnCost::new(&x, &labels, &architecture, 0.0, &device());
                let params: Vec<f64> =
                    random_params(&sizes, Init::PerLayer, 3).into_iter().map(|v| v * 1000.0).collect();
                let thetas = reshape(&params, &sizes);
                let want = reference_cost(&architecture, &thetas, &x, &labels, 0.0);
                let (cost, gradient) = nn.cost_and_gradient(&params);
                assert!(cost.is_finite() && cost > 10.0, "{architecture}: cost {cost}");
                assert!((cost - want).abs() <= 1e-12 * want, "{architecture}: cost {cost}, plain loops {want}");
                assert!(gradient.iter().all(|v| v.is_finite()), "{architecture}: gradient not finite");
            }
        }
    }
    // Logits of order 1e5: a naive softmax overflows (e^1e5), log-sum-exp does not; the cost of
    // each example is then max_k z_k − z_y, up to e^(−gap).
    let sizes = LayerSizes::new(4, 5, 3);
    let architecture = Architecture::new(sizes.clone(), Activation::Tanh, Output::Softmax);
    let (x, labels) = examples(&sizes, EXAMPLES, 3);
    let params: Vec<f64> = random_params(&sizes, Init::PerLayer, 3).into_iter().map(|v| v * 1e5).collect();
    let nn = NnCost::new(&x, &labels, &architecture, 0.0, &device());
    let logits = reference_logits(Activation::Tanh, &reshape(&params, &sizes), &x);
    let gaps: f64 = logits
        .iter()
        .zip(&labels)
        .map(|(z, &label)| z.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b)) - z[label - 1])
        .sum::<f64>()
        / EXAMPLES as f64;
    let cost = nn.cost(&params);
    assert!(cost > 1e3 && (cost - gaps).abs() <= 1e-9 * cost, "cost {cost}, mean gap {gaps}");
}

#[test]
fn hidden_inputs_are_each_hidden_layers_z() {
    let sizes = LayerSizes::with_hidden(3, &[4, 4, 4], 2);
    let architecture = Architecture::new(sizes.clone(), Activation::Relu, Output::Softmax);
    let (nn, params) = problem(&architecture, 1);
    let z = nn.hidden_inputs(&params);
    assert_eq!(z.iter().map(Matrix::shape).collect::<Vec<_>>(), [(EXAMPLES, 4); 3]);
    // z_2 = X₁ Theta1ᵀ, by hand.
    let (x, _) = examples(&sizes, EXAMPLES, 1);
    let theta1 = &reshape(&params, &sizes)[0];
    for i in 0..EXAMPLES {
        for j in 0..4 {
            let want = theta1.get(j, 0) + (0..3).map(|k| theta1.get(j, k + 1) * x.get(i, k)).sum::<f64>();
            assert!((z[0].get(i, j) - want).abs() < 1e-14, "z_2({i}, {j})");
        }
    }
}
