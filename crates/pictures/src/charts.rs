//! Line charts: the cost curve of a run, and accuracy against lambda for a sweep. Each is
//! painted by one function generic over plotters' backend, so that the PNG files and the pages'
//! SVG are the same drawing.

use image::RgbImage;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::series::DashedLineSeries;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::PictureError;
use crate::canvas::{draw, draw_svg, text};
use crate::ticks::{Tick, integer_ticks, label_of, tick_range, ticks};

const WIDTH: u32 = 900;
const HEIGHT: u32 = 600;

/// The costs of a run: the training cost `J` after each iteration (index 0 is the start) and
/// the held-out cost at some iterations.
#[derive(Clone, Copy, Debug)]
pub struct CostCurve<'a> {
    pub costs: &'a [f64],
    /// `(iteration, cost)` on the held-out set, at the same lambda.
    pub held_out: &'a [(usize, f64)],
    pub title: &'a str,
}

/// The cost curve as a picture, on a logarithmic axis when every cost is positive (the usual
/// case: costs are cross-entropies plus squares).
pub fn cost_curve(curve: &CostCurve<'_>) -> Result<RgbImage, PictureError> {
    draw(WIDTH, HEIGHT, |root| paint_cost_curve(&root, curve))
}

/// [`cost_curve`] as an SVG document.
pub fn cost_curve_svg(curve: &CostCurve<'_>) -> Result<String, PictureError> {
    draw_svg(WIDTH, HEIGHT, |root| paint_cost_curve(&root, curve))
}

fn paint_cost_curve<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, curve: &CostCurve<'_>) -> Result<(), String> {
    let train: Vec<(f64, f64)> =
        curve.costs.iter().enumerate().filter(|(_, c)| c.is_finite()).map(|(i, &c)| (i as f64, c)).collect();
    let held_out: Vec<(f64, f64)> =
        curve.held_out.iter().filter(|(_, c)| c.is_finite()).map(|&(i, c)| (i as f64, c)).collect();
    if train.is_empty() {
        return Err("no finite cost to plot".into());
    }
    let all = || train.iter().chain(&held_out);
    let last = all().fold(1.0f64, |m, p| m.max(p.0));
    let (lo, hi) = all().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| (lo.min(p.1), hi.max(p.1)));
    // On a log scale the values drawn are log10 of the costs, on a plain axis whose ticks are
    // placed at the log10 of round costs and labelled with the costs.
    let log = lo > 0.0;
    let y = |c: f64| if log { c.log10() } else { c };
    let y_ticks: Vec<Tick> = ticks(lo, hi, log).into_iter().map(|(v, label)| (y(v), label)).collect();
    let x_ticks = integer_ticks(0.0, last);
    let series = [
        ("training", BLUE, train.iter().map(|&(i, c)| (i, y(c))).collect::<Vec<_>>()),
        ("held-out", RED, held_out.iter().map(|&(i, c)| (i, y(c))).collect()),
    ];
    let y_desc = if log { "cost J (log scale)" } else { "cost J" };
    line_chart(root, curve.title, ("iteration", &x_ticks), (y_desc, &y_ticks), 0.0, &series, held_out.is_empty())
}

/// A linear axis whose only key points (grid lines, tick marks and labels) are the given ticks.
struct Keyed {
    inner: plotters::coord::types::RangedCoordf64,
    keys: Vec<f64>,
}

impl Keyed {
    fn new(range: std::ops::Range<f64>, keys: Vec<f64>) -> Self {
        Self { inner: range.into(), keys }
    }
}

impl Ranged for Keyed {
    type FormatOption = plotters::coord::ranged1d::DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.inner.map(value, limit)
    }

    fn key_points<Hint: plotters::coord::ranged1d::KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        // Bold points only: no light grid lines between the ticks.
        if hint.weight().allow_light_points() { Vec::new() } else { self.keys.clone() }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.inner.range()
    }
}

/// One lambda of a sweep: accuracies in percent.
#[derive(Clone, Copy, Debug)]
pub struct SweepAccuracy {
    pub lambda: f64,
    pub train: f64,
    pub test: Option<f64>,
}

/// Training and held-out accuracy against lambda. Lambdas are placed evenly in the order given
/// (they usually span 0 and several decades), each labelled with its value.
pub fn accuracy_vs_lambda(points: &[SweepAccuracy], title: &str) -> Result<RgbImage, PictureError> {
    draw(WIDTH, HEIGHT, |root| paint_accuracy(&root, points, title))
}

