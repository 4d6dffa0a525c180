//! The machine's arithmetic peak: every thread running nothing but independent vector
//! multiply-adds, at the width the fused engine's loops use ([`Isa`]). No program does more
//! floating-point work per second on these cores, so it is the ceiling the evaluation's FLOP/s
//! are reported against (beside a large `gemm`, the best a real matrix product gets).

use std::sync::Barrier;
use std::time::Instant;

use fused::Isa;

/// Independent chains of multiply-adds per loop turn: more than the latency (4 cycles) times
/// the multiply-add units (2) of current x86-64 cores, so that the units, not the chains, set
/// the pace.
const CHAINS: usize = 12;
/// Loop turns per measurement: about 50 ms at 2.5 GHz with two units.
const TURNS: u64 = 5_000_000;

/// Peak FLOP/s (a multiply-add counts 2) on `threads` threads at once, in f64 and in f32, with
/// the vectors of `isa`; `None` where the loops have no vectors with fused multiply-adds
/// ([`Isa::Baseline`], or not x86-64).
pub fn fma_peak(isa: Isa, threads: usize) -> Option<(f64, f64)> {
    let lanes = |bytes: usize| match isa {
        Isa::Avx512 => 64 / bytes,
        Isa::Avx2 => 32 / bytes,
        Isa::Baseline => 0,
    };
    if lanes(8) == 0 || !cfg!(target_arch = "x86_64") {
        return None;
    }
    // Each vector multiply-add is 2 FLOP on each lane.
    let f64_peak = on_every_thread(threads, || chains(isa, false)) * 2.0 * lanes(8) as f64;
    let f32_peak = on_every_thread(threads, || chains(isa, true)) * 2.0 * lanes(4) as f64;
    Some((f64_peak, f32_peak))
}

/// The best of five rounds of `rate` (vector multiply-adds per second) run on `threads` threads
/// started together: the sum of their rates. A peak is a ceiling: a round slowed by the shared
/// machine's other load says nothing about it, so the best round counts.
fn on_every_thread(threads: usize, rate: impl Fn() -> f64 + Sync) -> f64 {
    (0..5)
        .map(|_| {
            let start = Barrier::new(threads);
            std::thread::scope(|scope| {
                let handles: Vec<_> = (0..threads)
                    .map(|_| {
                        scope.spawn(|| {
                            start.wait();
                            rate()
                        })
                    })
                    .collect();
                handles.into_iter().map(|h| h.join().expect("peak thread")).sum::<f64>()
            })
        })
        .fold(0.0, f64::max)
}

/// Vector multiply-adds per second of one thread running [`CHAINS`] chains for [`TURNS`] turns.
fn chains(isa: Isa, single: bool) -> f64 {
    let start = Instant::now();
    #[cfg(target_arch = "x86_64")]
    // SAFETY: `isa` comes from `Isa::detect`, which only returns an instruction set this CPU runs.
    let sum = unsafe {
        match (isa, single) {
            (Isa::Avx512, false) => x86::avx512_pd(TURNS),
            (Isa::Avx512, true) => x86::avx512_ps(TURNS),
            (Isa::Avx2, false) => x86::avx2_pd(TURNS),
            (Isa::Avx2, true) => x86::avx2_ps(TURNS),
            (Isa::Baseline, _) => unreachable!("no vectors with fused multiply-adds"),
        }
    };
    #[cfg(not(target_arch = "x86_64"))]
    let sum: f64 = unreachable!("fma_peak returns None off x86-64");
    let seconds = start.elapsed().as_secs_f64();
    std::hint::black_box(sum);
    (TURNS * CHAINS as u64) as f64 / seconds
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;

    use super::CHAINS;

    /// `$name(turns)`: a loop of `CHAINS` independent chains `acc = acc · m + c`, for `turns` turns; returns a
    /// sum of the chains, so that the loop is not optimised away (`m` and `c` come through
    /// `black_box`, so the compiler cannot fold them either).
    macro_rules! chains {
        ($name:ident, $feature:literal, $t:ty, $lanes:literal, $set1:ident, $fmadd:ident, $add:ident) => {
            #[target_feature(enable = $feature)]
            pub(super) fn $name(turns: u64) -> f64 {
                let (m, c) = ($set1(std::hint::black_box(0.999_999)), $set1(std::hint::black_box(1e-6)));
                let mut acc = [$set1(1.0); CHAINS];
                for _ in 0..turns {
                    for a in &mut acc {
                        *a = $fmadd(*a, m, c);
                    }
                }
                let total = acc.iter().fold($set1(0.0), |s, &a| $add(s, a));
                // SAFETY: the vector and the array have the same size; any bits are a valid array.
                let lanes: [$t; $lanes] = unsafe { std::mem::transmute(total) };
                lanes.iter().map(|&v| f64::from(v)).sum()
            }
        };
    }

    chains!(avx512_pd, "avx512f", f64, 8, _mm512_set1_pd, _mm512_fmadd_pd, _mm512_add_pd);
    chains!(avx512_ps, "avx512f", f32, 16, _mm512_set1_ps, _mm512_fmadd_ps, _mm512_add_ps);
    chains!(avx2_pd, "avx2,fma", f64, 4, _mm256_set1_pd, _mm256_fmadd_pd, _mm256_add_pd);
    chains!(avx2_ps, "avx2,fma", f32, 8, _mm256_set1_ps, _mm256_fmadd_ps, _mm256_add_ps);
}
