//! The softmax output layer of a block, for the [`general`](crate::general) path: the
//! cross-entropy of the true label and the output's `δ` in one call, from the logits, by the
//! max-subtracted log-sum-exp, so that nothing overflows however large the logits:
//!
//! ```text
//! c_i = max_j z[i, j]                       (e^(z − c) ≤ 1, and the largest is exactly 1)
//! s_i = Σ_j e^(z[i, j] − c_i)               (in [1, K])
//! J_i = −log softmax(z_i)[y_i] = ln s_i − (z[i, y_i] − c_i)
//! δ[i, j] = e^(z[i, j] − c_i) / s_i − [j = y_i]
//! ```
//!
//! The exponentials and logarithms run over the whole block at once, with
//! [`real`](crate::real)'s branch-free `exp` and `ln`, so that they vectorize; only the row
//! maxima and sums go row by row.

use crate::real::Real;

/// The softmax output layer of a block, over `z` (`[rows, K]`, `units` the output unit of each
/// row's label): returns `Σ_i J_i` (in f64) and writes `δ = softmax(z) − y` over `z`. `e`
/// (`z`'s size), `sums` and `logs` (`rows` each) are scratch.
#[inline(always)]
pub(crate) fn output_layer<T: Real, const FMA: bool>(
    z: &mut [T],
    units: &[usize],
    e: &mut [T],
    sums: &mut [T],
    logs: &mut [T],
) -> f64 {
    let k = z.len() / units.len();
    // z − c, in place.
    for row in z.chunks_exact_mut(k) {
        let max = row.iter().fold(row[0], |max, &v| if v > max { v } else { max });
        for v in row.iter_mut() {
            *v = *v - max;
        }
    }
    for (e, &shifted) in e.iter_mut().zip(z.iter()) {
        *e = shifted.exp_nonpositive::<FMA>();
    }
    for (sum, row) in sums.iter_mut().zip(e.chunks_exact(k)) {
        *sum = row.iter().fold(T::ZERO, |sum, &v| sum + v);
    }
    for (log, &sum) in logs.iter_mut().zip(sums.iter()) {
        *log = sum.ln_at_least_one::<FMA>();
    }
    let mut loss = 0.0;
    for (((row, e_row), &unit), (&sum, &log)) in
        z.chunks_exact_mut(k).zip(e.chunks_exact(k)).zip(units).zip(sums.iter().zip(logs.iter()))
    {
        loss += log.to_f64() - row[unit].to_f64();
        for (delta, &e) in row.iter_mut().zip(e_row) {
            *delta = e / sum;
        }
        row[unit] = row[unit] - T::ONE;
    }
    loss
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cost_and_delta_match_the_definition_and_stay_finite() {
        let (k, z): (usize, Vec<f64>) = (3, vec![0.5, -1.0, 2.0, 800.0, -800.0, 0.0, -1000.0, -1001.0, -999.0]);
        let units = [2, 1, 0];
        let (mut delta, mut e) = (z.clone(), vec![0.0; 9]);
        let (mut sums, mut logs) = (vec![0.0; 3], vec![0.0; 3]);
        let loss = output_layer::<f64, true>(&mut delta, &units, &mut e, &mut sums, &mut logs);
        let mut want = 0.0;
        for (i, &unit) in units.iter().enumerate() {
            let row = &z[i * k..(i + 1) * k];
            let max = row.iter().cloned().fold(f64::MIN, f64::max);
            let sum: f64 = row.iter().map(|v| (v - max).exp()).sum();
            want += max + sum.ln() - row[unit];
            for j in 0..k {
                let p = (row[j] - max).exp() / sum;
                let y = if j == unit { 1.0 } else { 0.0 };
                assert!((delta[i * k + j] - (p - y)).abs() <= 1e-15, "δ[{i}, {j}]");
            }
        }
        assert!(loss.is_finite() && (loss - want).abs() <= 1e-12 * want, "{loss} vs {want}");
        // The second row's true label has a logit 1600 below the largest: its cost is 1600.
        assert!(want > 1600.0);
    }
}
