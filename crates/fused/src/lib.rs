//! The cost and gradient of the exercise's network (`manual::NnCost`, the backpropagation as
//! the exercise writes it), and of a network of any depth with sigmoid, tanh or ReLU hidden
//! layers and a sigmoid or softmax output, computed fast on the CPU, for training:
//! [`FusedNnCost`], on plain slices in `f32` or `f64`, the same function of the same unrolled
//! parameters, checked against `manual` to 1e-12 by the workspace's tests and against a plain
//! scalar reference at depths 1-4 by this crate's (`tests/reference.rs`). This crate owns how
//! the work is laid out and run: the examples in blocks and groups over threads, the products
//! with `X` over its nonzeros or by `gemm`, the element-wise steps fused into vector loops,
//! the loops compiled per instruction set. It must not know burn, tensors, the model,
//! optimizers or files; it reads a `data::Matrix`, labels and a `data::Architecture` and
//! returns numbers.
//!
//! Its mechanisms, each a module that says what it buys, measured on `ex4data1.mat`:
//! - [`kernels`] and [`thin`]: the element-wise steps fused into one pass each, with `exp` and
//!   `ln_1p` written branch-free ([`real`]) so that they vectorize, and the thin products with
//!   the weights after the first (`Θ2` in the exercise) written on vectors instead of `gemm`;
//! - [`sparse`]: the products with `X` over its nonzeros, in pairs of rows and of columns
//!   ([`Layout::Sparse`], chosen when `X` is sparse enough; [`Layout::Dense`] is `gemm`);
//! - [`groups`]: blocks of rows in fixed groups, taken by the calling thread and a pool's;
//! - [`isa`]: the loops compiled for AVX-512, AVX2 and the baseline, chosen at run time;
//! - [`general`]: every network that is not the exercise's kind, through the same mechanisms,
//!   with [`activations`] (`tanh` from a branch-free `expm1`, the ReLU) and [`softmax`] (a
//!   max-subtracted log-sum-exp with a branch-free `ln`).
//!
//! Two paths. The exercise's kind (one hidden sigmoid layer, sigmoid outputs:
//! [`Architecture::is_exercise_kind`], whatever its sizes) keeps the path written for it here
//! ([`FusedNnCost::block`]; the general path, forced onto it, agrees to 1e-14); every other
//! network takes the [`general`] path. Both send each block of rows
//! through the whole network, forward and back, before the next (see [`FusedNnCost::group`]),
//! and keep their scratch buffers between calls, so an evaluation allocates only its result.
//!
//! Shapes of the exercise's path (`m` examples, `n₁ = input + 1`, `h` hidden, `K` labels), all
//! row-major (the general path's are in [`general`]):
//!
//! ```text
//! X       [m, n]      the examples (X₁ = [1 X] is never built)
//! Θ1ᵀ     [n₁, h]     the first part of the unrolled vector
//! Θ2ᵀ     [h+1, K]    the second part
//! z2      [m, h]      = X Θ1ᵀ[1:, :] + Θ1ᵀ[0, :]                 sparse or gemm, by block
//! a2      [m, h]      = σ(z2)  (the bias column of a2₁ = [1 a2] is implicit)
//! z3      [m, K]      = a2 Θ2ᵀ[1:, :] + Θ2ᵀ[0, :]                thin, by block
//! J                   = (1/m) Σ softplus(z3) − y z3 + λ/(2m) Σ Θ²  fused
//! δ3      [m, K]      = σ(z3) − y   (written over z3)            fused, same pass
//! δ2      [m, h]      = (δ3 Θ2[:, 1:]) .* a2(1 − a2)             thin, fused
//! ∇Θ1ᵀ    [n₁, h]     = (1/m) [Σ δ2; Xᵀ δ2] + (λ/m) [0; Θ1ᵀ[1:, :]]  sparse or gemm, by block
//! ∇Θ2ᵀ    [h+1, K]    = (1/m) [Σ δ3; a2ᵀ δ3] + (λ/m) [0; Θ2ᵀ[1:, :]]  thin
//! ```
//! `∇Θ1ᵀ` then `∇Θ2ᵀ`, row-major, is the unrolled gradient. The steps marked `thin` are
//! `gemm` on [`Isa::Baseline`]; `z2` and `δ2` have rows padded to whole vectors in the sparse
//! layout only.

mod activations;
mod general;
mod groups;
mod isa;
mod kernels;
mod real;
mod softmax;
mod sparse;
mod thin;

use std::borrow::Cow;
use std::sync::{Arc, Mutex};

use data::{Architecture, LayerSizes, Matrix};
use gemm::Parallelism;

use groups::blocks;
pub use groups::{ThreadBudget, with_thread_budget};
pub use isa::Isa;
use isa::{Aligned, Scalar, Vector};
pub use real::Real;
use sparse::{LANES, NonZeros, packed_rows};

