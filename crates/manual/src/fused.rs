//! The same backpropagation as [`NnCost`](crate::NnCost), written out on plain slices for
//! speed. The examples are cut into blocks of rows; each block goes through the whole forward
//! and backward pass while its rows of `X₁` are in cache (`X₁` is read from memory once per
//! evaluation, not twice), with the matrix products by `gemm` (the kernel burn's `flex` backend
//! uses) on layouts that need no transposed copy and each element-wise step fused into one
//! loop. Groups of blocks run in parallel over the cores. Generic over `f32` and `f64`;
//! scratch buffers are kept between calls, so an evaluation allocates only its result.
//!
//! Shapes (`m` examples, `n₁ = input + 1`, `h` hidden, `K` labels), all row-major:
//!
//! ```text
//! X       [m, n]      the examples, read in place (X₁ = [1 X] is never built)
//! Θ1ᵀ     [n₁, h]     the first part of the unrolled vector, read as is
//! Θ2ᵀ     [h+1, K]    the second part
//! z2      [m, h]      = X Θ1ᵀ[1:, :] + Θ1ᵀ[0, :]                 gemm + fused
//! a2      [m, h+1]    = [1  σ(z2)]                               fused
//! z3      [m, K]      = a2 Θ2ᵀ                                   gemm
//! J                   = (1/m) Σ softplus(z3) − y z3 + λ/(2m) Σ Θ²  fused
//! δ3      [m, K]      = σ(z3) − y   (written over z3)            fused, same pass
//! δ2      [m, h]      = (δ3 Θ2[:, 1:]) .* a2(1 − a2)             gemm + fused
//! ∇Θ1ᵀ    [n₁, h]     = (1/m) [Σ δ2; Xᵀ δ2] + (λ/m) [0; Θ1ᵀ[1:, :]]  gemm (Xᵀ as strides)
//! ∇Θ2ᵀ    [h+1, K]    = (1/m) a2ᵀ δ3 + (λ/m) [0; Θ2ᵀ[1:, :]]     gemm
//! ```
//! `∇Θ1ᵀ` then `∇Θ2ᵀ`, row-major, is the unrolled gradient.

use std::borrow::Cow;
use std::sync::Mutex;

use data::{LayerSizes, Matrix};
use gemm::Parallelism;
use rayon::prelude::*;

/// The floating-point types the fused path runs in.
pub trait Real:
    Copy
    + Default
    + Send
    + Sync
    + PartialOrd
    + 'static
    + std::ops::Add<Output = Self>
    + std::ops::Sub<Output = Self>
    + std::ops::Mul<Output = Self>
    + std::ops::Div<Output = Self>
{
    const ZERO: Self;
    const ONE: Self;
    fn from_f64(value: f64) -> Self;
    fn to_f64(self) -> f64;
    fn exp(self) -> Self;
    fn ln_1p(self) -> Self;
    fn abs(self) -> Self;
    /// `values` as `&[Self]` when `Self` is `f64`, so that `f64` data is used in place.
    fn borrow_f64(values: &[f64]) -> Option<&[Self]>;
}

macro_rules! real {
    ($t:ty, $borrow:expr) => {
        impl Real for $t {
            const ZERO: Self = 0.0;
            const ONE: Self = 1.0;
            fn from_f64(value: f64) -> Self {
                value as $t
            }
            fn to_f64(self) -> f64 {
                self as f64
            }
            fn exp(self) -> Self {
                <$t>::exp(self)
            }
            fn ln_1p(self) -> Self {
                <$t>::ln_1p(self)
            }
            fn abs(self) -> Self {
                <$t>::abs(self)
            }
            fn borrow_f64(values: &[f64]) -> Option<&[Self]> {
                $borrow(values)
            }
        }
    };
}
real!(f32, |_: &[f64]| None);
real!(f64, Some);

