//! `trainer` (no subcommand): train the network, show progress, write the run's outputs.

use std::path::Path;
use std::time::{Instant, SystemTime};

use anyhow::Result;
use backend::Backend;
use backend::burn::tensor::Device;
use data::Dataset;
use model::{Evaluation, Network, evaluate};
use serde_json::{Value, json};
use train::{Outcome, Snapshots, Stop, TrainConfig};

use crate::Status;
use crate::cli::TrainArgs;
use crate::files::{create_run_dir, held_out_set, training_set, write_json};
use crate::outputs::*;
use crate::progress::{Progress, install_stop_handler};

/// The configuration the flags ask for; an error when they contradict each other.
pub fn config(args: &TrainArgs) -> Result<TrainConfig> {
    if args.init == Some(train::InitRule::PerLayer)
        && let Some(epsilon) = args.init_epsilon
    {
        anyhow::bail!(
            "--init-epsilon {epsilon} sets the exercise's initialization, which --init per-layer replaces; give one of them"
        );
    }
    let init = args.init.or(args.init_epsilon.map(|_| train::InitRule::Exercise));
    Ok(TrainConfig {
        optimizer: args.optimizer,
        engine: args.engine,
        precision: args.precision,
        iterations: args.iterations,
        alpha: args.alpha,
        lambda: args.lambda,
        seed: args.seed,
        init,
        init_epsilon: args.init_epsilon.unwrap_or(manual::DEFAULT_INIT_EPSILON),
        hidden: args.hidden.clone(),
        activation: args.activation,
        output: args.output,
    })
}

pub fn run(args: &TrainArgs) -> Result<Status> {
    let started = Instant::now();
    let started_at = report::utc_time(SystemTime::now());
    let config = config(args)?;
    config.validate()?;
    let (data, synthetic) = training_set(args.data.as_deref(), args.synthetic)?;
    let test = held_out_set(args.test.as_deref(), args.no_test, synthetic, &data)?;
    let device = args.backend.device()?;
    let dir = create_run_dir(args.out.as_deref(), &format!("{}-lambda{}", config.optimizer, config.lambda))?;
    install_stop_handler();

    let mut progress = Progress::new(config.iterations, "", None);
    let train_start = Instant::now();
    let mut monitor = Snapshots { monitor: &mut progress, at: train::checkpoints(config.iterations) };
    let outcome = train::train(&data, &config, &device, &mut monitor)?;
    let train_seconds = train_start.elapsed().as_secs_f64();
    progress.finish();

    let run = Run {
        config: &config,
        backend: args.backend,
        data: &data,
        test: test.as_ref(),
        outcome: &outcome,
        train_seconds,
        started: &started,
        started_at: &started_at,
        evaluations: None,
    };
    let written = write_run(&dir, &run, &device)?;
    update_index(&dir)?;
    let Some((train_eval, test_eval)) = written.evaluations else {
        let Stop::Diverged { message, .. } = &outcome.stop else { unreachable!("only a diverged run has no weights") };
        eprintln!("error: training diverged: {message}; no weights written (try a smaller --alpha)");
        eprintln!("costs up to there are in {}", dir.join(METRICS_FILE).display());
        return Ok(Status::Failed);
    };

    if args.json {
        println!("{}", written.metrics);
    } else {
        print_summary(
            &config,
            args,
            &data,
            test.as_ref(),
            &outcome,
            &train_eval,
            test_eval.as_ref(),
            train_seconds,
            &dir,
        );
    }
    Ok(if outcome.stop == Stop::Interrupted { Status::Interrupted } else { Status::Success })
}

/// A finished training, as a run directory shows it.
pub struct Run<'a> {
    pub config: &'a TrainConfig,
    pub backend: Backend,
    pub data: &'a Dataset,
    pub test: Option<&'a Dataset>,
    pub outcome: &'a Outcome,
    pub train_seconds: f64,
    pub started: &'a Instant,
    /// When the run started, UTC, as the reports show it.
    pub started_at: &'a str,
    /// The trained network's evaluations on the training and held-out sets, when they were
    /// already made (a sweep's workers make them); [`write_run`] makes them otherwise.
    pub evaluations: Option<(&'a Evaluation, Option<&'a Evaluation>)>,
}

