//! A mutation fuzzer for the path from bytes to validated data and weights
//! (`data::load_dataset_from_bytes`, `data::load_weights_from_bytes`).
//!
//! `cargo fuzz` needs a nightly toolchain, which this project's machines do not have, so this
//! is a self-contained harness in the spirit of libFuzzer's mutators: a seed corpus made by our
//! own MAT writer (data and weight files, compressed or not, every numeric class, plus char,
//! logical, complex, empty and 3-D arrays), mutated by bit flips, interesting bytes and words,
//! truncation, insertion, chunk copies, a rewritten class byte, huge dimensions, and
//! re-compression of a mutated element. Every input must give `Ok` or an `Err` whose message
//! is one line naming the file; never a panic; and while it is loaded, the heap may grow by at
//! most [`ALLOCATION_FACTOR`] times the input's size plus [`ALLOCATION_SLACK`] (a counting
//! global allocator measures it).
//!
//! In `just test` it runs a fixed number of inputs ([`DEFAULT_CASES`], deterministic). For a
//! long run: `just fuzz 600` (seconds; `EX4_FUZZ_SECONDS`), seeded by `EX4_FUZZ_SEED`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use data::SplitMix64;
use data::mat::write::compressed_element;
use data::mat::{MatArray, MatData, mat_bytes};

/// Inputs tried in an ordinary test run.
const DEFAULT_CASES: u64 = 20_000;
/// The heap may grow by this many times the input's size while it is loaded...
const ALLOCATION_FACTOR: usize = 32;
/// ...plus this much.
const ALLOCATION_SLACK: usize = 1 << 20;

/// Counts live heap bytes and their peak.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            if new_size > layout.size() {
                let live = LIVE.fetch_add(new_size - layout.size(), Ordering::Relaxed) + new_size - layout.size();
                PEAK.fetch_max(live, Ordering::Relaxed);
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The data crate's SplitMix64 (small, seedable, the same everywhere), with a bounded draw.
struct Rng(SplitMix64);

impl Rng {
    fn new(seed: u64) -> Self {
        Self(SplitMix64(seed))
    }

