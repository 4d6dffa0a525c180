//! The optimizers and the loop that drives them, one iteration at a time, so that a caller can
//! watch every step and stop the run cleanly between two of them.

use argmin::core::TerminationStatus;
use argmin::core::{IterState, Problem, Solver, State, TerminationReason};
use argmin::solver::linesearch::MoreThuenteLineSearch;
use argmin::solver::quasinewton::LBFGS;
use burn::optim::{AdamConfig, Optimizer as _};
use burn::tensor::{Device, Tensor, TensorData};
use data::{Architecture, Dataset, Weights, conventions::NUM_LABELS};
use serde::Serialize;

use crate::argmin_problem::{Cached, conjugate_gradient};
use crate::{ConfigError, Objective, Optimizer, TrainConfig, objective};

/// What the caller wants after an iteration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control {
    Continue,
    /// Stop now and return the parameters reached (for example on Ctrl-C).
    Stop,
}

/// Watches a run: called with the cost after each iteration (iteration 0 is the start).
pub trait Monitor {
    fn iteration(&mut self, iteration: usize, cost: f64) -> Control;

    /// Whether the run should keep a copy of its parameters after `iteration` (in
    /// [`Outcome::snapshots`]); none by default.
    fn snapshot(&self, _iteration: usize) -> bool {
        false
    }
}

impl<M: Monitor + ?Sized> Monitor for &mut M {
    fn iteration(&mut self, iteration: usize, cost: f64) -> Control {
        (**self).iteration(iteration, cost)
    }

    fn snapshot(&self, iteration: usize) -> bool {
        (**self).snapshot(iteration)
    }
}

/// A monitor that also asks for the parameters at the given iterations.
pub struct Snapshots<M> {
    pub monitor: M,
    pub at: Vec<usize>,
}

impl<M: Monitor> Monitor for Snapshots<M> {
    fn iteration(&mut self, iteration: usize, cost: f64) -> Control {
        self.monitor.iteration(iteration, cost)
    }

    fn snapshot(&self, iteration: usize) -> bool {
        self.at.contains(&iteration) || self.monitor.snapshot(iteration)
    }
}

/// Iterations at which to look at a run of `iterations`: the start and every tenth of the way
/// (0, 10, 20, ..., 100 for 100 iterations; fewer, without repeats, for shorter runs).
pub fn checkpoints(iterations: usize) -> Vec<usize> {
    let mut at: Vec<usize> = (0..=10).map(|k| (k * iterations + 5) / 10).collect();
    at.dedup();
    at
}

/// The parameters after an iteration.
#[derive(Clone, Debug, PartialEq)]
pub struct Snapshot {
    pub iteration: usize,
    pub params: Vec<f64>,
}

/// A monitor that watches nothing and never stops a run.
pub struct Silent;

impl Monitor for Silent {
    fn iteration(&mut self, _: usize, _: f64) -> Control {
        Control::Continue
    }
}

/// Why a run ended.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Stop {
    /// All the iterations asked for were run.
    Completed,
    /// The optimizer stopped early by its own criterion (the reason in its words).
    Converged { reason: String },
    /// The monitor asked to stop.
    Interrupted,
    /// The cost stopped being finite, or grew past ten times its starting value, at
    /// `iteration`; the parameters returned are the last ones with a finite cost.
    Diverged { iteration: usize, cost: f64, message: String },
}

/// A run's result.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The parameters reached, unrolled.
    pub params: Vec<f64>,
    /// The network the parameters describe.
    pub architecture: Architecture,
    /// The cost at the start (`costs[0]`) and after each iteration run.
    pub costs: Vec<f64>,
    /// Cost-and-gradient evaluations, line searches included.
    pub evaluations: usize,
    pub stop: Stop,
    /// The parameters at the iterations the monitor asked for ([`Monitor::snapshot`]), in order.
    pub snapshots: Vec<Snapshot>,
}

impl Outcome {
    /// Iterations run.
    pub fn iterations(&self) -> usize {
        self.costs.len().saturating_sub(1)
    }

    /// The final cost.
    pub fn cost(&self) -> f64 {
        *self.costs.last().expect("a run has its starting cost")
    }

    /// The parameters as the exercise's `Theta1` ... `ThetaL`, with the network's activation
    /// and output.
    pub fn weights(&self) -> Weights {
        let a = &self.architecture;
        Weights::new(manual::reshape(&self.params, &a.sizes))
            .expect("reshape gives matching Thetas")
            .with_kind(a.activation, a.output)
    }
}

