//! The `trainer` binary end to end: what a user types and what they see.

mod common;

use common::{assert_picture, json_file};
use std::path::PathBuf;
use std::process::{Command, Output};

fn trainer(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_trainer")).args(args).output().expect("run trainer")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn eval_with_no_arguments_prints_the_reference_figures() {
    let output = trainer(&["eval"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    for expected in [
        "network      400-25-10",
        "data         5000 examples x 400 features",
        "cost         0.287629 at lambda 0",
        "cost         0.383770 at lambda 1",
        "accuracy     97.52% (4876 of 5000)",
        "per digit",
    ] {
        assert!(text.contains(expected), "missing `{expected}` in:\n{text}");
    }
}

#[test]
fn eval_json_on_the_held_out_set() {
    let output = trainer(&["eval", "--data", "ex4test.mat", "--json", "--lambda", "3", "--backend", "ndarray"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let value: serde_json::Value = serde_json::from_str(stdout(&output).trim()).expect("one JSON object");
    assert_eq!(value["examples"], 10000);
    assert_eq!(value["correct"], 9339);
    assert_eq!(value["backend"], "ndarray");
    assert_eq!(value["lambda"], 3.0);
    assert_eq!(value["network"]["hidden"], serde_json::json!([25]));
    assert_eq!(value["network"]["layers"], "400-25-10");
    assert_eq!(value["per_digit"].as_array().unwrap().len(), 10);
    assert!(value["cost"].as_f64().unwrap() > value["cost_lambda_0"].as_f64().unwrap());
}

#[test]
fn a_missing_file_is_one_line_listing_every_place_looked() {
    let output = trainer(&["eval", "--data", "nowhere.mat"]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert_eq!(message.lines().count(), 1, "{message}");
    assert!(message.starts_with("error: nowhere.mat not found; looked in: nowhere.mat, "), "{message}");
    assert!(message.contains("EX4_DATA_DIR"));
}

#[test]
fn a_malformed_file_names_file_variable_and_problem() {
    let dir = std::env::temp_dir().join(format!("ex4-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path: PathBuf = dir.join("labels.mat");
    let arrays = [
        data::mat::MatArray::new("X", &[2, 400], data::mat::MatData::Double(vec![0.5; 800])),
        data::mat::MatArray::new("y", &[2, 1], data::mat::MatData::Double(vec![3.0, 12.0])),
    ];
    data::mat::write_mat_file(&path, &arrays, true).unwrap();
    let output = trainer(&["eval", "--data", path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert_eq!(message.lines().count(), 1, "{message}");
    assert!(message.contains(&format!("{}: variable `y`: element 2 is 12", path.display())), "{message}");
}

#[test]
fn bad_flags_are_refused() {
    for (args, text) in [
        (vec!["eval", "--backend", "cuda"], "unknown backend `cuda`; valid choices: flex, ndarray"),
        (vec!["eval", "--lambda", "-1"], "lambda must be finite and >= 0"),
        (vec!["eval", "--lambda", "NaN"], "lambda must be finite and >= 0"),
    ] {
        let output = trainer(&args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(stderr(&output).contains(text), "{args:?}: {}", stderr(&output));
    }
}

#[test]
fn gradcheck_passes_on_the_reference_pair_and_reports_its_figures() {
    let output = trainer(&["gradcheck", "--lambda", "1", "--samples", "30", "--json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let value: serde_json::Value = serde_json::from_str(stdout(&output).trim()).expect("one JSON object");
    assert_eq!(value["passed"], true);
    assert!(value["manual_vs_autodiff"].as_f64().unwrap() <= 1e-12);
    assert!(value["finite_differences"].as_f64().unwrap() < 1e-9);
    assert!((value["cost"].as_f64().unwrap() - 0.38376985909092365).abs() < 1e-12);
    let text = stdout(&trainer(&["gradcheck", "--samples", "10", "--backend", "ndarray"]));
    // Per weight matrix: autodiff on both backends, finite differences, ndarray vs flex.
    assert_eq!((text.matches("PASS").count(), text.matches("FAIL").count()), (8, 0), "{text}");
    assert!(text.contains("Theta2(") && text.contains("autodiff flex"), "{text}");
    assert!(text.contains("gradient norm  1.2913128642621"), "{text}");
    let refused = trainer(&["gradcheck", "--epsilon", "0"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr(&refused).contains("epsilon must be finite and > 0"));
}

/// The variables `names` of a MAT file, read by our own reader.
fn mat_variables(path: &std::path::Path, names: &[&str]) -> Vec<data::Matrix> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let read = data::mat::read_matrices(path, &bytes, names).unwrap_or_else(|e| panic!("{e}"));
    read.into_iter().map(|r| r.matrix).collect()
}

#[test]
fn gradcheck_saves_the_cost_and_gradient_in_the_exercises_shapes() {
    let path = scratch("gradient").join("grad.mat");
    let output = trainer(&["gradcheck", "--samples", "1", "--save-gradient", path.to_str().unwrap(), "--json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let value: serde_json::Value = serde_json::from_str(stdout(&output).trim()).expect("one JSON object");
    assert_eq!(value["gradient_file"], path.to_str().unwrap());
    let [j, grad, theta1_grad, theta2_grad] =
        <[data::Matrix; 4]>::try_from(mat_variables(&path, &["J", "grad", "Theta1_grad", "Theta2_grad"])).unwrap();
    assert_eq!(
        (j.shape(), grad.shape(), theta1_grad.shape(), theta2_grad.shape()),
        ((1, 1), (10285, 1), (25, 401), (10, 26))
    );
    // The file holds, to the bit, the cost printed and the gradient the manual backpropagation
    // gives at the reference weights (lambda 1, flex); `grad` is `[Theta1_grad(:); Theta2_grad(:)]`.
    assert_eq!(j.get(0, 0), value["cost"].as_f64().unwrap());
    let weights = data::load_weights(&data::locate(data::DataFile::Weights, None).unwrap()).unwrap();
    let training = data::load_dataset(&data::locate(data::DataFile::Training, None).unwrap(), 10).unwrap();
    let device = backend::Backend::Flex.device().unwrap();
    let objective = manual::NnCost::new(&training.x, &training.labels, &weights.architecture(), 1.0, &device);
    let (cost, gradient) = objective.cost_and_gradient(&manual::unroll(&weights.thetas));
    assert_eq!(j.get(0, 0), cost);
    assert_eq!(grad.as_slice(), &gradient[..]);
    assert_eq!(manual::unroll(&[theta1_grad, theta2_grad]), gradient);
    // And it is what the exercise's Octave code gives (tests/fixtures/README.md).
    let fixture = data::workspace_root().join("tests/fixtures/octave_ex4_reference.mat");
    let [j1, grad1] = <[data::Matrix; 2]>::try_from(mat_variables(&fixture, &["J1", "grad1"])).unwrap();
    assert!(
        (j.get(0, 0) - j1.get(0, 0)).abs() <= 1e-14 * j1.get(0, 0),
        "J {} against Octave's {}",
        j.get(0, 0),
        j1.get(0, 0)
    );
    let largest = grad1.as_slice().iter().map(|g| g.abs()).fold(0.0, f64::max);
    let worst = grad.as_slice().iter().zip(grad1.as_slice()).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
    assert!(worst <= 1e-10 * largest, "grad differs from Octave's by {:e} of its largest entry", worst / largest);
    // An existing file is never overwritten, and is refused before any work.
    assert_refuses_existing(&["gradcheck", "--save-gradient", path.to_str().unwrap()], "--save-gradient", &path);
}

/// The command, whose `flag` names the existing file `path`, exits 2 with a message naming the
/// flag, and leaves the file as it was.
fn assert_refuses_existing(args: &[&str], flag: &str, path: &std::path::Path) {
    let before = std::fs::read(path).unwrap();
    let again = trainer(args);
    assert_eq!(again.status.code(), Some(2));
    let message = stderr(&again);
    assert!(message.contains(flag) && message.contains("already exists"), "{message}");
    assert_eq!(std::fs::read(path).unwrap(), before);
}

/// A fresh empty directory for one test's outputs.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ex4-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn training_on_synthetic_digits_writes_every_output() {
    let out = scratch("synthetic").join("run");
    let output = trainer(&["--synthetic", "--iterations", "30", "--hidden", "16", "--out", out.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    for expected in [
        "training set   synthetic digits (built in: 5000 examples, seed 0)",
        "optimizer      lbfgs",
        "engine         fused\nprecision      f64\n",
        "held-out acc",
    ] {
        assert!(text.contains(expected), "missing `{expected}` in:\n{text}");
    }
    // 8x8 digits of 20 pixels, 5x5 hidden units of 20 pixels (4x4 for 16 units), at 4x scale.
    assert_picture(&out.join("digits.png"), 8 * 21 * 4, 8 * 21 * 4);
    assert_picture(&out.join("hidden.png"), 4 * 21 * 4, 4 * 21 * 4);
    assert_picture(&out.join("cost.png"), 600, 400);
    assert_picture(&out.join("confusion.png"), 500, 500);
    let metrics = json_file(&out.join("metrics.json"));
    assert_eq!(metrics["costs"].as_array().unwrap().len(), 31);
    assert_eq!(metrics["config"]["network"]["hidden"], serde_json::json!([16]));
    assert_eq!(metrics["config"]["precision"], "f64");
    assert!(metrics["dataset"]["source"].as_str().unwrap().starts_with("synthetic digits"));
    assert!(metrics["training"]["accuracy"].as_f64().unwrap() > 90.0, "{}", metrics["training"]);
    // The weights load back through our own reader, in the exercise's layout.
    let weights = data::load_weights(&out.join("weights.mat")).unwrap();
    let shapes: Vec<(usize, usize)> = weights.thetas.iter().map(|t| t.shape()).collect();
    assert_eq!(shapes, [(16, 401), (10, 17)]);
    // Runs never overwrite: the same --out again is refused.
    let again = trainer(&["--synthetic", "--iterations", "1", "--out", out.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("already exists"), "{}", stderr(&again));
}

#[test]
fn training_on_the_exercise_data_gives_weights_that_eval_agrees_with() {
    let out = scratch("exercise").join("run");
    let output = trainer(&["--iterations", "40", "--json", "--out", out.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let summary: serde_json::Value = serde_json::from_str(stdout(&output).trim()).expect("one JSON object");
    assert_eq!(summary, json_file(&out.join("metrics.json")));
    assert_eq!(summary["dataset"]["examples"], 5000);
    assert_eq!(summary["held_out"]["examples"], 10000);
    let reported = summary["training"]["correct"].as_u64().unwrap();
    assert!(reported > 4500, "{reported}");
    // `eval` on the written weights gives the accuracy and cost the run reported.
    let eval = trainer(&["eval", "--weights", out.join("weights.mat").to_str().unwrap(), "--json"]);
    assert!(eval.status.success(), "{}", stderr(&eval));
    let eval: serde_json::Value = serde_json::from_str(stdout(&eval).trim()).unwrap();
    assert_eq!(eval["correct"].as_u64().unwrap(), reported);
    let (a, b) = (eval["cost"].as_f64().unwrap(), summary["final_cost"].as_f64().unwrap());
    assert!((a - b).abs() < 1e-12, "eval {a} vs run {b}");
    let test =
        trainer(&["eval", "--data", "ex4test.mat", "--weights", out.join("weights.mat").to_str().unwrap(), "--json"]);
    let test: serde_json::Value = serde_json::from_str(stdout(&test).trim()).unwrap();
    assert_eq!(test["correct"], summary["test"]["correct"]);
    weights_safetensors_match_weights_mat(&out);
}

/// A run's `weights.safetensors`, read with the `safetensors` crate, holds exactly what its
/// `weights.mat` holds: `Theta1` and `Theta2`, F64, the same shapes, every value bit for bit.
fn weights_safetensors_match_weights_mat(run: &std::path::Path) {
    use safetensors::{Dtype, SafeTensors};
    let mat = data::load_weights(&run.join("weights.mat")).unwrap();
    let bytes = std::fs::read(run.join("weights.safetensors")).unwrap();
    let file = SafeTensors::deserialize(&bytes).unwrap();
    let mut names = file.names();
    names.sort();
    let expected_names: Vec<String> = (1..=mat.thetas.len()).map(data::theta_name).collect();
    assert_eq!(names, expected_names);
    for (l, theta) in mat.thetas.iter().enumerate() {
        let name = &data::theta_name(l + 1);
        let view = file.tensor(name).unwrap();
        assert_eq!(view.dtype(), Dtype::F64, "{name}");
        assert_eq!(view.shape(), [theta.rows(), theta.cols()], "{name}");
        let read: Vec<u64> = view.data().chunks_exact(8).map(|b| u64::from_le_bytes(b.try_into().unwrap())).collect();
        let expected: Vec<u64> = theta.as_slice().iter().map(|v| v.to_bits()).collect();
        assert_eq!(read.len(), expected.len(), "{name}");
        let differing = read.iter().zip(&expected).filter(|(a, b)| a != b).count();
        assert_eq!(differing, 0, "{name}: {differing} values differ from weights.mat");
    }
    let (_, metadata) = SafeTensors::read_metadata(&bytes).unwrap();
    let metadata = metadata.metadata().clone().expect("__metadata__");
    assert_eq!(metadata["format"], "ex4");
    let layers: Vec<String> = mat.layer_sizes().layers().iter().map(usize::to_string).collect();
    assert_eq!(metadata["layers"], layers.join(","));
    assert_eq!(
        (metadata["activation"].as_str(), metadata["output"].as_str()),
        (mat.activation.name(), mat.output.name())
    );
}

#[test]
fn gradient_descent_with_the_autodiff_engine_and_ndarray_backend() {
    let out = scratch("gd").join("run");
    let args = ["--optimizer", "gd", "--engine", "autodiff", "--backend", "ndarray", "--iterations", "20", "--no-test"];
    let output = trainer(&[&args[..], &["--json", "--out", out.to_str().unwrap()]].concat());
    assert!(output.status.success(), "{}", stderr(&output));
    let summary: serde_json::Value = serde_json::from_str(stdout(&output).trim()).unwrap();
    assert_eq!(summary["config"]["engine"], "autodiff");
    assert_eq!(summary["config"]["backend"], "ndarray");
    assert_eq!(summary["config"]["alpha"], 0.5);
    assert!(summary["test"].is_null());
    let costs: Vec<f64> = summary["costs"].as_array().unwrap().iter().map(|c| c.as_f64().unwrap()).collect();
    assert_eq!(costs.len(), 21);
    assert!(costs.windows(2).all(|w| w[1] < w[0]), "gradient descent with alpha 0.5 goes down: {costs:?}");
}

#[test]
fn f32_training_is_named_in_its_outputs_and_refused_with_other_engines() {
    let out = scratch("f32").join("run");
    let args = ["--synthetic", "--iterations", "10", "--hidden", "8", "--precision", "f32", "--json"];
    let output = trainer(&[&args[..], &["--out", out.to_str().unwrap()]].concat());
    assert!(output.status.success(), "{}", stderr(&output));
    let summary: serde_json::Value = serde_json::from_str(stdout(&output).trim()).unwrap();
    assert_eq!(summary["config"]["precision"], "f32");
    assert_eq!(summary["config"]["engine"], "fused");
    assert!(summary["training"]["accuracy"].as_f64().unwrap() > 50.0, "{}", summary["training"]);
    for engine in ["manual", "autodiff"] {
        let refused = trainer(&["--synthetic", "--engine", engine, "--precision", "f32", "--no-test"]);
        assert_eq!(refused.status.code(), Some(2), "{engine}");
        let message = stderr(&refused);
        assert_eq!(message.lines().count(), 1, "{message}");
        assert!(message.contains("--precision must be f64 except with --engine fused"), "{message}");
        assert!(message.contains(&format!("got f32 with --engine {engine}")), "{message}");
    }
}

#[test]
fn a_diverging_run_names_the_iteration_and_writes_no_weights() {
    let out = scratch("diverge").join("run");
    let args = ["--optimizer", "gd", "--alpha", "1e6", "--lambda", "1e9", "--iterations", "50", "--synthetic"];
    let output = trainer(&[&args[..], &["--out", out.to_str().unwrap()]].concat());
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let message = stderr(&output);
    assert!(message.contains("error: training diverged: the cost"), "{message}");
    assert!(message.contains("at iteration"), "{message}");
    assert!(!out.join("weights.mat").exists() && !out.join("weights.safetensors").exists());
    assert_eq!(json_file(&out.join("metrics.json"))["stop"]["kind"], "diverged");
}

#[test]
fn sweep_picks_the_lambda_with_the_best_held_out_accuracy() {
    let out = scratch("sweep").join("run");
    let args = ["sweep", "--synthetic", "--lambdas", "0,3,30", "--iterations", "15", "--hidden", "9"];
    let output = trainer(&[&args[..], &["--precision", "f32", "--out", out.to_str().unwrap()]].concat());
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("lbfgs 15 iterations, engine fused (f32), backend flex"), "{}", stdout(&output));
    let sweep = json_file(&out.join("sweep.json"));
    assert_eq!(sweep["config"]["precision"], "f32");
    let points = sweep["points"].as_array().unwrap();
    assert_eq!(points.len(), 3);
    let best = points
        .iter()
        .max_by(|a, b| a["test_accuracy"].as_f64().unwrap().total_cmp(&b["test_accuracy"].as_f64().unwrap()))
        .unwrap();
    let best_accuracy = best["test_accuracy"].as_f64().unwrap();
    let first_best = points.iter().find(|p| p["test_accuracy"].as_f64().unwrap() == best_accuracy).unwrap();
    assert_eq!(sweep["best_lambda"], first_best["lambda"]);
    let best_lambda = first_best["lambda"].as_f64().unwrap();
    assert!(stdout(&output).contains(&format!("best lambda    {best_lambda} ")), "{}", stdout(&output));
    let csv = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    assert_eq!(csv.lines().count(), 4);
    assert_picture(&out.join("hidden_by_lambda.png"), 3 * 3 * 21 * 4, 3 * 21 * 4);
    assert_picture(&out.join("accuracy_by_lambda.png"), 600, 400);
    // Each lambda is a run directory of its own, with its report; the sweep's report links them.
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(report.contains(&format!("lambda {best_lambda}</div>")), "the best lambda is named");
    for lambda in ["0", "3", "30"] {
        let run = out.join(format!("lambda_{lambda}"));
        assert!(
            run.join("weights.mat").exists()
                && run.join("weights.safetensors").exists()
                && run.join("report.html").exists()
        );
        assert_eq!(json_file(&run.join("metrics.json"))["config"]["lambda"].as_f64().unwrap().to_string(), lambda);
        assert!(report.contains(&format!("href=\"lambda_{lambda}/report.html\"")), "{lambda}");
    }
}

#[test]
fn a_run_records_held_out_costs_and_hidden_snapshots_and_its_report_rebuilds() {
    let runs = scratch("report").join("runs");
    let out = runs.join("run");
    let output = trainer(&["--synthetic", "--iterations", "20", "--hidden", "9", "--out", out.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let metrics = json_file(&out.join("metrics.json"));
    let checkpoints = metrics["checkpoints"].as_array().unwrap();
    let iterations: Vec<u64> = checkpoints.iter().map(|c| c["iteration"].as_u64().unwrap()).collect();
    assert_eq!(iterations, [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20]);
    for c in checkpoints {
        let i = c["iteration"].as_u64().unwrap() as usize;
        assert_eq!(c["training_cost"], metrics["costs"][i]);
        assert!(c["held_out_cost"].as_f64().unwrap() > 0.0 && c["held_out_accuracy"].as_f64().unwrap() >= 0.0);
    }
    let last = checkpoints.last().unwrap();
    assert_eq!(last["held_out_accuracy"], metrics["test"]["accuracy"]);
    // The held-out cost carries the training cost's weight penalty: the same gap to the cross-entropy.
    let penalty = |e: &serde_json::Value| e["cost"].as_f64().unwrap() - e["cost_lambda_0"].as_f64().unwrap();
    let held_out_penalty = last["held_out_cost"].as_f64().unwrap() - metrics["test"]["cost_lambda_0"].as_f64().unwrap();
    assert!(penalty(&metrics["training"]) > 0.0);
    assert!((held_out_penalty - penalty(&metrics["training"])).abs() < 1e-12, "{held_out_penalty}");
    // Theta1 before training, at 10%, 30% and at the end.
    let snapshots = metrics["snapshots"].as_array().unwrap();
    let moments: Vec<(&str, u64)> =
        snapshots.iter().map(|s| (s["label"].as_str().unwrap(), s["iteration"].as_u64().unwrap())).collect();
    assert_eq!(moments, [("before training", 0), ("10%", 2), ("30%", 6), ("100%", 20)]);
    let bytes = std::fs::read(out.join("snapshots.mat")).unwrap();
    let names: Vec<&str> = snapshots.iter().map(|s| s["variable"].as_str().unwrap()).collect();
    let read = data::mat::read_matrices(&out.join("snapshots.mat"), &bytes, &names).unwrap();
    assert!(read.iter().all(|m| m.matrix.shape() == (9, 401)));
    let end = data::load_weights(&out.join("weights.mat")).unwrap().thetas.swap_remove(0);
    assert_eq!(read[3].matrix, end);
    assert_ne!(read[0].matrix, end);
    // The mistakes, most confident first, as many as the confusion matrix's off-diagonal.
    let counts = metrics["confusion"]["counts"].as_array().unwrap();
    let off_diagonal: u64 = counts
        .iter()
        .enumerate()
        .flat_map(|(a, row)| row.as_array().unwrap().iter().enumerate().filter(move |(p, _)| *p != a))
        .map(|(_, c)| c.as_u64().unwrap())
        .sum();
    assert_eq!(metrics["mistakes"]["total"].as_u64().unwrap(), off_diagonal);
    let bytes = std::fs::read(out.join("mistakes.mat")).unwrap();
    let names = ["X", "actual", "predicted", "outputs", "row"];
    let m = data::mat::read_matrices(&out.join("mistakes.mat"), &bytes, &names).unwrap();
    let kept = metrics["mistakes"]["kept"].as_u64().unwrap() as usize;
    assert_eq!(kept, off_diagonal.min(100) as usize);
    let confidence: Vec<f64> = (0..kept).map(|i| m[3].matrix.get(i, m[2].matrix.get(i, 0) as usize)).collect();
    assert!(confidence.windows(2).all(|w| w[0] >= w[1]), "most confident first: {confidence:?}");
    assert!((0..kept).all(|i| m[1].matrix.get(i, 0) != m[2].matrix.get(i, 0)), "only mistakes");
    // The index of runs/ lists the run.
    let index = std::fs::read_to_string(runs.join("index.html")).unwrap();
    assert!(index.contains("href=\"run/report.html\""), "{index}");

    // `trainer report` rebuilds the same page from the files.
    let first = std::fs::read_to_string(out.join("report.html")).unwrap();
    std::fs::remove_file(out.join("report.html")).unwrap();
    let rebuilt = trainer(&["report", out.to_str().unwrap()]);
    assert!(rebuilt.status.success(), "{}", stderr(&rebuilt));
    assert_eq!(std::fs::read_to_string(out.join("report.html")).unwrap(), first);
    // A missing file: one line naming it, exit 2.
    std::fs::remove_file(out.join("snapshots.mat")).unwrap();
    let missing = trainer(&["report", out.to_str().unwrap()]);
    assert_eq!(missing.status.code(), Some(2));
    let message = stderr(&missing);
    assert_eq!(message.lines().count(), 1, "{message}");
    assert!(message.contains("snapshots.mat: missing"), "{message}");
    let nothing = trainer(&["report", runs.to_str().unwrap()]);
    assert_eq!(nothing.status.code(), Some(2));
    assert!(stderr(&nothing).contains("neither metrics.json (a run) nor sweep.json (a sweep)"), "{}", stderr(&nothing));
}

#[test]
fn names_given_by_the_user_show_as_text_in_the_report() {
    let dir = scratch("escape");
    let data = dir.join("<script>alert(1)</script>.mat".replace('/', "_"));
    std::fs::copy(data::workspace_root().join("data/ex4data1.mat"), &data).unwrap();
    let out = dir.join("<b>run");
    let output =
        trainer(&["--data", data.to_str().unwrap(), "--no-test", "--iterations", "3", "--out", out.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(report.contains("&lt;script&gt;alert(1)&lt;_script&gt;.mat"), "the data file's name as text");
    assert!(report.contains("Run &lt;b&gt;run"), "the directory's name as text");
    assert!(!report.contains("<script") && !report.contains("<b>"));
}

#[test]
fn baseline_show_and_predict() {
    let output = trainer(&["baseline", "--synthetic", "--iterations", "20", "--json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let value: serde_json::Value = serde_json::from_str(stdout(&output).trim()).unwrap();
    assert!(value["training_accuracy"].as_f64().unwrap() > 90.0, "{value}");
    assert!(value["test_accuracy"].as_f64().unwrap() > 80.0, "{value}");

    let picture = scratch("show").join("digits.png");
    let output = trainer(&["show", "--out", picture.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_picture(&picture, 8 * 21 * 4, 8 * 21 * 4);
    let again = trainer(&["show", "--out", picture.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(2), "an existing picture is not overwritten");

    let output = trainer(&["predict", "--rows", "1,2500,5000", "--json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let value: serde_json::Value = serde_json::from_str(stdout(&output).trim()).unwrap();
    let predictions = value["predictions"].as_array().unwrap();
    assert_eq!(predictions.len(), 3);
    // ex4data1.mat is sorted by label: row 1 is a 0 (label 10), row 2500 a 4, row 5000 a 9.
    let actual: Vec<u64> = predictions.iter().map(|p| p["actual_digit"].as_u64().unwrap()).collect();
    assert_eq!(actual, [0, 4, 9]);
    for p in predictions {
        let probs: Vec<f64> =
            p["probabilities_by_digit"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
        assert_eq!(probs.len(), 10);
        let argmax = (0..10).max_by(|&a, &b| probs[a].total_cmp(&probs[b])).unwrap();
        assert_eq!(argmax as u64, p["predicted_digit"].as_u64().unwrap());
    }
    let past = trainer(&["predict", "--rows", "5001"]);
    assert_eq!(past.status.code(), Some(2));
    assert!(stderr(&past).contains("row 5001 is past the last row (5000)"), "{}", stderr(&past));
}

#[test]
fn damaged_weights_are_named_and_no_figure_is_a_bare_inf() {
    let dir = std::env::temp_dir().join(format!("ex4-cli-damaged-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("damaged.mat");
    let reference = data::load_weights(&data::locate(data::DataFile::Weights, None).unwrap()).unwrap();
    // One entry of Theta2 with an exponent bit flipped: 2.8e182 where a weight of order 1 was.
    let mut theta2 = reference.thetas[1].to_column_major();
    theta2[37] = 2.8e182;
    let arrays = [
        data::mat::MatArray::new(
            "Theta1",
            &[25, 401],
            data::mat::MatData::Double(reference.thetas[0].to_column_major()),
        ),
        data::mat::MatArray::new("Theta2", &[10, 26], data::mat::MatData::Double(theta2)),
    ];
    data::mat::write_mat_file(&path, &arrays, true).unwrap();

    let output = trainer(&["eval", "--weights", path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1), "a non-finite figure is not a success");
    let warning = stderr(&output);
    assert_eq!(warning.lines().count(), 1, "{warning}");
    // Column-major index 37 of a 10-row matrix: row 8, column 4.
    let expected = format!("warning: {}: variable `Theta2`: largest entry Theta2(8, 4) = 2.8e182", path.display());
    assert!(warning.starts_with(&expected), "{warning}");
    assert!(warning.trim_end().ends_with("the file may be damaged"), "{warning}");
    let text = stdout(&output);
    for line in text.lines().filter(|line| line.contains("inf") || line.contains("NaN")) {
        assert!(line.contains("(overflow: the weights' largest entry is Theta2(8, 4) = 2.8e182)"), "{line}");
    }
    assert!(text.contains("cost         inf at lambda 1  (overflow"), "{text}");

    // The same in JSON: the warning travels with the figures.
    let output = trainer(&["eval", "--weights", path.to_str().unwrap(), "--json"]);
    assert_eq!(output.status.code(), Some(1));
    let value: serde_json::Value = serde_json::from_str(stdout(&output).trim()).expect("one JSON object");
    assert!(value["warning"].as_str().unwrap().contains("Theta2(8, 4)"));
    assert!(value["cost"].is_null(), "JSON has no infinity: {}", value["cost"]);

    // Sound weights get no warning.
    let output = trainer(&["eval"]);
    assert!(output.status.success() && stderr(&output).is_empty(), "{}", stderr(&output));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    use std::process::Stdio;
    // `trainer eval | head -0`: the reader is gone before the first line is printed.
    let mut child = Command::new(env!("CARGO_BIN_EXE_trainer"))
        .arg("eval")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run trainer");
    drop(child.stdout.take());
    let output = child.wait_with_output().expect("wait for trainer");
    let message = stderr(&output);
    assert!(!message.contains("panicked"), "{message}");
    assert!(message.is_empty(), "{message}");
}

/// The `(epsilon, error)` pairs of a `gradcheck --epsilon-sweep --json` object.
fn sweep_points(value: &serde_json::Value) -> Vec<(f64, f64)> {
    let points = value["sweep"].as_array().expect("a sweep array");
    points.iter().map(|p| (p["epsilon"].as_f64().unwrap(), p["relative_difference"].as_f64().unwrap())).collect()
}

/// Least-squares slope of log10(error) against log10(epsilon).
fn log_log_slope(points: &[(f64, f64)]) -> f64 {
    let xy: Vec<(f64, f64)> = points.iter().map(|&(e, d)| (e.log10(), d.log10())).collect();
    let n = xy.len() as f64;
    let (mx, my) = xy.iter().fold((0.0, 0.0), |(sx, sy), (x, y)| (sx + x / n, sy + y / n));
    let sxy: f64 = xy.iter().map(|(x, y)| (x - mx) * (y - my)).sum();
    let sxx: f64 = xy.iter().map(|(x, _)| (x - mx).powi(2)).sum();
    sxy / sxx
}

#[test]
fn gradcheck_epsilon_sweep_draws_the_v_of_truncation_and_rounding() {
    let dir = scratch("epsilon-sweep");
    let path = dir.join("sweep.png");
    let output = trainer(&["gradcheck", "--epsilon-sweep", path.to_str().unwrap(), "--json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let value: serde_json::Value = serde_json::from_str(stdout(&output).trim()).expect("one JSON object");
    let points = sweep_points(&value);
    // 1e-2 down to 1e-10, four steps a decade.
    assert_eq!(points.len(), 33);
    assert!((points[0].0 - 1e-2).abs() < 1e-15 && (points[32].0 - 1e-10).abs() < 1e-22, "{points:?}");
    let (min_epsilon, min_error) = points.iter().copied().min_by(|a, b| a.1.total_cmp(&b.1)).unwrap();
    assert_eq!(value["minimum"]["epsilon"].as_f64(), Some(min_epsilon));
    // Measured at lambda 1 (flex): 2.1e-7 at 1e-2, the minimum 2.3e-11 at 1e-4.
    assert!(points[0].1 > 1e3 * min_error, "error at 1e-2 {:e}, minimum {min_error:e}", points[0].1);
    assert!((1e-7..=1e-3).contains(&min_epsilon), "minimum at {min_epsilon:e}");
    assert!(min_error < 1e-9, "the minimum {min_error:e} would fail the exercise's bound");
    // The truncation side (eps >= 1e-3, 5 steps) is the ε² term alone: measured 1.99998 at
    // lambda 0, 1, 3 and 10, the ε⁴ term moving it by 3e-5. The rounding side (eps <= 1e-6, 17
    // steps over 4 decades) scatters by a factor up to 2 around 1/ε: measured −0.993 to −1.004
    // (lambdas 0 to 10, two backends); the fit's standard error is about 0.04, so 0.15 is
    // more than three of them.
    let truncation = log_log_slope(&points.iter().copied().filter(|p| p.0 >= 1e-3 * (1.0 - 1e-12)).collect::<Vec<_>>());
    let rounding = log_log_slope(&points.iter().copied().filter(|p| p.0 <= 1e-6 * (1.0 + 1e-12)).collect::<Vec<_>>());
    assert!((truncation - 2.0).abs() < 0.01, "truncation slope {truncation}");
    assert!((rounding + 1.0).abs() < 0.15, "rounding slope {rounding}");
    assert!((value["truncation_slope"].as_f64().unwrap() - truncation).abs() < 1e-9, "{value}");
    assert!((value["rounding_slope"].as_f64().unwrap() - rounding).abs() < 1e-9, "{value}");
    assert_picture(&path, 900, 600);
    // The curve is drawn: blue pixels, and the minimum's red point.
    let image = image::open(&path).unwrap().to_rgb8();
    let count = |colour: [u8; 3]| image.pixels().filter(|p| p.0 == colour).count();
    assert!(
        count([0, 0, 255]) > 2000 && count([255, 0, 0]) > 100,
        "{} blue, {} red",
        count([0, 0, 255]),
        count([255, 0, 0])
    );

    // The text form prints the same table, one step a line, and marks the minimum.
    let path = dir.join("text.png");
    let text = stdout(&trainer(&["gradcheck", "--epsilon-sweep", path.to_str().unwrap(), "--backend", "ndarray"]));
    let rows: Vec<&str> = text.lines().filter(|l| l.trim_start().starts_with(|c: char| c.is_ascii_digit())).collect();
    assert_eq!(rows.len(), 33, "{text}");
    assert_eq!(rows.iter().filter(|r| r.ends_with("minimum")).count(), 1, "{text}");
    assert!(text.contains("slopes         2.00 for eps >= 1e-3 (truncation)"), "{text}");

    // An existing picture is refused before any work, and the sweep takes no data or weights.
    assert_refuses_existing(&["gradcheck", "--epsilon-sweep", path.to_str().unwrap()], "--epsilon-sweep", &path);
    let mixed =
        trainer(&["gradcheck", "--epsilon-sweep", dir.join("new.png").to_str().unwrap(), "--data", "ex4data1.mat"]);
    assert_eq!(mixed.status.code(), Some(2));
    assert!(stderr(&mixed).contains("--data"), "{}", stderr(&mixed));
    assert!(!dir.join("new.png").exists());
}

/// A network of three weight matrices with tanh units and a softmax output: trained, then
/// evaluated, asked for predictions and checked from the file the run wrote, which says what
/// network it holds.
#[test]
fn a_deeper_network_trains_and_every_command_reads_it_back() {
    let dir = scratch("deeper");
    let out = dir.join("run");
    let args = ["--hidden", "30,20", "--activation", "tanh", "--output", "softmax", "--iterations", "8", "--no-test"];
    let output = trainer(&[&args[..], &["--out", out.to_str().unwrap(), "--json"]].concat());
    assert!(output.status.success(), "{}", stderr(&output));
    let metrics = json_file(&out.join("metrics.json"));
    let network = &metrics["config"]["network"];
    assert_eq!(network["layers"], "400-30-20-10");
    assert_eq!((network["activation"].as_str(), network["output"].as_str()), (Some("tanh"), Some("softmax")));
    assert_eq!(metrics["config"]["init"], "per-layer");
    let weights = data::load_weights(&out.join("weights.mat")).unwrap();
    let shapes: Vec<(usize, usize)> = weights.thetas.iter().map(|t| t.shape()).collect();
    assert_eq!(shapes, [(30, 401), (20, 31), (10, 21)]);
    assert_eq!(weights.architecture().to_string(), "400-30-20-10 tanh, softmax output");
    weights_safetensors_match_weights_mat(&out);

    // eval reads the three matrices and the kind, and agrees with the run.
    let weights_arg = out.join("weights.mat");
    let w = weights_arg.to_str().unwrap();
    let eval = trainer(&["eval", "--weights", w, "--json"]);
    assert!(eval.status.success(), "{}", stderr(&eval));
    let eval: serde_json::Value = serde_json::from_str(stdout(&eval).trim()).unwrap();
    assert_eq!(eval["network"]["layers"], "400-30-20-10");
    assert_eq!(eval["accuracy"], metrics["training"]["accuracy"]);
    let text = stdout(&trainer(&["eval", "--weights", w]));
    assert!(text.contains("400-30-20-10 tanh, softmax output (Theta1 30x401, Theta2 20x31, Theta3 10x21)"), "{text}");

    // predict: softmax probabilities sum to 1 over the digits.
    let predict = trainer(&["predict", "--weights", w, "--rows", "1,2501", "--json"]);
    assert!(predict.status.success(), "{}", stderr(&predict));
    let predict: serde_json::Value = serde_json::from_str(stdout(&predict).trim()).unwrap();
    for item in predict["predictions"].as_array().unwrap() {
        let sum: f64 = item["probabilities_by_digit"].as_array().unwrap().iter().map(|p| p.as_f64().unwrap()).sum();
        assert!((sum - 1.0).abs() < 1e-12, "{item}");
    }

    // gradcheck on the trained network, with every matrix's gradient saved.
    let gradient = dir.join("grad.mat");
    let check =
        trainer(&["gradcheck", "--weights", w, "--samples", "5", "--save-gradient", gradient.to_str().unwrap()]);
    assert!(check.status.success(), "{}{}", stdout(&check), stderr(&check));
    let text = stdout(&check);
    assert_eq!((text.matches("PASS").count(), text.matches("FAIL").count()), (12, 0), "{text}");
    assert!(text.contains("saved          J, grad, Theta1_grad, Theta2_grad, Theta3_grad"), "{text}");
    let [grad, theta3_grad] =
        <[data::Matrix; 2]>::try_from(mat_variables(&gradient, &["grad", "Theta3_grad"])).unwrap();
    assert_eq!((grad.shape(), theta3_grad.shape()), ((30 * 401 + 20 * 31 + 10 * 21, 1), (10, 21)));
    // grad is [Theta1_grad(:); Theta2_grad(:); Theta3_grad(:)]: Theta3_grad(:) comes last.
    let tail = &grad.as_slice()[grad.rows() - 210..];
    assert_eq!(tail, &theta3_grad.to_column_major()[..]);
}

/// `gradcheck --hidden` checks a network of random weights; on ReLUs, finite-difference
/// stencils across the kink are counted, never averaged in.
#[test]
fn gradcheck_checks_random_networks_of_any_depth_and_activation() {
    for (hidden, activation, output, matrices) in
        [("12,8", "relu", "softmax", 3), ("6,5,4", "sigmoid", "sigmoid", 4), ("7", "tanh", "sigmoid", 2)]
    {
        let args = [
            "gradcheck",
            "--hidden",
            hidden,
            "--activation",
            activation,
            "--output",
            output,
            "--samples",
            "8",
            "--json",
        ];
        let check = trainer(&args);
        assert!(check.status.success(), "{args:?}: {}{}", stdout(&check), stderr(&check));
        let value: serde_json::Value = serde_json::from_str(stdout(&check).trim()).unwrap();
        assert_eq!(value["passed"], true, "{value}");
        assert_eq!(value["network"]["activation"], activation);
        let per_matrix = value["per_matrix"]["finite_differences"].as_array().unwrap();
        assert_eq!(per_matrix.len(), matrices, "{args:?}");
        for m in per_matrix {
            assert_eq!(m["compared"].as_u64().unwrap() + m["skipped"].as_u64().unwrap(), 8, "{m}");
        }
        if activation != "relu" {
            assert_eq!(value["skipped_at_kink"], 0);
        }
    }
}

/// Weights whose third matrix does not fit the second are refused, naming it; so are flags that
/// contradict each other.
#[test]
fn misfits_and_contradictions_are_named() {
    let dir = scratch("misfit");
    let path = dir.join("w.mat");
    let theta = |rows: usize, cols: usize| data::Matrix::from_fn(rows, cols, |r, c| (r + c) as f64 / 100.0);
    let arrays = [
        data::mat::MatArray::matrix("Theta1", &theta(8, 401)),
        data::mat::MatArray::matrix("Theta2", &theta(6, 9)),
        data::mat::MatArray::matrix("Theta3", &theta(10, 8)),
    ];
    data::mat::write_mat_file(&path, &arrays, false).unwrap();
    let output = trainer(&["eval", "--weights", path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(
        message.contains("variable `Theta3`: has 8 columns but `Theta2` has 6 rows; expected 7 (rows of Theta2 + 1)"),
        "{message}"
    );
    assert_eq!(message.trim().lines().count(), 1, "{message}");
    let output = trainer(&["--init", "per-layer", "--init-epsilon", "0.1", "--iterations", "1"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("--init-epsilon 0.1 sets the exercise's initialization"), "{}", stderr(&output));
    let output = trainer(&["--hidden", "25,0", "--iterations", "1"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("hidden must be a whole number >= 1, got 0"), "{}", stderr(&output));
}
