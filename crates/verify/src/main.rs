//! `verify` (`just verify`): every gradient check on the exercise's data and reference
//! weights, one line each, non-zero exit on any failure.

use std::process::ExitCode;

use data::{DataFile, locate};

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<bool, String> {
    let weights_path = locate(DataFile::Weights, None).map_err(|e| e.to_string())?;
    let data_path = locate(DataFile::Training, None).map_err(|e| e.to_string())?;
    let (data, weights) = data::load_pair(&data_path, &weights_path).map_err(|e| e.to_string())?;
    println!("Gradient checks on {} with {}\n", data_path.display(), weights_path.display());
    let start = std::time::Instant::now();
    let report =
        verify::report::run(&data, &weights, &verify::report::Options::default()).map_err(|e| e.to_string())?;
    println!("{report}");
    println!("({:.1} s)", start.elapsed().as_secs_f64());
    Ok(report.passed())
}
