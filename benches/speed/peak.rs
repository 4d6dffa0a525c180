//! An upper bound on the floating-point work these cores do per second, to state the fused
//! engine's share of it.
//!
//! Three measurements, and the bound is the highest, so that no code measured in the run is
//! above it:
//! - [`fma_chains`]: every thread running nothing but independent vector multiply-adds, at each
//!   vector width the CPU has (AVX2, AVX-512), with enough chains to cover the multiply-add's
//!   latency on both units (16 chains of 512 bits, 12 of 256: a multiply-add takes 4 cycles
//!   and a core starts two a cycle); each thread's best of 15 rounds, summed, since a round
//!   on a shared machine can lose its core for a while;
//! - a large `gemm` on every core (`main.rs`);
//! - a large numpy product (OpenBLAS `dgemm`, 2000³, `bench/numpy_reference.py`).
//!
//! In f32 the same, with twice the f64 bound among them (`main.rs`).
//!
//! The clock is not read: under a hypervisor the frequency `/proc/cpuinfo` gives is the
//! nominal one, not what the cores run at.

use std::sync::Barrier;
use std::time::Instant;

use fused::Isa;

/// Loop turns per measurement: about 20 ms at 3 GHz for 16 chains.
const TURNS: u64 = 4_000_000;
/// Rounds; each thread's best counts (on a busy machine, seven rounds of a thread all met
/// another process: one run's f64 bound came out a third below another's).
const ROUNDS: usize = 15;

/// Peak FLOP/s (a multiply-add counts 2) of vector multiply-adds on `threads` threads at once,
/// in f64 and in f32: the highest over the vector widths this CPU runs. `None` without vectors
/// with fused multiply-adds (not x86-64, or no AVX2 and FMA).
pub fn fma_chains(threads: usize) -> Option<(f64, f64)> {
    let widths: Vec<Isa> = Isa::available().into_iter().filter(|&isa| isa != Isa::Baseline).collect();
    if widths.is_empty() || !cfg!(target_arch = "x86_64") {
        return None;
    }
    let peak = |single: bool| {
        widths
            .iter()
            .map(|&isa| {
                let lanes = match isa {
                    Isa::Avx512 => 64,
                    _ => 32,
                } / if single { 4 } else { 8 };
                // Each vector multiply-add is 2 FLOP on each lane.
                on_every_thread(threads, || chains(isa, single)) * 2.0 * lanes as f64
            })
            .fold(0.0, f64::max)
    };
    Some((peak(false), peak(true)))
}

/// `rate` (multiply-adds per second) on `threads` threads started together, in [`ROUNDS`]
/// rounds: the sum over the threads of each one's best round.
fn on_every_thread(threads: usize, rate: impl Fn() -> f64 + Sync) -> f64 {
    let mut best = vec![0.0f64; threads];
    for _ in 0..ROUNDS {
        let start = Barrier::new(threads);
        let rates: Vec<f64> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads)
                .map(|_| {
                    scope.spawn(|| {
                        start.wait();
                        rate()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().expect("peak thread")).collect()
        });
        for (best, rate) in best.iter_mut().zip(rates) {
            *best = best.max(rate);
        }
    }
    best.iter().sum()
}

/// Vector multiply-adds per second of one thread running its chains for [`TURNS`] turns.
fn chains(isa: Isa, single: bool) -> f64 {
    let start = Instant::now();
    #[cfg(target_arch = "x86_64")]
    // SAFETY: `isa` comes from `Isa::available`, which only lists instruction sets this CPU runs.
    let (sum, chains) = unsafe {
        match (isa, single) {
            (Isa::Avx512, false) => x86::avx512_pd(TURNS),
            (Isa::Avx512, true) => x86::avx512_ps(TURNS),
            (Isa::Avx2, false) => x86::avx2_pd(TURNS),
            (Isa::Avx2, true) => x86::avx2_ps(TURNS),
            (Isa::Baseline, _) => unreachable!("no vectors with fused multiply-adds"),
        }
    };
    #[cfg(not(target_arch = "x86_64"))]
    let (sum, chains): (f64, usize) = unreachable!("fma_chains returns None off x86-64");
    let seconds = start.elapsed().as_secs_f64();
    std::hint::black_box(sum);
    (TURNS * chains as u64) as f64 / seconds
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;

    /// `$name(turns)`: `$chains` independent chains `acc = acc · m + c`, for `turns` turns;
    /// returns a sum of the chains, so that the loop is not optimised away (`m` and `c` come
    /// through `black_box`, so the compiler cannot fold them either), and the number of chains.
    macro_rules! chains {
        ($name:ident, $feature:literal, $chains:literal, $t:ty, $lanes:literal, $set1:ident, $fmadd:ident, $add:ident) => {
            #[target_feature(enable = $feature)]
            pub(super) fn $name(turns: u64) -> (f64, usize) {
                let (m, c) = ($set1(std::hint::black_box(0.999_999)), $set1(std::hint::black_box(1e-6)));
                let mut acc = [$set1(1.0); $chains];
                for _ in 0..turns {
                    for a in &mut acc {
                        *a = $fmadd(*a, m, c);
                    }
                }
                let total = acc.iter().fold($set1(0.0), |s, &a| $add(s, a));
                // SAFETY: the vector and the array have the same size; any bits are a valid array.
                let lanes: [$t; $lanes] = unsafe { std::mem::transmute(total) };
                (lanes.iter().map(|&v| f64::from(v)).sum(), $chains)
            }
        };
    }

    // 32 vector registers with AVX-512, 16 with AVX2: the chains, `m` and `c` fit.
    chains!(avx512_pd, "avx512f", 16, f64, 8, _mm512_set1_pd, _mm512_fmadd_pd, _mm512_add_pd);
    chains!(avx512_ps, "avx512f", 16, f32, 16, _mm512_set1_ps, _mm512_fmadd_ps, _mm512_add_ps);
    chains!(avx2_pd, "avx2,fma", 12, f64, 4, _mm256_set1_pd, _mm256_fmadd_pd, _mm256_add_pd);
    chains!(avx2_ps, "avx2,fma", 12, f32, 8, _mm256_set1_ps, _mm256_fmadd_ps, _mm256_add_ps);
}
