//! What the `argmin` runs share: a cost-and-gradient function as an `argmin` problem, and the
//! nonlinear conjugate-gradient solver of the network and the one-vs-all classifiers.

use std::cell::{Cell, RefCell};

use argmin::core::{CostFunction, Error as ArgminError, Gradient};
use argmin::solver::conjugategradient::NonlinearConjugateGradient;
use argmin::solver::conjugategradient::beta::PolakRibierePlus;
use argmin::solver::linesearch::MoreThuenteLineSearch;

/// Parameters with their cost and gradient.
type Evaluated = (Vec<f64>, f64, Vec<f64>);

/// A cost-and-gradient function as an `argmin` problem. The line searches ask for the cost and
/// the gradient at the same point one after the other; both come from one evaluation, cached.
pub(crate) struct Cached<F> {
    evaluate: F,
    cache: RefCell<Option<Evaluated>>,
    evaluations: Cell<usize>,
}

impl<F: Fn(&[f64]) -> (f64, Vec<f64>)> Cached<F> {
    /// The problem of `evaluate`, which gives the cost and its gradient at a point.
    pub(crate) fn new(evaluate: F) -> Self {
        Self { evaluate, cache: RefCell::new(None), evaluations: Cell::new(0) }
    }

    /// Evaluations of the function so far (the cached reads not counted).
    pub(crate) fn evaluations(&self) -> usize {
        self.evaluations.get()
    }

    /// Evaluates at `params` unless the cache already holds that point, then reads the cache.
    fn with_evaluation<R>(&self, params: &[f64], read: impl FnOnce(f64, &Vec<f64>) -> R) -> R {
        let mut cache = self.cache.borrow_mut();
        if cache.as_ref().is_none_or(|(at, _, _)| at.as_slice() != params) {
            let (cost, gradient) = (self.evaluate)(params);
            self.evaluations.set(self.evaluations.get() + 1);
            *cache = Some((params.to_vec(), cost, gradient));
        }
        let (_, cost, gradient) = cache.as_ref().expect("filled above");
        read(*cost, gradient)
    }
}

impl<F: Fn(&[f64]) -> (f64, Vec<f64>)> CostFunction for Cached<F> {
    type Param = Vec<f64>;
    type Output = f64;

    fn cost(&self, params: &Vec<f64>) -> Result<f64, ArgminError> {
        Ok(self.with_evaluation(params, |cost, _| cost))
    }
}

impl<F: Fn(&[f64]) -> (f64, Vec<f64>)> Gradient for Cached<F> {
    type Param = Vec<f64>;
    type Gradient = Vec<f64>;

    fn gradient(&self, params: &Vec<f64>) -> Result<Vec<f64>, ArgminError> {
        Ok(self.with_evaluation(params, |_, gradient| gradient.clone()))
    }
}

/// Nonlinear conjugate gradient on unrolled parameters.
pub(crate) type ConjugateGradient =
    NonlinearConjugateGradient<Vec<f64>, MoreThuenteLineSearch<Vec<f64>, Vec<f64>, f64>, PolakRibierePlus, f64>;

/// Nonlinear conjugate gradient, as the exercise's `fmincg`. Polak-Ribière+ restarts along the
/// steepest descent whenever β < 0; it restarts as well when successive gradients are far from
/// orthogonal. Strong Wolfe conditions with c2 = 0.1, as nonlinear CG needs (Nocedal & Wright).
pub(crate) fn conjugate_gradient() -> ConjugateGradient {
    let line_search = MoreThuenteLineSearch::new().with_c(1e-4, 0.1).expect("0 < c1 < c2 < 1");
    NonlinearConjugateGradient::new(line_search, PolakRibierePlus::new()).restart_orthogonality(0.1)
}
