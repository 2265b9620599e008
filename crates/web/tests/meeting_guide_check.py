"""Validates a Meeting Guide feed (JSON on standard input) against the
spec's draft JSON Schema in ../shared/interop/meeting-guide/schema, with the
US-only patterns for state, postal_code, city, address and
formatted_address dropped, as that folder's README says. Prints "ok" or
every error, one per line, and exits non-zero on errors.

Usage: python3 meeting_guide_check.py SCHEMA_DIR < feed.json
"""

import json
import sys

import jsonschema


def main():
    schema_dir = sys.argv[1]
    with open(f"{schema_dir}/meeting.schema.json") as f:
        meeting = json.load(f)
    with open(f"{schema_dir}/meeting-type.schema.json") as f:
        types = json.load(f)
    for field in ("state", "postal_code", "city", "address", "formatted_address"):
        meeting["properties"].get(field, {}).pop("pattern", None)
    # Resolve the schema's remote reference to the local copy.
    meeting["properties"]["types"] = {"type": "array", "items": types["items"]}
    feed = {"type": "array", "items": meeting}
    validator = jsonschema.Draft7Validator(feed, format_checker=jsonschema.FormatChecker())
    errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(json.load(sys.stdin))]
    print("\n".join(errors) if errors else "ok")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
