"""X-Request-Id (adapters/http/request_id.py): a sane one from the caller is kept, anything else
is replaced by a new id; the response echoes it, whatever route answers (a 404 too)."""

import re

import pytest

from tests.http.conftest import Api

NEW_ID = re.compile(r"[0-9a-f]{32}")


async def test_a_sane_caller_id_is_echoed(api: Api) -> None:
    r = await api.get("/health", who=None, headers={"X-Request-Id": "lb-2026.12.01:abc-7"})
    assert r.headers["x-request-id"] == "lb-2026.12.01:abc-7"


@pytest.mark.parametrize(
    "given", ["", "has space", 'quote"d', "x" * 129, "-leading-dash", "한글", "a;b=c"]
)
async def test_anything_else_is_replaced_by_a_new_id(api: Api, given: str) -> None:
    r = await api.get("/health", who=None, headers={"X-Request-Id": given.encode()})
    assert NEW_ID.fullmatch(r.headers["x-request-id"]), r.headers["x-request-id"]


async def test_every_answer_has_its_own_id_even_an_unrouted_one(api: Api) -> None:
    first = await api.get("/no/such/route", who=None)
    second = await api.get("/api/orders", who=None)  # 401
    assert first.status_code == 404 and second.status_code == 401
    ids = {first.headers["x-request-id"], second.headers["x-request-id"]}
    assert len(ids) == 2 and all(NEW_ID.fullmatch(i) for i in ids)
