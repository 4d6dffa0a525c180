//! The ticks of a chart's axis: where they go and how they read.
//!
//! [`ticks`] takes the data's range and returns at least three labelled ticks that enclose
//! it (the first at or below the data's lowest value, the last at or above its highest), at
//! round values, each label as short as it can be and still tell the ticks apart (`7`, not
//! `7.000`). The charts draw their grid lines at these ticks and nowhere else.

/// A tick: its value and its label.
pub type Tick = (f64, String);

/// Fewest ticks on an axis.
const MIN_TICKS: usize = 3;
/// Most ticks on an axis (more become clutter).
const MAX_TICKS: usize = 10;

/// Ticks enclosing `lo..=hi`, for a logarithmic axis when `log` (then `lo` must be positive).
/// A linear axis gets 3 to 10 ticks a round step apart (1, 2 or 5 times a power of ten); a
/// logarithmic one gets powers of ten, or 1, 2 and 5 (then 1, 2, 3, 5 and 7, then 1 to 9)
/// times them when the data spans too few decades for three, and the linear ticks when it
/// spans too little even for those. Non-finite or reversed bounds are put in order and a
/// single value gets a small range around it.
pub fn ticks(lo: f64, hi: f64, log: bool) -> Vec<Tick> {
    let (lo, hi) = ordered(lo, hi);
    if log
        && lo > 0.0
        && let Some(ticks) = log_ticks(lo, hi)
    {
        return ticks;
    }
    linear_ticks(lo, hi, false)
}

/// Ticks for a count (iterations): whole numbers only, at least three.
pub fn integer_ticks(lo: f64, hi: f64) -> Vec<Tick> {
    let (lo, hi) = ordered(lo, hi);
    linear_ticks(lo, hi, true)
}

/// The range the ticks cover: from the first to the last.
pub fn tick_range(ticks: &[Tick]) -> (f64, f64) {
    (ticks.first().map_or(0.0, |t| t.0), ticks.last().map_or(1.0, |t| t.0))
}

/// The label of the tick nearest `value` (for plotters' label formatters, which are called with
/// the key points given).
pub(crate) fn label_of(ticks: &[Tick], value: f64) -> String {
    ticks
        .iter()
        .min_by(|a, b| (a.0 - value).abs().total_cmp(&(b.0 - value).abs()))
        .map(|t| t.1.clone())
        .unwrap_or_default()
}

fn ordered(lo: f64, hi: f64) -> (f64, f64) {
    let (lo, hi) = match (lo.is_finite(), hi.is_finite()) {
        (true, true) => (lo.min(hi), lo.max(hi)),
        (true, false) => (lo, lo),
        (false, true) => (hi, hi),
        (false, false) => (0.0, 1.0),
    };
    if hi > lo {
        (lo, hi)
    } else {
        let pad = if lo == 0.0 { 1.0 } else { lo.abs() * 0.01 };
        (lo - pad, hi + pad)
    }
}

/// Round steps (1, 2, 5 times a power of ten) from fine to coarse; the coarsest that still
/// gives at least [`MIN_TICKS`] ticks, and at most [`MAX_TICKS`].
fn linear_ticks(lo: f64, hi: f64, integer: bool) -> Vec<Tick> {
    let span = hi - lo;
    let mut exponent = (span / MAX_TICKS as f64).log10().floor() as i32 - 1;
    if integer {
        exponent = exponent.max(0);
    }
    let mut chosen = None;
    'search: for e in exponent..exponent + 4 {
        for m in [1.0, 2.0, 5.0] {
            let step = m * 10f64.powi(e);
            // A bound a rounding error past a tick is on it.
            let first = (lo / step + 1e-9).floor() as i64;
            let last = (hi / step - 1e-9).ceil() as i64;
            let count = (last - first + 1) as usize;
            if count <= MAX_TICKS {
                chosen = Some((step, e, first, last.max(first + MIN_TICKS as i64 - 1)));
                break 'search;
            }
        }
    }
    let (step, e, first, last) = chosen.unwrap_or((span, span.log10().floor() as i32, 0, 2));
    let decimals = (-e).max(0) as usize;
    (first..=last)
        .map(|k| {
            // The value the label reads (k * step may be a rounding error off it).
            let label = format_value(k as f64 * step, decimals);
            (label.parse().unwrap_or(k as f64 * step), label)
        })
        .collect()
}

/// Logarithmic ticks, at least four (three of them could leave most of the data between two),
/// or `None` when the range is too narrow for them.
fn log_ticks(lo: f64, hi: f64) -> Option<Vec<Tick>> {
    let mantissas: [&[f64]; 4] =
        [&[1.0], &[1.0, 2.0, 5.0], &[1.0, 2.0, 3.0, 5.0, 7.0], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]];
    let low_decade = lo.log10().floor() as i32 - 1;
    let high_decade = hi.log10().ceil() as i32 + 1;
    for set in mantissas {
        // Every candidate (mantissa, exponent) in order; keep the last at or below `lo` to the
        // first at or above `hi`.
        let candidates: Vec<(f64, i32)> =
            (low_decade..=high_decade).flat_map(|e| set.iter().map(move |&m| (m * 10f64.powi(e), e))).collect();
        let start = candidates.iter().rposition(|&(v, _)| v <= lo * (1.0 + 1e-12))?;
        let end = candidates.iter().position(|&(v, _)| v >= hi * (1.0 - 1e-12))?;
        let mut chosen: Vec<(f64, i32)> = candidates[start..=end].to_vec();
        if chosen.len() > MAX_TICKS {
            // Many decades: every second (third, ...) power of ten, still enclosing the data.
            let stride = chosen.len().div_ceil(MAX_TICKS - 1);
            let last = *chosen.last().expect("not empty");
            chosen = chosen.into_iter().step_by(stride).collect();
            if chosen.last() != Some(&last) {
                chosen.push(last);
            }
        }
        if chosen.len() > MIN_TICKS {
            return Some(chosen.into_iter().map(|(v, e)| (v, format_value(v, (-e).max(0) as usize))).collect());
        }
    }
    None
}

