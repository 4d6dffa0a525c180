//! The sparse layout: the products with `X` that read its nonzero entries only, `z2 = X₁ Θ1ᵀ`
//! and `X₁ᵀ δ2`. What it buys: `ex4data1.mat` is 52.5% exact zeros (the digits' background),
//! and a whole evaluation in this layout, against the dense one (`gemm` on all of `X`), was
//! 1.38-1.55x faster in f64 and 1.47-1.67x in f32, alternated in one process (AMD EPYC, Zen 4).
//!
//! Hidden units go in chunks of [`LANES`], whose sums are held in vector variables (explicit
//! vector types: the compiler keeps plain arrays of that size in memory), in registers where
//! the instruction set has enough of them (see [`parities`]). A last chunk that holds fewer
//! units is summed over the vectors they need only ([`chunk_vectors`]; networks not of the
//! exercise's kind ask for it, the exercise's takes whole chunks): 100 units take 104 lanes of
//! their 128, which makes 400-100-25-10 and 400-100-10 11-13% faster in f64, alternated in one
//! process; with AVX-512, in the same pass over the entries as the chunk before it
//! ([`merges_last`]). Both products go by pairs ([`NonZeros`]): one read of a row of `Θ1ᵀ` or `δ2`
//! serves two rows' or two columns' multiply-adds, where one at a time the loops wait on the
//! reads more than on the arithmetic.
//! - The forward product goes by pairs of rows: `z2[i, :]` sums `X[i, k] Θ1ᵀ[1 + k, :]` over the
//!   columns where row `i` or its neighbour is nonzero, in column order, its sums in registers
//!   from the first entry to the last (the rows of `Θ1ᵀ` come from the second-level cache in
//!   the order the prefetchers follow).
//! - The gradient goes by pairs of columns within a block: `∇Θ1ᵀ[1 + k, :]` sums
//!   `X[i, k] δ2[i, :]` over the rows where column `k` or its neighbour is nonzero, with nothing
//!   stored until the pair ends (row by row, every nonzero would load and store a row of the
//!   gradient).
//!
//! The vectors are loaded from buffers aligned to 64 bytes ([`Aligned`](crate::isa::Aligned)).

use crate::isa::Vector;
use crate::real::Real;

/// Hidden units handled together: one row of `Θ1ᵀ`, or of `δ2`, in vector registers (4 × 8
/// doubles with AVX-512).
pub(crate) const LANES: usize = 32;
/// The nonzero entries of `X`, indexed twice, in pairs: a product reads one row of `Θ1ᵀ` (or of
/// `δ2`) for both members of a pair, which nearly halves the reads per nonzero. Neighbouring
/// rows share most nonzero columns, and neighbouring columns (vertically adjacent pixels) most
/// nonzero rows: on `ex4data1.mat`, a pair has 0.58 entries per nonzero (0.55 for columns).
/// - **Row pairs**, for the forward product: rows `2i` and `2i + 1` of each block (the second
///   missing when the block has an odd number of rows). An entry is a column where either row
///   is nonzero, with both values (one may be zero): pair `p`'s entries are `columns[s..e]` and
///   `values[2s..2e]` with `s..e = starts[b + p]..starts[b + p + 1]` (`b` the block: each block
///   begins with an entry of zeros outside every span, at `block_base`).
/// - **Column pairs** within each block of rows, for the gradient: columns `2j` and `2j + 1`.
///   An entry is a row where either column is nonzero: its row within the block, and its two
///   values as `T::ColumnEntry` holds them ([`ColumnEntry`]): in f64, where they are in
///   `values`, counted from the block's entry of zeros (0 for a zero: 4 bytes instead of 16);
///   in f32, the values themselves (8 bytes). Block `b`'s entries
///   for pair `j` are at `block_starts[b·(J+1) + j]..block_starts[b·(J+1) + j + 1]` of
///   `block_rows` and `block_values` (`J = ⌈n / 2⌉` pairs).
///
/// The hot loops index with these numbers unchecked, so they hold by construction ([`of`]) and
/// the fields are never changed after: every column is below `n`, every row within a block is
/// below the block's length (`block_lens`),
/// and every position in a `block_values` entry (f64) added to its block's `block_base` is
/// below `values.len()`.
///
/// [`of`]: NonZeros::of
pub(crate) struct NonZeros<T: Real> {
    /// Columns of `X`, `n`.
    n: usize,
    /// The first row pair of each block, and one past the last block's.
    block_pairs: Vec<usize>,
    starts: Vec<u32>,
    columns: Vec<u16>,
    /// Two values per entry of the row pairs.
    values: Vec<T>,
    /// Where each block's entry of zeros starts in `values`: the origin of its `block_values`.
    block_base: Vec<usize>,
    block_starts: Vec<u32>,
    /// Rows in each block.
    block_lens: Vec<usize>,
    block_rows: Vec<u8>,
    block_values: Vec<T::ColumnEntry>,
}

