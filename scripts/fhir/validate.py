"""Validates FHIR JSON files with fhir.resources' R4B models (an oracle we
did not write). Prints one JSON line per file: {"file", "ok", "errors"}.
Exits 1 if any file is invalid, 2 on a usage error."""
import json
import sys

from fhir.resources.R4B import get_fhir_model_class


def check(path):
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    try:
        cls = get_fhir_model_class(data.get("resourceType", ""))
        cls.model_validate(data)
        return []
    except Exception as e:  # every failure is a finding, reported by file
        return [str(e)[:2000]]


def main(paths):
    if not paths:
        print("usage: validate.py FILE.json…", file=sys.stderr)
        return 2
    bad = 0
    for path in paths:
        errors = check(path)
        bad += 1 if errors else 0
        print(json.dumps({"file": path, "ok": not errors, "errors": errors}))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
