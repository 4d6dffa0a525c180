//! Hostile inputs and interrupted runs, end to end.
//!
//! `every_bad_input_gets_one_line_and_the_documented_message` runs each bad input of the
//! table in `docs/robustness.md` and checks that the table holds exactly the message and exit
//! code the trainer gives today. After a deliberate change of wording, regenerate the table
//! with `EX4_BLESS=1 cargo test --release --workspace --test robustness`.

mod common;

use common::{assert_picture, json_file};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use data::mat::{MatArray, MatData, write_mat_file};

const TABLE: &str = "docs/robustness.md";

/// A scratch directory holding the bad files the table refers to by relative path.
fn scratch_with_bad_files() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ex4-robustness-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("existing-run")).unwrap();
    std::fs::write(dir.join("notes.txt"), "these are not the digits you are looking for\n").unwrap();
    std::fs::write(dir.join("existing.png"), b"a picture the user made").unwrap();
    std::fs::write(dir.join("grad.mat"), b"a gradient the user saved").unwrap();
    std::fs::create_dir_all(dir.join("a-directory.mat")).unwrap();
    let x = |rows: usize, cols: usize| MatArray::new("X", &[rows, cols], MatData::Double(vec![0.25; rows * cols]));
    let y = |labels: Vec<f64>| MatArray::new("y", &[labels.len(), 1], MatData::Double(labels));
    let labels: Vec<f64> = (0..20).map(|i| (i % 10 + 1) as f64).collect();
    write_mat_file(&dir.join("small-16-features.mat"), &[x(20, 16), y(labels.clone())], true).unwrap();
    write_mat_file(&dir.join("label-12.mat"), &[x(3, 400), y(vec![1.0, 12.0, 3.0])], false).unwrap();
    write_mat_file(&dir.join("no-y.mat"), &[x(3, 400)], false).unwrap();
    let mut nan = vec![0.5; 400 * 3];
    nan[7] = f64::NAN;
    write_mat_file(
        &dir.join("nan.mat"),
        &[MatArray::new("X", &[3, 400], MatData::Double(nan)), y(vec![1.0, 2.0, 3.0])],
        false,
    )
    .unwrap();
    let text = MatArray::new("X", &[1, 5], MatData::Char("hello".encode_utf16().collect()));
    write_mat_file(&dir.join("char-x.mat"), &[text, y(vec![1.0])], false).unwrap();
    let valid = data::mat::mat_bytes(&[x(3, 400), y(vec![1.0, 2.0, 3.0])], false);
    std::fs::write(dir.join("truncated.mat"), &valid[..valid.len() / 2]).unwrap();
    // The reference weights with one exponent bit flipped: Theta2(8, 4) becomes 2.8e182.
    let reference = data::load_weights(&data::locate(data::DataFile::Weights, None).unwrap()).unwrap();
    let mut theta2 = reference.thetas[1].to_column_major();
    theta2[37] = 2.8e182;
    let damaged =
        [MatArray::matrix("Theta1", &reference.thetas[0]), MatArray::new("Theta2", &[10, 26], MatData::Double(theta2))];
    write_mat_file(&dir.join("damaged.mat"), &damaged, true).unwrap();
    // Deeper weights: a third matrix that does not fit the second, a gap, an unknown activation.
    let theta = |rows: usize, cols: usize| data::Matrix::from_fn(rows, cols, |r, c| (r + c) as f64 / 100.0);
    let (theta1, theta2) = (MatArray::matrix("Theta1", &theta(8, 401)), MatArray::matrix("Theta2", &theta(6, 9)));
    let misfit = [theta1.clone(), theta2.clone(), MatArray::matrix("Theta3", &theta(10, 8))];
    write_mat_file(&dir.join("misfit-theta3.mat"), &misfit, false).unwrap();
    let gap = [theta1.clone(), theta2.clone(), MatArray::matrix("Theta4", &theta(10, 7))];
    write_mat_file(&dir.join("gap.mat"), &gap, false).unwrap();
    let swish = MatArray::new("activation", &[1, 5], MatData::Char("swish".encode_utf16().collect()));
    write_mat_file(&dir.join("swish.mat"), &[theta1, MatArray::matrix("Theta2", &theta(10, 9)), swish], false).unwrap();
    dir
}

