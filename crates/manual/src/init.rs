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

/// How wide the uniform draws of the initial weights are.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Init {
    /// The exercise's `randInitializeWeights`: every `Theta_l` in `[−ε, ε]`.
    Uniform(f64),
    /// `Theta_l` in `[−ε_l, ε_l]` with `ε_l = √6 / √(s_l + s_{l+1})` ([`init_epsilon`]): each
    /// layer's own rule of thumb, so that deep layers of different widths start alike.
    PerLayer,
}

impl Init {
    /// The exercise's `Uniform(0.12)` ([`DEFAULT_INIT_EPSILON`]) for one hidden layer;
    /// [`Init::PerLayer`] for deeper networks.
    pub fn default_for(sizes: &LayerSizes) -> Init {
        if sizes.depth() == 1 { Init::Uniform(DEFAULT_INIT_EPSILON) } else { Init::PerLayer }
    }

    /// `ε` of the weights from `l_in` units to `l_out` units.
    fn epsilon(self, l_in: usize, l_out: usize) -> f64 {
        match self {
            Init::Uniform(epsilon) => epsilon,
            Init::PerLayer => init_epsilon(l_in, l_out),
        }
    }
}

/// `randInitializeWeights(L_in, L_out)`: an `L_out x (1 + L_in)` matrix of weights drawn
/// uniformly from `[−ε, ε]`, row by row, bias column included.
pub fn rand_initialize_weights(l_in: usize, l_out: usize, epsilon: f64, rng: &mut ChaCha8Rng) -> Matrix {
    Matrix::from_fn(l_out, l_in + 1, |_, _| rng.random_range(-epsilon..=epsilon))
}

/// Unrolled random weights for a network of `sizes`, reproducible from `seed` (ChaCha8): one
/// generator draws `Theta1` row by row, then `Theta2`, ..., then `ThetaL`, each within the
/// bounds `init` gives it.
pub fn random_params(sizes: &LayerSizes, init: Init, seed: u64) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let thetas: Vec<Matrix> = sizes
        .layers()
        .windows(2)
        .map(|w| rand_initialize_weights(w[0], w[1], init.epsilon(w[0], w[1]), &mut rng))
        .collect();
    unroll(&thetas)
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
        let init = Init::Uniform(0.12);
        let a = random_params(&sizes, init, 7);
        assert_eq!(a.len(), 10285);
        assert!(a.iter().all(|v| v.abs() <= 0.12));
        assert_eq!(a, random_params(&sizes, init, 7));
        assert_ne!(a, random_params(&sizes, init, 8));
        let mean = a.iter().sum::<f64>() / a.len() as f64;
        assert!(mean.abs() < 0.01, "mean {mean}");
        assert!(a.iter().any(|&v| v > 0.11) && a.iter().any(|&v| v < -0.11));
    }

    #[test]
    fn epsilon_rule() {
        assert!((init_epsilon(400, 25) - 0.1188).abs() < 1e-4);
    }

    #[test]
    fn uniform_draws_on_the_exercise_network_are_unchanged() {
        // The exercise's draws (seed 0, ε = 0.12), bit for bit: every figure of the default run
        // depends on them.
        let sizes = LayerSizes::new(400, 25, 10);
        let params = random_params(&sizes, Init::Uniform(DEFAULT_INIT_EPSILON), 0);
        let want = [0.0501780997023748, 0.04797525671313854, -0.09635089097304567, 0.0959924579348479];
        assert_eq!(params[..4], want);
        assert_eq!(params[10025], -0.045264670771444276); // Theta2(1, 1)
        assert_eq!(params[10284], 0.013352539652428358); // Theta2(10, 26)
        assert_eq!(Init::default_for(&sizes), Init::Uniform(0.12));
    }

    #[test]
    fn deeper_networks_draw_theta1_first_and_each_layer_in_its_own_bounds() {
        let sizes = LayerSizes::with_hidden(400, &[100, 25], 10);
        assert_eq!(Init::default_for(&sizes), Init::PerLayer);
        assert_eq!(Init::default_for(&LayerSizes::new(4, 5, 3)), Init::Uniform(DEFAULT_INIT_EPSILON));

        let params = random_params(&sizes, Init::PerLayer, 3);
        let offsets = sizes.offsets();
        for (l, w) in sizes.layers().windows(2).enumerate() {
            let epsilon = init_epsilon(w[0], w[1]);
            let theta = &params[offsets[l]..offsets[l + 1]];
            let largest = theta.iter().fold(0f64, |a, v| a.max(v.abs()));
            assert!(largest <= epsilon && largest > 0.95 * epsilon, "Theta{}: largest {largest}, ε {epsilon}", l + 1);
        }
        // ε_2 = √6/√125 ≈ 0.219 and ε_3 = √6/√35 ≈ 0.414, beyond the exercise's 0.12.
        assert!(params[offsets[2]..].iter().any(|v| v.abs() > 0.3));

        // One generator, Theta1 first: the same Theta1 whatever follows it.
        let uniform = Init::Uniform(0.12);
        let one = random_params(&LayerSizes::new(400, 100, 10), uniform, 5);
        let two = random_params(&sizes, uniform, 5);
        assert_eq!(one[..offsets[1]], two[..offsets[1]]);
        assert!(two.iter().all(|v| v.abs() <= 0.12));
    }
}
