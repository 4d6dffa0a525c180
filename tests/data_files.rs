//! The exercise's files ship in `data/`, byte for byte as distributed: each one's SHA-256 must
//! match `data/SHA256SUMS`, and the locator must find them there with no flag or variable.

use std::path::PathBuf;

use data::DataFile;
use sha2::{Digest, Sha256};

fn data_dir() -> PathBuf {
    data::workspace_root().join("data")
}

/// `(file name, hex digest)` for every line of `data/SHA256SUMS` (`sha256sum`'s format).
fn listed_sums() -> Vec<(String, String)> {
    let path = data_dir().join("SHA256SUMS");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let (digest, name) = line.split_once("  ").unwrap_or_else(|| panic!("malformed line {line:?}"));
            (name.trim_start_matches('*').to_string(), digest.to_ascii_lowercase())
        })
        .collect()
}

#[test]
fn every_exercise_file_matches_its_listed_checksum() {
    let sums = listed_sums();
    for file in [DataFile::Training, DataFile::Weights, DataFile::Test] {
        let (_, expected) = sums
            .iter()
            .find(|(name, _)| name == file.file_name())
            .unwrap_or_else(|| panic!("{} is not listed in data/SHA256SUMS", file.file_name()));
        let path = data_dir().join(file.file_name());
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let actual: String = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(&actual, expected, "{} differs from the distributed file", path.display());
    }
}

#[test]
fn the_locator_finds_the_shipped_files_without_any_set_up() {
    // Only when no directory is named in the environment: then `data/` is the one place.
    if std::env::var_os(data::DATA_DIR_ENV).is_some() {
        return;
    }
    for file in [DataFile::Training, DataFile::Weights, DataFile::Test] {
        let found = data::locate(file, None).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(found, data_dir().join(file.file_name()).canonicalize().unwrap());
    }
    let dirs = data::search_dirs();
    assert_eq!(dirs, vec![data_dir()], "nothing outside the repository is searched");
}