    fn next(&mut self) -> u64 {
        self.0.next_u64()
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn matrix(name: &str, rows: usize, cols: usize) -> MatArray {
    let values: Vec<f64> = (0..rows * cols).map(|i| (i % 7) as f64 / 7.0 - 0.2).collect();
    MatArray::new(name, &[rows, cols], MatData::Double(values))
}

fn labels(m: usize) -> Vec<f64> {
    (0..m).map(|i| (i % 10 + 1) as f64).collect()
}

/// The seed corpus: valid files of every kind the loaders accept, and files that each break one
/// rule. All made here, by our own writer.
fn corpus() -> Vec<Vec<u8>> {
    let m = 12;
    let y = labels(m);
    let y_arrays = vec![
        MatArray::new("y", &[m, 1], MatData::Double(y.clone())),
        MatArray::new("y", &[1, m], MatData::Single(y.iter().map(|&v| v as f32).collect())),
        MatArray::new("y", &[m, 1], MatData::UInt8(y.iter().map(|&v| v as u8).collect())),
        MatArray::new("y", &[m, 1], MatData::Int8(y.iter().map(|&v| v as i8).collect())),
        MatArray::new("y", &[m, 1], MatData::Int16(y.iter().map(|&v| v as i16).collect())),
        MatArray::new("y", &[m, 1], MatData::Int32(y.iter().map(|&v| v as i32).collect())),
        MatArray::new("y", &[m, 1], MatData::UInt64(y.iter().map(|&v| v as u64).collect())),
        MatArray::new("y", &[m, 1], MatData::Char(y.iter().map(|&v| v as u16 + 48).collect())),
        MatArray::new("y", &[m, 1], MatData::Logical(y.iter().map(|&v| v > 5.0).collect())),
    ];
    let mut files = Vec::new();
    for y in y_arrays {
        for compress in [false, true] {
            files.push(mat_bytes(&[matrix("X", m, 16), y.clone()], compress));
        }
    }
    for compress in [false, true] {
        files.push(mat_bytes(&[matrix("Theta1", 5, 17), matrix("Theta2", 10, 6)], compress));
        files.push(mat_bytes(&[matrix("X", 0, 16), MatArray::new("y", &[0, 1], MatData::Double(vec![]))], compress));
        files.push(mat_bytes(&[MatArray::new("X", &[2, 2, 4], MatData::Double(vec![0.5; 16]))], compress));
        let complex = matrix("X", m, 16).with_imag(MatData::Double(vec![0.1; m * 16]));
        files.push(mat_bytes(&[complex, MatArray::new("y", &[m, 1], MatData::Double(labels(m)))], compress));
    }
    files
}

/// Interesting 32-bit values: zero, one, sign bits, huge sizes.
const WORDS: [u32; 9] = [0, 1, 2, 0x7F, 0x80, 0xFFFF, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF];
/// Interesting bytes.
const BYTES: [u8; 6] = [0, 1, 0x7F, 0x80, 0xFE, 0xFF];

/// One mutation of `input`, in place.
fn mutate(input: &mut Vec<u8>, rng: &mut Rng, corpus: &[Vec<u8>]) {
    let len = input.len();
    match rng.below(10) {
        0 => {
            for _ in 0..1 + rng.below(8) {
                let i = rng.below(len);
                input[i] ^= 1 << rng.below(8);
            }
        }
        1 => {
            let i = rng.below(len);
            input[i] = BYTES[rng.below(BYTES.len())];
        }
        2 => {
            // A 32-bit word at a 4-aligned offset past the header: tags, sizes, flags, dims.
            let i = (128 + rng.below(len.saturating_sub(132).max(1))) & !3;
            if i + 4 <= len {
                input[i..i + 4].copy_from_slice(&WORDS[rng.below(WORDS.len())].to_le_bytes());
            }
        }
        3 => input.truncate(rng.below(len)),
        4 => {
            let i = rng.below(len + 1);
            let extra: Vec<u8> = (0..1 + rng.below(64)).map(|_| rng.next() as u8).collect();
            input.splice(i..i, extra);
        }
        5 => {
            // Copy a chunk of another corpus file over this one.
            let other = &corpus[rng.below(corpus.len())];
            let (from, to) = (rng.below(other.len()), rng.below(len));
            let n = (1 + rng.below(256)).min(other.len() - from).min(len - to);
            input[to..to + n].copy_from_slice(&other[from..from + n]);
        }
        6 => {
            // The first array's class byte (uncompressed files): char, cell, struct, object,
            // sparse, any numeric class, or nonsense.
            if len > 144 {
                input[144] = rng.below(20) as u8;
            }
        }
        7 => {
            // Huge dimensions in the first array's header.
            if len > 168 {
                let at = 160 + 4 * rng.below(2);
                input[at..at + 4].copy_from_slice(&WORDS[5 + rng.below(4)].to_le_bytes());
            }
        }
        8 => {
            // Re-compress everything after the header as one element, so that structural
            // mutations reach the compressed path too.
            if len > 128 {
                let element = compressed_element(&input[128..]);
                input.truncate(128);
                input.extend(element);
            }
        }
        _ => {
            // Several mutations at once.
            for _ in 0..2 + rng.below(3) {
                if input.is_empty() {
                    break;
                }
                mutate(input, rng, corpus);
            }
        }
    }
    if input.is_empty() {
        input.push(0);
    }
}

/// What loading one input did.
struct Checked {
    /// Peak heap growth while it was loaded, in bytes.
    grown: usize,
    /// Whether it loaded as a data set.
    loaded_as_data: bool,
}

/// Loads `bytes` both ways; returns what that did, or the first broken rule.
fn check(bytes: &[u8]) -> Result<Checked, String> {
    let path = Path::new("fuzz-input.mat");
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let results = std::panic::catch_unwind(|| {
        let data = data::load_dataset_from_bytes(path, bytes, 10).map(|_| ()).map_err(|e| e.to_string());
        let weights = data::load_weights_from_bytes(path, bytes).map(|_| ()).map_err(|e| e.to_string());
        [data, weights]
    })
    .map_err(|_| "panicked".to_string())?;
    let grown = PEAK.load(Ordering::Relaxed).saturating_sub(base);
    let allowed = ALLOCATION_FACTOR * bytes.len() + ALLOCATION_SLACK;
    if grown > allowed {
        return Err(format!("allocated {grown} bytes for a {}-byte input (allowed {allowed})", bytes.len()));
    }
    let loaded_as_data = results[0].is_ok();
    for message in results.into_iter().filter_map(Result::err) {
        if message.contains('\n') || !message.starts_with("fuzz-input.mat") {
            return Err(format!("message is not one line naming the file: {message:?}"));
        }
    }
    Ok(Checked { grown, loaded_as_data })
}

#[test]
fn mat_loading_survives_mutated_inputs() {
    let seconds: Option<u64> = std::env::var("EX4_FUZZ_SECONDS").ok().and_then(|s| s.parse().ok());
    let seed: u64 = std::env::var("EX4_FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(1);
    let deadline = seconds.map(|s| Instant::now() + Duration::from_secs(s));
    let corpus = corpus();
    // The corpus itself: valid files load, broken ones fail cleanly.
    for (i, file) in corpus.iter().enumerate() {
        check(file).unwrap_or_else(|e| panic!("corpus file {i}: {e}"));
    }
    // A panic is a failure, reported below with its input; keep the hook's text off the output.
    std::panic::set_hook(Box::new(|_| {}));
    let mut rng = Rng::new(seed);
    let mut cases = 0u64;
    let mut accepted = 0u64;
    // The largest heap growth seen per input byte, for inputs of 1 KiB or more.
    let mut worst = 0.0f64;
    loop {
        match deadline {
            Some(deadline) if Instant::now() >= deadline => break,
            None if cases >= DEFAULT_CASES => break,
            _ => {}
        }
        let mut input = corpus[rng.below(corpus.len())].clone();
        for _ in 0..1 + rng.below(3) {
            mutate(&mut input, &mut rng, &corpus);
        }
        let checked = match check(&input) {
            Ok(checked) => checked,
            Err(problem) => {
                let _ = std::panic::take_hook();
                let saved = std::env::temp_dir().join(format!("ex4-fuzz-failure-{seed}-{cases}.mat"));
                let _ = std::fs::write(&saved, &input);
                panic!("case {cases} (seed {seed}): {problem}; input saved to {}", saved.display());
            }
        };
        if input.len() >= 1024 {
            worst = worst.max(checked.grown as f64 / input.len() as f64);
        }
        accepted += u64::from(checked.loaded_as_data);
        cases += 1;
    }
    let _ = std::panic::take_hook();
    eprintln!(
        "fuzz: {cases} inputs, {accepted} loaded as data, no panic; \
         heap growth at most {worst:.1} x the input size (inputs >= 1 KiB)"
    );
    assert!(cases > 0);
}
