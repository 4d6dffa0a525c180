//! The hand-written backpropagation against burn's autodiff, finite differences and the other
//! backend, on the exercise's small problem, the full reference network and random networks.

mod common;

use backend::{Backend, sigmoid, tensor_to_vec};
use burn::tensor::{Tensor, TensorData};
use common::{exercise_set, reference_weights};
use data::{Architecture, DataFile, LayerSizes, Matrix};
use fused::{Isa, Layout};
use manual::{NnCost, reshape, sigmoid_gradient, unroll};
use proptest::prelude::*;
use verify::checks::{
    Check, FINITE_DIFFERENCE_BOUND, IMPLEMENTATION_BOUND, exercise_gradient_check, exercise_problem,
    manual_vs_autodiff, sampled_finite_differences,
};
use verify::{DEFAULT_EPSILON, FULL_NETWORK_EPSILON, max_relative_error, numerical_gradient, relative_difference};

/// The exercise's kind of network (sigmoids everywhere) of `sizes`.
fn sig(sizes: &LayerSizes) -> Architecture {
    Architecture::sigmoid(sizes.clone())
}

#[test]
fn sigmoid_gradient_at_zero_is_a_quarter() {
    for backend in Backend::ALL {
        let device = backend.device().unwrap();
        let z = Tensor::<1>::from_data(TensorData::new(vec![0.0, 1.0, -40.0, 800.0], [4]), &device);
        let g = tensor_to_vec(sigmoid_gradient(z.clone()));
        assert_eq!(g[0], 0.25, "{backend}");
        let s1 = 1.0 / (1.0 + (-1.0f64).exp());
        assert!((g[1] - s1 * (1.0 - s1)).abs() < 1e-16, "{backend}");
        assert!(g[2] > 0.0 && (g[2] - (-40.0f64).exp()).abs() / (-40.0f64).exp() < 1e-12, "{backend}: {}", g[2]);
        assert_eq!(g[3], 0.0, "{backend}");
        assert!(tensor_to_vec(sigmoid(z)).iter().all(|v| v.is_finite()));
    }
}

#[test]
fn exercise_gradient_check_at_lambda_0_and_1() {
    let device = Backend::Flex.device().unwrap();
    for lambda in [0.0, 1.0] {
        let check = exercise_gradient_check(lambda, DEFAULT_EPSILON, &device);
        assert_eq!(check.numerical.len(), 38);
        assert!(check.relative_difference < 1e-9, "lambda {lambda}: {}", check.relative_difference);
    }
}

#[test]
fn reference_network_manual_vs_autodiff_vs_finite_differences_vs_other_backend() {
    let weights = reference_weights();
    let data = exercise_set(DataFile::Training);
    let sizes = weights.layer_sizes();
    let params = unroll(&weights.thetas);
    for lambda in [0.0, 1.0, 20.0] {
        let mut manual = Vec::new();
        for backend in Backend::ALL {
            let device = backend.device().unwrap();
            let objective = NnCost::new(&data.x, &data.labels, &sig(&sizes), lambda, &device);
            let agreement = manual_vs_autodiff(&objective, &params, &data.x, &data.labels, &device);
            assert!(
                agreement.max_relative_error <= IMPLEMENTATION_BOUND,
                "{backend}, lambda {lambda}: manual vs autodiff {}",
                agreement.max_relative_error
            );
            assert!((agreement.manual.0 - agreement.autodiff.0).abs() <= 1e-14);
            if backend == Backend::Flex && lambda != 20.0 {
                let fd =
                    sampled_finite_differences(&objective, &params, &agreement.manual.1, 200, 0, FULL_NETWORK_EPSILON);
                assert!(fd < FINITE_DIFFERENCE_BOUND, "lambda {lambda}: finite differences {fd}");
            }
            manual.push(agreement.manual.1);
        }
        let across = max_relative_error(&manual[0], &manual[1]);
        assert!(across <= IMPLEMENTATION_BOUND, "lambda {lambda}: flex vs ndarray {across}");
    }
}