/// The entries of the row pairs and of the column pairs of `x` (`[m, n]`) in `blocks`: the
/// pairs of neighbours with a nonzero in either.
fn pair_counts(x: &[f64], n: usize, blocks: &[std::ops::Range<usize>]) -> (usize, usize) {
    let (mut rows, mut columns) = (0, 0);
    for block in blocks {
        for pair in x[block.start * n..block.end * n].chunks(2 * n) {
            let (top, bottom) = pair.split_at(n);
            rows += (0..n).filter(|&k| top[k] != 0.0 || bottom.get(k).is_some_and(|&v| v != 0.0)).count();
            for row in pair.chunks_exact(n) {
                columns += row.chunks(2).filter(|two| two.iter().any(|&v| v != 0.0)).count();
            }
        }
    }
    (rows, columns)
}

/// Where the column pairs point for a value that is zero: their block's entry of zeros.
const ZERO_AT: u32 = 0;

/// How an entry of a column pair holds its two values: their positions in the row pairs'
/// `values`, counted from the block's entry of zeros (`[u16; 2]`, f64's choice: 4 bytes instead
/// of 16, and a copy measured 3% slower there), or the values themselves (`[T; 2]`, f32's: 8
/// bytes, and the gradient 4.5% faster than through positions).
pub trait ColumnEntry<T>: Copy + Send + Sync + 'static {
    /// Whether the entry holds 2-byte positions, which bound a block's row pair entries to
    /// 32,767 (see [`NonZeros::of`]).
    const HOLDS_POSITIONS: bool;
    /// The entry of the values `(left, right)`, found at positions `at` in the block's values
    /// (below `u16::MAX` when [`HOLDS_POSITIONS`](ColumnEntry::HOLDS_POSITIONS)).
    fn new(values: (T, T), at: (u32, u32)) -> Self;
    /// The two values, from the block's values starting at `base`.
    ///
    /// By reference: read from the entry in place, each f32 value is broadcast straight from
    /// memory. Taken by value, the entry was loaded whole into a general register and each
    /// value broadcast from there, on the port the second vector multiply-add unit shares
    /// (Intel's cores): 6 operations on those two ports per entry instead of 4. Over the
    /// fix, in runs of the two builds taken in turn, f32 went from 52-56% of f64's time to
    /// 48-51%.
    ///
    /// # Safety
    /// Every position of the entry is inside the block's values.
    unsafe fn values(&self, base: *const T) -> (T, T);
    /// The two values, read with bounds checks from the block's `values`.
    fn values_in(self, values: &[T]) -> (T, T);
}

impl ColumnEntry<f64> for [u16; 2] {
    const HOLDS_POSITIONS: bool = true;
    #[inline(always)]
    fn new(_: (f64, f64), (left, right): (u32, u32)) -> Self {
        debug_assert!(left < u16::MAX as u32 && right < u16::MAX as u32);
        [left as u16, right as u16]
    }
    #[inline(always)]
    unsafe fn values(&self, base: *const f64) -> (f64, f64) {
        // SAFETY: the caller guarantees both positions are in bounds.
        unsafe { (*base.add(self[0] as usize), *base.add(self[1] as usize)) }
    }
    fn values_in(self, values: &[f64]) -> (f64, f64) {
        (values[self[0] as usize], values[self[1] as usize])
    }
}

impl ColumnEntry<f32> for [f32; 2] {
    const HOLDS_POSITIONS: bool = false;
    #[inline(always)]
    fn new((left, right): (f32, f32), _: (u32, u32)) -> Self {
        [left, right]
    }
    #[inline(always)]
    unsafe fn values(&self, _: *const f32) -> (f32, f32) {
        (self[0], self[1])
    }
    fn values_in(self, _: &[f32]) -> (f32, f32) {
        (self[0], self[1])
    }
}

