"""A fuzz of every JSON body the API decodes, driven by the served OpenAPI document: each field
given every JSON type its schema does not allow, strings past any size, integers past int64,
and bodies that are not JSON, not UTF-8 or not an object. Every answer is a 4xx problem+json
naming the field (or `body`), never a 500; a webhook, whatever its body, is stored first."""

from typing import Any

import pytest

from tests.http.conftest import DEMO_TOKENS, NO_LIMITS, PROBLEM, Api, body_routes

JSON = "application/json"
ENV = {**DEMO_TOKENS, **NO_LIMITS}
# one value of each JSON type; an integer beyond int64 and a string over the body limit
SAMPLES: list[tuple[str, Any]] = [
    ("string", "x"),
    ("integer", 7),
    ("number", 1.5),
    ("boolean", True),
    ("array", [1]),
    ("object", {"a": 1}),
    ("null", None),
]
NOT_JSON = [
    b"",
    b"null",
    b"[]",
    b'"x"',
    b"7",
    b'{"a": 1',
    b'{"a": NaN}',
    b'{"a": Infinity}',
    b'{"name": "\xff\xfe"}',
    "\ufeff{}".encode("utf-16"),
    b"\x00" * 16,
    b"a=1&b=2",
]


def who(path: str) -> str:
    return "admin" if "/admin/" in path else "a"


def resolve(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def allowed_types(schema: dict[str, Any], document: dict[str, Any]) -> set[str]:
    schema = resolve(schema, document)
    kinds = {schema["type"]} if isinstance(schema.get("type"), str) else set(schema.get("type", []))
    for member in schema.get("oneOf", []) + schema.get("anyOf", []):
        kinds |= allowed_types(member, document)
    if "integer" in kinds:
        kinds.add("number_integer")
    return kinds or {"any"}


def wrong_values(schema: dict[str, Any], document: dict[str, Any]) -> list[Any]:
    kinds = allowed_types(schema, document)
    if "any" in kinds:
        return []
    wrong = []
    for kind, value in SAMPLES:
        if kind in kinds or (kind == "integer" and "number" in kinds):
            continue
        wrong.append(value)
    if "integer" in kinds:
        wrong.append(2**64)  # past every column and every declared maximum
    return wrong


def operation(document: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    """The document's operation of a concrete path (its parameters filled in)."""
    template = next(
        p
        for p in document["paths"]
        if p.count("/") == path.count("/")
        and all(
            a == b or a.startswith("{") for a, b in zip(p.split("/"), path.split("/"), strict=True)
        )
        and method.lower() in document["paths"][p]
    )
    return dict(document["paths"][template][method.lower()])


def body_fields(document: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    body = operation(document, method, path)["requestBody"]["content"][JSON]["schema"]
    return dict(resolve(body, document).get("properties", {}))


async def answer(api: Api, method: str, path: str, content: bytes) -> Any:
    headers = {**api.auth(who(path)), "content-type": JSON}
    return await api.client.request(method, path, content=content, headers=headers)


def problem_of(r: Any) -> dict[str, Any]:
    assert 400 <= r.status_code < 500, (r.status_code, r.text)
    assert r.headers["content-type"].startswith(PROBLEM), r.headers
    return dict(r.json())


def named(problem: dict[str, Any]) -> set[str]:
    """Every name a problem gives (a path filled with "1" may be named too, e.g. event_id)."""
    return {problem.get("field"), *(p["name"] for p in problem.get("invalid_params", []))}


@pytest.mark.parametrize("env", [ENV])
async def test_every_field_of_every_body_refuses_every_wrong_type_naming_it(
    api: Api, env: dict
) -> None:
    import json

    document = (await api.client.get("/schema/openapi.json")).json()
    tried = 0
    for method, path in body_routes(api.app):
        for name, schema in body_fields(document, method, path).items():
            for value in wrong_values(schema, document):
                r = await answer(api, method, path, json.dumps({name: value}).encode())
                body = problem_of(r)
                assert (r.status_code, body.get("field")) == (400, name), (method, path, value)
                tried += 1
    assert tried > 300


@pytest.mark.parametrize("env", [ENV])
async def test_huge_strings_are_refused_naming_the_field_or_the_body(api: Api, env: dict) -> None:
    import json

    document = (await api.client.get("/schema/openapi.json")).json()
    for method, path in body_routes(api.app):
        for name, schema in body_fields(document, method, path).items():
            if "string" not in allowed_types(schema, document):
                continue
            for size in (5_000, 70_000):  # under and over the 64 KiB body limit
                r = await answer(api, method, path, json.dumps({name: "가" * size}).encode())
                body = problem_of(r)
                expected = (413, None) if size * 3 > 64 * 1024 else (400, name)
                assert (r.status_code, body.get("field")) == expected, (method, path, size)


@pytest.mark.parametrize("env", [ENV])
async def test_bodies_that_are_no_json_object_are_refused_naming_the_body(
    api: Api, env: dict
) -> None:
    document = (await api.client.get("/schema/openapi.json")).json()
    for method, path in body_routes(api.app):
        optional = not operation(document, method, path)["requestBody"].get("required")
        # no body and null are "no body" where the body is optional
        for content in [c for c in NOT_JSON if not (optional and c in (b"", b"null"))]:
            r = await answer(api, method, path, content)
            assert "body" in named(problem_of(r)), (method, path, content, r.text)


WEBHOOK_BODIES = [
    *NOT_JSON,
    b'{"imp_uid": ' + b"[" * 3000 + b"]" * 3000 + b"}",
    b'{"imp_uid": "imp_1", "status": ' + b"9" * 5000 + b"}",
    ('{"imp_uid": "' + "가" * 20_000 + '"}').encode(),
    b'{"imp_uid": "imp_1\\u0000", "merchant_uid": {"a": 1}, "status": [1]}',
    b"imp_uid=imp_1%0A&status=paid&status=%FF",
]


@pytest.mark.parametrize("content_type", [JSON, "application/x-www-form-urlencoded", ""])
async def test_a_webhook_is_stored_first_whatever_its_body(api: Api, content_type: str) -> None:
    for n, content in enumerate(WEBHOOK_BODIES, start=1):
        r = await api.client.post(
            "/api/webhooks/iamport", content=content, headers={"content-type": content_type}
        )
        assert r.status_code in (200, 400), (content, r.status_code, r.text)
        if r.status_code == 400:
            assert problem_of(r)["field"] in ("imp_uid", "merchant_uid", "status")
        inbox = (await api.get("/api/admin/webhooks?limit=100", who="admin")).json()["items"]
        assert len(inbox) == n, content  # stored, answered 200 or 400
