//! The floating-point types the fused path runs in, and the two transcendental functions it
//! needs, written branch-free so that the compiler vectorizes the loops that call them (the
//! standard library's `exp` and `ln_1p` are calls into libm, one element at a time).

/// `a · b + c`: one fused multiply-add when `FMA` (the caller runs with the `fma` target
/// feature), a multiply then an add otherwise (without the feature, `mul_add` is a slow
/// software routine).
#[inline(always)]
pub(crate) fn madd<T: Float, const FMA: bool>(a: T, b: T, c: T) -> T {
    if FMA { a.mul_add(b, c) } else { a * b + c }
}

/// The floating-point types the fused path runs in: `f32` and `f64`, no others (the trait is
/// sealed: its items are `Float`'s, which other crates cannot name).
pub trait Real: Float {}

impl<T: Float> Real for T {}

/// What the fused path needs of a floating-point type.
pub trait Float:
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
    /// `1.5 · 2^p` (`p` mantissa bits): `x + MAGIC − MAGIC` rounds `x` to an integer, which
    /// the low mantissa bits of `x + MAGIC` then hold.
    const MAGIC: Self;
    /// The lowest argument of [`exp_nonpositive`](Float::exp_nonpositive) whose `2^n` is still a
    /// normal number; lower arguments are raised to it (`e^−708 ≈ 3e−308`).
    const EXP_MIN: Self;
    /// Degree of the Taylor polynomial of `e^r` on `|r| ≤ ln 2 / 2`: its truncation error
    /// `(ln 2 / 2)^(d+1) / (d+1)!` is below the type's rounding error.
    const EXP_DEGREE: usize;
    /// Terms of the series `atanh s = s (1 + s²/3 + s⁴/5 + …)` for `|s| ≤ 0.172`, likewise.
    const LOG_TERMS: usize;
    /// Rows per block in the sparse layout (at most 256: it indexes a row within its block by a
    /// byte). f64's are 96, as in the dense layout. f32's are 192: its `δ2` rows take half the
    /// space, and twice the rows share each column pair's set-up in the gradient (alternated in
    /// one process here, ten runs: 0.5-7% faster than 96; 256 no faster than 192; f64 was 4-7%
    /// slower at 192). f32's column pairs hold their values, not 2-byte positions, so its blocks
    /// may have any number of row pair entries.
    const SPARSE_BLOCK_ROWS: usize;
    /// A vector of `Self` in AVX-512 registers.
    #[cfg(target_arch = "x86_64")]
    type Avx512: crate::isa::Vector<Self>;
    /// A vector of `Self` in AVX2 registers.
    #[cfg(target_arch = "x86_64")]
    type Avx2: crate::isa::Vector<Self>;
    /// How the sparse layout's column pairs hold their values.
    type ColumnEntry: crate::sparse::ColumnEntry<Self>;
    fn from_f64(value: f64) -> Self;
    fn to_f64(self) -> f64;
    fn abs(self) -> Self;
    fn mul_add(self, a: Self, b: Self) -> Self;
    /// `2^n` from `t = n + MAGIC` (see [`MAGIC`](Float::MAGIC)), built in the exponent bits.
    fn pow2_of_rounded(t: Self) -> Self;
    /// `(f, k)` with `self = 2^k f`, `f` in `[1, 2)`, for a positive normal number (`k` as a
    /// `Self`), read from the bits.
    fn split_exponent(self) -> (Self, Self);
    /// `values` as `&[Self]` when `Self` is `f64`, so that `f64` data is used in place.
    fn borrow_f64(values: &[f64]) -> Option<&[Self]>;

    /// The range reduction of [`exp_nonpositive`](Float::exp_nonpositive) and
    /// [`expm1_nonpositive`](Float::expm1_nonpositive): `x` (clamped below at `EXP_MIN`) as
    /// `n ln 2 + r`, returned as `t = n + MAGIC` (whose low bits hold `n`, for
    /// `pow2_of_rounded`) and `r = x − n ln 2`, `|r| ≤ ln 2 / 2`.
    #[inline(always)]
    fn reduce_exp<const FMA: bool>(self) -> (Self, Self) {
        let x = if self < Self::EXP_MIN { Self::EXP_MIN } else { self };
        let t = madd::<_, FMA>(x, Self::from_f64(std::f64::consts::LOG2_E), Self::MAGIC);
        let n = t - Self::MAGIC;
        let r = madd::<_, FMA>(n, Self::from_f64(-LN2_HIGH), x);
        (t, madd::<_, FMA>(n, Self::from_f64(-LN2_LOW), r))
    }

    /// `e^x` for `x ≤ 0`, within a few units in the last place; NaN stays NaN.
    ///
    /// `e^x = 2^n e^r` with `n = round(x / ln 2)` and `r = x − n ln 2` (`ln 2` split in a high
    /// part, exact when multiplied by `n`, and a low part), `e^r` by its Taylor polynomial.
    #[inline(always)]
    fn exp_nonpositive<const FMA: bool>(self) -> Self {
        let (t, r) = self.reduce_exp::<FMA>();
        // Horner from 1/d! down to 1/0!.
        let mut p = Self::from_f64(INVERSE_FACTORIALS[Self::EXP_DEGREE]);
        for i in (0..Self::EXP_DEGREE).rev() {
            p = madd::<_, FMA>(p, r, Self::from_f64(INVERSE_FACTORIALS[i]));
        }
        p * Self::pow2_of_rounded(t)
    }

    /// `e^x − 1` for `x ≤ 0`, within a few units in the last place of the result, also where
    /// it is small (where `e^x − 1` computed from `e^x` loses every digit to the subtraction).
    ///
    /// As [`exp_nonpositive`](Float::exp_nonpositive), `e^x = 2^n e^r`; then
    /// `e^x − 1 = 2^n (e^r − 1) + (2^n − 1)`, with `e^r − 1 = r (1 + r/2 + r²/6 + …)` by the
    /// same Taylor polynomial without its constant term (exact for `n = 0`, and `2^n − 1` is
    /// exact for the `n` below 0 that matter).
    #[inline(always)]
    fn expm1_nonpositive<const FMA: bool>(self) -> Self {
        let (t, r) = self.reduce_exp::<FMA>();
        // Horner from 1/d! down to 1/1!, then times r.
        let mut p = Self::from_f64(INVERSE_FACTORIALS[Self::EXP_DEGREE]);
        for i in (1..Self::EXP_DEGREE).rev() {
            p = madd::<_, FMA>(p, r, Self::from_f64(INVERSE_FACTORIALS[i]));
        }
        let scale = Self::pow2_of_rounded(t);
        madd::<_, FMA>(scale, p * r, scale - Self::ONE)
    }

    /// `ln f` for `f` in `[√½, √2]`, the two logarithms' common part: `2 atanh s` with
    /// `s = (f − 1)/(f + 1)`, by its series `2 s (1 + s²/3 + s⁴/5 + …)`.
    #[inline(always)]
    fn ln_reduced<const FMA: bool>(self) -> Self {
        let s = (self - Self::ONE) / (self + Self::ONE);
        let s2 = s * s;
        let mut p = Self::from_f64(1.0 / (2 * Self::LOG_TERMS - 1) as f64);
        for j in (0..Self::LOG_TERMS - 1).rev() {
            p = madd::<_, FMA>(p, s2, Self::from_f64(1.0 / (2 * j + 1) as f64));
        }
        (s + s) * p
    }

    /// `ln x` for `x ≥ 1` (finite), within a few units in the last place: the log-sum-exp of
    /// the softmax, whose sum of exponentials is in `[1, K]`.
    ///
    /// `x = 2^k f` with `f` in `[√½, √2]`; `ln x = k ln 2 + 2 atanh s`, `s = (f − 1)/(f + 1)`,
    /// `ln 2` in its two parts so that `k ln 2` adds no rounding of its own.
    #[inline(always)]
    fn ln_at_least_one<const FMA: bool>(self) -> Self {
        let (f, k) = self.split_exponent();
        let high = f > Self::from_f64(std::f64::consts::SQRT_2);
        let f = if high { f * Self::from_f64(0.5) } else { f };
        let k = if high { k + Self::ONE } else { k };
        let low = madd::<_, FMA>(k, Self::from_f64(LN2_LOW), f.ln_reduced::<FMA>());
        madd::<_, FMA>(k, Self::from_f64(LN2_HIGH), low)
    }

    /// `ln(1 + e)` for `0 ≤ e ≤ 1`, within a few units in the last place.
    ///
    /// `u = 1 + e = 2^k f` with `f` in `[√½, √2]`; `ln f = 2 atanh s`, `s = (f − 1)/(f + 1)`;
    /// and `(e − (u − 1)) / u` puts back what rounding `1 + e` lost, so small `e` stay exact.
    #[inline(always)]
    fn ln_1p_unit<const FMA: bool>(self) -> Self {
        let e = self;
        let u = Self::ONE + e;
        let lost = (e - (u - Self::ONE)) / u;
        let high = u > Self::from_f64(std::f64::consts::SQRT_2);
        let f = if high { u * Self::from_f64(0.5) } else { u };
        let k = if high { Self::from_f64(std::f64::consts::LN_2) } else { Self::ZERO };
        k + f.ln_reduced::<FMA>() + lost
    }
}