impl<T: Real> NonZeros<T> {
    /// The nonzeros of `x` (`[m, n]`), for the blocks of rows `blocks` (in order, at most 256
    /// rows each), or `None` when they cannot be indexed this way (more than 65,536 columns,
    /// 2³² entries, or, where the column pairs hold 2-byte positions (f64), more than 32,767
    /// entries in one block's row pairs).
    pub(crate) fn of(x: &[f64], n: usize, blocks: &[std::ops::Range<usize>]) -> Option<Self> {
        if n == 0 || n > 1 << 16 || blocks.iter().any(|b| b.len() > 1 << 8) {
            return None;
        }
        let column_pairs = n.div_ceil(2);
        // Allocated at their final sizes: grown, they would leave the memory they outgrew.
        let (row_entries, column_entries) = pair_counts(x, n, blocks);
        let mut columns = Vec::with_capacity(blocks.len() + row_entries);
        let mut values = Vec::with_capacity(2 * (blocks.len() + row_entries));
        let mut starts = Vec::with_capacity(x.len().div_ceil(2 * n) + 2 * blocks.len());
        let (mut block_pairs, mut block_base) = (vec![0usize], Vec::with_capacity(blocks.len()));
        let mut block_starts = Vec::with_capacity(blocks.len() * (column_pairs + 1));
        let (mut block_rows, mut block_values) =
            (Vec::with_capacity(column_entries), Vec::with_capacity(column_entries));
        // Where each of a block's nonzeros went in `values` (ZERO_AT for a zero), row-major.
        let mut at = Vec::new();
        for block in blocks {
            // The block's entry of zeros, outside every span.
            let base = values.len();
            block_base.push(base);
            columns.push(0u16);
            values.extend([T::ZERO, T::ZERO]);
            starts.push(u32::try_from(columns.len()).ok()?);
            let rows = &x[block.start * n..block.end * n];
            at.clear();
            at.resize(block.len() * n, ZERO_AT);
            for (pair, top_bottom) in rows.chunks(2 * n).enumerate() {
                let (top, bottom) = top_bottom.split_at(n);
                for k in 0..n {
                    let (upper, lower) = (top[k], bottom.get(k).copied().unwrap_or(0.0));
                    if upper == 0.0 && lower == 0.0 {
                        continue;
                    }
                    let first = u32::try_from(values.len() - base).ok()?;
                    if T::ColumnEntry::HOLDS_POSITIONS && first >= u16::MAX as u32 {
                        return None;
                    }
                    for (row, value, offset) in [(2 * pair, upper, 0), (2 * pair + 1, lower, 1)] {
                        if value != 0.0 {
                            at[row * n + k] = first + offset;
                        }
                    }
                    columns.push(k as u16);
                    values.extend([T::from_f64(upper), T::from_f64(lower)]);
                }
                starts.push(u32::try_from(columns.len()).ok()?);
            }
            block_pairs.push(block_pairs.last().copied().unwrap_or(0) + block.len().div_ceil(2));
            for j in 0..column_pairs {
                block_starts.push(block_rows.len() as u32);
                for (i, row_at) in at.chunks_exact(n).enumerate() {
                    let (left, right) = (row_at[2 * j], row_at.get(2 * j + 1).copied().unwrap_or(ZERO_AT));
                    if left != ZERO_AT || right != ZERO_AT {
                        let pair_values = (values[base + left as usize], values[base + right as usize]);
                        block_rows.push(i as u8);
                        block_values.push(T::ColumnEntry::new(pair_values, (left, right)));
                    }
                }
            }
            block_starts.push(u32::try_from(block_rows.len()).ok()?);
        }
        debug_assert_eq!((columns.len(), block_rows.len()), (blocks.len() + row_entries, column_entries));
        let block_lens = blocks.iter().map(|block| block.len()).collect();
        Some(Self {
            n,
            block_pairs,
            starts,
            columns,
            values,
            block_base,
            block_starts,
            block_lens,
            block_rows,
            block_values,
        })
    }

    /// Multiply-adds per hidden unit of the two products with `X`: each entry of a pair
    /// multiplies two values, one of which may be zero.
    pub(crate) fn multiply_adds_per_unit(&self) -> usize {
        2 * (self.columns.len() - self.block_base.len()) + 2 * self.block_rows.len()
    }

    /// Row pair `pair` (of block `block`)'s entries: their columns, and two values each.
    #[inline(always)]
    fn row_pair(&self, block: usize, pair: usize) -> (&[u16], &[T]) {
        let at = block + pair;
        let span = self.starts[at] as usize..self.starts[at + 1] as usize;
        (&self.columns[span.clone()], &self.values[2 * span.start..2 * span.end])
    }

    /// Block `block`'s entries for column pair `pair`: their rows within the block, and where
    /// their two values are in `values`.
    #[inline(always)]
    fn column_pair(&self, block: usize, pair: usize) -> (&[u8], &[T::ColumnEntry]) {
        let at = block * (self.n.div_ceil(2) + 1) + pair;
        let span = self.block_starts[at] as usize..self.block_starts[at + 1] as usize;
        (&self.block_rows[span.clone()], &self.block_values[span])
    }
}

