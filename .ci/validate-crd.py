#!/usr/bin/env python3
"""Validate Kubernetes manifests against a CRD's openAPIV3Schema, as the API server does with
strict field validation (kubectl apply --validate=strict): types, enums and required fields by
JSON Schema, and every field known to the schema (unknown fields are an error, not pruned).

usage: validate-crd.py SCHEMA.json APIVERSION KIND MANIFEST.yaml...
A manifest that must fail is given as !MANIFEST.yaml (exit 1 if it validates).
"""
import json
import sys

import jsonschema
import yaml


def strict(schema):
    """The CRD schema with additionalProperties: false wherever it lists properties and does not
    keep unknown fields (x-kubernetes-preserve-unknown-fields) or allow extra ones."""
    if isinstance(schema, dict):
        out = {k: strict(v) for k, v in schema.items()}
        if (
            "properties" in out
            and "additionalProperties" not in out
            and not out.get("x-kubernetes-preserve-unknown-fields")
        ):
            out["additionalProperties"] = False
        return out
    if isinstance(schema, list):
        return [strict(v) for v in schema]
    return schema


def main():
    schema_file, api_version, kind, *manifests = sys.argv[1:]
    schema = strict(json.load(open(schema_file)))
    # metadata is the API server's ObjectMeta, not described by the CRD
    schema["properties"]["metadata"] = {"type": "object"}
    for k in ("apiVersion", "kind"):
        schema["properties"].setdefault(k, {"type": "string"})
    validator = jsonschema.Draft7Validator(schema)
    bad = 0
    for m in manifests:
        must_fail = m.startswith("!")
        path = m.lstrip("!")
        doc = yaml.safe_load(open(path))
        errors = list(validator.iter_errors(doc))
        if doc.get("apiVersion") != api_version or doc.get("kind") != kind:
            errors.append(f"apiVersion/kind is {doc.get('apiVersion')}/{doc.get('kind')}, expected {api_version}/{kind}")
        if must_fail:
            if not errors:
                print(f"error: {path} validates against {schema_file}, but must not", file=sys.stderr)
                bad = 1
            else:
                first = errors[0] if isinstance(errors[0], str) else errors[0].message
                print(f"ok -- {path} is refused: {first}")
            continue
        for e in errors:
            if isinstance(e, str):
                print(f"error: {path}: {e}", file=sys.stderr)
            else:
                where = "/".join(str(p) for p in e.absolute_path)
                print(f"error: {path}: {where}: {e.message}", file=sys.stderr)
            bad = 1
        if not errors:
            print(f"ok -- {path} is a valid {kind} ({api_version})")
    sys.exit(bad)


if __name__ == "__main__":
    main()
