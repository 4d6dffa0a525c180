//! Line charts: the cost curve of a run, and accuracy against lambda for a sweep.

use image::RgbImage;
use plotters::prelude::*;

use crate::PictureError;
use crate::canvas::{draw, text};

const WIDTH: u32 = 900;
const HEIGHT: u32 = 600;

/// The cost `J` after each iteration (index 0 is the start), on a logarithmic axis when every
/// cost is positive (the usual case: costs are cross-entropies plus squares).
pub fn cost_curve(costs: &[f64], title: &str) -> Result<RgbImage, PictureError> {
    let finite: Vec<(f64, f64)> =
        costs.iter().enumerate().filter(|(_, c)| c.is_finite()).map(|(i, &c)| (i as f64, c)).collect();
    if finite.is_empty() {
        return Err(PictureError::Draw("no finite cost to plot".into()));
    }
    let last = finite.last().map_or(1.0, |p| p.0).max(1.0);
    let (lo, hi) = finite.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| (lo.min(p.1), hi.max(p.1)));
    draw(WIDTH, HEIGHT, |root| {
        root.fill(&WHITE).map_err(text)?;
        let mut builder = ChartBuilder::on(&root);
        builder.caption(title, ("sans-serif", 26)).margin(20).x_label_area_size(50).y_label_area_size(80);
        let line = LineSeries::new(finite.iter().copied(), BLUE.stroke_width(2));
        if lo > 0.0 {
            let (lo, hi) = (lo * 0.9, if hi > lo * 1.0001 { hi * 1.1 } else { lo * 1.2 });
            let mut chart = builder.build_cartesian_2d(0.0..last, (lo..hi).log_scale()).map_err(text)?;
            chart
                .configure_mesh()
                .x_desc("iteration")
                .y_desc("cost J (log scale)")
                .label_style(("sans-serif", 18))
                .x_label_formatter(&|x| format!("{x:.0}"))
                .y_label_formatter(&|v| format!("{v:.3}"))
                .draw()
                .map_err(text)?;
            chart.draw_series(line).map_err(text)?;
        } else {
            let pad = ((hi - lo) * 0.05).max(1e-9);
            let mut chart = builder.build_cartesian_2d(0.0..last, (lo - pad)..(hi + pad)).map_err(text)?;
            chart
                .configure_mesh()
                .x_desc("iteration")
                .y_desc("cost J")
                .label_style(("sans-serif", 18))
                .x_label_formatter(&|x| format!("{x:.0}"))
                .draw()
                .map_err(text)?;
            chart.draw_series(line).map_err(text)?;
        }
        Ok(())
    })
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
    if points.is_empty() {
        return Err(PictureError::Draw("no sweep point to plot".into()));
    }
    let values = points.iter().flat_map(|p| std::iter::once(p.train).chain(p.test));
    let (lo, hi) = values.fold((100.0f64, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let (lo, hi) = ((lo - 1.0).max(0.0), (hi + 1.0).min(100.0));
    let labels: Vec<String> = points.iter().map(|p| format!("{}", p.lambda)).collect();
    let n = points.len();
    draw(WIDTH, HEIGHT, |root| {
        root.fill(&WHITE).map_err(text)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 26))
            .margin(20)
            .x_label_area_size(50)
            .y_label_area_size(70)
            .build_cartesian_2d(-0.5..(n as f64 - 0.5), lo..hi)
            .map_err(text)?;
        chart
            .configure_mesh()
            .x_labels(n)
            .x_label_formatter(&|x| {
                let i = x.round();
                if (x - i).abs() < 1e-6 && i >= 0.0 {
                    labels.get(i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .x_desc("lambda")
            .y_desc("accuracy (%)")
            .label_style(("sans-serif", 18))
            .draw()
            .map_err(text)?;
        let train: Vec<(f64, f64)> = points.iter().enumerate().map(|(i, p)| (i as f64, p.train)).collect();
        chart
            .draw_series(LineSeries::new(train.iter().copied(), BLUE.stroke_width(2)))
            .map_err(text)?
            .label("training")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], BLUE.stroke_width(2)));
        chart.draw_series(train.iter().map(|&p| Circle::new(p, 5, BLUE.filled()))).map_err(text)?;
        let test: Vec<(f64, f64)> =
            points.iter().enumerate().filter_map(|(i, p)| p.test.map(|t| (i as f64, t))).collect();
        if !test.is_empty() {
            chart
                .draw_series(LineSeries::new(test.iter().copied(), RED.stroke_width(2)))
                .map_err(text)?
                .label("held-out")
                .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], RED.stroke_width(2)));
            chart.draw_series(test.iter().map(|&p| Circle::new(p, 5, RED.filled()))).map_err(text)?;
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .label_font(("sans-serif", 18))
            .draw()
            .map_err(text)?;
        Ok(())
    })
}
