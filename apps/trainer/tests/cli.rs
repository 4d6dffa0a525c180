//! The `trainer` binary end to end: what a user types and what they see.

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
    assert_eq!(value["network"]["hidden"], 25);
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
    assert_eq!(text.matches("PASS").count(), 2, "{text}");
    assert!(text.contains("gradient norm  1.2913128642621"), "{text}");
    let refused = trainer(&["gradcheck", "--epsilon", "0"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr(&refused).contains("epsilon must be finite and > 0"));
}
