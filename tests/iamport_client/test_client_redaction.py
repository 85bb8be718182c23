"""Card data never reaches a log record, an outcome or an exception; personal data is masked."""

import logging

import pytest

from adapters.iamport.bodies import OnetimeRequest
from adapters.iamport.client import IamportClient
from adapters.iamport.redact import redact
from application.gateway import BillingKeyRequest, CancelRequest, GatewayConfigurationError
from domain.card_credentials import CardCredentials
from domain.order import Buyer
from tests.iamport_client.fake_iamport import (
    KEY,
    FakeIamport,
    Reply,
    customer,
    ok,
    payment,
    refuse,
)

NUMBER, EXPIRY, BIRTH, PWD = "9410-8765-4321-0987", "2031-07", "871203", "47"
CARD = CardCredentials(number=NUMBER, expiry=EXPIRY, birth=BIRTH, pwd_2digit=PWD)
TEL, EMAIL, ACCOUNT = "010-9876-5432", "sponsor.kim@example.com", "110-555-123456"
FORBIDDEN = (NUMBER, NUMBER.replace("-", ""), EXPIRY, BIRTH, f'"{PWD}"', TEL, EMAIL, ACCOUNT)


def _leaks(text: str) -> list[str]:
    return [secret for secret in FORBIDDEN if secret in text]


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    return caplog


async def test_no_card_data_in_logs_outcomes_or_errors(
    fake: FakeIamport, client: IamportClient, debug_logs: pytest.LogCaptureFixture
):
    key = BillingKeyRequest(
        customer_uid="card_1",
        pg="nice",
        card=CARD,
        customer_name="김후원",
        customer_email=EMAIL,
        customer_tel=TEL,
    )
    onetime = OnetimeRequest(
        merchant_uid="ord_1", amount=1000, card=CARD, buyer=Buyer(email=EMAIL, tel=TEL)
    )
    cancel = CancelRequest(
        imp_uid="imp_1",
        amount=1000,
        checksum=1000,
        reason="환불",
        refund_holder="김후원",
        refund_bank="88",
        refund_account=ACCOUNT,
        refund_tel=TEL,
    )
    # iamport (or a PG) echoing card data back in its message must not carry it any further
    echo = f"카드 {NUMBER.replace('-', '')} 생년월일 {BIRTH} 유효기간 {EXPIRY} 거절"
    outcomes = []
    fake.on("POST", "/subscribe/customers/card_1", ok(customer("card_1")), refuse(echo, -1))
    outcomes.append(await client.issue_billing_key(key))
    outcomes.append(await client.issue_billing_key(key))
    fake.on(
        "POST",
        "/subscribe/payments/onetime",
        ok(payment("failed", fail_reason=echo, buyer_tel=TEL, buyer_email=EMAIL)),
        refuse(echo, -1, 400),
        Reply(500, {"code": -1, "message": echo, "response": None}),
    )
    for _ in range(3):
        outcomes.append(await client.charge_onetime(onetime))
    fake.on("POST", "/payments/cancel", ok(payment("cancelled", buyer_tel=TEL, buyer_email=EMAIL)))
    outcomes.append(await client.cancel(cancel))

    kinds = [type(o).__name__ for o in outcomes]
    assert kinds == ["Approved", "Rejected", "Declined", "Rejected", "Unknown", "Approved"]
    for outcome in outcomes:
        assert _leaks(repr(outcome)) == []
        assert _leaks(str(getattr(outcome, "reason", getattr(outcome, "message", "")))) == []
    card_data = set(FORBIDDEN[:5])
    assert not card_data & set(_leaks(repr(key)) + _leaks(repr(onetime)))

    records = [r.getMessage() for r in debug_logs.records]
    bodies = [m for m in records if "card_number" in m]
    assert bodies, "request bodies are logged at DEBUG"
    assert any('"pwd_2digit": "***"' in m for m in bodies)
    assert any("************0987" in m for m in bodies)  # last four only
    for message in records:
        assert _leaks(message) == [], message
    # buyer data is masked, not dropped
    assert any("*******5432" in m for m in records)
    assert any("s***@example.com" in m for m in records)
    # the token and the secret do not show either
    assert not any("tok-1" in m for m in records)
    infos = [r.getMessage() for r in debug_logs.records if r.levelno == logging.INFO]
    assert any("issue_billing_key POST /subscribe/customers/card_1 -> approved" in m for m in infos)


async def test_configuration_errors_carry_no_card_data(
    fake: FakeIamport, debug_logs: pytest.LogCaptureFixture
):
    key = BillingKeyRequest(customer_uid="card_1", pg="nice", card=CARD)
    async with IamportClient(fake.base_url, KEY, "wrong") as client:
        with pytest.raises(GatewayConfigurationError) as raised:
            await client.issue_billing_key(key)
    assert _leaks(str(raised.value)) == [] and _leaks(repr(raised.value)) == []
    assert all(_leaks(r.getMessage()) == [] for r in debug_logs.records)
    assert not any("wrong" in r.getMessage() for r in debug_logs.records)


def test_redact_hides_secrets_and_masks_personal_fields():
    body = {
        "card_number": NUMBER,
        "expiry": EXPIRY,
        "birth": BIRTH,
        "pwd_2digit": PWD,
        "cvc": "123",
        "buyer_tel": TEL,
        "buyer_email": EMAIL,
        "refund_account": ACCOUNT,
        "imp_secret": "s3cr3t",
        "access_token": "10395effc0e6c5560f5a1573939dcdf69b19b3d0",
        "nested": [{"customer_tel": TEL, "note": f"card {NUMBER}"}],
        "birth_unset": None,
    }
    out = redact(body)
    assert out["card_number"] == "************0987"
    assert out["expiry"] == out["birth"] == out["pwd_2digit"] == out["cvc"] == "***"
    assert out["imp_secret"] == "***" and out["access_token"] == "1039…"
    assert out["buyer_tel"] == "*******5432" and out["buyer_email"] == "s***@example.com"
    assert out["refund_account"] == "********3456"
    assert out["nested"][0]["customer_tel"] == "*******5432"
    assert NUMBER not in out["nested"][0]["note"]
