//! `trainer sweep`: the same training at several lambdas, in parallel, compared.

use std::time::{Instant, SystemTime};

use anyhow::{Context, Result, bail};
use indicatif::MultiProgress;
use report::layout::{ACCURACY_BY_LAMBDA, HIDDEN_BY_LAMBDA, SWEEP as SWEEP_JSON, SWEEP_CSV, lambda_dir};
use serde_json::json;
use train::{Monitor, Snapshots, Stop, SweepPoint, TrainConfig};

use crate::Status;
use crate::cli::SweepArgs;
use crate::files::{create_run_dir, held_out_set, training_set, write_json, write_text};
use crate::outputs::{config_json, dataset_json, dataset_name, init_text, write_picture};
use crate::progress::{Progress, install_stop_handler, stop_requested};
use crate::train_run::{Run, config, update_index, write_run};

pub fn run(args: &SweepArgs) -> Result<Status> {
    if args.lambdas.is_empty() {
        bail!("--lambdas: give at least one lambda");
    }
    let base = config(&args.train)?;
    base.validate()?;
    let (data, synthetic) = training_set(args.train.data.as_deref(), args.train.synthetic)?;
    let test = held_out_set(args.train.test.as_deref(), args.train.no_test, synthetic, &data)?;
    // Check the backend before starting any thread.
    let device = args.train.backend.device()?;
    let started_at = report::utc_time(SystemTime::now());
    let dir = create_run_dir(args.train.out.as_deref(), &format!("sweep-{}", base.optimizer))?;
    install_stop_handler();

    let threads = args
        .threads
        .map_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()), |t| t as usize)
        .min(args.lambdas.len());
    let multi = MultiProgress::new();
    let lambdas = &args.lambdas;
    let total = base.iterations;
    let monitor = |i: usize| -> Box<dyn Monitor> {
        let progress = Progress::new(total, &format!("lambda {}", lambdas[i]), Some(&multi));
        Box::new(Snapshots { monitor: progress, at: train::checkpoints(total) })
    };
    let start = Instant::now();
    let points = train::sweep(&data, test.as_ref(), &base, lambdas, args.train.backend, threads, &monitor)?;
    let seconds = start.elapsed().as_secs_f64();

    let diverged: Vec<String> = points
        .iter()
        .filter_map(|p| match &p.outcome.stop {
            Stop::Diverged { message, .. } => Some(format!("lambda {}: {message}", p.lambda)),
            _ => None,
        })
        .collect();
    if !diverged.is_empty() {
        bail!("training diverged, nothing written: {}", diverged.join("; "));
    }

    let architecture = train::network_architecture(&data, &base);
    let best = best_lambda(&points);
    let mut panels: Vec<(String, image::RgbImage)> = Vec::with_capacity(points.len());
    // Each lambda's run directory, with its own report.
    for p in &points {
        let run_dir = dir.join(lambda_dir(p.lambda));
        std::fs::create_dir(&run_dir).with_context(|| format!("{}: cannot create the directory", run_dir.display()))?;
        let config = TrainConfig { lambda: p.lambda, ..base.clone() };
        let run = Run {
            config: &config,
            backend: args.train.backend,
            data: &data,
            test: test.as_ref(),
            outcome: &p.outcome,
            train_seconds: p.seconds,
            started: &start,
            started_at: &started_at,
            evaluations: Some((&p.train, p.test.as_ref())),
        };
        let written = write_run(&run_dir, &run, &device)?;
        let hidden = written.hidden.expect("a run that did not diverge has its weights");
        panels.push((format!("lambda {}  (TV {:.3})", p.lambda, p.sharpness), hidden));
    }
    let title = format!(
        "first hidden layer by lambda, {architecture}, {} {} iterations ({})",
        base.optimizer,
        base.iterations,
        dataset_name(&data)
    );
    write_picture(&dir.join(HIDDEN_BY_LAMBDA), pictures::labelled_row(&panels, &title))?;
    let accuracies: Vec<pictures::SweepAccuracy> = points
        .iter()
        .map(|p| pictures::SweepAccuracy {
            lambda: p.lambda,
            train: p.train.accuracy,
            test: p.test.as_ref().map(|t| t.accuracy),
        })
        .collect();
    write_picture(&dir.join(ACCURACY_BY_LAMBDA), pictures::accuracy_vs_lambda(&accuracies, "accuracy against lambda"))?;
    write_text(&dir.join(SWEEP_CSV), &csv(&points))?;
    let mut settings = config_json(&base, args.train.backend, &architecture);
    settings.insert("hidden".into(), json!(base.hidden));
    settings.insert("threads".into(), json!(threads));
    let summary = json!({
        "config": settings,
        "dataset": dataset_json(&data),
        "held_out": test.as_ref().map(dataset_json),
        "best_lambda": best,
        "best_by": if test.is_some() { "held-out accuracy" } else { "training accuracy" },
        "started": started_at,
        "seconds": seconds,
        "points": points.iter().map(|p| json!({
            "lambda": p.lambda,
            "cost": p.outcome.cost(),
            "training_accuracy": p.train.accuracy,
            "test_accuracy": p.test.as_ref().map(|t| t.accuracy),
            "sharpness": p.sharpness,
            "iterations_run": p.outcome.iterations(),
            "stop": p.outcome.stop,
            "seconds": p.seconds,
            "costs": p.outcome.costs,
        })).collect::<Vec<_>>(),
    });
    write_json(&dir.join(SWEEP_JSON), &summary)?;
    report::write_sweep_report(&dir)?;
    update_index(&dir)?;

    if args.train.json {
        println!("{summary}");
    } else {
        println!("training set   {} ({} examples)", data.source.display(), data.len());
        if let Some(t) = &test {
            println!("held-out set   {} ({} examples)", t.source.display(), t.len());
        }
        println!("network        {architecture}, initialization {}", init_text(&base, &architecture.sizes));
        println!(
            "{} {} iterations, engine {} ({}), backend {}, seed {}, {threads} threads, {seconds:.2} s",
            base.optimizer, base.iterations, base.engine, base.precision, args.train.backend, base.seed
        );
        println!(
            "{:>8}  {:>10}  {:>9}  {:>9}  {:>9}  {:>7}",
            "lambda", "cost", "training", "held-out", "sharpness", "time"
        );
        for p in &points {
            let held_out = p.test.as_ref().map_or("-".to_string(), |t| format!("{:.2}%", t.accuracy));
            let cost = p.outcome.cost();
            let cost = if cost >= 1e-3 { format!("{cost:.6}") } else { format!("{cost:.3e}") };
            println!(
                "{:>8}  {:>10}  {:>8.2}%  {:>9}  {:>9.4}  {:>6.2}s",
                p.lambda, cost, p.train.accuracy, held_out, p.sharpness, p.seconds
            );
        }
        if let Some(best) = best {
            let by = if test.is_some() { "held-out" } else { "training" };
            println!("best lambda    {best} (highest {by} accuracy)");
        }
        println!(
            "sharpness      mean total variation of the normalized images of the first hidden layer (lower is blurrier)"
        );
        println!("outputs        {}", dir.display());
    }
    Ok(if stop_requested() { Status::Interrupted } else { Status::Success })
}

/// The lambda with the best held-out accuracy (training accuracy without a held-out set);
/// ties go to the smaller lambda.
pub fn best_lambda(points: &[SweepPoint]) -> Option<f64> {
    let score = |p: &SweepPoint| p.test.as_ref().map_or(p.train.accuracy, |t| t.accuracy);
    points
        .iter()
        .fold(None, |best: Option<&SweepPoint>, p| match best {
            Some(b) if score(b) >= score(p) => Some(b),
            _ => Some(p),
        })
        .map(|p| p.lambda)
}

fn csv(points: &[SweepPoint]) -> String {
    let mut text = String::from("lambda,cost,training_accuracy,test_accuracy,sharpness,iterations,seconds\n");
    for p in points {
        let test = p.test.as_ref().map_or(String::new(), |t| t.accuracy.to_string());
        text.push_str(&format!(
            "{},{},{},{},{},{},{}\n",
            p.lambda,
            p.outcome.cost(),
            p.train.accuracy,
            test,
            p.sharpness,
            p.outcome.iterations(),
            p.seconds
        ));
    }
    text
}
