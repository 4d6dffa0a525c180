//! The report of one run.

use std::path::{Path, PathBuf};

use maud::{Markup, html};
use pictures::{ConfusionMatrix, CostCurve, GridLayout};

use crate::layout;
use crate::page::{cost, data_uri, file_name, output_bars, page, percent, png_uri, seconds, svg_uri, write_page};
use crate::read::{self, Metrics};
use crate::{ReportError, layout::*};

/// Mistakes kept in `mistakes.mat` and shown, at most.
pub const MISTAKES_KEPT: usize = 100;

/// Writes `dir/report.html` from the files of the run in `dir`, atomically, and returns its
/// path. A missing or malformed file is an error naming it.
pub fn write_run_report(dir: &Path) -> Result<PathBuf, ReportError> {
    write_page(dir.join(REPORT), run_page(dir)?)
}

/// The hidden layer at the end of the run in `dir` (from `weights.mat`), for sweep pages.
pub(crate) fn final_hidden_uri(dir: &Path) -> Result<String, ReportError> {
    let theta1 = read::matrices(dir, WEIGHTS, &["Theta1"])?.remove(0);
    png_uri(&dir.join(WEIGHTS), &pictures::hidden_units(&theta1, 3))
}

fn run_page(dir: &Path) -> Result<Markup, ReportError> {
    let m = read::metrics(dir)?;
    let name = dir
        .canonicalize()
        .ok()
        .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| dir.display().to_string());
    let trained = m.training.is_some();
    let curve = cost_curve(dir, &m)?;
    let hidden = if trained {
        hidden_section(dir, &m)?
    } else {
        html! {}
    };
    let digits = if trained {
        let uri = data_uri("image/png", &read::png(dir, DIGITS)?);
        html! {
            h2 { "The training digits" }
            p.note { "64 of the " (m.dataset.examples) " training examples, each a 20x20 grey image, drawn as the exercise's displayData draws them." }
            img.pixels src=(uri) alt="64 training digits" width="400";
        }
    } else {
        html! {}
    };
    let confusion = if trained {
        confusion_section(&m)?
    } else {
        html! {}
    };
    let mistakes = if trained {
        mistakes_section(dir, &m)?
    } else {
        html! {}
    };
    let title = format!("ex4 run {name}");
    Ok(page(
        &title,
        html! {
            h1 { "Run " (name) }
            p.note { (summary(&m)) }
            (figures(&m))
            h2 { "The run" }
            (run_table(&m))
            (curve)
            (hidden)
            (confusion)
            (mistakes)
            (digits)
        },
    ))
}

fn network(m: &Metrics) -> String {
    m.config.network.describe()
}

fn summary(m: &Metrics) -> String {
    format!(
        "A {} network trained on {} with {}, lambda {}, for {} iterations.",
        network(m),
        file_name(&m.dataset.source),
        m.config.optimizer,
        m.config.lambda,
        m.iterations_run
    )
}

/// The stop reason in words.
pub(crate) fn stop_text(m: &Metrics) -> String {
    match m.stop.kind.as_str() {
        "completed" => "completed".into(),
        "converged" => format!("converged early: {}", m.stop.reason.as_deref().unwrap_or("")),
        "interrupted" => "interrupted (the figures are for the weights reached)".into(),
        "diverged" => format!("diverged: {}", m.stop.message.as_deref().unwrap_or("")),
        other => other.to_string(),
    }
}

fn figures(m: &Metrics) -> Markup {
    let figure = |id: &str, value: String, label: &str| {
        html! { div.figure id=(id) { div.value { (value) } div.label { (label) } } }
    };
    html! {
        div.figures {
            @if let Some(t) = &m.training {
                (figure("training-accuracy", percent(t.accuracy), &format!("training accuracy ({} of {})", t.correct, t.examples)))
            }
            @if let Some(t) = &m.test {
                (figure("held-out-accuracy", percent(t.accuracy), &format!("held-out accuracy ({} of {})", t.correct, t.examples)))
            }
            @if let Some(t) = &m.training {
                (figure("training-cost", cost(t.cost), "training cost J"))
            }
            @if let Some(t) = &m.test {
                // As in the cost table: with the training cost's weight penalty, when recorded.
                @let last = m.checkpoints.iter().find(|c| c.iteration == m.iterations_run).and_then(|c| c.held_out_cost);
                (figure("held-out-cost", cost(last.unwrap_or(t.cost)), "held-out cost J"))
            }
            @if m.training.is_none() {
                (figure("stop", "no weights".into(), &stop_text(m)))
            }
        }
    }
}

