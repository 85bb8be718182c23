"""The secrets scan (issue #14): no card number, birth date or password digits that the tests
send may be left in what a test run leaves behind — the log records of the run, the logs and
SQLite files of every `dolgo-pay serve` the tests start, every SQL database the tests use
(SQLite files, the MariaDB test database) — in any spelling (plain, spaces, dashes, ...).

A pytest plugin (tests/conftest.py): every log record created in the test process is written
to a file as it is made (a record factory, so records of loggers that do not propagate count
too); databases and serve logs are scanned when their test ends, before they are emptied or
deleted (`scan_database`, `scan_folder`), and the record file, the run's temporary folder and
the MariaDB test database when the session ends. A finding fails the run (exit 1) and names
the kind, the place and the secret's last digits only; the summary says what was scanned.

What the secrets are is read from the tests themselves (`harvest`): every value the tests give
a `card_number` / `card`, `birth` or `pwd_2digit`, every Luhn-valid 13–19-digit number in
their strings, and the sandbox's test cards. The sandbox keeps what it is sent in memory only
(no file, no database), so there is nothing of it to exclude. Records the tests log themselves
(logger `tests.*`) are left out: tests/test_logs.py logs card numbers on purpose to check the
masking of log lines.
"""

from __future__ import annotations

import ast
import json
import logging
import os
import re
import sqlite3
import sys
import tempfile
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import FrameType
from typing import Any

from domain.masking import luhn_valid

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"
CARD_KEYS = frozenset({"card_number", "card"})
BIRTH_KEYS = frozenset({"birth"})
PASSWORD_KEYS = frozenset({"pwd_2digit"})
CARD_SHAPED = re.compile(r"(?<!\d)\d(?:[ -]?\d){12,18}(?!\d)")
# one optional separator between two digits: "4111 1111…", "4111-1111…", "4111%201111…"
GAP = r"(?:[\s./+-]|%20)?"
PASSWORD_IN_CONTEXT = re.compile(r"pwd_2digit\W{0,8}(\d{2})(?!\d)")
SHOWN = {"card number": 4, "birth date": 2}  # digits a finding shows of the secret
# Notifications as they arrived at the public webhook URL (ADR 0020): a test posts a card number
# as an imp_uid to check the log masking, and the inbox keeps it verbatim. Open: docs/adr/0028.
UNSCANNED_TABLES = frozenset({"webhook_inbox"})
SQLITE_MAGIC = b"SQLite format 3\x00"
LOG_SUFFIXES = (".log", ".txt", ".out", ".err")


@dataclass(frozen=True)
class Secrets:
    cards: frozenset[str]  # digits only
    births: frozenset[str]
    passwords: frozenset[str]


def _constants(tree: ast.AST) -> dict[str, str]:
    """NAME = "..." (and NAME, OTHER = "...", "...") anywhere in a module."""
    out: dict[str, str] = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Assign):
            continue
        for target in node.targets:
            names = target.elts if isinstance(target, ast.Tuple) else [target]
            values = node.value.elts if isinstance(node.value, ast.Tuple) else [node.value]
            for name, value in zip(names, values, strict=False):
                if isinstance(name, ast.Name) and isinstance(value, ast.Constant):
                    if isinstance(value.value, str):
                        out[name.id] = value.value
    return out


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)


# CardCredentials(number, expiry, birth, pwd_2digit): its fields by position and by name
CREDENTIALS = ("card_number", "expiry", "birth", "pwd_2digit")


def _pairs(node: ast.AST) -> Iterator[tuple[str, ast.AST]]:
    """(key, value) of a dict literal's entries, a call's keywords, CardCredentials' fields."""
    if isinstance(node, ast.Dict):
        for k, v in zip(node.keys, node.values, strict=True):
            if isinstance(k, ast.Constant) and isinstance(k.value, str):
                yield k.value, v
    elif isinstance(node, ast.Call):
        credentials = getattr(node.func, "id", getattr(node.func, "attr", "")) == "CardCredentials"
        if credentials:
            yield from zip(CREDENTIALS, node.args, strict=False)
        for keyword in node.keywords:
            if keyword.arg:
                arg = "card_number" if credentials and keyword.arg == "number" else keyword.arg
                yield arg, keyword.value


