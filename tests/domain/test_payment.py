"""Payment: what each fact about an attempt does to it (Payment.apply through PAYMENT_FACTS)."""

from datetime import UTC, datetime, timedelta

import pytest

from domain import facts as f
from domain import state_machine as sm
from domain.cancellation import CancellationKind, RefundAccount
from domain.money import Amount
from domain.payment import Payment
from domain.status import (
    CancellationStatus,
    OrderType,
    PaymentEvent,
    PaymentFact,
    PaymentStatus,
)

NOW = datetime(2026, 3, 2, 1, tzinfo=UTC)
LATER = NOW + timedelta(minutes=5)
SETTLED = f.SettledFacts("imp_1", pg_provider="nice")
ACCOUNT = f.VirtualAccount("004", "KB국민은행", "12345678901234", "돌고", NOW + timedelta(days=3))


def payment(
    status: PaymentStatus = PaymentStatus.REQUESTED,
    type_: OrderType = OrderType.ONE_TIME,
    pay_method: str = "card",
) -> Payment:
    p = Payment(
        10, 1, 7, type_, "dp1a1", Amount(10_000), "nice", "후원", NOW, pay_method=pay_method
    )
    p.status = status
    return p


def example(kind: PaymentFact) -> f.Fact:
    """One fact of each kind, as the translation makes them."""
    return {
        PaymentFact.PAID: f.Paid(SETTLED, LATER, evidence={"status": "paid"}),
        PaymentFact.FAILED: f.Failed("잔액부족", "imp_1", {"status": "failed"}),
        PaymentFact.ABANDONED: f.Abandoned("imp_1", {"status": "ready"}),
        PaymentFact.VBANK_ISSUED: f.VbankIssued(SETTLED, ACCOUNT, {"status": "ready"}),
        PaymentFact.VBANK_CLOSED: f.VbankClosed("imp_1", {"status": "cancelled"}),
        PaymentFact.REFUSED_BY_RULE: f.RefusedByRule(
            "amount", "위변조 의심", "imp_1", forged=True, paid=True, given_back=False
        ),
        PaymentFact.REJECTED: f.Rejected("PG 거절", {"outcome": "rejected"}),
        PaymentFact.PROVEN_UNPAID: f.ProvenUnpaid("없음", {"outcome": "proven_unpaid"}),
        PaymentFact.FAILED_BY_PG: f.FailedByPg("not attempted", timedelta(0), {"outcome": "n/a"}),
        PaymentFact.NEVER_SENT: f.NeverSent("시도 없음", {"outcome": "not_attempted"}),
        PaymentFact.ANSWER_LOST: f.AnswerLost(LATER),
        PaymentFact.OTHER_TRY: f.OtherTry("imp_2", paid=True),
    }[kind]


MARKERS = {
    (PaymentFact.PROVEN_UNPAID, PaymentStatus.FAILED),
    (PaymentFact.FAILED_BY_PG, PaymentStatus.FAILED),
    (PaymentFact.ANSWER_LOST, PaymentStatus.REQUESTED),
}


def test_every_fact_kind_has_a_fact_type():
    kinds = {example(kind).kind for kind in PaymentFact}
    assert kinds == set(PaymentFact)


@pytest.mark.parametrize(("kind", "status"), sorted(sm.PAYMENT_FACTS, key=str))
def test_a_fact_makes_the_move_its_table_row_names(kind, status):
    p = payment(status, pay_method="vbank")
    applied = p.apply(example(kind), NOW, "test")

    event = sm.PAYMENT_FACTS[(kind, status)]
    assert applied.moved is event and applied.changed
    assert p.status is sm.PAYMENT.next(status, event)
    assert [(h.event, h.from_status, h.to_status) for h in p.pending_history] == [
        (str(event), int(status), int(p.status))
    ]


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        (kind, status)
        for kind in PaymentFact
        for status in PaymentStatus
        if (kind, status) not in sm.PAYMENT_FACTS
        # a proof marks a FAILED attempt unpaid, a lost answer a REQUESTED one (below)
        and (kind, status) not in MARKERS
    ],
)
def test_a_fact_without_a_row_for_the_status_changes_nothing(kind, status):
    p = payment(status)
    applied = p.apply(example(kind), NOW, "test")

    assert (applied.moved, applied.changed) == (None, False)
    assert p.status is status and p.pending_history == [] and p.unknown is None


def test_a_paid_monthly_attempt_is_routine_approved_and_settles_what_iamport_proved():
    p = payment(type_=OrderType.MONTHLY)
    applied = p.apply(f.Paid(SETTLED, LATER), NOW, "webhook")

    assert applied.moved is PaymentEvent.ROUTINE_APPROVED
    assert p.status is PaymentStatus.ROUTINE_PAID
    assert p.pending_history[-1].event == "routine_approved"
    assert (p.imp_uid, p.pg_provider, p.paid_at) == ("imp_1", "nice", LATER)


def test_a_paid_fact_without_iamport_s_time_is_paid_when_applied():
    p = payment()
    p.apply(f.Paid(SETTLED, None), NOW, "webhook")
    assert p.paid_at == NOW


