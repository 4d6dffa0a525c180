//! Training: everything that turns a dataset and a configuration into learned weights.
//!
//! This crate owns the gradient *engines* (the hand-written backpropagation of [`manual`], in
//! burn tensor operations or fused on the CPU in f64 or f32, and burn's autodiff on the
//! [`model`] crate's cost), the optimizers that drive them (plain gradient descent as the
//! exercise does it, L-BFGS and nonlinear conjugate gradient from `argmin`, Adam from burn's
//! optimizers), lambda sweeps run in parallel, the hidden-layer sharpness figure, and the
//! one-vs-all logistic-regression baseline. It knows nothing of files, terminals, signals or
//! pictures: callers pass data in, watch progress through a [`Monitor`] (which may ask to
//! stop), and get weights and a cost history back.

mod argmin_problem;
mod baseline;
mod config;
mod engine;
mod optimize;
mod sharpness;
mod sweep;

pub use baseline::{BASELINE_ITERATIONS, BASELINE_LAMBDA, Baseline, lr_cost_function, one_vs_all, predict_one_vs_all};
pub use config::{ConfigError, Engine, InitRule, Optimizer, Precision, TrainConfig};
pub use engine::{Objective, objective};
pub use optimize::{
    Control, Monitor, Outcome, Silent, Snapshot, Snapshots, Stop, checkpoints, minimize, network_architecture, train,
};
pub use sharpness::{hidden_images, sharpness};
pub use sweep::{SweepError, SweepPoint, sweep};
