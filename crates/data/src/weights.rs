//! A network's weights: `Theta1` ... `ThetaL` (`Theta_l` is `s_{l+1} x (s_l + 1)`, bias in
//! column 0; the exercise has two, `Theta1` 25x401 and `Theta2` 10x26), and the activation and
//! output they were trained with.

use std::path::{Path, PathBuf};

use crate::mat::{MatArray, MatClass, MatData, read_matrices, read_text, scan};
use crate::network::theta_name;
use crate::{Activation, Architecture, DataError, Dataset, LayerSizes, Matrix, Output, Problem};

/// The name of the char variable a weights file keeps the hidden layers' activation in, when
/// it is not the exercise's sigmoid.
pub const ACTIVATION_VARIABLE: &str = "activation";
/// The name of the char variable a weights file keeps the output layer in, when it is not the
/// exercise's sigmoid.
pub const OUTPUT_VARIABLE: &str = "output";

/// Weight matrices that fit each other, with the network's activation and output.
#[derive(Clone, Debug, PartialEq)]
pub struct Weights {
    /// `Theta1` ... `ThetaL`: `Theta_l` is `s_{l+1} x (s_l + 1)`, column 0 is the bias; row
    /// `k` of the last scores label `k + 1`.
    pub thetas: Vec<Matrix>,
    /// The hidden layers' activation.
    pub activation: Activation,
    /// The output layer.
    pub output: Output,
    /// Where they came from, if from a file.
    pub source: Option<PathBuf>,
}

/// Why weight matrices do not form a network: the first variable that does not fit, and how.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Misfit {
    /// `Theta1`, `Theta2`, ...
    pub variable: String,
    /// What is wrong with it, without its name.
    pub message: String,
}

impl std::fmt::Display for Misfit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "`{}` {}", self.variable, self.message)
    }
}

impl Weights {
    /// Sigmoid weights from `Theta1` ... `ThetaL`, checked to fit each other: at least two
    /// matrices, `Theta1` with a bias column and one per input, and each `Theta_{l+1}` with
    /// one column more than `Theta_l` has rows. The error names the first that does not fit.
    pub fn new(thetas: Vec<Matrix>) -> Result<Self, Misfit> {
        let misfit = |l: usize, message: String| Misfit { variable: theta_name(l), message };
        if thetas.len() < 2 {
            return Err(misfit(
                thetas.len() + 1,
                "is missing: a network with a hidden layer has at least `Theta1` and `Theta2`".into(),
            ));
        }
        if thetas[0].cols() < 2 {
            return Err(misfit(
                1,
                format!("has {} columns; expected a bias column and one per input", thetas[0].cols()),
            ));
        }
        for l in 1..thetas.len() {
            let (before, theta) = (&thetas[l - 1], &thetas[l]);
            if theta.cols() != before.rows() + 1 {
                return Err(misfit(
                    l + 1,
                    format!(
                        "has {} columns but `{}` has {} rows; expected {} (rows of {} + 1)",
                        theta.cols(),
                        theta_name(l),
                        before.rows(),
                        before.rows() + 1,
                        theta_name(l)
                    ),
                ));
            }
        }
        Ok(Self { thetas, activation: Activation::Sigmoid, output: Output::Sigmoid, source: None })
    }

    /// The same weights, for a network with `activation` and `output`.
    pub fn with_kind(mut self, activation: Activation, output: Output) -> Self {
        self.activation = activation;
        self.output = output;
        self
    }

    /// Layer sizes, taken from the matrices.
    pub fn layer_sizes(&self) -> LayerSizes {
        let mut layers = vec![self.thetas[0].cols() - 1];
        layers.extend(self.thetas.iter().map(Matrix::rows));
        LayerSizes::from_layers(layers).expect("checked by Weights::new")
    }

    /// The network these weights are for.
    pub fn architecture(&self) -> Architecture {
        Architecture::new(self.layer_sizes(), self.activation, self.output)
    }

    /// `Theta1`.
    pub fn first(&self) -> &Matrix {
        &self.thetas[0]
    }

    /// The arrays of a MAT file holding these weights: `Theta1` ... `ThetaL`, then the
    /// activation and the output as char variables when they are not the exercise's sigmoid
    /// (so that the exercise's network is saved exactly as `ex4weights.mat` holds it).
    pub fn mat_arrays(&self) -> Vec<MatArray> {
        let mut arrays: Vec<MatArray> =
            self.thetas.iter().enumerate().map(|(l, theta)| MatArray::matrix(&theta_name(l + 1), theta)).collect();
        let text = |name: &str, value: &str| {
            let chars: Vec<u16> = value.encode_utf16().collect();
            MatArray::new(name, &[1, chars.len()], MatData::Char(chars))
        };
        if self.activation != Activation::Sigmoid {
            arrays.push(text(ACTIVATION_VARIABLE, self.activation.name()));
        }
        if self.output != Output::Sigmoid {
            arrays.push(text(OUTPUT_VARIABLE, self.output.name()));
        }
        arrays
    }
}