#[test]
fn reference_costs_from_the_manual_engine() {
    let weights = reference_weights();
    let data = exercise_set(DataFile::Training);
    let device = Backend::NdArray.device().unwrap();
    let params = unroll(&weights.thetas);
    let objective = NnCost::new(&data.x, &data.labels, &weights.architecture(), 0.0, &device);
    assert!((objective.cost(&params) - 0.2876291651613189).abs() <= 1e-12);
    assert!((objective.with_lambda(1.0).cost(&params) - 0.38376985909092365).abs() <= 1e-12);
    let (cost, gradient) = objective.with_lambda(1.0).cost_and_gradient(&params);
    assert!((cost - 0.38376985909092365).abs() <= 1e-12);
    assert_eq!(gradient.len(), 10285);
}

#[test]
fn unroll_and_reshape_follow_the_exercise_order() {
    let weights = reference_weights();
    let params = unroll(&weights.thetas);
    // Theta1(:) is column-major: the first 25 entries are Theta1's bias column.
    assert_eq!(params[0], weights.thetas[0].get(0, 0));
    assert_eq!(params[1], weights.thetas[0].get(1, 0));
    assert_eq!(params[25], weights.thetas[0].get(0, 1));
    assert_eq!(params[25 * 401], weights.thetas[1].get(0, 0));
    assert_eq!(reshape(&params, &weights.layer_sizes()), weights.thetas);
}

/// A fourth implementation, in plain loops one example at a time, that can leave the sigmoid
/// derivative out. With it in, it must agree with finite differences; without it, the check
/// must fail: the check is able to fail.
fn loop_backprop(
    params: &[f64],
    sizes: &LayerSizes,
    x: &Matrix,
    labels: &[usize],
    lambda: f64,
    with_derivative: bool,
) -> Vec<f64> {
    let [theta1, theta2] = <[Matrix; 2]>::try_from(reshape(params, sizes)).expect("one hidden layer");
    let (hidden, num_labels) = (sizes.hidden()[0], sizes.labels());
    let s = |z: f64| 1.0 / (1.0 + (-z).exp());
    let m = x.rows() as f64;
    let mut grad1 = Matrix::from_fn(theta1.rows(), theta1.cols(), |_, _| 0.0).into_vec();
    let mut grad2 = Matrix::from_fn(theta2.rows(), theta2.cols(), |_, _| 0.0).into_vec();
    for (i, &label) in labels.iter().enumerate() {
        let a1: Vec<f64> = std::iter::once(1.0).chain(x.row(i).iter().copied()).collect();
        let z2: Vec<f64> = (0..hidden).map(|h| (0..a1.len()).map(|j| theta1.get(h, j) * a1[j]).sum()).collect();
        let a2: Vec<f64> = std::iter::once(1.0).chain(z2.iter().map(|&z| s(z))).collect();
        let a3: Vec<f64> = (0..num_labels).map(|k| s((0..a2.len()).map(|j| theta2.get(k, j) * a2[j]).sum())).collect();
        let d3: Vec<f64> = (0..num_labels).map(|k| a3[k] - f64::from(u8::from(k + 1 == label))).collect();
        let d2: Vec<f64> = (0..hidden)
            .map(|h| {
                let back: f64 = (0..num_labels).map(|k| theta2.get(k, h + 1) * d3[k]).sum();
                if with_derivative { back * s(z2[h]) * (1.0 - s(z2[h])) } else { back }
            })
            .collect();
        for h in 0..hidden {
            for j in 0..a1.len() {
                grad1[h * a1.len() + j] += d2[h] * a1[j] / m;
            }
        }
        for k in 0..num_labels {
            for j in 0..a2.len() {
                grad2[k * a2.len() + j] += d3[k] * a2[j] / m;
            }
        }
    }
    let g1 = Matrix::from_fn(theta1.rows(), theta1.cols(), |r, c| {
        grad1[r * theta1.cols() + c] + if c > 0 { lambda / m * theta1.get(r, c) } else { 0.0 }
    });
    let g2 = Matrix::from_fn(theta2.rows(), theta2.cols(), |r, c| {
        grad2[r * theta2.cols() + c] + if c > 0 { lambda / m * theta2.get(r, c) } else { 0.0 }
    });
    unroll(&[g1, g2])
}

