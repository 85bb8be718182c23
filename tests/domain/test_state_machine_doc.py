"""ADR 0002's tables and the code's (domain/state_machine.py, the breaker, the application's
records) describe the same machines."""

import re
from pathlib import Path

from application.outbox import DELIVERY
from application.records import IDEMPOTENCY, INBOX
from domain.channel_health import BREAKER
from domain.state_machine import ALL, ORDER_ACTIONS, PAYMENT_FACTS

ADR = Path(__file__).resolve().parents[2] / "docs" / "adr" / "0002-state-machine.md"
ROW = re.compile(r"^\|\s*(\w[\w ]*?)\s*\|\s*(\w+)\s*\|\s*(\w+)\s*\|\s*(\w+)\s*\|\s*$")
ACTION_ROW = re.compile(r"^\|\s*(\w+)\s*\|\s*([A-Z_, ]+)\s*\|\s*$")
FACT_ROW = re.compile(r"^\|\s*([a-z_]+)\s*\|\s*([A-Z_]+)\s*\|\s*([a-z_]+)\s*\|\s*$")


def adr_rows() -> list[tuple[str, str, str, str]]:
    rows = []
    for line in ADR.read_text(encoding="utf-8").splitlines():
        m = ROW.match(line)
        if m and m.group(1) != "entity":
            rows.append((m.group(1), m.group(2), m.group(3), m.group(4)))
    return rows


def code_rows() -> list[tuple[str, str, str, str]]:
    return [
        (machine.entity, state.name, str(event.value), target.name)
        for machine in (*ALL, INBOX, IDEMPOTENCY, DELIVERY, BREAKER)
        for (state, event), target in machine.table.items()
    ]


def test_the_adr_table_equals_the_code_tables():
    assert sorted(adr_rows()) == sorted(code_rows())


def test_the_adr_table_lists_no_transition_twice():
    rows = adr_rows()
    assert len(rows) == len(set(rows))


def test_the_adr_actions_table_equals_the_code_table():
    rows = {}
    for line in ADR.read_text(encoding="utf-8").splitlines():
        if m := ACTION_ROW.match(line):
            rows[m.group(1)] = {name.strip() for name in m.group(2).split(",")}
    assert rows == {a.value: {s.name for s in allowed} for a, allowed in ORDER_ACTIONS.items()}


def test_the_adr_facts_table_equals_the_code_table():
    rows = [
        m.groups()
        for line in ADR.read_text(encoding="utf-8").splitlines()
        if (m := FACT_ROW.match(line))
    ]
    assert len(rows) == len(set(rows))
    code = {(str(fact), status.name, str(event)) for (fact, status), event in PAYMENT_FACTS.items()}
    assert set(rows) == code