/// [`accuracy_vs_lambda`] as an SVG document.
pub fn accuracy_vs_lambda_svg(points: &[SweepAccuracy], title: &str) -> Result<String, PictureError> {
    draw_svg(WIDTH, HEIGHT, |root| paint_accuracy(&root, points, title))
}

fn paint_accuracy<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    points: &[SweepAccuracy],
    title: &str,
) -> Result<(), String> {
    if points.is_empty() {
        return Err("no sweep point to plot".into());
    }
    let values = points.iter().flat_map(|p| std::iter::once(p.train).chain(p.test));
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let y_ticks = ticks(lo, hi, false);
    // Three lambdas or more: one evenly spaced category each, labelled with its value (sweeps
    // go 0, 0.3, 1, 3, 10, 20). Fewer: lambda's own axis, so that it still has three labels.
    let (x_ticks, x, x_pad): (Vec<Tick>, Vec<f64>, f64) = if points.len() >= 3 {
        let ticks = points.iter().enumerate().map(|(i, p)| (i as f64, format!("{}", p.lambda))).collect();
        (ticks, (0..points.len()).map(|i| i as f64).collect(), 0.5)
    } else {
        let (lo, hi) =
            points.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| (lo.min(p.lambda), hi.max(p.lambda)));
        (ticks(lo, hi, false), points.iter().map(|p| p.lambda).collect(), 0.0)
    };
    let train = points.iter().zip(&x).map(|(p, &x)| (x, p.train)).collect();
    let test = points.iter().zip(&x).filter_map(|(p, &x)| p.test.map(|t| (x, t))).collect();
    let series = [("training", BLUE, train), ("held-out", RED, test)];
    line_chart(root, title, ("lambda", &x_ticks), ("accuracy (%)", &y_ticks), x_pad, &series, false)
}

/// A named series of points, in a colour.
type Series<'a> = (&'a str, RGBColor, Vec<(f64, f64)>);

/// A line chart with grid lines and labels at the given ticks only, each series drawn as a
/// line with its points marked (the points alone for a series of more than 30), and a legend
/// naming the series that have points (none when `no_legend`). `x_pad` widens the x axis on
/// both sides (categories are drawn half a unit from the edges).
fn line_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    (x_desc, x_ticks): (&str, &[Tick]),
    (y_desc, y_ticks): (&str, &[Tick]),
    x_pad: f64,
    series: &[Series<'_>],
    no_legend: bool,
) -> Result<(), String> {
    root.fill(&WHITE).map_err(text)?;
    let (x_lo, x_hi) = tick_range(x_ticks);
    let (y_lo, y_hi) = tick_range(y_ticks);
    let x_range = (x_lo - x_pad)..(x_hi + x_pad);
    let x_keys: Vec<f64> = x_ticks.iter().map(|t| t.0).collect();
    let y_keys: Vec<f64> = y_ticks.iter().map(|t| t.0).collect();
    let mut chart = ChartBuilder::on(root)
        .caption(title, ("sans-serif", 26))
        .margin(20)
        .x_label_area_size(50)
        .y_label_area_size(80)
        .build_cartesian_2d(Keyed::new(x_range, x_keys), Keyed::new(y_lo..y_hi, y_keys))
        .map_err(text)?;
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc(y_desc)
        .label_style(("sans-serif", 18))
        .bold_line_style(BLACK.mix(0.15))
        .x_label_formatter(&|x| label_of(x_ticks, *x))
        .y_label_formatter(&|y| label_of(y_ticks, *y))
        .draw()
        .map_err(text)?;
    for (name, colour, points) in series {
        if points.is_empty() {
            continue;
        }
        let colour = *colour;
        let drawn = chart.draw_series(LineSeries::new(points.iter().copied(), colour.stroke_width(2))).map_err(text)?;
        if !no_legend {
            drawn.label(*name).legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], colour.stroke_width(2)));
        }
        if points.len() <= 30 {
            chart.draw_series(points.iter().map(|&p| Circle::new(p, 5, colour.filled()))).map_err(text)?;
        }
    }
    if !no_legend {
        legend(&mut chart)?;
    }
    Ok(())
}