/// Entries larger than this in magnitude are not weights any training produces. With inputs in
/// about [-0.13, 1.13], a weight of 10 already drives a sigmoid to 0.99995; the exercise's
/// `ex4weights.mat` stays below 10, and a run without regularization below a few hundred. A
/// flipped exponent bit, by contrast, turns 1.5 into 1e9 or 1e182, whose square overflows.
pub const ABSURD_MAGNITUDE: f64 = 1e6;

/// The entry of largest magnitude of a network's weights, in the exercise's terms.
#[derive(Clone, Debug, PartialEq)]
pub struct LargestEntry {
    /// `Theta1`, `Theta2`, ...
    pub variable: String,
    /// Row, counted from 1 as in Octave.
    pub row: usize,
    /// Column, counted from 1 as in Octave (column 1 is the bias).
    pub col: usize,
    /// The entry.
    pub value: f64,
}

impl LargestEntry {
    /// True when no training could have produced it ([`ABSURD_MAGNITUDE`]).
    pub fn is_absurd(&self) -> bool {
        self.value.abs() > ABSURD_MAGNITUDE
    }

    /// True when its square overflows `f64` and it is regularized (not in the bias column), so
    /// the regularization term `Σ Θ²` is infinite.
    pub fn square_overflows(&self) -> bool {
        self.col > 1 && !(self.value * self.value).is_finite()
    }
}

impl std::fmt::Display for LargestEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}({}, {}) = {:e}", self.variable, self.row, self.col, self.value)
    }
}

impl Weights {
    /// The entry of largest magnitude over `Theta1`, `Theta2`, ... in turn (the first one on a
    /// tie).
    pub fn largest_entry(&self) -> LargestEntry {
        let mut best = (0, 1, 1, 0.0f64);
        for (l, theta) in self.thetas.iter().enumerate() {
            for r in 0..theta.rows() {
                for (c, &value) in theta.row(r).iter().enumerate() {
                    if value.abs() > best.3.abs() {
                        best = (l, r + 1, c + 1, value);
                    }
                }
            }
        }
        LargestEntry { variable: theta_name(best.0 + 1), row: best.1, col: best.2, value: best.3 }
    }

    /// A one-line warning naming the file, the variable, the position and the value of the
    /// largest entry when it is [absurd](LargestEntry::is_absurd); `None` otherwise.
    pub fn damage_warning(&self) -> Option<String> {
        let largest = self.largest_entry();
        if !largest.is_absurd() {
            return None;
        }
        let file = self.source.as_deref().map_or_else(|| "(weights)".into(), |p| p.display().to_string());
        let consequence = if largest.square_overflows() {
            "; its square overflows, so every regularized cost is infinite"
        } else {
            ""
        };
        Some(format!(
            "{file}: variable `{}`: largest entry {largest} is far beyond any trained weight (|value| > {ABSURD_MAGNITUDE:e}){consequence}; the file may be damaged",
            largest.variable
        ))
    }
}

/// Reads `Theta1` ... `ThetaL` from a MAT v5 file (every `Theta<l>` it holds, counted from 1
/// with no gap), and the activation and output when the file names them (sigmoid otherwise),
/// and checks that the matrices fit each other; the error names the first that does not.
pub fn load_weights(path: &Path) -> Result<Weights, DataError> {
    let bytes = std::fs::read(path).map_err(|e| DataError::file(path, Problem::Io(e.to_string())))?;
    load_weights_from_bytes(path, &bytes)
}