def test_each_unpaid_fact_says_whether_nothing_was_charged():
    proven = [
        PaymentFact.FAILED,
        PaymentFact.ABANDONED,
        PaymentFact.VBANK_CLOSED,
        PaymentFact.PROVEN_UNPAID,
        PaymentFact.FAILED_BY_PG,
        PaymentFact.NEVER_SENT,
    ]
    for kind in [*proven, PaymentFact.REJECTED, PaymentFact.REFUSED_BY_RULE]:
        p = payment()
        p.apply(example(kind), NOW, "test")
        assert p.status is PaymentStatus.FAILED
        assert p.unpaid_proven is (kind in proven), kind
        assert p.known_unpaid is (kind in proven), kind


def test_an_abandoned_window_and_a_closed_vbank_name_their_reason_and_try():
    abandoned, closed = payment(), payment(pay_method="vbank")
    abandoned.apply(f.Abandoned("imp_9"), NOW, "webhook")
    closed.apply(f.VbankClosed("imp_8"), NOW, "webhook")
    assert (abandoned.fail_reason, abandoned.imp_uid) == (f.ABANDONED_REASON, "imp_9")
    assert (closed.fail_reason, closed.imp_uid) == (f.VBANK_CLOSED_REASON, "imp_8")


def test_an_issued_vbank_closed_is_cancelled_not_failed():
    p = payment(pay_method="vbank")
    p.apply(f.VbankIssued(SETTLED, ACCOUNT), NOW, "client")
    applied = p.apply(f.VbankClosed("imp_1"), LATER, "janitor")
    assert applied.moved is PaymentEvent.VBANK_CLOSED
    assert (p.status, p.cancelled_at, p.vbank) == (PaymentStatus.CANCELLED, LATER, ACCOUNT)


def test_a_pg_fault_is_written_into_the_failure_s_history():
    p = payment()
    p.apply(f.FailedByPg("not attempted: refused", timedelta(0), {"outcome": "n/a"}), NOW, "job")
    assert p.pending_history[-1].data == {"outcome": "n/a", "pg_fault": True}


@pytest.mark.parametrize(
    "fact",
    [
        f.ProvenUnpaid("없음"),
        f.FailedByPg("PG 장애", timedelta(0)),
        f.RefusedByRule("amount", "위변조", "imp_1", forged=True, paid=False, given_back=True),
    ],
)
def test_a_proof_marks_a_failed_attempt_unpaid_once_without_a_move(fact):
    p = payment()
    p.apply(f.Rejected("PG 거절"), NOW, "job")
    first = p.apply(fact, LATER, "janitor")
    again = p.apply(fact, LATER, "janitor")

    assert (first.moved, first.changed, again.changed) == (None, True, False)
    assert p.unpaid_proven and len(p.pending_history) == 1


def test_a_refused_try_given_back_in_full_fails_known_unpaid_at_once():
    p = payment()
    fact = f.RefusedByRule("amount", "위변조", "imp_1", forged=True, paid=False, given_back=True)
    applied = p.apply(fact, NOW, "webhook")
    assert (applied.moved, applied.marked) == (PaymentEvent.FAILED, True)
    assert p.known_unpaid


def test_a_lost_answer_marks_the_attempt_unknown_once():
    p = payment()
    first = p.apply(f.AnswerLost(LATER), NOW, "job")
    again = p.apply(f.AnswerLost(LATER + timedelta(minutes=1)), NOW, "job")

    assert (first.changed, again.changed) == (True, False)
    assert p.status is PaymentStatus.REQUESTED and p.pending_history == []
    assert p.unknown is not None and p.unknown.next_check_at == LATER


def test_a_cancellation_is_of_its_payment_and_keeps_only_the_masked_account():
    p = payment(PaymentStatus.PAID, pay_method="vbank")
    account = RefundAccount("돌고", "004", "12345678901234", tel="01012345678")
    sent = p.cancellation(
        5,
        amount=3_000,
        tax_free=0,
        vat_amount=273,
        checksum=10_000,
        reason="단순 변심",
        requested_by="user:7",
        at=NOW,
        next_check_at=LATER,
        account=account,
    )
    assert (sent.id, sent.payment_id, sent.kind, sent.status) == (
        5,
        p.id,
        CancellationKind.GATEWAY,
        CancellationStatus.REQUESTED,
    )
    assert (sent.requested_at, sent.next_check_at) == (NOW, LATER)
    assert (sent.refund_holder, sent.refund_bank) == ("돌고", "004")
    assert sent.refund_account_masked is not None and "12345678901234" not in repr(sent)
    assert (
        sent.refund_account_masked.endswith("1234") and "5678901" not in sent.refund_account_masked
    )

    manual = p.cancellation(
        6,
        amount=1_000,
        tax_free=0,
        vat_amount=91,
        checksum=7_000,
        reason="계좌 환불",
        requested_by="operator:1",
        at=NOW,
        manual=True,
    )
    assert (manual.kind, manual.refund_account_masked, manual.next_check_at) == (
        CancellationKind.MANUAL_BANK,
        None,
        None,
    )
