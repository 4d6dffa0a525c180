//! Lambda sweeps: the same run at several regularization strengths, in parallel.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use backend::Backend;
use data::Dataset;
use model::{Evaluation, Network, evaluate};

use crate::engine::Objectives;
use crate::optimize::{network_architecture, train_objective};
use crate::{ConfigError, Monitor, Outcome, TrainConfig, sharpness};

/// One lambda's result.
#[derive(Clone, Debug)]
pub struct SweepPoint {
    pub lambda: f64,
    pub outcome: Outcome,
    /// On the training set, cost at this `λ`.
    pub train: Evaluation,
    /// On the held-out set, when there is one.
    pub test: Option<Evaluation>,
    /// [`sharpness`] of the learned first hidden layer.
    pub sharpness: f64,
    /// Wall-clock seconds of the training.
    pub seconds: f64,
}

/// Trains `base` once for each of `lambdas` (everything else equal, the seed included) on
/// `threads` worker threads, each with its own `backend` device and its share of rayon's
/// threads (with the fused engine, also of the cores that finished workers freed), and
/// evaluates each result on
/// `data` and `test`. `monitor(i)` watches the run of `lambdas[i]`. Results are in the order of
/// `lambdas`.
pub fn sweep(
    data: &Dataset,
    test: Option<&Dataset>,
    base: &TrainConfig,
    lambdas: &[f64],
    backend: Backend,
    threads: usize,
    monitor: &(dyn Fn(usize) -> Box<dyn Monitor> + Sync),
) -> Result<Vec<SweepPoint>, SweepError> {
    for &lambda in lambdas {
        TrainConfig { lambda, ..base.clone() }.validate()?;
    }
    // Everything but lambda is the same for every run: the objectives share what they can.
    let objectives = Objectives::new(base.engine, base.precision, data, &network_architecture(data, base))?;
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Result<SweepPoint, SweepError>>>> =
        Mutex::new((0..lambdas.len()).map(|_| None).collect());
    let workers = threads.clamp(1, lambdas.len().max(1));
    // Each worker's runs get their own share of the cores: the workers then never compete for
    // one pool's threads. The fused engine's evaluations also take up the cores of workers that
    // have run out of lambdas, so that the last runs do not go on one core while the others
    // idle (one core is often slower than the other on a shared machine).
    let cores = rayon::current_num_threads();
    let running = Arc::new(AtomicUsize::new(workers));
    let budget: fused::ThreadBudget = {
        let running = Arc::clone(&running);
        Arc::new(move || (cores / running.load(Ordering::Relaxed).max(1)).max(1))
    };
    // While every worker runs: an equal share.
    let per_worker = budget();
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                let pool = rayon::ThreadPoolBuilder::new().num_threads(per_worker).build().ok();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&lambda) = lambdas.get(i) else { break };
                    let config = TrainConfig { lambda, ..base.clone() };
                    let run = || {
                        fused::with_thread_budget(Arc::clone(&budget), || {
                            run_one(data, test, &objectives, &config, backend, monitor(i).as_mut())
                        })
                    };
                    let point = match &pool {
                        Some(pool) => pool.install(run),
                        None => run(),
                    };
                    results.lock().expect("sweep results")[i] = Some(point);
                }
                running.fetch_sub(1, Ordering::Relaxed);
            });
        }
    });
    results.into_inner().expect("sweep results").into_iter().map(|r| r.expect("every lambda was run")).collect()
}

/// A sweep that could not run.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Backend(#[from] backend::BackendError),
}

fn run_one(
    data: &Dataset,
    test: Option<&Dataset>,
    objectives: &Objectives,
    config: &TrainConfig,
    backend: Backend,
    monitor: &mut dyn Monitor,
) -> Result<SweepPoint, SweepError> {
    let device = backend.device()?;
    let start = Instant::now();
    let outcome = train_objective(objectives.at(config.lambda, &device).as_ref(), config, &device, monitor);
    let seconds = start.elapsed().as_secs_f64();
    let weights = outcome.weights();
    let network = Network::from_weights(&weights, &device);
    let side = data::conventions::image_side(data.num_features());
    Ok(SweepPoint {
        lambda: config.lambda,
        train: evaluate(&network, data, config.lambda, &device),
        test: test.map(|t| evaluate(&network, t, config.lambda, &device)),
        sharpness: sharpness(weights.first(), side),
        outcome,
        seconds,
    })
}
