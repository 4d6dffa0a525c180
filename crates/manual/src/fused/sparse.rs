//! The products with `X` that read its nonzero entries only: `z2 = X₁ Θ1ᵀ` and `X₁ᵀ δ2`.
//!
//! Hidden units go in chunks of [`LANES`], whose sums are held in vector registers (explicit
//! vector types: the compiler keeps plain arrays of that size in memory).
//! - The forward product goes row by row: `z2[i, :]` sums `X[i, k] Θ1ᵀ[1 + k, :]` over the row's
//!   nonzeros, by ranges of [`RANGE_COLUMNS`] columns, so that the rows of `Θ1ᵀ` a range
//!   touches stay in the first-level cache while the block's rows go by.
//! - The gradient goes column by column within a block: `∇Θ1ᵀ[1 + k, :]` sums
//!   `X[i, k] δ2[i, :]` over the column's nonzeros, with nothing stored until the column ends
//!   (row by row, every nonzero would load and store a row of the gradient).
//!
//! The vectors are loaded from buffers aligned to 64 bytes ([`Aligned`]).

#[cfg(target_arch = "x86_64")]
use std::arch::x86_64::*;

use super::real::{Real, madd};

/// Hidden units handled together: one row of `Θ1ᵀ`, or of `δ2`, in vector registers (4 × 8
/// doubles with AVX-512).
pub(crate) const LANES: usize = 32;
/// Columns of `X` per range: the range's rows of packed `Θ1ᵀ` take `128 × LANES` values
/// (32 KiB in f64, 16 in f32). Measured against 64 (5% slower) and 200 (the same) here.
const RANGE_COLUMNS: usize = 128;
/// Alignment of the buffers vectors are loaded from: a 64-byte vector that straddles two cache
/// lines costs two reads (measured here: 50% slower).
const ALIGN: usize = 64;

/// A buffer whose start is aligned to [`ALIGN`] bytes.
#[derive(Default)]
pub(crate) struct Aligned<T> {
    buffer: Vec<T>,
    offset: usize,
    len: usize,
}

impl<T: Real> Aligned<T> {
    /// `len` values: zeros when the buffer had to grow, otherwise what it held.
    pub(crate) fn resize(&mut self, len: usize) -> &mut [T] {
        let pad = ALIGN / std::mem::size_of::<T>();
        if self.buffer.len() < len + pad {
            self.buffer = vec![T::ZERO; len + pad];
            self.offset = self.buffer.as_ptr().align_offset(ALIGN).min(pad);
        }
        self.len = len;
        self.as_mut_slice()
    }

    /// `len` zeros.
    pub(crate) fn zeroed(&mut self, len: usize) -> &mut [T] {
        let values = self.resize(len);
        values.fill(T::ZERO);
        values
    }

    pub(crate) fn as_slice(&self) -> &[T] {
        &self.buffer[self.offset..self.offset + self.len]
    }

    pub(crate) fn as_mut_slice(&mut self) -> &mut [T] {
        &mut self.buffer[self.offset..self.offset + self.len]
    }
}

/// The nonzero entries of `X`, kept twice:
/// - row by row and by ranges of [`RANGE_COLUMNS`] columns, with their values, for the forward
///   product: row `i`'s nonzeros in range `r` are `columns[s..e]`, `values[s..e]` with
///   `s..e = starts[i·R + r]..starts[i·R + r + 1]` (`R` ranges per row);
/// - within each block of rows, column by column, for the gradient: block `b`'s nonzeros in
///   column `k` are at `block_starts[b·(n+1) + k]..block_starts[b·(n+1) + k + 1]` of
///   `block_rows` (the row within the block) and `block_values` (where the value is in `values`,
///   counted from the block's first nonzero: two bytes instead of a copy of the value).
pub(crate) struct NonZeros<T> {
    /// Columns of `X`, `n`.
    n: usize,
    /// Ranges per row, `⌈n / RANGE_COLUMNS⌉`.
    ranges: usize,
    starts: Vec<u32>,
    columns: Vec<u16>,
    values: Vec<T>,
    block_starts: Vec<u32>,
    block_rows: Vec<u8>,
    block_values: Vec<u16>,
}

