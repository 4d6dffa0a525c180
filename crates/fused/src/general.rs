//! The one path of every network: any depth, any hidden activation
//! ([`activations`](crate::activations)) and either output (the exercise's sigmoids, or the
//! [`softmax`](crate::softmax)), the exercise's among them.
//!
//! Each block of rows goes forward through every layer and back before the next block, its
//! `z`, `a` and `δ` of every layer kept in the group's scratch, reused between calls. With `s₁ = n` inputs, hidden layers `s₂ … s_L` and
//! `K` outputs, for one block (`rows` rows, all row-major):
//!
//! ```text
//! z₂        [rows, s₂]       = X Θ1ᵀ[1:, :] + Θ1ᵀ[0, :]                 sparse or gemm, as the exercise's
//! a_l       [rows, s_l]      = g(z_l)                                  activations
//! z_{l+1}   [rows, s_{l+1}]  = a_l Θ_lᵀ[1:, :] + Θ_lᵀ[0, :]            thin (vectors) or gemm
//! J, δ_out  [rows, K]        from z_out: sigmoid (kernels) or softmax  fused, one pass
//! ∇Θ_lᵀ    [s_l + 1, s_{l+1}] += [Σ δ_{l+1}; a_lᵀ δ_{l+1}]              thin or gemm
//! δ_l       [rows, s_l]      = (δ_{l+1} Θ_l[:, 1:]) .* g'(z_l), over z_l  thin (g' fused) or gemm
//! ∇Θ1ᵀ     [n + 1, s₂]      += [Σ δ₂; Xᵀ δ₂]                           sparse or gemm
//! ```
//!
//! The products after the first are written on vectors (`thin`) on AVX2 and AVX-512, and are
//! `gemm`'s on the baseline instruction set (there, gemm's own kernels are faster: 43% in f32
//! on the exercise); the groups' shares are summed in a fixed order, so the results do not
//! depend on the number of threads.
//!
//! The first hidden layer's rows are padded to whole chunks of [`LANES`] units in the sparse
//! layout, where the products with `X` load and store a row's chunk as whole vectors. For
//! networks of the exercise's kind ([`Architecture::is_exercise_kind`](data::Architecture::is_exercise_kind):
//! one hidden sigmoid layer, sigmoid outputs, whatever its sizes) that layer keeps whole
//! chunks throughout: its stride is the units rounded up to chunks, without the extra cache
//! line of [`first_stride`], the sparse products work on every lane of a chunk, and the
//! sigmoid is taken over whole rows. The partial chunks and the odd stride change the order
//! of the sums, hence the last bits; whole chunks keep the exercise's figures (the ones the
//! README and the tests quote) exactly, at the same speed. Every other network takes
//! [`first_stride`] and the units alone.
//!
//! Measured on `ex4data1.mat` (AMD EPYC, Zen 4, 2 cores shared with other work, load average
//! 1.3-1.5; six rounds, each one's numpy and JAX runs and ours taken in turn; medians): one
//! f64 evaluation of 400-100-25-10 (sigmoid) takes 6.6-7.4 ms in the sparse layout, 258 M
//! multiply-adds at 60-67% of the cores' measured peak of vector multiply-adds (117 GFLOP/s),
//! and 10.0-10.8 ms in the dense one; in f32 3.3-3.6 ms; 400-100-10 with tanh or ReLU and the
//! softmax 5.7-6.3 ms. That is 1.9-2.8x faster than the faster of numpy and JAX
//! (`jax.jit(jax.value_and_grad)`), 2.2x in the median round. Four fifths of the time are the
//! two products with `X`: at the peak, the multiply-adds done would take 4.4 ms, and those on
//! `X`'s nonzeros alone (without the zeros a pair carries nor the lanes that round 100 units
//! up to whole vectors) 4.0 ms, where three times as fast as JAX (13.2-19.0 ms) is 4.4-6.3 ms.

use data::Output;

use crate::activations::{self, with_hidden};
use crate::isa::{Aligned, Scalar, Vector};
use crate::real::Real;
use crate::sparse::{self, LANES, packed_rows};
use crate::{Examples, FusedNnCost, Isa, kernels, mean_of_shares, product, softmax, thin};

