"""Validate sandbox response bodies against iamport's own swagger, with exactly the
relaxations of docs/iamport.md §11b."""

from __future__ import annotations

import copy
import json
import os
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator
from jsonschema.exceptions import best_match

# iamport's swagger is the workplace's shared reference (beside the repository in CI), not a
# copy kept in the repository; DOLGO_IAMPORT_SWAGGER points elsewhere.
SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
SWAGGER = Path(
    os.environ.get("DOLGO_IAMPORT_SWAGGER") or SHARED / "reference" / "iamport-v1.openapi.json"
)


def swagger_available() -> bool:
    return SWAGGER.is_file()


def require_swagger() -> None:
    """Skip a test that needs the swagger when it is absent; under CI its absence fails."""
    if swagger_available():
        return
    message = f"iamport's swagger not found at {SWAGGER} (set DOLGO_IAMPORT_SWAGGER)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def _relax(node: Any, name: str | None = None) -> Any:
    if isinstance(node, list):
        return [_relax(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {k: _relax(v, k if name == "definitions" else None) for k, v in node.items()}
    if isinstance(node.get("maxLength"), str):  # maxLength written as a string is a number
        node["maxLength"] = int(node["maxLength"])
    if name == "PaymentPrepareAnnotation":  # required [total, previous, next] is a copy-paste error
        node.pop("required", None)
    if name == "PaymentCancelAnnotation":  # real samples lack cancellation_id
        node["required"] = [r for r in node.get("required", []) if r != "cancellation_id"]
    properties = node.get("properties")
    if isinstance(properties, dict) and all(isinstance(v, dict) for v in properties.values()):
        required = set(node.get("required", []))
        for key, prop in list(properties.items()):
            if key == "card_type":  # may be null even where swagger says integer
                properties[key] = _nullable(prop)
            elif key not in required:  # a property not in `required` may be null
                properties[key] = _nullable(prop)
    return node


@cache
def swagger() -> dict[str, Any]:
    return json.loads(SWAGGER.read_text("utf-8"))


@cache
def _definitions() -> dict[str, Any]:
    return _relax(copy.deepcopy(swagger()["definitions"]), "definitions")


def validator_for(definition: str) -> Draft4Validator:
    return Draft4Validator({"$ref": f"#/definitions/{definition}", "definitions": _definitions()})


def _template_regex(template: str) -> re.Pattern[str]:
    parts = [
        re.escape(p) if not p.startswith("{") else "[^/]+" for p in template.strip("/").split("/")
    ]
    return re.compile("^/" + "/".join(parts) + "$")


@cache
def _operations() -> list[tuple[str, str, re.Pattern[str], int]]:
    ops = []
    for template, item in swagger()["paths"].items():
        for method, op in item.items():
            if method == "parameters":
                continue
            ops.append((method, template, _template_regex(template), template.count("{")))
            # an optional trailing path parameter (find/{payment_status}) may be left out
            last = template.rsplit("/", 1)[-1]
            optional = {
                p["name"]
                for p in op.get("parameters", [])
                if p.get("in") == "path" and not p.get("required")
            }
            if last.strip("{}") in optional:
                short = template.rsplit("/", 1)[0]
                ops.append((method, template, _template_regex(short), short.count("{")))
    return ops


def operation_for(method: str, path: str) -> tuple[str, dict[str, Any]] | None:
    """The swagger operation serving `method path` (fewest path parameters wins)."""
    matches = [
        (params, template)
        for m, template, regex, params in _operations()
        if m == method.lower() and regex.match(path)
    ]
    if not matches:
        return None
    template = min(matches)[1]
    return template, swagger()["paths"][template][method.lower()]


def schema_name(operation: dict[str, Any], status: int) -> str | None:
    response = operation["responses"].get(str(status))
    if response is None:
        raise AssertionError(
            f"HTTP {status} is not a documented response of {operation['operationId']}"
        )
    schema = response.get("schema")
    if schema is None:
        return None
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    # /subscribe/customers/{customer_uid}: {properties: {CustomerResponse: {$ref}, SuperBillingKeyResponse}}
    return "CustomerResponse"


def validate_response(method: str, path: str, status: int, body: Any) -> str:
    """Validate one iamport API response; returns the definition (or 'envelope') it matched."""
    found = operation_for(method, path)
    assert found is not None, f"{method} {path} is not an iamport API path"
    template, operation = found
    name = schema_name(operation, status)
    if name is None:  # 401/404/400 etc.: an envelope whose response is null
        validator_for("ResponseAnnotation").validate(body)
        assert body["response"] is None and body["code"] != 0, body
        return "envelope"
    errors = sorted(validator_for(name).iter_errors(body), key=str)
    assert not errors, f"{method} {template} {status} vs {name}: " + "; ".join(
        f"{list(e.absolute_path)}: {best_match(e.context or [e]).message}" for e in errors[:5]
    )
    assert isinstance(body.get("code"), int)
    if body["code"] != 0:
        assert body["response"] is None
    return name