/// Records costs, asks the monitor after each iteration and watches for divergence.
struct Tracker<'m> {
    monitor: &'m mut dyn Monitor,
    costs: Vec<f64>,
    evaluations: usize,
    snapshots: Vec<Snapshot>,
}

impl Tracker<'_> {
    /// Records the cost at `params` after `costs.len()` iterations; `Some(stop)` ends the run.
    fn record(&mut self, cost: f64, params: &[f64]) -> Option<Stop> {
        let iteration = self.costs.len();
        if let Some(stop) = divergence(self.costs.first().copied(), iteration, cost) {
            return Some(stop);
        }
        self.costs.push(cost);
        if self.monitor.snapshot(iteration) {
            self.snapshots.push(Snapshot { iteration, params: params.to_vec() });
        }
        match self.monitor.iteration(iteration, cost) {
            Control::Continue => None,
            Control::Stop => Some(Stop::Interrupted),
        }
    }

    fn finish(self, params: Vec<f64>, architecture: Architecture, stop: Stop) -> Outcome {
        Outcome {
            params,
            architecture,
            costs: self.costs,
            evaluations: self.evaluations,
            stop,
            snapshots: self.snapshots,
        }
    }
}

/// A cost that is not finite, or more than ten times the starting cost, means the run diverged.
fn divergence(start: Option<f64>, iteration: usize, cost: f64) -> Option<Stop> {
    let message = if !cost.is_finite() {
        format!("the cost stopped being finite at iteration {iteration} (it is {cost})")
    } else if let Some(start) = start
        && cost > 10.0 * start.abs()
    {
        format!("the cost grew from {start:.6e} at the start to {cost:.6e} at iteration {iteration}")
    } else {
        return None;
    };
    Some(Stop::Diverged { iteration, cost, message })
}

/// Minimizes `objective` from `init` with the optimizer of `config` for at most
/// `config.iterations` iterations. `device` holds Adam's state (a plain, non-autodiff device).
pub fn minimize(
    objective: &dyn Objective,
    init: Vec<f64>,
    config: &TrainConfig,
    device: &Device,
    monitor: &mut dyn Monitor,
) -> Outcome {
    let tracker =
        Tracker { monitor, costs: Vec::with_capacity(config.iterations + 1), evaluations: 0, snapshots: Vec::new() };
    let alpha = config.alpha();
    match config.optimizer {
        Optimizer::Gd => {
            let alpha = alpha.expect("gd has a default step");
            step_loop(objective, init, config.iterations, tracker, |params, gradient| {
                // θ ← θ − α ∇J(θ)
                for (p, g) in params.iter_mut().zip(gradient) {
                    *p -= alpha * g;
                }
            })
        }
        Optimizer::Adam => {
            let adam = AdamConfig::new().build();
            let alpha = alpha.expect("adam has a default step");
            let mut state = None;
            step_loop(objective, init, config.iterations, tracker, |params, gradient| {
                let n = params.len();
                let theta = Tensor::<1>::from_data(TensorData::new(params.clone(), [n]), device);
                let grad = Tensor::<1>::from_data(TensorData::new(gradient.to_vec(), [n]), device);
                let (next, next_state) = adam.step(alpha, theta, grad, state.take());
                state = next_state;
                *params = backend::tensor_to_vec(next);
            })
        }
        Optimizer::Lbfgs => {
            let solver = LBFGS::new(MoreThuenteLineSearch::new(), 10);
            argmin_loop(solver, problem(objective), objective.architecture().clone(), init, config.iterations, tracker)
        }
        Optimizer::Cg => argmin_loop(
            conjugate_gradient(),
            problem(objective),
            objective.architecture().clone(),
            init,
            config.iterations,
            tracker,
        ),
    }
}

/// The loop of the first-order methods: evaluate, record, step.
fn step_loop(
    objective: &dyn Objective,
    mut params: Vec<f64>,
    iterations: usize,
    mut tracker: Tracker<'_>,
    mut step: impl FnMut(&mut Vec<f64>, &[f64]),
) -> Outcome {
    let architecture = objective.architecture().clone();
    let mut last_finite = params.clone();
    loop {
        let (cost, gradient) = objective.cost_and_gradient(&params);
        tracker.evaluations += 1;
        if let Some(stop) = tracker.record(cost, &params) {
            let params = if matches!(stop, Stop::Diverged { .. }) { last_finite } else { params };
            return tracker.finish(params, architecture.clone(), stop);
        }
        if tracker.costs.len() > iterations {
            return tracker.finish(params, architecture.clone(), Stop::Completed);
        }
        last_finite.clone_from(&params);
        step(&mut params, &gradient);
    }
}