impl<T: Real> NonZeros<T> {
    /// The `count` nonzeros of `x` (`[m, n]`), for the blocks of rows `blocks` (in order, at
    /// most 256 rows each), or `None` when they cannot be indexed this way (more than 65,536
    /// columns, 2³² nonzeros, or 65,536 nonzeros in a block).
    pub(crate) fn of(x: &[f64], n: usize, count: usize, blocks: &[std::ops::Range<usize>]) -> Option<Self> {
        if n == 0 || n > 1 << 16 || blocks.iter().any(|b| b.len() > 1 << 8) || u32::try_from(count).is_err() {
            return None;
        }
        let ranges = n.div_ceil(RANGE_COLUMNS);
        let mut starts = Vec::with_capacity(x.len() / n * ranges + 1);
        let (mut columns, mut values) = (Vec::with_capacity(count), Vec::with_capacity(count));
        starts.push(0);
        for row in x.chunks_exact(n) {
            for (r, range) in row.chunks(RANGE_COLUMNS).enumerate() {
                for (j, &v) in range.iter().enumerate() {
                    if v != 0.0 {
                        columns.push((r * RANGE_COLUMNS + j) as u16);
                        values.push(T::from_f64(v));
                    }
                }
                starts.push(columns.len() as u32);
            }
        }
        let block_span =
            |block: &std::ops::Range<usize>| starts[block.start * ranges] as usize..starts[block.end * ranges] as usize;
        if blocks.iter().any(|block| block_span(block).len() > 1 << 16) {
            return None;
        }
        // Each block's nonzeros by column: a counting sort of its rows' nonzeros.
        let mut block_starts = Vec::with_capacity(blocks.len() * (n + 1));
        let mut block_rows = vec![0u8; columns.len()];
        let mut block_values = vec![0u16; columns.len()];
        let (mut counts, mut next) = (vec![0u32; n], vec![0u32; n]);
        for block in blocks {
            let (first, last) = (block_span(block).start, block_span(block).end);
            counts.fill(0);
            for &k in &columns[first..last] {
                counts[k as usize] += 1;
            }
            let mut at = first as u32;
            for (k, &count) in counts.iter().enumerate() {
                block_starts.push(at);
                next[k] = at;
                at += count;
            }
            block_starts.push(at);
            for (i, row) in block.clone().enumerate() {
                let span = starts[row * ranges] as usize..starts[(row + 1) * ranges] as usize;
                for e in span {
                    let k = columns[e] as usize;
                    block_rows[next[k] as usize] = i as u8;
                    block_values[next[k] as usize] = (e - first) as u16;
                    next[k] += 1;
                }
            }
        }
        Some(Self { n, ranges, starts, columns, values, block_starts, block_rows, block_values })
    }

    /// Row `row`'s nonzeros in range `range`: their columns and values.
    #[inline(always)]
    fn row(&self, row: usize, range: usize) -> (&[u16], &[T]) {
        let at = row * self.ranges + range;
        let span = self.starts[at] as usize..self.starts[at + 1] as usize;
        (&self.columns[span.clone()], &self.values[span])
    }

    /// Block `block`'s nonzeros in column `k`: their rows within the block and where their
    /// values are in the block's values.
    #[inline(always)]
    fn column(&self, block: usize, k: usize) -> (&[u8], &[u16]) {
        let at = block * (self.n + 1) + k;
        let span = self.block_starts[at] as usize..self.block_starts[at + 1] as usize;
        (&self.block_rows[span.clone()], &self.block_values[span])
    }

    /// The values of block `block`'s nonzeros, in row order: its column-order entries start at
    /// its first nonzero and end at its last.
    #[inline(always)]
    fn block_values(&self, block: usize) -> &[T] {
        let at = block * (self.n + 1);
        &self.values[self.block_starts[at] as usize..self.block_starts[at + self.n] as usize]
    }
}

/// Where hidden unit `unit` of row `r` of `Θ1ᵀ` (`n1` rows) is in the packed layout
/// `[⌈h / LANES⌉, n1, LANES]`.
#[inline(always)]
pub(crate) fn packed_index(n1: usize, r: usize, unit: usize) -> usize {
    ((unit / LANES) * n1 + r) * LANES + unit % LANES
}

/// A vector register of `T`s, for one instruction set (the type itself is the vector).
pub trait Vector<T>: Copy {
    /// Lanes per vector.
    const WIDTH: usize;
    /// # Safety
    /// The CPU runs the instruction set of `Self`.
    unsafe fn splat(value: T) -> Self;
    /// # Safety
    /// As [`splat`](Vector::splat), and `values` holds at least `WIDTH` elements.
    unsafe fn load(values: &[T]) -> Self;
    /// # Safety
    /// As [`load`](Vector::load).
    unsafe fn store(self, values: &mut [T]);
    /// `a · b + self`.
    /// # Safety
    /// As [`splat`](Vector::splat).
    unsafe fn madd(self, a: Self, b: Self) -> Self;
    /// # Safety
    /// As [`splat`](Vector::splat).
    unsafe fn add(self, other: Self) -> Self;
}