/// The legend of a chart's named series, in its upper right corner.
fn legend<'a, DB: DrawingBackend + 'a, CT: plotters::coord::CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
) -> Result<(), String> {
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .label_font(("sans-serif", 18))
        .draw()
        .map_err(text)?;
    Ok(())
}

/// How far above the curve's ends the guide lines of [`epsilon_sweep`] pass, in decades.
const GUIDE_OFFSET: f64 = 0.5;

/// The epsilon sweep of the gradient check: `(ε, error)` pairs, the step the exercise uses,
/// and the title.
#[derive(Clone, Copy, Debug)]
pub struct EpsilonSweep<'a> {
    pub points: &'a [(f64, f64)],
    /// Marked with a vertical line and its value.
    pub exercise_epsilon: f64,
    pub title: &'a str,
}

/// The finite-difference error against the step, log-log: the curve, its minimum (a point
/// and its `ε` and error), the guide lines `∝ ε²` from the largest step and `∝ 1/ε` from the
/// smallest (half a decade above the curve's ends), and the exercise's step.
pub fn epsilon_sweep(sweep: &EpsilonSweep<'_>) -> Result<RgbImage, PictureError> {
    draw(WIDTH, HEIGHT, |root| paint_epsilon_sweep(&root, sweep))
}

/// [`epsilon_sweep`] as an SVG document.
pub fn epsilon_sweep_svg(sweep: &EpsilonSweep<'_>) -> Result<String, PictureError> {
    draw_svg(WIDTH, HEIGHT, |root| paint_epsilon_sweep(&root, sweep))
}

