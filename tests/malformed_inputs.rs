//! Every malformed input gets a one-line error naming the file, the variable and the problem.
//! Fixtures are written here by our own MAT writer, never copied from the exercise files.

mod common;

use std::path::{Path, PathBuf};

use data::mat::write::{compressed_element, element, mat_bytes, matrix_element};
use data::mat::{MatArray, MatData};
use data::{Matrix, Problem};

/// `rows x cols` values `0.01 * (i + 1)`, column-major.
fn values(rows: usize, cols: usize) -> Vec<f64> {
    (0..rows * cols).map(|i| 0.01 * (i + 1) as f64).collect()
}

fn x(rows: usize, cols: usize) -> MatArray {
    MatArray::new("X", &[rows, cols], MatData::Double(values(rows, cols)))
}

fn y(labels: &[f64]) -> MatArray {
    MatArray::new("y", &[labels.len(), 1], MatData::Double(labels.to_vec()))
}

fn thetas(hidden: usize, input: usize, labels: usize) -> Vec<MatArray> {
    vec![
        MatArray::new("Theta1", &[hidden, input + 1], MatData::Double(values(hidden, input + 1))),
        MatArray::new("Theta2", &[labels, hidden + 1], MatData::Double(values(labels, hidden + 1))),
    ]
}

/// Writes `bytes` to a fresh file named `name` and returns its path.
fn fixture(name: &str, bytes: &[u8]) -> PathBuf {
    let path = common::scratch_dir(name).join(format!("{name}.mat"));
    std::fs::write(&path, bytes).unwrap();
    path
}

fn dataset_error(name: &str, bytes: &[u8]) -> (PathBuf, data::DataError) {
    let path = fixture(name, bytes);
    let err = data::load_dataset(&path, 10).expect_err("the fixture is malformed");
    (path, err)
}

/// Checks the message is one line naming the file, the variable (if any) and `problem_text`.
fn assert_message(path: &Path, err: &data::DataError, variable: Option<&str>, problem_text: &str) {
    let message = err.to_string();
    assert!(!message.contains('\n'), "not one line: {message}");
    assert!(message.starts_with(&path.display().to_string()), "does not name the file: {message}");
    if let Some(variable) = variable {
        assert!(message.contains(&format!("variable `{variable}`")), "does not name `{variable}`: {message}");
        let times = message.matches(&format!("variable `{variable}`")).count();
        assert_eq!(times, 1, "names `{variable}` {times} times: {message}");
    }
    assert!(message.contains(problem_text), "does not say `{problem_text}`: {message}");
}

const LABELS: [f64; 3] = [1.0, 10.0, 5.0];

#[test]
fn a_well_formed_set_loads_compressed_or_not_with_any_label_class() {
    let label_classes = [
        MatData::Double(LABELS.to_vec()),
        MatData::Single(LABELS.iter().map(|&v| v as f32).collect()),
        MatData::UInt8(LABELS.iter().map(|&v| v as u8).collect()),
        MatData::Int16(LABELS.iter().map(|&v| v as i16).collect()),
        MatData::Int32(LABELS.iter().map(|&v| v as i32).collect()),
        MatData::Int64(LABELS.iter().map(|&v| v as i64).collect()),
        MatData::UInt64(LABELS.iter().map(|&v| v as u64).collect()),
    ];
    for (i, labels) in label_classes.into_iter().enumerate() {
        for compress in [false, true] {
            for dims in [[3, 1], [1, 3]] {
                let path = fixture(
                    &format!("good-{i}-{compress}"),
                    &mat_bytes(&[x(3, 4), MatArray::new("y", &dims, labels.clone())], compress),
                );
                let set = data::load_dataset(&path, 10).unwrap_or_else(|e| panic!("{e}"));
                assert_eq!(set.labels, vec![1, 10, 5]);
                assert_eq!(set.x, Matrix::from_column_major(3, 4, &values(3, 4)));
            }
        }
    }
}

#[test]
fn missing_variable() {
    let (path, err) = dataset_error("missing", &mat_bytes(&[y(&LABELS)], false));
    assert!(matches!(err.problem, Problem::Missing(_)));
    assert_message(&path, &err, Some("X"), "missing; the file holds `y` (3x1 double)");
}

#[test]
fn not_two_dimensional() {
    let cube = MatArray::new("X", &[3, 2, 2], MatData::Double(values(3, 4)));
    let (path, err) = dataset_error("cube", &mat_bytes(&[cube, y(&LABELS)], true));
    assert_message(&path, &err, Some("X"), "is 3-dimensional (3x2x2); expected a 2-D matrix");
}

