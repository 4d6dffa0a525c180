//! The two gradient engines behind one [`Objective`]: the same function of the unrolled
//! parameters, differentiated by hand or by burn.

use backend::{matrix_to_tensor, one_hot};
use burn::tensor::{Device, Tensor};
use data::{Dataset, LayerSizes};

use crate::Engine;

/// `J(θ)` and `∇J(θ)` on fixed examples, `θ` unrolled as in [`manual::unroll`].
pub trait Objective {
    /// The cost and its gradient at `params`; the gradient is unrolled like `params`.
    fn cost_and_gradient(&self, params: &[f64]) -> (f64, Vec<f64>);

    /// The layer sizes the parameters describe.
    fn sizes(&self) -> LayerSizes;
}

/// The hand-written backpropagation ([`manual::NnCost`]).
struct ManualObjective(manual::NnCost);

impl Objective for ManualObjective {
    fn cost_and_gradient(&self, params: &[f64]) -> (f64, Vec<f64>) {
        self.0.cost_and_gradient(params)
    }

    fn sizes(&self) -> LayerSizes {
        self.0.sizes()
    }
}

/// The hand-written backpropagation fused on the CPU ([`fused::FusedNnCost`], f64).
struct FusedObjective<'a>(fused::FusedNnCost<'a, f64>);

impl Objective for FusedObjective<'_> {
    fn cost_and_gradient(&self, params: &[f64]) -> (f64, Vec<f64>) {
        self.0.cost_and_gradient(params)
    }

    fn sizes(&self) -> LayerSizes {
        self.0.sizes()
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
    sizes: LayerSizes,
    lambda: f64,
    device: Device,
}

impl AutodiffObjective {
    /// The objective on `data` for a network of `sizes`, on `device` (a plain device; its
    /// autodiff wrapper is taken here).
    fn new(data: &Dataset, sizes: LayerSizes, lambda: f64, device: &Device) -> Self {
        let device = device.clone().autodiff();
        Self {
            x: matrix_to_tensor(&data.x, &device),
            y: one_hot(&data.labels, sizes.labels, &device),
            sizes,
            lambda,
            device,
        }
    }
}

impl Objective for AutodiffObjective {
    fn cost_and_gradient(&self, params: &[f64]) -> (f64, Vec<f64>) {
        model::cost_and_gradient(params, self.sizes, self.x.clone(), self.y.clone(), self.lambda, &self.device)
    }

    fn sizes(&self) -> LayerSizes {
        self.sizes
    }
}

/// The objective of `engine` on `data`, for a network of `sizes` regularized by `lambda`.
pub fn objective<'a>(
    engine: Engine,
    data: &'a Dataset,
    sizes: LayerSizes,
    lambda: f64,
    device: &Device,
) -> Box<dyn Objective + 'a> {
    Objectives::new(engine, data, sizes).at(lambda, device)
}

/// The objectives of one engine on `data` at several lambdas, sharing what does not depend on
/// lambda: the fused engine indexes `X` once for all of them (a sweep's runs then read one
/// index, not one each).
pub(crate) struct Objectives<'a> {
    engine: Engine,
    data: &'a Dataset,
    sizes: LayerSizes,
    /// The fused engine's examples, at any lambda (fused engine only).
    fused: Option<fused::FusedNnCost<'a, f64>>,
}

impl<'a> Objectives<'a> {
    pub(crate) fn new(engine: Engine, data: &'a Dataset, sizes: LayerSizes) -> Self {
        let fused = (engine == Engine::Fused).then(|| fused::FusedNnCost::new(&data.x, &data.labels, sizes, 0.0));
        Self { engine, data, sizes, fused }
    }

    /// The objective at `lambda`.
    pub(crate) fn at(&self, lambda: f64, device: &Device) -> Box<dyn Objective + 'a> {
        let (data, sizes) = (self.data, self.sizes);
        match (self.engine, &self.fused) {
            (_, Some(fused)) => Box::new(FusedObjective(fused.with_lambda(lambda))),
            (Engine::Manual, None) => {
                Box::new(ManualObjective(manual::NnCost::new(&data.x, &data.labels, sizes, lambda, device)))
            }
            (Engine::Autodiff, None) => Box::new(AutodiffObjective::new(data, sizes, lambda, device)),
            (Engine::Fused, None) => unreachable!("the fused engine's examples are made in `new`"),
        }
    }
}
