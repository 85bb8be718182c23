"""schemathesis against a running `dolgo-pay serve` (demo mode, its own SQLite, the in-process
sandbox): every operation of the served OpenAPI document, a bounded number of generated
requests each, as an operator (the admin token reaches every route). No answer may be a 5xx,
and every answer must be one the document declares: status, content type, headers, body."""

from collections.abc import Iterator
from itertools import product

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.http.conftest import NO_LIMITS
from tests.serving import Served, serving

EXAMPLES = 3  # per operation and mode: ~50 operations in a few tens of seconds
MODES = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]  # valid requests, and invalid ones
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with serving(tmp_path_factory.mktemp("schemathesis"), NO_LIMITS) as served:
        yield served


@pytest.fixture(scope="module")
def operator_token(service: Served) -> str:
    r = httpx.post(f"{service.base_url}/api/demo/token", json={"user_seq": 900, "admin": True})
    r.raise_for_status()
    return str(r.json()["access_token"])


@pytest.fixture(scope="module")
def served_schema(service: Served) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(f"{service.base_url}/schema/openapi.json")


def test_every_operation_answers_what_the_document_declares(
    served_schema: schemathesis.BaseSchema, service: Served, operator_token: str
) -> None:
    failures: list[str] = []
    for found, mode in product(served_schema.get_all_operations(), MODES):
        operation = found.ok()

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,  # the same requests on every run: a failure is reproducible
            phases=[Phase.explicit, Phase.generate],  # no shrinking: bounded time
            database=None,
        )
        def call(case: schemathesis.Case) -> None:
            case.call_and_validate(
                base_url=service.base_url,
                headers={"Authorization": f"Bearer {operator_token}"},
                checks=CHECKS,
                timeout=30,
            )

        try:
            call()
        except Unsatisfiable:  # nothing to make invalid: an operation without parameters
            continue
        except Exception as failure:  # noqa: BLE001 - every operation's failure, then one assert
            failures.append(f"{operation.label} ({mode.value}): {str(failure)[:1500]}")
    assert not failures, "\n\n".join(failures)