macro_rules! vector {
    ($t:ty, $v:ty, $width:expr, $feature:literal, $set1:ident, $loadu:ident, $storeu:ident, $fmadd:ident, $add:ident) => {
        impl Vector<$t> for $v {
            const WIDTH: usize = $width;
            #[inline]
            #[target_feature(enable = $feature)]
            unsafe fn splat(value: $t) -> Self {
                $set1(value)
            }
            #[inline]
            #[target_feature(enable = $feature)]
            unsafe fn load(values: &[$t]) -> Self {
                debug_assert!(values.len() >= $width);
                // SAFETY: the caller guarantees WIDTH elements; loadu takes any alignment.
                unsafe { $loadu(values.as_ptr()) }
            }
            #[inline]
            #[target_feature(enable = $feature)]
            unsafe fn store(self, values: &mut [$t]) {
                debug_assert!(values.len() >= $width);
                // SAFETY: as in load.
                unsafe { $storeu(values.as_mut_ptr(), self) }
            }
            #[inline]
            #[target_feature(enable = $feature)]
            unsafe fn madd(self, a: Self, b: Self) -> Self {
                $fmadd(a, b, self)
            }
            #[inline]
            #[target_feature(enable = $feature)]
            unsafe fn add(self, other: Self) -> Self {
                $add(self, other)
            }
        }
    };
}
#[cfg(target_arch = "x86_64")]
vector!(f64, __m512d, 8, "avx512f", _mm512_set1_pd, _mm512_loadu_pd, _mm512_storeu_pd, _mm512_fmadd_pd, _mm512_add_pd);
#[cfg(target_arch = "x86_64")]
vector!(f32, __m512, 16, "avx512f", _mm512_set1_ps, _mm512_loadu_ps, _mm512_storeu_ps, _mm512_fmadd_ps, _mm512_add_ps);
#[cfg(target_arch = "x86_64")]
vector!(f64, __m256d, 4, "avx2,fma", _mm256_set1_pd, _mm256_loadu_pd, _mm256_storeu_pd, _mm256_fmadd_pd, _mm256_add_pd);
#[cfg(target_arch = "x86_64")]
vector!(f32, __m256, 8, "avx2,fma", _mm256_set1_ps, _mm256_loadu_ps, _mm256_storeu_ps, _mm256_fmadd_ps, _mm256_add_ps);

/// One `T` as a vector, for CPUs without the instruction sets above; multiply-adds fused when
/// `FMA`.
#[derive(Clone, Copy)]
pub(crate) struct Scalar<T, const FMA: bool>(T);

impl<T: Real, const FMA: bool> Vector<T> for Scalar<T, FMA> {
    const WIDTH: usize = 1;
    #[inline(always)]
    unsafe fn splat(value: T) -> Self {
        Scalar(value)
    }
    #[inline(always)]
    unsafe fn load(values: &[T]) -> Self {
        Scalar(values[0])
    }
    #[inline(always)]
    unsafe fn store(self, values: &mut [T]) {
        values[0] = self.0;
    }
    #[inline(always)]
    unsafe fn madd(self, a: Self, b: Self) -> Self {
        Scalar(madd::<T, FMA>(a.0, b.0, self.0))
    }
    #[inline(always)]
    unsafe fn add(self, other: Self) -> Self {
        Scalar(self.0 + other.0)
    }
}

