//! The three thin products with the weights after the first, written out on vectors `V`: in
//! the exercise, `z3 = a2₁ Θ2ᵀ`, `δ3 Θ2[:, 1:]` (times `σ'`) and `a2ᵀ δ3`; in a deeper
//! network the same three for every `Θ_l` with `l ≥ 2` (`z_{l+1} = a_l₁ Θ_lᵀ`,
//! `δ_l = (δ_{l+1} Θ_l[:, 1:]) .* g'(z_l)` with any [`Hidden`] activation's `g'`, and
//! `a_lᵀ δ_{l+1}`). Their shapes are thin (`h` = 25 and `K` = 10 against a block's 96 rows),
//! where `gemm`'s packing and blocking cost as much as the arithmetic. What it buys, against
//! `gemm` on the same blocks, alternated in one process (AMD EPYC, Zen 4, three runs): the
//! exercise's whole evaluation 0-10% faster in f64 and 2-15% in f32; on 400-100-25-10 and
//! 400-100-10 (tanh, softmax), where these products take about 15% of the time, −2% to +4%
//! in f64 (ahead in 4 of 5 runs) and 1-4% in f32, on a busy machine. A row's outputs are
//! whole vectors (the last one masked), the weights are read from copies padded to [`PAD`]
//! lanes, and [`ROWS`] rows go together so that their chains of multiply-adds overlap.
//! (Carrying up to four vectors of outputs at once, so that one broadcast serves them all,
//! made no difference beyond the noise, 1%, on 400-100-25-10.)

use crate::activations::Hidden;
use crate::isa::Vector;
use crate::real::Real;

/// The padded weights' rows are a multiple of this many values: the widest vector's lanes
/// (16 `f32`s with AVX-512), so that every vector load of a row is inside it.
pub(crate) const PAD: usize = 16;
/// Rows whose sums are carried together: independent chains, to cover the latency of a
/// multiply-add.
const ROWS: usize = 4;
/// Hidden units whose sums `a2ᵀ δ3` carries together, in registers.
const UNITS: usize = 8;

/// `Θ2ᵀ` (`[h + 1, K]`, row-major) with its rows padded to [`PAD`]: `[h + 1, K']`.
pub(crate) fn pad_rows<T: Real>(padded: &mut [T], theta2_t: &[T], k: usize) {
    let kp = k.next_multiple_of(PAD);
    for (row, values) in padded.chunks_exact_mut(kp).zip(theta2_t.chunks_exact(k)) {
        row[..k].copy_from_slice(values);
    }
}

/// `Θ2[:, 1:]` (`[K, h]`, the transpose of `Θ2ᵀ`'s rows `1..`) with its rows padded to
/// [`PAD`]: `[K, h']`.
pub(crate) fn pad_columns<T: Real>(padded: &mut [T], theta2_t: &[T], h: usize, k: usize) {
    let hp = h.next_multiple_of(PAD);
    for (j, row) in padded.chunks_exact_mut(hp).enumerate().take(k) {
        for (u, value) in row[..h].iter_mut().enumerate() {
            *value = theta2_t[(1 + u) * k + j];
        }
    }
}

/// `z3[i, :] = Θ2ᵀ[0, :] + Σ_u a2[i, u] Θ2ᵀ[1 + u, :]`, by vectors of output units.
///
/// # Safety
/// The CPU runs `V`'s instruction set.
///
/// # Shapes
/// - `z3`: `[rows, K]`; `a2`: `[rows, stride]` (`stride ≥ h`, the units first);
///   `rows_padded`: [`pad_rows`]' `[h + 1, K']`.
#[inline(always)]
pub(crate) unsafe fn forward<T: Real, V: Vector<T>>(
    z3: &mut [T],
    a2: &[T],
    stride: usize,
    rows_padded: &[T],
    h: usize,
    k: usize,
) {
    let (kp, rows) = (k.next_multiple_of(PAD), z3.len() / k);
    assert!(stride >= h && a2.len() == rows * stride && z3.len() == rows * k && rows_padded.len() >= (h + 1) * kp);
    let (a2, z3, weights) = (a2.as_ptr(), z3.as_mut_ptr(), rows_padded.as_ptr());
    // SAFETY (all pointer arithmetic and vector calls): the caller guarantees the instruction
    // set; by the asserts, row i < rows of a2 and z3, and lanes v·W.. of a weights row (at most
    // kp ≤ PAD-padded) are in bounds; stores write the first `lanes` ≤ k − v·W of a z3 row.
    unsafe {
        for v in 0..k.div_ceil(V::WIDTH) {
            let (offset, lanes) = (v * V::WIDTH, V::WIDTH.min(k - v * V::WIDTH));
            let bias = V::load_ptr(weights.add(offset));
            let (weights, mut i) = (weights.add(kp + offset), 0);
            while i + ROWS <= rows {
                let sums = row_sums::<T, V, ROWS>(a2.add(i * stride), (h, stride), weights, kp, bias);
                for (r, sum) in sums.iter().enumerate() {
                    sum.store_first(z3.add((i + r) * k + offset), lanes);
                }
                i += ROWS;
            }
            for i in i..rows {
                let sum = row_sums::<T, V, 1>(a2.add(i * stride), (h, stride), weights, kp, bias)[0];
                sum.store_first(z3.add(i * k + offset), lanes);
            }
        }
    }
}

