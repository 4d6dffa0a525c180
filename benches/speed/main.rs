//! `just bench`: speed of the cost and gradient, of training and of sweeps, on
//! `ex4data1.mat`, beside the exercise's numpy implementation and the same cost differentiated
//! by JAX, run on the same data in the same run (`bench/numpy_reference.py`, when Python with
//! numpy, scipy and threadpoolctl is available; JAX when installed). Prints one table, then the
//! multiply-adds the fused engine does and its share of an upper bound on the cores' FLOP/s
//! ([`peak`]).
//!
//! Each timing is the median of repeated runs after a warm-up (criterion's approach without its
//! statistics machinery, so that all figures, ours and numpy's, land in one table). Speed
//! targets live here, never in tests: a MISS is reported, not asserted.

mod peak;

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use backend::Backend;
use data::{Activation, Architecture, DataFile, Dataset, LayerSizes, Output, locate};
use fused::Layout;
use model::{Network, evaluate};
use train::{Engine, Objective, Precision, Silent, TrainConfig, objective, train};

/// Median seconds of `runs` calls of `f`, after one warm-up call.
fn median_seconds<T>(runs: usize, f: impl FnMut() -> T) -> f64 {
    seconds(runs, f).0
}

/// Median and lowest seconds of `runs` calls of `f`, after one warm-up call. The bars are
/// judged on the median; the lowest shows what the code does when the shared machine is quiet.
fn seconds<T>(runs: usize, mut f: impl FnMut() -> T) -> (f64, f64) {
    std::hint::black_box(f());
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(f());
            start.elapsed().as_secs_f64()
        })
        .collect();
    times.sort_by(f64::total_cmp);
    (times[runs / 2], times[0])
}

/// Median and lowest seconds of each of `evaluations`, measured in `rounds` interleaved rounds
/// of [`seconds`]' `runs` calls each: a burst of load on the shared machine then falls on every
/// one alike, not on whichever was being measured, and their ratios (f32 against f64) hold.
fn interleaved_seconds(evaluations: &[&dyn Fn()], rounds: usize, runs: usize) -> Vec<(f64, f64)> {
    let mut times = vec![Vec::new(); evaluations.len()];
    for _ in 0..rounds {
        for (evaluate, times) in evaluations.iter().zip(&mut times) {
            evaluate();
            times.extend((0..runs).map(|_| {
                let start = Instant::now();
                evaluate();
                start.elapsed().as_secs_f64()
            }));
        }
    }
    times
        .into_iter()
        .map(|mut times| {
            times.sort_by(f64::total_cmp);
            (times[times.len() / 2], times[0])
        })
        .collect()
}

/// The fused evaluations are measured in this many interleaved rounds of [`CALLS_PER_ROUND`]
/// calls each (225 calls): short rounds, so that load that comes and goes on the shared machine
/// falls on each of the four about alike. With 5 rounds of 41 calls, f32's share of f64's time
/// moved between 45% and 57% from run to run on a noisy machine.
const ROUNDS: usize = 25;
const CALLS_PER_ROUND: usize = 9;

/// `median (best lowest)` in milliseconds.
fn ms_best((median, best): (f64, f64)) -> String {
    format!("{} (best {:.2})", ms(median), best * 1e3)
}

/// A large `T` matrix product with gemm on every core, in FLOP/s: what a real product reaches
/// on these cores, one of the measurements the bound of [`peak`] is the highest of.
fn gemm_flops<T: Copy + 'static + From<f32>>() -> f64 {
    let n = 1536;
    let a = vec![T::from(1.0); n * n];
    let b = vec![T::from(0.5); n * n];
    let mut c = vec![T::from(0.0); n * n];
    let seconds = median_seconds(5, || {
        // SAFETY: all three buffers are n x n, row-major, as the strides say.
        unsafe {
            gemm::gemm(
                n,
                n,
                n,
                c.as_mut_ptr(),
                1,
                n as isize,
                false,
                a.as_ptr(),
                1,
                n as isize,
                b.as_ptr(),
                1,
                n as isize,
                T::from(0.0),
                T::from(1.0),
                false,
                false,
                false,
                gemm::Parallelism::Rayon(0),
            );
        }
        c[0]
    });
    2.0 * (n as f64).powi(3) / seconds
}

