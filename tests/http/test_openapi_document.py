"""The served OpenAPI document is valid OpenAPI 3.1, and what it declares is what is answered."""

from pathlib import Path

import pytest
from openapi_spec_validator import validate

from tests.http.conftest import DEMO_TOKENS, Api, assert_problem

CONTRACT = Path(__file__).resolve().parents[2] / "docs" / "contract.md"


@pytest.mark.parametrize("env", [{}, DEMO_TOKENS])
async def test_the_served_document_passes_openapi_spec_validator(api: Api, env: dict) -> None:
    schema = (await api.client.get("/schema/openapi.json")).json()
    assert schema["openapi"].startswith("3.1")
    validate(schema)  # raises on the first error
    bearer = schema["components"]["securitySchemes"]["BearerToken"]
    assert bearer["type"] == "http" and bearer["scheme"].lower() == "bearer"
    assert "name" not in bearer and "in" not in bearer


async def test_payment_return_declares_the_problem_it_answers(api: Api) -> None:
    schema = (await api.client.get("/schema/openapi.json")).json()
    declared = schema["paths"]["/payments/return"]["get"]["responses"]["400"]["content"]
    assert list(declared) == ["application/problem+json"]
    answered = await api.client.get("/payments/return?merchant_uid=not%20a%20uid")
    assert assert_problem(answered, 400, "validation_error")["field"] == "merchant_uid"


async def test_payment_return_declares_its_not_found_page(api: Api) -> None:
    schema = (await api.client.get("/schema/openapi.json")).json()
    declared = schema["paths"]["/payments/return"]["get"]["responses"]["404"]["content"]
    answered = await api.client.get("/payments/return?merchant_uid=dp999a1")
    assert answered.status_code == 404 and list(declared) == ["text/html"]
    assert answered.headers["content-type"].startswith("text/html")


async def test_metrics_are_declared_and_answered_as_prometheus_text(api: Api) -> None:
    schema = (await api.client.get("/schema/openapi.json")).json()
    declared = schema["paths"]["/metrics"]["get"]["responses"]["200"]["content"]
    answered = await api.client.get("/metrics")
    assert list(declared) == ["text/plain"]
    assert answered.headers["content-type"].startswith("text/plain; version=")
    assert "# TYPE dolgo_pay_" in answered.text


async def test_the_docs_pages_load_only_this_services_assets(api: Api) -> None:
    import re

    for path in ("/schema", "/schema/swagger"):
        page = await api.client.get(path)
        assert page.status_code == 200
        urls = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page.text)
        assert len(urls) == 4, urls  # script, preset, style, icon
        for url in urls:
            assert url.startswith("/schema/assets/swagger-ui/"), url
            asset = await api.client.get(url)  # no token: the docs are public
            assert asset.status_code == 200 and asset.content, url


@pytest.mark.parametrize("env", [DEMO_TOKENS])
async def test_every_served_route_is_in_the_contract(api: Api, env: dict) -> None:
    contract = CONTRACT.read_text()  # noqa: ASYNC240 - a small file, in a test
    schema = (await api.client.get("/schema/openapi.json")).json()
    routes = [
        f"`{method.upper()} {path}`"
        for path, item in schema["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    ]
    assert len(routes) > 30
    missing = [r for r in routes if r not in contract]
    assert missing == [], "add these to docs/contract.md §5"
