//! The element-wise steps, each one branch-free pass over a block: the sigmoid (which
//! [`activations`](crate::activations) applies), the bias and column sums, the output layer's
//! cross-entropy and `δ3` in one pass. They are generic over the floating-point
//! type and over `FMA`, and are always inlined into one function per instruction set (see
//! [`Isa`](crate::Isa)), so that the compiler vectorizes them for the widest vectors the CPU
//! has, with [`real`](crate::real)'s branch-free `exp` and `ln_1p` (the standard library's are
//! calls into libm, one value at a time). They are what the baseline instruction set runs
//! slowest: see [`isa`](crate::isa) for the whole engine on each.

use crate::real::Real;

/// `σ(z) = 1 / (1 + e^−|z|)` or `e^−|z| / (1 + e^−|z|)`, by the sign of `z`; never overflows.
#[inline(always)]
pub(crate) fn sigmoid<T: Real, const FMA: bool>(z: T) -> T {
    let e = (T::ZERO - z.abs()).exp_nonpositive::<FMA>();
    let numerator = if z >= T::ZERO { T::ONE } else { e };
    numerator / (T::ONE + e)
}

/// `z += bias` on every row of `z` (`[rows, bias.len()]`).
#[inline(always)]
pub(crate) fn add_bias<T: Real>(z: &mut [T], bias: &[T]) {
    for row in z.chunks_exact_mut(bias.len()) {
        for (v, &b) in row.iter_mut().zip(bias) {
            *v = *v + b;
        }
    }
}

/// `sums += Σ_rows values` (`values` `[rows, sums.len()]`).
#[inline(always)]
pub(crate) fn add_column_sums<T: Real>(sums: &mut [T], values: &[T]) {
    for row in values.chunks_exact(sums.len()) {
        for (s, &v) in sums.iter_mut().zip(row) {
            *s = *s + v;
        }
    }
}

/// The output layer of a block, over `z3` (`[rows, K]`, `units` the output unit of each row's
/// label): returns `Σ softplus(z3) − y z3`, the summed cross-entropy
/// `−y log σ(z) − (1 − y) log σ(−z)` (in f64), and writes `δ3 = σ(z3) − y` over `z3`. When
/// `y = 1`, `δ3 = −σ(−z)`, exact even where `σ(z)` rounds to 1. `e` and `softplus` are
/// scratch, `z3`'s size.
#[inline(always)]
pub(crate) fn output_layer<T: Real, const FMA: bool>(
    z3: &mut [T],
    units: &[usize],
    e: &mut [T],
    softplus: &mut [T],
) -> f64 {
    let k = z3.len() / units.len();
    // One exp and one ln_1p serve both: softplus(z) = max(z, 0) + ln(1 + e^−|z|).
    for ((e, s), &z) in e.iter_mut().zip(softplus.iter_mut()).zip(z3.iter()) {
        *e = (T::ZERO - z.abs()).exp_nonpositive::<FMA>();
        *s = if z >= T::ZERO { z } else { T::ZERO } + e.ln_1p_unit::<FMA>();
    }
    // Eight running sums, in a fixed order; whole chunks of eight, so that they stay in registers.
    let mut sums = [0.0f64; 8];
    let chunks = softplus.chunks_exact(8);
    let rest = chunks.remainder();
    for chunk in chunks {
        for (sum, &s) in sums.iter_mut().zip(chunk) {
            *sum += s.to_f64();
        }
    }
    for (sum, &s) in sums.iter_mut().zip(rest) {
        *sum += s.to_f64();
    }
    let mut loss = ((sums[0] + sums[1]) + (sums[2] + sums[3])) + ((sums[4] + sums[5]) + (sums[6] + sums[7]));
    for ((z_row, e_row), &unit) in z3.chunks_exact_mut(k).zip(e.chunks_exact(k)).zip(units) {
        let (z, e) = (z_row[unit], e_row[unit]);
        loss -= z.to_f64();
        // σ(z) − 1 = −σ(−z): −e/(1+e) for z ≥ 0, −1/(1+e) otherwise.
        let delta = T::ZERO - if z >= T::ZERO { e } else { T::ONE } / (T::ONE + e);
        for (z, &e) in z_row.iter_mut().zip(e_row) {
            *z = if *z >= T::ZERO { T::ONE } else { e } / (T::ONE + e);
        }
        z_row[unit] = delta;
    }
    loss
}
