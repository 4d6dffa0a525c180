//! The `ex4` workspace's root package: it owns the cross-implementation regression tests in
//! `tests/` and re-exports the layers they exercise. See `ARCHITECTURE.md` for the map.

pub use backend;
pub use data;
pub use fused;
pub use manual;
pub use model;
pub use train;
pub use verify;
