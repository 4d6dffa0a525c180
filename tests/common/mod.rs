//! Helpers shared by the root integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

use data::{DataFile, Dataset, Weights};

/// The path of an exercise file; panics with the locator's message (every place it looked)
/// when the repository's `data/` lacks it.
pub fn exercise_file(file: DataFile) -> PathBuf {
    data::locate(file, None).unwrap_or_else(|e| panic!("{e}"))
}

/// The reference weights.
pub fn reference_weights() -> Weights {
    data::load_weights(&exercise_file(DataFile::Weights)).unwrap_or_else(|e| panic!("{e}"))
}

/// A digit set of the exercise, labels 1..=10.
pub fn exercise_set(file: DataFile) -> Dataset {
    data::load_dataset(&exercise_file(file), 10).unwrap_or_else(|e| panic!("{e}"))
}

/// A fresh empty directory under the system's temporary directory.
pub fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ex4-test-{}-{}", name, std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}
