//! What a training run is asked to do.

use data::{Activation, Architecture, LayerSizes, Output};
use serde::Serialize;

/// The optimizer that moves the parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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

/// The floating-point type the cost and gradient are computed in. Only the fused engine
/// computes in f32; the optimizers keep their state in f64 either way (each evaluation takes
/// the parameters rounded to f32 and gives its cost and gradient back in f64).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Precision {
    F32,
    F64,
}

impl Precision {
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

/// How the initial weights are drawn (always uniformly, centred on 0, from the run's seed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InitRule {
    /// The exercise's `randInitializeWeights`: every layer in `[−ε, ε]`, `ε` from
    /// `--init-epsilon` (0.12).
    Exercise,
    /// Layer `l` in `[−ε_l, ε_l]` with `ε_l = √6 / √(s_l + s_{l+1})`: the same rule the
    /// exercise gives for choosing `ε`, applied to each layer's own sizes, so that deeper
    /// layers (fewer inputs) start with larger weights and every layer's outputs start on the
    /// same scale.
    PerLayer,
}

impl InitRule {
    /// The rule used when none is asked for: the exercise's for one hidden layer, per layer
    /// for deeper networks.
    pub fn default_for(sizes: &LayerSizes) -> InitRule {
        match manual::Init::default_for(sizes) {
            manual::Init::Uniform(_) => InitRule::Exercise,
            manual::Init::PerLayer => InitRule::PerLayer,
        }
    }
}

/// Each choice serializes as its name, the one the command line takes (`"lbfgs"`, `"per-layer"`).
macro_rules! serialize_by_name {
    ($($ty:ty),+) => {
        $(impl Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        })+
    };
}

serialize_by_name!(Optimizer, Engine, Precision, InitRule);
data::named_choices!(Optimizer, "optimizer", Lbfgs => "lbfgs", Cg => "cg", Gd => "gd", Adam => "adam");
data::named_choices!(Engine, "engine", Fused => "fused", Manual => "manual", Autodiff => "autodiff");
data::named_choices!(Precision, "precision", F32 => "f32", F64 => "f64");
data::named_choices!(InitRule, "init rule", Exercise => "exercise", PerLayer => "per-layer");

/// A training run's configuration: everything that, with the data, decides its result.
#[derive(Clone, Debug, PartialEq)]
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
    /// How the initial weights are drawn; `None` takes [`InitRule::default_for`] the network.
    pub init: Option<InitRule>,
    /// `ε` of [`InitRule::Exercise`]: its weights are drawn uniformly in `[-ε, ε]`.
    pub init_epsilon: f64,
    /// Units in each hidden layer, the first (next to the input) first: `[25]` in the exercise.
    pub hidden: Vec<usize>,
    /// The hidden layers' activation.
    pub activation: Activation,
    /// The output layer and its cost.
    pub output: Output,
}

impl Default for TrainConfig {
    /// A bare run: L-BFGS, 100 iterations, `λ = 1`, one hidden layer of 25 sigmoids, a sigmoid
    /// output, the exercise's initialization with `ε = 0.12`, seed 0, the fused engine in f64.
    fn default() -> Self {
        Self {
            optimizer: Optimizer::Lbfgs,
            engine: Engine::Fused,
            precision: Precision::F64,
            iterations: 100,
            alpha: None,
            lambda: 1.0,
            seed: 0,
            init: None,
            init_epsilon: manual::DEFAULT_INIT_EPSILON,
            hidden: vec![25],
            activation: Activation::Sigmoid,
            output: Output::Sigmoid,
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
        LayerSizes::with_hidden(input, &self.hidden, labels)
    }

    /// The network for `input` features and `labels` classes.
    pub fn architecture(&self, input: usize, labels: usize) -> Architecture {
        Architecture::new(self.sizes(input, labels), self.activation, self.output)
    }

    /// The initialization rule in effect for a network of `sizes`.
    pub fn init_rule(&self, sizes: &LayerSizes) -> InitRule {
        self.init.unwrap_or_else(|| InitRule::default_for(sizes))
    }

    /// The initialization in effect for a network of `sizes`.
    pub fn init(&self, sizes: &LayerSizes) -> manual::Init {
        match self.init_rule(sizes) {
            InitRule::Exercise => manual::Init::Uniform(self.init_epsilon),
            InitRule::PerLayer => manual::Init::PerLayer,
        }
    }

    /// Checks every value: `λ` finite and `≥ 0`, iterations `≥ 1`, `α` finite and `> 0`,
    /// one or more hidden layers of at least 1 unit, `ε` finite and `> 0`, a precision the engine computes in
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
        if self.hidden.is_empty() || self.hidden.contains(&0) {
            let sizes: Vec<String> = self.hidden.iter().map(usize::to_string).collect();
            return fail("--hidden", "one or more layer sizes, each at least 1", sizes.join(","));
        }
        if !(self.init_epsilon.is_finite() && self.init_epsilon > 0.0) {
            return fail("--init-epsilon", "finite and > 0", self.init_epsilon.to_string());
        }
        self.precision.check(self.engine)
    }
}