/// Rows per block of the products with `X` (and in f64's sparse layout, see
/// [`Float::SPARSE_BLOCK_ROWS`](real::Float::SPARSE_BLOCK_ROWS)). A block's rows of `δ2`,
/// padded, take 24 KiB in f64 and stay in the first-level cache while the gradient reads them
/// column by column. Measured against 64 (the same in f64, 3% slower in f32) and 160 (13% slower
/// in f64) here.
const BLOCK_ROWS: usize = 96;
const _: () = {
    use real::Float;
    let sparse = [f32::SPARSE_BLOCK_ROWS, f64::SPARSE_BLOCK_ROWS];
    assert!(
        sparse[0].is_multiple_of(2) && sparse[0] <= 256 && sparse[1].is_multiple_of(2) && sparse[1] <= 256,
        "the sparse layout pairs a block's rows and indexes them by a byte"
    );
};

/// Rows per block for `T` in `layout`.
fn block_rows<T: Real>(layout: Layout) -> usize {
    match layout {
        Layout::Sparse => T::SPARSE_BLOCK_ROWS,
        Layout::Dense => BLOCK_ROWS,
    }
}

/// How the products with `X` are done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Dense matrix products (`gemm`) on all of `X`.
    Dense,
    /// Only the nonzero entries of `X`, indexed once: the digits' background pixels are exactly
    /// zero (52% of `ex4data1.mat`), and a zero pixel adds nothing to `z2` nor to `∇Θ1`.
    Sparse,
}

impl Layout {
    /// [`Layout::Sparse`] is chosen when at most this share of `X` is nonzero. On
    /// `ex4data1.mat` (47.5% nonzero) a whole sparse evaluation takes about 0.55 of a dense
    /// one's time (`just bench` prints both); denser, its pairs carry more zeros but also
    /// share more reads, and it breaks even somewhere above this (a margin for data whose
    /// nonzeros pair less well).
    pub const SPARSE_BELOW_DENSITY: f64 = 0.7;
}

/// One group's scratch space, reused by every evaluation.
#[derive(Default)]
struct GroupScratch<T> {
    /// `z2`, then `δ2` over it, and `a2`: `[rows, stride]` for the rows of a block (see
    /// [`FusedNnCost::group`]), the stride `h` in the dense layout and `h` rounded up to chunks
    /// of [`LANES`] in the sparse one, where the products with `X` load and store a row's chunk
    /// as whole vectors in place (its padding lanes hold zeros in `z2` and `δ2`, and `σ(0)` in
    /// `a2`, which nothing reads).
    z2: Aligned<T>,
    a2: Vec<T>,
    z3: Vec<T>,
    e: Vec<T>,
    softplus: Vec<T>,
    /// This group's share of `m ∇Θ1ᵀ` and `m ∇Θ2ᵀ` (without regularization); `m ∇Θ1ᵀ` laid
    /// out as [`Weights::theta1`].
    grad1: Aligned<T>,
    grad2_t: Vec<T>,
    cross_entropy: f64,
}

/// Scratch space, reused by every evaluation.
#[derive(Default)]
struct Scratch<T> {
    theta1: Aligned<T>,
    theta2_t: Vec<T>,
    /// `Θ2ᵀ` and `Θ2[:, 1:]` with padded rows ([`theta2`]).
    theta2_rows: Aligned<T>,
    theta2_columns: Aligned<T>,
    groups: Vec<GroupScratch<T>>,
    /// The general path's (networks not of the exercise's kind).
    general: general::Scratch<T>,
}

/// The parameters of one evaluation, as every group reads them.
struct Weights<'s, T> {
    /// `Θ1ᵀ` as is (dense layout), or in chunks of [`LANES`] hidden units (sparse layout).
    theta1: &'s [T],
    /// `Θ2ᵀ` (`[h + 1, K]`, row-major), as is and, for the vector kernels, with its rows padded,
    /// and `Θ2[:, 1:]` (`[K, h]`) with its rows padded ([`thin::pad_rows`],
    /// [`thin::pad_columns`]).
    theta2_t: &'s [T],
    theta2_rows: &'s [T],
    theta2_columns: &'s [T],
}

/// How `X` is held, for its [`Layout`].
enum Examples<'a, T: Real> {
    /// `[m, input]`, row-major: borrowed in f64, a converted copy in f32. The bias column of
    /// `X₁` is never stored: the bias row of `Θ1ᵀ` is added to `z2`, and its gradient is the
    /// column sums of `δ2`.
    Dense(Cow<'a, [T]>),
    /// Its nonzeros only.
    Sparse(Box<NonZeros<T>>),
}

/// `nnCostFunction` on plain slices: cost and unrolled gradient of a network (an
/// [`Architecture`]: any depth, hidden sigmoid, tanh or ReLU, sigmoid or softmax output) on
/// fixed examples, in `T` (`f32` or `f64`), on the CPU. The [`Layout`] and [`Isa`] are chosen
/// at construction, and can be set for comparison.
pub struct FusedNnCost<'a, T: Real> {
    /// Shared by the objectives made with [`with_lambda`](Self::with_lambda).
    problem: Arc<Problem<'a, T>>,
    lambda: f64,
    isa: Isa,
    /// Whether the network is the exercise's kind, which has a path of its own (see
    /// [`general`] for the others).
    exercise_path: bool,
    /// Scratch spaces not in use. An evaluation takes one (or makes one) and puts it back, so
    /// the lock is never held while it computes: calls at the same time, from several threads,
    /// each get their own.
    scratch: Mutex<Vec<Scratch<T>>>,
}