/// One `Θ_l` after the first, as an evaluation's products read it.
#[derive(Default)]
pub(crate) struct LaterTheta<T> {
    /// `Θ_lᵀ` (`[s_l + 1, s_{l+1}]`, row-major: the unrolled vector's `Θ_l(:)`), for `gemm`.
    transposed: Vec<T>,
    /// `Θ_lᵀ` with its rows padded, and `Θ_l[:, 1:]` with its rows padded, for the vector
    /// kernels ([`thin::pad_rows`], [`thin::pad_columns`]).
    rows: Aligned<T>,
    columns: Aligned<T>,
}

/// One group's scratch space, reused by every evaluation.
#[derive(Default)]
pub(crate) struct GroupScratch<T> {
    /// Per hidden layer, `[rows, stride]` for a block's rows: `z_l`, then `δ_l` over it, and
    /// `a_l`. The first hidden layer's rows are padded to whole chunks of [`LANES`] in the
    /// sparse layout (see [`first_stride`]; padding lanes 0 in `z` and `δ`).
    z: Vec<Aligned<T>>,
    a: Vec<Aligned<T>>,
    /// `z` of the output layer, then its `δ`; the output layers' scratch.
    output: Vec<T>,
    e: Vec<T>,
    softplus: Vec<T>,
    sums: Vec<T>,
    logs: Vec<T>,
    /// This group's share of each `m ∇Θ_lᵀ` (without regularization); the first laid out as
    /// the first layer's weights are (packed in the sparse layout).
    grads: Vec<Aligned<T>>,
    cross_entropy: f64,
}

/// Scratch space of an evaluation, reused by every evaluation after it.
#[derive(Default)]
pub(crate) struct Scratch<T> {
    /// `Θ1ᵀ` as is (dense layout), or in chunks of [`LANES`] hidden units (sparse layout):
    /// chunk `c` holds hidden units `c·LANES..`, each row of `Θ1ᵀ` in `LANES` slots.
    theta1: Aligned<T>,
    later: Vec<LaterTheta<T>>,
    groups: Vec<GroupScratch<T>>,
}

/// The parameters of one evaluation, as every group reads them.
pub(crate) struct Weights<'s, T> {
    theta1: &'s [T],
    later: &'s [LaterTheta<T>],
}

/// The row stride of the first hidden layer's `z`, `a` and `δ` in the sparse layout: `s₂`
/// rounded up to whole chunks of [`LANES`], and, when that is more than one chunk and an even
/// number of cache lines, one line more.
///
/// The gradient's product reads a block's `δ` one chunk at a time, a column of rows: at a
/// stride of 1 KiB (400-100-10 in f64, 128 lanes) those rows fall in a quarter of the
/// first-level cache's sets and evict each other; an odd number of lines spreads them over
/// all. Alternated in one process on `ex4data1.mat` (AMD EPYC, Zen 4), f64: 400-100-25-10
/// 6-8% faster, 400-100-10 (tanh, softmax) −1% to 2%.
fn first_stride<T>(units: usize) -> usize {
    let (padded, line) = (units.next_multiple_of(LANES), 64 / std::mem::size_of::<T>());
    if padded > LANES && (padded / line).is_multiple_of(2) { padded + line } else { padded }
}

/// `z = a₁ Θᵀ = a Θᵀ[1:, :] + Θᵀ[0, :]` for a block: `a` `[rows, stride]` (`inputs` units
/// first), `z` `[rows, outputs]`; on vectors `V` when `vectors`, else by `gemm`.
///
/// # Safety
/// The CPU runs `V`'s instruction set.
#[inline(always)]
unsafe fn forward<T: Real, V: Vector<T>>(
    z: &mut [T],
    a: &[T],
    stride: usize,
    theta: &LaterTheta<T>,
    (inputs, outputs): (usize, usize),
    vectors: bool,
) {
    if vectors {
        // SAFETY: the caller guarantees the instruction set.
        unsafe { thin::forward::<T, V>(z, a, stride, theta.rows.as_slice(), inputs, outputs) }
    } else {
        let (bias, weights) = theta.transposed.split_at(outputs);
        let rows = z.len() / outputs;
        product((z, outputs), (rows, outputs, inputs), a, (stride, 1), weights, (outputs, 1), false);
        kernels::add_bias(z, bias);
    }
}