/// An [`Objective`] as an `argmin` problem, its evaluations cached and counted.
fn problem(objective: &dyn Objective) -> Cached<impl Fn(&[f64]) -> (f64, Vec<f64>) + '_> {
    Cached::new(|params: &[f64]| objective.cost_and_gradient(params))
}

type ArgminState = IterState<Vec<f64>, Vec<f64>, (), (), (), f64>;

/// Runs an `argmin` solver one `next_iter` at a time (rather than through its `Executor`), so
/// that every iteration is recorded and the monitor can stop the run between two of them.
fn argmin_loop<F, S>(
    mut solver: S,
    problem: Cached<F>,
    architecture: Architecture,
    init: Vec<f64>,
    iterations: usize,
    mut tracker: Tracker<'_>,
) -> Outcome
where
    F: Fn(&[f64]) -> (f64, Vec<f64>),
    S: Solver<Cached<F>, ArgminState>,
{
    let mut problem = Problem::new(problem);
    let evaluations = |problem: &Problem<Cached<F>>| problem.problem.as_ref().unwrap().evaluations();
    let state = ArgminState::new().param(init.clone()).max_iters(iterations as u64);
    let mut state = match solver.init(&mut problem, state) {
        Ok((state, _)) => state,
        Err(e) => {
            tracker.evaluations = evaluations(&problem);
            return tracker.finish(init, architecture.clone(), Stop::Converged { reason: e.to_string() });
        }
    };
    // The solvers evaluate the starting point in `init`, but not all of them store its cost.
    let start_cost =
        if state.get_cost().is_finite() { state.get_cost() } else { problem.cost(&init).unwrap_or(f64::NAN) };
    if let Some(stop) = tracker.record(start_cost, &init) {
        tracker.evaluations = evaluations(&problem);
        return tracker.finish(init, architecture, stop);
    }
    let mut params = init;
    let stop = loop {
        if let TerminationStatus::Terminated(reason) = solver.terminate_internal(&state) {
            break match reason {
                TerminationReason::MaxItersReached => Stop::Completed,
                other => Stop::Converged { reason: other.text().to_string() },
            };
        }
        state = match solver.next_iter(&mut problem, state) {
            Ok((mut next, _)) => {
                next.update();
                next.increment_iter();
                next
            }
            // A line search that finds no step: the run has gone as far as it can.
            Err(e) => break Stop::Converged { reason: e.to_string() },
        };
        let stop = tracker.record(state.get_cost(), state.get_param().expect("a solver's state holds its parameters"));
        if !matches!(stop, Some(Stop::Diverged { .. })) {
            params.clone_from(state.get_param().expect("a solver's state holds its parameters"));
        }
        if let Some(stop) = stop {
            break stop;
        }
    };
    tracker.evaluations = evaluations(&problem);
    tracker.finish(params, architecture.clone(), stop)
}

/// Trains a network on `data` as `config` says, from weights drawn as
/// [`TrainConfig::init`] says with the seed of `config`, on `device` (a plain, non-autodiff device).
pub fn train(
    data: &Dataset,
    config: &TrainConfig,
    device: &Device,
    monitor: &mut dyn Monitor,
) -> Result<Outcome, ConfigError> {
    config.validate()?;
    let objective =
        objective(config.engine, config.precision, data, &network_architecture(data, config), config.lambda, device)?;
    Ok(train_objective(objective.as_ref(), config, device, monitor))
}

/// The network `config` gives on `data`.
pub fn network_architecture(data: &Dataset, config: &TrainConfig) -> Architecture {
    config.architecture(data.num_features(), NUM_LABELS.max(data.max_label()))
}

/// [`train`] on an `objective` already made for `config` (a valid one).
pub(crate) fn train_objective(
    objective: &dyn Objective,
    config: &TrainConfig,
    device: &Device,
    monitor: &mut dyn Monitor,
) -> Outcome {
    let sizes = &objective.architecture().sizes;
    let init = manual::random_params(sizes, config.init(sizes), config.seed);
    minimize(objective, init, config, device, monitor)
}
