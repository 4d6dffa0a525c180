//! MAT v5 files: a structural scan of the variables a file holds ([`scan`]), reading
//! validated real matrices ([`read_matrices`]), and a small writer ([`write`](mod@write)) for
//! the files we produce ourselves.
//!
//! The scan exists because the `matfile` crate silently skips what it cannot read (char, cell,
//! struct, sparse arrays) and cannot tell a v7.3 (HDF5) file from garbage; with it, every
//! variable the user names gets a precise message. The values are then decoded here, as a
//! stream straight into the row-major matrix: `matfile` held the inflated element, its own
//! decoded copy and ours at once (three times `X`, 73 MiB to read `ex4data1.mat`), mis-read
//! `int32` arrays and could panic on malformed input. `matfile` remains the independent
//! decoder our reader is checked against (`tests/mat_decoding.rs`).

mod read;
mod scan;
pub mod write;

// MAT v5 data types (`miINT8` ...), the type word of a data element's tag.
pub(crate) const MI_INT8: u32 = 1;
pub(crate) const MI_UINT8: u32 = 2;
pub(crate) const MI_INT16: u32 = 3;
pub(crate) const MI_UINT16: u32 = 4;
pub(crate) const MI_INT32: u32 = 5;
pub(crate) const MI_UINT32: u32 = 6;
pub(crate) const MI_SINGLE: u32 = 7;
pub(crate) const MI_DOUBLE: u32 = 9;
pub(crate) const MI_INT64: u32 = 12;
pub(crate) const MI_UINT64: u32 = 13;
pub(crate) const MI_MATRIX: u32 = 14;
pub(crate) const MI_COMPRESSED: u32 = 15;

pub use read::{RealMatrix, read_matrices, read_text};
pub use scan::{MatClass, VarHeader, scan};
pub use write::{MatArray, MatData, mat_bytes, write_atomic, write_mat_file};