/// What does not depend on `λ`: the examples and how they are split.
struct Problem<'a, T: Real> {
    examples: Examples<'a, T>,
    /// The blocks of rows, in order, and which of them make each group.
    blocks: Vec<std::ops::Range<usize>>,
    groups: Vec<std::ops::Range<usize>>,
    /// Output unit of each example's label (`label − 1`).
    units: Vec<usize>,
    architecture: Architecture,
}

/// The exercise's kind's sizes: `(input, hidden, labels)`.
fn exercise_sizes(sizes: &LayerSizes) -> (usize, usize, usize) {
    (sizes.input(), sizes.hidden()[0], sizes.labels())
}

/// `sums = (sums + Σ shares) / m`, the shares added in order, element by element (each share
/// holds at least `sums.len()` values). Always inlined, so that it is compiled for each
/// [`Isa`] with the rest of [`FusedNnCost::evaluate`] (on its own it was compiled for the
/// baseline instruction set).
#[inline(always)]
fn mean_of_shares<'s, T: Real>(sums: &mut [f64], shares: impl Iterator<Item = &'s [T]>, m: f64) {
    for share in shares {
        for (sum, &value) in sums.iter_mut().zip(share) {
            *sum += value.to_f64();
        }
    }
    for sum in sums.iter_mut() {
        *sum /= m;
    }
}

/// Entries of `x` that are not zero.
fn nonzero_count(x: &Matrix) -> usize {
    x.as_slice().iter().filter(|&&v| v != 0.0).count()
}