/// `δ2[i, u] = (Σ_j δ3[i, j] Θ2[j, 1 + u]) g'(z2[i, u])`, by vectors of hidden units:
/// `δ2 = (δ3 Θ2[:, 1:]) .* g'(z2)`, with `g'(z2)` from `a2 = g(z2)` ([`Hidden`]; the
/// sigmoid's `σ'(z2) = a2 (1 − a2)`).
///
/// # Safety
/// The CPU runs `V`'s instruction set.
///
/// # Shapes
/// - `delta2`, `a2`: `[rows, stride]` (`stride ≥ h`, the units first; the other values are
///   not written); `delta3`: `[rows, K]`; `columns_padded`: [`pad_columns`]' `[K, h']`.
#[inline(always)]
pub(crate) unsafe fn backward<T: Real, V: Vector<T>, A: Hidden>(
    delta2: &mut [T],
    a2: &[T],
    stride: usize,
    delta3: &[T],
    columns_padded: &[T],
    h: usize,
    k: usize,
) {
    let (hp, rows) = (h.next_multiple_of(PAD), delta3.len() / k);
    assert!(delta3.len() == rows * k && columns_padded.len() >= k * hp);
    assert!(stride >= h && delta2.len() == rows * stride && a2.len() == rows * stride);
    let (delta3, weights) = (delta3.as_ptr(), columns_padded.as_ptr());
    let (delta2, a2) = (delta2.as_mut_ptr(), a2.as_ptr());
    // SAFETY: as in forward, with the roles of h and k swapped.
    unsafe {
        for v in 0..h.div_ceil(V::WIDTH) {
            let (offset, lanes) = (v * V::WIDTH, V::WIDTH.min(h - v * V::WIDTH));
            let (weights, zero, mut i) = (weights.add(offset), V::splat(T::ZERO), 0);
            let store = |sum: V, at: usize| {
                let a = V::load_first(a2.add(at), lanes);
                A::times_gradient_vector(sum, a).store_first(delta2.add(at), lanes);
            };
            while i + ROWS <= rows {
                let sums = row_sums::<T, V, ROWS>(delta3.add(i * k), (k, k), weights, hp, zero);
                for (r, &sum) in sums.iter().enumerate() {
                    store(sum, (i + r) * stride + offset);
                }
                i += ROWS;
            }
            for i in i..rows {
                store(row_sums::<T, V, 1>(delta3.add(i * k), (k, k), weights, hp, zero)[0], i * stride + offset);
            }
        }
    }
}