#[test]
fn a_broken_backpropagation_is_caught() {
    let device = Backend::Flex.device().unwrap();
    let (sizes, params, x, labels) = exercise_problem();
    for lambda in [0.0, 1.0] {
        let objective = NnCost::new(&x, &labels, &sig(&sizes), lambda, &device);
        let numerical = numerical_gradient(|a, b| objective.cost_difference(a, b), &params, DEFAULT_EPSILON, None);
        let right = loop_backprop(&params, &sizes, &x, &labels, lambda, true);
        let check = Check::below("loop backprop", relative_difference(&numerical, &right), FINITE_DIFFERENCE_BOUND);
        assert!(check.passed, "the correct loop version fails: {}", check.figure);
        let broken = loop_backprop(&params, &sizes, &x, &labels, lambda, false);
        let check = Check::below("broken backprop", relative_difference(&numerical, &broken), FINITE_DIFFERENCE_BOUND);
        assert!(!check.passed, "a gradient without the sigmoid derivative passed: {}", check.figure);
        assert!(check.figure > 1e-3, "{}", check.figure);
    }
}

/// A random problem: sizes, parameters, examples and labels from `seed`; about a share
/// `zeros` of the examples' entries are exactly 0, as the digits' background is.
fn random_problem(sizes: &LayerSizes, m: usize, seed: u64, zeros: f64) -> (Vec<f64>, Matrix, Vec<usize>) {
    let uniform = |epsilon| manual::Init::Uniform(epsilon);
    let params = manual::random_params(sizes, uniform(1.0), seed);
    // m * input values (and a few more): the parameters of an (m·input)-1-1 "network".
    let values_of = LayerSizes::new(m * sizes.input(), 1, 1);
    let mut values = manual::random_params(&values_of, uniform(1.0), seed ^ 0x5eed);
    values.truncate(m * sizes.input());
    let draws = manual::random_params(&values_of, uniform(0.5), seed ^ 0xd1ce);
    for (value, draw) in values.iter_mut().zip(draws) {
        if draw + 0.5 < zeros {
            *value = 0.0;
        }
    }
    let x = Matrix::from_row_major(m, sizes.input(), values);
    let labels = (0..m).map(|i| 1 + (i * 7 + seed as usize) % sizes.labels()).collect();
    (params, x, labels)
}

/// Every way the fused path can run here: both layouts, on each instruction set this CPU has.
fn fused_variants<'a>(
    x: &'a Matrix,
    labels: &[usize],
    sizes: &LayerSizes,
    lambda: f64,
) -> Vec<(String, fused::FusedNnCost<'a, f64>)> {
    let mut variants = Vec::new();
    for layout in [Layout::Dense, Layout::Sparse] {
        for isa in Isa::available() {
            let cost = fused::FusedNnCost::with_layout(x, labels, &sig(sizes), lambda, layout).with_isa(isa);
            variants.push((format!("{layout:?} {isa:?}"), cost));
        }
    }
    variants
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn manual_autodiff_and_finite_differences_agree_on_random_networks(
        input in 1usize..=30,
        hidden in 1usize..=40,
        zeros in 0.0f64..=0.9,
        labels in 2usize..=12,
        m in 1usize..=40,
        lambda in 0.0f64..=50.0,
        seed in any::<u64>(),
        backend in prop_oneof![Just(Backend::Flex), Just(Backend::NdArray)],
    ) {
        let sizes = LayerSizes::new(input, hidden, labels);
        let (params, x, y) = random_problem(&sizes, m, seed, zeros);
        let device = backend.device().unwrap();
        let objective = NnCost::new(&x, &y, &sig(&sizes), lambda, &device);
        let agreement = manual_vs_autodiff(&objective, &params, &x, &y, &device);
        prop_assert!(agreement.max_relative_error <= IMPLEMENTATION_BOUND, "manual vs autodiff {}", agreement.max_relative_error);
        let fd = sampled_finite_differences(&objective, &params, &agreement.manual.1, 60, seed, FULL_NETWORK_EPSILON);
        prop_assert!(fd < FINITE_DIFFERENCE_BOUND, "finite differences {}", fd);
        // The fused CPU path computes the same function and gradient, in every variant.
        for (name, fused) in fused_variants(&x, &y, &sizes, lambda) {
            let (cost, gradient) = fused.cost_and_gradient(&params);
            prop_assert!((cost - agreement.manual.0).abs() <= 1e-12 * cost.abs().max(1.0), "{} cost {} vs {}", name, cost, agreement.manual.0);
            let error = max_relative_error(&gradient, &agreement.manual.1);
            prop_assert!(error <= IMPLEMENTATION_BOUND, "{} vs manual {}", name, error);
        }
    }
}

