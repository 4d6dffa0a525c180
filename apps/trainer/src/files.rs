//! Finding and loading the files a command works on.

use std::path::{Path, PathBuf};

use anyhow::Result;
use data::{DataFile, Dataset, Weights, locate};

/// The path of `file`, or of `explicit`; the error lists every place looked.
pub fn find(file: DataFile, explicit: Option<&Path>) -> Result<PathBuf> {
    Ok(locate(file, explicit)?)
}

/// Loads weights, then a digit set whose labels fit them, and checks that the two fit.
pub fn load_pair(data: Option<&Path>, weights: Option<&Path>) -> Result<(Dataset, Weights)> {
    let weights = data::load_weights(&find(DataFile::Weights, weights)?)?;
    let dataset = data::load_dataset(&find(DataFile::Training, data)?, weights.layer_sizes().labels)?;
    data::check_fit(&dataset, &weights)?;
    Ok((dataset, weights))
}