/// `grad[1 + u, :] += Σ_i a2[i, u] δ3[i, :]`, by vectors of output units, [`UNITS`] hidden
/// units at a time: `a2ᵀ δ3` added to the rows `1..` of `m ∇Θ2ᵀ` (row-major `[h + 1, K]`).
///
/// # Safety
/// The CPU runs `V`'s instruction set.
///
/// # Shapes
/// - `grad`: `[h + 1, K]`; `a2`: `[rows, stride]` (`stride ≥ h`, the units first); `delta3`:
///   `[rows, K]`.
#[inline(always)]
pub(crate) unsafe fn gradient<T: Real, V: Vector<T>>(
    grad: &mut [T],
    a2: &[T],
    stride: usize,
    delta3: &[T],
    h: usize,
    k: usize,
) {
    let rows = delta3.len() / k;
    assert!(stride >= h && a2.len() == rows * stride && delta3.len() == rows * k && grad.len() == (h + 1) * k);
    let (a2, delta3, grad) = (a2.as_ptr(), delta3.as_ptr(), grad.as_mut_ptr());
    // SAFETY: as in forward; loads and stores touch the first `lanes` ≤ k − v·W values of a
    // row of δ3 or grad.
    unsafe {
        for v in 0..k.div_ceil(V::WIDTH) {
            let (offset, lanes) = (v * V::WIDTH, V::WIDTH.min(k - v * V::WIDTH));
            let mut u = 0;
            while u + UNITS <= h {
                let sums = unit_sums::<T, V, UNITS>(a2.add(u), stride, delta3.add(offset), k, rows, lanes);
                for (unit, sum) in sums.iter().enumerate() {
                    let at = grad.add((1 + u + unit) * k + offset);
                    V::load_first(at, lanes).add(*sum).store_first(at, lanes);
                }
                u += UNITS;
            }
            for u in u..h {
                let sum = unit_sums::<T, V, 1>(a2.add(u), stride, delta3.add(offset), k, rows, lanes)[0];
                let at = grad.add((1 + u) * k + offset);
                V::load_first(at, lanes).add(sum).store_first(at, lanes);
            }
        }
    }
}

/// `start + Σ_t x[r, t] w[t]` for `R` rows `r` of `x` (`n` values each, `x_stride` apart) and
/// rows `w[t]` (`n` of them, `stride` apart), one vector each.
///
/// # Safety
/// The CPU runs `V`'s instruction set; the values read are inside `x` and `w`.
#[inline(always)]
unsafe fn row_sums<T: Real, V: Vector<T>, const R: usize>(
    x: *const T,
    (n, x_stride): (usize, usize),
    w: *const T,
    stride: usize,
    start: V,
) -> [V; R] {
    let mut sums = [start; R];
    // SAFETY: as the caller guarantees.
    unsafe {
        for t in 0..n {
            let w = V::load_ptr(w.add(t * stride));
            for (r, sum) in sums.iter_mut().enumerate() {
                *sum = sum.madd(V::splat(*x.add(r * x_stride + t)), w);
            }
        }
    }
    sums
}

