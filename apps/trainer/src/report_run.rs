//! `trainer report DIR`: rebuild a run's or sweep's report from the files in its directory.

use anyhow::Result;

use crate::Status;
use crate::cli::ReportArgs;

pub fn run(args: &ReportArgs) -> Result<Status> {
    let path = report::rebuild(&args.dir)?;
    println!("wrote {}", path.display());
    if let Some(runs) = report::runs_dir_of(&args.dir) {
        println!("wrote {}", runs.join(report::layout::INDEX).display());
    }
    Ok(Status::Success)
}
