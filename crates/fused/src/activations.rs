//! The hidden layers' activations `g` and their derivatives, for the
//! [`general`](crate::general) path: the sigmoid (the exercise's, [`kernels`](crate::kernels)'),
//! `tanh` and the ReLU. Each is branch-free so that its loop vectorizes like the exercise's sigmoid: `tanh`
//! from [`real`](crate::real)'s `expm1` (the standard library's `tanh` is a call into libm, one
//! value at a time: with it, a whole 400-100-10 tanh evaluation in f64 took 1.43-1.64x as
//! long, alternated runs on `ex4data1.mat`), the ReLU a comparison. The derivative is taken from the activation's
//! value `a = g(z)`, which every layer keeps, so that `z` can be overwritten by `δ`:
//!
//! ```text
//! sigmoid   g(z) = 1 / (1 + e^−z)     g'(z) = a (1 − a)
//! tanh      g(z) = tanh z             g'(z) = 1 − a²
//! relu      g(z) = max(z, 0)          g'(z) = 1 where a > 0, else 0 (0 at the kink z = 0)
//! ```
//!
//! Each is applied where a product's result is stored ([`thin::backward`](crate::thin::backward)
//! on vectors), or by [`times_gradient`] after a `gemm`.

use crate::isa::Vector;
use crate::kernels::sigmoid;
use crate::real::Real;

/// A hidden layer's activation: its value, and its derivative times the back-propagated sum.
pub(crate) trait Hidden {
    /// `g(z)`.
    fn value<T: Real, const FMA: bool>(z: T) -> T;
    /// `delta · g'(z)`, from `a = g(z)`.
    fn times_gradient<T: Real>(delta: T, a: T) -> T;
    /// `sum · g'(z)` lane by lane, from `a = g(z)`, rounded as
    /// [`times_gradient`](Hidden::times_gradient) rounds it when `V` fuses nothing it does not.
    ///
    /// # Safety
    /// The CPU runs `V`'s instruction set.
    unsafe fn times_gradient_vector<T: Real, V: Vector<T>>(sum: V, a: V) -> V;
}

/// The exercise's sigmoid.
pub(crate) struct Sigmoid;
/// The hyperbolic tangent.
pub(crate) struct Tanh;
/// The rectified linear unit.
pub(crate) struct Relu;

impl Hidden for Sigmoid {
    #[inline(always)]
    fn value<T: Real, const FMA: bool>(z: T) -> T {
        sigmoid::<T, FMA>(z)
    }
    #[inline(always)]
    fn times_gradient<T: Real>(delta: T, a: T) -> T {
        delta * (a * (T::ONE - a))
    }
    /// `sum · (a (1 − a))`, `1 − a` one multiply-add: the exercise path's rounding.
    #[inline(always)]
    unsafe fn times_gradient_vector<T: Real, V: Vector<T>>(sum: V, a: V) -> V {
        // SAFETY: the caller guarantees the instruction set.
        unsafe {
            let (one, minus_one) = (V::splat(T::ONE), V::splat(T::ZERO - T::ONE));
            sum.mul(a.mul(one.madd(a, minus_one)))
        }
    }
}

impl Hidden for Tanh {
    /// `tanh |z| = −m / (2 + m)` with `m = e^{−2|z|} − 1` (in `(−1, 0]`, from `expm1`, so that
    /// small `z` keep every digit), and the sign of `z`; never overflows.
    #[inline(always)]
    fn value<T: Real, const FMA: bool>(z: T) -> T {
        let magnitude = z.abs();
        let m = (T::ZERO - (magnitude + magnitude)).expm1_nonpositive::<FMA>();
        let t = (T::ZERO - m) / (T::from_f64(2.0) + m);
        if z >= T::ZERO { t } else { T::ZERO - t }
    }
    #[inline(always)]
    fn times_gradient<T: Real>(delta: T, a: T) -> T {
        delta * (T::ONE - a * a)
    }
    #[inline(always)]
    unsafe fn times_gradient_vector<T: Real, V: Vector<T>>(sum: V, a: V) -> V {
        // SAFETY: the caller guarantees the instruction set.
        unsafe {
            let (one, minus_one) = (V::splat(T::ONE), V::splat(T::ZERO - T::ONE));
            sum.mul(one.madd(a, a.mul(minus_one)))
        }
    }
}

