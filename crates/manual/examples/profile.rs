use std::time::Instant;

use backend::Backend;
use burn::tensor::{Distribution, Tensor};

fn time<T>(label: &str, n: usize, mut f: impl FnMut() -> T) {
    let _ = f();
    let start = Instant::now();
    for _ in 0..n {
        std::hint::black_box(f());
    }
    println!("{label:40} {:8.3} ms", start.elapsed().as_secs_f64() * 1000.0 / n as f64);
}

fn main() {
    if std::env::var_os("MICRO").is_some() {
        micro();
        return;
    }
    let device = Backend::Flex.device().unwrap();
    let data = data::load_dataset(&data::locate(data::DataFile::Training, None).unwrap(), 10).unwrap();
    let sizes = data::LayerSizes::new(400, 25, 10);
    let zeros = data.x.as_slice().iter().filter(|v| **v == 0.0).count();
    println!("X: {} of {} entries exactly zero", zeros, data.x.as_slice().len());
    let cost = manual::NnCost::new(&data.x, &data.labels, sizes, 1.0, &device);
    let params = manual::random_params(sizes, 0.12, 0);
    time("cost_and_gradient", 30, || cost.cost_and_gradient(&params));
    time("cost", 30, || cost.cost(&params));
    let fused = manual::FusedNnCost::<f64>::new(&data.x, &data.labels, sizes, 1.0);
    time("fused f64 cost_and_gradient", 50, || fused.cost_and_gradient(&params));
    let fused32 = manual::FusedNnCost::<f32>::new(&data.x, &data.labels, sizes, 1.0);
    time("fused f32 cost_and_gradient", 50, || fused32.cost_and_gradient(&params));
    let (a, ga) = cost.cost_and_gradient(&params);
    let (b, gb) = fused.cost_and_gradient(&params);
    let (c, gc) = fused32.cost_and_gradient(&params);
    let rel = |g: &[f64]| {
        g.iter().zip(&ga).map(|(x, y)| (x - y).abs()).fold(0.0f64, f64::max)
            / ga.iter().fold(0.0f64, |m, v| m.max(v.abs()))
    };
    println!("cost {a} fused {b} f32 {c}; grad max rel (to max) f64 {:e} f32 {:e}", rel(&gb), rel(&gc));
    let x1: Tensor<2> = Tensor::random([5000, 401], Distribution::Uniform(0.0, 1.0), &device);
    let t1: Tensor<2> = Tensor::random([401, 25], Distribution::Uniform(0.0, 1.0), &device);
    let d2: Tensor<2> = Tensor::random([5000, 25], Distribution::Uniform(0.0, 1.0), &device);
    time("X1 . T1  [5000x401]x[401x25]", 30, || x1.clone().matmul(t1.clone()).into_data());
    time("X1t . d2 [401x5000]x[5000x25]", 30, || x1.clone().transpose().matmul(d2.clone()).into_data());
    let x1t = x1.clone().transpose().into_data();
    let x1t: Tensor<2> = Tensor::from_data(x1t, &device);
    time("X1t(contig) . d2", 30, || x1t.clone().matmul(d2.clone()).into_data());
    time("d2t . X1 [25x5000]x[5000x401]", 30, || d2.clone().transpose().matmul(x1.clone()).into_data());
    time("sigmoid [5000x25]", 30, || backend::sigmoid(d2.clone()).into_data());
    time("log_sigmoid [5000x25]", 30, || backend::log_sigmoid(d2.clone()).into_data());
    time("exp [5000x25]", 30, || d2.clone().exp().into_data());
    time("mul [5000x25]", 30, || (d2.clone() * d2.clone()).into_data());
    time("into_data [5000x25]", 30, || d2.clone().into_data());
}

#[allow(dead_code)]
fn sparsity() {}

#[allow(dead_code)]
pub fn micro() {
    let v: Vec<f64> = (0..175_000).map(|i| (i as f64 / 175_000.0) * 8.0 - 4.0).collect();
    time("175k exp", 50, || v.iter().map(|x| (-x.abs()).exp()).sum::<f64>());
    time("50k ln_1p", 50, || v[..50_000].iter().map(|x| x.abs().ln_1p()).sum::<f64>());
    let x = vec![0.5f64; 128 * 400];
    let t = vec![0.25f64; 400 * 25];
    let mut z = vec![0.0f64; 128 * 25];
    let g = |dst: &mut [f64],
             m: usize,
             n: usize,
             k: usize,
             lhs: &[f64],
             lrs: isize,
             lcs: isize,
             rhs: &[f64],
             rrs: isize,
             rcs: isize| unsafe {
        gemm::gemm(
            m,
            n,
            k,
            dst.as_mut_ptr(),
            1,
            n as isize,
            false,
            lhs.as_ptr(),
            lcs,
            lrs,
            rhs.as_ptr(),
            rcs,
            rrs,
            0.0,
            1.0,
            false,
            false,
            false,
            gemm::Parallelism::None,
        )
    };
    time("40x fwd gemm 128x400 . 400x25", 20, || {
        for _ in 0..40 {
            g(&mut z, 128, 25, 400, &x, 400, 1, &t, 25, 1)
        }
    });
    let t32 = vec![0.25f64; 400 * 32];
    let mut z32 = vec![0.0f64; 256 * 32];
    time("40x fwd gemm 128x400 . 400x32", 20, || {
        for _ in 0..40 {
            g(&mut z32, 128, 32, 400, &x, 400, 1, &t32, 32, 1)
        }
    });
    time("40x fwd gemm 128x400 . 400x24", 20, || {
        for _ in 0..40 {
            g(&mut z32, 128, 24, 400, &x, 400, 1, &t32, 24, 1)
        }
    });
    time("40x fwd gemm 25x400 . 400x128 (transposed)", 20, || {
        for _ in 0..40 {
            g(&mut z32, 25, 128, 400, &t, 1, 25, &x, 1, 400)
        }
    });
    let mut gr = vec![0.0f64; 400 * 25];
    time("40x grad gemm 25x128 . 128x400 (transposed)", 20, || {
        for _ in 0..40 {
            g(&mut gr, 25, 400, 128, &z, 1, 25, &x, 400, 1)
        }
    });
    time("40x grad gemm 400x128 . 128x25", 20, || {
        for _ in 0..40 {
            g(&mut gr, 400, 25, 128, &x, 1, 400, &z, 25, 1)
        }
    });
}