/// `1/i!` for `i` up to the highest [`Float::EXP_DEGREE`].
const INVERSE_FACTORIALS: [f64; 14] = {
    let mut table = [1.0; 14];
    let mut i = 1;
    while i < 14 {
        table[i] = table[i - 1] / i as f64;
        i += 1;
    }
    table
};

/// `ln 2 = LN2_HIGH + LN2_LOW`, the high part with 32 trailing zero bits (fdlibm's split).
const LN2_HIGH: f64 = f64::from_bits(0x3FE6_2E42_FEE0_0000);
const LN2_LOW: f64 = f64::from_bits(0x3DEA_39EF_3579_3C76);

macro_rules! real {
    ($t:ty, $bits:ty, $avx512:ty, $avx2:ty, $entry:ty, $mantissa:expr, $bias:expr, $min:expr, $degree:expr, $terms:expr, $block_rows:expr, $borrow:expr) => {
        impl Float for $t {
            #[cfg(target_arch = "x86_64")]
            type Avx512 = $avx512;
            #[cfg(target_arch = "x86_64")]
            type Avx2 = $avx2;
            type ColumnEntry = $entry;
            const ZERO: Self = 0.0;
            const ONE: Self = 1.0;
            const MAGIC: Self = 1.5 * (1u64 << $mantissa) as $t;
            const EXP_MIN: Self = $min;
            const EXP_DEGREE: usize = $degree;
            const LOG_TERMS: usize = $terms;
            const SPARSE_BLOCK_ROWS: usize = $block_rows;
            #[inline(always)]
            fn from_f64(value: f64) -> Self {
                value as $t
            }
            #[inline(always)]
            fn to_f64(self) -> f64 {
                self as f64
            }
            #[inline(always)]
            fn abs(self) -> Self {
                <$t>::abs(self)
            }
            #[inline(always)]
            fn mul_add(self, a: Self, b: Self) -> Self {
                <$t>::mul_add(self, a, b)
            }
            #[inline(always)]
            fn pow2_of_rounded(t: Self) -> Self {
                // The low bits of t's representation hold n (two's complement); adding the
                // exponent bias and shifting them into the exponent field gives 2^n.
                <$t>::from_bits(t.to_bits().wrapping_add($bias) << $mantissa)
            }
            #[inline(always)]
            fn split_exponent(self) -> (Self, Self) {
                let bits = self.to_bits();
                let k = (bits >> $mantissa) as i32 - $bias;
                let mantissa = bits & ((1 << $mantissa) - 1);
                (<$t>::from_bits(mantissa | (($bias as $bits) << $mantissa)), k as $t)
            }
            fn borrow_f64(values: &[f64]) -> Option<&[Self]> {
                $borrow(values)
            }
        }
    };
}
#[cfg(target_arch = "x86_64")]
use std::arch::x86_64::{__m256, __m256d, __m512, __m512d};
#[cfg(not(target_arch = "x86_64"))]
type Unused = ();
#[cfg(not(target_arch = "x86_64"))]
use {Unused as __m256, Unused as __m256d, Unused as __m512, Unused as __m512d};
real!(f32, u32, __m512, __m256, [f32; 2], 23, 127, -87.0, 7, 5, 192, |_: &[f64]| None);
real!(f64, u64, __m512d, __m256d, [u16; 2], 52, 1023, -708.0, 13, 11, super::BLOCK_ROWS, Some);

