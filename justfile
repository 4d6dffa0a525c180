# The ex4 neural network. `just` lists the recipes.

# Everything runs in release: numeric tests need the speed, and one build serves all. The
# recipes build the whole workspace with every target, exactly as `cargo test --workspace`
# does, and run the binaries from it: `cargo run -p trainer` alone would resolve other
# features for burn's dependencies and compile burn a second time (minutes, not seconds).
cargo_flags := "--release"
bin := env_var_or_default("CARGO_TARGET_DIR", justfile_directory() / "target") / "release"

default:
    @just --list

# Build every crate, binary and test in release
build:
    cargo build {{cargo_flags}} --workspace --all-targets -q

# Train (`just train --lambda 20`; `--help` lists the flags) or any subcommand (`just trainer sweep --lambdas 0,1,10`)
trainer *ARGS: build
    {{bin}}/trainer {{ARGS}}

alias train := trainer

# Lambda sweep in parallel (`just sweep --lambdas 0,0.3,1,3,10,20 --iterations 200`)
sweep *ARGS: build
    {{bin}}/trainer sweep {{ARGS}}

# The exercise's reference network: cost, accuracy and per-digit accuracy (pass flags after it)
eval *ARGS: build
    {{bin}}/trainer eval {{ARGS}}

# Every test of the workspace, after the format and lint checks
test: lint
    cargo test {{cargo_flags}} --workspace

# Formatting and clippy, warnings as errors
lint:
    cargo fmt --all --check
    cargo clippy {{cargo_flags}} --workspace --all-targets -- -D warnings

# The README's picture of a report: the default run's report in headless Chromium, to docs/report.png
screenshot:
    cargo test {{cargo_flags}} -p trainer --test report_browser -- --ignored readme_screenshot --nocapture

# Every gradient check on the reference data: one line per check, PASS/FAIL, non-zero exit on failure
verify: build
    {{bin}}/verify

# Gradient checks on any data and weights (`just gradcheck --data F --weights W --lambda L`)
gradcheck *ARGS: build
    {{bin}}/trainer gradcheck {{ARGS}}

# The exercise's results: gradient descent 1000 and 5000 iterations, L-BFGS 50 (several minutes)
reproduce: build
    {{bin}}/trainer --optimizer gd --iterations 1000 --lambda 0 --out runs/gd-1000-lambda0
    {{bin}}/trainer --optimizer gd --iterations 5000 --lambda 0 --out runs/gd-5000-lambda0
    {{bin}}/trainer --optimizer gd --iterations 5000 --lambda 1 --out runs/gd-5000-lambda1
    {{bin}}/trainer --optimizer gd --iterations 5000 --lambda 20 --out runs/gd-5000-lambda20
    {{bin}}/trainer --optimizer lbfgs --iterations 50 --lambda 1 --out runs/lbfgs-50-lambda1

# Fuzz the .mat loading path for SECONDS (default 600) with a seeded mutation harness
fuzz SECONDS="600" SEED="1":
    EX4_FUZZ_SECONDS={{SECONDS}} EX4_FUZZ_SEED={{SEED}} cargo test {{cargo_flags}} --workspace --test fuzz_mat -- --nocapture

# Speed: cost and gradient, training, sweeps and memory, beside numpy's (one table; see README)
bench: build
    -python3 -c "import numpy, scipy" 2>/dev/null || pip install --quiet numpy scipy
    cargo bench --workspace --bench speed
