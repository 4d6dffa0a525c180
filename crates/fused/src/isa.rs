//! Instruction-set dispatch: the engine's loops are generic over a vector type ([`Vector`]),
//! compiled once per instruction set the CPU may have (AVX-512, AVX2 with FMA, and the
//! baseline, whose "vector" is one value), and the widest one this CPU runs is chosen at run
//! time ([`Isa::detect`]), so that one binary runs everywhere and uses the widest vectors where
//! they exist. What it buys, measured alternately in one process on `ex4data1.mat` (AMD EPYC,
//! Zen 4, 2 cores): AVX-512 against AVX2, f64 1.23-1.53x, f32 1.21-1.28x; against the
//! baseline, f64 2.7-3.0x, f32 2.4-3.7x. Buffers that vectors are loaded from start on a
//! cache line ([`Aligned`]).

#[cfg(target_arch = "x86_64")]
use std::arch::x86_64::*;

use crate::real::{Real, madd};

/// The instruction set the element-wise loops and the sparse products are compiled for,
/// chosen at run time; the dense products are `gemm`'s, which chooses on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Isa {
    /// Whatever the build targets (SSE2 on x86-64), without fused multiply-adds.
    Baseline,
    /// x86-64 with AVX2 and FMA: 4 doubles per vector.
    Avx2,
    /// x86-64 with AVX-512: 8 doubles per vector.
    Avx512,
}

impl Isa {
    /// The instruction sets this CPU runs, the widest last.
    pub fn available() -> Vec<Isa> {
        let mut isas = vec![Isa::Baseline];
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::is_x86_feature_detected as has;
            if has!("avx2") && has!("fma") {
                isas.push(Isa::Avx2);
                // Every feature the AVX-512 loops are compiled with (`group_avx512`).
                if has!("avx512f") && has!("avx512dq") && has!("avx512vl") {
                    isas.push(Isa::Avx512);
                }
            }
        }
        isas
    }

    /// The widest instruction set this CPU runs.
    pub fn detect() -> Isa {
        *Isa::available().last().expect("the baseline is always available")
    }
}

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

/// A vector register of `T`s, for one instruction set (the type itself is the vector).
pub trait Vector<T>: Copy {
    /// Lanes per vector.
    const WIDTH: usize;
    /// Vector registers of the instruction set.
    const REGISTERS: usize;
    /// # Safety
    /// The CPU runs the instruction set of `Self`.
    unsafe fn splat(value: T) -> Self;
    /// # Safety
    /// As [`splat`](Vector::splat), and `values` holds at least `WIDTH` elements.
    unsafe fn load(values: &[T]) -> Self;
    /// # Safety
    /// As [`splat`](Vector::splat), and `WIDTH` elements are readable from `values` on (the
    /// hot loops use this unchecked load where their indices are in bounds by construction).
    unsafe fn load_ptr(values: *const T) -> Self;
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
    /// # Safety
    /// As [`splat`](Vector::splat).
    unsafe fn mul(self, other: Self) -> Self;
    /// `self` in the lanes where `a > 0`, zero in the others (ReLU's derivative, applied).
    /// # Safety
    /// As [`splat`](Vector::splat).
    unsafe fn where_positive(self, a: Self) -> Self;
    /// The first `n` values from `values` (`n ≤ WIDTH`), the other lanes zero.
    /// # Safety
    /// As [`splat`](Vector::splat), and `n` elements are readable from `values` on.
    unsafe fn load_first(values: *const T, n: usize) -> Self;
    /// Stores the first `n` lanes (`n ≤ WIDTH`) to `values`.
    /// # Safety
    /// As [`splat`](Vector::splat), and `n` elements are writable from `values` on.
    unsafe fn store_first(self, values: *mut T, n: usize);
}

