#!/usr/bin/env bash
# Installs the build tools OpenPractice needs, idempotently, into a fixed
# directory outside the checkout ($OP_TOOLS, default ~/.local/openpractice).
# Only the package registries are used (crates.io via cargo, npm, Debian):
# cargo-leptos and wasm-bindgen-cli are built from their crates.io sources
# with their lock files nudged to versions this toolchain and registry have.
#
#   scripts/tools.sh build   # wasm32 target, cargo-leptos, wasm-bindgen, npm tools
#   scripts/tools.sh test    # the above plus Chromium for end-to-end tests
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OP_TOOLS="${OP_TOOLS:-$HOME/.local/openpractice}"
CARGO_LEPTOS_VERSION="0.3.11"
mkdir -p "$OP_TOOLS/bin" "$OP_TOOLS/src"
export PATH="$OP_TOOLS/bin:$PATH"

log() { printf '\033[1mtools:\033[0m %s\n' "$*" >&2; }

# Tools build in their own scratch target directory, without the project's
# RUSTFLAGS, so they never disturb the project's compiled dependencies.
# cargo-leptos's release profile asks for fat LTO in one codegen unit: on
# two cores that alone took about 25 of the 31 minutes the tools took cold
# (2026-12-01). These tools orchestrate builds and are not hot code, so
# they are built with thin local LTO and parallel codegen instead.
tool_install() {
  env -u RUSTFLAGS CARGO_TARGET_DIR="$OP_TOOLS/build" \
    CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install --quiet --locked --root "$OP_TOOLS" --force "$@"
  rm -rf "$OP_TOOLS/build"
}

# Download a crate's source through cargo itself (a scratch project + cargo
# fetch), then unpack it from cargo's registry cache into $OP_TOOLS/src.
crate_source() {
  local name="$1" version="$2" dest="$OP_TOOLS/src/$1-$2"
  if [ ! -f "$dest/Cargo.toml" ]; then
    local scratch
    scratch="$(mktemp -d)"
    mkdir -p "$scratch/src"
    printf '[package]\nname = "fetch-scratch"\nversion = "0.0.0"\nedition = "2021"\n[dependencies]\n%s = "=%s"\n' \
      "$name" "$version" >"$scratch/Cargo.toml"
    : >"$scratch/src/lib.rs"
    (cd "$scratch" && cargo fetch --quiet) >&2
    local archive
    archive="$(ls "${CARGO_HOME:-$HOME/.cargo}"/registry/cache/*/"$name-$version.crate" | head -n 1)"
    tar -xzf "$archive" -C "$OP_TOOLS/src"
    rm -rf "$scratch"
  fi
  printf '%s\n' "$dest"
}

ensure_wasm_target() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    log "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
}

ensure_cargo_leptos() {
  if "$OP_TOOLS/bin/cargo-leptos" --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
    return
  fi
  log "building cargo-leptos $CARGO_LEPTOS_VERSION (a few minutes, once)"
  local src
  src="$(crate_source cargo-leptos "$CARGO_LEPTOS_VERSION")"
  # Its lock pins crates that need a newer rustc than ours; its toolchain
  # file would ask rustup for another toolchain.
  rm -f "$src/rust-toolchain.toml" "$src/rust-toolchain"
  (cd "$src" && cargo update --quiet -p cargo-util-schemas --precise 0.14.1 2>/dev/null || true)
  # no_downloads: never fetch tailwind/wasm-bindgen/wasm-opt from the web;
  # take them from PATH.
  tool_install --path "$src" --features no_downloads
}

wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock"
}

ensure_wasm_bindgen() {
  local version
  version="$(wasm_bindgen_version)"
  if [ -z "$version" ]; then
    log "no wasm-bindgen in Cargo.lock"; exit 1
  fi
  if "$OP_TOOLS/bin/wasm-bindgen" --version 2>/dev/null | grep -q " $version\$"; then
    return
  fi
  log "building wasm-bindgen-cli $version to match Cargo.lock (a few minutes, once)"
  local src
  src="$(crate_source wasm-bindgen-cli "$version")"
  # Its lock pins a webpki-roots release the registry no longer serves.
  (cd "$src" && cargo update --quiet -p webpki-roots --precise 1.0.10 2>/dev/null || true)
  tool_install --path "$src" --bin wasm-bindgen
}

ensure_npm_tools() {
  # Tailwind CLI, binaryen (wasm-opt), playwright-core and axe-core, pinned by
  # package-lock.json. The stamp makes a warm run skip npm entirely.
  local stamp="$ROOT/node_modules/.openpractice-lock"
  if [ -f "$stamp" ] && cmp -s "$stamp" "$ROOT/package-lock.json"; then
    return
  fi
  log "installing npm tools (tailwind, binaryen, playwright-core, axe-core, @medplum/core)"
  # Not `npm ci`: the registry here lacks some other platforms' optional
  # packages, so the lock lists them unresolved and `npm ci` refuses it.
  # `npm install` installs exactly the locked versions and leaves the lock as it is.
  (cd "$ROOT" && npm install --no-audit --no-fund --loglevel=error)
  cp "$ROOT/package-lock.json" "$stamp"
}

# The FHIR tests' second oracle: PyPI fhir.resources (R4B models), pinned
# in scripts/fhir/requirements.txt, in its own virtualenv.
ensure_fhir_python() {
  local venv="$OP_TOOLS/fhir-venv" wanted="$ROOT/scripts/fhir/requirements.txt"
  if [ -f "$venv/.openpractice-requirements" ] && cmp -s "$venv/.openpractice-requirements" "$wanted"; then
    return
  fi
  log "installing fhir.resources (the FHIR tests' Python validator)"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$wanted"
  cp "$wanted" "$venv/.openpractice-requirements"
}

ensure_chromium() {
  if [ -x /usr/bin/chromium ]; then
    return
  fi
  log "installing Debian's chromium for end-to-end tests"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium
}

# The shared target directory grows with every build (incremental caches,
# a new test binary per change); when it once filled the disk, the linker
# died with a bus error. With less than 15 GiB free, drop what cargo
# rebuilds cheaply: incremental caches and all but the newest binary of
# each test and program.
prune_target() {
  local target="${CARGO_TARGET_DIR:-$HOME/.cache/openpractice/target}"
  [ -d "$target" ] || return 0
  local free_kib
  free_kib="$(df -Pk "$target" | awk 'NR == 2 { print $4 }')"
  [ "$free_kib" -lt $((15 * 1024 * 1024)) ] || return 0
  log "less than 15 GiB free: pruning old build output in $target"
  rm -rf "$target"/*/incremental "$target"/*/*/incremental
  local deps
  for deps in "$target"/debug/deps "$target"/release/deps; do
    [ -d "$deps" ] || continue
    find "$deps" -maxdepth 1 -type f -executable -printf '%T@ %f\n' |
      awk '{ name = $2; sub(/-[0-9a-f]+$/, "", name); print name, $1, $2 }' |
      sort -k1,1 -k2,2n |
      awk -v dir="$deps" '$1 == previous { print dir "/" previous_file } { previous = $1; previous_file = $3 }' |
      xargs -r rm -f
  done
}

main() {
  local mode="${1:-build}"
  prune_target
  ensure_wasm_target
  ensure_npm_tools
  ensure_cargo_leptos
  ensure_wasm_bindgen
  if [ "$mode" = "test" ]; then
    ensure_fhir_python
    ensure_chromium
  fi
}

main "$@"
