#!/usr/bin/env python3
"""Validate Inboxwatch topic values against the JSON Schemas in this folder.

Usage (from the repository root):

    python3 schemas/validate.py
        Checks every <name>.schema.json (Draft 2020-12), then validates
        examples/<name>/valid-*.json (each must pass) and
        examples/<name>/invalid-*.json (each must be rejected).

    python3 schemas/validate.py --instances DIR_OR_FILE [DIR_OR_FILE ...]
        Validates instances written by our encoders. A directory is read for
        *.json files; every file must be named <schemaName>--<anything>.json and
        must pass the schema <schemaName>.schema.json.

Prints one line per file (`ok <file>` or `FAIL <file>: <reason>`), then
`N passed, M failed`; exits 1 if anything failed (or nothing was found).

Needs only the standard library and jsonschema (Debian: python3-jsonschema).
Patterns are matched as ECMA-262 (JSON Schema's dialect) would: `\\d` is ASCII
only and `$` does not match before a trailing newline.
"""

import argparse
import json
import os
import re
import sys

import jsonschema
from jsonschema import Draft202012Validator

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLES = os.path.join(HERE, "examples")
SUFFIX = ".schema.json"


def _ecma_pattern(validator, pattern, instance, schema):
    if not validator.is_type(instance, "string"):
        return
    regex = pattern
    if regex.endswith("$") and not regex.endswith("\\$"):
        regex = regex[:-1] + r"\Z"
    if not re.search(regex, instance, re.ASCII):
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


Validator = jsonschema.validators.extend(Draft202012Validator, {"pattern": _ecma_pattern})


def load_schemas(report):
    """Every schema in this folder, by name, checked against the 2020-12 meta-schema."""
    validators = {}
    for file in sorted(os.listdir(HERE)):
        if not file.endswith(SUFFIX):
            continue
        name = file[: -len(SUFFIX)]
        path = os.path.join(HERE, file)
        try:
            with open(path, encoding="utf-8") as handle:
                schema = json.load(handle)
            Draft202012Validator.check_schema(schema)
        except (OSError, ValueError, jsonschema.SchemaError) as error:
            report.fail(path, f"not a valid Draft 2020-12 schema: {_one_line(error)}")
            continue
        validators[name] = Validator(schema)
    return validators


def _one_line(error):
    if isinstance(error, jsonschema.exceptions.SchemaError | jsonschema.ValidationError):
        where = "/".join(str(part) for part in error.absolute_path)
        return f"at /{where}: {error.message}"
    return str(error).splitlines()[0] if str(error) else type(error).__name__


def first_error(validator, path):
    """None if the file is valid, else why not (the most relevant error, with its location)."""
    try:
        with open(path, encoding="utf-8") as handle:
            instance = json.load(handle)
    except (OSError, ValueError) as error:
        return f"cannot read JSON: {_one_line(error)}"
    error = jsonschema.exceptions.best_match(validator.iter_errors(instance))
    return None if error is None else _one_line(error)


class Report:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def ok(self, path, note=""):
        self.passed += 1
        print(f"ok   {_rel(path)}" + (f" ({note})" if note else ""))

    def fail(self, path, reason):
        self.failed += 1
        print(f"FAIL {_rel(path)}: {reason}")

    def finish(self):
        print(f"{self.passed} passed, {self.failed} failed")
        return 1 if self.failed else 0


def _rel(path):
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return path
    return path if relative.startswith("..") else relative


def check_examples(report, validators):
    for name in sorted(validators):
        folder = os.path.join(EXAMPLES, name)
        files = sorted(os.listdir(folder)) if os.path.isdir(folder) else []
        valid = [f for f in files if f.startswith("valid-") and f.endswith(".json")]
        invalid = [f for f in files if f.startswith("invalid-") and f.endswith(".json")]
        if not valid:
            report.fail(folder, "no valid-*.json example")
        if "invalid-major-version-2.json" not in invalid:
            report.fail(folder, "no invalid-major-version-2.json example")
        for file in valid:
            path = os.path.join(folder, file)
            reason = first_error(validators[name], path)
            if reason is None:
                report.ok(path)
            else:
                report.fail(path, f"should be valid: {reason}")
        for file in invalid:
            path = os.path.join(folder, file)
            reason = first_error(validators[name], path)
            if reason is None:
                report.fail(path, "should be rejected but is valid")
            else:
                report.ok(path, f"rejected {reason}")
    if os.path.isdir(EXAMPLES):
        for folder in sorted(os.listdir(EXAMPLES)):
            if folder not in validators:
                report.fail(os.path.join(EXAMPLES, folder), "examples for a schema that does not exist")


def check_instances(report, validators, targets):
    files = []
    for target in targets:
        if os.path.isdir(target):
            found = sorted(os.path.join(target, f) for f in os.listdir(target) if f.endswith(".json"))
            if not found:
                report.fail(target, "no *.json instances in this directory")
            files += found
        else:
            files.append(target)
    for path in files:
        base = os.path.basename(path)
        name = base.split("--", 1)[0] if "--" in base else None
        if name is None:
            report.fail(path, "name must be <schemaName>--<anything>.json")
        elif name not in validators:
            report.fail(path, f"no schema named {name!r} (known: {', '.join(sorted(validators))})")
        else:
            reason = first_error(validators[name], path)
            if reason is None:
                report.ok(path)
            else:
                report.fail(path, reason)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--instances", nargs="+", metavar="DIR_OR_FILE",
        help="validate <schemaName>--*.json files written by our encoders instead of the examples")
    args = parser.parse_args(argv)
    report = Report()
    validators = load_schemas(report)
    if not validators:
        report.fail(HERE, "no *.schema.json found")
    elif args.instances:
        check_instances(report, validators, args.instances)
    else:
        check_examples(report, validators)
    return report.finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
