//! What a training run is asked to do.

use std::fmt;
use std::str::FromStr;

use data::LayerSizes;
use serde::Serialize;

/// The optimizer that moves the parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Optimizer {
    /// L-BFGS with a Moré-Thuente line search (`argmin`).
    Lbfgs,
    /// Nonlinear conjugate gradient, Polak-Ribière+, Moré-Thuente line search (`argmin`); the
    /// closest relative of the exercise's `fmincg`.
    Cg,
    /// Plain gradient descent, `θ ← θ − α ∇J(θ)`, as the exercise's notebooks do it.
    Gd,
    /// Adam (burn's optimizer) with learning rate `α`.
    Adam,
}

impl Optimizer {
    /// Every optimizer, in the order the CLI lists them.
    pub const ALL: [Optimizer; 4] = [Optimizer::Lbfgs, Optimizer::Cg, Optimizer::Gd, Optimizer::Adam];

    /// The name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Optimizer::Lbfgs => "lbfgs",
            Optimizer::Cg => "cg",
            Optimizer::Gd => "gd",
            Optimizer::Adam => "adam",
        }
    }

    /// The step size `α` used when none is given: the exercise's 0.5 for gradient descent;
    /// 0.1 for Adam (on the exercise's data, 93% training accuracy in 100 iterations, against
    /// 83% at 0.03 and 75% at 0.01); the line-search methods need none.
    pub fn default_alpha(self) -> Option<f64> {
        match self {
            Optimizer::Gd => Some(0.5),
            Optimizer::Adam => Some(0.1),
            Optimizer::Lbfgs | Optimizer::Cg => None,
        }
    }
}

/// Where the gradient comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    /// The hand-written backpropagation of the `manual` crate, fused on the CPU
    /// ([`fused::FusedNnCost`], in the [`Precision`] asked for): the same computation as
    /// `manual`, about eight times faster on the exercise's data in f64, twice that in f32
    /// (`just bench`). The backend flag does not apply to it.
    Fused,
    /// The hand-written backpropagation of the `manual` crate in burn tensor operations on the
    /// chosen backend ([`manual::NnCost`]).
    Manual,
    /// `backward()` through the `model` crate's cost on burn's autodiff device.
    Autodiff,
}

impl Engine {
    /// Both engines.
    pub const ALL: [Engine; 3] = [Engine::Fused, Engine::Manual, Engine::Autodiff];

    /// The name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Engine::Fused => "fused",
            Engine::Manual => "manual",
            Engine::Autodiff => "autodiff",
        }
    }
}

macro_rules! named_enum {
    ($ty:ident, $what:literal) => {
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }

        impl FromStr for $ty {
            type Err = String;

            fn from_str(s: &str) -> Result<Self, String> {
                let lower = s.to_ascii_lowercase();
                $ty::ALL.into_iter().find(|v| v.name() == lower).ok_or_else(|| {
                    let names: Vec<&str> = $ty::ALL.iter().map(|v| v.name()).collect();
                    format!("unknown {} '{s}' (choose one of: {})", $what, names.join(", "))
                })
            }
        }
    };
}

/// The floating-point type the cost and gradient are computed in. Only the fused engine
/// computes in f32; the optimizers keep their state in f64 either way (each evaluation takes
/// the parameters rounded to f32 and gives its cost and gradient back in f64).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    F32,
    F64,
}

impl Precision {
    /// Both precisions.
    pub const ALL: [Precision; 2] = [Precision::F32, Precision::F64];

    /// The name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Precision::F32 => "f32",
            Precision::F64 => "f64",
        }
    }

    /// Checks that `engine` computes in this precision: every engine does in f64, only the
    /// fused one in f32.
    pub fn check(self, engine: Engine) -> Result<(), ConfigError> {
        if self == Precision::F32 && engine != Engine::Fused {
            return Err(ConfigError {
                flag: "--precision",
                requirement: "f64 except with --engine fused (the only engine that computes in f32)",
                value: format!("{self} with --engine {engine}"),
            });
        }
        Ok(())
    }
}

named_enum!(Optimizer, "optimizer");
named_enum!(Engine, "engine");
named_enum!(Precision, "precision");

/// A training run's configuration: everything that, with the data, decides its result.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TrainConfig {
    pub optimizer: Optimizer,
    pub engine: Engine,
    /// What the engine computes in (f32 with the fused engine only).
    pub precision: Precision,
    /// Iterations of the optimizer (one gradient step for gd and adam; one line search for
    /// lbfgs and cg).
    pub iterations: usize,
    /// Step size for gd and adam; `None` takes [`Optimizer::default_alpha`].
    pub alpha: Option<f64>,
    /// Regularization strength `λ`.
    pub lambda: f64,
    /// Seed of the initial weights.
    pub seed: u64,
    /// Initial weights are drawn uniformly in `[-ε, ε]`.
    pub init_epsilon: f64,
    /// Units in the hidden layer.
    pub hidden: usize,
}

impl Default for TrainConfig {
    /// A bare run: L-BFGS, 100 iterations, `λ = 1`, 25 hidden units, `ε = 0.12`, seed 0, the
    /// fused engine in f64.
    fn default() -> Self {
        Self {
            optimizer: Optimizer::Lbfgs,
            engine: Engine::Fused,
            precision: Precision::F64,
            iterations: 100,
            alpha: None,
            lambda: 1.0,
            seed: 0,
            init_epsilon: manual::DEFAULT_INIT_EPSILON,
            hidden: 25,
        }
    }
}

/// A configuration value out of range.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("{flag} must be {requirement}, got {value}")]
pub struct ConfigError {
    pub flag: &'static str,
    pub requirement: &'static str,
    pub value: String,
}

impl TrainConfig {
    /// The step size in effect.
    pub fn alpha(&self) -> Option<f64> {
        self.alpha.or(self.optimizer.default_alpha())
    }

    /// The layer sizes for `input` features and `labels` classes.
    pub fn sizes(&self, input: usize, labels: usize) -> LayerSizes {
        LayerSizes::new(input, self.hidden, labels)
    }

    /// Checks every value: `λ` finite and `≥ 0`, iterations `≥ 1`, `α` finite and `> 0`,
    /// hidden `≥ 1`, `ε` finite and `> 0`, a precision the engine computes in
    /// ([`Precision::check`]).
    pub fn validate(&self) -> Result<(), ConfigError> {
        let fail = |flag, requirement, value: String| Err(ConfigError { flag, requirement, value });
        if !(self.lambda.is_finite() && self.lambda >= 0.0) {
            return fail("--lambda", "finite and >= 0", self.lambda.to_string());
        }
        if self.iterations == 0 {
            return fail("--iterations", "at least 1", "0".into());
        }
        if let Some(alpha) = self.alpha
            && !(alpha.is_finite() && alpha > 0.0)
        {
            return fail("--alpha", "finite and > 0", alpha.to_string());
        }
        if self.hidden == 0 {
            return fail("--hidden", "at least 1", "0".into());
        }
        if !(self.init_epsilon.is_finite() && self.init_epsilon > 0.0) {
            return fail("--init-epsilon", "finite and > 0", self.init_epsilon.to_string());
        }
        self.precision.check(self.engine)
    }
}