/// A fused variant's cost and gradient against the tensor path's: the cost to 1e-12 of itself,
/// the gradient within [`IMPLEMENTATION_BOUND`].
fn assert_agrees(what: &str, (fused_cost, fused_gradient): &(f64, Vec<f64>), (cost, gradient): (f64, &[f64])) {
    assert!((fused_cost - cost).abs() <= 1e-12 * cost, "{what}: {fused_cost} vs {cost}");
    let error = max_relative_error(fused_gradient, gradient);
    assert!(error <= IMPLEMENTATION_BOUND, "{what}: {error}");
}

/// Enough examples for several blocks per group and enough hidden units for several chunks in
/// the sparse layout, with an odd number of inputs and blocks with an odd number of rows (the
/// sparse layout pairs them): every variant against the tensor path. (Inputs wide enough for
/// several column ranges: `the_sparse_layout_matches_the_dense_one_on_awkward_shapes`.)
#[test]
fn the_fused_variants_agree_on_a_large_sparse_problem() {
    let sizes = LayerSizes::new(301, 70, 7);
    let (params, x, labels) = random_problem(&sizes, 2500, 11, 0.6);
    let device = Backend::Flex.device().unwrap();
    let (cost, gradient) = NnCost::new(&x, &labels, &sig(&sizes), 3.0, &device).cost_and_gradient(&params);
    for (name, fused) in fused_variants(&x, &labels, &sizes, 3.0) {
        let result = fused.cost_and_gradient(&params);
        assert_agrees(&name, &result, (cost, &gradient));
        // The same parameters give the same bits, call after call, and on any number of
        // threads (from inside a pool or not).
        assert_eq!(fused.cost_and_gradient(&params), result, "{name}");
        // 12 threads: more than the engine's groups, so some have none to take.
        for threads in [1, 3, 12] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            assert_eq!(pool.install(|| fused.cost_and_gradient(&params)), result, "{name}, {threads} threads");
        }
    }
    // 60% zeros: the automatic choice is the sparse layout; without zeros, the dense one. The
    // sparse one does the nonzeros' multiply-adds, and at most as many on zeros beside them.
    let sparse = fused::FusedNnCost::<f64>::new(&x, &labels, &sig(&sizes), 3.0);
    assert_eq!(sparse.layout(), Layout::Sparse);
    let nonzero_multiply_adds = 2 * x.as_slice().iter().filter(|&&v| v != 0.0).count() * sizes.hidden()[0];
    let done = sparse.multiply_adds_with_x();
    assert!((nonzero_multiply_adds..=2 * nonzero_multiply_adds).contains(&done), "{done} vs {nonzero_multiply_adds}");
    // At another lambda, sharing the index: the same as indexed anew.
    let other = fused::FusedNnCost::<f64>::new(&x, &labels, &sig(&sizes), 0.5).cost_and_gradient(&params);
    assert_eq!(sparse.with_lambda(0.5).cost_and_gradient(&params), other);
    let dense = fused::FusedNnCost::<f64>::with_layout(&x, &labels, &sig(&sizes), 3.0, Layout::Dense);
    assert_eq!(dense.multiply_adds_with_x(), 2 * x.as_slice().len() * sizes.hidden()[0]);
    let (_, dense_x, _) = random_problem(&sizes, 100, 11, 0.0);
    assert_eq!(fused::FusedNnCost::<f64>::new(&dense_x, &labels[..100], &sig(&sizes), 3.0).layout(), Layout::Dense);
}