impl Hidden for Relu {
    #[inline(always)]
    fn value<T: Real, const FMA: bool>(z: T) -> T {
        if z > T::ZERO { z } else { T::ZERO }
    }
    #[inline(always)]
    fn times_gradient<T: Real>(delta: T, a: T) -> T {
        if a > T::ZERO { delta } else { T::ZERO }
    }
    #[inline(always)]
    unsafe fn times_gradient_vector<T: Real, V: Vector<T>>(sum: V, a: V) -> V {
        // SAFETY: the caller guarantees the instruction set.
        unsafe { sum.where_positive(a) }
    }
}

/// `a = g(z)`, element by element.
#[inline(always)]
pub(crate) fn activate<A: Hidden, T: Real, const FMA: bool>(a: &mut [T], z: &[T]) {
    for (a, &z) in a.iter_mut().zip(z) {
        *a = A::value::<T, FMA>(z);
    }
}

/// `delta = delta .* g'(z)`, from `a = g(z)`, element by element.
#[inline(always)]
pub(crate) fn times_gradient<A: Hidden, T: Real>(delta: &mut [T], a: &[T]) {
    for (d, &a) in delta.iter_mut().zip(a) {
        *d = A::times_gradient(*d, a);
    }
}

/// `$body` with `$a` the type of `activation` ([`data::Activation`]), so that the loops in
/// `$body` are compiled for each and the choice is made once, outside them.
macro_rules! with_hidden {
    ($activation:expr, $a:ident => $body:expr) => {
        match $activation {
            data::Activation::Sigmoid => {
                type $a = $crate::activations::Sigmoid;
                $body
            }
            data::Activation::Tanh => {
                type $a = $crate::activations::Tanh;
                $body
            }
            data::Activation::Relu => {
                type $a = $crate::activations::Relu;
                $body
            }
        }
    };
}
pub(crate) use with_hidden;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tanh_matches_the_standard_library() {
        let mut samples: Vec<f64> = (0..=200_000).map(|i| (i as f64 - 100_000.0) / 5_000.0).collect();
        samples.extend((0..1075).flat_map(|i| [2f64.powi(-i), -(2f64.powi(-i))]));
        samples.extend([0.0, -0.0, 400.0, -800.0, f64::MAX, f64::NEG_INFINITY]);
        for z in samples {
            let (got, exact) = (Tanh::value::<f64, true>(z), z.tanh());
            // Within 4 units of the result's last place (measured: at most 2.9, in f32 2.2), with
            // its sign (but for zero's).
            let ulps = (got - exact).abs() / (exact.abs() * f64::EPSILON).max(f64::MIN_POSITIVE);
            assert!(ulps <= 4.0 && (got < 0.0) == (exact < 0.0), "tanh({z}): {got} vs {exact}");
            assert!((Tanh::value::<f64, false>(z) - exact).abs() <= 4.0 * exact.abs() * f64::EPSILON, "tanh({z})");
            let y = z as f32;
            let rel = (Tanh::value::<f32, true>(y) - y.tanh()).abs() / y.tanh().abs().max(f32::MIN_POSITIVE);
            assert!(rel <= 4.0 * f32::EPSILON, "tanh({y}) f32: {rel}");
        }
    }

    #[test]
    fn the_derivatives_are_the_activations_slopes() {
        // g'(z) from a = g(z) against a central difference of g.
        for z in [-3.0, -0.7, -1e-3, 0.2, 1.5, 4.0] {
            let slope = |g: fn(f64) -> f64| (g(z + 1e-6) - g(z - 1e-6)) / 2e-6;
            let close = |derivative: f64, g: fn(f64) -> f64| (derivative - slope(g)).abs() < 1e-8;
            assert!(close(Sigmoid::times_gradient(1.0, Sigmoid::value::<f64, true>(z)), |z| 1.0 / (1.0 + (-z).exp())));
            assert!(close(Tanh::times_gradient(1.0, Tanh::value::<f64, true>(z)), f64::tanh));
            assert!(close(Relu::times_gradient(1.0, Relu::value::<f64, true>(z)), |z| z.max(0.0)));
        }
        // ReLU's derivative at the kink is 0, and so is a saturated sigmoid's.
        assert_eq!(Relu::times_gradient(5.0, Relu::value::<f64, true>(0.0)), 0.0);
        assert_eq!(Sigmoid::times_gradient(5.0, Sigmoid::value::<f64, true>(800.0)), 0.0);
    }
}
