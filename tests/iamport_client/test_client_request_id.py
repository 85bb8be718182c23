"""The iamport client's calls carry the id of the request they serve: in its call log lines
(the logging setup's RequestContext) and, as X-Request-Id, in what iamport receives."""

import io
import json
import logging
from collections.abc import Iterator

import pytest

from adapters.iamport.client import IamportClient
from adapters.logs import REQUEST_ID, JsonLines, RequestContext
from tests.iamport_client.fake_iamport import FakeIamport, ok

PREPARED = {"merchant_uid": "ord_1", "amount": 1000}


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """The iamport client's log lines, as DOLGO_LOG_FORMAT=json writes them (INFO and up)."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonLines())
    handler.addFilter(RequestContext())
    logger = logging.getLogger("dolgo_pay.iamport")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield out
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


async def test_a_call_logs_and_sends_the_request_id(
    fake: FakeIamport, client: IamportClient, json_lines: io.StringIO
) -> None:
    fake.on("POST", "/payments/prepare", ok(PREPARED))
    token = REQUEST_ID.set("req-7f3a")
    try:
        await client.prepare("ord_1", 1000)
    finally:
        REQUEST_ID.reset(token)

    lines = [json.loads(line) for line in json_lines.getvalue().splitlines()]
    calls = [line for line in lines if line["message"].startswith("iamport prepare ")]
    assert len(calls) == 1 and calls[0]["request_id"] == "req-7f3a", lines
    assert fake.seen("POST", "/payments/prepare")[0].headers["x-request-id"] == "req-7f3a"
    assert fake.seen("POST", "/users/getToken")[0].headers["x-request-id"] == "req-7f3a"


async def test_outside_a_request_nothing_is_invented(
    fake: FakeIamport, client: IamportClient, json_lines: io.StringIO
) -> None:
    fake.on("POST", "/payments/prepare", ok(PREPARED))
    await client.prepare("ord_1", 1000)
    lines = [json.loads(line) for line in json_lines.getvalue().splitlines()]
    assert lines and all(line["request_id"] is None for line in lines)
    assert "x-request-id" not in fake.seen("POST", "/payments/prepare")[0].headers
