"""gateway_facts: iamport's record of a try (or a charge's outcome) → the domain fact it states."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from application.gateway import (
    Declined,
    GatewayCancel,
    GatewayPayment,
    IamportStatus,
    NotAttempted,
    Rejected,
    Unknown,
)
from application.gateway_facts import fact_of_charge, fact_of_record
from application.verification import Verifier
from domain import facts as f
from domain.facts import SettledFacts
from tests.application.builders import attempt_of, one_time_order

NOW = datetime(2026, 3, 2, 1, tzinfo=UTC)
CHECK = timedelta(minutes=2)


@pytest.fixture
def verifier(settings, channels) -> Verifier:
    return Verifier(settings, channels)


@pytest.fixture
def payment():
    return attempt_of(one_time_order(1, NOW), 11, NOW)


@pytest.fixture
def paid(payment) -> GatewayPayment:
    return GatewayPayment(
        imp_uid="imp_1",
        merchant_uid=payment.merchant_uid,
        status=IamportStatus.PAID,
        amount=payment.amount.total,
        pay_method="card",
        pg_provider="nice",
        paid_at=NOW,
    )


def test_a_paid_record_is_paid_with_what_it_proves_and_its_refunds(paid, payment, verifier):
    cancel = GatewayCancel(1_000, NOW, "부분 환불", cancellation_id="c1")
    refunded = replace(
        paid, cancel_amount=1_000, cancel_history=[cancel], cancel_reason="부분 환불"
    )
    fact = fact_of_record(refunded, payment, verifier)

    assert isinstance(fact, f.Paid)
    assert fact.facts == SettledFacts(
        "imp_1", pg_provider="nice", pay_method="card", channel="nice"
    )
    assert fact.paid_at == NOW and fact.evidence == refunded.evidence()
    assert (fact.refunded.cancel_amount, list(fact.refunded.history)) == (1_000, [cancel])
    assert fact.refunded.reason == "부분 환불"


def test_a_failed_record_is_failed_with_iamport_s_reason(paid, payment, verifier):
    failed = replace(paid, status=IamportStatus.FAILED, paid_at=None, fail_reason="잔액부족")
    assert fact_of_record(failed, payment, verifier) == f.Failed(
        "잔액부족", "imp_1", failed.evidence()
    )
    no_reason = replace(failed, fail_reason=None)
    assert fact_of_record(no_reason, payment, verifier).reason == f.FAILED_REASON


def test_a_ready_card_try_is_a_window_left(paid, payment, verifier):
    ready = replace(paid, status=IamportStatus.READY, paid_at=None)
    assert fact_of_record(ready, payment, verifier) == f.Abandoned("imp_1", ready.evidence())


def test_a_ready_vbank_try_is_an_issued_account_and_a_closed_one_is_closed(paid, verifier):
    vbank = replace(attempt_of(one_time_order(2, NOW), 12, NOW), pay_method="vbank")
    issued = replace(
        paid,
        merchant_uid=vbank.merchant_uid,
        status=IamportStatus.READY,
        pay_method="vbank",
        paid_at=None,
        vbank_code="004",
        vbank_num="123",
        vbank_holder="돌고",
        vbank_date=NOW,
    )
    fact = fact_of_record(issued, vbank, verifier)
    assert isinstance(fact, f.VbankIssued)
    assert fact.account == f.VirtualAccount("004", None, "123", "돌고", NOW)

    closed = replace(issued, status=IamportStatus.CANCELLED)
    assert fact_of_record(closed, vbank, verifier) == f.VbankClosed("imp_1", closed.evidence())
    # a cancelled try that was paid is a paid one, refunded
    refunded = replace(closed, paid_at=NOW, cancel_amount=vbank.amount.total)
    assert isinstance(fact_of_record(refunded, vbank, verifier), f.Paid)


def test_a_try_breaking_a_rule_is_refused_with_the_rule_and_the_expected_amount(
    paid, payment, verifier
):
    forged = replace(paid, amount=100)
    fact = fact_of_record(forged, payment, verifier)

    assert isinstance(fact, f.RefusedByRule)
    assert (fact.rule, fact.forged, fact.paid, fact.given_back) == ("amount", True, True, False)
    assert fact.evidence == {**forged.evidence(), "rule": "amount", "expected_amount": 10_000}
    given_back = replace(forged, status=IamportStatus.CANCELLED, cancel_amount=100)
    assert fact_of_record(given_back, payment, verifier).given_back is True


def test_another_try_than_the_one_a_settled_payment_holds_is_another_try(paid, payment, verifier):
    payment.apply(fact_of_record(paid, payment, verifier), NOW, "client")
    second = replace(paid, imp_uid="imp_2")
    assert fact_of_record(second, payment, verifier) == f.OtherTry("imp_2", paid=True)
    failed = replace(second, status=IamportStatus.FAILED)
    assert fact_of_record(failed, payment, verifier) == f.OtherTry("imp_2", paid=False)


def test_a_charge_s_outcome_without_a_record_states_its_fact():
    assert fact_of_charge(Declined("한도초과"), NOW, CHECK, None) == f.Failed(
        "한도초과", evidence={"outcome": "declined"}
    )
    assert fact_of_charge(NotAttempted("refused"), NOW, CHECK, None) == f.FailedByPg(
        "not attempted: refused", CHECK, {"outcome": "n/a"}
    )
    retry = fact_of_charge(NotAttempted("refused"), NOW, CHECK, timedelta(0))
    assert isinstance(retry, f.FailedByPg) and retry.retry == timedelta(0)
    assert fact_of_charge(Rejected("거절", 1), NOW, CHECK, None) == f.Rejected(
        "거절", {"outcome": "rejected", "code": 1, "message": "거절"}
    )
    assert fact_of_charge(Unknown("timeout"), NOW, CHECK, None) == f.AnswerLost(NOW + CHECK)