/// What [`write_run`] wrote: the metrics, the evaluations and the picture of the first hidden
/// layer (none for a diverged run).
pub struct Written {
    pub metrics: Value,
    pub evaluations: Option<(Evaluation, Option<Evaluation>)>,
    pub hidden: Option<image::RgbImage>,
}

/// Writes a run directory: the weights, the pictures, the snapshots, the mistakes, the
/// metrics and the report; for a diverged run, only the metrics (costs up to there) and the
/// report.
pub fn write_run(dir: &Path, run: &Run<'_>, device: &Device) -> Result<Written> {
    let Run { config, data, test, outcome, .. } = *run;
    if let Stop::Diverged { .. } = &outcome.stop {
        let metrics = metrics(run, None, None, &RunExtras::default());
        write_json(&dir.join(METRICS_FILE), &metrics)?;
        report::write_run_report(dir)?;
        return Ok(Written { metrics, evaluations: None, hidden: None });
    }
    let weights = outcome.weights();
    let network = Network::from_weights(&weights, device);
    let (train_eval, test_eval) = match run.evaluations {
        Some((train_eval, test_eval)) => (train_eval.clone(), test_eval.cloned()),
        None => (
            evaluate(&network, data, config.lambda, device),
            test.map(|t| evaluate(&network, t, config.lambda, device)),
        ),
    };

    write_weights(&dir.join(WEIGHTS_FILE), &weights)?;
    write_weights_safetensors(&dir.join(WEIGHTS_SAFETENSORS_FILE), &weights)?;
    write_digit_grid(&dir.join(DIGITS_PICTURE), data, config.seed)?;
    let hidden = hidden_image(&weights);
    pictures::save_png(&dir.join(HIDDEN_PICTURE), &hidden)?;
    let checkpoints = checkpoints(outcome, config.iterations, data.len(), test, config.lambda, device);
    let held_out: Vec<(usize, f64)> =
        checkpoints.iter().filter_map(|c| c.held_out_cost.map(|h| (c.iteration, h))).collect();
    let title = format!(
        "cost, {}, {} {} lambda {} ({})",
        outcome.architecture,
        config.optimizer,
        config.engine,
        config.lambda,
        dataset_name(data)
    );
    write_picture(
        &dir.join(COST_PICTURE),
        pictures::cost_curve(&pictures::CostCurve { costs: &outcome.costs, held_out: &held_out, title: &title }),
    )?;
    let (confusion_set, confusion_eval) = match (test, &test_eval) {
        (Some(t), Some(e)) => (t, e),
        _ => (data, &train_eval),
    };
    let matrix = confusion(confusion_set, &confusion_eval.predictions);
    let title = format!("confusion on {}", dataset_name(confusion_set));
    write_picture(&dir.join(CONFUSION_PICTURE), pictures::confusion_matrix(&matrix, &title))?;
    let extras = RunExtras {
        snapshots: write_snapshots(&dir.join(SNAPSHOTS_FILE), outcome, config.iterations)?,
        mistakes: Some(write_mistakes(&dir.join(MISTAKES_FILE), &network, confusion_set, confusion_eval, device)?),
        confusion: Some(report::Confusion { set: confusion_set.source.display().to_string(), counts: matrix.counts }),
        checkpoints,
    };
    let metrics = metrics(run, Some(&train_eval), test_eval.as_ref(), &extras);
    write_json(&dir.join(METRICS_FILE), &metrics)?;
    report::write_run_report(dir)?;
    Ok(Written { metrics, evaluations: Some((train_eval, test_eval)), hidden: Some(hidden) })
}

/// Rewrites the index of the runs directory that `dir` is in, if it is in one.
pub fn update_index(dir: &Path) -> Result<()> {
    if let Some(runs) = report::runs_dir_of(dir) {
        report::write_index(&runs)?;
    }
    Ok(())
}

/// What a run directory holds beside the figures: for the report.
#[derive(Default)]
struct RunExtras {
    checkpoints: Vec<report::Checkpoint>,
    snapshots: Vec<report::SnapshotInfo>,
    confusion: Option<report::Confusion>,
    mistakes: Option<report::Mistakes>,
}

