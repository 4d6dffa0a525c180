//! Initial weights: random (symmetry breaking) and the exercise's deterministic debug weights.

use data::{LayerSizes, Matrix};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::unroll;

/// The exercise's `epsilon_init`.
pub const DEFAULT_INIT_EPSILON: f64 = 0.12;

/// The rule of thumb `ε = √6 / √(L_in + L_out)` (0.12 for 400 inputs and 25 hidden units,
/// rounded).
pub fn init_epsilon(l_in: usize, l_out: usize) -> f64 {
    6f64.sqrt() / ((l_in + l_out) as f64).sqrt()
}

/// `randInitializeWeights(L_in, L_out)`: an `L_out x (1 + L_in)` matrix of weights drawn
/// uniformly from `[−ε, ε]`, bias column included.
pub fn rand_initialize_weights(l_in: usize, l_out: usize, epsilon: f64, rng: &mut ChaCha8Rng) -> Matrix {
    Matrix::from_fn(l_out, l_in + 1, |_, _| rng.random_range(-epsilon..=epsilon))
}

/// Unrolled random weights for a network of `sizes`, reproducible from `seed` (ChaCha8):
/// `Theta1` first, drawn row by row, then `Theta2`.
pub fn random_params(sizes: LayerSizes, epsilon: f64, seed: u64) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let theta1 = rand_initialize_weights(sizes.input, sizes.hidden, epsilon, &mut rng);
    let theta2 = rand_initialize_weights(sizes.hidden, sizes.labels, epsilon, &mut rng);
    unroll(&theta1, &theta2)
}

/// `debugInitializeWeights(fan_out, fan_in)`: a `fan_out x (1 + fan_in)` matrix filled
/// column-major with `sin(1), sin(2), ...` divided by 10. Deterministic, so gradient checks
/// give the same figures everywhere.
pub fn debug_initialize_weights(fan_out: usize, fan_in: usize) -> Matrix {
    let values: Vec<f64> = (1..=fan_out * (fan_in + 1)).map(|i| (i as f64).sin() / 10.0).collect();
    Matrix::from_column_major(fan_out, fan_in + 1, &values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_weights_fill_columns_with_sines() {
        let w = debug_initialize_weights(2, 2);
        assert_eq!(w.shape(), (2, 3));
        assert_eq!(w.get(0, 0), 1f64.sin() / 10.0);
        assert_eq!(w.get(1, 0), 2f64.sin() / 10.0);
        assert_eq!(w.get(0, 1), 3f64.sin() / 10.0);
        assert_eq!(w.get(1, 2), 6f64.sin() / 10.0);
    }

    #[test]
    fn random_weights_are_bounded_seeded_and_spread() {
        let sizes = LayerSizes::new(400, 25, 10);
        let a = random_params(sizes, 0.12, 7);
        assert_eq!(a.len(), 10285);
        assert!(a.iter().all(|v| v.abs() <= 0.12));
        assert_eq!(a, random_params(sizes, 0.12, 7));
        assert_ne!(a, random_params(sizes, 0.12, 8));
        let mean = a.iter().sum::<f64>() / a.len() as f64;
        assert!(mean.abs() < 0.01, "mean {mean}");
        assert!(a.iter().any(|&v| v > 0.11) && a.iter().any(|&v| v < -0.11));
    }

    #[test]
    fn epsilon_rule() {
        assert!((init_epsilon(400, 25) - 0.1188).abs() < 1e-4);
    }
}
