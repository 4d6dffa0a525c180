//! Finding and loading the files a command works on, and the run directory it writes to.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use data::conventions::NUM_LABELS;
use data::{DataFile, Dataset, Weights, load_dataset, locate, synthetic_digits};

/// Examples in the built-in synthetic training set, as many as in `ex4data1.mat`.
pub const SYNTHETIC_TRAINING: usize = 5000;
/// Examples in the built-in synthetic held-out set.
pub const SYNTHETIC_TEST: usize = 1000;

/// Finds the digit set and the weights (the exercise's files unless given), loads them and
/// checks that they fit; errors list every place looked or name the file and variable. Weights
/// no training produces (a damaged file) get a one-line warning on stderr naming the entry.
pub fn load_pair(data: Option<&Path>, weights: Option<&Path>) -> Result<(Dataset, Weights)> {
    let weights = locate(DataFile::Weights, weights)?;
    let data = locate(DataFile::Training, data)?;
    let (data, weights) = data::load_pair(&data, &weights)?;
    if let Some(warning) = weights.damage_warning() {
        eprintln!("warning: {warning}");
    }
    Ok((data, weights))
}

/// The training set: the file given, or `ex4data1.mat` (shipped in `data/`); the built-in
/// synthetic digits when `synthetic` asks for them. The flag returned is true for the
/// synthetic set.
pub fn training_set(explicit: Option<&Path>, synthetic: bool) -> Result<(Dataset, bool)> {
    if synthetic {
        return Ok((synthetic_digits(SYNTHETIC_TRAINING, 0), true));
    }
    let path = locate(DataFile::Training, explicit)?;
    Ok((load_dataset(&path, NUM_LABELS)?, false))
}

/// The held-out set: the file given; none with `--no-test`; otherwise `ex4test.mat` when it is
/// found, or a second synthetic set (another seed) when training on synthetic digits.
pub fn held_out_set(
    explicit: Option<&Path>,
    no_test: bool,
    synthetic: bool,
    training: &Dataset,
) -> Result<Option<Dataset>> {
    let test = held_out(explicit, no_test, synthetic)?;
    if let Some(test) = &test
        && test.num_features() != training.num_features()
    {
        bail!(
            "{}: variable `X`: {} features per example, but the training set {} has {}",
            test.source.display(),
            test.num_features(),
            training.source.display(),
            training.num_features()
        );
    }
    Ok(test)
}

fn held_out(explicit: Option<&Path>, no_test: bool, synthetic: bool) -> Result<Option<Dataset>> {
    if no_test {
        return Ok(None);
    }
    if explicit.is_none() && synthetic {
        return Ok(Some(synthetic_digits(SYNTHETIC_TEST, 1)));
    }
    match locate(DataFile::Test, explicit) {
        Ok(path) => Ok(Some(load_dataset(&path, NUM_LABELS)?)),
        Err(_) if explicit.is_none() => Ok(None),
        Err(not_found) => Err(not_found.into()),
    }
}

/// Creates the output directory: `explicit`, which must not exist yet, or a new directory
/// `runs/<UTC time>-<name>` (with `-2`, `-3`, ... when that exists). Never reuses a directory,
/// so no earlier run is overwritten.
pub fn create_run_dir(explicit: Option<&Path>, name: &str) -> Result<PathBuf> {
    if let Some(dir) = explicit {
        if dir.exists() {
            bail!("--out {}: already exists; give a new directory (runs are never overwritten)", dir.display());
        }
        std::fs::create_dir_all(dir)
            .with_context(|| format!("--out {}: cannot create the directory", dir.display()))?;
        return Ok(dir.to_path_buf());
    }
    let runs = PathBuf::from("runs");
    std::fs::create_dir_all(&runs).with_context(|| format!("{}: cannot create the directory", runs.display()))?;
    let stem = format!("{}-{name}", utc_timestamp());
    for n in 1.. {
        let dir = if n == 1 { runs.join(&stem) } else { runs.join(format!("{stem}-{n}")) };
        match std::fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => bail!("{}: cannot create the directory: {e}", dir.display()),
        }
    }
    unreachable!("some suffix is free")
}

/// Fails when `path` exists: user files are never overwritten.
pub fn ensure_new_file(path: &Path, flag: &str) -> Result<()> {
    if path.exists() {
        bail!("{flag} {}: already exists; give a new file name", path.display());
    }
    Ok(())
}

/// The current UTC time as `YYYYMMDD-HHMMSS`.
fn utc_timestamp() -> String {
    // `YYYY-MM-DD HH:MM:SS UTC`, digits only, a dash between the date and the time.
    let digits: String = report::utc_time(std::time::SystemTime::now()).chars().filter(char::is_ascii_digit).collect();
    format!("{}-{}", &digits[..8], &digits[8..])
}

/// Writes `value` as pretty JSON at `path`, atomically.
pub fn write_json(path: &Path, value: &serde_json::Value) -> Result<()> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    data::mat::write_atomic(path, text.as_bytes()).with_context(|| format!("{}: cannot write", path.display()))
}

/// Writes a text file at `path`, atomically.
pub fn write_text(path: &Path, text: &str) -> Result<()> {
    data::mat::write_atomic(path, text.as_bytes()).with_context(|| format!("{}: cannot write", path.display()))
}