/// How a row-major `[n1, h]` matrix (`Θ1ᵀ`) lies in the packed layout `[⌈h / LANES⌉, n1,
/// LANES]`: for each chunk `c` of [`LANES`] hidden units and each row `r`, where the row's
/// units `c·LANES..` are in the matrix, and where they start in the packed layout.
pub(crate) fn packed_rows(n1: usize, h: usize) -> impl Iterator<Item = (std::ops::Range<usize>, usize)> {
    (0..h.div_ceil(LANES)).flat_map(move |c| {
        let units = c * LANES..h.min((c + 1) * LANES);
        (0..n1).map(move |r| (r * h + units.start..r * h + units.end, (c * n1 + r) * LANES))
    })
}

/// Vectors a chunk's sums take when the chunk's units need at most `N` vectors: `N`, or a whole
/// chunk's ([`LANES`] lanes). `N` is a constant of the kernels, so that their loops over the
/// vectors are unrolled and the sums are held in registers.
const fn chunk_vectors<T, V: Vector<T>, const N: usize>() -> usize {
    let whole = LANES / V::WIDTH;
    if N < whole { N } else { whole }
}

/// How many sets of sums a pair of rows (or columns) accumulates into, with entries dealt to
/// them in turn: two (twice the independent chains of multiply-adds) when two sets, a row of
/// loads and two broadcasts fit in `V`'s registers, one otherwise. With AVX-512, two measured
/// 3.5% faster in f32 and 1% in f64; with AVX2, where they do not fit, 40% slower (and in f64
/// even one set, 16 vectors, fills its registers: some sums live in memory).
const fn parities<T, V: Vector<T>, const N: usize, const N2: usize>() -> usize {
    let vectors = chunk_vectors::<T, V, N>() + N2;
    if 2 * 2 * vectors + vectors + 2 <= V::REGISTERS { 2 } else { 1 }
}

/// Whether a layer's last chunk, when it needs fewer vectors than a whole chunk, is summed in
/// the same pass as the chunk before it (whole), so that it does not cost a pass of its own
/// over the entries: when both chunks' sums, a row of loads and two broadcasts fit in `V`'s
/// registers (AVX-512; not AVX2 nor the baseline). A pass of one vector cost about 40% of a
/// pass of four (400-96-25-10 against 400-100-25-10 and 400-128-25-10): the entries' reads and
/// broadcasts are the same. With it, 400-100-25-10, whose 100 units are chunks of 4, 4, 4 and
/// 1 vectors of f64, was 3-7% faster in f64 and 4-5% in f32 (400-100-10 tanh alike), in runs
/// of the two builds taken in turn.
const fn merges_last<T, V: Vector<T>>() -> bool {
    let whole = LANES / V::WIDTH;
    3 * (2 * whole - 1) + 2 <= V::REGISTERS
}

/// `$body` with `$n` a constant equal to `$value` when it is one of the listed literals, and
/// to `$default` otherwise: the kernels take their vector counts as const parameters, one
/// compiled copy each.
macro_rules! with_const {
    ($value:expr, $n:ident => $body:expr; $($k:literal)*; else $default:expr) => {
        match $value {
            $($k => {
                const $n: usize = $k;
                $body
            })*
            _ => {
                const $n: usize = $default;
                $body
            }
        }
    };
}

/// Vectors of `V` that chunk `c` needs for `units` hidden units (all of its lanes below
/// `units`).
fn needed<T, V: Vector<T>>(units: usize, c: usize) -> usize {
    units.saturating_sub(c * LANES).min(LANES).div_ceil(V::WIDTH)
}

