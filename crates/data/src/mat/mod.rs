//! MAT v5 files: a structural scan of the variables a file holds ([`scan`]), reading
//! validated real matrices through the `matfile` crate ([`read_matrices`]), and a small writer
//! ([`write`]) for the files we produce ourselves.
//!
//! The scan exists because `matfile` silently skips what it cannot read (char, cell, struct,
//! sparse arrays) and cannot tell a v7.3 (HDF5) file from garbage; with it, every variable the
//! user names gets a precise message.

mod read;
mod scan;
pub mod write;

pub use read::{RealMatrix, read_matrices};
pub use scan::{MatClass, VarHeader, scan};
pub use write::{MatArray, MatData, mat_bytes, write_atomic, write_mat_file};
