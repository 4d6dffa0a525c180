//! The two gradient engines behind one [`Objective`]: the same function of the unrolled
//! parameters, differentiated by hand or by burn.

use backend::{matrix_to_tensor, one_hot};
use burn::tensor::{Device, Tensor};
use data::{Architecture, Dataset};

use crate::{ConfigError, Engine, Precision};

/// `J(θ)` and `∇J(θ)` on fixed examples, `θ` unrolled as in [`manual::unroll`].
pub trait Objective {
    /// The cost and its gradient at `params`; the gradient is unrolled like `params`.
    fn cost_and_gradient(&self, params: &[f64]) -> (f64, Vec<f64>);

    /// The network the parameters describe.
    fn architecture(&self) -> &Architecture;
}

/// The hand-written backpropagation ([`manual::NnCost`]).
struct ManualObjective(manual::NnCost);

impl Objective for ManualObjective {
    fn cost_and_gradient(&self, params: &[f64]) -> (f64, Vec<f64>) {
        self.0.cost_and_gradient(params)
    }

    fn architecture(&self) -> &Architecture {
        self.0.architecture()
    }
}

/// The hand-written backpropagation fused on the CPU ([`fused::FusedNnCost`]), computing in
/// `T`: the parameters are rounded to `T` at each evaluation, the cost and gradient come back in
/// f64.
struct FusedObjective<'a, T: fused::Real>(fused::FusedNnCost<'a, T>);

impl<T: fused::Real> Objective for FusedObjective<'_, T> {
    fn cost_and_gradient(&self, params: &[f64]) -> (f64, Vec<f64>) {
        self.0.cost_and_gradient(params)
    }

    fn architecture(&self) -> &Architecture {
        self.0.architecture()
    }
}

/// burn's autodiff through [`model::cost`] ([`model::cost_and_gradient`]): each call builds the
/// [`Network`](model::Network) from the parameters on the autodiff device, runs the cost forward
/// and `backward()`.
struct AutodiffObjective {
    /// `[m, input]` on the autodiff device, built once.
    x: Tensor<2>,
    /// `[m, labels]` one-hot, built once.
    y: Tensor<2>,
    architecture: Architecture,
    lambda: f64,
    device: Device,
}

impl AutodiffObjective {
    /// The objective on `data` for `architecture`, on `device` (a plain device; its
    /// autodiff wrapper is taken here).
    fn new(data: &Dataset, architecture: &Architecture, lambda: f64, device: &Device) -> Self {
        let device = device.clone().autodiff();
        Self {
            x: matrix_to_tensor(&data.x, &device),
            y: one_hot(&data.labels, architecture.sizes.labels(), &device),
            architecture: architecture.clone(),
            lambda,
            device,
        }
    }
}

impl Objective for AutodiffObjective {
    fn cost_and_gradient(&self, params: &[f64]) -> (f64, Vec<f64>) {
        model::cost_and_gradient(params, &self.architecture, self.x.clone(), self.y.clone(), self.lambda, &self.device)
    }

    fn architecture(&self) -> &Architecture {
        &self.architecture
    }
}

/// The objective of `engine` computing in `precision` on `data`, for `architecture`
/// regularized by `lambda`; an error when the engine does not compute in that precision
/// ([`Precision::check`]).
pub fn objective<'a>(
    engine: Engine,
    precision: Precision,
    data: &'a Dataset,
    architecture: &Architecture,
    lambda: f64,
    device: &Device,
) -> Result<Box<dyn Objective + 'a>, ConfigError> {
    Ok(Objectives::new(engine, precision, data, architecture)?.at(lambda, device))
}

/// The objectives of one engine on `data` at several lambdas, sharing what does not depend on
/// lambda: the fused engine indexes `X` once for all of them (a sweep's runs then read one
/// index, not one each).
pub(crate) struct Objectives<'a> {
    data: &'a Dataset,
    architecture: Architecture,
    examples: Examples<'a>,
}

/// What an engine holds of the examples for every lambda.
enum Examples<'a> {
    /// The fused engine's examples, indexed, in f64 or f32.
    FusedF64(fused::FusedNnCost<'a, f64>),
    FusedF32(fused::FusedNnCost<'a, f32>),
    /// The other engines build theirs at each lambda, on the run's device.
    Manual,
    Autodiff,
}

impl<'a> Objectives<'a> {
    /// The objectives of `engine` in `precision`; an error when it does not compute in it.
    pub(crate) fn new(
        engine: Engine,
        precision: Precision,
        data: &'a Dataset,
        architecture: &Architecture,
    ) -> Result<Self, ConfigError> {
        precision.check(engine)?;
        let (x, labels) = (&data.x, &data.labels[..]);
        let examples = match (engine, precision) {
            (Engine::Fused, Precision::F64) => {
                Examples::FusedF64(fused::FusedNnCost::new(x, labels, architecture, 0.0))
            }
            (Engine::Fused, Precision::F32) => {
                Examples::FusedF32(fused::FusedNnCost::new(x, labels, architecture, 0.0))
            }
            (Engine::Manual, _) => Examples::Manual,
            (Engine::Autodiff, _) => Examples::Autodiff,
        };
        Ok(Self { data, architecture: architecture.clone(), examples })
    }

    /// The objective at `lambda`.
    pub(crate) fn at(&self, lambda: f64, device: &Device) -> Box<dyn Objective + 'a> {
        let (data, architecture) = (self.data, &self.architecture);
        match &self.examples {
            Examples::FusedF64(fused) => Box::new(FusedObjective(fused.with_lambda(lambda))),
            Examples::FusedF32(fused) => Box::new(FusedObjective(fused.with_lambda(lambda))),
            Examples::Manual => {
                Box::new(ManualObjective(manual::NnCost::new(&data.x, &data.labels, architecture, lambda, device)))
            }
            Examples::Autodiff => Box::new(AutodiffObjective::new(data, architecture, lambda, device)),
        }
    }
}