/// `z2[r, c·L..] = Θ1ᵀ[0, c·L..] + Σ_k X[row, k] Θ1ᵀ[1 + k, c·L..]` over the nonzero
/// `X[row, k]` only, for the rows `rows` (a block) and each chunk `c` of [`LANES`] hidden
/// units, on vectors `V`. `packed` is `Θ1ᵀ` cut into chunks, zero-padded; `partial` is
/// scratch. Aligning `packed` and `partial` to [`ALIGN`] makes it faster.
///
/// # Safety
/// The CPU runs `V`'s instruction set.
///
/// # Shapes
/// - `z2`: `[rows, h]`; `packed`: `[⌈h / LANES⌉, 1 + n, LANES]`; `partial`: `[rows, LANES]`.
#[inline(always)]
pub(crate) unsafe fn forward<T: Real, V: Vector<T>>(
    z2: &mut [T],
    h: usize,
    nonzeros: &NonZeros<T>,
    rows: std::ops::Range<usize>,
    packed: &[T],
    partial: &mut [T],
) {
    const { assert!(LANES.is_multiple_of(V::WIDTH), "a chunk is whole vectors") };
    let (n, vectors) = (nonzeros.n, LANES / V::WIDTH);
    for (c, chunk) in packed.chunks_exact((1 + n) * LANES).enumerate() {
        let width = LANES.min(h - c * LANES);
        let (bias, weights) = chunk.split_at(LANES);
        for range in 0..nonzeros.ranges {
            for (row, sums) in rows.clone().zip(partial.chunks_exact_mut(LANES)) {
                let (columns, values) = nonzeros.row(row, range);
                // SAFETY (all vector calls): the caller guarantees the instruction set; every
                // slice loaded or stored has at least WIDTH elements (LANES is a multiple of
                // WIDTH, and the rows of `weights` and `partial` have LANES).
                unsafe {
                    // Even and odd nonzeros accumulate apart: twice the independent chains.
                    let mut even = [V::splat(T::ZERO); LANES];
                    let mut odd = [V::splat(T::ZERO); LANES];
                    let start = if range == 0 { bias } else { &*sums };
                    for v in 0..vectors {
                        even[v] = V::load(&start[v * V::WIDTH..]);
                    }
                    let mut pairs = columns.chunks_exact(2);
                    let mut pair_values = values.chunks_exact(2);
                    for (pair, value) in (&mut pairs).zip(&mut pair_values) {
                        let (k0, k1) = (pair[0] as usize, pair[1] as usize);
                        let (v0, v1) = (V::splat(value[0]), V::splat(value[1]));
                        let (w0, w1) = (&weights[k0 * LANES..(k0 + 1) * LANES], &weights[k1 * LANES..(k1 + 1) * LANES]);
                        for v in 0..vectors {
                            even[v] = even[v].madd(v0, V::load(&w0[v * V::WIDTH..]));
                            odd[v] = odd[v].madd(v1, V::load(&w1[v * V::WIDTH..]));
                        }
                    }
                    if let ([k], [value]) = (pairs.remainder(), pair_values.remainder()) {
                        let k = *k as usize;
                        let (value, w) = (V::splat(*value), &weights[k * LANES..(k + 1) * LANES]);
                        for v in 0..vectors {
                            even[v] = even[v].madd(value, V::load(&w[v * V::WIDTH..]));
                        }
                    }
                    for v in 0..vectors {
                        even[v].add(odd[v]).store(&mut sums[v * V::WIDTH..]);
                    }
                }
            }
        }
        for (z_row, sums) in z2.chunks_exact_mut(h).zip(partial.chunks_exact(LANES)) {
            z_row[c * LANES..c * LANES + width].copy_from_slice(&sums[..width]);
        }
    }
}

