#!/usr/bin/env bash
# `make run`: install tools if missing, build in release mode, and serve the
# demo practice on an embedded SurrealKV database under ./data.
# Extra arguments go to the server, e.g. `scripts/run.sh --listen 0.0.0.0:3000`.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

scripts/tools.sh build
cargo leptos build --release --precompress
exec "$CARGO_TARGET_DIR/release/openpractice" --site-root "$ROOT/target/site" --data-dir "$ROOT/data" --demo "$@"
