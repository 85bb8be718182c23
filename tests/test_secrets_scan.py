"""The secrets scan (tests/secrets_scan.py) finds the tests' card data in any spelling, in log
records, log files and SQLite files, and never repeats a secret in full."""

import logging
import sqlite3
import tempfile
from pathlib import Path

from tests.secrets_scan import ROOT, RecordTee, Scan, harvest

CARD = "4111-1111-1111-1111"  # the sandbox's approving card


def found(text: str) -> list[tuple[str, str]]:
    scan = Scan()
    scan.text(text, "here")
    return sorted((kind, hint) for kind, _, hint in scan.findings)


def test_the_harvest_holds_the_cards_births_and_passwords_the_tests_send() -> None:
    s = harvest()
    assert {
        "4111111111111111",
        "5365103482914417",
        "9410876543210987",
        "4000000000000127",
    } <= s.cards
    assert {"900101", "730415", "871203"} <= s.births
    assert {"12", "93", "47"} <= s.passwords


def test_a_card_number_is_found_plain_grouped_and_url_encoded() -> None:
    for spelled in (
        "4111111111111111",
        "4111 1111 1111 1111",
        "4111-1111-1111-1111",
        "4111%201111%201111%201111",
        '{"card_number": "4111.1111.1111.1111"}',
    ):
        assert found(f"x {spelled} y") == [("card number", "…1111")], spelled


def test_masked_numbers_and_longer_digit_runs_are_not_findings() -> None:
    assert found("card 4111-11**-****-1111, ****-****-****-1111") == []
    assert found("id 941111111111111112 and 41111111111111110") == []


def test_digits_inside_a_hex_id_are_not_findings() -> None:
    # a request id in a serve log once held a test birth date, and failed a run
    assert found("INFO [7d301ac2eee848c3ae9a900101f5] POST /api/orders") == []
    assert found("token=ab4111111111111111cd") == []


def test_birth_dates_and_password_digits_are_found() -> None:
    assert found("birth=900101") == [("birth date", "…01")]
    assert found('{"birth":"900101"}') == found("[900101]") == [("birth date", "…01")]
    assert found('{"pwd_2digit": "12"}') == [("password digits", "••")]
    assert found("paid 12 of 12") == []


def test_the_report_never_repeats_a_secret_in_full() -> None:
    scan = Scan()
    scan.text(f"{CARD} 900101 pwd_2digit=12", "a log line")
    report = "\n".join(scan.report())
    assert "FOUND card number (…1111) in a log line" in report
    assert "1111-1111" not in report and "11111111" not in report and "900101" not in report


def test_a_sqlite_file_and_a_log_file_are_read() -> None:
    with tempfile.TemporaryDirectory() as tmp:  # not pytest's folder: the session scans that
        folder = Path(tmp)
        conn = sqlite3.connect(folder / "x.db")
        conn.execute("CREATE TABLE payment (seq INTEGER, note TEXT)")
        conn.execute(
            "INSERT INTO payment VALUES (1, 'masked 4111-11**-****-1111'), (2, ?)", (CARD,)
        )
        conn.commit()
        conn.close()
        (folder / "serve.log").write_text("ok\nWARNING dolgo_pay: card 4111 1111 1111 1111\n")
        scan = Scan()
        scan.folder(folder, "f")
    assert sorted(where for _, where, _ in scan.findings) == [
        "f/serve.log:2",
        "f/x.db payment row 2",
    ]
    assert scan.counts["SQLite databases"] == 1 and scan.counts["rows"] == 2


# code that runs as the service's own: compiled under a file name in adapters/
SERVICE_LINE = compile(
    "logging.getLogger(name).warning('card %s', card)",
    str(ROOT / "adapters" / "planted.py"),
    "exec",
)


def test_every_record_the_service_makes_is_teed_also_from_a_logger_that_does_not_propagate() -> (
    None
):
    quiet = logging.getLogger("dolgo_pay.planted")
    quiet.propagate = False
    session_factory = logging.getLogRecordFactory()
    logging.setLogRecordFactory(logging.LogRecord)  # keep the plant out of this run's own scan
    with tempfile.TemporaryDirectory() as tmp:
        try:
            tee = RecordTee(Path(tmp) / "records.txt")
            tee.install()
            exec(SERVICE_LINE, {"logging": logging, "name": quiet.name, "card": CARD})
            quiet.warning("card %s", CARD)  # the test's own line: no service code on the stack
            tee.close()
        finally:
            logging.setLogRecordFactory(session_factory)
        lines = tee.path.read_text().splitlines()
    assert lines == [f"WARNING dolgo_pay.planted: card {CARD}"]


def test_the_webhook_inbox_is_counted_but_not_read() -> None:
    scan = Scan()
    scan.rows("db", "webhook_inbox", [(1, f'{{"imp_uid": "imp_{CARD}"}}')])
    scan.rows("db", "payment", [(1, CARD)])
    assert [where for _, where, _ in scan.findings] == ["db payment row 1"]
    assert scan.counts["webhook_inbox rows left unscanned"] == 1
