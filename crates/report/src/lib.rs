//! Reports: one self-contained HTML page per run and per sweep, and the index of a runs
//! directory, for students who would rather look than read.
//!
//! A report is built from the files a run directory holds (`metrics.json`, `snapshots.mat`,
//! `mistakes.mat`, `weights.mat`, `digits.png`; a sweep's `sweep.json` and its lambdas' run
//! directories), never from a training in memory, so that `trainer report DIR` rebuilds exactly
//! what a run wrote. Pages open offline: charts are drawn by the [`pictures`] crate's code (the
//! same that draws the PNG files) as SVG, and every picture is inlined as a `data:` URI; no
//! script, font or style is fetched. Pages are made with `maud` templates, which escape every
//! string they are given (directory and file names included). This crate knows nothing of
//! networks, training or burn.

mod index;
pub mod layout;
mod page;
mod read;
mod run;
mod sweep;

use std::path::{Path, PathBuf};

pub use index::{utc_time, write_index};
pub use read::{Checkpoint, Confusion, Metrics, Mistakes, SnapshotInfo};
pub use run::{MISTAKES_KEPT, write_run_report};
pub use sweep::write_sweep_report;

/// A report that could not be made: the file and the problem, in one line.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {problem}")]
pub struct ReportError {
    pub file: String,
    pub problem: String,
}

impl ReportError {
    pub(crate) fn new(file: &Path, problem: impl std::fmt::Display) -> Self {
        // One line, whatever the problem's text holds.
        let problem = problem.to_string().lines().map(str::trim).collect::<Vec<_>>().join(" ");
        Self { file: file.display().to_string(), problem }
    }
}

/// What a directory holds, by the files in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Run,
    Sweep,
}

/// Whether `dir` is a run (it has `metrics.json`) or a sweep (`sweep.json`).
pub fn kind(dir: &Path) -> Result<Kind, ReportError> {
    if dir.join(layout::METRICS).is_file() {
        Ok(Kind::Run)
    } else if dir.join(layout::SWEEP).is_file() {
        Ok(Kind::Sweep)
    } else if !dir.is_dir() {
        Err(ReportError::new(dir, "not a directory"))
    } else {
        Err(ReportError::new(
            dir,
            format!("neither {} (a run) nor {} (a sweep) is there", layout::METRICS, layout::SWEEP),
        ))
    }
}

/// Rebuilds the report of the run or sweep in `dir` (for a sweep, each lambda's report too), and
/// the index of its parent when that is a runs directory ([`layout::RUNS_DIR`]). Returns the
/// report's path.
pub fn rebuild(dir: &Path) -> Result<PathBuf, ReportError> {
    let path = match kind(dir)? {
        Kind::Run => write_run_report(dir)?,
        Kind::Sweep => {
            sweep::rebuild_lambda_reports(dir)?;
            write_sweep_report(dir)?
        }
    };
    if let Some(runs) = runs_dir_of(dir) {
        write_index(&runs)?;
    }
    Ok(path)
}

/// The runs directory `dir` is in: its parent, when that is named [`layout::RUNS_DIR`].
pub fn runs_dir_of(dir: &Path) -> Option<PathBuf> {
    let absolute = std::path::absolute(dir).ok()?;
    let parent = absolute.parent()?;
    (parent.file_name()? == layout::RUNS_DIR).then(|| parent.to_path_buf())
}
