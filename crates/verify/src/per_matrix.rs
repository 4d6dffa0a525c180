//! Gradients compared weight matrix by weight matrix: for each `Theta_l`, the exercise's
//! relative difference over its entries and the entry that disagrees most, named as Octave
//! names it (`Theta2(3, 1)`, column 1 being the bias).

use data::{LayerSizes, theta_name};
use serde::Serialize;

use crate::compare::{element_error, relative_difference, small_entry_floor};

/// How one weight matrix's gradient compares with a reference.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MatrixComparison {
    /// `Theta1`, `Theta2`, ...
    pub matrix: String,
    /// Entries compared.
    pub compared: usize,
    /// Entries left out: finite-difference stencils that cross ReLU's kink (see
    /// [`crate::finite_differences`]); 0 in every other comparison.
    pub skipped: usize,
    /// The exercise's `‖a − b‖ / ‖a + b‖` over the entries compared.
    pub relative_difference: f64,
    /// The largest element-wise relative error there, as [`crate::max_relative_error`] defines
    /// it (the small-entry floor taken over the whole gradient compared), and where it is.
    pub largest: Option<Entry>,
}

/// One entry of a gradient, on both sides of a comparison.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Entry {
    /// Row, counted from 1 as in Octave.
    pub row: usize,
    /// Column, counted from 1 as in Octave (column 1 is the bias).
    pub col: usize,
    /// The reference's value (finite differences, autodiff, the other backend).
    pub reference: f64,
    /// The tested value (the hand-written backpropagation).
    pub tested: f64,
    /// Its relative error.
    pub relative_error: f64,
}

impl MatrixComparison {
    /// The largest element-wise relative error, 0 when nothing was compared.
    pub fn max_relative_error(&self) -> f64 {
        self.largest.as_ref().map_or(0.0, |e| e.relative_error)
    }

    /// `Theta2(3, 1): 1.234e-3 vs 1.234e-3`, or `Theta2: nothing compared`.
    pub fn location(&self) -> String {
        match &self.largest {
            Some(e) => format!("{}({}, {}): {:.6e} vs {:.6e}", self.matrix, e.row, e.col, e.tested, e.reference),
            None => format!("{}: nothing compared", self.matrix),
        }
    }
}

/// Where unrolled index `i` lies: the matrix `l` (from 0) and its row and column (from 0). The
/// unrolled vector is `[Theta1(:); ...; ThetaL(:)]`, each matrix column-major.
pub fn locate(sizes: &LayerSizes, i: usize) -> (usize, usize, usize) {
    Positions::of(sizes).locate(i)
}

/// Where each matrix starts in the unrolled vector, and its rows: what [`locate`] needs, worked
/// out once for a whole gradient.
struct Positions {
    offsets: Vec<usize>,
    rows: Vec<usize>,
}

impl Positions {
    fn of(sizes: &LayerSizes) -> Self {
        Self { offsets: sizes.offsets(), rows: sizes.theta_shapes().iter().map(|&(rows, _)| rows).collect() }
    }

    fn locate(&self, i: usize) -> (usize, usize, usize) {
        let l = self.offsets.windows(2).position(|w| i < w[1]).expect("index within the parameters");
        let within = i - self.offsets[l];
        (l, within % self.rows[l], within / self.rows[l])
    }
}

/// Compares `tested` with `reference` entry by entry, per weight matrix. `coordinates` are the
/// unrolled indices the two slices hold, in the same order (every index when the slices hold
/// the whole gradient); `skipped` the indices left out of the comparison, counted per matrix.
///
/// # Panics
/// When the lengths of `coordinates`, `reference` and `tested` differ.
pub fn per_matrix(
    sizes: &LayerSizes,
    coordinates: &[usize],
    reference: &[f64],
    tested: &[f64],
    skipped: &[usize],
) -> Vec<MatrixComparison> {
    assert!(coordinates.len() == reference.len() && reference.len() == tested.len(), "per_matrix: lengths differ");
    let positions = Positions::of(sizes);
    let floor = small_entry_floor(reference, tested);
    // Per matrix: the reference's entries, the tested ones, the worst, the count skipped.
    type Gathered = (Vec<f64>, Vec<f64>, Option<Entry>, usize);
    let mut matrices: Vec<Gathered> = (0..sizes.num_thetas()).map(|_| (Vec::new(), Vec::new(), None, 0)).collect();
    for ((&i, &r), &t) in coordinates.iter().zip(reference).zip(tested) {
        let (l, row, col) = positions.locate(i);
        let error = element_error(r, t, floor);
        let (refs, tests, worst, _) = &mut matrices[l];
        refs.push(r);
        tests.push(t);
        if worst.as_ref().is_none_or(|w: &Entry| error > w.relative_error) {
            *worst = Some(Entry { row: row + 1, col: col + 1, reference: r, tested: t, relative_error: error });
        }
    }
    for &i in skipped {
        matrices[positions.locate(i).0].3 += 1;
    }
    matrices
        .into_iter()
        .enumerate()
        .map(|(l, (refs, tests, largest, skipped))| MatrixComparison {
            matrix: theta_name(l + 1),
            compared: refs.len(),
            skipped,
            relative_difference: if refs.is_empty() { 0.0 } else { relative_difference(&refs, &tests) },
            largest,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indices_are_located_column_major_matrix_by_matrix() {
        let sizes = LayerSizes::with_hidden(2, &[3], 2); // Theta1 3x3 (9), Theta2 2x4 (8)
        assert_eq!(locate(&sizes, 0), (0, 0, 0));
        assert_eq!(locate(&sizes, 4), (0, 1, 1));
        assert_eq!(locate(&sizes, 8), (0, 2, 2));
        assert_eq!(locate(&sizes, 9), (1, 0, 0));
        assert_eq!(locate(&sizes, 16), (1, 1, 3));
    }

    #[test]
    fn the_worst_entry_of_each_matrix_is_named_and_skips_are_counted() {
        let sizes = LayerSizes::with_hidden(2, &[3], 2);
        let all: Vec<usize> = (0..17).collect();
        let reference: Vec<f64> = (0..17).map(|i| 1.0 + i as f64).collect();
        let mut tested = reference.clone();
        tested[4] *= 1.0 + 1e-6; // Theta1(2, 2)
        tested[15] *= 1.0 - 1e-3; // Theta2(1, 4): index 6 of the 2x4 Theta2, column-major
        let found = per_matrix(&sizes, &all, &reference, &tested, &[3, 10, 11]);
        assert_eq!(found.len(), 2);
        assert_eq!((found[0].matrix.as_str(), found[0].compared, found[0].skipped), ("Theta1", 9, 1));
        let worst = found[0].largest.clone().unwrap();
        assert_eq!((worst.row, worst.col, worst.reference), (2, 2, 5.0));
        assert!((worst.relative_error - 1e-6 / (1.0 + 1e-6)).abs() < 1e-15, "{worst:?}");
        assert_eq!(found[1].location(), format!("Theta2(1, 4): {:.6e} vs 1.600000e1", 16.0 * (1.0 - 1e-3)));
        assert_eq!(found[1].skipped, 2);
        assert!(found[1].max_relative_error() > 9e-4 && found[0].relative_difference < 1e-6);
    }
}