/// `G[c, 0, :] += Σ_r δ2[r, c·L..]` and `G[c, 1 + k, :] += Σ_r X[row, k] δ2[r, c·L..]` over the
/// nonzero `X[row, k]` of block `block`, column by column with the sums in registers: the
/// block's share of `m ∇Θ1ᵀ` (bias row included), in the layout of [`forward`]'s `packed`, on
/// vectors `V`. `padded` is scratch. Aligning `gradient` and `padded` to [`ALIGN`] makes it
/// faster.
///
/// # Safety
/// The CPU runs `V`'s instruction set.
///
/// # Shapes
/// - `delta`: `[rows, h]`; `gradient`: `[⌈h / LANES⌉, 1 + n, LANES]`; `padded`: `[rows, LANES]`.
#[inline(always)]
pub(crate) unsafe fn gradient<T: Real, V: Vector<T>>(
    gradient: &mut [T],
    delta: &[T],
    h: usize,
    nonzeros: &NonZeros<T>,
    block: usize,
    padded: &mut [T],
) {
    const { assert!(LANES.is_multiple_of(V::WIDTH), "a chunk is whole vectors") };
    let (n, vectors) = (nonzeros.n, LANES / V::WIDTH);
    for (c, chunk) in gradient.chunks_exact_mut((1 + n) * LANES).enumerate() {
        let width = LANES.min(h - c * LANES);
        let (bias, weights) = chunk.split_at_mut(LANES);
        // δ2's rows for this chunk, zero-padded to LANES; the bias row is their sum.
        for (p_row, d_row) in padded.chunks_exact_mut(LANES).zip(delta.chunks_exact(h)) {
            p_row[..width].copy_from_slice(&d_row[c * LANES..c * LANES + width]);
            p_row[width..].fill(T::ZERO);
            for (b, &d) in bias.iter_mut().zip(p_row.iter()) {
                *b = *b + d;
            }
        }
        let (padded, values) = (&*padded, nonzeros.block_values(block));
        for (k, g) in weights.chunks_exact_mut(LANES).enumerate() {
            let (rows, at) = nonzeros.column(block, k);
            if rows.is_empty() {
                continue;
            }
            // SAFETY: as in forward.
            unsafe {
                let mut even = [V::splat(T::ZERO); LANES];
                let mut odd = [V::splat(T::ZERO); LANES];
                let mut pairs = rows.chunks_exact(2);
                let mut pair_at = at.chunks_exact(2);
                for (pair, at) in (&mut pairs).zip(&mut pair_at) {
                    let (r0, r1) = (pair[0] as usize * LANES, pair[1] as usize * LANES);
                    let (v0, v1) = (V::splat(values[at[0] as usize]), V::splat(values[at[1] as usize]));
                    for v in 0..vectors {
                        even[v] = even[v].madd(v0, V::load(&padded[r0 + v * V::WIDTH..]));
                        odd[v] = odd[v].madd(v1, V::load(&padded[r1 + v * V::WIDTH..]));
                    }
                }
                if let ([r], [at]) = (pairs.remainder(), pair_at.remainder()) {
                    let (r, value) = (*r as usize * LANES, V::splat(values[*at as usize]));
                    for v in 0..vectors {
                        even[v] = even[v].madd(value, V::load(&padded[r + v * V::WIDTH..]));
                    }
                }
                for v in 0..vectors {
                    V::load(&g[v * V::WIDTH..]).add(even[v].add(odd[v])).store(&mut g[v * V::WIDTH..]);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligned_buffers_start_on_a_cache_line() {
        let mut buffer = Aligned::<f64>::default();
        for len in [1, 31, 32, 1000, 7] {
            let values = buffer.zeroed(len);
            assert_eq!(values.len(), len);
            assert_eq!(values.as_ptr() as usize % ALIGN, 0, "len {len}");
            assert!(values.iter().all(|&v| v == 0.0));
            values[len - 1] = 1.0;
        }
        let mut buffer = Aligned::<f32>::default();
        assert_eq!(buffer.zeroed(100).as_ptr() as usize % ALIGN, 0);
    }

    #[test]
    fn both_views_hold_every_nonzero_once() {
        let (m, n) = (300, 150);
        let x: Vec<f64> = (0..m * n).map(|i| if (i * 7919) % 5 < 2 { (i % 13) as f64 - 6.0 } else { 0.0 }).collect();
        let blocks: Vec<_> = (0..m).step_by(96).map(|s| s..(s + 96).min(m)).collect();
        let count = x.iter().filter(|&&v| v != 0.0).count();
        let nonzeros = NonZeros::<f64>::of(&x, n, count, &blocks).expect("indexable");
        // By rows and ranges: the columns rise, the values are X's.
        let mut seen = 0;
        for row in 0..m {
            for range in 0..nonzeros.ranges {
                let (columns, values) = nonzeros.row(row, range);
                for (&k, &v) in columns.iter().zip(values) {
                    assert_eq!(k as usize / RANGE_COLUMNS, range);
                    assert_eq!(v, x[row * n + k as usize]);
                    seen += 1;
                }
                assert!(columns.windows(2).all(|w| w[0] < w[1]));
            }
        }
        assert_eq!(seen, count);
        // By columns within blocks: the rows rise, the values are X's.
        let mut seen = 0;
        for (b, block) in blocks.iter().enumerate() {
            for k in 0..n {
                let (rows, at) = nonzeros.column(b, k);
                for (&r, &at) in rows.iter().zip(at) {
                    assert_eq!(nonzeros.block_values(b)[at as usize], x[(block.start + r as usize) * n + k]);
                    seen += 1;
                }
                assert!(rows.windows(2).all(|w| w[0] < w[1]));
            }
        }
        assert_eq!(seen, count);
        // Blocks of more than 256 rows cannot be indexed by a byte.
        let whole = std::iter::once(0..m).collect::<Vec<_>>();
        assert!(NonZeros::<f64>::of(&x, n, count, &whole).is_none());
    }
}