/// The examples are split into this many groups, each processed by one task in blocks of
/// [`BLOCK_ROWS`] rows. Fixed (not the number of cores), so that sums are taken in the same
/// order on every machine and run: the same parameters give the same bits.
const GROUPS: usize = 8;
/// Rows per block: a block of `X₁` (`128 x 401` doubles, 400 KB) stays in cache between the
/// forward product and the gradient product that reads it again.
const BLOCK_ROWS: usize = 128;

/// One group's scratch space, reused by every evaluation.
#[derive(Default)]
struct GroupScratch<T> {
    z2: Vec<T>,
    a2: Vec<T>,
    z3: Vec<T>,
    /// This group's share of `m ∇Θ1ᵀ` and `m ∇Θ2ᵀ` (without regularization).
    grad1_t: Vec<T>,
    grad2_t: Vec<T>,
    cross_entropy: f64,
}

/// Scratch space, reused by every evaluation.
#[derive(Default)]
struct Scratch<T> {
    theta1_t: Vec<T>,
    theta2_t: Vec<T>,
    groups: Vec<GroupScratch<T>>,
}

/// `nnCostFunction` on plain slices: cost and unrolled gradient of a network of `sizes` on
/// fixed examples, in `T` (`f32` or `f64`), on the CPU. In `f64` it reads the examples where
/// they are (no copy of `X`); in `f32` it keeps a converted copy.
pub struct FusedNnCost<'a, T: Real> {
    /// `[m, input]`, row-major. The bias column of `X₁` is never stored: the bias row of `Θ1ᵀ`
    /// is added to `z2`, and its gradient is the column sums of `δ2`.
    x: Cow<'a, [T]>,
    /// Output unit of each example's label (`label − 1`).
    units: Vec<usize>,
    sizes: LayerSizes,
    lambda: f64,
    scratch: Mutex<Scratch<T>>,
}

/// `dst = alpha · dst + beta · lhs · rhs` for row-major `dst` `[m, n]` (`alpha` is 0 or 1);
/// `lhs` `[m, k]` and `rhs` `[k, n]` are given by their (row stride, column stride), so a
/// transposed operand costs nothing. Single-threaded: the parallelism is over blocks of rows.
#[allow(clippy::too_many_arguments)]
fn product<T: Real>(
    dst: &mut [T],
    (m, n, k): (usize, usize, usize),
    lhs: &[T],
    (lhs_rs, lhs_cs): (usize, usize),
    rhs: &[T],
    (rhs_rs, rhs_cs): (usize, usize),
    accumulate: bool,
    beta: T,
) {
    assert!(dst.len() >= m * n);
    assert!(m == 0 || k == 0 || (m - 1) * lhs_rs + (k - 1) * lhs_cs < lhs.len());
    assert!(k == 0 || n == 0 || (k - 1) * rhs_rs + (n - 1) * rhs_cs < rhs.len());
    // SAFETY: the asserts above keep every index gemm reads or writes inside the slices.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            dst.as_mut_ptr(),
            1,
            n as isize,
            accumulate,
            lhs.as_ptr(),
            lhs_cs as isize,
            lhs_rs as isize,
            rhs.as_ptr(),
            rhs_cs as isize,
            rhs_rs as isize,
            if accumulate { T::ONE } else { T::ZERO },
            beta,
            false,
            false,
            false,
            Parallelism::None,
        );
    }
}

impl<'a, T: Real> FusedNnCost<'a, T> {
    /// The objective on examples `x` (`m x input`) with labels `1..=sizes.labels`.
    ///
    /// # Panics
    /// When `x` has other than `sizes.input` columns, or `labels` other than `x.rows()` entries.
    pub fn new(x: &'a Matrix, labels: &[usize], sizes: LayerSizes, lambda: f64) -> Self {
        assert_eq!(x.cols(), sizes.input, "X has {} columns for a {sizes} network", x.cols());
        assert_eq!(labels.len(), x.rows(), "{} labels for {} examples", labels.len(), x.rows());
        let x = match T::borrow_f64(x.as_slice()) {
            Some(values) => Cow::Borrowed(values),
            None => Cow::Owned(x.as_slice().iter().map(|&v| T::from_f64(v)).collect()),
        };
        Self { x, units: labels.iter().map(|&l| l - 1).collect(), sizes, lambda, scratch: Mutex::default() }
    }

