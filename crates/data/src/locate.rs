//! Finding the exercise's files without any set-up.
//!
//! Order: a path the user gave (a flag), then the directory named by the environment variable
//! [`DATA_DIR_ENV`], then `data/` at the workspace root, then `../shared/data` beside the
//! workspace. A bare file name given by the user (`--data ex4test.mat`) that does not exist in
//! the current directory is looked up in the same directories.

use std::fmt;
use std::path::{Path, PathBuf};

/// Environment variable naming a directory that holds the exercise's files.
pub const DATA_DIR_ENV: &str = "EX4_DATA_DIR";

/// The exercise's files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataFile {
    /// `ex4data1.mat`: the 5000 training digits.
    Training,
    /// `ex4weights.mat`: the reference `Theta1`, `Theta2`.
    Weights,
    /// `ex4test.mat`: 10,000 held-out MNIST test digits.
    Test,
}

impl DataFile {
    /// The file's name.
    pub fn file_name(self) -> &'static str {
        match self {
            DataFile::Training => "ex4data1.mat",
            DataFile::Weights => "ex4weights.mat",
            DataFile::Test => "ex4test.mat",
        }
    }
}

/// The workspace root (where the top-level `Cargo.toml` is), as this crate was built.
pub fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().and_then(Path::parent).unwrap_or(manifest).to_path_buf()
}

/// The directories searched, in order: `$EX4_DATA_DIR` (when set), `<workspace>/data`,
/// `<workspace>/../shared/data`.
pub fn search_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(dir) = std::env::var_os(DATA_DIR_ENV).filter(|d| !d.is_empty()) {
        dirs.push(PathBuf::from(dir));
    }
    let root = workspace_root();
    dirs.push(root.join("data"));
    dirs.push(root.join("..").join("shared").join("data"));
    dirs
}

/// A file was found nowhere; lists every place looked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotFound {
    /// The file sought.
    pub name: String,
    /// Every path tried, in order.
    pub looked: Vec<PathBuf>,
}

impl fmt::Display for NotFound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let looked: Vec<String> = self.looked.iter().map(|p| p.display().to_string()).collect();
        write!(
            f,
            "{} not found; looked in: {}. Put the exercise files in one of these places, set {} to their \
             directory, or pass the path explicitly (see data/README.md)",
            self.name,
            looked.join(", "),
            DATA_DIR_ENV
        )
    }
}

impl std::error::Error for NotFound {}

/// The path of `file`, or of `explicit` when the user gave one.
pub fn locate(file: DataFile, explicit: Option<&Path>) -> Result<PathBuf, NotFound> {
    let mut looked = Vec::new();
    let name = match explicit {
        Some(path) => {
            // Anything that exists is the user's choice: reading it says what is wrong with it
            // (a directory, say) better than "not found" would.
            if path.exists() {
                return Ok(path.to_path_buf());
            }
            looked.push(path.to_path_buf());
            // Only a bare file name is looked up further.
            match (path.parent(), path.file_name()) {
                (Some(parent), Some(name)) if parent.as_os_str().is_empty() => name.to_os_string(),
                _ => return Err(NotFound { name: path.display().to_string(), looked }),
            }
        }
        None => file.file_name().into(),
    };
    for dir in search_dirs() {
        let candidate = dir.join(&name);
        if candidate.is_file() {
            return Ok(candidate.canonicalize().unwrap_or(candidate));
        }
        looked.push(candidate);
    }
    Err(NotFound { name: name.to_string_lossy().into_owned(), looked })
}
