//! Finding and loading the files a command works on.

use std::path::Path;

use anyhow::Result;
use data::{DataFile, Dataset, Weights, locate};

/// Finds the digit set and the weights (the exercise's files unless given), loads them and
/// checks that they fit; errors list every place looked or name the file and variable.
pub fn load_pair(data: Option<&Path>, weights: Option<&Path>) -> Result<(Dataset, Weights)> {
    let weights = locate(DataFile::Weights, weights)?;
    let data = locate(DataFile::Training, data)?;
    Ok(data::load_pair(&data, &weights)?)
}
