//! What a run writes: the weights in the exercise's layout, and the pictures.

use std::path::Path;

use anyhow::{Context, Result};
use data::conventions::{by_digit, image_side, label_to_digit};
use data::mat::{MatArray, MatData, write_mat_file};
use data::{Architecture, Dataset, LayerSizes, Matrix, Weights};
use pictures::{ConfusionMatrix, GridLayout, display_data, save_png};

/// File names inside a run directory (the report crate reads them).
pub use report::layout::{
    CONFUSION as CONFUSION_PICTURE, COST as COST_PICTURE, DIGITS as DIGITS_PICTURE, HIDDEN as HIDDEN_PICTURE,
    METRICS as METRICS_FILE, MISTAKES as MISTAKES_FILE, SNAPSHOTS as SNAPSHOTS_FILE, WEIGHTS as WEIGHTS_FILE,
    WEIGHTS_SAFETENSORS as WEIGHTS_SAFETENSORS_FILE,
};

/// Pixels per image pixel in the grids.
const SCALE: u32 = 4;

/// `Theta1` ... `ThetaL` as a MAT v5 file (doubles, the exercise's layout), with the
/// activation and output when they are not the exercise's ([`Weights::mat_arrays`]),
/// atomically.
pub fn write_weights(path: &Path, weights: &Weights) -> Result<()> {
    write_mat_file(path, &weights.mat_arrays(), false)
        .with_context(|| format!("{}: cannot write the weights", path.display()))
}

/// `Theta1` ... `ThetaL` as a safetensors file (`F64`, the exercise's layout, row-major),
/// atomically.
pub fn write_weights_safetensors(path: &Path, weights: &Weights) -> Result<()> {
    data::safetensors::write_safetensors_file(path, weights)
        .with_context(|| format!("{}: cannot write the weights", path.display()))
}

/// A cost and its gradient for a network of `sizes` as a MAT v5 file, atomically, in the
/// exercise's shapes: `J` (1x1), `grad` unrolled as `[Theta1(:); ...; ThetaL(:)]` (a column),
/// and the same values as `Theta1_grad` ... `ThetaL_grad`, each the shape of its Theta.
pub fn write_gradient(path: &Path, cost: f64, gradient: &[f64], sizes: &LayerSizes) -> Result<()> {
    let mut arrays = vec![
        MatArray::new("J", &[1, 1], MatData::Double(vec![cost])),
        MatArray::new("grad", &[gradient.len(), 1], MatData::Double(gradient.to_vec())),
    ];
    for (l, theta_grad) in manual::reshape(gradient, sizes).iter().enumerate() {
        arrays.push(MatArray::matrix(&format!("{}_grad", data::theta_name(l + 1)), theta_grad));
    }
    write_mat_file(path, &arrays, false).with_context(|| format!("{}: cannot write the gradient", path.display()))
}

/// The network as JSON: `input`, `hidden` (a list), `labels`, `layers` (`400-25-10`),
/// `activation` and `output`.
pub fn network_json(architecture: &Architecture) -> serde_json::Value {
    let sizes = &architecture.sizes;
    serde_json::json!({
        "input": sizes.input(),
        "hidden": sizes.hidden(),
        "labels": sizes.labels(),
        "layers": sizes.to_string(),
        "activation": architecture.activation.name(),
        "output": architecture.output.name(),
    })
}

/// The training's settings as `metrics.json` and `sweep.json` hold them, without lambda (a
/// run adds its own, a sweep has several): optimizer, engine, precision, backend, iterations,
/// alpha, seed, initialization and the network.
pub fn config_json(
    config: &train::TrainConfig,
    backend: backend::Backend,
    architecture: &Architecture,
) -> serde_json::Map<String, serde_json::Value> {
    let serde_json::Value::Object(object) = serde_json::json!({
        "optimizer": config.optimizer,
        "engine": config.engine,
        "precision": config.precision,
        "backend": backend.name(),
        "iterations": config.iterations,
        "alpha": config.alpha(),
        "seed": config.seed,
        "init": config.init_rule(&architecture.sizes),
        "init_epsilon": config.init_epsilon,
        "network": network_json(architecture),
    }) else {
        unreachable!("an object")
    };
    object
}