#[test]
fn the_fused_path_matches_the_tensor_path_on_the_reference_network() {
    let data = exercise_set(DataFile::Training);
    let weights = reference_weights();
    let params = unroll(&weights.thetas);
    let sizes = weights.layer_sizes();
    let device = Backend::Flex.device().unwrap();
    for lambda in [0.0, 1.0, 20.0] {
        let (cost, gradient) =
            NnCost::new(&data.x, &data.labels, &sig(&sizes), lambda, &device).cost_and_gradient(&params);
        for (name, fused) in fused_variants(&data.x, &data.labels, &sizes, lambda) {
            let (fused_cost, fused) = fused.cost_and_gradient(&params);
            assert!((fused_cost - cost).abs() < 1e-13, "{name}, lambda {lambda}: {fused_cost} vs {cost}");
            let error = max_relative_error(&fused, &gradient);
            assert!(error <= IMPLEMENTATION_BOUND, "{name}, lambda {lambda}: {error}");
        }
        // In f32: the same to single precision, in both layouts.
        for layout in [Layout::Dense, Layout::Sparse] {
            let (cost32, fused32) =
                fused::FusedNnCost::<f32>::with_layout(&data.x, &data.labels, &sig(&sizes), lambda, layout)
                    .cost_and_gradient(&params);
            assert!((cost32 - cost).abs() < 1e-5 * cost, "{layout:?}, lambda {lambda}: f32 cost {cost32} vs {cost}");
            assert!(relative_difference(&fused32, &gradient) < 1e-5, "{layout:?}, lambda {lambda}: f32 gradient");
        }
    }
    // ex4data1.mat is 52% zeros: training uses the sparse layout.
    assert_eq!(fused::FusedNnCost::<f64>::new(&data.x, &data.labels, &sig(&sizes), 0.0).layout(), Layout::Sparse);
    let (cost, _) = fused::FusedNnCost::<f64>::new(&data.x, &data.labels, &sig(&sizes), 0.0).cost_and_gradient(&params);
    assert!((cost - 0.287629).abs() < 5e-7, "{cost}");
}

/// One objective called many times at once: by tasks on rayon's global pool and, meanwhile, by
/// a thread outside it, the calls sharing the engine's helper threads (a call takes those that
/// are idle). Every call gives the same bits, and none waits for another's scratch space.
#[test]
fn one_objective_serves_many_callers_at_once() {
    use rayon::prelude::*;
    let sizes = LayerSizes::new(64, 20, 5);
    let (params, x, labels) = random_problem(&sizes, 900, 5, 0.5);
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let fused = fused::FusedNnCost::<f64>::new(&x, &labels, &sig(&sizes), 1.0);
        let alone = fused.cost_and_gradient(&params);
        let differing = std::sync::atomic::AtomicUsize::new(0);
        let check = |call: (f64, Vec<f64>)| {
            if call != alone {
                differing.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
        };
        std::thread::scope(|scope| {
            scope.spawn(|| (0..200).into_par_iter().for_each(|_| check(fused.cost_and_gradient(&params))));
            for _ in 0..200 {
                check(fused.cost_and_gradient(&params));
            }
        });
        done.send(differing.into_inner()).unwrap();
    });
    let differing =
        finished.recv_timeout(std::time::Duration::from_secs(60)).expect("the calls did not end within a minute");
    assert_eq!(differing, 0, "calls at the same time gave other results than one alone");
}

/// Output layers around the vector widths (the `Θ2` products store a row's last vector
/// masked: 8 and 16 lanes in f64 and f32 with AVX-512, 4 and 8 with AVX2): every variant, in
/// f64 and f32, against the tensor path.
#[test]
fn the_fused_variants_agree_for_any_number_of_labels() {
    let device = Backend::Flex.device().unwrap();
    for labels in [1, 2, 7, 8, 9, 15, 16, 17, 33] {
        let sizes = LayerSizes::new(37, 9, labels);
        let (params, x, y) = random_problem(&sizes, 211, labels as u64, 0.5);
        let (cost, gradient) = NnCost::new(&x, &y, &sig(&sizes), 0.5, &device).cost_and_gradient(&params);
        for (name, fused) in fused_variants(&x, &y, &sizes, 0.5) {
            assert_agrees(&format!("{labels} labels, {name}"), &fused.cost_and_gradient(&params), (cost, &gradient));
        }
        for layout in [Layout::Dense, Layout::Sparse] {
            for isa in Isa::available() {
                let fused = fused::FusedNnCost::<f32>::with_layout(&x, &y, &sig(&sizes), 0.5, layout).with_isa(isa);
                let (cost32, gradient32) = fused.cost_and_gradient(&params);
                let what = format!("{labels} labels, f32 {layout:?} {isa:?}");
                assert!((cost32 - cost).abs() < 1e-5 * cost, "{what}: {cost32} vs {cost}");
                assert!(relative_difference(&gradient32, &gradient) < 1e-5, "{what}: gradient");
            }
        }
    }
}