@cache
def harvest() -> Secrets:
    """The card data the tests use, read from tests/**/*.py and the sandbox's test cards."""
    cards: set[str] = set()
    births: set[str] = set()
    passwords: set[str] = set()
    buckets = [(CARD_KEYS, cards), (BIRTH_KEYS, births), (PASSWORD_KEYS, passwords)]
    for path in sorted(TESTS.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = _constants(tree)
        for node in ast.walk(tree):
            for key, value in _pairs(node):
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    text = value.value
                elif isinstance(value, ast.Name) and value.id in constants:
                    text = constants[value.id]
                else:
                    continue
                for keys, bucket in buckets:
                    if key in keys and _digits(text):
                        bucket.add(_digits(text))
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                for found in CARD_SHAPED.finditer(node.value):
                    if luhn_valid(_digits(found.group())):
                        cards.add(_digits(found.group()))
    from adapters.iamport.sandbox.cards import TEST_CARDS

    cards.update(_digits(c.number) for c in TEST_CARDS)
    return Secrets(
        frozenset(c for c in cards if 12 <= len(c) <= 19),
        frozenset(b for b in births if len(b) in (6, 10)),
        frozenset(p for p in passwords if len(p) == 2),
    )


def _spelled(digits: str) -> str:
    return GAP.join(digits)


@cache
def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    s = harvest()
    out = []
    for kind, values in (("card number", s.cards), ("birth date", s.births)):
        if values:
            alternatives = "|".join(_spelled(v) for v in sorted(values, key=len, reverse=True))
            # Bounded by anything but a letter or digit: a request id or token in hex may hold
            # any six digits ("…a880214f5…" is not a birth date), a leak is a value of its own.
            out.append((kind, re.compile(rf"(?<![0-9A-Za-z])(?:{alternatives})(?![0-9A-Za-z])")))
    return out


@dataclass
class Scan:
    findings: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    counts: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def text(self, text: str, where: str) -> None:
        for kind, pattern in _patterns():
            for found in pattern.finditer(text):
                self._found(kind, where, "…" + _digits(found.group())[-SHOWN[kind] :])
        for _ in PASSWORD_IN_CONTEXT.finditer(text):
            self._found("password digits", where, "••")

    def _found(self, kind: str, where: str, hint: str) -> None:
        with self.lock:
            self.findings[(kind, where, hint)] += 1

    def count(self, what: str, n: int = 1) -> None:
        with self.lock:
            self.counts[what] += n

    # -- files -----------------------------------------------------------------------------
    def file(self, path: Path, where: str | None = None) -> None:
        try:
            with path.open("rb") as f:
                head = f.read(len(SQLITE_MAGIC))
        except OSError:
            return
        if head == SQLITE_MAGIC:
            self.sqlite(path, where)
        elif path.suffix in LOG_SUFFIXES:
            self.log_file(path, where)

    def log_file(self, path: Path, where: str | None = None) -> None:
        where = where or str(path)
        with path.open(encoding="utf-8", errors="replace") as f:
            for n, line in enumerate(f, 1):
                self.text(line, f"{where}:{n}")
                self.count("log lines")
        self.count("log files")

    def folder(self, folder: Path, where: str) -> None:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.name.endswith(("-wal", "-shm", "-journal")):
                self.file(path, f"{where}/{path.relative_to(folder)}")

    def sqlite(self, path: Path, where: str | None = None) -> None:
        where = where or str(path)
        try:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        except sqlite3.Error:
            return
        try:
            tables = [
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            ]
            for table in tables:
                self.rows(where, table, conn.execute(f'SELECT * FROM "{table}"'))
        except sqlite3.Error:
            self.count("unreadable SQLite files")
            return
        finally:
            conn.close()
        self.count("SQLite databases")
        self.count("tables", len(tables))

    def rows(self, where: str, table: str, rows: Iterable[Iterable[Any]]) -> None:
        where = f"{where} {table}"
        if table in UNSCANNED_TABLES:
            self.count(f"{table} rows left unscanned", sum(1 for _ in rows))
            return
        n = 0
        for row in rows:
            n += 1
            self.text(" | ".join("" if v is None else _text(v) for v in row), f"{where} row {n}")
        self.count("rows", n)

    # -- MariaDB ---------------------------------------------------------------------------
    async def engine(self, engine: Any, where: str) -> None:
        """Every table of a SQLAlchemy async engine's database (before a test empties it)."""
        from sqlalchemy import text

        from adapters.persistence.tables import metadata

        try:
            async with engine.connect() as conn:
                for table in metadata.sorted_tables:
                    result = await conn.execute(text(f"SELECT * FROM {table.name}"))
                    self.rows(where, table.name, result.all())
                await conn.rollback()
        except Exception:  # the test broke its database: the scan at the session's end reads it
            self.count("SQL databases unreadable at a test's end")
            return
        self.count("SQL databases (at a test's end)")
        self.count("tables", len(metadata.sorted_tables))

    def mysql(self, url: str) -> None:
        """Every table of every test database on the MariaDB server of `url`."""
        import pymysql
        from sqlalchemy.engine import make_url

        parsed = make_url(url)
        try:
            conn = pymysql.connect(
                host=parsed.host,
                port=parsed.port or 3306,
                user=parsed.username or "root",
                password=parsed.password or "",
                charset="utf8mb4",
            )
        except pymysql.MySQLError:
            return
        with conn, conn.cursor() as cursor:
            cursor.execute("SHOW DATABASES")
            names = [r[0] for r in cursor.fetchall()]
            wanted = [
                n
                for n in names
                if n == parsed.database or n.startswith(f"dolgo_test_{os.getpid()}")
            ]
            for name in wanted:
                cursor.execute(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
                    (name,),
                )
                tables = [r[0] for r in cursor.fetchall()]
                for table in tables:
                    cursor.execute(f"SELECT * FROM `{name}`.`{table}`")
                    self.rows(f"mariadb {name}", table, cursor.fetchall())
                self.count("MariaDB databases (at the end)")
                self.count("tables", len(tables))

    def report(self) -> list[str]:
        counted = ", ".join(f"{n:,} {what}" for what, n in sorted(self.counts.items()))
        s = harvest()
        lines = [
            f"secrets scan: looked for {len(s.cards)} test card numbers, {len(s.births)} birth"
            f" dates and password digits in {counted}"
        ]
        for (kind, where, hint), n in sorted(self.findings.items()):
            lines.append(
                f"secrets scan: FOUND {kind} ({hint}) in {where}" + (f" ×{n}" if n > 1 else "")
            )
        if self.findings:
            lines.append(f"secrets scan: FAILED the run: {len(self.findings)} finding(s) above")
        return lines


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


SCAN = Scan()


# -- log records -------------------------------------------------------------------------------
SERVICE_CODE = tuple(str(ROOT / d) + os.sep for d in ("adapters", "application", "domain"))
TEST_CODE = str(TESTS) + os.sep


def made_by_a_test_alone(frame: FrameType | None) -> bool:
    """Whether a record was made by the tests' own code with none of the service's on the
    stack: a test's own log line, or its HTTP client's line about a request it sent."""
    by_test = False
    while frame is not None:
        filename = frame.f_code.co_filename
        if filename.startswith(SERVICE_CODE):
            return False
        by_test = by_test or filename.startswith(TEST_CODE)
        frame = frame.f_back
    return by_test


class RecordTee:
    """Writes every log record made in this process to a file, formatted with its traceback,
    except those a test made alone (tests/test_logs.py logs card numbers on purpose, and
    sends them to a `serve` whose log is scanned)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.file = path.open("w", encoding="utf-8")
        self.lock = threading.Lock()
        self.previous = logging.getLogRecordFactory()
        self.formatter = logging.Formatter("%(levelname)s %(name)s: %(message)s")

    def install(self) -> None:
        previous = self.previous

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            if not made_by_a_test_alone(sys._getframe(1)):
                self.write(record)
            return record

        logging.setLogRecordFactory(factory)

    def write(self, record: logging.LogRecord) -> None:
        try:
            line = self.formatter.format(record)
        except Exception:  # a record whose arguments do not fit its message: keep both
            line = f"{record.msg!r} {record.args!r}"
        # formatting filled the cache the handlers would fill: let them format their own way
        record.exc_text = None
        with self.lock:
            if not self.file.closed:
                self.file.write(line.replace("\n", "\n\t") + "\n")

    def close(self) -> None:
        logging.setLogRecordFactory(self.previous)
        with self.lock:
            self.file.close()


_tee: RecordTee | None = None


def pytest_configure(config: Any) -> None:
    global _tee
    folder = Path(tempfile.mkdtemp(prefix="dolgo-secrets-scan-"))
    _tee = RecordTee(folder / "log-records.txt")
    _tee.install()


def pytest_sessionfinish(session: Any, exitstatus: int) -> None:
    if _tee is None:
        return
    _tee.close()
    SCAN.log_file(_tee.path, "the run's log records")
    SCAN.count("log records files")
    basetemp = session.config._tmp_path_factory.getbasetemp()
    SCAN.folder(Path(basetemp), "pytest's temporary folder")
    from tests.persistence.databases import mysql_test_url

    SCAN.mysql(mysql_test_url())
    if SCAN.findings:
        session.exitstatus = 1
    else:
        for path in _tee.path.parent.iterdir():
            path.unlink()
        _tee.path.parent.rmdir()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for line in SCAN.report():
        terminalreporter.write_line(line, red="FOUND" in line)
