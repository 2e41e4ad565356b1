#!/usr/bin/env bash
# `make bench-export`: FHIR export and import throughput and peak memory
# (issue 12). Seeds PATIENTS synthetic patients (default 100,000; test-range
# NHS numbers) with the demo's synthetic clinical histories into a fresh
# embedded database under target/, runs `openpractice export fhir`, then
# `openpractice import fhir` of that export into an empty practice of a
# second fresh database, each under /usr/bin/time, and prints patients a
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
"$BIN" --db "$DB" admin seed-synthetic-patients --create-demo --histories --total "$PATIENTS" >/dev/null
echo "exporting…"
/usr/bin/time -v "$BIN" --db "$DB" export fhir "$OUT" 2>"$ROOT/target/bench-export.time" | grep -E "Exported|ndjson"
grep -E "Maximum resident set size|Elapsed \(wall clock\)" "$ROOT/target/bench-export.time"

echo "importing into an empty practice…"
DB2="$ROOT/target/bench-import-db"
rm -rf "$DB2" "$DB2.audit-key"
echo "bench-import-password" | "$BIN" --db "$DB2" admin create-user --password-stdin \
  --practice-name "Import Bench Surgery" --username importer --name "Import Bench" --role admin >/dev/null
/usr/bin/time -v "$BIN" --db "$DB2" import fhir "$OUT" 2>"$ROOT/target/bench-import.time" | grep -E "Imported|not imported"
grep -E "Maximum resident set size|Elapsed \(wall clock\)" "$ROOT/target/bench-import.time"
