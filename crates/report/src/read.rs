//! Reading what a run directory holds, each problem named with its file.

use std::path::Path;

use data::Matrix;
use serde::Deserialize;

use crate::ReportError;
use crate::layout;

/// The part of a run's `metrics.json` that the reports show.
#[derive(Clone, Debug, Deserialize)]
pub struct Metrics {
    pub config: Config,
    pub dataset: DataInfo,
    pub held_out: Option<DataInfo>,
    pub stop: StopInfo,
    pub iterations_run: usize,
    pub evaluations: usize,
    /// The training cost at the start and after each iteration (`null` where not finite).
    pub costs: Vec<Option<f64>>,
    pub final_cost: Option<f64>,
    pub training: Option<EvaluationInfo>,
    pub test: Option<EvaluationInfo>,
    pub time: TimeInfo,
    /// When the run started, UTC (`YYYY-MM-DD HH:MM:SS UTC`).
    #[serde(default)]
    pub started: Option<String>,
    #[serde(default)]
    pub checkpoints: Vec<Checkpoint>,
    #[serde(default)]
    pub snapshots: Vec<SnapshotInfo>,
    pub confusion: Option<Confusion>,
    pub mistakes: Option<Mistakes>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Config {
    pub optimizer: String,
    pub engine: String,
    /// `f64` or `f32`: what the engine computed in (absent in files written before it was
    /// recorded).
    #[serde(default)]
    pub precision: Option<String>,
    pub backend: String,
    pub iterations: usize,
    pub alpha: Option<f64>,
    pub lambda: f64,
    pub seed: u64,
    /// `exercise` or `per-layer` (absent in files written before there was a choice:
    /// exercise).
    #[serde(default)]
    pub init: Option<String>,
    pub init_epsilon: f64,
    pub network: NetworkInfo,
}

#[derive(Clone, Debug, Deserialize)]
pub struct NetworkInfo {
    pub input: usize,
    /// The hidden layers' sizes, first first (a single number in files written before
    /// networks had any depth).
    #[serde(deserialize_with = "one_or_many")]
    pub hidden: Vec<usize>,
    pub labels: usize,
    /// `sigmoid`, `tanh` or `relu` (absent: sigmoid).
    #[serde(default)]
    pub activation: Option<String>,
    /// `sigmoid` or `softmax` (absent: sigmoid).
    #[serde(default)]
    pub output: Option<String>,
}

impl NetworkInfo {
    /// `400-100-25-10`.
    pub fn layers(&self) -> String {
        let mut sizes = vec![self.input];
        sizes.extend(&self.hidden);
        sizes.push(self.labels);
        sizes.iter().map(usize::to_string).collect::<Vec<_>>().join("-")
    }

    /// `400-25-10 sigmoid`, or `400-100-10 relu, softmax output`: as `data::Architecture`
    /// prints it.
    pub fn describe(&self) -> String {
        let activation = self.activation.as_deref().unwrap_or("sigmoid");
        match self.output.as_deref() {
            None | Some("sigmoid") => format!("{} {activation}", self.layers()),
            Some(output) => format!("{} {activation}, {output} output", self.layers()),
        }
    }
}

/// A list of sizes, or one size.
pub(crate) fn one_or_many<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Vec<usize>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(usize),
        Many(Vec<usize>),
    }
    Ok(match OneOrMany::deserialize(deserializer)? {
        OneOrMany::One(n) => vec![n],
        OneOrMany::Many(v) => v,
    })
}

#[derive(Clone, Debug, Deserialize)]
pub struct DataInfo {
    pub source: String,
    pub examples: usize,
}

#[derive(Clone, Debug, Deserialize)]
pub struct StopInfo {
    pub kind: String,
    pub reason: Option<String>,
    pub message: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct EvaluationInfo {
    pub examples: usize,
    pub cost: f64,
    pub correct: usize,
    pub accuracy: f64,
    pub per_digit: Vec<DigitInfo>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct DigitInfo {
    pub digit: usize,
    pub correct: usize,
    pub total: usize,
    pub accuracy: f64,
}

#[derive(Clone, Debug, Deserialize)]
pub struct TimeInfo {
    pub train_seconds: f64,
    pub total_seconds: f64,
}

/// The figures at one iteration of a run.
#[derive(Clone, Debug, Deserialize, serde::Serialize)]
pub struct Checkpoint {
    pub iteration: usize,
    /// On the training set, at the run's lambda.
    pub training_cost: f64,
    /// On the held-out set, at the run's lambda.
    pub held_out_cost: Option<f64>,
    pub held_out_accuracy: Option<f64>,
}

/// A moment of training whose `Theta1` is in `snapshots.mat`.
#[derive(Clone, Debug, Deserialize, serde::Serialize)]
pub struct SnapshotInfo {
    /// How far into the run, in words ("before training", "10%", ...).
    pub label: String,
    pub iteration: usize,
    /// The variable in `snapshots.mat`.
    pub variable: String,
}

/// The confusion matrix: `counts[actual][predicted]`, digits in order, on the set named.
#[derive(Clone, Debug, Deserialize, serde::Serialize)]
pub struct Confusion {
    pub set: String,
    pub counts: Vec<Vec<usize>>,
}

/// How many held-out digits the network gets wrong, and how many of them `mistakes.mat` holds
/// (the most confident first).
#[derive(Clone, Debug, Deserialize, serde::Serialize)]
pub struct Mistakes {
    pub total: usize,
    pub kept: usize,
}

/// The bytes of `dir/name`, or what is wrong: missing, or unreadable.
pub(crate) fn bytes(dir: &Path, name: &str) -> Result<Vec<u8>, ReportError> {
    let path = dir.join(name);
    std::fs::read(&path).map_err(|e| {
        let problem = if e.kind() == std::io::ErrorKind::NotFound {
            "missing; the report is built from it".to_string()
        } else {
            format!("cannot read: {e}")
        };
        ReportError::new(&path, problem)
    })
}

/// A JSON file as `T`.
pub(crate) fn json<T: serde::de::DeserializeOwned>(dir: &Path, name: &str) -> Result<T, ReportError> {
    let bytes = bytes(dir, name)?;
    serde_json::from_slice(&bytes).map_err(|e| ReportError::new(&dir.join(name), format!("not as expected: {e}")))
}

/// Real matrices `names` of a MAT file.
pub(crate) fn matrices(dir: &Path, name: &str, names: &[&str]) -> Result<Vec<Matrix>, ReportError> {
    let path = dir.join(name);
    let bytes = bytes(dir, name)?;
    let read = data::mat::read_matrices(&path, &bytes, names).map_err(|e| {
        // The reader's messages already name the file.
        let text = e.to_string();
        let prefix = format!("{}: ", path.display());
        ReportError::new(&path, text.strip_prefix(&prefix).unwrap_or(&text))
    })?;
    Ok(read.into_iter().map(|m| m.matrix).collect())
}

/// A PNG file checked to be one (it is embedded as it is).
pub(crate) fn png(dir: &Path, name: &str) -> Result<Vec<u8>, ReportError> {
    let bytes = bytes(dir, name)?;
    image::load_from_memory_with_format(&bytes, image::ImageFormat::Png)
        .map_err(|e| ReportError::new(&dir.join(name), format!("not a PNG picture: {e}")))?;
    Ok(bytes)
}

/// The run's `metrics.json`.
pub fn metrics(dir: &Path) -> Result<Metrics, ReportError> {
    json(dir, layout::METRICS)
}
