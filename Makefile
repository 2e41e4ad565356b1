# OpenPractice: the two commands.
#   make run   install what is missing, build (release), serve the demo practice at http://127.0.0.1:3000
#   make test  install what is missing, then format, lint, unit, integration and end-to-end tests
#
# Builds go to a stable target directory outside the checkout, so repeated
# runs (and CI in a fresh clone on the same machine) are incremental.

export CARGO_TARGET_DIR ?= $(HOME)/.cache/openpractice/target
export OP_TOOLS ?= $(HOME)/.local/openpractice
export PATH := $(OP_TOOLS)/bin:$(CURDIR)/node_modules/.bin:$(PATH)

.PHONY: run test build tools figures clean-data bench-live bench-tasks bench-search bench-brute bench-export bench-fhir bench-results

run:
	scripts/run.sh

test:
	scripts/test.sh

build:
	scripts/tools.sh build
	cargo leptos build --release --precompress

tools:
	scripts/tools.sh test

# The code-shape figures of docs/ARCHITECTURE.md (file sizes, server
# function lengths, store methods taking a practice id).
figures:
	python3 scripts/figures.py

# The live-update load benchmark (docs/PERFORMANCE.md): release server,
# N websocket clients, the bare broadcast baseline, idle-socket memory.
# Pass options through ARGS, e.g. make bench-live ARGS="--clients 200 --idle 0".
bench-tasks: build
	cargo build --release -p load
	$(CARGO_TARGET_DIR)/release/openpractice-load tasks \
	  --server-bin $(CARGO_TARGET_DIR)/release/openpractice --site-root target/site $(ARGS)

# Patient search over 100,000 patients (docs/PERFORMANCE.md); the database
# is built in a fresh directory under target/.
bench-search: build
	cargo build --release -p load
	rm -rf target/bench-search-db
	$(CARGO_TARGET_DIR)/release/openpractice-load search \
	  --server-bin $(CARGO_TARGET_DIR)/release/openpractice --site-root target/site --db target/bench-search-db $(ARGS)

# The FHIR API over 100,000 patients (docs/PERFORMANCE.md): Patient by NHS
# number and a patient's 100 observations, p50/p99; fresh database under target/.
bench-fhir: build
	cargo build --release -p load
	rm -rf target/bench-fhir-db target/bench-fhir-db-*
	$(CARGO_TARGET_DIR)/release/openpractice-load fhir \
	  --server-bin $(CARGO_TARGET_DIR)/release/openpractice --site-root target/site --db target/bench-fhir-db $(ARGS)

# The results inbox (docs/PERFORMANCE.md): 10,000 laboratory reports
# posted through the FHIR API, a GP's inbox of 2,000 opened, a report
# reaching 200 open inboxes; fresh database under target/.
bench-results: build
	cargo build --release -p load
	rm -rf target/bench-results-db target/bench-results-db-*
	$(CARGO_TARGET_DIR)/release/openpractice-load results \
	  --server-bin $(CARGO_TARGET_DIR)/release/openpractice --site-root target/site --db target/bench-results-db $(ARGS)

# FHIR export of 100,000 patients (docs/PERFORMANCE.md): patients a second
# and peak memory. PATIENTS=N for another size.
bench-export: build
	scripts/bench-export.sh

bench-live: build
	cargo build --release -p load
	$(CARGO_TARGET_DIR)/release/openpractice-load run \
	  --server-bin $(CARGO_TARGET_DIR)/release/openpractice --site-root target/site $(ARGS)

# Sign-in brute force (docs/SECURITY.md): page latency during a burst of
# real sign-ins, then 15 minutes of guessing (ARGS="--minutes 2" for less).
bench-brute: build
	cargo build --release -p load
	$(CARGO_TARGET_DIR)/release/openpractice-load brute-force \
	  --server-bin $(CARGO_TARGET_DIR)/release/openpractice --site-root target/site $(ARGS)

# Deletes the local embedded database (the demo is re-seeded on next run).
clean-data:
	rm -rf ./data