macro_rules! vector {
    ($t:ty, $v:ty, $width:expr, $registers:expr, $feature:literal, $set1:ident, $loadu:ident, $storeu:ident, $fmadd:ident, $add:ident, $mul:ident, $where_positive:ident, $load_first:ident, $store_first:ident) => {
        impl Vector<$t> for $v {
            const WIDTH: usize = $width;
            const REGISTERS: usize = $registers;
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
            unsafe fn load_ptr(values: *const $t) -> Self {
                // SAFETY: the caller guarantees WIDTH readable elements.
                unsafe { $loadu(values) }
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
            #[inline]
            #[target_feature(enable = $feature)]
            unsafe fn mul(self, other: Self) -> Self {
                $mul(self, other)
            }
            #[inline]
            #[target_feature(enable = $feature)]
            unsafe fn where_positive(self, a: Self) -> Self {
                $where_positive(self, a)
            }
            #[inline]
            #[target_feature(enable = $feature)]
            unsafe fn load_first(values: *const $t, n: usize) -> Self {
                debug_assert!(n <= $width);
                // SAFETY: the caller guarantees n readable elements; the masked lanes are not read.
                unsafe { $load_first(values, n) }
            }
            #[inline]
            #[target_feature(enable = $feature)]
            unsafe fn store_first(self, values: *mut $t, n: usize) {
                debug_assert!(n <= $width);
                // SAFETY: the caller guarantees n writable elements; the masked lanes are not written.
                unsafe { $store_first(values, n, self) }
            }
        }
    };
}

/// Masked loads and stores of the first `n` lanes (the others are neither read nor written).
#[cfg(target_arch = "x86_64")]
mod masked {
    use std::arch::x86_64::*;

    /// The mask of the first `n` lanes, `n ≤ 16`.
    #[inline(always)]
    fn first(n: usize) -> u32 {
        (1u32 << n) - 1
    }

    #[inline]
    #[target_feature(enable = "avx512f")]
    pub(super) fn where_positive_ps(x: __m512, a: __m512) -> __m512 {
        _mm512_maskz_mov_ps(_mm512_cmp_ps_mask::<_CMP_GT_OQ>(a, _mm512_setzero_ps()), x)
    }

    #[inline]
    #[target_feature(enable = "avx512f")]
    pub(super) fn where_positive_pd(x: __m512d, a: __m512d) -> __m512d {
        _mm512_maskz_mov_pd(_mm512_cmp_pd_mask::<_CMP_GT_OQ>(a, _mm512_setzero_pd()), x)
    }

    #[inline]
    #[target_feature(enable = "avx2,fma")]
    pub(super) fn where_positive_ps_avx2(x: __m256, a: __m256) -> __m256 {
        _mm256_and_ps(_mm256_cmp_ps::<_CMP_GT_OQ>(a, _mm256_setzero_ps()), x)
    }

    #[inline]
    #[target_feature(enable = "avx2,fma")]
    pub(super) fn where_positive_pd_avx2(x: __m256d, a: __m256d) -> __m256d {
        _mm256_and_pd(_mm256_cmp_pd::<_CMP_GT_OQ>(a, _mm256_setzero_pd()), x)
    }

    #[inline]
    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn load_ps(values: *const f32, n: usize) -> __m512 {
        // SAFETY: the caller guarantees the first n lanes are readable.
        unsafe { _mm512_maskz_loadu_ps(first(n) as u16, values) }
    }

    #[inline]
    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn store_ps(values: *mut f32, n: usize, v: __m512) {
        // SAFETY: the caller guarantees the first n lanes are writable.
        unsafe { _mm512_mask_storeu_ps(values, first(n) as u16, v) }
    }

    #[inline]
    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn load_pd(values: *const f64, n: usize) -> __m512d {
        // SAFETY: as in load_ps.
        unsafe { _mm512_maskz_loadu_pd(first(n) as u8, values) }
    }

    #[inline]
    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn store_pd(values: *mut f64, n: usize, v: __m512d) {
        // SAFETY: as in store_ps.
        unsafe { _mm512_mask_storeu_pd(values, first(n) as u8, v) }
    }

    /// Lanes below `n` all ones, the others zero, as AVX2's masked moves take them.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    fn lanes_32(n: usize) -> __m256i {
        _mm256_cmpgt_epi32(_mm256_set1_epi32(n as i32), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7))
    }

    #[inline]
    #[target_feature(enable = "avx2,fma")]
    fn lanes_64(n: usize) -> __m256i {
        _mm256_cmpgt_epi64(_mm256_set1_epi64x(n as i64), _mm256_setr_epi64x(0, 1, 2, 3))
    }

    #[inline]
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn load_ps_avx2(values: *const f32, n: usize) -> __m256 {
        // SAFETY: as in load_ps.
        unsafe { _mm256_maskload_ps(values, lanes_32(n)) }
    }

    /// AVX2's masked store (`vmaskmov`) is slow on AMD's cores (here it made a whole f64
    /// evaluation 6% slower): a whole vector is stored as is, a part through a buffer.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn store_ps_avx2(values: *mut f32, n: usize, v: __m256) {
        // SAFETY: as in store_ps; the buffer holds the 8 lanes, of which n ≤ 8 are copied.
        unsafe {
            if n == 8 {
                _mm256_storeu_ps(values, v)
            } else {
                let mut buffer = [0.0f32; 8];
                _mm256_storeu_ps(buffer.as_mut_ptr(), v);
                std::ptr::copy_nonoverlapping(buffer.as_ptr(), values, n);
            }
        }
    }

    #[inline]
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn load_pd_avx2(values: *const f64, n: usize) -> __m256d {
        // SAFETY: as in load_ps.
        unsafe { _mm256_maskload_pd(values, lanes_64(n)) }
    }

    /// As [`store_ps_avx2`].
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn store_pd_avx2(values: *mut f64, n: usize, v: __m256d) {
        // SAFETY: as in store_ps_avx2.
        unsafe {
            if n == 4 {
                _mm256_storeu_pd(values, v)
            } else {
                let mut buffer = [0.0f64; 4];
                _mm256_storeu_pd(buffer.as_mut_ptr(), v);
                std::ptr::copy_nonoverlapping(buffer.as_ptr(), values, n);
            }
        }
    }
}
#[cfg(target_arch = "x86_64")]
use masked::*;
#[cfg(target_arch = "x86_64")]
vector!(
    f64,
    __m512d,
    8,
    32,
    "avx512f",
    _mm512_set1_pd,
    _mm512_loadu_pd,
    _mm512_storeu_pd,
    _mm512_fmadd_pd,
    _mm512_add_pd,
    _mm512_mul_pd,
    where_positive_pd,
    load_pd,
    store_pd
);
#[cfg(target_arch = "x86_64")]
vector!(
    f32,
    __m512,
    16,
    32,
    "avx512f",
    _mm512_set1_ps,
    _mm512_loadu_ps,
    _mm512_storeu_ps,
    _mm512_fmadd_ps,
    _mm512_add_ps,
    _mm512_mul_ps,
    where_positive_ps,
    load_ps,
    store_ps
);
#[cfg(target_arch = "x86_64")]
vector!(
    f64,
    __m256d,
    4,
    16,
    "avx2,fma",
    _mm256_set1_pd,
    _mm256_loadu_pd,
    _mm256_storeu_pd,
    _mm256_fmadd_pd,
    _mm256_add_pd,
    _mm256_mul_pd,
    where_positive_pd_avx2,
    load_pd_avx2,
    store_pd_avx2
);
#[cfg(target_arch = "x86_64")]
vector!(
    f32,
    __m256,
    8,
    16,
    "avx2,fma",
    _mm256_set1_ps,
    _mm256_loadu_ps,
    _mm256_storeu_ps,
    _mm256_fmadd_ps,
    _mm256_add_ps,
    _mm256_mul_ps,
    where_positive_ps_avx2,
    load_ps_avx2,
    store_ps_avx2
);

