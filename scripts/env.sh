# Sourced by run.sh and test.sh: where tools and builds live. The target
# directory is outside the checkout so repeated runs (and CI in a fresh clone
# on the same machine) reuse compiled dependencies.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/openpractice/target}"
export OP_TOOLS="${OP_TOOLS:-$HOME/.local/openpractice}"
export PATH="$OP_TOOLS/bin:$ROOT/node_modules/.bin:$PATH"
