//! Showing a run as it goes: a progress bar on a terminal, plain periodic lines otherwise;
//! and Ctrl-C (SIGINT) or SIGTERM asking the run to stop after the current iteration.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use train::{Control, Monitor};

static STOP_REQUESTED: AtomicBool = AtomicBool::new(false);

/// Installs the SIGINT/SIGTERM handler: the first signal asks every run to stop after its
/// current iteration (outputs are still written); a second one exits at once with code 130,
/// leaving only complete files (every file is written to a temporary name first).
pub fn install_stop_handler() {
    let installed = ctrlc::set_handler(|| {
        if STOP_REQUESTED.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
        eprintln!("\nstopping after the current iteration (press Ctrl-C again to quit at once)");
    });
    if let Err(e) = installed {
        eprintln!("warning: cannot catch Ctrl-C ({e}); an interrupted run writes nothing");
    }
}

/// Whether a stop was asked for.
pub fn stop_requested() -> bool {
    STOP_REQUESTED.load(Ordering::SeqCst)
}

/// How a run reports its progress.
pub struct Progress {
    bar: Option<ProgressBar>,
    label: String,
    total: usize,
    every: usize,
    start: Instant,
}

impl Progress {
    /// Progress of a run of `total` iterations; `label` prefixes plain lines ("" for none).
    /// A bar is drawn when stderr is a terminal, on `multi` when given.
    pub fn new(total: usize, label: &str, multi: Option<&MultiProgress>) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
            let template = "{prefix}{bar:30.cyan/blue} {pos}/{len} it  cost {msg}  {per_sec}  ETA {eta}";
            bar.set_style(ProgressStyle::with_template(template).expect("valid template").progress_chars("=> "));
            bar.set_prefix(if label.is_empty() { String::new() } else { format!("{label} ") });
            match multi {
                Some(multi) => multi.add(bar),
                None => bar,
            }
        });
        Self { bar, label: label.to_string(), total, every: (total / 10).max(1), start: Instant::now() }
    }

    /// Ends the bar (left on screen).
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish();
        }
    }
}

impl Monitor for Progress {
    fn iteration(&mut self, iteration: usize, cost: f64) -> Control {
        match &self.bar {
            Some(bar) => {
                bar.set_position(iteration as u64);
                bar.set_message(format!("{cost:.6}"));
            }
            None if iteration.is_multiple_of(self.every) || iteration == self.total => {
                let elapsed = self.start.elapsed().as_secs_f64();
                let rate = if elapsed > 0.0 { iteration as f64 / elapsed } else { 0.0 };
                let eta = if rate > 0.0 { (self.total - iteration.min(self.total)) as f64 / rate } else { 0.0 };
                let prefix = if self.label.is_empty() { String::new() } else { format!("{}: ", self.label) };
                eprintln!(
                    "{prefix}iteration {iteration}/{}  cost {cost:.6}  {rate:.1} it/s  ETA {eta:.0} s",
                    self.total
                );
            }
            None => {}
        }
        if stop_requested() { Control::Stop } else { Control::Continue }
    }
}