/// The two sums of a pair, `a + Σ_e x_e row_e` and `b + Σ_e y_e row_e`, over the `entries`
/// `(row_e, x_e, y_e)`, `row_e` pointing at a row of [`LANES`] values, of which the first
/// [`chunk_vectors`] vectors are summed, then `N2` vectors from `row_e + second` on (the
/// next chunk's, in a pass over two: see [`merges_last`]), after them in the sums: one read of
/// each row serves both sums. The entries are dealt in turn to [`parities`] (one or two) sets
/// of sums, the first starting from `a` and `b`, added together at the end.
///
/// # Safety
/// The CPU runs `V`'s instruction set, and each `row_e` has [`LANES`] readable values, and
/// `N2` vectors from `row_e + second` on.
#[inline(always)]
unsafe fn pair_sums<T: Real, V: Vector<T>, const N: usize, const N2: usize>(
    mut entries: impl Iterator<Item = (*const T, T, T)>,
    (a, b): ([V; LANES], [V; LANES]),
    second: usize,
) -> ([V; LANES], [V; LANES]) {
    let (vectors, parities) = const { (chunk_vectors::<T, V, N>(), parities::<T, V, N, N2>()) };
    let n2 = const { next_vectors::<T, V, N2>() };
    const { assert!(chunk_vectors::<T, V, N>() + next_vectors::<T, V, N2>() <= LANES, "the sums of two chunks fit") };
    // SAFETY (all vector calls): the caller guarantees the instruction set and the rows; the
    // sums are whole vectors (LANES is a multiple of WIDTH).
    unsafe {
        let zero = [V::splat(T::ZERO); LANES];
        let (mut a, mut b) = ([a, zero], [b, zero]);
        // A macro, not a closure: a closure does not inherit the caller's target features, and
        // with the kernels compiled for several chunk widths it was no longer inlined (the
        // vector calls in it became calls, 20 times slower).
        macro_rules! add {
            ($parity:expr, $entry:expr) => {{
                let (row, x, y): (*const T, T, T) = $entry;
                let (x, y) = (V::splat(x), V::splat(y));
                for v in 0..vectors {
                    let r = V::load_ptr(row.add(v * V::WIDTH));
                    a[$parity][v] = a[$parity][v].madd(x, r);
                    b[$parity][v] = b[$parity][v].madd(y, r);
                }
                for v in 0..n2 {
                    let r = V::load_ptr(row.add(second + v * V::WIDTH));
                    a[$parity][vectors + v] = a[$parity][vectors + v].madd(x, r);
                    b[$parity][vectors + v] = b[$parity][vectors + v].madd(y, r);
                }
            }};
        }
        while let Some(even) = entries.next() {
            add!(0, even);
            if parities == 2 {
                match entries.next() {
                    Some(odd) => add!(1, odd),
                    None => break,
                }
            }
        }
        for v in 0..vectors + n2 {
            for parity in 1..parities {
                a[0][v] = a[0][v].add(a[parity][v]);
                b[0][v] = b[0][v].add(b[parity][v]);
            }
        }
        (a[0], b[0])
    }
}

/// `N2`, the vectors of a next chunk in a pass, where `V` merges chunks ([`merges_last`]), else
/// 0: the kernels for two chunks are compiled for every `V`, and run for those only.
const fn next_vectors<T, V: Vector<T>, const N2: usize>() -> usize {
    if merges_last::<T, V>() { N2 } else { 0 }
}

/// The passes over a layer's `chunks` chunks for `units` units: `(first chunk, its vectors,
/// the next chunk's vectors in the same pass)`, the second 0 but where [`merges_last`].
fn passes<T, V: Vector<T>>(chunks: usize, units: usize) -> Vec<(usize, usize, usize)> {
    let whole = LANES / V::WIDTH;
    let last = needed::<T, V>(units, chunks - 1);
    if merges_last::<T, V>() && chunks >= 2 && last < whole {
        (0..chunks - 2).map(|c| (c, whole, 0)).chain([(chunks - 2, whole, last)]).collect()
    } else {
        (0..chunks).map(|c| (c, needed::<T, V>(units, c), 0)).collect()
    }
}

/// `z2[i, c·L..(c+1)·L] = Θ1ᵀ[0, c·L..] + Σ_k X[i, k] Θ1ᵀ[1 + k, c·L..]` over the nonzero
/// `X[i, k]` only, for the rows of block `block` and each chunk `c` of [`LANES`] hidden
/// units, on vectors `V`: by row pairs, each entry's row of `Θ1ᵀ` read once for both rows.
/// `packed` is `Θ1ᵀ` cut into chunks, zero-padded, so the padding lanes of `z2` get zeros where
/// they are written: in the vectors that hold a unit below `units` (networks of the exercise's
/// kind give every lane of every chunk, others their `h`, so that a last chunk that holds few
/// units costs few vectors). Aligning `packed` and `z2` to 64 bytes makes it faster.
///
/// # Safety
/// The CPU runs `V`'s instruction set.
///
/// # Shapes
/// - `z2`: `[rows, stride]` (`stride ≥ ⌈h / LANES⌉ · LANES`), the block's rows; `packed`:
///   `[⌈h / LANES⌉, 1 + n, LANES]`.
#[inline(always)]
pub(crate) unsafe fn forward<T: Real, V: Vector<T>>(
    z2: &mut [T],
    stride: usize,
    nonzeros: &NonZeros<T>,
    block: usize,
    packed: &[T],
    units: usize,
) {
    const { assert!(LANES.is_multiple_of(V::WIDTH), "a chunk is whole vectors") };
    let n = nonzeros.n;
    let rows = nonzeros.block_lens[block];
    assert!(stride >= packed.len() / (1 + n), "a row of z2 holds every chunk");
    assert_eq!(z2.len(), rows * stride, "z2 holds the block's rows");
    let size = (1 + n) * LANES;
    for (c, vectors, next) in passes::<T, V>(packed.len() / size, units) {
        let chunks = &packed[c * size..(c + 1 + usize::from(next > 0)) * size];
        // SAFETY: the caller guarantees the instruction set.
        if next == 0 {
            // The vectors a chunk's units need: 1 to 7 for a last chunk that does not fill its
            // lanes, else a whole chunk (see [`chunk_vectors`]).
            with_const!(vectors, N => unsafe { forward_chunk::<T, V, N, 0>(z2, stride, nonzeros, block, chunks, c) }; 1 2 3 4 5 6 7; else LANES);
        } else {
            // The vectors (1 to 3) of a last chunk summed in this pass ([`merges_last`]).
            with_const!(next, N2 => unsafe { forward_chunk::<T, V, LANES, N2>(z2, stride, nonzeros, block, chunks, c) }; 1 2; else 3);
        }
    }
}

