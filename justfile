# The ex4 neural network. `just` lists the recipes.

# Everything runs in release: numeric tests need the speed, and one build serves all.
cargo_flags := "--release"

default:
    @just --list

# The exercise's reference network: cost, accuracy and per-digit accuracy (pass flags after it)
eval *ARGS:
    cargo run {{cargo_flags}} -q -p trainer -- eval {{ARGS}}

# Every test of the workspace, after the format and lint checks
test: lint
    cargo test {{cargo_flags}} --workspace

# Formatting and clippy, warnings as errors
lint:
    cargo fmt --all --check
    cargo clippy {{cargo_flags}} --workspace --all-targets -- -D warnings

# Every gradient check on the reference data: one line per check, PASS/FAIL, non-zero exit on failure
verify:
    cargo run {{cargo_flags}} -q -p verify

# Gradient checks on any data and weights (`just gradcheck --data F --weights W --lambda L`)
gradcheck *ARGS:
    cargo run {{cargo_flags}} -q -p trainer -- gradcheck {{ARGS}}