/// [`load_weights`] on a file's content already in memory; `path` names it in messages.
pub fn load_weights_from_bytes(path: &Path, bytes: &[u8]) -> Result<Weights, DataError> {
    let vars = scan(bytes).map_err(|p| DataError::file(path, p))?;
    let has = |name: &str| vars.iter().any(|v| v.name == name);
    // Theta1 and Theta2 are always asked for, so that a file without them gets the reader's
    // message (missing, listing what the file holds); then Theta3, ... as long as they come.
    let mut names: Vec<String> = vec![theta_name(1), theta_name(2)];
    while has(&theta_name(names.len() + 1)) {
        names.push(theta_name(names.len() + 1));
    }
    let stray =
        vars.iter().filter_map(|v| theta_index(&v.name).filter(|&l| l > names.len()).map(|l| (l, &v.name))).min();
    if let Some((_, name)) = stray {
        let gap = theta_name(names.len() + 1);
        return Err(DataError::variable(
            path,
            name,
            Problem::Shape(format!(
                "is there but `{gap}` is not; the layers' weights must be Theta1, Theta2, ... with no gap"
            )),
        ));
    }
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let thetas = read_matrices(path, bytes, &refs)?.into_iter().map(|v| v.matrix).collect();
    let mut weights = Weights::new(thetas)
        .map_err(|misfit| DataError::variable(path, &misfit.variable, Problem::Shape(misfit.message)))?;
    let kind = |name: &str| -> Result<Option<String>, DataError> {
        match vars.iter().find(|v| v.name == name) {
            None => Ok(None),
            Some(v) if v.class != MatClass::Char => Err(DataError::variable(
                path,
                name,
                Problem::Shape(format!("is {} {}; expected text such as 'sigmoid'", v.dims_text(), v.class)),
            )),
            Some(_) => read_text(path, bytes, name).map(Some),
        }
    };
    let parse_err = |name: &str, e: String| DataError::variable(path, name, Problem::Shape(e));
    if let Some(text) = kind(ACTIVATION_VARIABLE)? {
        weights.activation = text.parse().map_err(|e| parse_err(ACTIVATION_VARIABLE, e))?;
    }
    if let Some(text) = kind(OUTPUT_VARIABLE)? {
        weights.output = text.parse().map_err(|e| parse_err(OUTPUT_VARIABLE, e))?;
    }
    weights.source = Some(path.to_path_buf());
    Ok(weights)
}

/// `l` of a variable named `Theta<l>` (`l >= 1`, no leading zero).
fn theta_index(name: &str) -> Option<usize> {
    let digits = name.strip_prefix("Theta")?;
    if digits.starts_with('0') {
        return None;
    }
    digits.parse().ok().filter(|&l| l >= 1)
}

/// Checks that a digit set fits a network: columns of `X` + 1 = columns of `Theta1`, and every
/// label has its row in the last Theta. The error names the weights file and its variable.
pub fn check_fit(data: &Dataset, weights: &Weights) -> Result<(), DataError> {
    let file = weights.source.clone().unwrap_or_else(|| PathBuf::from("(weights)"));
    let sizes = weights.layer_sizes();
    if data.num_features() != sizes.input() {
        return Err(DataError::variable(
            &file,
            "Theta1",
            Problem::Shape(format!(
                "has {} columns but `X` in {} has {} columns; expected {} (columns of X + 1)",
                weights.first().cols(),
                data.source.display(),
                data.num_features(),
                data.num_features() + 1
            )),
        ));
    }
    if data.max_label() > sizes.labels() {
        return Err(DataError::variable(
            &file,
            &theta_name(weights.thetas.len()),
            Problem::Shape(format!(
                "has {} rows but `y` in {} uses label {}; expected one row per label",
                sizes.labels(),
                data.source.display(),
                data.max_label()
            )),
        ));
    }
    Ok(())
}

/// Loads the weights, then a digit set whose labels must fit them (`1..=` rows of `ThetaL`),
/// and checks that the two fit ([`check_fit`]).
pub fn load_pair(data: &Path, weights: &Path) -> Result<(Dataset, Weights), DataError> {
    let weights = load_weights(weights)?;
    let dataset = crate::load_dataset(data, weights.layer_sizes().labels())?;
    check_fit(&dataset, &weights)?;
    Ok((dataset, weights))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(theta1: Vec<f64>, theta2: Vec<f64>) -> Weights {
        let mut weights =
            Weights::new(vec![Matrix::from_row_major(2, 3, theta1), Matrix::from_row_major(2, 3, theta2)]).unwrap();
        weights.source = Some(PathBuf::from("w.mat"));
        weights
    }

    #[test]
    fn the_largest_entry_is_named_in_octave_positions() {
        let weights = pair(vec![0.1, -0.2, 0.3, 0.4, -5.0, 0.6], vec![1.0, 2.0, -4.0, 0.0, 0.0, 0.0]);
        let largest = weights.largest_entry();
        assert_eq!(largest, LargestEntry { variable: "Theta1".into(), row: 2, col: 2, value: -5.0 });
        assert!(!largest.is_absurd());
        assert_eq!(weights.damage_warning(), None);
    }

    #[test]
    fn a_flipped_exponent_bit_is_named_with_file_variable_position_and_value() {
        // What a flipped exponent bit makes of a weight of order 1.
        let value = 2.8e182;
        let weights = pair(vec![0.1; 6], vec![0.0, 0.0, 0.0, 0.0, 0.0, value]);
        assert!(weights.largest_entry().square_overflows());
        let warning = weights.damage_warning().expect("absurd");
        assert_eq!(
            warning,
            "w.mat: variable `Theta2`: largest entry Theta2(2, 3) = 2.8e182 is far beyond any trained weight \
             (|value| > 1e6); its square overflows, so every regularized cost is infinite; the file may be damaged"
        );
        assert!(!warning.contains('\n'));
        // Absurd but finite when squared: still named, without the overflow clause.
        let weights = pair(vec![0.1, 0.1, 0.1, 0.1, 0.1, -3.0e9], vec![0.0; 6]);
        let warning = weights.damage_warning().expect("absurd");
        assert!(warning.contains("Theta1(2, 3) = -3e9") && !warning.contains("overflows"), "{warning}");
        // A bias is not regularized: its square never reaches the cost.
        let weights = pair(vec![0.1; 6], vec![0.0, 0.0, 0.0, value, 0.0, 0.0]);
        let warning = weights.damage_warning().expect("absurd");
        assert!(warning.contains("Theta2(2, 1) = 2.8e182") && !warning.contains("overflows"), "{warning}");
    }
}