#[test]
fn empty_matrix() {
    let empty = MatArray::new("X", &[0, 400], MatData::Double(vec![]));
    let (path, err) = dataset_error("empty", &mat_bytes(&[empty, y(&LABELS)], false));
    assert_message(&path, &err, Some("X"), "is empty (0x400)");
}

#[test]
fn wrong_classes() {
    let chars = MatArray::new("X", &[1, 5], MatData::Char("hello".encode_utf16().collect()));
    let logical = MatArray::new("X", &[3, 1], MatData::Logical(vec![true, false, true]));
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("char", mat_bytes(&[chars, y(&LABELS)], false), "is a char array"),
        ("logical", mat_bytes(&[logical, y(&LABELS)], true), "is a logical array"),
        ("cell", raw_file(matrix_element(1, &[0, 0], "X", &[])), "is a cell array"),
        ("struct", raw_file(matrix_element(2, &[1, 1], "X", &element(1, b"\0\0\0\0"))), "is a struct array"),
        ("sparse", raw_file(matrix_element(5, &[3, 3], "X", &[])), "is a sparse array"),
    ];
    for (name, bytes, text) in cases {
        let (path, err) = dataset_error(name, &bytes);
        assert!(matches!(err.problem, Problem::NotNumeric(_)), "{name}: {err}");
        assert_message(&path, &err, Some("X"), text);
        assert_message(&path, &err, Some("X"), "expected a real numeric matrix");
    }
}

/// A file holding one raw matrix element followed by a valid `y`.
fn raw_file(element: Vec<u8>) -> Vec<u8> {
    let mut bytes = mat_bytes(&[], false);
    bytes.extend(element);
    bytes.extend(y(&LABELS).element());
    bytes
}

#[test]
fn complex_values() {
    let complex = x(3, 2).with_imag(MatData::Double(values(3, 2)));
    let (path, err) = dataset_error("complex", &mat_bytes(&[complex, y(&LABELS)], false));
    assert_eq!(err.problem, Problem::Complex);
    assert_message(&path, &err, Some("X"), "is complex");
}

#[test]
fn non_finite_values() {
    for (name, bad, text) in [("nan", f64::NAN, "is NaN"), ("inf", f64::INFINITY, "is inf")] {
        let mut v = values(3, 4);
        v[3 + 1] = bad; // Column-major: row 2, column 2 (1-based).
        let (path, err) =
            dataset_error(name, &mat_bytes(&[MatArray::new("X", &[3, 4], MatData::Double(v)), y(&LABELS)], false));
        assert_message(&path, &err, Some("X"), &format!("element (2, 2) {text}; every value must be finite"));
    }
}

#[test]
fn labels_outside_one_to_k() {
    for (name, bad) in [("eleven", 11.0), ("zero", 0.0), ("half", 2.5), ("negative", -1.0)] {
        let (path, err) = dataset_error(name, &mat_bytes(&[x(3, 4), y(&[1.0, bad, 3.0])], false));
        assert!(matches!(err.problem, Problem::BadLabel { index: 2, .. }), "{err}");
        assert_message(&path, &err, Some("y"), &format!("element 2 is {bad}; labels must be integers in 1..=10"));
    }
}

#[test]
fn labels_not_a_vector_or_not_one_per_example() {
    let matrix = MatArray::new("y", &[3, 2], MatData::Double(vec![1.0; 6]));
    let (path, err) = dataset_error("y-matrix", &mat_bytes(&[x(3, 4), matrix], false));
    assert_message(&path, &err, Some("y"), "is 3x2; expected a vector (m x 1 or 1 x m)");
    let (path, err) = dataset_error("y-short", &mat_bytes(&[x(3, 4), y(&[1.0, 2.0])], false));
    assert_message(&path, &err, Some("y"), "has 2 labels but `X` has 3 rows");
}

#[test]
fn weights_that_do_not_fit_each_other() {
    let mut arrays = thetas(5, 4, 3);
    arrays[1] = MatArray::new("Theta2", &[3, 7], MatData::Double(values(3, 7)));
    let path = fixture("theta-mismatch", &mat_bytes(&arrays, false));
    let err = data::load_weights(&path).unwrap_err();
    assert_message(&path, &err, Some("Theta2"), "has 7 columns but `Theta1` has 5 rows; expected 6");
    let path = fixture("theta-missing", &mat_bytes(&arrays[..1], false));
    let err = data::load_weights(&path).unwrap_err();
    assert_message(&path, &err, Some("Theta2"), "missing; the file holds `Theta1` (5x5 double)");
}

