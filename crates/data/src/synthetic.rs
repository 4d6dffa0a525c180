//! A built-in digit set, drawn procedurally, for when the exercise's files are not there: the
//! whole pipeline can run on a fresh clone, and tests need no data.
//!
//! Each digit is a few strokes (polylines and arcs) in a unit box, distorted by a seeded random
//! affine map (rotation, scale, shear, shift), drawn with a random pen width and anti-aliased
//! into a 20x20 image, unrolled column-major like the exercise's files.

use std::f64::consts::PI;
use std::path::PathBuf;

use crate::conventions::{IMAGE_SIDE, NUM_LABELS, label_to_digit};
use crate::{Dataset, Matrix};

/// Where a synthetic set says it came from.
fn synthetic_source(count: usize, seed: u64) -> PathBuf {
    PathBuf::from(format!("synthetic digits (built in: {count} examples, seed {seed})"))
}

/// `count` synthetic digits: the same number of each digit (give or take one), in label order
/// like `ex4data1.mat` (label 1 first, label 10 = digit 0 last). The same `seed` gives the same
/// set on every machine.
pub fn synthetic_digits(count: usize, seed: u64) -> Dataset {
    let mut rng = SplitMix64(seed ^ 0x005E_EDD1_6175);
    let pixels = IMAGE_SIDE * IMAGE_SIDE;
    let mut x = Vec::with_capacity(count * pixels);
    let mut labels = Vec::with_capacity(count);
    for i in 0..count {
        let label = 1 + i * NUM_LABELS / count.max(1);
        let digit = label_to_digit(label);
        x.extend(draw_digit(digit, &mut rng));
        labels.push(label);
    }
    Dataset { x: Matrix::from_row_major(count, pixels, x), labels, source: synthetic_source(count, seed) }
}

/// A small, fast, seedable generator (SplitMix64); enough for distortions. Public (hidden) so
/// that the fuzzer draws from the same sequence.
#[doc(hidden)]
pub struct SplitMix64(pub u64);

