//! The fused engine against a plain, obviously correct scalar reference: straight loops over
//! the examples in f64, the backpropagation as the exercise writes it, for every depth 1-4,
//! hidden activation and output, in f32 and f64, in both layouts and on every instruction set
//! this CPU runs; on small problems of odd sizes (odd widths, widths that are not whole
//! vectors nor whole chunks of the sparse layout, a number of examples that is not a whole
//! number of blocks).

use data::{Activation, Architecture, LayerSizes, Matrix, Output, SplitMix64};
use fused::{FusedNnCost, Isa, Layout, Real};

/// Values uniform in `[-scale, scale)`.
fn uniform(len: usize, seed: u64, scale: f64) -> Vec<f64> {
    let mut random = SplitMix64(seed);
    (0..len).map(|_| ((random.next_u64() >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0) * scale).collect()
}

/// `g(z)` and `g'(z)`, from the standard library.
fn activation(kind: Activation, z: f64) -> (f64, f64) {
    match kind {
        Activation::Sigmoid => {
            let s = 1.0 / (1.0 + (-z).exp());
            (s, s * (1.0 - s))
        }
        Activation::Tanh => (z.tanh(), 1.0 - z.tanh() * z.tanh()),
        Activation::Relu => (z.max(0.0), if z > 0.0 { 1.0 } else { 0.0 }),
    }
}

/// `ln(1 + e^x)`, without overflow.
fn softplus(x: f64) -> f64 {
    x.max(0.0) + (-x.abs()).exp().ln_1p()
}

/// The cost and unrolled gradient, one example at a time: forward through every layer, the
/// output's cost and `δ`, then back, `δ_l = (Θ_l[:, 1:]ᵀ δ_{l+1}) .* g'(z_l)` and
/// `∇Θ_l += δ_{l+1} [1 a_l]ᵀ`; then divided by `m` and regularized.
fn reference(
    x: &Matrix,
    labels: &[usize],
    architecture: &Architecture,
    lambda: f64,
    params: &[f64],
) -> (f64, Vec<f64>) {
    let (layers, offsets) = (architecture.sizes.layers(), architecture.sizes.offsets());
    let thetas = layers.len() - 1;
    // Θ_l[r, c], column-major in the unrolled vector.
    let theta = |l: usize, r: usize, c: usize| params[offsets[l] + c * layers[l + 1] + r];
    let (m, mut cost, mut gradient) = (x.rows(), 0.0, vec![0.0; params.len()]);
    for (i, &label) in labels.iter().enumerate() {
        // a[0] is the example; z[l] and a[l + 1] the layer Θ_l feeds.
        let (mut a, mut z) = (vec![x.row(i).to_vec()], Vec::new());
        for l in 0..thetas {
            let zl: Vec<f64> = (0..layers[l + 1])
                .map(|r| theta(l, r, 0) + (0..layers[l]).map(|c| theta(l, r, c + 1) * a[l][c]).sum::<f64>())
                .collect();
            a.push(zl.iter().map(|&v| activation(architecture.activation, v).0).collect());
            z.push(zl);
        }
        let out = &z[thetas - 1];
        let y = |k: usize| if k + 1 == label { 1.0 } else { 0.0 };
        let mut delta: Vec<f64> = match architecture.output {
            Output::Sigmoid => {
                cost +=
                    out.iter().enumerate().map(|(k, &v)| y(k) * softplus(-v) + (1.0 - y(k)) * softplus(v)).sum::<f64>();
                out.iter().enumerate().map(|(k, &v)| 1.0 / (1.0 + (-v).exp()) - y(k)).collect()
            }
            Output::Softmax => {
                let max = out.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                let log_sum = max + out.iter().map(|&v| (v - max).exp()).sum::<f64>().ln();
                cost += log_sum - out[label - 1];
                out.iter().enumerate().map(|(k, &v)| (v - log_sum).exp() - y(k)).collect()
            }
        };
        for l in (0..thetas).rev() {
            for (r, &d) in delta.iter().enumerate() {
                gradient[offsets[l] + r] += d;
                for c in 0..layers[l] {
                    gradient[offsets[l] + (c + 1) * layers[l + 1] + r] += d * a[l][c];
                }
            }
            if l > 0 {
                delta = (0..layers[l])
                    .map(|c| {
                        let back = delta.iter().enumerate().map(|(r, &d)| theta(l, r, c + 1) * d).sum::<f64>();
                        back * activation(architecture.activation, z[l - 1][c]).1
                    })
                    .collect();
            }
        }
    }
    let mf = m as f64;
    let mut squares = 0.0;
    for l in 0..thetas {
        for r in 0..layers[l + 1] {
            for c in 0..=layers[l] {
                let at = offsets[l] + c * layers[l + 1] + r;
                gradient[at] /= mf;
                if c > 0 {
                    gradient[at] += lambda / mf * params[at];
                    squares += params[at] * params[at];
                }
            }
        }
    }
    (cost / mf + lambda / (2.0 * mf) * squares, gradient)
}

/// `max_i |a_i − b_i| / max(|a_i|, |b_i|, 1e-2 max_j |b_j|)`: entries far below the largest
/// compared on its scale (as `verify::max_relative_error`).
fn max_relative_error(a: &[f64], b: &[f64]) -> f64 {
    let floor = 1e-2 * b.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    a.iter().zip(b).map(|(&x, &y)| (x - y).abs() / x.abs().max(y.abs()).max(floor)).fold(0.0, f64::max)
}

/// A problem of `m` examples and `input` features, about 40% of them exact zeros (so that the
/// sparse layout has zeros to skip and zeros paired with nonzeros), labels `1..=labels`.
fn problem(m: usize, input: usize, labels: usize, seed: u64) -> (Matrix, Vec<usize>) {
    let values = uniform(m * input, seed, 1.0);
    let x = Matrix::from_row_major(m, input, values.iter().map(|&v| if v.abs() < 0.4 { 0.0 } else { v }).collect());
    let mut random = SplitMix64(seed + 1);
    (x, (0..m).map(|_| 1 + (random.next_u64() % labels as u64) as usize).collect())
}

/// The hidden layers checked at each depth: odd widths, one wider than a chunk of the sparse
/// layout (32) and not a whole number of vectors, ones below a vector, the widest in the
/// middle too.
const HIDDEN: [&[usize]; 4] = [&[37], &[55, 7], &[5, 41, 3], &[17, 9, 35, 6]];

/// Every depth, activation and output in `T`, both layouts, every instruction set, against the
/// reference, at small weights (±0.5) and at large ones (±2.5, which saturate): the cost within
/// `bounds[0]` (small) or `bounds[1]` (large) of itself, the gradient within as much
/// ([`max_relative_error`]). Returns the largest errors seen (cost, gradient).
fn check<T: Real>(bounds: [f64; 2]) -> (f64, f64) {
    let (m, input, labels) = (301, 23, 7);
    let (x, y) = problem(m, input, labels, 11);
    let mut worst = (0.0f64, 0.0f64);
    for (depth, hidden) in HIDDEN.iter().enumerate() {
        for &activation in Activation::ALL {
            for &output in Output::ALL {
                let architecture =
                    Architecture::new(LayerSizes::with_hidden(input, hidden, labels), activation, output);
                let n = architecture.sizes.num_params();
                // Small weights, and large ones that saturate sigmoids and spread the logits.
                for (seed, scale, bound) in [(depth as u64, 0.5, bounds[0]), (10 + depth as u64, 2.5, bounds[1])] {
                    let params = uniform(n, seed, scale);
                    let (cost, gradient) = reference(&x, &y, &architecture, 0.7, &params);
                    for layout in [Layout::Sparse, Layout::Dense] {
                        let base = FusedNnCost::<T>::with_layout(&x, &y, &architecture, 0.7, layout);
                        for isa in Isa::available() {
                            let fused = base.with_lambda(0.7).with_isa(isa);
                            let (fused_cost, fused_gradient) = fused.cost_and_gradient(&params);
                            let what = format!(
                                "{architecture} {layout:?} {isa:?} {} scale {scale}",
                                std::any::type_name::<T>()
                            );
                            let cost_error = (fused_cost - cost).abs() / cost.abs();
                            let gradient_error = max_relative_error(&fused_gradient, &gradient);
                            assert!(cost_error <= bound, "{what}: cost {fused_cost} vs {cost} ({cost_error:e})");
                            assert!(gradient_error <= bound, "{what}: gradient off by {gradient_error:e}");
                            worst = (worst.0.max(cost_error), worst.1.max(gradient_error));
                        }
                    }
                }
            }
        }
    }
    worst
}

#[test]
fn every_depth_activation_and_output_matches_the_reference_in_f64() {
    // Measured: at most 1.4e-15 (cost) and 5.6e-13 (gradient, tanh at depth 4 with large
    // weights, where 1 − a² of a saturated unit keeps few of a's digits, in both).
    let worst = check::<f64>([1e-12, 1e-12]);
    // The two differ by rounding, not by nothing.
    assert!(worst.1 > 0.0);
}

#[test]
fn every_depth_activation_and_output_matches_the_reference_in_f32() {
    // f32's rounding, 6e-8, through up to five layers and sums of 301 examples. Measured: the
    // gradient at most 1.5e-5 with small weights, 3.3e-4 with large ones (tanh at depth 4, as
    // in f64: 1 − a² near saturation); the cost at most 2.1e-8.
    check::<f32>([5e-5, 1e-3]);
}

#[test]
fn the_reference_is_the_exercise_on_its_weights() {
    // The reference itself, on the exercise's data and weights: the exercise's figures.
    let root = data::workspace_root().join("data");
    let (Ok(data), Ok(weights)) =
        (data::load_dataset(&root.join("ex4data1.mat"), 10), data::load_weights(&root.join("ex4weights.mat")))
    else {
        panic!("the exercise's data is in data/");
    };
    let params: Vec<f64> = weights.thetas.iter().flat_map(|theta| theta.to_column_major()).collect();
    let architecture = Architecture::exercise();
    let (cost, _) = reference(&data.x, &data.labels, &architecture, 1.0, &params);
    assert!((cost - 0.383770).abs() < 1e-6, "{cost}");
    // And the engine agrees with it there, on the exercise's own network.
    let (fused_cost, _) = FusedNnCost::<f64>::new(&data.x, &data.labels, &architecture, 1.0).cost_and_gradient(&params);
    assert!((fused_cost - cost).abs() <= 1e-12 * cost);
}

#[test]
fn saturated_outputs_and_units_stay_finite() {
    let (x, y) = problem(97, 9, 4, 3);
    for &activation in Activation::ALL {
        for &output in Output::ALL {
            let architecture = Architecture::new(LayerSizes::with_hidden(9, &[6, 5], 4), activation, output);
            // Weights of ±60: logits in the hundreds or thousands, sigmoids at 0 and 1.
            let params = uniform(architecture.sizes.num_params(), 5, 60.0);
            let (cost, gradient) = reference(&x, &y, &architecture, 0.0, &params);
            for layout in [Layout::Sparse, Layout::Dense] {
                let (fused_cost, fused_gradient) =
                    FusedNnCost::<f64>::with_layout(&x, &y, &architecture, 0.0, layout).cost_and_gradient(&params);
                assert!(fused_cost.is_finite() && fused_gradient.iter().all(|g| g.is_finite()), "{architecture}");
                assert!((fused_cost - cost).abs() <= 1e-10 * cost, "{architecture}: {fused_cost} vs {cost}");
                assert!(max_relative_error(&fused_gradient, &gradient) <= 1e-10, "{architecture}");
            }
        }
    }
}

#[test]
fn layers_of_one_unit_and_a_single_label_match_the_reference() {
    for (hidden, labels) in [(&[1][..], 2), (&[2, 1][..], 1), (&[1, 3, 1][..], 3)] {
        let (x, y) = problem(53, 5, labels, 7);
        for &activation in Activation::ALL {
            for &output in Output::ALL {
                let architecture = Architecture::new(LayerSizes::with_hidden(5, hidden, labels), activation, output);
                let params = uniform(architecture.sizes.num_params(), 9, 1.0);
                let (cost, gradient) = reference(&x, &y, &architecture, 0.3, &params);
                for layout in [Layout::Sparse, Layout::Dense] {
                    for isa in Isa::available() {
                        let fused = FusedNnCost::<f64>::with_layout(&x, &y, &architecture, 0.3, layout).with_isa(isa);
                        let (fused_cost, fused_gradient) = fused.cost_and_gradient(&params);
                        let what = format!("{architecture} {layout:?} {isa:?}");
                        assert!(
                            (fused_cost - cost).abs() <= 1e-12 * cost.abs().max(1e-300),
                            "{what}: {fused_cost} vs {cost}"
                        );
                        assert!(max_relative_error(&fused_gradient, &gradient) <= 1e-12, "{what}");
                    }
                }
            }
        }
    }
}