/// [`forward`] for chunk `c` (`chunks`, its part of `packed`), [`chunk_vectors`] vectors of it,
/// and `N2` vectors of the next chunk in the same pass (then `chunks` holds both).
///
/// # Safety
/// As [`forward`], which checked the shapes.
#[inline(always)]
unsafe fn forward_chunk<T: Real, V: Vector<T>, const N: usize, const N2: usize>(
    z2: &mut [T],
    stride: usize,
    nonzeros: &NonZeros<T>,
    block: usize,
    chunks: &[T],
    c: usize,
) {
    let (n, vectors, n2) = (nonzeros.n, const { chunk_vectors::<T, V, N>() }, const { next_vectors::<T, V, N2>() });
    let size = (1 + n) * LANES;
    assert_eq!(chunks.len(), if N2 > 0 { 2 * size } else { size });
    let pairs = nonzeros.block_pairs[block]..nonzeros.block_pairs[block + 1];
    let (bias, weights) = chunks.split_at(LANES);
    // Each pair's two rows of this chunk (the second missing at the end of an odd block), and
    // of the next in a pass over two.
    let lanes = if N2 > 0 { 2 * LANES } else { LANES };
    for (pair, two_rows) in pairs.zip(z2.chunks_mut(2 * stride)) {
        let (top_row, bottom_row) = two_rows.split_at_mut(stride.min(two_rows.len()));
        let top_sums = &mut top_row[c * LANES..c * LANES + lanes];
        let mut bottom_sums = bottom_row.get_mut(c * LANES..c * LANES + lanes);
        let (columns, values) = nonzeros.row_pair(block, pair);
        // SAFETY (all vector calls): the caller guarantees the instruction set; every slice
        // loaded or stored has at least WIDTH elements (LANES is a multiple of WIDTH, and the
        // rows of `weights` and the sums have LANES, the next chunk's `size` further on).
        unsafe {
            // Both rows start from the bias.
            let mut from = [V::splat(T::ZERO); LANES];
            for (v, start) in from.iter_mut().enumerate().take(vectors) {
                *start = V::load(&bias[v * V::WIDTH..]);
            }
            for v in 0..n2 {
                from[vectors + v] = V::load(&chunks[size + v * V::WIDTH..]);
            }
            // Row k of `weights` starts at `k · LANES`, and every column k < n (`NonZeros`'
            // invariant): the row is inside `weights`, and the next chunk's `size` further on.
            let entries = columns.iter().zip(values.chunks_exact(2));
            let entries = entries.map(|(&k, x)| (weights.as_ptr().add(k as usize * LANES), x[0], x[1]));
            let (top, bottom) = pair_sums::<T, V, N, N2>(entries, (from, from), size);
            for v in 0..vectors {
                top[v].store(&mut top_sums[v * V::WIDTH..]);
                if let Some(sums) = &mut bottom_sums {
                    bottom[v].store(&mut sums[v * V::WIDTH..]);
                }
            }
            for v in 0..n2 {
                top[vectors + v].store(&mut top_sums[LANES + v * V::WIDTH..]);
                if let Some(sums) = &mut bottom_sums {
                    bottom[vectors + v].store(&mut sums[LANES + v * V::WIDTH..]);
                }
            }
        }
    }
}

