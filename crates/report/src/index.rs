//! The index of a runs directory: one row per run or sweep, newest first.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use maud::{Markup, html};

use crate::layout::{INDEX, METRICS, REPORT, SWEEP};
use crate::page::{file_name, href_segment, page, percent, seconds, write_page};
use crate::{ReportError, read, sweep};

/// One row of the index.
struct Row {
    name: String,
    /// UTC, `YYYY-MM-DD HH:MM:SS UTC`: sorts as it reads.
    date: String,
    what: Markup,
    training: Option<f64>,
    held_out: Option<f64>,
    seconds: Option<f64>,
}

/// Writes `runs/index.html`, atomically: every run and sweep directory in `runs`, newest first,
/// each linking to its report. A directory whose files cannot be read gets a row that says so.
pub fn write_index(runs: &Path) -> Result<PathBuf, ReportError> {
    let entries = std::fs::read_dir(runs).map_err(|e| ReportError::new(runs, format!("cannot list: {e}")))?;
    let mut rows: Vec<Row> = entries.filter_map(Result::ok).filter_map(|e| row(&e.path())).collect();
    rows.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| b.name.cmp(&a.name)));
    let html = page(
        "ex4 runs",
        html! {
            h1 { "Runs" }
            p.note { (rows.len()) " runs and sweeps in " (runs.display()) ", newest first. Each name opens its report." }
            table.grid id="runs" {
                tr {
                    th { "date" } th { "run" } th { "configuration" } th.num { "training" } th.num { "held-out" } th.num { "time" }
                }
                @for r in &rows {
                    tr {
                        td.date { (r.date) }
                        td { a href=(format!("{}/{REPORT}", href_segment(&r.name))) { (r.name) } }
                        td { (r.what) }
                        td.num { (r.training.map_or("-".into(), percent)) }
                        td.num { (r.held_out.map_or("-".into(), percent)) }
                        td.num { (r.seconds.map_or("-".into(), seconds)) }
                    }
                }
            }
        },
    );
    write_page(runs.join(INDEX), html)
}

fn row(dir: &Path) -> Option<Row> {
    let name = dir.file_name()?.to_string_lossy().into_owned();
    let modified = |file: &str| {
        std::fs::metadata(dir.join(file)).and_then(|m| m.modified()).map_or_else(|_| String::new(), utc_time)
    };
    if dir.join(METRICS).is_file() {
        return Some(match read::metrics(dir) {
            Ok(m) => Row {
                name,
                date: m.started.clone().unwrap_or_else(|| modified(METRICS)),
                what: html! {
                    (m.config.network.describe()) ", "
                    (m.config.optimizer) " " (m.iterations_run) " iterations, lambda " (m.config.lambda)
                    ", seed " (m.config.seed) ", " (file_name(&m.dataset.source))
                    @if m.stop.kind != "completed" { ", " (m.stop.kind) }
                },
                training: m.training.as_ref().map(|t| t.accuracy),
                held_out: m.test.as_ref().map(|t| t.accuracy),
                seconds: Some(m.time.train_seconds),
            },
            Err(e) => unreadable(name, modified(METRICS), &e),
        });
    }
    if dir.join(SWEEP).is_file() {
        return Some(match sweep::sweep_json(dir) {
            Ok(s) => {
                let best = s.best_lambda.and_then(|b| s.points.iter().find(|p| p.lambda == b));
                let lambdas: Vec<String> = s.points.iter().map(|p| p.lambda.to_string()).collect();
                Row {
                    name,
                    date: s.started.clone().unwrap_or_else(|| modified(SWEEP)),
                    what: html! {
                        "sweep of lambda " (lambdas.join(", ")) ", " (s.config.optimizer) " " (s.config.iterations)
                        " iterations, " (file_name(&s.dataset.source))
                        @if let Some(b) = best { "; best lambda " (b.lambda) " (figures on the right)" }
                    },
                    training: best.map(|b| b.training_accuracy),
                    held_out: best.and_then(|b| b.test_accuracy),
                    seconds: Some(s.seconds),
                }
            }
            Err(e) => unreadable(name, modified(SWEEP), &e),
        });
    }
    None
}

fn unreadable(name: String, date: String, error: &ReportError) -> Row {
    Row { name, date, what: html! { span.bad { (error.to_string()) } }, training: None, held_out: None, seconds: None }
}

/// A moment as `YYYY-MM-DD HH:MM:SS UTC`.
pub fn utc_time(time: SystemTime) -> String {
    let secs = time.duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rest) = ((secs / 86_400) as i64, secs % 86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC", rest / 3600, rest % 3600 / 60, rest % 60)
}