/// One `T` as a vector, for CPUs without the instruction sets above; multiply-adds fused when
/// `FMA`.
#[derive(Clone, Copy)]
pub(crate) struct Scalar<T, const FMA: bool>(T);

impl<T: Real, const FMA: bool> Vector<T> for Scalar<T, FMA> {
    const WIDTH: usize = 1;
    const REGISTERS: usize = 16;
    #[inline(always)]
    unsafe fn splat(value: T) -> Self {
        Scalar(value)
    }
    #[inline(always)]
    unsafe fn load(values: &[T]) -> Self {
        Scalar(values[0])
    }
    #[inline(always)]
    unsafe fn load_ptr(values: *const T) -> Self {
        // SAFETY: the caller guarantees one readable element.
        Scalar(unsafe { *values })
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
    #[inline(always)]
    unsafe fn mul(self, other: Self) -> Self {
        Scalar(self.0 * other.0)
    }
    #[inline(always)]
    unsafe fn where_positive(self, a: Self) -> Self {
        Scalar(if a.0 > T::ZERO { self.0 } else { T::ZERO })
    }
    #[inline(always)]
    unsafe fn load_first(values: *const T, n: usize) -> Self {
        // SAFETY: the caller guarantees n ≤ 1 readable elements.
        Scalar(if n == 0 { T::ZERO } else { unsafe { *values } })
    }
    #[inline(always)]
    unsafe fn store_first(self, values: *mut T, n: usize) {
        if n > 0 {
            // SAFETY: the caller guarantees n ≤ 1 writable elements.
            unsafe { *values = self.0 }
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
}