struct Row {
    name: String,
    ours: String,
    numpy: String,
    ratio: String,
    jax: String,
    bar: String,
}

fn row(name: &str, ours: String, numpy: Option<f64>, ours_seconds: Option<f64>, bar: String) -> Row {
    let ratio = match (ours_seconds, numpy) {
        (Some(o), Some(n)) => format!("{:.2}", o / n),
        _ => "-".into(),
    };
    Row { name: name.into(), ours, numpy: numpy.map_or("-".into(), ms), ratio, jax: "-".into(), bar }
}

fn ms(seconds: f64) -> String {
    if seconds >= 1.0 { format!("{seconds:.2} s") } else { format!("{:.2} ms", seconds * 1e3) }
}

/// `value` cut to `decimals` places in the direction that fails its bar: down for an "at
/// least" bar, up for an "at most" one. A figure shown beside a bar then never seems to meet it
/// when it does not (1.697x beside ">= 1.7x: MISS" shows as 1.69x, not 1.70x).
fn toward_failing(value: f64, decimals: i32, at_least: bool) -> f64 {
    let scale = 10f64.powi(decimals);
    if at_least { (value * scale).floor() / scale } else { (value * scale).ceil() / scale }
}

fn verdict(ok: bool) -> &'static str {
    if ok { "ok" } else { "MISS" }
}

fn numpy_reference(data: &Path, args: &[&str]) -> Option<serde_json::Value> {
    let script = data::workspace_root().join("bench/numpy_reference.py");
    let output = Command::new("python3").arg(script).arg(data).args(args).output().ok()?;
    if !output.status.success() {
        eprintln!("numpy reference skipped: {}", String::from_utf8_lossy(&output.stderr).lines().last().unwrap_or(""));
        return None;
    }
    serde_json::from_slice(&output.stdout).ok()
}