    /// Layer sizes.
    pub fn sizes(&self) -> LayerSizes {
        self.sizes
    }

    /// Number of examples `m`.
    pub fn num_examples(&self) -> usize {
        self.units.len()
    }

    /// The cost and its gradient at `params` (unrolled, see [`crate::unroll`]); the gradient is
    /// unrolled the same way. Computed in `T`, returned in `f64`.
    pub fn cost_and_gradient(&self, params: &[f64]) -> (f64, Vec<f64>) {
        let LayerSizes { input, hidden: h, labels: k } = self.sizes;
        assert_eq!(params.len(), self.sizes.num_params(), "{} parameters for a {} network", params.len(), self.sizes);
        let (m, n1) = (self.num_examples(), input + 1);
        let split = h * n1;
        let mut guard = self.scratch.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let Scratch { theta1_t, theta2_t, groups } = &mut *guard;
        theta1_t.clear();
        theta1_t.extend(params[..split].iter().map(|&v| T::from_f64(v)));
        theta2_t.clear();
        theta2_t.extend(params[split..].iter().map(|&v| T::from_f64(v)));
        groups.resize_with(GROUPS, GroupScratch::default);

        let rows_per_group = m.div_ceil(GROUPS);
        groups.par_iter_mut().enumerate().for_each(|(g, scratch)| {
            let rows = (g * rows_per_group).min(m)..((g + 1) * rows_per_group).min(m);
            self.group(rows, theta1_t, theta2_t, scratch);
        });

        // Sum the groups in order, then scale and regularize (not the bias rows, row 0 of each Θᵀ).
        let mf = m as f64;
        let cross_entropy = groups.iter().map(|g| g.cross_entropy).sum::<f64>() / mf;
        let scale = self.lambda / mf;
        let mut squares = 0.0f64;
        let mut gradient = Vec::with_capacity(params.len());
        let parts = [(0, &params[..split], h), (1, &params[split..], k)];
        for (layer, part, width) in parts {
            for (index, &theta) in part.iter().enumerate() {
                let sum: f64 =
                    groups.iter().map(|g| if layer == 0 { g.grad1_t[index] } else { g.grad2_t[index] }.to_f64()).sum();
                if index < width {
                    gradient.push(sum / mf);
                } else {
                    squares += theta * theta;
                    gradient.push(sum / mf + scale * theta);
                }
            }
        }
        (cross_entropy + self.lambda / (2.0 * mf) * squares, gradient)
    }