fn run_table(m: &Metrics) -> Markup {
    let c = &m.config;
    html! {
        table.grid {
            tr { th { "network" } td { (network(m)) " (input pixels, hidden units by layer, output units; hidden activation)" } }
            tr { th { "training set" } td { (m.dataset.source) " (" (m.dataset.examples) " examples)" } }
            tr { th { "held-out set" } td {
                @if let Some(h) = &m.held_out { (h.source) " (" (h.examples) " examples)" } @else { "none" }
            } }
            tr { th { "optimizer" } td { (c.optimizer) @if let Some(a) = c.alpha { ", step size " (a) } } }
            tr { th { "engine" } td { (c.engine) @if let Some(p) = &c.precision { " in " (p) } ", backend " (c.backend) } }
            tr { th { "lambda" } td { (c.lambda) } }
            tr { th { "seed" } td { (c.seed) @if c.init.as_deref() == Some("per-layer") {
                ", initial weights of layer l uniform in [-e_l, e_l], e_l = √6/√(s_l + s_l+1)"
            } @else {
                ", initial weights uniform in [-" (c.init_epsilon) ", " (c.init_epsilon) "]"
            } } }
            tr { th { "iterations" } td { (m.iterations_run) " of " (c.iterations) " (" (m.evaluations) " cost-and-gradient evaluations)" } }
            tr { th { "stop" } td { (stop_text(m)) } }
            tr { th { "time" } td { (seconds(m.time.train_seconds)) " training, " (seconds(m.time.total_seconds)) " in all" } }
            @if let Some(started) = &m.started { tr { th { "started" } td { (started) } } }
        }
    }
}

fn cost_curve(dir: &Path, m: &Metrics) -> Result<Markup, ReportError> {
    let costs: Vec<f64> = m.costs.iter().map(|c| c.unwrap_or(f64::NAN)).collect();
    let held_out: Vec<(usize, f64)> =
        m.checkpoints.iter().filter_map(|c| c.held_out_cost.map(|h| (c.iteration, h))).collect();
    let title = format!("cost, {}, {} lambda {}", m.config.network.describe(), m.config.optimizer, m.config.lambda);
    let svg = pictures::cost_curve_svg(&CostCurve { costs: &costs, held_out: &held_out, title: &title })
        .map_err(|e| ReportError::new(&dir.join(METRICS), e))?;
    Ok(html! {
        h2 { "Learning: the cost after each iteration" }
        p.note {
            "The cost J the optimizer lowers, on the training set (blue), and on the held-out digits the network never trains on (red, at "
            (m.checkpoints.len()) " moments of the run), both with the same weight penalty (lambda " (m.config.lambda) "). Where the red curve stops falling while the blue one goes on, the network learns its training digits rather than digits in general."
        }
        img.chart src=(svg_uri(&svg)) alt="the cost curve";
        @if !m.checkpoints.is_empty() {
            table.grid {
                tr { th.num { "iteration" } th.num { "training cost" } th.num { "held-out cost" } th.num { "held-out accuracy" } }
                @for c in &m.checkpoints {
                    tr {
                        td.num { (c.iteration) }
                        td.num { (cost(c.training_cost)) }
                        td.num { (c.held_out_cost.map_or("-".into(), cost)) }
                        td.num { (c.held_out_accuracy.map_or("-".into(), percent)) }
                    }
                }
            }
        }
    })
}

fn hidden_section(dir: &Path, m: &Metrics) -> Result<Markup, ReportError> {
    let names: Vec<&str> = m.snapshots.iter().map(|s| s.variable.as_str()).collect();
    let thetas = if names.is_empty() { Vec::new() } else { read::matrices(dir, SNAPSHOTS, &names)? };
    let mut panels = Vec::new();
    for (snapshot, theta1) in m.snapshots.iter().zip(&thetas) {
        panels.push((snapshot, png_uri(&dir.join(SNAPSHOTS), &pictures::hidden_units(theta1, 3))?));
    }
    Ok(html! {
        h2 { "What the hidden units look for" }
        p.note {
            "Each square is one of the " (m.config.network.hidden[0]) " units of the first hidden layer: its " (m.config.network.input)
            " weights (a row of Theta1 without its bias) drawn as a 20x20 image, white for a large positive weight, black for a large negative one. "
            "They start as noise and become strokes and blobs the unit responds to."
        }
        div.row {
            @for (snapshot, uri) in &panels {
                div.panel {
                    div.caption { (snapshot.label) " (iteration " (snapshot.iteration) ")" }
                    img.pixels src=(uri) alt=(format!("hidden units, {}", snapshot.label));
                }
            }
        }
    })
}

