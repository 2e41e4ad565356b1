#!/usr/bin/env bash
# `make test`: install tools if missing, then every check, failing on the
# first failure: formatting, lint (server and WASM builds), unit and
# integration tests, and end-to-end tests in a real Chromium.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
# cargo-leptos builds debug code with this flag; every other cargo command
# here uses the same flags so they share one set of compiled dependencies.
export RUSTFLAGS="--cfg erase_components"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

step() { printf '\n\033[1m== %s (%s)\033[0m\n' "$1" "$(date +%H:%M:%S)"; }
start=$(date +%s)
run_limited() {
  local limit=$1; shift
  local rc=0
  timeout --kill-after=30s "$limit" "$@" || rc=$?
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    echo "make test: '$*' did not finish within $limit (a test hung); failing" >&2
  fi
  return "$rc"
}

step "tools"
scripts/tools.sh test

step "format"
cargo fmt --all --check

step "lint (server)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "lint (browser / WASM)"
cargo clippy -p app --lib --locked --target wasm32-unknown-unknown --no-default-features --features hydrate -- -D warnings

# cargo-leptos builds the browser's half (WASM, JS, CSS). It adds the
# `erase_components` flag itself, so it gets RUSTFLAGS unset (twice the
# flag would be different flags). The server binary the end-to-end tests
# run is the one `cargo test` builds below: a second build of it by
# cargo-leptos would unify features differently (without the test crates'
# dev-dependencies) and each would rebuild `app` and `server` after the
# other on every run.
# The release WASM against its recorded size (fails on more than 5 %
# growth). Its files are then removed: the debug build below writes its
# own, and a release build's precompressed .br/.gz left beside them would
# be served in their place.
step "WASM size (release build)"
scripts/wasm-size.sh
rm -rf "$ROOT/target/site/pkg"

step "build (cargo leptos, debug: WASM and CSS)"
env -u RUSTFLAGS cargo leptos build --frontend-only

# Tests are compiled first, then run under a time limit: a hung test fails
# this command with a clear message instead of running until CI gives up.
step "unit and integration tests"
# Also builds the debug server binary (target/debug/openpractice) the
# end-to-end tests start.
cargo test --workspace --exclude end2end --locked --no-run
run_limited 15m cargo test --workspace --exclude end2end --locked

step "end-to-end tests (Chromium)"
cargo test -p end2end --locked --no-run
OP_E2E_BIN="$CARGO_TARGET_DIR/debug/openpractice" OP_E2E_SITE_ROOT="$ROOT/target/site" \
  run_limited 15m cargo test -p end2end --locked -- --test-threads=2

printf '\nmake test: all checks passed in %ss\n' "$(( $(date +%s) - start ))"