fn evaluation_json(eval: &Evaluation, data: &Dataset) -> Value {
    json!({
        "source": data.source.display().to_string(),
        "examples": eval.examples,
        "cost": eval.cost,
        "cost_lambda_0": eval.cost_unregularized,
        "correct": eval.correct,
        "accuracy": eval.accuracy,
        "per_digit": crate::outputs::per_digit_json(eval),
    })
}

fn metrics(
    run: &Run<'_>,
    train_eval: Option<&Evaluation>,
    test_eval: Option<&Evaluation>,
    extras: &RunExtras,
) -> Value {
    let Run { config, data, test, outcome, train_seconds, .. } = *run;
    let mut settings = config_json(config, run.backend, &outcome.architecture);
    settings.insert("lambda".into(), json!(config.lambda));
    json!({
        "config": settings,
        "dataset": dataset_json(data),
        "held_out": test.map(dataset_json),
        "started": run.started_at,
        "stop": outcome.stop,
        "iterations_run": outcome.iterations(),
        "evaluations": outcome.evaluations,
        "costs": outcome.costs,
        "final_cost": outcome.cost(),
        "checkpoints": extras.checkpoints,
        "training": train_eval.map(|e| evaluation_json(e, data)),
        "test": test_eval.zip(test).map(|(e, t)| evaluation_json(e, t)),
        "confusion": extras.confusion,
        "snapshots": extras.snapshots,
        "mistakes": extras.mistakes,
        "time": {
            "train_seconds": train_seconds,
            "seconds_per_iteration": train_seconds / outcome.iterations().max(1) as f64,
            "total_seconds": run.started.elapsed().as_secs_f64(),
        },
        "peak_memory_bytes": peak_memory_bytes(),
        "version": env!("CARGO_PKG_VERSION"),
    })
}

#[allow(clippy::too_many_arguments)]
fn print_summary(
    config: &TrainConfig,
    args: &TrainArgs,
    data: &Dataset,
    test: Option<&Dataset>,
    outcome: &Outcome,
    train_eval: &Evaluation,
    test_eval: Option<&Evaluation>,
    seconds: f64,
    dir: &Path,
) {
    let stop = match &outcome.stop {
        Stop::Completed => "completed".to_string(),
        Stop::Converged { reason } => format!("converged early: {reason}"),
        Stop::Interrupted => "interrupted (outputs are for the weights reached)".to_string(),
        Stop::Diverged { message, .. } => format!("diverged: {message}"),
    };
    println!("network        {}", outcome.architecture);
    println!("training set   {} ({} examples)", data.source.display(), data.len());
    match (test, test_eval) {
        (Some(t), Some(_)) => println!("held-out set   {} ({} examples)", t.source.display(), t.len()),
        _ => println!("held-out set   none"),
    }
    let alpha = config.alpha().map(|a| format!(", alpha {a}")).unwrap_or_default();
    println!("optimizer      {}{alpha}", config.optimizer);
    println!("engine         {}", config.engine);
    println!("precision      {}", config.precision);
    println!("backend        {} (f64)", args.backend);
    println!("seed           {}, initialization {}", config.seed, init_text(config, &outcome.architecture.sizes));
    println!("lambda         {}", config.lambda);
    println!("iterations     {} ({} cost-and-gradient evaluations), {stop}", outcome.iterations(), outcome.evaluations);
    println!("cost           {:.6}", outcome.cost());
    println!("training acc   {:.2}% ({} of {})", train_eval.accuracy, train_eval.correct, train_eval.examples);
    if let Some(e) = test_eval {
        println!("held-out acc   {:.2}% ({} of {})", e.accuracy, e.correct, e.examples);
    }
    println!(
        "time           {seconds:.2} s ({:.1} ms per iteration)",
        1000.0 * seconds / outcome.iterations().max(1) as f64
    );
    println!("outputs        {}", dir.display());
}

/// The process's peak resident memory so far (`VmHWM`; Linux only).
fn peak_memory_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}
