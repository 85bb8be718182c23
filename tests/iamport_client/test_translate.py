"""Golden samples from docs/iamport.md decode with the wire types and translate to the outcome."""

import inspect
import json
from datetime import UTC, datetime

import msgspec
import pytest

from adapters.iamport import translate, wire
from adapters.iamport.client import IamportClient
from adapters.iamport.translate import Missing, classify
from application.gateway import (
    Approved,
    BillingKeyInfo,
    Declined,
    GatewayPayment,
    IamportGateway,
    IamportStatus,
    NotAttempted,
    NotFound,
    Pending,
    PreparedAmount,
    Rejected,
    Unknown,
)
from tests.iamport_client import samples


def _b(text: str) -> bytes:
    return text.encode()


def test_kakaopay_cancelled_payment_translates_every_field() -> None:
    p = translate.payment(wire.decode(_b(samples.KAKAOPAY_CANCELLED), wire.WirePayment))
    assert p.imp_uid == "imp_809776678494"
    assert p.merchant_uid == "4_subscribe_2023_09_08_142616185"
    assert p.status is IamportStatus.CANCELLED
    assert (p.amount, p.cancel_amount, p.currency) == (5900, 5900, "KRW")
    assert (p.pay_method, p.pg_provider, p.pg_id) == ("point", "kakaopay", "TCSUBSCRIP")
    assert p.channel == "mobile" and p.sandbox is False
    assert p.card_type is None and p.apply_num == ""
    assert p.paid_at == datetime.fromtimestamp(1694150787, UTC)
    assert p.started_at == datetime.fromtimestamp(1694150776, UTC)
    assert p.failed_at is None and p.vbank_date is None  # 0 = unset
    assert p.cancel_reason == "잘못된 결제"
    assert p.customer_uid == "4" and p.customer_uid_usage == "issue"
    (entry,) = p.cancel_history
    assert entry.amount == 5900 and entry.reason == "잘못된 결제"
    assert entry.cancelled_at == datetime.fromtimestamp(1694156059, UTC)
    assert entry.cancellation_id is None  # absent in real samples
    # a lookup of it: cancelled → Approved
    assert translate.read_payment_status(msgspec.Raw(_b(samples.KAKAOPAY_CANCELLED))) == Approved(p)


def test_token_sample() -> None:
    envelope = wire.decode_envelope(_b(samples.TOKEN))
    token = wire.decode(envelope.response, wire.WireToken)
    assert token.access_token == "10395effc0e6c5560f5a1573939dcdf69b19b3d0"
    assert token.expired_at - token.now == 1800


def test_prepare_sample() -> None:
    outcome = classify(200, _b(samples.PREPARE), translate.read_prepared)
    assert outcome == Approved(PreparedAmount("ord_20240101_001", 12000))


def test_cancel_sample_is_approved_with_the_updated_payment() -> None:
    outcome = classify(200, _b(samples.CANCEL), translate.read_payment)
    assert isinstance(outcome, Approved)
    p: GatewayPayment = outcome.value
    assert p.status is IamportStatus.CANCELLED and p.cancel_amount == 100
    assert p.cancel_history[0].pg_tid == "StdpayISP_INIpayTest20210729220648397020"


def test_customer_sample() -> None:
    outcome = classify(200, _b(samples.CUSTOMER), translate.read_customer)
    assert outcome == Approved(
        BillingKeyInfo(
            customer_uid="gildong_0001_1234",
            pg_provider="nice",
            pg_id="nictest04m",
            card_name="신한카드",
            card_code="366",
            card_number="5594-10**-****-1234",
            card_type=0,
            sandbox=True,
            inserted=datetime.fromtimestamp(1700000000, UTC),
        )
    )


def test_again_failed_is_declined_with_fail_reason() -> None:
    outcome = classify(200, _b(samples.AGAIN_FAILED), translate.read_payment_status)
    assert isinstance(outcome, Declined)
    assert outcome.reason == "잔액부족 (illustrative)"
    assert outcome.payment is not None and outcome.payment.status is IamportStatus.FAILED
    assert outcome.payment.failed_at == datetime.fromtimestamp(1700000100, UTC)
    assert outcome.payment.paid_at is None
    assert outcome.payment.currency == "KRW"  # absent: iamport's default


def test_unschedule_sample_decodes() -> None:
    envelope = wire.decode_envelope(_b(samples.UNSCHEDULE))
    (schedule,) = wire.decode(envelope.response, list[wire.WireSchedule])
    assert schedule.schedule_status == "revoked" and schedule.imp_uid is None
    assert schedule.executed_at == 0 and schedule.amount == 5900


@pytest.mark.parametrize(
    ("body", "code", "message"),
    [
        (samples.NOTHING_TO_CANCEL, 1, "취소할 결제건이 존재하지 않습니다."),
        (samples.ALREADY_CANCELLED, 1, "이미 전액취소된 주문입니다."),
        (samples.UNKNOWN_BUYER, 1, "등록되지 않은 구매자입니다."),
        (samples.UNKNOWN_BUYER_MINUS, -1, "등록되지 않은 구매자입니다."),
        (samples.CARD_REFUSED, -1, "카드정보 인증에 실패하였습니다. [F113]거래거절 카드번호틀림"),
    ],
)
def test_code_not_zero_is_rejected_with_iamports_message(
    body: str, code: int, message: str
) -> None:
    for read in (translate.read_payment_status, translate.read_payment, translate.read_customer):
        assert classify(200, _b(body), read) == Rejected(message, code)