#[cfg(test)]
mod tests {
    use super::*;

    /// `|a − b|` in units of `|b| · f64::EPSILON`.
    fn ulps_f64(a: f64, b: f64) -> f64 {
        (a - b).abs() / (b.abs() * f64::EPSILON).max(f64::MIN_POSITIVE)
    }

    #[test]
    fn exp_matches_the_standard_library() {
        for i in 0..=200_000 {
            let x = -(i as f64) * 708.0 / 200_000.0;
            assert!(ulps_f64(x.exp_nonpositive::<true>(), x.exp()) <= 2.0, "exp({x})");
            assert!(ulps_f64(x.exp_nonpositive::<false>(), x.exp()) <= 2.0, "exp({x})");
            let y = x as f32;
            let rel = ((y.exp_nonpositive::<true>() - y.exp()) / y.exp()).abs();
            assert!(y < -87.0 || rel <= 4.0 * f32::EPSILON, "exp({y}) f32: {rel}");
        }
        assert_eq!(0.0f64.exp_nonpositive::<true>(), 1.0);
        assert!(f64::NAN.exp_nonpositive::<true>().is_nan());
        let floor = f64::NEG_INFINITY.exp_nonpositive::<true>();
        assert!(floor > 0.0 && floor < 1e-307);
    }