impl SplitMix64 {
    /// The next value of the sequence.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[lo, hi)`.
    fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

type Stroke = Vec<(f64, f64)>;

/// Points along an ellipse centred at `(cx, cy)` from angle `a0` to `a1` (radians, 0 = right,
/// clockwise on screen since y grows downwards).
fn arc(cx: f64, cy: f64, rx: f64, ry: f64, a0: f64, a1: f64) -> Stroke {
    let steps = 16;
    (0..=steps)
        .map(|k| {
            let a = a0 + (a1 - a0) * k as f64 / steps as f64;
            (cx + rx * a.cos(), cy + ry * a.sin())
        })
        .collect()
}

/// The strokes of `digit` in the unit box (x to the right, y downwards).
fn strokes(digit: usize) -> Vec<Stroke> {
    match digit {
        0 => vec![arc(0.5, 0.5, 0.27, 0.38, 0.0, 2.0 * PI)],
        1 => vec![vec![(0.36, 0.25), (0.52, 0.1), (0.52, 0.9)]],
        2 => {
            let mut top = arc(0.5, 0.32, 0.24, 0.21, PI * 1.05, PI * 2.15);
            top.extend([(0.28, 0.88), (0.76, 0.88)]);
            vec![top]
        }
        3 => vec![arc(0.48, 0.3, 0.22, 0.19, PI * 1.1, PI * 2.5), arc(0.48, 0.69, 0.25, 0.21, PI * 1.5, PI * 2.9)],
        4 => vec![vec![(0.62, 0.9), (0.62, 0.1), (0.22, 0.64), (0.8, 0.64)]],
        5 => {
            let mut s = vec![(0.74, 0.12), (0.34, 0.12), (0.3, 0.46)];
            s.extend(arc(0.5, 0.65, 0.25, 0.23, PI * 1.25, PI * 2.8));
            vec![s]
        }
        6 => vec![arc(0.72, 0.62, 0.42, 0.5, PI * 1.35, PI * 1.0), arc(0.5, 0.67, 0.22, 0.21, 0.0, 2.0 * PI)],
        7 => vec![vec![(0.24, 0.12), (0.76, 0.12), (0.42, 0.9)]],
        8 => vec![arc(0.5, 0.29, 0.18, 0.18, 0.0, 2.0 * PI), arc(0.5, 0.69, 0.22, 0.21, 0.0, 2.0 * PI)],
        _ => vec![arc(0.48, 0.32, 0.2, 0.2, 0.0, 2.0 * PI), vec![(0.68, 0.32), (0.6, 0.9)]],
    }
}

/// One distorted, anti-aliased image of `digit`, unrolled column-major, values in `[0, 1]`.
fn draw_digit(digit: usize, rng: &mut SplitMix64) -> Vec<f64> {
    let side = IMAGE_SIDE as f64;
    let angle = rng.uniform(-0.22, 0.22);
    let scale = rng.uniform(0.72, 0.95);
    let stretch = rng.uniform(0.85, 1.1);
    let shear = rng.uniform(-0.2, 0.2);
    let (dx, dy) = (rng.uniform(-0.07, 0.07), rng.uniform(-0.07, 0.07));
    let pen = rng.uniform(0.6, 1.3); // half width, in pixels
    let (sin, cos) = angle.sin_cos();
    // Unit box to pixels: centre, shear, stretch, rotate, scale, shift back to the centre.
    let map = |(u, v): (f64, f64)| {
        let (x, y) = (u - 0.5 + shear * (v - 0.5), (v - 0.5) * stretch);
        let (x, y) = (cos * x - sin * y, sin * x + cos * y);
        ((x * scale + 0.5 + dx) * side, (y * scale + 0.5 + dy) * side)
    };
    let segments: Vec<((f64, f64), (f64, f64))> = strokes(digit)
        .into_iter()
        .flat_map(|stroke| {
            let points: Vec<(f64, f64)> = stroke
                .into_iter()
                .map(|(u, v)| (u + rng.uniform(-0.015, 0.015), v + rng.uniform(-0.015, 0.015)))
                .map(map)
                .collect();
            points.windows(2).map(|w| (w[0], w[1])).collect::<Vec<_>>()
        })
        .collect();
    let mut image = vec![0.0; IMAGE_SIDE * IMAGE_SIDE];
    for col in 0..IMAGE_SIDE {
        for row in 0..IMAGE_SIDE {
            let p = (col as f64 + 0.5, row as f64 + 0.5);
            let d = segments.iter().map(|&(a, b)| distance_to_segment(p, a, b)).fold(f64::INFINITY, f64::min);
            // Full ink within the pen, fading to none over the next pixel.
            image[col * IMAGE_SIDE + row] = (pen + 0.5 - d).clamp(0.0, 1.0);
        }
    }
    image
}

/// Euclidean distance from `p` to the segment `ab`.
fn distance_to_segment(p: (f64, f64), a: (f64, f64), b: (f64, f64)) -> f64 {
    let (abx, aby) = (b.0 - a.0, b.1 - a.1);
    let len2 = abx * abx + aby * aby;
    let t = if len2 > 0.0 { (((p.0 - a.0) * abx + (p.1 - a.1) * aby) / len2).clamp(0.0, 1.0) } else { 0.0 };
    let (qx, qy) = (a.0 + t * abx - p.0, a.1 + t * aby - p.1);
    (qx * qx + qy * qy).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_set_other_seed_other_set() {
        let a = synthetic_digits(50, 3);
        assert_eq!(a, synthetic_digits(50, 3));
        assert_ne!(a.x, synthetic_digits(50, 4).x);
    }

    #[test]
    fn balanced_labels_in_file_order_and_values_in_unit_range() {
        let set = synthetic_digits(100, 0);
        assert_eq!(set.x.shape(), (100, 400));
        for label in 1..=10 {
            assert_eq!(set.labels.iter().filter(|&&l| l == label).count(), 10);
        }
        assert!(set.labels.windows(2).all(|w| w[0] <= w[1]));
        assert!(set.x.as_slice().iter().all(|v| (0.0..=1.0).contains(v)));
        // Every image has ink, and none is all ink.
        for i in 0..set.len() {
            let ink: f64 = set.x.row(i).iter().sum();
            assert!(ink > 15.0 && ink < 250.0, "example {i}: ink {ink}");
        }
    }
}