#[cfg(test)]
mod files {
    use super::*;
    use crate::mat::mat_bytes;

    fn theta(rows: usize, cols: usize) -> Matrix {
        Matrix::from_fn(rows, cols, |r, c| (r * cols + c) as f64 / 10.0 - 0.5)
    }

    fn load(arrays: &[MatArray]) -> Result<Weights, String> {
        load_weights_from_bytes(Path::new("w.mat"), &mat_bytes(arrays, true)).map_err(|e| e.to_string())
    }

    #[test]
    fn any_number_of_thetas_is_read_with_the_activation_and_output() {
        let weights = Weights::new(vec![theta(5, 4), theta(4, 6), theta(3, 5), theta(2, 4)])
            .unwrap()
            .with_kind(Activation::Relu, Output::Softmax);
        assert_eq!(weights.layer_sizes().to_string(), "3-5-4-3-2");
        let arrays = weights.mat_arrays();
        let names: Vec<&str> = arrays.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["Theta1", "Theta2", "Theta3", "Theta4", "activation", "output"]);
        let read = load(&arrays).unwrap();
        assert_eq!((read.thetas, read.activation, read.output), (weights.thetas, Activation::Relu, Output::Softmax));
    }

    #[test]
    fn the_exercise_kind_is_saved_as_the_exercise_saves_it() {
        let weights = Weights::new(vec![theta(3, 5), theta(2, 4)]).unwrap();
        let names: Vec<String> = weights.mat_arrays().into_iter().map(|a| a.name).collect();
        assert_eq!(names, ["Theta1", "Theta2"]);
        assert_eq!(load(&weights.mat_arrays()).unwrap().architecture().to_string(), "4-3-2 sigmoid");
    }

    #[test]
    fn the_first_theta_that_does_not_fit_is_named() {
        let arrays = [
            MatArray::matrix("Theta1", &theta(3, 5)),
            MatArray::matrix("Theta2", &theta(2, 4)),
            MatArray::matrix("Theta3", &theta(2, 4)),
        ];
        assert_eq!(
            load(&arrays).unwrap_err(),
            "w.mat: variable `Theta3`: has 4 columns but `Theta2` has 2 rows; expected 3 (rows of Theta2 + 1)"
        );
        let gap = [
            MatArray::matrix("Theta1", &theta(3, 5)),
            MatArray::matrix("Theta2", &theta(2, 4)),
            MatArray::matrix("Theta4", &theta(2, 3)),
        ];
        assert_eq!(
            load(&gap).unwrap_err(),
            "w.mat: variable `Theta4`: is there but `Theta3` is not; the layers' weights must be Theta1, Theta2, ... \
             with no gap"
        );
        let unknown = [
            MatArray::matrix("Theta1", &theta(3, 5)),
            MatArray::matrix("Theta2", &theta(2, 4)),
            MatArray::new("activation", &[1, 5], MatData::Char("swish".encode_utf16().collect())),
        ];
        assert_eq!(
            load(&unknown).unwrap_err(),
            "w.mat: variable `activation`: unknown activation 'swish' (choose one of: sigmoid, tanh, relu)"
        );
        let numeric = [
            MatArray::matrix("Theta1", &theta(3, 5)),
            MatArray::matrix("Theta2", &theta(2, 4)),
            MatArray::matrix("output", &theta(1, 1)),
        ];
        assert!(load(&numeric).unwrap_err().contains("variable `output`: is 1x1 double; expected text"));
    }
}