/// `Σ_i a[i, u] d[i]` for `U` columns `u` of `a` (from `a`, rows `a_stride` apart) and the first
/// `lanes` values of `rows` rows `d[i]` (`k` apart), one vector each.
///
/// # Safety
/// The CPU runs `V`'s instruction set; the values read are inside `a` and `d`.
#[inline(always)]
unsafe fn unit_sums<T: Real, V: Vector<T>, const U: usize>(
    a: *const T,
    a_stride: usize,
    d: *const T,
    k: usize,
    rows: usize,
    lanes: usize,
) -> [V; U] {
    // SAFETY: as the caller guarantees.
    unsafe {
        let mut sums = [V::splat(T::ZERO); U];
        for i in 0..rows {
            let d = V::load_first(d.add(i * k), lanes);
            for (u, sum) in sums.iter_mut().enumerate() {
                *sum = sum.madd(V::splat(*a.add(i * a_stride + u)), d);
            }
        }
        sums
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::activations::{Relu, Sigmoid, Tanh};
    use crate::isa::Scalar;

    /// Values in [−1, 1) from a linear congruential sequence.
    fn values<T: Real>(len: usize, seed: u64) -> Vec<T> {
        let mut state = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (0..len)
            .map(|_| {
                state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                T::from_f64((state >> 11) as f64 / (1u64 << 52) as f64 - 1.0)
            })
            .collect()
    }

    /// The three products on vectors `V` against plain loops in f64, on shapes around the
    /// vector widths, [`ROWS`] and [`UNITS`], with rows of `a2` and `δ2` longer than `h` or
    /// not: every row, unit and lane, and nothing written past them.
    fn check<T: Real, V: Vector<T>>(tolerance: f64) {
        for rows in [1, 3, 4, 5, 9] {
            for h in [1, 7, 8, 9, 25] {
                for (k, stride) in [(1, h), (3, h + 3), (8, h), (10, h + 7), (16, h), (17, h + 1)] {
                    let theta2_t = values::<T>((h + 1) * k, (rows * 100 + h * 10 + k) as u64);
                    let a2 = values::<T>(rows * stride, 7 + rows as u64);
                    let delta3 = values::<T>(rows * k, 11 + h as u64);
                    let f = |v: T| v.to_f64();
                    let mut padded_rows = vec![T::ZERO; (h + 1) * k.next_multiple_of(PAD)];
                    let mut padded_columns = vec![T::ZERO; k * h.next_multiple_of(PAD)];
                    pad_rows(&mut padded_rows, &theta2_t, k);
                    pad_columns(&mut padded_columns, &theta2_t, h, k);
                    // One value past each output, which must stay untouched.
                    let sentinel = T::from_f64(1234.5);
                    let mut z3 = vec![sentinel; rows * k + 1];
                    let mut delta2 = vec![sentinel; rows * stride + 1];
                    let (mut delta_tanh, mut delta_relu) = (delta2.clone(), delta2.clone());
                    // Half the activations at or below zero, for the ReLU's.
                    let relu_a2: Vec<T> = a2.iter().map(|&v| if v > T::ZERO { v } else { T::ZERO }).collect();
                    let mut grad = values::<T>((h + 1) * k + 1, 3);
                    let grad_before = grad.clone();
                    // SAFETY: the caller checked that the CPU runs V's instruction set.
                    unsafe {
                        forward::<T, V>(&mut z3[..rows * k], &a2, stride, &padded_rows, h, k);
                        backward::<T, V, Sigmoid>(
                            &mut delta2[..rows * stride],
                            &a2,
                            stride,
                            &delta3,
                            &padded_columns,
                            h,
                            k,
                        );
                        let delta = &mut delta_tanh[..rows * stride];
                        backward::<T, V, Tanh>(delta, &a2, stride, &delta3, &padded_columns, h, k);
                        let delta = &mut delta_relu[..rows * stride];
                        backward::<T, V, Relu>(delta, &relu_a2, stride, &delta3, &padded_columns, h, k);
                        gradient::<T, V>(&mut grad[..(h + 1) * k], &a2, stride, &delta3, h, k);
                    }
                    let close = |got: T, want: f64, what: &str| {
                        let error = (f(got) - want).abs() / want.abs().max(1.0);
                        assert!(error <= tolerance, "{what}: {} vs {want} (rows {rows}, h {h}, k {k})", f(got));
                    };
                    for i in 0..rows {
                        for j in 0..k {
                            let want = f(theta2_t[j])
                                + (0..h).map(|u| f(a2[i * stride + u]) * f(theta2_t[(1 + u) * k + j])).sum::<f64>();
                            close(z3[i * k + j], want, "z3");
                        }
                        for u in 0..h {
                            let a = f(a2[i * stride + u]);
                            let back = (0..k).map(|j| f(delta3[i * k + j]) * f(theta2_t[(1 + u) * k + j])).sum::<f64>();
                            close(delta2[i * stride + u], back * a * (1.0 - a), "δ2");
                            close(delta_tanh[i * stride + u], back * (1.0 - a * a), "δ2 (tanh)");
                            let relu = if f(relu_a2[i * stride + u]) > 0.0 { back } else { 0.0 };
                            close(delta_relu[i * stride + u], relu, "δ2 (relu)");
                        }
                        for delta in [&delta2, &delta_tanh, &delta_relu] {
                            let padding = &delta[i * stride + h..(i + 1) * stride];
                            assert!(padding.iter().all(|&v| v == sentinel), "δ2's padding written");
                        }
                    }
                    for j in 0..k {
                        close(grad[j], f(grad_before[j]), "bias row");
                        for u in 0..h {
                            let sum = (0..rows).map(|i| f(a2[i * stride + u]) * f(delta3[i * k + j])).sum::<f64>();
                            close(grad[(1 + u) * k + j], f(grad_before[(1 + u) * k + j]) + sum, "a2ᵀ δ3");
                        }
                    }
                    assert!(z3[rows * k] == sentinel && delta2[rows * stride] == sentinel, "written past the end");
                    assert!(grad[(h + 1) * k] == grad_before[(h + 1) * k], "written past the end");
                }
            }
        }
    }

    #[test]
    fn the_products_match_plain_loops_in_every_instruction_set() {
        check::<f64, Scalar<f64, false>>(1e-14);
        check::<f32, Scalar<f32, false>>(1e-5);
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::is_x86_feature_detected as has;
            use std::arch::x86_64::*;
            if has!("avx2") && has!("fma") {
                check::<f64, __m256d>(1e-14);
                check::<f32, __m256>(1e-5);
            }
            if has!("avx512f") {
                check::<f64, __m512d>(1e-14);
                check::<f32, __m512>(1e-5);
            }
        }
    }
}