impl<T: Real> FusedNnCost<'_, T> {
    /// [`cost_and_gradient`](Self::cost_and_gradient): the parameters converted and laid out,
    /// the groups in parallel ([`group_general`](Self::group_general)), then their shares
    /// summed, scaled and regularized.
    #[inline(always)]
    pub(crate) fn evaluate_general(&self, params: &[f64]) -> (f64, Vec<f64>) {
        let sizes = &self.problem.architecture.sizes;
        assert_eq!(params.len(), sizes.num_params(), "{} parameters for a {sizes} network", params.len());
        let (layers, offsets) = (sizes.layers(), sizes.offsets());
        let (m, n1, h) = (self.num_examples(), layers[0] + 1, layers[1]);
        let split = offsets[1];
        let mut scratch = self.take_scratch();
        let Scratch { theta1, later, groups } = &mut scratch;
        let sparse = matches!(self.problem.examples, Examples::Sparse(_));
        if sparse {
            // The padding lanes are never written, so they stay the zeros the buffer was made with.
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
        later.resize_with(layers.len() - 2, LaterTheta::default);
        for (l, theta) in later.iter_mut().enumerate() {
            let (inputs, outputs) = (layers[l + 1], layers[l + 2]);
            theta.transposed.clear();
            theta.transposed.extend(params[offsets[l + 1]..offsets[l + 2]].iter().map(|&v| T::from_f64(v)));
            // The padding lanes are never written: they stay zeros.
            let rows = theta.rows.resize((inputs + 1) * outputs.next_multiple_of(thin::PAD));
            thin::pad_rows(rows, &theta.transposed, outputs);
            let columns = theta.columns.resize(outputs * inputs.next_multiple_of(thin::PAD));
            thin::pad_columns(columns, &theta.transposed, inputs, outputs);
        }
        groups.resize_with(self.problem.groups.len(), GroupScratch::default);

        let weights = Weights { theta1: theta1.as_slice(), later };
        self.run_groups(groups, &|g, s| self.group_general_dispatch(g, &weights, s));

        // Sum the groups in order, then scale and regularize (not the bias rows, row 0 of each Θᵀ).
        let mf = m as f64;
        let cross_entropy = groups.iter().map(|g| g.cross_entropy).sum::<f64>() / mf;
        let scale = self.lambda / mf;
        let mut gradient = vec![0.0f64; params.len()];
        let first = &mut gradient[..split];
        if sparse {
            for (units, at) in packed_rows(n1, h) {
                // A row's LANES sums (the padding lanes' are zeros) in vector registers from the
                // first group to the last. Not `mean_of_shares`: on a slice, even of a
                // fixed-size array, the sums were loaded and stored for each group; on the array
                // itself they stay in registers.
                let mut sums = [0.0f64; LANES];
                for group in groups.iter() {
                    for (sum, &value) in sums.iter_mut().zip(&group.grads[0].as_slice()[at..at + LANES]) {
                        *sum += value.to_f64();
                    }
                }
                for (gradient, sum) in first[units].iter_mut().zip(sums) {
                    *gradient = sum / mf;
                }
            }
        } else {
            for (row, at) in first.chunks_exact_mut(h).zip((0..split).step_by(h)) {
                mean_of_shares(row, groups.iter().map(|g| &g.grads[0].as_slice()[at..]), mf);
            }
        }
        for (l, span) in offsets.windows(2).enumerate().skip(1) {
            mean_of_shares(&mut gradient[span[0]..span[1]], groups.iter().map(|g| g.grads[l].as_slice()), mf);
        }
        // Eight running sums of squares, in a fixed order (sum j takes elements j, j + 8, …),
        // whole chunks of eight, so that the loop vectorizes.
        let mut squares = [0.0f64; 8];
        for (l, span) in offsets.windows(2).enumerate() {
            let weights = span[0] + layers[l + 1]..span[1];
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

    /// [`group_general`](Self::group_general) compiled for the chosen instruction set.
    fn group_general_dispatch(&self, g: usize, weights: &Weights<T>, s: &mut GroupScratch<T>) {
        match self.isa {
            Isa::Baseline => self.group_general::<Scalar<T, false>, false>(g, weights, s),
            #[cfg(target_arch = "x86_64")]
            // SAFETY: `isa` is only set to an instruction set the CPU runs (`Isa::available`).
            Isa::Avx2 => unsafe { self.group_general_avx2(g, weights, s) },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: as above.
            Isa::Avx512 => unsafe { self.group_general_avx512(g, weights, s) },
            #[cfg(not(target_arch = "x86_64"))]
            _ => unreachable!("only x86-64 has instruction sets beyond the baseline"),
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    fn group_general_avx2(&self, g: usize, weights: &Weights<T>, s: &mut GroupScratch<T>) {
        self.group_general::<T::Avx2, true>(g, weights, s)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx512dq,avx512vl,avx2,fma")]
    fn group_general_avx512(&self, g: usize, weights: &Weights<T>, s: &mut GroupScratch<T>) {
        self.group_general::<T::Avx512, true>(g, weights, s)
    }

    /// Forward and backward pass over the examples of group `g` into `s`, block by block (see
    /// [`block_general`](Self::block_general)): the group's summed cost and its shares of every
    /// `m ∇Θ_lᵀ`.
    ///
    /// Each block goes through the whole network, forward and back, before the next begins. The
    /// gradient's product then finds what the forward one read (`X` itself in the dense layout,
    /// the row pairs' values in the sparse one in f64) still in the second-level cache, where a
    /// whole group's would not fit, and the block's `z`, `a` and `δ` stay in the first-level
    /// cache between the steps. Alternated on the exercise against a group at a time: f64
    /// 8-16% faster, dense f32 3-5%, sparse f32 1-3%.
    #[inline(always)]
    fn group_general<V: Vector<T>, const FMA: bool>(&self, g: usize, weights: &Weights<T>, s: &mut GroupScratch<T>) {
        let layers = self.problem.architecture.sizes.layers();
        s.grads.resize_with(layers.len() - 1, Aligned::default);
        s.grads[0].zeroed(weights.theta1.len());
        for (l, grad) in s.grads.iter_mut().enumerate().skip(1) {
            grad.zeroed((layers[l] + 1) * layers[l + 1]);
        }
        s.cross_entropy = 0.0;
        for number in self.problem.groups[g].clone() {
            self.block_general::<V, FMA>(number, weights, s);
        }
    }

    /// Forward and backward pass over block `number` through every layer, added to `s`.
    #[inline(always)]
    fn block_general<V: Vector<T>, const FMA: bool>(
        &self,
        number: usize,
        weights: &Weights<T>,
        s: &mut GroupScratch<T>,
    ) {
        let architecture = &self.problem.architecture;
        let layers = architecture.sizes.layers();
        let (input, depth, k) = (layers[0], layers.len() - 2, layers[layers.len() - 1]);
        let hidden = &layers[1..=depth];
        let block = self.problem.blocks[number].clone();
        let rows = block.len();
        let sparse = matches!(self.problem.examples, Examples::Sparse(_));
        // The exercise's kind keeps whole chunks (see the module's documentation).
        let whole = self.whole_chunks;
        let first_stride = if whole { hidden[0].next_multiple_of(LANES) } else { first_stride::<T>(hidden[0]) };
        let first_units = if whole && sparse { first_stride } else { hidden[0] };
        let stride = |j: usize| if j == 0 && sparse { first_stride } else { hidden[j] };
        s.z.resize_with(depth, Aligned::default);
        s.a.resize_with(depth, Aligned::default);
        for j in 0..depth {
            s.z[j].resize(rows * stride(j));
            s.a[j].resize(rows * stride(j));
        }
        for buffer in [&mut s.output, &mut s.e, &mut s.softplus] {
            buffer.resize(rows * k, T::ZERO);
        }
        s.sums.resize(rows, T::ZERO);
        s.logs.resize(rows, T::ZERO);
        // The products after the first on vectors; on the baseline, gemm's.
        let vectors = V::WIDTH > 1;

        // z₂ = X₁ Θ1ᵀ = X Θ1ᵀ[1:, :] + Θ1ᵀ[0, :].
        match &self.problem.examples {
            Examples::Sparse(nonzeros) => {
                // SAFETY: the caller runs with `V`'s instruction set.
                unsafe {
                    sparse::forward::<T, V>(
                        s.z[0].as_mut_slice(),
                        stride(0),
                        nonzeros,
                        number,
                        weights.theta1,
                        first_units,
                    )
                }
            }
            Examples::Dense(x) => {
                let (z, x) = (s.z[0].as_mut_slice(), &x[block.start * input..block.end * input]);
                let (bias, theta) = weights.theta1.split_at(hidden[0]);
                product((z, hidden[0]), (rows, hidden[0], input), x, (input, 1), theta, (hidden[0], 1), false);
                kernels::add_bias(z, bias);
            }
        }
        // a_l = g(z_l), and z_{l+1} = a_l₁ Θ_lᵀ, up to the output's.
        for j in 0..depth {
            let (z, a) = (s.z[j].as_slice(), s.a[j].as_mut_slice());
            if stride(j) == hidden[j] || (j == 0 && whole) {
                // Whole rows (the exercise's kind: σ(0) in the padding, never read).
                with_hidden!(architecture.activation, A => activations::activate::<A, T, FMA>(a, z));
            } else {
                // Padded rows: the units only (the padding of `a` is never read).
                for (a, z) in a.chunks_exact_mut(stride(j)).zip(z.chunks_exact(stride(j))) {
                    with_hidden!(architecture.activation, A => activations::activate::<A, T, FMA>(&mut a[..hidden[j]], &z[..hidden[j]]));
                }
            }
            let next = match s.z.get_mut(j + 1) {
                Some(z) => z.as_mut_slice(),
                None => &mut s.output[..],
            };
            let shape = (hidden[j], layers[j + 2]);
            // SAFETY: the caller runs with `V`'s instruction set.
            unsafe { forward::<T, V>(next, s.a[j].as_slice(), stride(j), &weights.later[j], shape, vectors) };
        }
        // The cost, and δ of the output layer over its z.
        let units = &self.problem.units[block.clone()];
        s.cross_entropy += match architecture.output {
            Output::Sigmoid => kernels::output_layer::<T, FMA>(&mut s.output, units, &mut s.e, &mut s.softplus),
            Output::Softmax => {
                softmax::output_layer::<T, FMA>(&mut s.output, units, &mut s.e, &mut s.sums, &mut s.logs)
            }
        };
        // Back through the layers: m ∇Θ_lᵀ += a_l₁ᵀ δ_{l+1}, then δ_l over z_l.
        for j in (0..depth).rev() {
            let (before, after) = s.z.split_at_mut(j + 1);
            let delta_next: &[T] = match after.first() {
                Some(z) => z.as_slice(),
                None => &s.output,
            };
            let (inputs, outputs) = (hidden[j], layers[j + 2]);
            let (a, theta) = (s.a[j].as_slice(), &weights.later[j]);
            let grad = s.grads[j + 1].as_mut_slice();
            let (bias_grad, weights_grad) = grad.split_at_mut(outputs);
            kernels::add_column_sums(bias_grad, delta_next);
            let delta = before[j].as_mut_slice();
            if vectors {
                // SAFETY (both): the caller runs with `V`'s instruction set.
                unsafe { thin::gradient::<T, V>(grad, a, stride(j), delta_next, inputs, outputs) };
                with_hidden!(architecture.activation, A => unsafe {
                    thin::backward::<T, V, A>(delta, a, stride(j), delta_next, theta.columns.as_slice(), inputs, outputs)
                });
            } else {
                let shape = (inputs, outputs, rows);
                product((weights_grad, outputs), shape, a, (1, stride(j)), delta_next, (outputs, 1), true);
                let weights = &theta.transposed[outputs..];
                let shape = (rows, inputs, outputs);
                product((delta, stride(j)), shape, delta_next, (outputs, 1), weights, (1, outputs), false);
                // Over whole rows: the padding lanes are 0 · g'(g(0)).
                with_hidden!(architecture.activation, A => activations::times_gradient::<A, T>(delta, a));
            }
        }
        // m ∇Θ1ᵀ += X₁ᵀ δ₂; the bias row is the column sums of δ₂.
        let delta = s.z[0].as_slice();
        match &self.problem.examples {
            Examples::Sparse(nonzeros) => {
                // SAFETY: as above.
                unsafe {
                    sparse::gradient::<T, V>(s.grads[0].as_mut_slice(), delta, stride(0), nonzeros, number, first_units)
                }
            }
            Examples::Dense(x) => {
                let x = &x[block.start * input..block.end * input];
                let (bias_grad, weights_grad) = s.grads[0].as_mut_slice().split_at_mut(hidden[0]);
                kernels::add_column_sums(bias_grad, delta);
                let shape = (input, hidden[0], rows);
                product((weights_grad, hidden[0]), shape, x, (1, input), delta, (hidden[0], 1), true);
            }
        }
    }
}
