//! The report of a lambda sweep.

use std::path::{Path, PathBuf};

use maud::{Markup, html};
use pictures::SweepAccuracy;
use serde::Deserialize;

use crate::ReportError;
use crate::layout::{self, REPORT, SWEEP};
use crate::page::{cost, file_name, href_segment, page, percent, seconds, svg_uri, write_page};
use crate::read::{self, DataInfo};
use crate::run::final_hidden_uri;

/// The part of `sweep.json` that the reports show.
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct Sweep {
    pub config: SweepConfig,
    pub dataset: DataInfo,
    pub held_out: Option<DataInfo>,
    pub best_lambda: Option<f64>,
    pub best_by: String,
    pub seconds: f64,
    #[serde(default)]
    pub started: Option<String>,
    pub points: Vec<SweepPoint>,
}

#[derive(Clone, Debug, Deserialize)]
pub(crate) struct SweepConfig {
    pub optimizer: String,
    pub engine: String,
    pub backend: String,
    pub iterations: usize,
    pub seed: u64,
    #[serde(deserialize_with = "crate::read::one_or_many")]
    pub hidden: Vec<usize>,
    /// The network (absent in older files, which hold only `hidden`).
    #[serde(default)]
    pub network: Option<crate::read::NetworkInfo>,
}

#[derive(Clone, Debug, Deserialize)]
pub(crate) struct SweepPoint {
    pub lambda: f64,
    pub cost: Option<f64>,
    pub training_accuracy: f64,
    pub test_accuracy: Option<f64>,
    pub sharpness: f64,
    pub seconds: f64,
}

pub(crate) fn sweep_json(dir: &Path) -> Result<Sweep, ReportError> {
    read::json(dir, SWEEP)
}

/// Writes `dir/report.html` for the sweep in `dir`, atomically, and returns its path. Each
/// lambda's own report is its run directory's, written with that run ([`rebuild_lambda_reports`]
/// writes them again from the files).
pub fn write_sweep_report(dir: &Path) -> Result<PathBuf, ReportError> {
    write_page(dir.join(REPORT), sweep_page(dir, &sweep_json(dir)?)?)
}

/// Rewrites the report of each lambda's run directory in the sweep in `dir`.
pub(crate) fn rebuild_lambda_reports(dir: &Path) -> Result<(), ReportError> {
    for p in &sweep_json(dir)?.points {
        crate::write_run_report(&dir.join(layout::lambda_dir(p.lambda)))?;
    }
    Ok(())
}