/// `value` with at most `decimals` decimals and no trailing zeros; scientific notation (`1e-5`,
/// `2e6`) for values far from 1.
fn format_value(value: f64, decimals: usize) -> String {
    let magnitude = value.abs();
    if magnitude != 0.0 && !(1e-4..1e6).contains(&magnitude) {
        let text = format!("{value:.3e}");
        let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
        return format!("{}e{exponent}", trim_zeros(mantissa));
    }
    let text = trim_zeros(&format!("{value:.decimals$}"));
    if text == "-0" { "0".to_string() } else { text }
}

fn trim_zeros(text: &str) -> String {
    if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.').to_string() } else { text.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every promise of [`ticks`] for one range.
    fn check(lo: f64, hi: f64, log: bool) -> Vec<Tick> {
        let ticks = ticks(lo, hi, log);
        let labels: Vec<&str> = ticks.iter().map(|t| t.1.as_str()).collect();
        assert!(ticks.len() >= MIN_TICKS, "{lo}..{hi}: only {labels:?}");
        assert!(ticks.len() <= MAX_TICKS + 1, "{lo}..{hi}: too many: {labels:?}");
        let (first, last) = tick_range(&ticks);
        assert!(first <= lo && last >= hi, "{lo}..{hi}: the ticks {labels:?} do not enclose the data");
        assert!(ticks.windows(2).all(|w| w[0].0 < w[1].0), "{lo}..{hi}: not increasing: {labels:?}");
        for label in &labels {
            let mantissa = label.split('e').next().unwrap();
            assert!(
                !(mantissa.contains('.') && (mantissa.ends_with('0') || mantissa.ends_with('.'))),
                "{lo}..{hi}: needless digits in {label:?}"
            );
        }
        let mut distinct = labels.clone();
        distinct.dedup();
        assert_eq!(distinct.len(), labels.len(), "{lo}..{hi}: repeated labels {labels:?}");
        // Each label reads as its tick's value, to a part in a thousand of the step.
        for w in ticks.windows(2) {
            let parsed: f64 = w[0].1.parse().unwrap();
            assert!((parsed - w[0].0).abs() < (w[1].0 - w[0].0) * 1e-3, "{lo}..{hi}: {} is not {}", w[0].1, w[0].0);
        }
        if log && lo > 0.0 {
            assert!(first > 0.0, "{lo}..{hi}: a logarithmic axis starts at {first}");
        }
        ticks
    }

    fn labels(ticks: &[Tick]) -> Vec<&str> {
        ticks.iter().map(|t| t.1.as_str()).collect()
    }

    #[test]
    fn cost_curves_on_a_log_scale_get_three_labels_or_more_at_every_range() {
        // lambda 20, the default run, lambda 0, a run that barely moves.
        assert_eq!(labels(&check(1.34, 7.1, true)), ["1", "2", "5", "10"]);
        assert_eq!(labels(&check(0.35, 7.1, true)), ["0.2", "0.5", "1", "2", "5", "10"]);
        assert_eq!(labels(&check(0.013, 3.3, true)), ["0.01", "0.1", "1", "10"]);
        assert_eq!(labels(&check(0.1, 1.0, true)), ["0.1", "0.2", "0.5", "1"]);
        assert_eq!(
            labels(&check(0.3530, 0.3531, true)),
            ["0.353", "0.35302", "0.35304", "0.35306", "0.35308", "0.3531"]
        );
        for (lo, hi) in [(1e-9, 1e3), (2.0, 2.5), (6.9, 7.1), (1e-7, 1.1e-7), (0.9, 1.1), (5.0, 5.0), (1e5, 3e7)] {
            check(lo, hi, true);
        }
    }

    #[test]
    fn linear_axes_get_round_steps_and_short_labels() {
        assert_eq!(labels(&check(90.17, 99.94, false)), ["90", "92", "94", "96", "98", "100"]);
        assert_eq!(labels(&check(0.0, 7.0, false)), ["0", "1", "2", "3", "4", "5", "6", "7"]);
        for (lo, hi) in [(-3.2, 4.1), (0.3530, 0.3531), (0.0, 0.0), (99.999, 100.0), (-1e-12, 1e-12), (1e6, 1e9)] {
            check(lo, hi, false);
        }
        // A log axis asked for non-positive data falls back to linear ticks.
        check(-1.0, 2.0, true);
    }

    #[test]
    fn iteration_axes_get_whole_numbers() {
        for (hi, expected) in [(1.0, vec!["0", "1", "2"]), (100.0, vec!["0", "20", "40", "60", "80", "100"])] {
            assert_eq!(labels(&integer_ticks(0.0, hi)), expected);
        }
        for hi in [2.0, 3.0, 7.0, 50.0, 999.0, 5000.0, 123_456.0] {
            let ticks = integer_ticks(0.0, hi);
            assert!(ticks.len() >= MIN_TICKS && ticks.len() <= MAX_TICKS + 1, "0..{hi}: {:?}", labels(&ticks));
            assert!(ticks.iter().all(|t| t.0.fract() == 0.0 && !t.1.contains('.')), "0..{hi}: {:?}", labels(&ticks));
            assert!(tick_range(&ticks).1 >= hi);
        }
    }

    #[test]
    fn labels_are_found_by_value() {
        let ticks = ticks(1.34, 7.1, true);
        assert_eq!(label_of(&ticks, 2.0000001), "2");
        assert_eq!(label_of(&ticks, 9.99), "10");
    }
}