fn accuracy(data: &Dataset, outcome: &train::Outcome, device: &burn::tensor::Device) -> f64 {
    evaluate(&Network::from_weights(&outcome.weights(), device), data, 0.0, device).accuracy
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else is understood.
    let path = locate(DataFile::Training, None).unwrap_or_else(|e| panic!("{e}"));
    let data = data::load_dataset(&path, 10).unwrap_or_else(|e| panic!("{e}"));
    let sizes = LayerSizes::new(400, 25, 10);
    let exercise = Architecture::sigmoid(sizes.clone());
    let params = manual::random_params(&sizes, manual::Init::Uniform(0.12), 0);
    let flex = Backend::Flex.device().unwrap();
    let ndarray = Backend::NdArray.device().unwrap();
    let threads = rayon::current_num_threads();
    eprintln!("measuring numpy and JAX (bench/numpy_reference.py)...");
    let numpy = numpy_reference(&path, &[]);
    let figure = |key: &str| numpy.as_ref().and_then(|v| v[key].as_f64());
    let (numpy_eval, numpy_lbfgs) = (figure("evaluation_seconds"), figure("lbfgs_seconds"));
    eprintln!("measuring ours...");

    let runs = 41;
    let eval_time = |objective: &dyn Objective| median_seconds(runs, || objective.cost_and_gradient(&params));
    // The fused engine as training builds it (`Engine::Fused` is `FusedNnCost::<f64>::new`),
    // then the other layout and f32, in interleaved rounds.
    let default_cost = fused::FusedNnCost::<f64>::new(&data.x, &data.labels, &exercise, 1.0);
    let (layout, isa) = (default_cost.layout(), default_cost.isa());
    let dense64_cost = fused::FusedNnCost::<f64>::with_layout(&data.x, &data.labels, &exercise, 1.0, Layout::Dense);
    let fused32_cost = fused::FusedNnCost::<f32>::with_layout(&data.x, &data.labels, &exercise, 1.0, layout);
    let dense32_cost = fused::FusedNnCost::<f32>::with_layout(&data.x, &data.labels, &exercise, 1.0, Layout::Dense);
    let times = interleaved_seconds(
        &[
            &|| drop(std::hint::black_box(default_cost.cost_and_gradient(&params))),
            &|| drop(std::hint::black_box(dense64_cost.cost_and_gradient(&params))),
            &|| drop(std::hint::black_box(fused32_cost.cost_and_gradient(&params))),
            &|| drop(std::hint::black_box(dense32_cost.cost_and_gradient(&params))),
        ],
        ROUNDS,
        CALLS_PER_ROUND,
    );
    let [fused64_times, dense64_times, fused32_times, dense32_times] = times[..] else { unreachable!("four") };
    let (fused64, dense64, fused32, dense32) = (fused64_times.0, dense64_times.0, fused32_times.0, dense32_times.0);
    let layout_name = if layout == Layout::Sparse { "sparse" } else { "dense" };
    let manual_flex =
        eval_time(objective(Engine::Manual, Precision::F64, &data, &exercise, 1.0, &flex).unwrap().as_ref());
    let manual_ndarray =
        eval_time(objective(Engine::Manual, Precision::F64, &data, &exercise, 1.0, &ndarray).unwrap().as_ref());
    let autodiff_flex =
        eval_time(objective(Engine::Autodiff, Precision::F64, &data, &exercise, 1.0, &flex).unwrap().as_ref());

    // L-BFGS, 100 iterations, lambda 1, end to end (objective set-up included).
    let config = TrainConfig { iterations: 100, lambda: 1.0, ..TrainConfig::default() };
    // Timed: the training alone; the accuracy of the weights is measured afterwards.
    let mut outcome = None;
    let lbfgs = median_seconds(5, || outcome = Some(train(&data, &config, &flex, &mut Silent).unwrap()));
    let lbfgs_accuracy = accuracy(&data, outcome.as_ref().expect("trained"), &flex);

    // Six lambdas, 100 L-BFGS iterations each: in parallel, and one after the other.
    let lambdas = [0.0, 0.3, 1.0, 3.0, 10.0, 20.0];
    let monitor = |_: usize| -> Box<dyn train::Monitor> { Box::new(Silent) };
    let sweep = |workers: usize| {
        let start = Instant::now();
        train::sweep(&data, None, &config, &lambdas, Backend::Flex, workers, &monitor).unwrap();
        start.elapsed().as_secs_f64()
    };
    // The same sweep on one thread: the work the parallel sweep shares out, done serially. The
    // three ways take turns, five rounds, and each one's median counts: one round each let a
    // burst of load decide the ratio (1.10x in one run, 1.9-2.2x in the others), and with
    // three rounds a burst could still fall on two of them (1.56x and 1.67x in two runs of ten,
    // 1.75-1.97x in the others).
    let one_thread = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    let mut rounds = [Vec::new(), Vec::new(), Vec::new()];
    for _ in 0..5 {
        rounds[0].push(sweep(1));
        rounds[1].push(sweep(threads));
        rounds[2].push(one_thread.install(|| sweep(1)));
    }
    let [sequential, parallel, serial_one_thread] = rounds.map(|mut times| {
        times.sort_by(f64::total_cmp);
        times[times.len() / 2]
    });

    // Multiply-adds of one evaluation: the dense count, and what each engine does (the sparse
    // layout skips the zero pixels of X in both products with X, all but those paired with a
    // nonzero).
    // (The engine counts them: `multiply_adds` is the forward products `X₁Θ1ᵀ`, `a2Θ2ᵀ`, the
    // backward `δ3Θ2` and the gradient products `X₁ᵀδ2`, `a2ᵀδ3`, those with X as it does them.)
    let dense_count = dense64_cost.multiply_adds() as f64;
    let with_x_dense = dense64_cost.multiply_adds_with_x() as f64;
    let (done64, done32) = (default_cost.multiply_adds() as f64, fused32_cost.multiply_adds() as f64);
    assert_eq!(with_x_dense, (2 * data.len() * data.num_features() * sizes.hidden()[0]) as f64);
    let nonzeros = data.x.as_slice().iter().filter(|&&v| v != 0.0).count();
    let on_nonzeros = dense_count - with_x_dense + (2 * nonzeros * sizes.hidden()[0]) as f64;
    eprintln!("measuring the cores' upper bound...");
    let (gemm64, gemm32) = (gemm_flops::<f64>(), gemm_flops::<f32>());
    let chains = peak::fma_chains(threads);
    let dgemm = figure("dgemm_flops");
    let candidates64 = [
        chains.map(|c| ("multiply-add chains", c.0)),
        Some(("gemm 1536^3", gemm64)),
        dgemm.map(|d| ("numpy dgemm 2000^3", d)),
    ];
    let (bound64_source, bound64) =
        candidates64.into_iter().flatten().fold(("", 0.0), |best, c| if c.1 > best.1 { c } else { best });
    // An f32 vector holds twice the lanes of an f64 one, at the same multiply-adds per cycle on
    // x86-64: twice the f64 bound bounds f32 too, should its own chains have met a busy moment.
    let candidates32 = [
        chains.map(|c| ("multiply-add chains", c.1)),
        Some(("gemm f32 1536^3", gemm32)),
        Some(("twice the f64 bound", 2.0 * bound64)),
    ];
    let (bound32_source, bound32) =
        candidates32.into_iter().flatten().fold(("", 0.0), |best, c| if c.1 > best.1 { c } else { best });
    let x_bytes = (data.len() * data.num_features() * 8) as f64;

    let mut rows = vec![
        row(
            &format!("cost+gradient, fused f64, {layout_name} X (training default)"),
            ms_best(fused64_times),
            numpy_eval,
            Some(fused64),
            match numpy_eval {
                Some(n) => format!(
                    ">= 4x numpy ({:.2}x): {}",
                    toward_failing(n / fused64, 2, true),
                    verdict(fused64 * 4.0 <= n)
                ),
                None => ">= 4x numpy: no numpy".into(),
            },
        ),
        row(
            "cost+gradient, fused f64, dense X (gemm)",
            ms_best(dense64_times),
            numpy_eval,
            Some(dense64),
            String::new(),
        ),
        row(
            &format!("cost+gradient, fused f32, {layout_name} X"),
            ms_best(fused32_times),
            numpy_eval,
            Some(fused32),
            format!(
                "<= half of f64 ({:.0}%): {}",
                toward_failing(100.0 * fused32 / fused64, 0, false),
                verdict(fused32 <= fused64 / 2.0)
            ),
        ),
        row(
            "cost+gradient, fused f32, dense X (gemm)",
            ms_best(dense32_times),
            numpy_eval,
            Some(dense32),
            format!("dense f32 / dense f64: {:.0}%", 100.0 * dense32 / dense64),
        ),
        row("cost+gradient, manual tensors, flex f64", ms(manual_flex), numpy_eval, Some(manual_flex), String::new()),
        row(
            "cost+gradient, manual tensors, ndarray f64",
            ms(manual_ndarray),
            numpy_eval,
            Some(manual_ndarray),
            String::new(),
        ),
        row(
            "cost+gradient, burn autodiff, flex f64",
            ms(autodiff_flex),
            numpy_eval,
            Some(autodiff_flex),
            format!(
                "<= 1.5x manual flex ({:.2}x): {}",
                toward_failing(autodiff_flex / manual_flex, 2, false),
                verdict(autodiff_flex <= 1.5 * manual_flex)
            ),
        ),
        row(
            &format!("L-BFGS 100 it, lambda 1 ({lbfgs_accuracy:.2}% training)"),
            ms(lbfgs),
            numpy_lbfgs,
            Some(lbfgs),
            format!(">= 98% in <= 0.5 s: {}", verdict(lbfgs_accuracy >= 98.0 && lbfgs <= 0.5)),
        ),
        row("6-lambda sweep, 1 worker on 1 thread", ms(serial_one_thread), None, None, String::new()),
        row(&format!("6-lambda sweep, 1 worker on {threads} threads"), ms(sequential), None, None, String::new()),
        row(
            &format!(
                "6-lambda sweep, {threads} workers, 1 thread each, then freed ones ({:.2}x, {:.2}x)",
                toward_failing(serial_one_thread / parallel, 2, true),
                sequential / parallel
            ),
            ms(parallel),
            None,
            None,
            format!(">= 1.7x 1 worker on 1 thread: {}", verdict(serial_one_thread / parallel >= 1.7)),
        ),
    ];
    let numpy_best = figure("evaluation_best_seconds");
    if let (Some(median), Some(best)) = (numpy_eval, numpy_best) {
        for r in &mut rows[..4] {
            r.numpy = ms_best((median, best));
        }
    }
    if let (Some(seconds), Some(accuracy)) = (numpy_lbfgs, figure("lbfgs_accuracy")) {
        rows[7].numpy = format!("{} ({accuracy:.2}%)", ms(seconds));
    }
    let jax_eval = figure("jax_evaluation_seconds");
    if let (Some(median), Some(best)) = (jax_eval, figure("jax_evaluation_best_seconds")) {
        rows[0].jax = ms_best((median, best));
        rows[0].bar += &format!("; {:.2}x JAX", median / fused64);
    }
    if let (Some(seconds), Some(accuracy)) = (figure("jax_lbfgs_seconds"), figure("jax_lbfgs_accuracy")) {
        rows[7].jax = format!("{} ({accuracy:.2}%)", ms(seconds));
    }

    // Deeper networks: one f64 evaluation by the fused engine against numpy's hand-written
    // backpropagation and JAX's `value_and_grad` of the same network, measured in this run
    // (`bench/numpy_reference.py --hidden ...`, parameters uniform in [-0.12, 0.12], lambda 1).
    // The first carries the bar; each row's FLOP/s are the multiply-adds the engine does.
    let deeper: [(&[usize], Activation, Output); 3] = [
        (&[100, 25], Activation::Sigmoid, Output::Sigmoid),
        (&[100], Activation::Tanh, Output::Softmax),
        (&[100], Activation::Relu, Output::Softmax),
    ];
    let mut deeper_flops = Vec::new();
    for (i, (hidden, activation, output)) in deeper.into_iter().enumerate() {
        let architecture = Architecture::new(LayerSizes::with_hidden(400, hidden, 10), activation, output);
        let hidden_arg: Vec<String> = hidden.iter().map(usize::to_string).collect();
        eprintln!("measuring {architecture}...");
        let reference = numpy_reference(
            &path,
            &[
                "--iterations",
                "0",
                "--no-dgemm",
                "--hidden",
                &hidden_arg.join(","),
                "--activation",
                activation.name(),
                "--output",
                output.name(),
            ],
        );
        let cost = fused::FusedNnCost::<f64>::new(&data.x, &data.labels, &architecture, 1.0);
        let params = manual::random_params(&architecture.sizes, manual::Init::Uniform(0.12), 0);
        let evaluate = || drop(std::hint::black_box(cost.cost_and_gradient(&params)));
        let times = interleaved_seconds(&[&evaluate], ROUNDS, CALLS_PER_ROUND)[0];
        let get = |key: &str| reference.as_ref().and_then(|v| v[key].as_f64());
        let (numpy_median, jax_median) = (get("evaluation_seconds"), get("jax_evaluation_seconds"));
        let faster = [numpy_median, jax_median].into_iter().flatten().reduce(f64::min);
        let flops = 2.0 * cost.multiply_adds() as f64 / times.0;
        deeper_flops.push((architecture.to_string(), cost.multiply_adds(), flops));
        let speedup = |f: f64| toward_failing(f / times.0, 2, true);
        let bar = match (i, faster) {
            (0, Some(f)) => format!(
                ">= 3x the faster of numpy and JAX ({:.2}x): {}; {:.0}% of the bound",
                speedup(f),
                verdict(times.0 * 3.0 <= f),
                100.0 * flops / bound64
            ),
            (0, None) => ">= 3x the faster of numpy and JAX: neither measured".into(),
            (_, Some(f)) => {
                format!("{:.2}x the faster of numpy and JAX; {:.0}% of the bound", speedup(f), 100.0 * flops / bound64)
            }
            (_, None) => format!("{:.0}% of the bound", 100.0 * flops / bound64),
        };
        let softmax = if output == Output::Softmax { " + softmax" } else { "" };
        let name = format!("cost+gradient, fused f64, {} {activation}{softmax}", architecture.sizes);
        let mut r = row(&name, ms_best(times), numpy_median, Some(times.0), bar);
        if let (Some(median), Some(best)) = (numpy_median, get("evaluation_best_seconds")) {
            r.numpy = ms_best((median, best));
        }
        if let (Some(median), Some(best)) = (jax_median, get("jax_evaluation_best_seconds")) {
            r.jax = ms_best((median, best));
        }
        rows.push(r);
    }

    // Peak memory of a training run, from the trainer itself (metrics.json).
    let trainer = data::workspace_root().join("target/release/trainer");
    let trainer = std::env::var_os("CARGO_TARGET_DIR").map_or(trainer, |d| Path::new(&d).join("release/trainer"));
    let out = std::env::temp_dir().join(format!("ex4-bench-memory-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let memory = Command::new(&trainer)
        .args(["--no-test", "--json", "--out"])
        .arg(&out)
        .output()
        .ok()
        .and_then(|o| serde_json::from_slice::<serde_json::Value>(&o.stdout).ok())
        .and_then(|v| v["peak_memory_bytes"].as_f64());
    if let Some(bytes) = memory {
        rows.push(row(
            &format!("peak memory, training run ({:.1}x X)", bytes / x_bytes),
            format!("{:.1} MiB", bytes / 1048576.0),
            None,
            None,
            format!("<= 3x X ({:.1} MiB): {}", 3.0 * x_bytes / 1048576.0, verdict(bytes <= 3.0 * x_bytes)),
        ));
    }

    println!();
    println!("ex4 speed on {} ({} x {}), {threads} threads", path.display(), data.len(), data.num_features());
    if let Some(v) = &numpy {
        let blas = v["blas"].as_array().into_iter().flatten();
        let blas: Vec<String> = blas.map(|b| format!("{} on {} threads", b["file"], b["threads"])).collect();
        println!(
            "numpy {} / scipy {} / JAX {} (bench/numpy_reference.py) in the same run; BLAS: {}",
            v["numpy"],
            v["scipy"],
            v.get("jax").map_or("not installed".into(), ToString::to_string),
            blas.join(", ")
        );
    }
    println!();
    println!(
        "| {:<54} | {:>22} | {:>22} | {:>10} | {:>22} | bar |",
        "benchmark", "ours (median)", "numpy (median)", "ours/numpy", "JAX (median)"
    );
    println!(
        "| {} | {} | {} | {} | {} | --- |",
        "-".repeat(54),
        "-".repeat(22),
        "-".repeat(22),
        "-".repeat(10),
        "-".repeat(22)
    );
    for r in &rows {
        println!("| {:<54} | {:>22} | {:>22} | {:>10} | {:>22} | {} |", r.name, r.ours, r.numpy, r.ratio, r.jax, r.bar);
    }
    println!();
    let gflops = |multiply_adds: f64, seconds: f64| 2.0 * multiply_adds / seconds / 1e9;
    println!(
        "multiply-adds per evaluation: {:.1} M counted dense; X is {:.1}% nonzero, and the {layout_name} layout does \
         {:.1} M in f64 ({:.1} M of them on nonzeros), {:.1} M in f32",
        dense_count / 1e6,
        100.0 * nonzeros as f64 / (data.len() * data.num_features()) as f64,
        done64 / 1e6,
        on_nonzeros / 1e6,
        done32 / 1e6,
    );
    println!(
        "upper bound on {threads} threads (the highest of: {}gemm {:.1}{}): f64 {:.1} GFLOP/s ({bound64_source}), \
         f32 {:.1} ({bound32_source})",
        chains.map_or(String::new(), |c| format!("multiply-add chains {:.1} (f32 {:.1}), ", c.0 / 1e9, c.1 / 1e9)),
        gemm64 / 1e9,
        dgemm.map_or(String::new(), |d| format!(", numpy dgemm {:.1}", d / 1e9)),
        bound64 / 1e9,
        bound32 / 1e9,
    );
    println!(
        "done per second: fused f64 {:.1} GFLOP/s, {:.0}% of the bound; f32 {:.1}, {:.0}%; dense f64 (gemm) {:.1}, \
         {:.0}%; loops compiled for {isa:?}",
        gflops(done64, fused64),
        100.0 * gflops(done64, fused64) * 1e9 / bound64,
        gflops(done32, fused32),
        100.0 * gflops(done32, fused32) * 1e9 / bound32,
        gflops(dense_count, dense64),
        100.0 * gflops(dense_count, dense64) * 1e9 / bound64,
    );
    for (network, multiply_adds, flops) in &deeper_flops {
        println!(
            "{network}: {:.1} M multiply-adds per evaluation, {:.1} GFLOP/s, {:.0}% of the f64 bound",
            *multiply_adds as f64 / 1e6,
            flops / 1e9,
            100.0 * flops / bound64
        );
    }
    if let Some(best) = numpy_best {
        println!(
            "best against best: fused f64 {:.2}x faster than numpy ({:.2} vs {:.2} ms); f32 takes {:.0}% of f64",
            best / fused64_times.1,
            fused64_times.1 * 1e3,
            best * 1e3,
            100.0 * fused32_times.1 / fused64_times.1
        );
    }
    let _ = std::fs::remove_dir_all(&out);
}