/// A network with no hidden unit or no label cannot be described, and the fused path refuses
/// no examples at construction with a message that says so (the trainer refuses `--hidden 0`
/// before that).
#[test]
fn the_fused_path_refuses_empty_sizes() {
    assert_eq!(LayerSizes::from_layers(vec![3, 0, 2]).unwrap_err(), "layer 2 has 0 units");
    assert_eq!(LayerSizes::from_layers(vec![3, 2, 0]).unwrap_err(), "layer 3 has 0 units");
    let x = Matrix::from_row_major(0, 3, vec![]);
    let architecture = sig(&LayerSizes::new(3, 2, 2));
    let refused =
        std::panic::catch_unwind(|| fused::FusedNnCost::<f64>::new(&x, &[], &architecture, 0.0).num_examples());
    let message = refused.expect_err("accepted").downcast::<String>().map(|m| *m).unwrap_or_default();
    assert!(message.contains("no examples"), "{message}");
}

/// The sparse layout against the dense one on awkward shapes, in f64 and f32, on each
/// instruction set (so with one and two interleaved sets of sums where the CPU has both), and
/// through `with_lambda`: one or a few rows (blocks of an odd number of rows, groups with
/// none), one column or an odd number (a half-empty column pair), hidden sizes around the
/// 32-unit chunks, and X from all nonzero to all zero.
#[test]
fn the_sparse_layout_matches_the_dense_one_on_awkward_shapes() {
    fn check<T: fused::Real>(m: usize, n: usize, h: usize, shares_of_zeros: &[f64], bound: f64) {
        for &zeros in shares_of_zeros {
            let sizes = LayerSizes::new(n, h, 3);
            let (params, x, _) = random_problem(&sizes, m, (m * 31 + n * 7 + h) as u64, zeros);
            let labels: Vec<usize> = (0..m).map(|i| 1 + i % 3).collect();
            let dense = fused::FusedNnCost::<T>::with_layout(&x, &labels, &sig(&sizes), 0.7, Layout::Dense);
            let (cost, gradient) = dense.with_isa(Isa::Baseline).cost_and_gradient(&params);
            let scale = gradient.iter().fold(1e-300f64, |a, b| a.max(b.abs()));
            for isa in Isa::available() {
                let sparse =
                    fused::FusedNnCost::<T>::with_layout(&x, &labels, &sig(&sizes), 0.3, Layout::Sparse).with_isa(isa);
                let (sparse_cost, sparse_gradient) = sparse.with_lambda(0.7).cost_and_gradient(&params);
                let what = format!("m {m}, n {n}, h {h}, {zeros} zeros, {isa:?}");
                assert!((sparse_cost - cost).abs() <= bound * cost.abs().max(1.0), "{what}: {sparse_cost} vs {cost}");
                let error = sparse_gradient.iter().zip(&gradient).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
                assert!(error <= bound * scale, "{what}: {error}");
            }
        }
    }
    for m in [1, 2, 3, 5, 97, 193, 389] {
        for n in [1, 2, 3, 129, 257] {
            for h in [1, 31, 33, 65] {
                check::<f64>(m, n, h, &[0.0, 0.5, 0.95, 1.0], 1e-11);
                check::<f32>(m, n, h, &[0.0, 0.5, 0.95, 1.0], 2e-4);
            }
        }
    }
    // Wide enough for several column ranges in the forward product (2 of 1024 columns in f32, 3
    // of 512 in f64), sparse enough for a block's pairs to fit the index.
    check::<f64>(193, 1100, 33, &[0.8, 0.99], 1e-11);
    check::<f32>(193, 1100, 33, &[0.8, 0.99], 2e-4);
    // Wide and very sparse: one block's pairs fit the index; wide and half full, they do not,
    // and the automatic choice falls back to the dense layout.
    check::<f64>(5, 65536, 2, &[0.999], 1e-11);
    let sizes = LayerSizes::new(65536, 2, 3);
    let (_, x, _) = random_problem(&sizes, 5, 1, 0.5);
    assert_eq!(fused::FusedNnCost::<f64>::new(&x, &[1, 2, 3, 1, 2], &sig(&sizes), 0.0).layout(), Layout::Dense);
}