/// Each bad input: what it is, and the arguments.
fn cases() -> Vec<(&'static str, Vec<&'static str>)> {
    vec![
        ("negative lambda", vec!["--lambda", "-1"]),
        ("lambda not a number", vec!["--lambda", "NaN"]),
        ("lambda not numeric", vec!["--lambda", "lots"]),
        ("infinite lambda", vec!["--lambda", "inf"]),
        ("zero iterations", vec!["--iterations", "0"]),
        ("negative iterations", vec!["--iterations", "-5"]),
        ("zero alpha", vec!["--optimizer", "gd", "--alpha", "0"]),
        ("negative alpha", vec!["--alpha", "-0.5"]),
        ("zero hidden units", vec!["--hidden", "0"]),
        ("zero init epsilon", vec!["--init-epsilon", "0"]),
        ("unknown optimizer", vec!["--optimizer", "newton"]),
        ("unknown engine", vec!["--engine", "symbolic"]),
        ("unknown precision", vec!["--precision", "f16"]),
        ("f32 with the manual engine", vec!["--engine", "manual", "--precision", "f32"]),
        ("unknown backend", vec!["--backend", "cuda"]),
        ("misspelt flag", vec!["--lamda", "1"]),
        ("negative seed", vec!["--seed", "-1"]),
        ("negative hidden units", vec!["--hidden", "-3"]),
        ("a zero in the hidden layers", vec!["--hidden", "100,0"]),
        ("unknown activation", vec!["--activation", "swish"]),
        ("unknown output", vec!["--output", "linear"]),
        ("per-layer initialization with an epsilon", vec!["--init", "per-layer", "--init-epsilon", "0.1"]),
        ("missing data file", vec!["--data", "missing.mat"]),
        ("a directory as data", vec!["--data", "a-directory.mat"]),
        ("a text file as data", vec!["--data", "notes.txt"]),
        ("truncated MAT file", vec!["--data", "truncated.mat"]),
        ("no `y` in the data", vec!["--data", "no-y.mat"]),
        ("a label outside 1..10", vec!["--data", "label-12.mat"]),
        ("NaN in `X`", vec!["--data", "nan.mat"]),
        ("`X` of characters", vec!["--data", "char-x.mat"]),
        ("held-out set of another width", vec!["--data", "small-16-features.mat", "--test", "ex4test.mat"]),
        ("existing output directory", vec!["--synthetic", "--out", "existing-run"]),
        ("output under a file", vec!["--synthetic", "--out", "notes.txt/run"]),
        (
            "diverging run (alpha 1e6, lambda 1e9)",
            vec!["--synthetic", "--optimizer", "gd", "--alpha", "1e6", "--lambda", "1e9", "--out", "diverged"],
        ),
        ("sweep with a negative lambda", vec!["sweep", "--lambdas", "1,-2"]),
        ("eval: weights that do not fit the data", vec!["eval", "--data", "small-16-features.mat"]),
        ("eval: damaged weights (an entry of 2.8e182)", vec!["eval", "--weights", "damaged.mat"]),
        ("eval: a third matrix that does not fit the second", vec!["eval", "--weights", "misfit-theta3.mat"]),
        ("eval: `Theta4` without `Theta3`", vec!["eval", "--weights", "gap.mat"]),
        ("eval: an unknown activation in the weights file", vec!["eval", "--weights", "swish.mat"]),
        ("predict: row 0", vec!["predict", "--rows", "0"]),
        ("predict: row past the end", vec!["predict", "--rows", "5001"]),
        ("show: existing picture", vec!["show", "--out", "existing.png"]),
        ("gradcheck: zero epsilon", vec!["gradcheck", "--epsilon", "0"]),
        ("gradcheck: existing gradient file", vec!["gradcheck", "--save-gradient", "grad.mat"]),
        ("gradcheck: existing sweep picture", vec!["gradcheck", "--epsilon-sweep", "existing.png"]),
        ("gradcheck: an activation without --hidden", vec!["gradcheck", "--activation", "tanh"]),
        ("gradcheck: --hidden and --weights", vec!["gradcheck", "--hidden", "30", "--weights", "damaged.mat"]),
        ("baseline: zero iterations", vec!["baseline", "--iterations", "0"]),
    ]
}

/// Paths that differ between machines, made generic.
fn normalize(text: &str, scratch: &Path) -> String {
    // The trainer finds its workspace the same way, at run time.
    let root = data::workspace_root();
    let root = root.canonicalize().unwrap_or(root);
    text.replace(&scratch.display().to_string(), ".").replace(&root.display().to_string(), "<repo>")
}

