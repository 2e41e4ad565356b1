#!/usr/bin/env bash
# `make bench-export`: FHIR export throughput and peak memory (issue 12).
# Seeds PATIENTS synthetic patients (default 100,000; test-range NHS
# numbers) into a fresh embedded database under target/, then runs
# `openpractice export fhir` under /usr/bin/time and prints patients a
# second and the peak resident memory. BIN: the server binary (default the
# release build `make build` makes).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
PATIENTS="${PATIENTS:-100000}"
BIN="${BIN:-$CARGO_TARGET_DIR/release/openpractice}"
DB="$ROOT/target/bench-export-db"
OUT="$ROOT/target/bench-export-out"
rm -rf "$DB" "$DB.audit-key" "$OUT" "$OUT.partial"
echo "seeding $PATIENTS patients…"
"$BIN" --db "$DB" admin seed-synthetic-patients --create-demo --total "$PATIENTS" >/dev/null
echo "exporting…"
/usr/bin/time -v "$BIN" --db "$DB" export fhir "$OUT" 2>"$ROOT/target/bench-export.time" | grep -E "Exported|ndjson"
grep -E "Maximum resident set size|Elapsed \(wall clock\)" "$ROOT/target/bench-export.time"
