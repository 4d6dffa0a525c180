//! Central finite differences (the exercise's `computeNumericalGradient`).

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// The exercise's perturbation `ε = 1e-4`.
pub const DEFAULT_EPSILON: f64 = 1e-4;

/// The step of the finite-difference check on the full 400-25-10 network. At 1e-4 the
/// `O(ε²)` truncation error there is about 3e-9 of the gradient (measured: 2.6e-9 at lambda 0,
/// 3.7e-9 at lambda 1); at 1e-5 it is about 1e-10, and term-by-term differencing
/// (`NnCost::cost_difference`) keeps the rounding error below that.
pub const FULL_NETWORK_EPSILON: f64 = 1e-5;

/// Central differences for each coordinate `i` in `coordinates` (all of them when `None`), in
/// that order:
///
/// ```text
/// ∂J/∂θᵢ ≈ (J(θ + ε eᵢ) − J(θ − ε eᵢ)) / (2ε)
/// ```
/// `difference(a, b)` returns `J(a) − J(b)`; pass `|a, b| cost(a) − cost(b)` for any cost, or
/// a function that subtracts term by term (`NnCost::cost_difference`), whose rounding error is
/// relative to the difference rather than to `J`. The truncation error is `O(ε²)`.
pub fn numerical_gradient(
    difference: impl Fn(&[f64], &[f64]) -> f64,
    params: &[f64],
    epsilon: f64,
    coordinates: Option<&[usize]>,
) -> Vec<f64> {
    let all: Vec<usize>;
    let coordinates = match coordinates {
        Some(c) => c,
        None => {
            all = (0..params.len()).collect();
            &all
        }
    };
    let mut plus = params.to_vec();
    let mut minus = params.to_vec();
    coordinates
        .iter()
        .map(|&i| {
            plus[i] = params[i] + epsilon;
            minus[i] = params[i] - epsilon;
            let derivative = difference(&plus, &minus) / (2.0 * epsilon);
            plus[i] = params[i];
            minus[i] = params[i];
            derivative
        })
        .collect()
}

/// `count` distinct coordinates out of `0..len` (all when `count >= len`), sorted, reproducible
/// from `seed`.
pub fn sample_coordinates(len: usize, count: usize, seed: u64) -> Vec<usize> {
    if count >= len {
        return (0..len).collect();
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut picked = rand::seq::index::sample(&mut rng, len, count).into_vec();
    picked.sort_unstable();
    picked
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gradient_of_a_quadratic() {
        let f = |p: &[f64]| p[0] * p[0] + 3.0 * p[1];
        let g = numerical_gradient(|a, b| f(a) - f(b), &[2.0, 5.0], 1e-4, None);
        assert!((g[0] - 4.0).abs() < 1e-8 && (g[1] - 3.0).abs() < 1e-8, "{g:?}");
    }

    #[test]
    fn sampled_coordinates_are_distinct_and_seeded() {
        let a = sample_coordinates(10285, 200, 1);
        assert_eq!(a.len(), 200);
        assert!(a.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(a, sample_coordinates(10285, 200, 1));
        assert_ne!(a, sample_coordinates(10285, 200, 2));
    }
}