fn render(rows: &[(String, String, i32, String)]) -> String {
    let mut text = String::from(
        "# Robustness: bad inputs and the messages they get\n\n\
         Generated by `apps/trainer/tests/robustness.rs`, which checks on every test run that \
         each row is still exactly what the trainer says; regenerate after a deliberate change \
         with `EX4_BLESS=1 cargo test --release --workspace --test robustness`. Paths are \
         relative to the directory the trainer runs in; `<repo>` is the checkout. Every message is one line on stderr; no input gives a panic \
         or a backtrace.\n\n\
         | bad input | command | exit | message |\n| --- | --- | --- | --- |\n",
    );
    for (what, command, code, message) in rows {
        let message = message.replace('|', "\\|");
        text.push_str(&format!("| {what} | `{command}` | {code} | `{message}` |\n"));
    }
    text.push_str(
        "\nInterrupted runs (tested in the same file): SIGINT or SIGTERM stops a run after the \
         current iteration and still writes every output for the weights reached, exit code 130; \
         SIGKILL at any moment leaves, under the final names, only complete files (each file is \
         written to a temporary name and renamed). A diverging run writes `metrics.json` with \
         the costs up to the divergence and never weights.\n\n\
         ## The fuzzer\n\n\
         `just fuzz [SECONDS] [SEED]` (600 seconds, seed 1 by default) runs `tests/fuzz_mat.rs` \
         for that long: a seeded mutation fuzzer run as a test (`cargo fuzz` needs a nightly \
         toolchain). Its seed corpus is written by our own MAT writer: every numeric class, \
         char, logical, complex, empty, 3-D, compressed or not. The mutations are bit flips, \
         interesting bytes and words, truncation, insertion, chunk copies, class bytes, huge \
         dimensions and re-compression. Each input must load or fail with a one-line message \
         naming the file, never panic, and grow the heap by at most 32 times its size plus \
         1 MiB (a counting allocator measures it). The test suite runs the first 20,000 \
         inputs.\n\n\
         The values are decoded by our own streaming reader (`data::mat::read`), checked \
         against the `matfile` crate in `tests/mat_decoding.rs`: `matfile` holds three copies \
         of a variable in memory, mis-reads `int32` arrays and can panic on malformed input; \
         our reader allocates the matrix and nothing larger than the file can hold.\n",
    );
    text
}