    #[test]
    fn expm1_matches_the_standard_library() {
        let mut samples: Vec<f64> = (0..=200_000).map(|i| -(i as f64) * 60.0 / 200_000.0).collect();
        samples.extend((0..1075).map(|i| -(2f64.powi(-i))));
        samples.extend([-708.0, -745.0, -1e4, f64::NEG_INFINITY]);
        for x in samples {
            let exact = x.exp_m1();
            // Measured: at most 1.0 (in units of the result times f64::EPSILON).
            assert!(ulps_f64(x.expm1_nonpositive::<true>(), exact) <= 2.0, "expm1({x})");
            assert!(ulps_f64(x.expm1_nonpositive::<false>(), exact) <= 2.0, "expm1({x})");
            let y = x as f32;
            let rel = ((y.expm1_nonpositive::<true>() - y.exp_m1()) / y.exp_m1().abs().max(f32::MIN_POSITIVE)).abs();
            assert!(y == 0.0 || rel <= 4.0 * f32::EPSILON, "expm1({y}) f32: {rel}");
        }
        assert_eq!(0.0f64.expm1_nonpositive::<true>(), 0.0);
        assert_eq!((-1e-300f64).expm1_nonpositive::<true>(), -1e-300);
    }

    #[test]
    fn ln_matches_the_standard_library() {
        let mut samples: Vec<f64> = (0..=200_000).map(|i| 1.0 + i as f64 / 10_000.0).collect();
        samples.extend((0..52).map(|i| 1.0 + 2f64.powi(-i)));
        samples.extend([1.0, 1.5, 2.0, std::f64::consts::SQRT_2, 1e10, 1e300, f64::MAX]);
        for x in samples {
            let exact = x.ln();
            // Measured: at most 2.0 (in units of the result times f64::EPSILON).
            assert!(ulps_f64(x.ln_at_least_one::<true>(), exact) <= 3.0, "ln({x})");
            assert!(ulps_f64(x.ln_at_least_one::<false>(), exact) <= 3.0, "ln({x})");
            let y = x as f32;
            if y.is_finite() {
                let rel = ((y.ln_at_least_one::<true>() - y.ln()) / y.ln().max(f32::MIN_POSITIVE)).abs();
                assert!(rel <= 2.0 * f32::EPSILON, "ln({y}) f32: {rel}");
            }
        }
    }

    #[test]
    fn ln_1p_matches_the_standard_library() {
        let mut samples: Vec<f64> = (0..=100_000).map(|i| i as f64 / 100_000.0).collect();
        samples.extend((0..1000).map(|i| 2f64.powi(-i)));
        for e in samples {
            let exact = e.ln_1p();
            // Measured: at most 2.2 (in units of the result times f64::EPSILON).
            assert!(ulps_f64(e.ln_1p_unit::<true>(), exact) <= 4.0, "ln_1p({e})");
            assert!(ulps_f64(e.ln_1p_unit::<false>(), exact) <= 4.0, "ln_1p({e})");
            let y = e as f32;
            let rel = ((y.ln_1p_unit::<true>() - y.ln_1p()) / y.ln_1p().max(f32::MIN_POSITIVE)).abs();
            assert!(rel <= 4.0 * f32::EPSILON, "ln_1p({y}) f32: {rel}");
        }
    }
}