fn confusion_section(m: &Metrics) -> Result<Markup, ReportError> {
    let Some(confusion) = &m.confusion else { return Ok(html! {}) };
    let matrix = ConfusionMatrix { counts: confusion.counts.clone() };
    let svg = pictures::confusion_matrix_svg(&matrix, &format!("confusion on {}", file_name(&confusion.set)))
        .map_err(|e| ReportError::new(Path::new(layout::METRICS), e))?;
    let eval = m.test.as_ref().or(m.training.as_ref());
    Ok(html! {
        h2 { "Which digit is taken for which" }
        p.note {
            "Each row is a true digit, each column the digit the network said, on " (confusion.set)
            ". The diagonal is right; a red cell counts one kind of mistake."
        }
        div.row {
            img.chart src=(svg_uri(&svg)) alt="the confusion matrix" style="max-width:560px";
            @if let Some(eval) = eval {
                table.grid id="per-digit" {
                    tr { th.num { "digit" } th.num { "right" } th.num { "accuracy" } th {} }
                    @for d in &eval.per_digit {
                        tr {
                            td.num { (d.digit) }
                            td.num { (d.correct) " of " (d.total) }
                            td.num { (percent(d.accuracy)) }
                            td { span.bar style=(format!("width:{:.1}px", d.accuracy * 1.5)) {} }
                        }
                    }
                }
            }
        }
    })
}

fn mistakes_section(dir: &Path, m: &Metrics) -> Result<Markup, ReportError> {
    let Some(info) = &m.mistakes else { return Ok(html! {}) };
    let set = m.confusion.as_ref().map_or_else(|| file_name(&m.dataset.source), |c| file_name(&c.set));
    if info.kept == 0 {
        return Ok(html! { h2 { "Mistakes" } p.note { "The network gets every digit of " (set) " right." } });
    }
    let names = [MISTAKE_IMAGES, MISTAKE_ACTUAL, MISTAKE_PREDICTED, MISTAKE_OUTPUTS, MISTAKE_ROWS];
    let [images, actual, predicted, outputs, rows] =
        <[data::Matrix; 5]>::try_from(read::matrices(dir, MISTAKES, &names)?)
            .map_err(|_| ReportError::new(&dir.join(MISTAKES), "not every variable was read"))?;
    let file = dir.join(MISTAKES);
    let n = images.rows();
    if [actual.rows(), predicted.rows(), outputs.rows(), rows.rows()].iter().any(|&r| r != n) {
        return Err(ReportError::new(
            &file,
            format!("variables of different lengths (`{MISTAKE_IMAGES}` has {n} rows)"),
        ));
    }
    let side = data::conventions::image_side(images.cols());
    let digit = |v: f64| v.round().max(0.0) as usize;
    let mut cards = Vec::with_capacity(n.min(MISTAKES_KEPT));
    for i in 0..n.min(MISTAKES_KEPT) {
        let picture = pictures::display_data(&[images.row(i)], GridLayout { side, columns: 1, rows: 1, scale: 1 });
        let (a, p) = (digit(actual.get(i, 0)), digit(predicted.get(i, 0)));
        let out = outputs.row(i);
        cards.push((png_uri(&file, &picture)?, a, p, out.to_vec(), digit(rows.get(i, 0))));
    }
    Ok(html! {
        h2 { "Mistakes" }
        p.note {
            "The network gets " (info.total) " digits of " (set) " wrong. Here are the " (cards.len())
            " it was surest about, most confident first: each with its true digit, the digit the network said, and the network's ten outputs (digits 0 to 9; red: the digit said, green: the true one)."
        }
        div.mistakes id="mistakes" {
            @for (uri, a, p, out, row) in &cards {
                div.mistake {
                    img.pixels src=(uri) alt=(format!("row {row}: a {a} taken for a {p}"));
                    div { "true " span.ok { (a) } ", said " span.said { (p) } }
                    div { (output_bars(out, *a, *p)) }
                    div.label { "row " (row) ", output " (format!("{:.2}", out.get(*p).copied().unwrap_or(0.0))) }
                }
            }
        }
    })
}