/// A data set as the JSON outputs name it: its source and number of examples.
pub fn dataset_json(data: &Dataset) -> serde_json::Value {
    serde_json::json!({ "source": data.source.display().to_string(), "examples": data.len() })
}

/// The initialization of `config` for a network of `sizes`, in words:
/// `exercise, uniform in [-0.12, 0.12]` or `per-layer, uniform in [-e_l, e_l], e_l = √6/√(s_l + s_l+1)`.
pub fn init_text(config: &train::TrainConfig, sizes: &LayerSizes) -> String {
    match config.init_rule(sizes) {
        train::InitRule::Exercise => {
            format!("exercise, uniform in [-{e}, {e}]", e = config.init_epsilon)
        }
        train::InitRule::PerLayer => "per-layer, uniform in [-e_l, e_l], e_l = √6/√(s_l + s_l+1)".to_string(),
    }
}

/// The 8x8 grid of randomly chosen digits of `data`.
pub fn write_digit_grid(path: &Path, data: &Dataset, seed: u64) -> Result<()> {
    let rows = data.random_rows(64, seed);
    let images: Vec<&[f64]> = rows.iter().map(|&r| data.x.row(r)).collect();
    let side = image_side(data.num_features());
    save_png(path, &display_data(&images, GridLayout { side, columns: 8, rows: 8, scale: SCALE }))?;
    Ok(())
}

/// The first hidden layer: each row of `Theta1` without its bias as an image.
pub fn hidden_image(weights: &Weights) -> image::RgbImage {
    pictures::hidden_units(weights.first(), SCALE)
}

/// The confusion matrix of `predictions` (labels) against `data`'s labels, in digit order.
pub fn confusion(data: &Dataset, predictions: &[usize]) -> ConfusionMatrix {
    ConfusionMatrix::from_digits(
        10,
        data.labels.iter().zip(predictions).map(|(&a, &p)| (label_to_digit(a), label_to_digit(p))),
    )
}

/// Writes a picture, naming the file on failure.
pub fn write_picture(path: &Path, picture: Result<image::RgbImage, pictures::PictureError>) -> Result<()> {
    let picture = picture.with_context(|| format!("{}: cannot draw", path.display()))?;
    save_png(path, &picture)?;
    Ok(())
}

/// A short name for a data set in titles: its file name (a synthetic set's description has
/// no directory part, so it is its own file name).
pub fn dataset_name(data: &Dataset) -> String {
    data.source.file_name().map_or_else(|| data.source.display().to_string(), |n| n.to_string_lossy().into_owned())
}

/// Per-digit accuracy of an evaluation as JSON objects, digits in order.
pub fn per_digit_json(eval: &model::Evaluation) -> Vec<serde_json::Value> {
    eval.per_digit
        .iter()
        .map(|d| serde_json::json!({ "digit": d.digit, "correct": d.correct, "total": d.total, "accuracy": d.percent() }))
        .collect()
}

/// `Theta1` (the first hidden layer's weights) at chosen moments of training, as `snapshots.mat` (one variable per moment) and
/// the list of moments for `metrics.json`: before training, at 10% and 30% of the iterations
/// asked for (those reached), and at the end.
pub fn write_snapshots(path: &Path, outcome: &train::Outcome, iterations: usize) -> Result<Vec<report::SnapshotInfo>> {
    let mut moments: Vec<(usize, String, &[f64])> = Vec::new();
    for (iteration, label) in
        [(0, "before training"), ((iterations + 5) / 10, "10%"), ((3 * iterations + 5) / 10, "30%")]
    {
        let found = outcome.snapshots.iter().find(|s| s.iteration == iteration);
        if let Some(s) = found
            && iteration < outcome.iterations()
            && moments.iter().all(|m| m.0 != iteration)
        {
            moments.push((iteration, label.to_string(), &s.params));
        }
    }
    let end = if outcome.iterations() == iterations { "100%" } else { "the end" };
    moments.push((outcome.iterations(), end.to_string(), &outcome.params));
    let mut arrays = Vec::new();
    let mut infos = Vec::new();
    for (iteration, label, params) in moments {
        let theta1 = manual::reshape(params, &outcome.architecture.sizes).swap_remove(0);
        let variable = report::layout::snapshot_variable(iteration);
        arrays.push(MatArray::matrix(&variable, &theta1));
        infos.push(report::SnapshotInfo { label, iteration, variable });
    }
    write_mat_file(path, &arrays, true).with_context(|| format!("{}: cannot write the snapshots", path.display()))?;
    Ok(infos)
}

