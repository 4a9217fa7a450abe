#!/usr/bin/env python3
"""Check run.json files against results/run.schema.json.

usage: runjson-check.py SCHEMA FILE...
Prints one line per file that does not validate (its first errors, with
the JSON path) and exits 1; exits 2 when the validator (python3-jsonschema)
is missing: a missing validator is a failure, never a skip."""
import json
import sys

try:
    import jsonschema
except ImportError:
    print("python3-jsonschema is missing: install it (scripts/setup does) to validate run.json files")
    sys.exit(2)


def where(err):
    return "$" + "".join("[%d]" % p if isinstance(p, int) else "." + str(p) for p in err.absolute_path)


def main(argv):
    with open(argv[1]) as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema)
    bad = 0
    for path in argv[2:]:
        try:
            with open(path) as f:
                doc = json.load(f)
        except (OSError, ValueError) as e:
            print("%s: cannot be read as JSON: %s" % (path, e))
            bad += 1
            continue
        errs = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
        if errs:
            bad += 1
            print("%s: %s" % (path, "; ".join("%s: %s" % (where(e), e.message[:200]) for e in errs[:3])))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
