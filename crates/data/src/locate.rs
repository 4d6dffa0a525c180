//! Finding the exercise's files without any set-up.
//!
//! Order: a path the user gave (a flag), then the directory named by the environment variable
//! [`DATA_DIR_ENV`], then `data/` at the workspace root, where the repository ships the
//! exercise's files. A bare file name given by the user (`--data ex4test.mat`) that does not exist in
//! the current directory is looked up in the same directories.
//!
//! The workspace is found when the program runs, not when it was built: a checkout that moved,
//! or a build cache shared by two checkouts (cargo reuses a build made at another path, and with
//! it any path the compiler baked in), must still look beside the checkout in use.

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

/// The workspace root (the directory whose `Cargo.toml` has a `[workspace]` table) in use:
/// the first found above, in order, the package directory cargo gives a program it runs
/// (`CARGO_MANIFEST_DIR` at run time: `cargo run`, `cargo test`), the executable's directory (a
/// `target/` inside the checkout) and the current directory; failing all three, the workspace
/// this crate was built in.
pub fn workspace_root() -> PathBuf {
    let runtime_starts = [
        std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from),
        std::env::current_exe().ok().and_then(|exe| exe.parent().map(Path::to_path_buf)),
        std::env::current_dir().ok(),
    ];
    runtime_starts.into_iter().flatten().find_map(|start| enclosing_workspace(&start)).unwrap_or_else(built_in)
}

/// The workspace this crate was compiled in (`CARGO_MANIFEST_DIR` at build time is
/// `<workspace>/crates/data`).
fn built_in() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().and_then(Path::parent).unwrap_or(manifest).to_path_buf()
}

/// The nearest directory at or above `start` whose `Cargo.toml` declares a `[workspace]`.
fn enclosing_workspace(start: &Path) -> Option<PathBuf> {
    start.ancestors().find(|dir| is_workspace_root(dir)).map(Path::to_path_buf)
}

fn is_workspace_root(dir: &Path) -> bool {
    std::fs::read_to_string(dir.join("Cargo.toml"))
        .is_ok_and(|manifest| manifest.lines().any(|line| line.trim() == "[workspace]"))
}

/// The directories searched, in order: `$EX4_DATA_DIR` (when set) and `<workspace>/data`, for
/// the [`workspace_root`] in use.
pub fn search_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(dir) = std::env::var_os(DATA_DIR_ENV).filter(|d| !d.is_empty()) {
        dirs.push(PathBuf::from(dir));
    }
    dirs.push(workspace_root().join("data"));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workspace_is_the_one_cargo_runs_the_tests_in() {
        // At run time, not as baked in at build time: the package directory cargo gives the
        // test process is `<workspace>/crates/data`.
        let package = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
        let expected = package.parent().and_then(Path::parent).unwrap();
        assert_eq!(workspace_root(), expected);
        assert!(is_workspace_root(expected));
        assert!(!is_workspace_root(&package), "a member's manifest is not the workspace's");
    }

    #[test]
    fn the_nearest_enclosing_workspace_is_found_from_any_depth() {
        let dir = std::env::temp_dir().join(format!("ex4-locate-{}", std::process::id()));
        let member = dir.join("outer/inner/crates/member/src");
        std::fs::create_dir_all(&member).unwrap();
        std::fs::write(dir.join("outer/Cargo.toml"), "[workspace]\nmembers = []\n").unwrap();
        std::fs::write(dir.join("outer/inner/Cargo.toml"), "[workspace]\nmembers = [\"crates/*\"]\n").unwrap();
        std::fs::write(dir.join("outer/inner/crates/member/Cargo.toml"), "[package]\nname = \"member\"\n").unwrap();
        assert_eq!(enclosing_workspace(&member), Some(dir.join("outer/inner")));
        assert_eq!(enclosing_workspace(&dir.join("outer")), Some(dir.join("outer")));
        // A mention of `workspace` elsewhere in a manifest is not a workspace table.
        std::fs::write(dir.join("outer/Cargo.toml"), "[package]\nworkspace = \"..\"\n").unwrap();
        assert_ne!(enclosing_workspace(&dir.join("outer")), Some(dir.join("outer")));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
