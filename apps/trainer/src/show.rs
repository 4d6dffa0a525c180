//! `trainer show`: the 8x8 grid of random digits of a data file.

use anyhow::Result;

use crate::Status;
use crate::cli::ShowArgs;
use crate::files::{ensure_new_file, training_set};
use crate::outputs::write_digit_grid;

pub fn run(args: &ShowArgs) -> Result<Status> {
    ensure_new_file(&args.out, "--out")?;
    let (data, _) = training_set(args.data.as_deref(), args.synthetic)?;
    write_digit_grid(&args.out, &data, args.seed)?;
    println!("wrote {} (64 random digits of {}, seed {})", args.out.display(), data.source.display(), args.seed);
    Ok(Status::Success)
}
