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
//! - [`general`]: the path every network takes, through these mechanisms, with
//!   [`activations`] (the sigmoid, `tanh` from a branch-free `expm1`, the ReLU) and [`softmax`]
//!   (a max-subtracted log-sum-exp with a branch-free `ln`).
//!
//! One path. Every network, the exercise's among them, takes the [`general`] path: each block
//! of rows goes through the whole network, forward and back, before the next, and the scratch
//! buffers are kept between calls, so an evaluation allocates only its result. One switch
//! remains for the exercise's kind (one hidden sigmoid layer, sigmoid outputs:
//! [`Architecture::is_exercise_kind`], whatever its sizes): its first layer keeps whole chunks
//! of vectors in the sparse layout (see [`general`]), as the path once written for it alone
//! did, so that the exercise's figures stay the same bits.
//!
//! Shapes for the exercise's network (`m` examples, `n₁ = input + 1`, `h` hidden, `K` labels),
//! all row-major (those of any depth are in [`general`]):
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
pub use real::Real;
use sparse::NonZeros;

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
    /// Whether the first hidden layer keeps whole chunks of [`LANES`](sparse::LANES) units in the sparse
    /// layout: for networks of the exercise's kind ([`Architecture::is_exercise_kind`]), so
    /// that the exercise's figures stay the same bits (see [`general`]).
    whole_chunks: bool,
    /// Scratch spaces not in use. An evaluation takes one (or makes one) and puts it back, so
    /// the lock is never held while it computes: calls at the same time, from several threads,
    /// each get their own.
    scratch: Mutex<Vec<general::Scratch<T>>>,
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

/// `sums = (sums + Σ shares) / m`, the shares added in order, element by element (each share
/// holds at least `sums.len()` values). Always inlined, so that it is compiled for each
/// [`Isa`] with the rest of an evaluation (on its own it was compiled for the baseline
/// instruction set).
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

/// `dst = lhs · rhs`, or `dst += lhs · rhs` when `accumulate`, for row-major `dst` `[m, n]`
/// with rows `dst_rs` apart; `lhs` `[m, k]` and `rhs` `[k, n]` are given by their (row stride,
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
            T::ONE,
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
            whole_chunks: architecture.is_exercise_kind(),
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
            whole_chunks: self.whole_chunks,
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
        match self.isa {
            Isa::Baseline => self.evaluate_general(params),
            #[cfg(target_arch = "x86_64")]
            // SAFETY: `isa` is only set to an instruction set the CPU runs (`Isa::available`).
            Isa::Avx2 => unsafe { self.evaluate_general_avx2(params) },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: as above.
            Isa::Avx512 => unsafe { self.evaluate_general_avx512(params) },
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

    /// A scratch space not in use, or a new one.
    fn take_scratch(&self) -> general::Scratch<T> {
        self.scratch.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).pop().unwrap_or_default()
    }

    fn put_back_scratch(&self, scratch: general::Scratch<T>) {
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    impl<T: Real> FusedNnCost<'_, T> {
        /// The same objective with the first layer's stride of other networks (no whole chunks).
        fn without_whole_chunks(mut self) -> Self {
            self.whole_chunks = false;
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
    fn whole_chunks_agree_with_the_other_networks_stride_on_the_exercises_kind() {
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
                let general = exercise.with_lambda(0.5).without_whole_chunks().cost_and_gradient(&params);
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