/// The training and held-out cost (and held-out accuracy) at each checkpoint snapshot of the
/// run: one forward pass on the held-out set each. The held-out cost is its cross-entropy plus
/// the same weight penalty as the training cost's (`λ/2m Σθ²` with the training set's `m`), so
/// that the two curves differ only by how well the network fits each set.
pub fn checkpoints(
    outcome: &train::Outcome,
    iterations: usize,
    training_examples: usize,
    test: Option<&Dataset>,
    lambda: f64,
    device: &backend::burn::tensor::Device,
) -> Vec<report::Checkpoint> {
    let at = train::checkpoints(iterations);
    outcome
        .snapshots
        .iter()
        .filter(|s| at.contains(&s.iteration))
        .filter_map(|s| {
            let training_cost = *outcome.costs.get(s.iteration)?;
            let held_out = test.map(|t| {
                let network = model::Network::from_unrolled(&s.params, &outcome.architecture, device);
                // `evaluate` divides the penalty by the held-out set's size: scale lambda to match.
                let lambda = lambda * t.len() as f64 / training_examples.max(1) as f64;
                model::evaluate(&network, t, lambda, device)
            });
            Some(report::Checkpoint {
                iteration: s.iteration,
                training_cost,
                held_out_cost: held_out.as_ref().map(|e| e.cost),
                held_out_accuracy: held_out.as_ref().map(|e| e.accuracy),
            })
        })
        .collect()
}

/// The digits of `data` that `eval` got wrong, the most confident first, as `mistakes.mat`
/// (at most [`report::MISTAKES_KEPT`]; no file when there is none).
pub fn write_mistakes(
    path: &Path,
    network: &model::Network,
    data: &Dataset,
    eval: &model::Evaluation,
    device: &backend::burn::tensor::Device,
) -> Result<report::Mistakes> {
    let wrong: Vec<usize> = (0..data.len()).filter(|&i| eval.predictions[i] != data.labels[i]).collect();
    if wrong.is_empty() {
        return Ok(report::Mistakes { total: 0, kept: 0 });
    }
    // One forward pass over the wrong rows: the output layer's values (σ(z_L) or
    // softmax(z_L)), reordered by digit.
    let x = data.x.select_rows(&wrong);
    let outputs = backend::tensor_to_matrix(network.forward(backend::matrix_to_tensor(&x, device)));
    let mut items: Vec<(usize, Vec<f64>)> =
        wrong.iter().enumerate().map(|(i, &row)| (row, by_digit(outputs.row(i)))).collect();
    let confidence = |(row, p): &(usize, Vec<f64>)| p[label_to_digit(eval.predictions[*row])];
    items.sort_by(|a, b| confidence(b).total_cmp(&confidence(a)).then(a.0.cmp(&b.0)));
    items.truncate(report::MISTAKES_KEPT);
    let n = items.len();
    let rows: Vec<usize> = items.iter().map(|(r, _)| *r).collect();
    let column = |f: &dyn Fn(usize) -> f64| Matrix::from_fn(n, 1, |i, _| f(rows[i]));
    let arrays = [
        MatArray::matrix(report::layout::MISTAKE_IMAGES, &data.x.select_rows(&rows)),
        MatArray::matrix(report::layout::MISTAKE_ACTUAL, &column(&|r| label_to_digit(data.labels[r]) as f64)),
        MatArray::matrix(report::layout::MISTAKE_PREDICTED, &column(&|r| label_to_digit(eval.predictions[r]) as f64)),
        MatArray::matrix(
            report::layout::MISTAKE_OUTPUTS,
            &Matrix::from_fn(n, 10, |i, d| items[i].1.get(d).copied().unwrap_or(0.0)),
        ),
        MatArray::matrix(report::layout::MISTAKE_ROWS, &column(&|r| (r + 1) as f64)),
    ];
    write_mat_file(path, &arrays, true).with_context(|| format!("{}: cannot write the mistakes", path.display()))?;
    Ok(report::Mistakes { total: wrong.len(), kept: n })
}
