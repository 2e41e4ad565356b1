#!/usr/bin/env python3
"""The code-shape figures docs/ARCHITECTURE.md reports (`make figures`).

Counts, over the hand-written Rust sources of the workspace:
- source files over 400 lines outside tests (data tables excepted), and test
  files over 600 lines;
- the median source file size;
- server functions: how many, their median and longest length in lines
  (from `#[server` to the function's closing brace), and the wrappers the
  service-layer issue removed (`with_status(`, `app_state()`,
  `.map_err(AppError::internal)`);
- store methods that take a practice id as an argument (the practice-scoped
  handle's constructor, `Store::practice`, is the one allowed door).

Run from the workspace root. Prints a Markdown table.
"""

import os
import re
import statistics
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CRATES = ["domain", "store", "services", "app", "server", "load", "end2end"]
# Files that are mostly data, not code: excepted from the size limit.
DATA_TABLES = {
    "store/src/demo/names.rs",
    "domain/src/snomed/mod.rs",
}


def rust_files():
    for crate in CRATES:
        base = os.path.join(ROOT, crate)
        for dirpath, _, names in os.walk(base):
            for n in names:
                if n.endswith(".rs"):
                    path = os.path.join(dirpath, n)
                    yield os.path.relpath(path, ROOT)


def is_test(rel):
    parts = rel.split(os.sep)
    return "tests" in parts or parts[-1] == "tests.rs" or rel.startswith("end2end/")


def lines_of(rel):
    with open(os.path.join(ROOT, rel), encoding="utf-8") as f:
        return f.read().split("\n")


def server_functions():
    """(file, name, lines) for every #[server] function in app/src."""
    found = []
    for rel in rust_files():
        if not rel.startswith("app/src"):
            continue
        text = lines_of(rel)
        i = 0
        while i < len(text):
            if text[i].lstrip().startswith("#[server("):
                start = i
                j = i
                while "fn " not in text[j] or text[j].lstrip().startswith("#["):
                    j += 1
                name = re.search(r"fn (\w+)", text[j]).group(1)
                depth = 0
                opened = False
                k = j
                while k < len(text):
                    depth += text[k].count("{") - text[k].count("}")
                    opened = opened or "{" in text[k]
                    if opened and depth == 0:
                        break
                    k += 1
                found.append((rel, name, k - start + 1))
                i = k + 1
            else:
                i += 1
    return found


SIGNATURE = re.compile(r"fn\s+(\w+)\s*(?:<[^>]*>)?\s*\(([^)]*)\)", re.S)
PRACTICE_PARAM = re.compile(r"\bpractice(?:_id)?\s*:\s*&?\s*(?:str|String|PracticeId|&str)\b")


def store_methods_taking_a_practice_id():
    hits = []
    total = 0
    for rel in rust_files():
        if not rel.startswith("store/src") or is_test(rel):
            continue
        text = "\n".join(lines_of(rel))
        # Only functions inside `impl Store` / `impl PracticeStore` blocks and free pub fns.
        for m in SIGNATURE.finditer(text):
            name, params = m.group(1), m.group(2)
            if "self" not in params:
                continue
            total += 1
            if PRACTICE_PARAM.search(params) and not (
                rel == "store/src/scope.rs" and name == "practice"
            ):
                hits.append(f"{rel}::{name}")
    return total, hits


def main():
    sources, tests = [], []
    for rel in rust_files():
        (tests if is_test(rel) else sources).append(rel)
    long_sources = sorted(
        (len(lines_of(r)), r)
        for r in sources
        if len(lines_of(r)) > 400 and r not in DATA_TABLES
    )
    long_tests = sorted((len(lines_of(r)), r) for r in tests if len(lines_of(r)) > 600)
    sizes = [os.path.getsize(os.path.join(ROOT, r)) for r in sources]
    fns = server_functions()
    lengths = sorted(n for _, _, n in fns)
    app_text = "\n".join("\n".join(lines_of(r)) for r in sources if r.startswith("app/src"))
    total_methods, practice_methods = store_methods_taking_a_practice_id()

    rows = [
        ("hand-written source files over 400 lines (outside tests; data tables excepted)",
         f"{len(long_sources)}" + (": " + ", ".join(f"{r} ({n})" for n, r in long_sources) if long_sources else "")),
        ("test files over 600 lines",
         f"{len(long_tests)}" + (": " + ", ".join(f"{r} ({n})" for n, r in long_tests) if long_tests else "")),
        ("largest test file (lines)",
         str(max((len(lines_of(r)), r) for r in tests)[0]) + " (" + max((len(lines_of(r)), r) for r in tests)[1] + ")"),
        ("source files / median size", f"{len(sources)} / {statistics.median(sizes) / 1024:.1f} KB"),
        ("server functions", str(len(fns))),
        ("server function length, median / longest (lines)",
         f"{statistics.median(lengths):g} / {lengths[-1]}" if lengths else "none"),
        ("`with_status(` / `app_state()` / `.map_err(AppError::internal)` in app",
         f"{app_text.count('with_status(')} / {app_text.count('app_state()')} / {app_text.count('.map_err(AppError::internal)')}"),
        ("store methods taking a practice id (besides `Store::practice`)",
         f"{len(practice_methods)} of {total_methods}" + (": " + ", ".join(practice_methods) if practice_methods else "")),
    ]
    print("| figure | measured |")
    print("| --- | --- |")
    for k, v in rows:
        print(f"| {k} | {v} |")
    if "--check" in sys.argv:
        if long_sources or long_tests or practice_methods or (lengths and statistics.median(lengths) > 10):
            print("figures: a limit is exceeded", file=sys.stderr)
            sys.exit(1)


if __name__ == "__main__":
    main()
