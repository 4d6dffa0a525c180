//! How close two gradients are.

/// Euclidean norm `‖a‖`.
pub fn norm(a: &[f64]) -> f64 {
    a.iter().map(|v| v * v).sum::<f64>().sqrt()
}

/// The exercise's figure `‖a − b‖ / ‖a + b‖` (0 when both are zero).
///
/// # Panics
/// When the lengths differ.
pub fn relative_difference(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len(), "relative_difference: lengths differ");
    let diff: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - y).collect();
    let sum: Vec<f64> = a.iter().zip(b).map(|(x, y)| x + y).collect();
    let denominator = norm(&sum);
    if denominator == 0.0 { norm(&diff) } else { norm(&diff) / denominator }
}

/// Entries of a gradient below this fraction of its largest entry are compared on that
/// scale (see [`max_relative_error`]).
pub const SMALL_ENTRY_FRACTION: f64 = 1e-2;

/// The largest element-wise relative error between two gradients:
///
/// ```text
/// maxᵢ |aᵢ − bᵢ| / max(|aᵢ|, |bᵢ|, 0.01 · max(‖a‖∞, ‖b‖∞))
/// ```
/// Entries equal on both sides (zeros included) count as 0. The floor matters only for entries
/// a hundred times smaller than the largest: such an entry is a sum of much larger terms of both
/// signs over all examples (and, with lambda, the regularization term), so two correct
/// summations in different orders already differ by about 1e-16 of those terms, which can be
/// 1e-11 of the entry itself. [`max_raw_relative_error`] gives the figure without the floor.
///
/// # Panics
/// When the lengths differ.
pub fn max_relative_error(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len(), "max_relative_error: lengths differ");
    let floor = small_entry_floor(a, b);
    a.iter().zip(b).map(|(&x, &y)| element_error(x, y, floor)).fold(0.0, f64::max)
}

/// The scale below which [`max_relative_error`] compares entries: [`SMALL_ENTRY_FRACTION`] of
/// the largest entry of either side.
pub(crate) fn small_entry_floor(a: &[f64], b: &[f64]) -> f64 {
    SMALL_ENTRY_FRACTION * largest(a).max(largest(b))
}

/// One entry's relative error as [`max_relative_error`] measures it: `|x − y| / max(|x|, |y|,
/// floor)`, 0 when the two are equal.
pub(crate) fn element_error(x: f64, y: f64, floor: f64) -> f64 {
    if x == y { 0.0 } else { (x - y).abs() / x.abs().max(y.abs()).max(floor) }
}

/// `maxᵢ |aᵢ − bᵢ| / max(|aᵢ|, |bᵢ|)` with no floor; entries equal on both sides count as 0.
///
/// # Panics
/// When the lengths differ.
pub fn max_raw_relative_error(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len(), "max_raw_relative_error: lengths differ");
    a.iter().zip(b).map(|(&x, &y)| if x == y { 0.0 } else { (x - y).abs() / x.abs().max(y.abs()) }).fold(0.0, f64::max)
}

fn largest(a: &[f64]) -> f64 {
    a.iter().fold(0.0, |m, v| m.max(v.abs()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures() {
        assert_eq!(relative_difference(&[1.0, 2.0], &[1.0, 2.0]), 0.0);
        assert!((relative_difference(&[1.0, 0.0], &[0.0, 1.0]) - 1.0).abs() < 1e-15);
        assert_eq!(max_relative_error(&[0.0, 2.0], &[0.0, 1.0]), 0.5);
        // A tiny entry is compared on 1% of the largest entry's scale.
        assert_eq!(max_relative_error(&[1.0, 1e-6], &[1.0, 2e-6]), 1e-6 / 1e-2);
        assert_eq!(max_raw_relative_error(&[1.0, 1e-6], &[1.0, 2e-6]), 0.5);
        assert_eq!(norm(&[3.0, 4.0]), 5.0);
    }
}