def test_customer_unknown_on_200_is_rejected_even_for_a_lookup() -> None:
    outcome = classify(
        200, _b(samples.CUSTOMER_UNKNOWN), translate.read_customer, missing=Missing.NOT_FOUND
    )
    assert isinstance(outcome, Rejected) and outcome.code == 1


def test_404_is_not_found_for_lookups_and_rejected_for_commands() -> None:
    body = _b(samples.NOT_FOUND)
    read = translate.read_payment_status
    assert classify(404, body, read, missing=Missing.NOT_FOUND) == NotFound(
        "존재하지 않는 결제정보입니다."
    )
    assert classify(404, body, read) == Rejected("존재하지 않는 결제정보입니다.", -1)


def test_lookup_statuses() -> None:
    base = {"imp_uid": "imp_1", "merchant_uid": "m", "amount": 1000}

    def lookup(status: str, **extra: object) -> object:
        body = json.dumps(
            {"code": 0, "message": None, "response": {**base, "status": status, **extra}}
        )
        return classify(200, body.encode(), translate.read_payment_status)

    assert isinstance(lookup("paid"), Approved)
    assert isinstance(lookup("cancelled"), Approved)
    pending = lookup("ready", pay_method="vbank", vbank_num="123-456", vbank_date=1700003600)
    assert isinstance(pending, Pending) and pending.payment.vbank_num == "123-456"
    declined = lookup("failed", fail_reason=None)
    assert isinstance(declined, Declined) and declined.reason  # never empty
    assert isinstance(lookup("partially_refunded"), Unknown)  # a status we do not know
    assert isinstance(lookup("paid", amount=1000.5), Unknown)  # not a KRW amount


def test_tolerant_of_unknown_fields_nulls_and_lax_types() -> None:
    body = (
        b'{"code":"0","message":null,"extra":1,"response":{"imp_uid":"imp_1","merchant_uid":"m",'
        b'"status":"paid","amount":"1000","cancel_amount":null,"sandbox":null,"brand_new":{"x":1},'
        b'"card_quota":null,"custom_data":"{\\"order\\":7}","paid_at":null,"cancel_history":null}}'
    )
    outcome = classify(200, body, translate.read_payment_status)
    assert isinstance(outcome, Approved)
    assert outcome.value.amount == 1000 and outcome.value.cancel_amount == 0
    assert outcome.value.paid_at is None and outcome.value.sandbox is False
    envelope = wire.decode_envelope(body)
    assert wire.decode(envelope.response, wire.WirePayment).custom_data_object() == {"order": 7}


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (200, b"<html>bad gateway</html>", Unknown),
        (200, b'{"code":0,"message":null,"response":null}', Unknown),
        (200, b'{"code":0,"message":null,"response":{"unexpected":true}}', Unknown),
        (500, b'{"code":-1,"message":"internal","response":null}', Unknown),
        (502, b"", Unknown),
        (302, b"", Unknown),
        (400, b'{"code":-1,"message":"bad page","response":null}', Rejected),
        (403, b"forbidden", Rejected),
    ],
)
def test_classification_table(status: int, body: bytes, expected: type) -> None:
    assert isinstance(classify(status, body, translate.read_payment_status), expected)


def test_207_reads_the_partial_list() -> None:
    body = (
        b'{"code":1,"message":"some ids failed","response":[{"imp_uid":"imp_1",'
        b'"merchant_uid":"m","status":"paid","amount":10}]}'
    )
    outcome = classify(207, body, translate.read_payments, missing=Missing.NOT_FOUND)
    assert isinstance(outcome, Approved) and [p.imp_uid for p in outcome.value] == ["imp_1"]


def test_messages_are_scrubbed_of_card_data() -> None:
    body = '{"code":-1,"message":"카드번호 9410-1234-5678-9012 / 생년 871203 거절","response":null}'
    outcome = classify(200, body.encode(), translate.read_payment, secrets=("871203",))
    assert isinstance(outcome, Rejected)
    assert "9410-1234-5678-9012" not in outcome.message and "871203" not in outcome.message
    assert "9012" in outcome.message  # the last four survive, as on a receipt


def test_outcome_names() -> None:
    assert translate.outcome_name(Approved(1)) == "approved"
    assert translate.outcome_name(Unknown("x")) == "unknown"
    assert translate.outcome_name(NotAttempted("x")) == "not_attempted"
    assert translate.outcome_name(NotFound()) == "not_found"


def test_the_client_has_every_port_method_with_a_compatible_signature() -> None:
    for name, member in vars(IamportGateway).items():
        if name.startswith("_") or not inspect.iscoroutinefunction(member):
            continue
        port = inspect.signature(member)
        ours = inspect.signature(getattr(IamportClient, name))
        assert inspect.iscoroutinefunction(getattr(IamportClient, name)), name
        for parameter in port.parameters.values():
            assert parameter.name in ours.parameters, (name, parameter.name)
            assert ours.parameters[parameter.name].kind == parameter.kind, (name, parameter.name)
            assert ours.parameters[parameter.name].default == parameter.default, (
                name,
                parameter.name,
            )
        extra = set(ours.parameters) - set(port.parameters)
        assert all(ours.parameters[p].default is not inspect.Parameter.empty for p in extra), name


@pytest.mark.parametrize("body", [b'{"code":0,"message":"\xff","response":null}', b"\xff\xfe"])
def test_a_body_that_is_not_utf8_is_a_wire_error_not_a_crash(body: bytes) -> None:
    with pytest.raises(wire.WireError):
        wire.decode_envelope(body)