fn sweep_page(dir: &Path, sweep: &Sweep) -> Result<Markup, ReportError> {
    let name = dir
        .canonicalize()
        .ok()
        .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| dir.display().to_string());
    let accuracies: Vec<SweepAccuracy> = sweep
        .points
        .iter()
        .map(|p| SweepAccuracy { lambda: p.lambda, train: p.training_accuracy, test: p.test_accuracy })
        .collect();
    let chart = pictures::accuracy_vs_lambda_svg(&accuracies, "accuracy against lambda")
        .map_err(|e| ReportError::new(&dir.join(SWEEP), e))?;
    let mut panels = Vec::with_capacity(sweep.points.len());
    for p in &sweep.points {
        panels.push((p, final_hidden_uri(&dir.join(layout::lambda_dir(p.lambda)))?));
    }
    let c = &sweep.config;
    let by = if sweep.held_out.is_some() { "held-out" } else { "training" };
    Ok(page(
        &format!("ex4 sweep {name}"),
        html! {
            h1 { "Sweep " (name) }
            p.note {
                "The same training (" (c.optimizer) ", " (c.iterations) " iterations, seed " (c.seed) ", "
                @if let Some(n) = &c.network { "network " (n.describe()) } @else { (c.hidden[0]) " hidden units" }
                ", engine " (c.engine) ", backend " (c.backend) ") on " (file_name(&sweep.dataset.source))
                " at " (sweep.points.len()) " values of lambda, in " (seconds(sweep.seconds)) "."
                @if let Some(s) = &sweep.started { " Started " (s) "." }
            }
            @if let Some(best) = sweep.best_lambda {
                div.figures {
                    div.figure id="best-lambda" { div.value { "lambda " (best) } div.label { "the best: highest " (sweep.best_by) } }
                }
            }
            h2 { "Accuracy against lambda" }
            p.note {
                "Lambda penalizes large weights. Too little and the network fits its training digits (blue) better than new ones (red); too much and it fits neither."
            }
            img.chart src=(svg_uri(&chart)) alt="accuracy against lambda";
            table.grid id="lambdas" {
                tr {
                    th.num { "lambda" } th.num { "cost" } th.num { "training" } th.num { "held-out" }
                    th.num { "sharpness" } th.num { "time" } th { "report" }
                }
                @for p in &sweep.points {
                    tr class=[(Some(p.lambda) == sweep.best_lambda).then_some("best")] {
                        td.num { (p.lambda) }
                        td.num { (p.cost.map_or("-".into(), cost)) }
                        td.num { (percent(p.training_accuracy)) }
                        td.num { (p.test_accuracy.map_or("-".into(), percent)) }
                        td.num { (format!("{:.4}", p.sharpness)) }
                        td.num { (seconds(p.seconds)) }
                        td { a href=(format!("{}/{REPORT}", href_segment(&layout::lambda_dir(p.lambda)))) { "lambda " (p.lambda) } }
                    }
                }
            }
            p.note { "Best by " (by) " accuracy (ties go to the smaller lambda)." }
            h2 { "The first hidden layer's units at each lambda" }
            p.note {
                "Sharpness is the mean total variation of the hidden images, each scaled to [0, 1]: the mean difference between neighbouring pixels. "
                (sharpness_trend(&sweep.points))
            }
            div.row {
                @for (p, uri) in &panels {
                    div.panel {
                        div.caption { "lambda " (p.lambda) " (sharpness " (format!("{:.3}", p.sharpness)) ")" }
                        a href=(format!("{}/{REPORT}", href_segment(&layout::lambda_dir(p.lambda)))) {
                            img.pixels src=(uri) alt=(format!("hidden units at lambda {}", p.lambda));
                        }
                    }
                }
            }
        },
    ))
}

/// What the sharpness does as lambda grows, in this sweep: a larger lambda blurs the units in
/// the exercise's network, but not in every network nor over every range.
fn sharpness_trend(points: &[SweepPoint]) -> &'static str {
    let mut by_lambda: Vec<&SweepPoint> = points.iter().collect();
    by_lambda.sort_by(|a, b| a.lambda.total_cmp(&b.lambda));
    let pairs = || by_lambda.windows(2);
    if by_lambda.len() < 2 {
        ""
    } else if pairs().all(|w| w[1].sharpness < w[0].sharpness) {
        "Here it falls as lambda grows: the units blur."
    } else if pairs().all(|w| w[1].sharpness > w[0].sharpness) {
        "Here it rises as lambda grows: the larger penalty does not blur these units."
    } else {
        "Here it does not move steadily with lambda."
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn points(sharpness: &[(f64, f64)]) -> Vec<SweepPoint> {
        sharpness
            .iter()
            .map(|&(lambda, sharpness)| SweepPoint {
                lambda,
                cost: None,
                training_accuracy: 0.0,
                test_accuracy: None,
                sharpness,
                seconds: 0.0,
            })
            .collect()
    }

    #[test]
    fn the_sharpness_trend_says_what_this_sweep_shows() {
        assert!(sharpness_trend(&points(&[(3.0, 0.1), (0.3, 0.3), (1.0, 0.2)])).contains("falls"));
        assert!(sharpness_trend(&points(&[(0.3, 0.164), (1.0, 0.168), (3.0, 0.175)])).contains("rises"));
        assert!(sharpness_trend(&points(&[(0.0, 0.2), (1.0, 0.1), (2.0, 0.3)])).contains("not move steadily"));
        assert_eq!(sharpness_trend(&points(&[(1.0, 0.2)])), "");
    }
}