    /// Forward and backward pass over examples `rows`, block by block, into `s`: the group's
    /// summed cross-entropy and its shares of `m ∇Θ1ᵀ` and `m ∇Θ2ᵀ`.
    fn group(&self, rows: std::ops::Range<usize>, theta1_t: &[T], theta2_t: &[T], s: &mut GroupScratch<T>) {
        let LayerSizes { input, hidden: h, labels: k } = self.sizes;
        let (n1, h1) = (input + 1, h + 1);
        s.z2.resize(BLOCK_ROWS * h, T::ZERO);
        s.a2.resize(BLOCK_ROWS * h1, T::ZERO);
        s.z3.resize(BLOCK_ROWS * k, T::ZERO);
        s.grad1_t.clear();
        s.grad1_t.resize(n1 * h, T::ZERO);
        s.grad2_t.clear();
        s.grad2_t.resize(h1 * k, T::ZERO);
        s.cross_entropy = 0.0;
        let mut start = rows.start;
        while start < rows.end {
            let b = BLOCK_ROWS.min(rows.end - start);
            let x = &self.x[start * input..(start + b) * input];
            let (z2, a2, z3) = (&mut s.z2[..b * h], &mut s.a2[..b * h1], &mut s.z3[..b * k]);
            // z2 = X₁ Θ1ᵀ = X Θ1ᵀ[1:, :] + Θ1ᵀ[0, :]; a2 = [1 σ(z2)]
            let (bias1, weights1) = theta1_t.split_at(h);
            product(z2, (b, h, input), x, (input, 1), weights1, (h, 1), false, T::ONE);
            for (a_row, z_row) in a2.chunks_mut(h1).zip(z2.chunks_mut(h)) {
                a_row[0] = T::ONE;
                for ((a, z), &bias) in a_row[1..].iter_mut().zip(z_row).zip(bias1) {
                    *z = *z + bias;
                    *a = sigmoid(*z);
                }
            }
            // z3 = a2 Θ2ᵀ; the cross-entropy, and δ3 = σ(z3) − y over z3.
            product(z3, (b, k, h1), a2, (h1, 1), theta2_t, (k, 1), false, T::ONE);
            for (row, z_row) in z3.chunks_mut(k).enumerate() {
                let unit = self.units[start + row];
                for (j, z) in z_row.iter_mut().enumerate() {
                    let (loss, delta) = loss_and_delta(*z, j == unit);
                    s.cross_entropy += loss;
                    *z = delta;
                }
            }
            // δ2 = (δ3 Θ2[:, 1:]) .* a2(1 − a2), over z2; Θ2[:, 1:] is Θ2ᵀ's rows 1.., transposed.
            product(z2, (b, h, k), z3, (k, 1), &theta2_t[k..], (1, k), false, T::ONE);
            let (bias_grad, weights_grad) = s.grad1_t.split_at_mut(h);
            for (d_row, a_row) in z2.chunks_mut(h).zip(a2.chunks(h1)) {
                for ((d, &a), g) in d_row.iter_mut().zip(&a_row[1..]).zip(bias_grad.iter_mut()) {
                    *d = *d * (a * (T::ONE - a));
                    // The bias row of m ∇Θ1ᵀ: the column sums of δ2.
                    *g = *g + *d;
                }
            }
            // m ∇Θ1ᵀ[1:, :] += Xᵀ δ2, m ∇Θ2ᵀ += a2ᵀ δ3 (the transposes are strides; X is still
            // cached).
            product(weights_grad, (input, h, b), x, (1, input), z2, (h, 1), true, T::ONE);
            product(&mut s.grad2_t, (h1, k, b), a2, (1, h1), z3, (k, 1), true, T::ONE);
            start += b;
        }
    }
}

/// `σ(z) = 1 / (1 + e^−z)`, without overflow for any `z`.
#[inline]
fn sigmoid<T: Real>(z: T) -> T {
    let e = (T::ZERO - z.abs()).exp();
    if z >= T::ZERO { T::ONE / (T::ONE + e) } else { e / (T::ONE + e) }
}

/// For one output: the cross-entropy `−y log σ(z) − (1 − y) log σ(−z) = softplus(z) − y z`
/// (in f64) and `δ3 = σ(z) − y`, computed as `−σ(−z)` when `y = 1` so that it stays exact
/// when `σ(z)` is close to 1. One `exp` and one `ln_1p` serve both.
#[inline]
fn loss_and_delta<T: Real>(z: T, y: bool) -> (f64, T) {
    let e = (T::ZERO - z.abs()).exp();
    let positive = z >= T::ZERO;
    let softplus = if positive { z } else { T::ZERO } + e.ln_1p();
    let loss = if y { softplus - z } else { softplus };
    let delta = match (y, positive) {
        (false, true) => T::ONE / (T::ONE + e),
        (false, false) => e / (T::ONE + e),
        (true, true) => T::ZERO - e / (T::ONE + e),
        (true, false) => T::ZERO - T::ONE / (T::ONE + e),
    };
    (loss.to_f64(), delta)
}