#[test]
fn data_that_does_not_fit_the_weights() {
    let weights_path = fixture("fit-weights", &mat_bytes(&thetas(5, 4, 3), true));
    let weights = data::load_weights(&weights_path).unwrap();
    assert_eq!(weights.layer_sizes(), data::LayerSizes::new(4, 5, 3));
    // Columns of X + 1 must be the columns of Theta1.
    let wide =
        data::load_dataset(&fixture("fit-wide", &mat_bytes(&[x(3, 6), y(&[1.0, 2.0, 3.0])], false)), 10).unwrap();
    let err = data::check_fit(&wide, &weights).unwrap_err();
    assert_message(&weights_path, &err, Some("Theta1"), "has 5 columns but `X` in");
    assert_message(&weights_path, &err, Some("Theta1"), "has 6 columns; expected 7 (columns of X + 1)");
    // Every label needs its row of Theta2.
    let many = data::load_dataset(&fixture("fit-labels", &mat_bytes(&[x(3, 4), y(&LABELS)], false)), 10).unwrap();
    let err = data::check_fit(&many, &weights).unwrap_err();
    assert_message(&weights_path, &err, Some("Theta2"), "has 3 rows but `y` in");
    assert_message(&weights_path, &err, Some("Theta2"), "uses label 10; expected one row per label");
}

#[test]
fn hdf5_files_are_recognised() {
    let mut v73 =
        b"MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: Mon Jan  1 00:00:00 2024 HDF5 schema 1.00 .".to_vec();
    v73.resize(124, b' ');
    v73.extend(0x0200u16.to_le_bytes());
    v73.extend(b"IM");
    v73.resize(512, 0);
    v73.extend(b"\x89HDF\r\n\x1a\n");
    v73.resize(2048, 0);
    let (path, err) = dataset_error("v73", &v73);
    assert_eq!(err.problem, Problem::Hdf5);
    assert_message(&path, &err, None, "MATLAB v7.3 (HDF5) file");
    assert_message(&path, &err, None, "save -v7");
}

#[test]
fn not_a_mat_file_truncated_or_unreadable() {
    let (path, err) = dataset_error("text", b"this is a plain text file, not a MAT file at all, and it is long enough to have a header of 128 bytes, so there........................");
    assert!(matches!(err.problem, Problem::NotMat(_)), "{err}");
    assert_message(&path, &err, None, "not a MAT v5 file");
    let good = mat_bytes(&[x(30, 40), y(&[1.0; 30])], false);
    let (path, err) = dataset_error("truncated", &good[..good.len() / 2]);
    assert!(matches!(err.problem, Problem::Malformed(_)), "{err}");
    assert_message(&path, &err, None, "malformed MAT file: element at byte 128 claims");
    let missing = common::scratch_dir("nofile").join("absent.mat");
    let err = data::load_dataset(&missing, 10).unwrap_err();
    assert_message(&missing, &err, None, "cannot read the file");
}

#[test]
fn truncated_data_names_the_variable_once() {
    // A 2x2 double `X` whose data tag claims its 32 bytes but holds only 16: the scan accepts
    // the structure, the decoder runs out of data.
    let mut data = element(9, &[0u8; 16]);
    data[4..8].copy_from_slice(&32u32.to_le_bytes());
    let raw = matrix_element(6, &[2, 2], "X", &data);
    for compress in [false, true] {
        let mut bytes = mat_bytes(&[], false);
        bytes.extend(if compress { compressed_element(&raw) } else { raw.clone() });
        bytes.extend(y(&[1.0, 2.0]).element());
        let (path, err) = dataset_error(&format!("short-data-{compress}"), &bytes);
        assert!(matches!(err.problem, Problem::Malformed(_)), "{err}");
        assert_message(
            &path,
            &err,
            Some("X"),
            "variable `X`: malformed MAT file: its data is shorter than its dimensions say (truncated file?)",
        );
    }
}

#[test]
fn missing_files_list_every_place_looked() {
    let err = data::locate(data::DataFile::Training, Some(Path::new("no-such-file.mat"))).unwrap_err();
    let message = err.to_string();
    assert!(!message.contains('\n'));
    assert!(message.starts_with("no-such-file.mat not found; looked in: no-such-file.mat, "), "{message}");
    for dir in data::search_dirs() {
        assert!(message.contains(&dir.join("no-such-file.mat").display().to_string()), "{message}");
    }
    assert!(message.contains(data::DATA_DIR_ENV));
}

#[test]
fn control_characters_in_a_variable_name_do_not_break_the_message() {
    let mut bytes = mat_bytes(&[x(3, 4)], false);
    // The name `X` sits in the name sub-element of the first array; put a newline before it by
    // renaming a second array `a\nb`.
    bytes.extend(MatArray::new("a\nb", &[1, 1], MatData::Double(vec![1.0])).element());
    let (path, err) = dataset_error("control-name", &bytes);
    let message = err.to_string();
    assert!(!message.contains('\n'), "{message}");
    assert!(message.contains("a\\nb"), "{message}");
    assert!(message.starts_with(&path.display().to_string()));
}