/// `G[c, 0, :] += Σ_i δ2[i, c·L..]` and `G[c, 1 + k, :] += Σ_i X[i, k] δ2[i, c·L..]` over the
/// nonzero `X[i, k]` of block `block`, by column pairs with both sums in registers (each
/// entry's row of `δ2` read once for both columns, in place): the block's share of `m ∇Θ1ᵀ`
/// (bias row included), in the layout of [`forward`]'s `packed`, on vectors `V`, in the
/// vectors that hold a unit below `units` (as in [`forward`]; the other lanes of `G` are left
/// as they are). Aligning `gradient` and `delta` to [`ALIGN`] makes it faster.
///
/// # Safety
/// The CPU runs `V`'s instruction set.
///
/// # Shapes
/// - `delta`: `[rows, stride]` (`stride ≥ ⌈h / LANES⌉ · LANES`), the block's rows; `gradient`:
///   `[⌈h / LANES⌉, 1 + n, LANES]`.
#[inline(always)]
pub(crate) unsafe fn gradient<T: Real, V: Vector<T>>(
    gradient: &mut [T],
    delta: &[T],
    stride: usize,
    nonzeros: &NonZeros<T>,
    block: usize,
    units: usize,
) {
    const { assert!(LANES.is_multiple_of(V::WIDTH), "a chunk is whole vectors") };
    let n = nonzeros.n;
    // Every row within the block is below its length, and every value position, counted from
    // the block's base, below `values.len()` (`NonZeros`' invariant): the reads below are in
    // bounds.
    assert!(stride >= gradient.len() / (1 + n), "a row of delta holds every chunk");
    assert_eq!(delta.len(), nonzeros.block_lens[block] * stride, "delta holds the block's rows");
    let size = (1 + n) * LANES;
    for (c, vectors, next) in passes::<T, V>(gradient.len() / size, units) {
        let chunks = &mut gradient[c * size..(c + 1 + usize::from(next > 0)) * size];
        // SAFETY: the caller guarantees the instruction set.
        if next == 0 {
            with_const!(vectors, N => unsafe { gradient_chunk::<T, V, N, 0>(chunks, delta, stride, nonzeros, block, c) }; 1 2 3 4 5 6 7; else LANES);
        } else {
            with_const!(next, N2 => unsafe { gradient_chunk::<T, V, LANES, N2>(chunks, delta, stride, nonzeros, block, c) }; 1 2; else 3);
        }
    }
}

