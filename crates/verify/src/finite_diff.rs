//! Central finite differences (the exercise's `computeNumericalGradient`), and their honest
//! use on ReLU networks: a stencil that crosses the kink is detected and left out.

use data::Activation;
use manual::NnCost;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// The exercise's perturbation `ε = 1e-4`.
pub const DEFAULT_EPSILON: f64 = 1e-4;

/// The step of the finite-difference checks on the full 400-25-10 network and on the networks
/// of every depth and activation. At 1e-4 the `O(ε²)` truncation error on the full network is
/// about 3e-9 of the gradient (measured: 2.6e-9 at lambda 0, 3.7e-9 at lambda 1), and on the
/// small tanh networks 1.2e-9 to 1.3e-9 (tanh's third derivative at 0 is −2, the sigmoid's
/// −1/8); at 1e-5 it is a hundred times smaller, and term-by-term differencing
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

/// Central differences of a network's cost at some coordinates, with the coordinates whose
/// stencil crossed ReLU's kink left out.
#[derive(Clone, Debug, PartialEq)]
pub struct FiniteDifferences {
    /// The coordinates compared, in the order asked.
    pub coordinates: Vec<usize>,
    /// `∂J/∂θᵢ ≈ (J(θ + ε eᵢ) − J(θ − ε eᵢ)) / 2ε` at each of them.
    pub numerical: Vec<f64>,
    /// The coordinates left out: moving `θᵢ` from `θᵢ − ε` to `θᵢ + ε` changes the sign of some
    /// hidden unit's input `z` on some example, so the cost is not differentiable inside the
    /// stencil and the central difference averages two slopes.
    pub skipped: Vec<usize>,
    /// The central differences at the skipped coordinates, kept apart: what would have been
    /// averaged in.
    pub at_kinks: Vec<f64>,
}

/// True when the stencil of coordinate `i` crosses a kink of `objective`'s activation: some
/// hidden unit's input `z` has another sign at `θ + ε eᵢ` than at `θ − ε eᵢ` (a `z` exactly 0
/// at either end counts as crossing). Only ReLU has a kink; for sigmoid and tanh this is false
/// without computing anything.
fn stencil_crosses_kink(objective: &NnCost, params: &[f64], i: usize, epsilon: f64) -> bool {
    if objective.architecture().activation != Activation::Relu {
        return false;
    }
    let (mut plus, mut minus) = (params.to_vec(), params.to_vec());
    plus[i] += epsilon;
    minus[i] -= epsilon;
    let (above, below) = (objective.hidden_inputs(&plus), objective.hidden_inputs(&minus));
    above.iter().zip(&below).any(|(a, b)| {
        a.as_slice().iter().zip(b.as_slice()).any(|(&za, &zb)| za == 0.0 || zb == 0.0 || (za > 0.0) != (zb > 0.0))
    })
}

/// Central differences of `objective` (subtracted term by term, `NnCost::cost_difference`) at
/// `coordinates`, step `epsilon`, leaving out each stencil that crosses a kink
/// ([`stencil_crosses_kink`]): they are counted in [`FiniteDifferences::skipped`], never
/// averaged in.
pub fn finite_differences(
    objective: &NnCost,
    params: &[f64],
    coordinates: &[usize],
    epsilon: f64,
) -> FiniteDifferences {
    let (smooth, skipped): (Vec<usize>, Vec<usize>) =
        coordinates.iter().partition(|&&i| !stencil_crosses_kink(objective, params, i, epsilon));
    let difference = |a: &[f64], b: &[f64]| objective.cost_difference(a, b);
    let numerical = numerical_gradient(difference, params, epsilon, Some(&smooth));
    let at_kinks = numerical_gradient(difference, params, epsilon, Some(&skipped));
    FiniteDifferences { coordinates: smooth, numerical, skipped, at_kinks }
}

/// `count` coordinates of each weight matrix of a network of `sizes` (all of a matrix's when
/// it has no more), reproducible from `seed`, in unrolled order: a sample that reaches every
/// layer however small, unlike [`sample_coordinates`] over the whole vector.
pub fn sample_per_matrix(sizes: &data::LayerSizes, count: usize, seed: u64) -> Vec<usize> {
    let offsets = sizes.offsets();
    offsets
        .windows(2)
        .enumerate()
        .flat_map(|(l, w)| {
            sample_coordinates(w[1] - w[0], count, seed.wrapping_add(l as u64)).into_iter().map(move |i| w[0] + i)
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
    fn a_per_matrix_sample_reaches_every_matrix() {
        let sizes = data::LayerSizes::with_hidden(400, &[100, 25], 10);
        let picked = sample_per_matrix(&sizes, 50, 3);
        let offsets = sizes.offsets();
        assert_eq!(picked.len(), 150);
        for w in offsets.windows(2) {
            assert_eq!(picked.iter().filter(|&&i| w[0] <= i && i < w[1]).count(), 50);
        }
        assert!(picked.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(sample_per_matrix(&data::LayerSizes::new(3, 2, 2), 50, 0).len(), 8 + 6);
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