#[test]
fn every_bad_input_gets_one_line_and_the_documented_message() {
    let scratch = scratch_with_bad_files();
    let mut rows = Vec::new();
    for (what, args) in cases() {
        let output = Command::new(env!("CARGO_BIN_EXE_trainer")).args(&args).current_dir(&scratch).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        let code = output.status.code().unwrap_or(-1);
        assert!(code == 1 || code == 2, "{what}: exit {code}, {stderr}");
        assert!(!stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"), "{what}: {stderr}");
        // Progress lines may come first (the diverging run); the error, or the warning of a
        // command that could still answer, is the line that counts.
        let first = stderr
            .lines()
            .find(|l| l.starts_with("error: ") || l.starts_with("warning: "))
            .unwrap_or_else(|| panic!("{what}: {stderr}"));
        if code == 2 {
            assert_eq!(stderr.lines().count(), 1, "{what}: {stderr}");
        }
        rows.push((what.to_string(), format!("trainer {}", args.join(" ")), code, normalize(first, &scratch)));
    }
    let table = render(&rows);
    let path = data::workspace_root().join(TABLE);
    if std::env::var_os("EX4_BLESS").is_some() {
        std::fs::write(&path, &table).unwrap();
    }
    let documented = std::fs::read_to_string(&path).unwrap_or_default();
    if documented != table {
        let first_difference = documented
            .lines()
            .zip(table.lines())
            .find(|(a, b)| a != b)
            .map_or_else(|| "(lengths differ)".to_string(), |(a, b)| format!("documented: {a}\nactual:     {b}"));
        panic!("{TABLE} is out of date; rerun with EX4_BLESS=1.\n{first_difference}");
    }
}

fn spawn_training(out: &Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_trainer"))
        .args(["--synthetic", "--optimizer", "gd", "--iterations", "1000000", "--out", out.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn wait_for(path: &Path) {
    let start = Instant::now();
    while !path.exists() && start.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn signal(child: &std::process::Child, name: &str) {
    assert!(Command::new("kill").args([&format!("-{name}"), &child.id().to_string()]).status().unwrap().success());
}

/// Every file under its final name is complete: weights load, JSON parses, PNGs decode.
fn assert_complete_files(dir: &Path) -> Vec<String> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with('.') && name.contains(".tmp-") {
            continue; // A temporary file: never under a final name.
        }
        match path.extension().and_then(|e| e.to_str()) {
            Some("mat") if name == "weights.mat" => {
                data::load_weights(&path).unwrap_or_else(|e| panic!("{e}"));
            }
            Some("mat") => {
                // Snapshots and mistakes: every variable reads back.
                let bytes = std::fs::read(&path).unwrap();
                let names: Vec<String> = data::mat::scan(&bytes)
                    .unwrap_or_else(|e| panic!("{}: {e:?}", path.display()))
                    .into_iter()
                    .map(|v| v.name)
                    .collect();
                let names: Vec<&str> = names.iter().map(String::as_str).collect();
                assert!(!names.is_empty(), "{}: no variable", path.display());
                data::mat::read_matrices(&path, &bytes, &names).unwrap_or_else(|e| panic!("{e}"));
            }
            Some("html") => {
                let text = std::fs::read_to_string(&path).unwrap();
                assert!(text.trim_end().ends_with("</html>"), "{}: incomplete", path.display());
            }
            Some("json") => {
                serde_json::from_str::<serde_json::Value>(&std::fs::read_to_string(&path).unwrap())
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            }
            Some("safetensors") => {
                let bytes = std::fs::read(&path).unwrap();
                let file =
                    safetensors::SafeTensors::deserialize(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                assert_eq!(file.len(), 2, "{}: Theta1 and Theta2", path.display());
            }
            Some("png") => {
                image::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            }
            _ => panic!("unexpected file {}", path.display()),
        }
        names.push(name);
    }
    names.sort();
    names
}

/// Sends `name` (INT or TERM) to a long run once it has started: it must stop after the current
/// iteration, exit with 130 and leave the nine outputs, complete, and nothing else.
fn interrupted_run_writes_every_output(name: &str) {
    let out = std::env::temp_dir().join(format!("ex4-sig{}-{}", name.to_lowercase(), std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let child = spawn_training(&out);
    wait_for(&out);
    std::thread::sleep(Duration::from_millis(1000));
    signal(&child, name);
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(130), "{}", String::from_utf8_lossy(&output.stderr));
    let names = assert_complete_files(&out);
    assert_eq!(
        names,
        [
            "confusion.png",
            "cost.png",
            "digits.png",
            "hidden.png",
            "metrics.json",
            "mistakes.mat",
            "report.html",
            "snapshots.mat",
            "weights.mat",
            "weights.safetensors"
        ]
    );
    let metrics = json_file(&out.join("metrics.json"));
    assert_eq!(metrics["stop"]["kind"], "interrupted");
    let iterations = metrics["iterations_run"].as_u64().unwrap();
    assert!(iterations > 0 && iterations < 1_000_000);
    assert_eq!(data::load_weights(&out.join("weights.mat")).unwrap().thetas[0].shape(), (25, 401));
    for picture in ["digits.png", "hidden.png", "cost.png", "confusion.png"] {
        assert_picture(&out.join(picture), 100, 100);
    }
}

#[test]
fn sigint_stops_after_the_current_iteration_and_writes_every_output() {
    interrupted_run_writes_every_output("INT");
}

#[test]
fn sigterm_stops_after_the_current_iteration_and_writes_every_output() {
    interrupted_run_writes_every_output("TERM");
}

#[test]
fn sigkill_at_any_moment_leaves_no_partial_file_under_a_final_name() {
    // Short runs killed at moments spread over training and the writing of the outputs.
    for (trial, delay_ms) in [150u64, 400, 700, 1000, 1300, 1600, 2000, 2500].into_iter().enumerate() {
        let out = std::env::temp_dir().join(format!("ex4-sigkill-{}-{trial}", std::process::id()));
        let _ = std::fs::remove_dir_all(&out);
        let child = Command::new(env!("CARGO_BIN_EXE_trainer"))
            .args(["--synthetic", "--iterations", "40", "--out", out.to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        signal(&child, "KILL");
        let mut child = child;
        let _ = child.wait();
        if out.exists() {
            assert_complete_files(&out);
        }
    }
}