/// [`gradient`] for chunk `c` (`chunks`, its part of `G`), [`chunk_vectors`] vectors of it, and
/// `N2` vectors of the next chunk in the same pass (then `chunks` holds both).
///
/// # Safety
/// As [`gradient`], which checked the shapes.
#[inline(always)]
unsafe fn gradient_chunk<T: Real, V: Vector<T>, const N: usize, const N2: usize>(
    chunks: &mut [T],
    delta: &[T],
    stride: usize,
    nonzeros: &NonZeros<T>,
    block: usize,
    c: usize,
) {
    let (vectors, n2) = (const { chunk_vectors::<T, V, N>() }, const { next_vectors::<T, V, N2>() });
    let size = chunks.len() / if N2 > 0 { 2 } else { 1 };
    let values = &nonzeros.values[nonzeros.block_base[block]..];
    // The bias rows are the column sums of δ2, in vectors (plain loops keep 32 scalar sums):
    // this chunk's, and the next one's in a pass over two.
    // SAFETY: the caller guarantees the instruction set; every slice loaded or stored has
    // at least WIDTH elements (LANES is a multiple of WIDTH).
    unsafe {
        for (part, count) in [(0, vectors), (1, n2)] {
            if count == 0 {
                continue;
            }
            let bias = &mut chunks[part * size..part * size + LANES];
            let mut sums = [V::splat(T::ZERO); LANES];
            for (v, sum) in sums.iter_mut().enumerate().take(count) {
                *sum = V::load(&bias[v * V::WIDTH..]);
            }
            for row in delta.chunks_exact(stride) {
                let row = &row[(c + part) * LANES..(c + part + 1) * LANES];
                for (v, sum) in sums.iter_mut().enumerate().take(count) {
                    *sum = sum.add(V::load(&row[v * V::WIDTH..]));
                }
            }
            for (v, sum) in sums.iter().enumerate().take(count) {
                sum.store(&mut bias[v * V::WIDTH..]);
            }
        }
    }
    let chunk_start = delta[c * LANES..].as_ptr();
    let (first, next) = chunks.split_at_mut(size);
    let weights = &mut first[LANES..];
    let next_weights = next.get_mut(LANES..).unwrap_or_default();
    for (j, g) in weights.chunks_mut(2 * LANES).enumerate() {
        let (rows, at) = nonzeros.column_pair(block, j);
        if rows.is_empty() {
            continue;
        }
        // SAFETY: as in forward, with the reads in bounds as above (the next chunk's lanes of a
        // row of δ2 are LANES further on).
        unsafe {
            let entries = rows.iter().zip(at).map(|(&r, entry)| {
                let (left, right) = entry.values(values.as_ptr());
                (chunk_start.add(r as usize * stride), left, right)
            });
            let zero = [V::splat(T::ZERO); LANES];
            let (left, right) = pair_sums::<T, V, N, N2>(entries, (zero, zero), LANES);
            // The last pair of an odd number of columns has no right column.
            let (g_left, g_right) = g.split_at_mut(LANES);
            for v in 0..vectors {
                V::load(&g_left[v * V::WIDTH..]).add(left[v]).store(&mut g_left[v * V::WIDTH..]);
                if !g_right.is_empty() {
                    V::load(&g_right[v * V::WIDTH..]).add(right[v]).store(&mut g_right[v * V::WIDTH..]);
                }
            }
            if N2 > 0 {
                let g = &mut next_weights[j * 2 * LANES..];
                let right_too = !g_right.is_empty();
                let (g_left, g_right) = g.split_at_mut(LANES);
                for v in 0..n2 {
                    let (l, r) = (left[vectors + v], right[vectors + v]);
                    V::load(&g_left[v * V::WIDTH..]).add(l).store(&mut g_left[v * V::WIDTH..]);
                    if right_too {
                        V::load(&g_right[v * V::WIDTH..]).add(r).store(&mut g_right[v * V::WIDTH..]);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both views of an `m x n` matrix with odd sizes and blocks (odd blocks too), in `T`.
    fn check_views<T: Real + std::fmt::Debug>() {
        // Wider than the exercise's 400 columns; blocks of 29 rows, so that a block's row pairs
        // fit the index.
        let (m, n) = (301, 1101);
        let x: Vec<f64> = (0..m * n).map(|i| if (i * 7919) % 5 < 2 { (i % 13) as f64 - 6.0 } else { 0.0 }).collect();
        let blocks: Vec<_> = (0..m).step_by(29).map(|s| s..(s + 29).min(m)).collect();
        let count = x.iter().filter(|&&v| v != 0.0).count();
        let nonzeros = NonZeros::<T>::of(&x, n, &blocks).expect("indexable");
        let value = |i: usize, k: usize| T::from_f64(x[i * n + k]);
        // Row pairs: the columns rise, both values are X's (zero past the last row of an odd
        // block), every nonzero is there once and every entry has one.
        let mut seen = 0;
        for (b, block) in blocks.iter().enumerate() {
            let pairs = nonzeros.block_pairs[b]..nonzeros.block_pairs[b + 1];
            assert_eq!(pairs.len(), block.len().div_ceil(2));
            for (p, pair) in pairs.enumerate() {
                let (top, bottom) = (block.start + 2 * p, block.start + 2 * p + 1);
                let (columns, values) = nonzeros.row_pair(b, pair);
                for (&k, v) in columns.iter().zip(values.chunks_exact(2)) {
                    let k = k as usize;
                    let lower = if bottom < block.end { value(bottom, k) } else { T::ZERO };
                    assert_eq!((v[0], v[1]), (value(top, k), lower));
                    let present = usize::from(v[0] != T::ZERO) + usize::from(v[1] != T::ZERO);
                    assert!(present > 0, "an entry with no nonzero");
                    seen += present;
                }
                assert!(columns.windows(2).all(|w| w[0] < w[1]));
            }
        }
        assert_eq!(seen, count);
        // Column pairs: the rows rise, the values are X's, every nonzero is there once.
        let mut seen = 0;
        for (b, block) in blocks.iter().enumerate() {
            for j in 0..n.div_ceil(2) {
                let (rows, at) = nonzeros.column_pair(b, j);
                for (&r, entry) in rows.iter().zip(at) {
                    let i = block.start + r as usize;
                    assert!(i < block.end);
                    let right_value = if 2 * j + 1 < n { value(i, 2 * j + 1) } else { T::ZERO };
                    let (l, r) = entry.values_in(&nonzeros.values[nonzeros.block_base[b]..]);
                    assert_eq!((l, r), (value(i, 2 * j), right_value));
                    seen += usize::from(l != T::ZERO) + usize::from(r != T::ZERO);
                }
                assert!(rows.windows(2).all(|w| w[0] < w[1]));
            }
        }
        assert_eq!(seen, count);
        for &base in &nonzeros.block_base {
            assert_eq!(nonzeros.values[base + ZERO_AT as usize], T::ZERO);
        }
        // Blocks of more than 256 rows cannot be indexed by a byte.
        let whole = std::iter::once(0..m).collect::<Vec<_>>();
        assert!(NonZeros::<T>::of(&x, n, &whole).is_none());
    }

    #[test]
    fn positions_bound_a_blocks_row_pair_entries_in_f64_only() {
        // 48 pairs of rows, all nonzero: 48 n entries.
        let block = std::slice::from_ref(&(0..96));
        assert!(NonZeros::<f64>::of(&vec![1.0; 96 * 682], 682, block).is_some());
        assert!(NonZeros::<f64>::of(&vec![1.0; 96 * 683], 683, block).is_none());
        // In f32 the column pairs hold the values, not their positions: no such bound.
        let block = std::slice::from_ref(&(0..192));
        assert!(NonZeros::<f32>::of(&vec![1.0; 192 * 683], 683, block).is_some());
    }

    #[test]
    fn both_views_hold_every_nonzero_once() {
        check_views::<f64>();
        check_views::<f32>();
    }
}
