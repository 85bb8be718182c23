"""The logging setup (adapters/logs.py): nothing a request carries can write a log line of its
own, in a formatter's output or in a real `dolgo-pay serve`'s log."""

import io
import logging
from pathlib import Path

import httpx

from adapters.logs import CONTINUATION, EscapingFormatter, escape
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
