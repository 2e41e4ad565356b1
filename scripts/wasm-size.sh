#!/usr/bin/env bash
# The WASM a browser downloads, as it is served (release build, brotli),
# against the size recorded in scripts/wasm-size-baseline (bytes): fails if
# it has grown by more than 5 %. Run by `make test` before the debug
# front-end build, which replaces what this one leaves in target/site/pkg.
# After a deliberate change in size, record the new size in the baseline
# file (and the figures in docs/PERFORMANCE.md).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

env -u RUSTFLAGS cargo leptos build --release --frontend-only --precompress
wasm="target/site/pkg/openpractice.wasm"
size=$(stat -c %s "$wasm.br")
raw=$(stat -c %s "$wasm")
baseline=$(tr -dc '0-9' < scripts/wasm-size-baseline)
limit=$(( baseline * 105 / 100 ))
echo "release WASM: $raw bytes, $size bytes brotli (baseline $baseline, limit $limit)"
if [ "$size" -gt "$limit" ]; then
  echo "wasm-size: the WASM grew by more than 5 % ($size > $limit bytes brotli): find what grew it, or record a deliberate change in scripts/wasm-size-baseline" >&2
  exit 1
fi
