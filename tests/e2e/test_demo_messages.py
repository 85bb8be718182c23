"""The demo page's one message table (adapters/http/demo/static/messages.ko.json): a Korean
message for every error a sponsor can meet, served beside the page. No browser needed."""

from __future__ import annotations

import re
from pathlib import Path

import msgspec
from litestar import Litestar
from litestar.testing import TestClient

from adapters.http.demo import demo_router
from adapters.http.errors import error_codes
from adapters.http.wire.billing import (
    CancelSubscriptionRequest,
    ChangeSubscriptionRequest,
    OneClickRequest,
    StartSubscriptionRequest,
)
from adapters.http.wire.cards import CompleteCardRequest, RestCardRequest, WindowCardRequest
from adapters.http.wire.orders import CreateOrderRequest, RetryCheckoutRequest
from adapters.http.wire.payments import CompletePaymentRequest, RefundRequest
from tests.e2e.demo_page import MESSAGES

REPO = Path(__file__).resolve().parents[2]
HANGUL = re.compile(r"[\uac00-\ud7a3]")
SPONSOR_BODIES = (
    CreateOrderRequest,
    RetryCheckoutRequest,
    CompletePaymentRequest,
    RefundRequest,
    RestCardRequest,
    WindowCardRequest,
    CompleteCardRequest,
    OneClickRequest,
    StartSubscriptionRequest,
    ChangeSubscriptionRequest,
    CancelSubscriptionRequest,
)


def _field_paths(info: msgspec.inspect.Type, prefix: str = "") -> set[str]:
    """Every field path a validation error can name in a body: `refund_account.holder`, …"""
    if isinstance(info, msgspec.inspect.UnionType):
        return set().union(*(_field_paths(t, prefix) for t in info.types))
    if not isinstance(info, msgspec.inspect.StructType):
        return set()
    paths: set[str] = set()
    for f in info.fields:
        path = f"{prefix}{f.encode_name}"
        paths |= {path} | _field_paths(f.type, f"{path}.")
    return paths


def test_every_error_code_the_api_answers_has_a_message():
    codes = {code for by_status in error_codes().values() for code in by_status}
    assert codes - MESSAGES["codes"].keys() == set()


def test_every_refund_rule_of_the_policy_has_a_message():
    source = (REPO / "domain" / "refund_policy.py").read_text(encoding="utf-8")
    rules = set(re.findall(r'RefundRefused\(\s*f?"([a-z_]+)', source))
    assert {"amount", "business_window", "pg_window", "partial"} <= rules  # the scan works
    assert rules - MESSAGES["refund_rules"].keys() == set()


def test_every_field_of_a_sponsors_request_has_a_korean_name():
    paths = set().union(*(_field_paths(msgspec.inspect.type_info(b)) for b in SPONSOR_BODIES))
    assert "refund_account.holder" in paths  # nested bodies are walked
    assert paths - MESSAGES["fields"].keys() - {"issuance"} == set()


def test_messages_are_korean_and_name_no_code():
    for section, table in MESSAGES.items():
        for key, text in table.items():
            plain = re.sub(r"\{\w+\}", "", text)
            assert HANGUL.search(plain), (section, key, text)
            assert not re.search(r"[A-Za-z_]{3,}", plain), (section, key, text)


def test_the_page_names_the_table_and_it_is_served():
    with TestClient(Litestar([demo_router])) as client:
        assert (
            '<meta name="dolgo-messages-url" content="/demo/static/messages.ko.json">'
            in client.get("/").text
        )
        served = client.get("/demo/static/messages.ko.json")
    assert served.status_code == 200
    assert served.json() == MESSAGES