fn paint_epsilon_sweep<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    sweep: &EpsilonSweep<'_>,
) -> Result<(), String> {
    let points: Vec<(f64, f64)> =
        sweep.points.iter().copied().filter(|&(e, d)| e > 0.0 && d > 0.0 && e.is_finite() && d.is_finite()).collect();
    if points.len() < 2 {
        return Err("fewer than two steps with a positive error to plot".into());
    }
    let fold = |f: fn(&(f64, f64)) -> f64| {
        points.iter().map(f).fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)))
    };
    let (e_lo, e_hi) = fold(|p| p.0);
    let (d_lo, d_hi) = fold(|p| p.1);
    let (e_lo, e_hi) = (e_lo.min(sweep.exercise_epsilon), e_hi.max(sweep.exercise_epsilon));
    // Values are drawn as their log10 on plain axes whose ticks sit at the log10 of round
    // values and read as the values.
    let log_ticks =
        |lo: f64, hi: f64| -> Vec<Tick> { ticks(lo, hi, true).into_iter().map(|(v, l)| (v.log10(), l)).collect() };
    let x_ticks = log_ticks(e_lo, e_hi);
    let y_ticks = log_ticks(d_lo / 10.0, d_hi);
    let (x_lo, x_hi) = tick_range(&x_ticks);
    let (y_lo, y_hi) = tick_range(&y_ticks);
    let x_keys: Vec<f64> = x_ticks.iter().map(|t| t.0).collect();
    let y_keys: Vec<f64> = y_ticks.iter().map(|t| t.0).collect();
    root.fill(&WHITE).map_err(text)?;
    let mut chart = ChartBuilder::on(root)
        .caption(sweep.title, ("sans-serif", 26))
        .margin(20)
        .x_label_area_size(50)
        .y_label_area_size(80)
        .build_cartesian_2d(Keyed::new(x_lo..x_hi, x_keys), Keyed::new(y_lo..y_hi, y_keys))
        .map_err(text)?;
    chart
        .configure_mesh()
        .x_desc("step ε (log scale)")
        .y_desc("relative difference (log scale)")
        .label_style(("sans-serif", 18))
        .bold_line_style(BLACK.mix(0.15))
        .x_label_formatter(&|x| label_of(&x_ticks, *x))
        .y_label_formatter(&|y| label_of(&y_ticks, *y))
        .draw()
        .map_err(text)?;
    let logged: Vec<(f64, f64)> = points.iter().map(|&(e, d)| (e.log10(), d.log10())).collect();
    // Guide lines: slope 2 from the largest step, slope −1 from the smallest, each half a
    // decade above its end of the curve so that the curve stays visible under it, drawn
    // dashed where it stays inside the chart and named beside it.
    let largest = *logged.iter().max_by(|a, b| a.0.total_cmp(&b.0)).expect("two points");
    let smallest = *logged.iter().min_by(|a, b| a.0.total_cmp(&b.0)).expect("two points");
    let grey = RGBColor(90, 90, 90);
    let label_style = |h| ("sans-serif", 20).into_font().color(&grey).pos(Pos::new(h, VPos::Bottom));
    for ((x0, y0), slope, name, h, toward) in
        [(largest, 2.0, "∝ ε²", HPos::Right, -1.0), (smallest, -1.0, "∝ 1/ε", HPos::Left, 1.0)]
    {
        let y0 = y0 + GUIDE_OFFSET;
        let at = |x: f64| (x, y0 + slope * (x - x0));
        // Where the line leaves the chart through the bottom.
        let bottom = x0 + (y_lo - y0) / slope;
        let (a, b) = if slope > 0.0 { (bottom.max(x_lo), x_hi) } else { (x_lo, bottom.min(x_hi)) };
        chart
            .draw_series(DashedLineSeries::new([at(a), at(b)], 8, 6, ShapeStyle::from(grey).stroke_width(2)))
            .map_err(text)?;
        // The name, one decade in from the end of the curve, above the line and away from it.
        let (x, y) = at(x0 + toward);
        chart.draw_series([Text::new(name, (x + 0.15 * toward, y + 0.05), label_style(h))]).map_err(text)?;
    }
    // The exercise's step: a vertical line and its value.
    let exercise = sweep.exercise_epsilon.log10();
    let green = RGBColor(0, 140, 60);
    chart
        .draw_series(LineSeries::new([(exercise, y_lo), (exercise, y_hi)], green.stroke_width(2)))
        .map_err(text)?
        .label(format!("the exercise's ε = {:e}", sweep.exercise_epsilon))
        .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], green.stroke_width(2)));
    chart
        .draw_series(LineSeries::new(logged.iter().copied(), BLUE.stroke_width(2)))
        .map_err(text)?
        .label("‖numgrad − grad‖ / ‖numgrad + grad‖")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], BLUE.stroke_width(2)));
    chart.draw_series(logged.iter().map(|&p| Circle::new(p, 3, BLUE.filled()))).map_err(text)?;
    // The minimum: a red point and its figures under it (the y axis reaches a decade below
    // the lowest error for them), on a white box since lines cross there.
    let (min_e, min_d) = points.iter().copied().min_by(|a, b| a.1.total_cmp(&b.1)).expect("two points");
    let min_at = (min_e.log10(), min_d.log10());
    chart.draw_series([Circle::new(min_at, 7, RED.filled())]).map_err(text)?;
    let figures = format!("minimum {min_d:.1e} at ε = {min_e:.1e}");
    let font = ("sans-serif", 20).into_font().color(&RED).pos(Pos::new(HPos::Center, VPos::Top));
    let (w, h) = root.estimate_text_size(&figures, &font).map_err(text)?;
    let (w, h) = (w as i32 / 2 + 4, h as i32 + 4);
    let label = EmptyElement::at(min_at)
        + Rectangle::new([(-w, 10), (w, 10 + h)], WHITE.filled())
        + Text::new(figures, (0, 12), font);
    chart.draw_series([label]).map_err(text)?;
    legend(&mut chart)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The texts of an SVG document's `<text>` elements.
    fn texts(svg: &str) -> Vec<String> {
        svg.split("<text")
            .skip(1)
            .filter_map(|t| Some(t.split_once('>')?.1.split_once("</text>")?.0.trim().to_string()))
            .collect()
    }

    /// A cost curve from `start` down to `end` over 100 iterations, geometrically.
    fn costs(start: f64, end: f64) -> Vec<f64> {
        (0..=100).map(|i| start * (end / start).powf(i as f64 / 100.0)).collect()
    }

    #[test]
    fn cost_curves_are_labelled_at_every_range() {
        for (start, end, expected) in [
            (7.1, 1.34, vec!["1", "2", "5", "10"]),
            (7.1, 0.35, vec!["0.2", "0.5", "1", "2", "5", "10"]),
            (3.3, 0.013, vec!["0.01", "0.1", "1", "10"]),
            (0.3531, 0.3530, vec!["0.353", "0.35302", "0.35304", "0.35306", "0.35308", "0.3531"]),
        ] {
            let costs = costs(start, end);
            let svg = cost_curve_svg(&CostCurve {
                costs: &costs,
                held_out: &[(0, start), (50, (start * end).sqrt())],
                title: "t",
            })
            .unwrap();
            let texts = texts(&svg);
            for label in &expected {
                assert!(texts.contains(&label.to_string()), "{start}..{end}: no label {label} in {texts:?}");
            }
            for label in ["0", "20", "40", "60", "80", "100", "iteration", "training", "held-out"] {
                assert!(texts.contains(&label.to_string()), "{start}..{end}: no {label} in {texts:?}");
            }
            assert!(!texts.iter().any(|t| t.ends_with(".000")), "{texts:?}");
            // The PNG is the same drawing.
            cost_curve(&CostCurve { costs: &costs, held_out: &[], title: "t" }).unwrap();
        }
    }

    #[test]
    fn sweep_accuracy_is_labelled_by_lambda_and_percent() {
        let points: Vec<SweepAccuracy> = [(0.0, 99.94, 90.72), (1.0, 98.98, 92.70), (20.0, 91.88, 90.17)]
            .into_iter()
            .map(|(lambda, train, test)| SweepAccuracy { lambda, train, test: Some(test) })
            .collect();
        let texts = texts(&accuracy_vs_lambda_svg(&points, "a").unwrap());
        for label in ["0", "1", "20", "90", "92", "94", "96", "98", "100", "lambda", "accuracy (%)"] {
            assert!(texts.contains(&label.to_string()), "no {label} in {texts:?}");
        }
    }

    #[test]
    fn a_sweep_of_one_or_two_lambdas_still_has_three_labels_on_each_axis() {
        for lambdas in [vec![1.0], vec![0.0, 3.0], vec![20.0, 20.5]] {
            let points: Vec<SweepAccuracy> =
                lambdas.iter().map(|&lambda| SweepAccuracy { lambda, train: 97.0, test: Some(92.0) }).collect();
            let texts = texts(&accuracy_vs_lambda_svg(&points, "a").unwrap());
            let (lo, hi) = (lambdas[0], lambdas[lambdas.len() - 1]);
            let x_ticks = ticks(lo, hi, false);
            assert!(x_ticks.len() >= 3, "{lambdas:?}: {x_ticks:?}");
            let (first, last) = tick_range(&x_ticks);
            assert!(first <= lo && last >= hi, "{lambdas:?}: {x_ticks:?}");
            for (_, label) in &x_ticks {
                assert!(texts.contains(label), "{lambdas:?}: no x label {label} in {texts:?}");
            }
            let y_labels = ticks(92.0, 97.0, false);
            assert!(y_labels.iter().all(|(_, l)| texts.contains(l)), "{lambdas:?}: {texts:?}");
        }
    }

    #[test]
    fn the_epsilon_sweep_is_labelled_on_both_axes_and_names_its_guides_and_minimum() {
        // A V: 1e-8/ε² above, 1e-14/ε below, its bottom near 1e-5.
        let points: Vec<(f64, f64)> =
            (0..=32).map(|k| 10f64.powf(-2.0 - k as f64 / 4.0)).map(|e| (e, e * e * 1e-2 + 1e-16 / e)).collect();
        let sweep = EpsilonSweep { points: &points, exercise_epsilon: 1e-4, title: "sweep" };
        let texts = texts(&epsilon_sweep_svg(&sweep).unwrap());
        for label in ["1e-10", "1e-8", "1e-6", "1e-5", "0.0001", "0.001", "0.01", "1e-12", "1e-9", "1e-6"] {
            assert!(texts.contains(&label.to_string()), "no tick {label} in {texts:?}");
        }
        for label in ["∝ ε²", "∝ 1/ε", "the exercise&apos;s ε = 1e-4", "step ε (log scale)"] {
            assert!(texts.iter().any(|t| t.contains(label)), "no {label} in {texts:?}");
        }
        let (e, d) = points.iter().copied().min_by(|a, b| a.1.total_cmp(&b.1)).unwrap();
        let minimum = format!("minimum {d:.1e} at ε = {e:.1e}");
        assert!(texts.contains(&minimum), "no `{minimum}` in {texts:?}");
        epsilon_sweep(&sweep).unwrap();
        assert!(epsilon_sweep(&EpsilonSweep { points: &points[..1], ..sweep }).is_err());
    }
}