/// `dst = alpha · dst + beta · lhs · rhs` for row-major `dst` `[m, n]` with rows `dst_rs`
/// apart (`alpha` is 0 or 1); `lhs` `[m, k]` and `rhs` `[k, n]` are given by their (row stride,
/// column stride), so a transposed operand costs nothing. Single-threaded: the parallelism is
/// over groups of rows.
#[allow(clippy::too_many_arguments)]
fn product<T: Real>(
    (dst, dst_rs): (&mut [T], usize),
    (m, n, k): (usize, usize, usize),
    lhs: &[T],
    (lhs_rs, lhs_cs): (usize, usize),
    rhs: &[T],
    (rhs_rs, rhs_cs): (usize, usize),
    accumulate: bool,
    beta: T,
) {
    assert!(dst_rs >= n && (m == 0 || n == 0 || (m - 1) * dst_rs + n <= dst.len()));
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
            dst_rs as isize,
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
    /// The objective of a network `architecture` on examples `x` (`m x input`) with labels
    /// `1..=labels`, with the sparse layout when `X` is sparse enough
    /// ([`Layout::SPARSE_BELOW_DENSITY`]) and the widest instruction set of this CPU.
    ///
    /// # Shapes
    /// - `x`: `[m, input]`; `labels`: `m` values in `1..=labels`.
    ///
    /// # Panics
    /// When `x` has other than `input` columns, or `labels` other than `x.rows()` entries, or
    /// when there are no examples.
    pub fn new(x: &'a Matrix, labels: &[usize], architecture: &Architecture, lambda: f64) -> Self {
        let count = nonzero_count(x);
        let layout = if count as f64 <= Layout::SPARSE_BELOW_DENSITY * x.as_slice().len() as f64 {
            Layout::Sparse
        } else {
            Layout::Dense
        };
        Self::try_with_layout(x, labels, architecture, lambda, layout)
            .unwrap_or_else(|| Self::try_with_layout(x, labels, architecture, lambda, Layout::Dense).expect("dense"))
    }

    /// The same objective with `layout` for the products with `X` (for comparisons: the
    /// results agree to rounding).
    ///
    /// # Panics
    /// As [`new`](Self::new), and when `layout` is sparse and `X` cannot be indexed that way:
    /// more than 65,536 columns, or, in f64, more than 32,767 entries in one block's row pairs
    /// (a block is 96 rows: about 680 columns all nonzero; [`new`](Self::new) then takes the
    /// dense layout).
    pub fn with_layout(
        x: &'a Matrix,
        labels: &[usize],
        architecture: &Architecture,
        lambda: f64,
        layout: Layout,
    ) -> Self {
        Self::try_with_layout(x, labels, architecture, lambda, layout)
            .expect("X cannot be indexed in the sparse layout (see FusedNnCost::with_layout)")
    }

    fn try_with_layout(
        x: &'a Matrix,
        labels: &[usize],
        architecture: &Architecture,
        lambda: f64,
        layout: Layout,
    ) -> Option<Self> {
        let sizes = &architecture.sizes;
        assert_eq!(x.cols(), sizes.input(), "X has {} columns for a {sizes} network", x.cols());
        assert_eq!(labels.len(), x.rows(), "{} labels for {} examples", labels.len(), x.rows());
        assert!(x.rows() > 0, "a {sizes} network on no examples: the cost needs at least one");
        let (blocks, groups) = blocks(x.rows(), block_rows::<T>(layout));
        let examples = match layout {
            Layout::Dense => Examples::Dense(match T::borrow_f64(x.as_slice()) {
                Some(values) => Cow::Borrowed(values),
                None => Cow::Owned(x.as_slice().iter().map(|&v| T::from_f64(v)).collect()),
            }),
            Layout::Sparse => Examples::Sparse(Box::new(NonZeros::of(x.as_slice(), sizes.input(), &blocks)?)),
        };
        let units = labels.iter().map(|&l| data::conventions::output_unit(l)).collect();
        Some(Self {
            problem: Arc::new(Problem { examples, blocks, groups, units, architecture: architecture.clone() }),
            lambda,
            isa: Isa::detect(),
            exercise_path: architecture.is_exercise_kind(),
            scratch: Mutex::default(),
        })
    }

    /// The same examples at another `lambda`, without indexing them again: the two share `X`'s
    /// index, and each has its own scratch space, so they can run at the same time.
    pub fn with_lambda(&self, lambda: f64) -> Self {
        Self {
            problem: Arc::clone(&self.problem),
            lambda,
            isa: self.isa,
            exercise_path: self.exercise_path,
            scratch: Mutex::default(),
        }
    }

    /// The same objective with its loops compiled for `isa`.
    ///
    /// # Panics
    /// When this CPU does not run `isa` (see [`Isa::available`]).
    pub fn with_isa(mut self, isa: Isa) -> Self {
        assert!(Isa::available().contains(&isa), "this CPU does not run {isa:?}");
        self.isa = isa;
        self
    }

    /// How the products with `X` are done.
    pub fn layout(&self) -> Layout {
        match self.problem.examples {
            Examples::Dense(_) => Layout::Dense,
            Examples::Sparse(_) => Layout::Sparse,
        }
    }

    /// Multiply-adds of one evaluation's two products with `X` (`X₁ Θ1ᵀ` and `X₁ᵀ δ2`, the bias
    /// terms aside) as this layout does them: `2 m n h` in the dense one; in the sparse one,
    /// those of the nonzeros and of the zeros paired with one.
    pub fn multiply_adds_with_x(&self) -> usize {
        let h = self.problem.architecture.sizes.hidden()[0];
        match &self.problem.examples {
            Examples::Dense(_) => 2 * self.num_examples() * self.problem.architecture.sizes.input() * h,
            Examples::Sparse(nonzeros) => nonzeros.multiply_adds_per_unit() * h,
        }
    }

    /// Multiply-adds of one whole evaluation as this layout does them: those with `X`
    /// ([`multiply_adds_with_x`](Self::multiply_adds_with_x)), the first layer's bias terms
    /// (`2 m s₂`: added to `z2`, summed into `∇Θ1`), and for each later `Θ_l`
    /// (`s_{l+1} x (s_l + 1)`) the forward product and the gradient's with their bias terms,
    /// `2 m (s_l + 1) s_{l+1}`, and the backward one, `m s_{l+1} s_l`. Element-wise steps are
    /// not counted. For the exercise on `ex4data1.mat`, 4.15 M more than those with `X`.
    pub fn multiply_adds(&self) -> usize {
        let (m, layers) = (self.num_examples(), self.problem.architecture.sizes.layers());
        let later: usize = layers[1..].windows(2).map(|w| 2 * m * (w[0] + 1) * w[1] + m * w[1] * w[0]).sum();
        self.multiply_adds_with_x() + 2 * m * layers[1] + later
    }

    /// The instruction set the loops run with.
    pub fn isa(&self) -> Isa {
        self.isa
    }

    /// The network: its layer sizes, hidden activation and output.
    pub fn architecture(&self) -> &Architecture {
        &self.problem.architecture
    }

    /// Layer sizes.
    pub fn sizes(&self) -> &LayerSizes {
        &self.problem.architecture.sizes
    }

    /// Number of examples `m`.
    pub fn num_examples(&self) -> usize {
        self.problem.units.len()
    }

    /// The cost and its gradient at `params` (unrolled as `manual::unroll` lays it out:
    /// `[Theta1(:); ...; ThetaL(:)]`, each column-major); the gradient is unrolled the same way.
    /// Computed in `T`, returned in `f64`. The sigmoid output's cost is the exercise's,
    /// `(1/m) Σ_i Σ_k −y log h − (1 − y) log(1 − h)`; the softmax's the cross-entropy of the true
    /// label, `(1/m) Σ_i −log softmax(z_i)[y_i]`; both plus `λ/(2m) Σ_l Σ Θ_l[:, 1:]²`.
    ///
    /// # Shapes
    /// - `params` and the gradient: [`LayerSizes::num_params`] values, `Θ_l` (`s_{l+1} x
    ///   (s_l + 1)`) from [`LayerSizes::offsets`]`[l - 1]`.
    ///
    /// # Panics
    /// When `params` has other than [`LayerSizes::num_params`] values.
    pub fn cost_and_gradient(&self, params: &[f64]) -> (f64, Vec<f64>) {
        if !self.exercise_path {
            return match self.isa {
                Isa::Baseline => self.evaluate_general(params),
                #[cfg(target_arch = "x86_64")]
                // SAFETY: `isa` is only set to an instruction set the CPU runs (`Isa::available`).
                Isa::Avx2 => unsafe { self.evaluate_general_avx2(params) },
                #[cfg(target_arch = "x86_64")]
                // SAFETY: as above.
                Isa::Avx512 => unsafe { self.evaluate_general_avx512(params) },
                #[cfg(not(target_arch = "x86_64"))]
                _ => unreachable!("only x86-64 has instruction sets beyond the baseline"),
            };
        }
        match self.isa {
            Isa::Baseline => self.evaluate(params),
            #[cfg(target_arch = "x86_64")]
            // SAFETY: `isa` is only set to an instruction set the CPU runs (`Isa::available`).
            Isa::Avx2 => unsafe { self.evaluate_avx2(params) },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: as above.
            Isa::Avx512 => unsafe { self.evaluate_avx512(params) },
            #[cfg(not(target_arch = "x86_64"))]
            _ => unreachable!("only x86-64 has instruction sets beyond the baseline"),
        }
    }

    /// [`evaluate_general`](Self::evaluate_general) with AVX2.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    fn evaluate_general_avx2(&self, params: &[f64]) -> (f64, Vec<f64>) {
        self.evaluate_general(params)
    }

    /// [`evaluate_general`](Self::evaluate_general) with AVX-512.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx512dq,avx512vl,avx2,fma")]
    fn evaluate_general_avx512(&self, params: &[f64]) -> (f64, Vec<f64>) {
        self.evaluate_general(params)
    }

    /// [`evaluate`](Self::evaluate) with AVX2 (its loops over the parameters vectorize wider).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    fn evaluate_avx2(&self, params: &[f64]) -> (f64, Vec<f64>) {
        self.evaluate(params)
    }

    /// [`evaluate`](Self::evaluate) with AVX-512.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx512dq,avx512vl,avx2,fma")]
    fn evaluate_avx512(&self, params: &[f64]) -> (f64, Vec<f64>) {
        self.evaluate(params)
    }

    /// [`cost_and_gradient`](Self::cost_and_gradient): the parameters converted and laid out,
    /// the groups in parallel ([`group_dispatch`](Self::group_dispatch)), then their shares
    /// summed, scaled and regularized.
    #[inline(always)]
    fn evaluate(&self, params: &[f64]) -> (f64, Vec<f64>) {
        let sizes = &self.problem.architecture.sizes;
        let (input, h, k) = exercise_sizes(sizes);
        assert_eq!(params.len(), sizes.num_params(), "{} parameters for a {sizes} network", params.len());
        let (m, n1) = (self.num_examples(), input + 1);
        let split = h * n1;
        let mut scratch = self.take_scratch();
        let Scratch { theta1, theta2_t, theta2_rows, theta2_columns, groups, .. } = &mut scratch;
        let sparse = matches!(self.problem.examples, Examples::Sparse(_));
        if sparse {
            // Chunk c holds hidden units c·LANES.., row r of Θ1ᵀ in LANES slots; the padding
            // lanes are never written, so they stay the zeros the buffer was made with.
            let theta1 = theta1.resize(h.div_ceil(LANES) * n1 * LANES);
            for (units, at) in packed_rows(n1, h) {
                for (packed, &value) in theta1[at..].iter_mut().zip(&params[units]) {
                    *packed = T::from_f64(value);
                }
            }
        } else {
            for (theta, &value) in theta1.resize(split).iter_mut().zip(&params[..split]) {
                *theta = T::from_f64(value);
            }
        }
        theta2_t.clear();
        theta2_t.extend(params[split..].iter().map(|&v| T::from_f64(v)));
        // The padding lanes are never written: they stay zeros.
        thin::pad_rows(theta2_rows.resize((h + 1) * k.next_multiple_of(thin::PAD)), theta2_t, k);
        thin::pad_columns(theta2_columns.resize(k * h.next_multiple_of(thin::PAD)), theta2_t, h, k);
        groups.resize_with(self.problem.groups.len(), GroupScratch::default);

        let weights = Weights {
            theta1: theta1.as_slice(),
            theta2_t,
            theta2_rows: theta2_rows.as_slice(),
            theta2_columns: theta2_columns.as_slice(),
        };
        self.run_groups(groups, &|g, s| self.group_dispatch(g, &weights, s));

        // Sum the groups in order, then scale and regularize (not the bias rows, row 0 of each Θᵀ).
        let mf = m as f64;
        let cross_entropy = groups.iter().map(|g| g.cross_entropy).sum::<f64>() / mf;
        let scale = self.lambda / mf;
        let mut gradient = vec![0.0f64; params.len()];
        let (first, second) = gradient.split_at_mut(split);
        // The groups' shares added in order, then divided by m, a row of `Θ1ᵀ` at a time, so
        // that each share is read once. In the packed layout, a row's LANES sums (the padding
        // lanes' are zeros) are held in vector registers from the first group to the last.
        if sparse {
            for (units, at) in packed_rows(n1, h) {
                // Not `mean_of_shares`: on a slice, even of a fixed-size array, the sums were
                // loaded and stored for each group; on the array itself they stay in registers.
                let mut sums = [0.0f64; LANES];
                for group in groups.iter() {
                    for (sum, &value) in sums.iter_mut().zip(&group.grad1.as_slice()[at..at + LANES]) {
                        *sum += value.to_f64();
                    }
                }
                for (gradient, sum) in first[units].iter_mut().zip(sums) {
                    *gradient = sum / mf;
                }
            }
        } else {
            for (row, at) in first.chunks_exact_mut(h).zip((0..split).step_by(h)) {
                mean_of_shares(row, groups.iter().map(|g| &g.grad1.as_slice()[at..]), mf);
            }
        }
        mean_of_shares(second, groups.iter().map(|g| &g.grad2_t[..]), mf);
        // Eight running sums of squares, in a fixed order (sum j takes elements j, j + 8, …),
        // whole chunks of eight, so that the loop vectorizes.
        let mut squares = [0.0f64; 8];
        for (start, end, width) in [(0, split, h), (split, params.len(), k)] {
            let weights = start + width..end;
            for (sum, &theta) in gradient[weights.clone()].iter_mut().zip(&params[weights.clone()]) {
                *sum += scale * theta;
            }
            let chunks = params[weights].chunks_exact(8);
            let rest = chunks.remainder();
            for chunk in chunks {
                for (square, &theta) in squares.iter_mut().zip(chunk) {
                    *square += theta * theta;
                }
            }
            for (square, &theta) in squares.iter_mut().zip(rest) {
                *square += theta * theta;
            }
        }
        let squares = squares.iter().sum::<f64>();
        self.put_back_scratch(scratch);
        (cross_entropy + self.lambda / (2.0 * mf) * squares, gradient)
    }

    /// A scratch space not in use, or a new one.
    fn take_scratch(&self) -> Scratch<T> {
        self.scratch.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).pop().unwrap_or_default()
    }

    fn put_back_scratch(&self, scratch: Scratch<T>) {
        self.scratch.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push(scratch);
    }

    /// `work(g, groups[g])` for every group, on this thread and on as many threads of the
    /// [pool](groups) besides it as [`with_thread_budget`] allows, or else as rayon's current
    /// pool has. Each thread takes the next group not yet taken, so this thread starts at once
    /// and a thread that starts late takes fewer. Which thread runs a group does not change its
    /// sums.
    fn run_groups<S: Send>(&self, groups: &mut [S], work: &(dyn Fn(usize, &mut S) + Sync)) {
        let helpers = groups::threads().min(groups.len()).saturating_sub(1);
        let queue = Mutex::new(groups.iter_mut().enumerate());
        groups::run(helpers, &|| {
            loop {
                let next = queue.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).next();
                let Some((g, scratch)) = next else { break };
                work(g, scratch);
            }
        });
    }

    /// [`group`](Self::group) compiled for the chosen instruction set.
    fn group_dispatch(&self, g: usize, weights: &Weights<T>, s: &mut GroupScratch<T>) {
        match self.isa {
            Isa::Baseline => self.group::<Scalar<T, false>, false>(g, weights, s),
            #[cfg(target_arch = "x86_64")]
            // SAFETY: `isa` is only set to an instruction set the CPU runs (`Isa::available`).
            Isa::Avx2 => unsafe { self.group_avx2(g, weights, s) },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: as above.
            Isa::Avx512 => unsafe { self.group_avx512(g, weights, s) },
            #[cfg(not(target_arch = "x86_64"))]
            _ => unreachable!("only x86-64 has instruction sets beyond the baseline"),
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    fn group_avx2(&self, g: usize, weights: &Weights<T>, s: &mut GroupScratch<T>) {
        self.group::<T::Avx2, true>(g, weights, s)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx512dq,avx512vl,avx2,fma")]
    fn group_avx512(&self, g: usize, weights: &Weights<T>, s: &mut GroupScratch<T>) {
        self.group::<T::Avx512, true>(g, weights, s)
    }

    /// Forward and backward pass over the examples of group `g` into `s`: the group's summed
    /// cross-entropy and its shares of `m ∇Θ1ᵀ` and `m ∇Θ2ᵀ`, block by block.
    ///
    /// Each block goes through the whole network, forward and back, before the next begins. The
    /// gradient's product then finds what the forward one read (`X` itself in the dense layout,
    /// the row pairs' values in the sparse one in f64) still in the second-level cache, where a
    /// whole group's would not fit, and the block's `z2`, `a2` and `δ2` stay in the first-level
    /// cache between the steps. Alternated here against a group at a time: f64 8-16% faster,
    /// dense f32 3-5%, sparse f32 1-3%.
    #[inline(always)]
    fn group<V: Vector<T>, const FMA: bool>(&self, g: usize, weights: &Weights<T>, s: &mut GroupScratch<T>) {
        let (_, h, k) = exercise_sizes(&self.problem.architecture.sizes);
        s.grad1.zeroed(weights.theta1.len());
        s.grad2_t.clear();
        s.grad2_t.resize((h + 1) * k, T::ZERO);
        s.cross_entropy = 0.0;
        for number in self.problem.groups[g].clone() {
            self.block::<V, FMA>(number, weights, s);
        }
    }

    /// Forward and backward pass over block `number`, added to `s`: the products with `X` on
    /// vectors `V` in the sparse layout (`gemm` in the dense one), the products with `Θ2` on
    /// vectors `V`.
    #[inline(always)]
    fn block<V: Vector<T>, const FMA: bool>(&self, number: usize, weights: &Weights<T>, s: &mut GroupScratch<T>) {
        let (input, h, k) = exercise_sizes(&self.problem.architecture.sizes);
        let Weights { theta1, theta2_t, theta2_rows, theta2_columns } = *weights;
        let block = self.problem.blocks[number].clone();
        let rows = block.len();
        let sparse = matches!(self.problem.examples, Examples::Sparse(_));
        let stride = if sparse { h.next_multiple_of(LANES) } else { h };
        s.z2.resize(rows * stride);
        s.a2.resize(rows * stride, T::ZERO);
        s.z3.resize(rows * k, T::ZERO);
        s.e.resize(rows * k, T::ZERO);
        s.softplus.resize(rows * k, T::ZERO);

        // z2 = X₁ Θ1ᵀ = X Θ1ᵀ[1:, :] + Θ1ᵀ[0, :].
        match &self.problem.examples {
            Examples::Sparse(nonzeros) => {
                // SAFETY: the caller runs with `V`'s instruction set.
                unsafe { sparse::forward::<T, V>(s.z2.as_mut_slice(), stride, nonzeros, number, theta1, stride) }
            }
            Examples::Dense(x) => {
                let (z2, x) = (s.z2.as_mut_slice(), &x[block.start * input..block.end * input]);
                let (bias1, weights1) = theta1.split_at(h);
                product((z2, h), (rows, h, input), x, (input, 1), weights1, (h, 1), false, T::ONE);
                kernels::add_bias(z2, bias1);
            }
        }
        // a2 = σ(z2) (its bias column is implicit); z3 = a2₁ Θ2ᵀ = a2 Θ2ᵀ[1:, :] + Θ2ᵀ[0, :];
        // the cross-entropy, and δ3 = σ(z3) − y over z3.
        kernels::activate::<T, FMA>(&mut s.a2, s.z2.as_slice());
        let (z2, a2, z3) = (s.z2.as_mut_slice(), &s.a2[..], &mut s.z3[..]);
        // The products with Θ2 are written on vectors; without them (the baseline), gemm's own
        // kernels are faster (43% in f32 here).
        let vectors = V::WIDTH > 1;
        let (bias2, weights2) = theta2_t.split_at(k);
        if vectors {
            // SAFETY (the three theta2 calls): the caller runs with `V`'s instruction set.
            unsafe { thin::forward::<T, V>(z3, a2, stride, theta2_rows, h, k) };
        } else {
            product((z3, k), (rows, k, h), a2, (stride, 1), weights2, (k, 1), false, T::ONE);
            kernels::add_bias(z3, bias2);
        }
        s.cross_entropy +=
            kernels::output_layer::<T, FMA>(z3, &self.problem.units[block.clone()], &mut s.e, &mut s.softplus);
        // δ2 = (δ3 Θ2[:, 1:]) .* a2(1 − a2), over z2; Θ2[:, 1:] is Θ2ᵀ's rows 1.., transposed.
        if vectors {
            unsafe { thin::backward::<T, V, activations::Sigmoid>(z2, a2, stride, z3, theta2_columns, h, k) };
        } else {
            product((z2, stride), (rows, h, k), z3, (k, 1), weights2, (1, k), false, T::ONE);
            // Over whole rows: the padding lanes are 0 · σ'(0).
            kernels::times_sigmoid_gradient(z2, a2);
        }
        // m ∇Θ2ᵀ += a2₁ᵀ δ3: the bias row is the column sums of δ3.
        let (bias_grad, weights_grad) = s.grad2_t.split_at_mut(k);
        kernels::add_column_sums(bias_grad, z3);
        if vectors {
            unsafe { thin::gradient::<T, V>(&mut s.grad2_t, a2, stride, z3, h, k) };
        } else {
            product((weights_grad, k), (h, k, rows), a2, (1, stride), z3, (k, 1), true, T::ONE);
        }

        // m ∇Θ1ᵀ += X₁ᵀ δ2; the bias row is the column sums of δ2.
        let delta = s.z2.as_slice();
        match &self.problem.examples {
            Examples::Sparse(nonzeros) => {
                // SAFETY: as above.
                unsafe { sparse::gradient::<T, V>(s.grad1.as_mut_slice(), delta, stride, nonzeros, number, stride) }
            }
            Examples::Dense(x) => {
                let x = &x[block.start * input..block.end * input];
                let (bias_grad, weights_grad) = s.grad1.as_mut_slice().split_at_mut(h);
                kernels::add_column_sums(bias_grad, delta);
                product((weights_grad, h), (input, h, rows), x, (1, input), delta, (h, 1), true, T::ONE);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    impl<T: Real> FusedNnCost<'_, T> {
        /// The same objective on the general path, whatever its network.
        fn on_the_general_path(mut self) -> Self {
            self.exercise_path = false;
            self
        }
    }

    #[test]
    fn multiply_adds_count_every_product_of_an_evaluation() {
        let architecture = Architecture::sigmoid(LayerSizes::with_hidden(7, &[5, 4], 3));
        let x = Matrix::from_row_major(10, 7, (0..70).map(|i| (i % 3) as f64).collect());
        let labels: Vec<usize> = (0..10).map(|i| 1 + i % 3).collect();
        let dense = FusedNnCost::<f64>::with_layout(&x, &labels, &architecture, 0.0, Layout::Dense);
        // Forward and gradient products with their bias terms, 2 m (s_l + 1) s_{l+1}, and the
        // backward products of Θ2 and Θ3, m s_{l+1} s_l.
        assert_eq!(dense.multiply_adds_with_x(), 2 * 10 * 7 * 5);
        assert_eq!(dense.multiply_adds(), 2 * 10 * 8 * 5 + 2 * 10 * 6 * 4 + 10 * 4 * 5 + 2 * 10 * 5 * 3 + 10 * 3 * 4);
        // The sparse layout counts its own products with X, the rest alike.
        let sparse = FusedNnCost::<f64>::with_layout(&x, &labels, &architecture, 0.0, Layout::Sparse);
        let rest = dense.multiply_adds() - dense.multiply_adds_with_x();
        assert_eq!(sparse.multiply_adds(), sparse.multiply_adds_with_x() + rest);
    }

    #[test]
    fn the_general_path_agrees_with_the_exercises_on_its_kind() {
        let architecture = Architecture::sigmoid(LayerSizes::new(29, 37, 5));
        let m = 250;
        let x = Matrix::from_row_major(m, 29, (0..m * 29).map(|i| ((i * 37) % 11) as f64 / 10.0 - 0.3).collect());
        let labels: Vec<usize> = (0..m).map(|i| 1 + (i * 7) % 5).collect();
        let params: Vec<f64> =
            (0..architecture.sizes.num_params()).map(|i| ((i * 13) % 17) as f64 / 20.0 - 0.4).collect();
        for layout in [Layout::Sparse, Layout::Dense] {
            for isa in Isa::available() {
                let exercise = FusedNnCost::<f64>::with_layout(&x, &labels, &architecture, 0.5, layout).with_isa(isa);
                let (cost, gradient) = exercise.cost_and_gradient(&params);
                let general = exercise.with_lambda(0.5).on_the_general_path().cost_and_gradient(&params);
                let largest = gradient.iter().fold(0.0f64, |m, g| m.max(g.abs()));
                assert!((general.0 - cost).abs() <= 1e-14 * cost, "{layout:?} {isa:?}");
                let error = general.1.iter().zip(&gradient).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
                assert!(error <= 1e-14 * largest, "{layout:?} {isa:?}: {error:e}");
            }
        }
    }

    #[test]
    fn a_deep_network_gives_the_same_bits_on_any_number_of_threads() {
        let architecture =
            Architecture::new(LayerSizes::with_hidden(7, &[40, 9], 3), data::Activation::Tanh, data::Output::Softmax);
        let m = 700;
        let x = Matrix::from_row_major(m, 7, (0..m * 7).map(|i| ((i * 37) % 11) as f64 / 10.0 - 0.3).collect());
        let labels: Vec<usize> = (0..m).map(|i| 1 + i % 3).collect();
        let params: Vec<f64> =
            (0..architecture.sizes.num_params()).map(|i| ((i * 13) % 7) as f64 / 20.0 - 0.15).collect();
        for layout in [Layout::Sparse, Layout::Dense] {
            let cost = FusedNnCost::<f64>::with_layout(&x, &labels, &architecture, 1.0, layout);
            let alone = with_thread_budget(Arc::new(|| 1), || cost.cost_and_gradient(&params));
            for threads in [2, 8] {
                let result = with_thread_budget(Arc::new(move || threads), || cost.cost_and_gradient(&params));
                assert!(result == alone, "{layout:?}, {threads} threads");
            }
        }
    }

    #[test]
    fn a_thread_budget_is_asked_at_each_evaluation_and_put_back_after() {
        let architecture = Architecture::sigmoid(LayerSizes::new(7, 5, 3));
        let (m, sizes) = (300, &architecture.sizes);
        let x = Matrix::from_row_major(m, 7, (0..m * 7).map(|i| ((i * 37) % 11) as f64 / 10.0 - 0.3).collect());
        let labels: Vec<usize> = (0..m).map(|i| 1 + i % 3).collect();
        let params: Vec<f64> = (0..sizes.num_params()).map(|i| ((i * 13) % 7) as f64 / 20.0 - 0.15).collect();
        let cost = FusedNnCost::<f64>::new(&x, &labels, &architecture, 1.0);
        let alone = cost.cost_and_gradient(&params);
        let asked = Arc::new(AtomicUsize::new(0));
        let budget = |threads: usize| -> ThreadBudget {
            let asked = Arc::clone(&asked);
            Arc::new(move || {
                asked.fetch_add(1, Ordering::SeqCst);
                threads
            })
        };
        // Any number of threads gives the same bits; the budget is asked once per evaluation.
        for threads in [1, 2, 8] {
            let results = with_thread_budget(budget(threads), || [0; 3].map(|_| cost.cost_and_gradient(&params)));
            assert!(results.iter().all(|result| *result == alone), "{threads} threads");
        }
        assert_eq!(asked.load(Ordering::SeqCst), 9);
        // Put back when `f` returns, and when it panics.
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            with_thread_budget(budget(1), || panic!("inside the budget"))
        }));
        assert!(panicked.is_err());
        assert_eq!(cost.cost_and_gradient(&params), alone);
        assert_eq!(asked.load(Ordering::SeqCst), 9, "no budget is left set");
    }
}
