"""The logging setup (adapters/logs.py): nothing a request carries can write a log line of its
own or leave a card number in one, in a formatter's output or in a real `dolgo-pay serve`'s
log, in text and in JSON; each line of a request carries the request's id."""

import io
import json
import logging
from pathlib import Path

import httpx
import pytest

from adapters.logs import (
    CONTINUATION,
    FORMAT,
    NO_REQUEST,
    REQUEST_ID,
    EscapingFormatter,
    JsonLines,
    RequestContext,
    escape,
)
from tests.serving import serving

FORGED_LINE = "ERROR dolgo_pay: forged"  # short: the inbox keeps 50 characters of an imp_uid
FORGED = f"imp_1\n{FORGED_LINE}\r\x00\x1b[2J\u2028end"


def formatted(*args: object, exc: BaseException | None = None) -> str:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(EscapingFormatter("%(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("tests.logs")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.error("webhook %s unmatched", *args, exc_info=exc)
    finally:
        logger.removeHandler(handler)
    return out.getvalue()


def test_a_message_stays_on_one_line_with_its_control_characters_escaped() -> None:
    text = formatted(FORGED)
    assert text == f"ERROR tests.logs: webhook {escape(FORGED)} unmatched\n"
    assert "\\nERROR" in text and "\\x00" in text and "\\x1b" in text and "\\u2028" in text


def test_every_line_of_a_traceback_is_marked_as_a_continuation() -> None:
    try:
        raise ValueError(FORGED)
    except ValueError as exc:
        lines = formatted(1, exc=exc).splitlines()
    assert lines[0] == "ERROR tests.logs: webhook 1 unmatched"
    assert len(lines) > 2 and all(line.startswith(CONTINUATION) for line in lines[1:])
    assert "\x00" not in "".join(lines)


def test_a_webhook_imp_uid_writes_no_line_of_its_own_in_serves_log(tmp_path: Path) -> None:
    with serving(tmp_path) as served:
        r = httpx.post(f"{served.base_url}/api/webhooks/iamport", json={"imp_uid": FORGED})
        log = served.log()
    assert r.status_code < 500 and "forged" in log, log  # the imp_uid was logged ...
    assert not [line for line in log.splitlines() if line.startswith(FORGED_LINE)]
    assert "\x00" not in log  # ... escaped, on no line of its own


# -- formats, request ids, card numbers --------------------------------------------------------
CARD = "4111-1111-1111-1111"  # Luhn-valid, as every issued card number is
OUR_ID = "377097481012813"  # one of our 15-digit ids (fails Luhn): stays readable


def json_formatted(message: str, *args: object, request_id: str | None = None) -> dict:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonLines())
    handler.addFilter(RequestContext())
    logger = logging.getLogger("tests.logs.json")
    logger.addHandler(handler)
    logger.propagate = False
    token = REQUEST_ID.set(request_id)
    try:
        try:
            raise ValueError(f"card {CARD}")
        except ValueError:
            logger.exception(message, *args)
    finally:
        REQUEST_ID.reset(token)
        logger.removeHandler(handler)
    [line] = out.getvalue().splitlines()  # the traceback too, on the record's one line
    return json.loads(line)


def test_json_format_is_one_object_per_line_with_the_request_id() -> None:
    record = json_formatted("webhook %s unmatched", FORGED, request_id="req-1")
    assert record["level"] == "ERROR" and record["logger"] == "tests.logs.json"
    assert record["message"] == f"webhook {FORGED} unmatched"
    assert record["request_id"] == "req-1"
    assert record["timestamp"].endswith("+00:00")
    assert "ValueError" in record["exc_info"]


def test_issued_card_numbers_are_masked_in_both_formats_and_our_ids_are_not() -> None:
    record = json_formatted("order %s paid by %s", OUR_ID, CARD)
    assert record["message"] == f"order {OUR_ID} paid by ****-****-****-1111"
    assert "4111" not in record["exc_info"]
    text = formatted(f"{CARD} {CARD.replace('-', '')} {OUR_ID}")
    masked = f"****-****-****-1111 ************1111 {OUR_ID}"
    assert text == f"ERROR tests.logs: webhook {masked} unmatched\n"


def test_text_lines_of_a_request_name_it() -> None:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(EscapingFormatter(FORMAT, defaults=NO_REQUEST))
    handler.addFilter(RequestContext())
    logger = logging.getLogger("tests.logs.text")
    logger.addHandler(handler)
    logger.propagate = False
    token = REQUEST_ID.set("req-2")
    try:
        logger.warning("inside")
    finally:
        REQUEST_ID.reset(token)
    logger.warning("outside")
    logger.removeHandler(handler)
    inside, outside = out.getvalue().splitlines()
    assert inside.endswith(" WARNING tests.logs.text [req-2]: inside")
    assert outside.endswith(" WARNING tests.logs.text: outside")


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_a_card_number_in_requests_reaches_no_line_of_serves_log(
    tmp_path: Path, log_format: str
) -> None:
    """A card number in a query string (uvicorn's access line) and in a webhook's imp_uid (our
    warning, and the lookup's call to the in-process sandbox): masked on every line, each line
    of a request with the request's id."""
    with serving(tmp_path, {"DOLGO_LOG_FORMAT": log_format}) as served:
        r1 = httpx.get(
            f"{served.base_url}/api/orders",
            params={"card": CARD},
            headers={"X-Request-Id": "req-query"},
        )
        r2 = httpx.post(
            f"{served.base_url}/api/webhooks/iamport",
            json={"imp_uid": f"imp_{CARD.replace('-', '')}", "merchant_uid": "dp1a1"},
            headers={"X-Request-Id": "req-hook"},
        )
        log = served.log()
    assert (r1.status_code, r1.headers["x-request-id"]) == (401, "req-query")
    assert (r2.status_code, r2.headers["x-request-id"]) == (200, "req-hook")
    # the card in clear, grouped or not ("4111" alone occurs in timestamps' microseconds)
    assert "4111-1111" not in log and "41111111" not in log, log
    assert "card=****-****-****-1111" in log and "imp_************1111" in log, log

    if log_format == "json":
        lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
        by_request = {
            rid: [line["message"] for line in lines if line["request_id"] == rid]
            for rid in ("req-query", "req-hook")
        }
    else:
        by_request = {
            rid: [line for line in log.splitlines() if f"[{rid}]" in line]
            for rid in ("req-query", "req-hook")
        }
    assert any("GET /api/orders?card=" in line for line in by_request["req-query"]), log
    hook = by_request["req-hook"]
    assert any("POST /api/webhooks/iamport" in line for line in hook), log  # access line
    assert any("unmatched" in line for line in hook), log  # our warning
    assert any("GET /payments/imp_" in line for line in hook), log  # the sandbox's, via iamport
