"""Settlement: iamport's facts → transitions of our aggregates, every rule of spec §4.1."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from application.channels import Channel, ChannelDirectory
from application.errors import VerificationFailed
from application.gateway import (
    Approved,
    Declined,
    GatewayCancel,
    NotAttempted,
    Rejected,
    Unknown,
)
from application.settings import PaymentSettings
from application.settlement import Settlement
from domain.cancellation import Cancellation, CancellationKind
from domain.status import CancellationStatus, OrderStatus, PaymentStatus
from tests.application.builders import (
    attempt_of,
    cycle_attempt_of,
    monthly_order,
    one_time_order,
    record,
)

from .conftest import DEMO_CHANNELS

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


@pytest.fixture
def settle(settings, channels) -> Settlement:
    return Settlement(settings, channels)


@pytest.fixture
def order():
    return one_time_order(1, NOW)


@pytest.fixture
def payment(order):
    return attempt_of(order, 11, NOW)


def test_paid_record_pays_payment_and_order_once(settle, order, payment, gateway):
    rec = record(payment, gateway)
    first = settle.apply_record(order, payment, rec, NOW, "client")
    again = settle.apply_record(order, payment, rec, NOW, "webhook")

    assert (first.changed, first.payment_status, first.order_status) == (
        True,
        PaymentStatus.PAID,
        OrderStatus.PAID,
    )
    assert again.changed is False
    to_paid = [h for h in payment.pending_history if h.to_status == PaymentStatus.PAID]
    assert len(to_paid) == 1
    assert payment.imp_uid == rec.imp_uid and payment.channel == "nice"


def test_merchant_uid_of_another_order_is_refused_and_nothing_touched(
    settle, order, payment, gateway
):
    other = gateway.plant_payment("dp999a1", payment.amount.total, pg_provider="nice")
    with pytest.raises(VerificationFailed) as refused:
        settle.apply_record(order, payment, other, NOW, "client")
    assert refused.value.field == "merchant_uid"
    assert payment.status is PaymentStatus.REQUESTED and order.status is OrderStatus.ORDERED
    assert payment.pending_history == [] and payment.imp_uid is None


def test_paid_amount_differing_is_forgery_failed_with_evidence_and_cancelled(
    settle, order, payment, gateway
):
    forged = record(payment, gateway, amount=100)
    result = settle.apply_record(order, payment, forged, NOW, "client")

    assert result.refused_rule == "amount"
    assert result.cancel_at_iamport == forged
    assert payment.status is PaymentStatus.FAILED and not payment.unpaid_proven
    assert order.status is OrderStatus.ORDERED
    evidence = payment.pending_history[-1].data
    assert (evidence["expected_amount"], evidence["amount"]) == (10_000, 100)
    # The same forged record again (webhook): no second transition, the cancel is asked again.
    again = settle.apply_record(order, payment, forged, NOW, "webhook")
    assert again.changed is False and again.cancel_at_iamport == forged
    assert len(payment.pending_history) == 1


def test_currency_other_than_krw_is_refused_as_forgery(settle, order, payment, gateway):
    result = settle.apply_record(
        order, payment, record(payment, gateway, currency="USD"), NOW, "client"
    )
    assert result.refused_rule == "currency" and result.cancel_at_iamport is not None


def test_payment_on_a_channel_not_ours_is_refused_without_cancel(settle, order, payment, gateway):
    result = settle.apply_record(
        order, payment, record(payment, gateway, pg_provider="paypal"), NOW, "client"
    )
    assert result.refused_rule == "channel" and result.cancel_at_iamport is None
    assert payment.status is PaymentStatus.FAILED and order.status is OrderStatus.ORDERED


@pytest.mark.parametrize(
    "fields",
    [{"sandbox": True}, {"pg_id": "test"}],
    ids=["sandbox-flag", "test-channel-mid"],
)
def test_test_channel_payment_refused_in_production_accepted_in_demo(channels, gateway, fields):
    production = Settlement(PaymentSettings(production=True), channels)
    order, payment = one_time_order(1, NOW), None
    payment = attempt_of(order, 11, NOW)
    result = production.apply_record(order, payment, record(payment, gateway, **fields), NOW, "c")
    assert result.refused_rule == "test_channel"
    assert payment.status is PaymentStatus.FAILED

    demo = Settlement(PaymentSettings(production=False), channels)
    order2 = one_time_order(2, NOW)
    payment2 = attempt_of(order2, 12, NOW)
    ok = demo.apply_record(order2, payment2, record(payment2, gateway, **fields), NOW, "c")
    assert ok.refused_rule is None and payment2.status is PaymentStatus.PAID


def test_kakaopay_reporting_point_is_accepted_for_a_card_order(settings, gateway):
    kakao = Channel(name="kakaopay", pg="kakaopay", pg_provider="kakaopay")
    settle = Settlement(settings, ChannelDirectory.of((*DEMO_CHANNELS, kakao)))
    order = one_time_order(1, NOW)
    payment = attempt_of(order, 11, NOW, channel="kakaopay")
    rec = record(payment, gateway, pg_provider="kakaopay", pay_method="point")
    result = settle.apply_record(order, payment, rec, NOW, "client")
    assert result.refused_rule is None and payment.status is PaymentStatus.PAID


def test_pay_method_mismatch_is_refused(settle, gateway):
    order = one_time_order(1, NOW, method="trans")
    payment = attempt_of(order, 11, NOW, channel="kcp")
    rec = record(payment, gateway, pg_provider="kcp", pay_method="phone")
    assert settle.apply_record(order, payment, rec, NOW, "c").refused_rule == "pay_method"


def test_card_window_left_in_ready_is_abandoned_and_retry_allowed(settle, order, payment, gateway):
    result = settle.apply_record(
        order, payment, record(payment, gateway, status="ready"), NOW, "client"
    )
    assert result.payment_status is PaymentStatus.FAILED and payment.unpaid_proven
    assert order.status is OrderStatus.ORDERED
    assert order.start_attempt(NOW) == 2  # the sponsor may try again


def test_vbank_issue_deposit_and_late_deposit_after_expiry(settle, gateway):
    order = one_time_order(1, NOW, method="vbank")
    payment = attempt_of(order, 11, NOW, channel="html5_inicis")
    due = NOW + timedelta(days=3)
    issued = record(
        payment,
        gateway,
        status="ready",
        pg_provider="html5_inicis",
        vbank_name="국민은행",
        vbank_code="004",
        vbank_num="12345678901234",
        vbank_holder="돌고",
        vbank_date=due,
    )
    settle.apply_record(order, payment, issued, NOW, "webhook")
    assert payment.status is PaymentStatus.READY
    assert (payment.vbank.number, payment.vbank.holder, payment.vbank.due_at) == (
        "12345678901234",
        "돌고",
        due,
    )
    # due passes (ExpireVbanks), then iamport proves a late deposit
    payment.expire(due, "janitor")
    order.give_up(due, "janitor")
    deposited = gateway.update_payment(
        issued.imp_uid, status="paid", paid_at=due + timedelta(hours=1)
    )
    result = settle.apply_record(order, payment, deposited, due, "webhook")
    assert (result.payment_status, result.order_status) == (PaymentStatus.PAID, OrderStatus.PAID)


def test_console_partial_then_full_cancel_is_recorded_as_refunds(settle, order, payment, gateway):
    rec = record(payment, gateway)
    settle.apply_record(order, payment, rec, NOW, "client")
    partial = gateway.update_payment(rec.imp_uid, cancel_amount=3_000)
    settle.apply_record(order, payment, partial, NOW, "reconcile")
    assert (payment.status, payment.cancelled_amount) == (PaymentStatus.PAID, 3_000)
    full = gateway.update_payment(rec.imp_uid, cancel_amount=10_000, status="cancelled")
    result = settle.apply_record(order, payment, full, NOW, "webhook")
    assert (result.payment_status, result.order_status) == (
        PaymentStatus.CANCELLED,
        OrderStatus.CANCELLED,
    )
    assert settle.apply_record(order, payment, full, NOW, "webhook").changed is False


def test_our_cancel_in_flight_is_matched_not_counted_as_console(settle, order, payment, gateway):
    rec = record(payment, gateway)
    settle.apply_record(order, payment, rec, NOW, "client")
    mine = Cancellation(
        id=70,
        payment_id=payment.id,
        amount=4_000,
        tax_free=0,
        vat_amount=364,
        checksum=10_000,
        reason="단순 변심",
        requested_by="user:7",
        requested_at=NOW,
    )
    mine.outcome_unknown(NOW, NOW + timedelta(minutes=1), "user:7")
    seen = gateway.update_payment(
        rec.imp_uid,
        cancel_amount=4_000,
        cancel_history=(GatewayCancel(4_000, NOW, "단순 변심", cancellation_id="cxl_9"),),
    )
    result = settle.apply_record(order, payment, seen, NOW, "janitor", [mine])
    assert mine.status is CancellationStatus.SUCCEEDED and mine.cancellation_id == "cxl_9"
    assert result.cancellations == (mine,)
    assert payment.cancelled_amount == 4_000  # once, not twice


def test_manual_bank_refund_is_not_mistaken_for_missing_console_cancel(
    settle, order, payment, gateway
):
    rec = record(payment, gateway)
    settle.apply_record(order, payment, rec, NOW, "client")
    manual = Cancellation(
        id=71,
        payment_id=payment.id,
        amount=2_000,
        tax_free=0,
        vat_amount=182,
        checksum=10_000,
        reason="계좌 환불",
        requested_by="operator:1",
        requested_at=NOW,
        kind=CancellationKind.MANUAL_BANK,
    )
    manual.succeeded(NOW, "operator:1", None)
    payment.record_refund(2_000, 0, NOW, "operator:1")
    console = gateway.update_payment(rec.imp_uid, cancel_amount=1_000)
    settle.apply_record(order, payment, console, NOW, "reconcile", [manual])
    assert payment.cancelled_amount == 3_000


# -- billing-key charges -----------------------------------------------------------------------
def test_charge_outcomes(settle):
    cases = {
        "declined": (Declined("잔액부족"), PaymentStatus.FAILED, True, False),
        "not_attempted": (NotAttempted("refused"), PaymentStatus.FAILED, True, False),
        "rejected": (Rejected("등록되지 않은 구매자입니다.", 1), PaymentStatus.FAILED, False, True),
    }
    for i, (outcome, status, proven, lookup) in enumerate(cases.values()):
        order = one_time_order(i + 1, NOW)
        payment = attempt_of(order, 10 + i, NOW)
        result = settle.apply_charge(order, payment, outcome, NOW, "user:7")
        assert (payment.status, payment.unpaid_proven, result.needs_lookup) == (
            status,
            proven,
            lookup,
        ), outcome
    assert payment.fail_reason == "등록되지 않은 구매자입니다."


def test_unknown_charge_stays_requested_with_a_next_check(settle, order, payment):
    result = settle.apply_charge(order, payment, Unknown("read timeout"), NOW, "user:7")
    assert payment.status is PaymentStatus.REQUESTED
    assert payment.unknown is not None
    assert payment.unknown.next_check_at == NOW + timedelta(minutes=1)
    assert result.changed and not payment.pending_history


def test_declined_record_from_again_keeps_fail_reason(settle, order, payment, gateway):
    rec = record(payment, gateway, status="failed", fail_reason="한도초과")
    settle.apply_charge(order, payment, Declined("한도초과", rec), NOW, "user:7")
    assert payment.fail_reason == "한도초과" and payment.unpaid_proven


# -- monthly consequences ----------------------------------------------------------------------
def test_first_cycle_paid_starts_routine_and_schedules_next(settle, gateway):
    order = monthly_order(1, NOW)
    payment = cycle_attempt_of(order, 11, NOW)
    rec = record(payment, gateway, channel="api")
    settle.apply_charge(order, payment, Approved(rec), NOW, "user:7")
    assert payment.status is PaymentStatus.ROUTINE_PAID
    assert order.status is OrderStatus.ROUTINE
    assert order.subscription.next_charge_at == datetime(2026, 4, 2, 1, 0, tzinfo=UTC)


def test_first_cycle_declined_gives_the_order_up(settle):
    order = monthly_order(1, NOW)
    payment = cycle_attempt_of(order, 11, NOW)
    settle.apply_charge(order, payment, Declined("잔액부족"), NOW, "user:7")
    assert order.status is OrderStatus.FAILED


def test_later_cycle_dunning_then_recovery_then_exhaustion(settle, gateway):
    order = monthly_order(1, NOW)
    first = cycle_attempt_of(order, 11, NOW)
    settle.apply_charge(order, first, Approved(record(first, gateway)), NOW, "user:7")

    t = order.subscription.next_charge_at
    declined = cycle_attempt_of(order, 12, t)
    settle.apply_charge(order, declined, Declined("잔액부족"), t, "scheduler")
    assert order.status is OrderStatus.ROUTINE_PAST_DUE
    assert order.subscription.next_charge_at == t + timedelta(days=1)

    retry = cycle_attempt_of(order, 13, t + timedelta(days=1))
    settle.apply_charge(order, retry, Approved(record(retry, gateway)), t, "scheduler")
    assert order.status is OrderStatus.ROUTINE
    assert order.subscription.cycle_paid

    # next cycle: declined on every attempt of the schedule (+1d, +3d, +7d), then ended
    t = order.subscription.next_charge_at
    for n, pid in enumerate(range(20, 24), start=1):
        attempt = cycle_attempt_of(order, pid, t)
        settle.apply_charge(order, attempt, Declined("잔액부족"), t, "scheduler")
        if n <= 3:
            assert order.status is OrderStatus.ROUTINE_PAST_DUE
            t = order.subscription.next_charge_at
    assert order.status is OrderStatus.ROUTINE_ENDED
    assert order.subscription.next_charge_at is None
    declines = [h for h in order.pending_history if h.event == "cycle_declined"]
    assert len(declines) == 2  # once per cycle that went into dunning


def test_rejected_cycle_comes_back_for_a_lookup_not_dunning(settle, gateway):
    order = monthly_order(1, NOW)
    first = cycle_attempt_of(order, 11, NOW)
    settle.apply_charge(order, first, Approved(record(first, gateway)), NOW, "user:7")
    t = order.subscription.next_charge_at
    second = cycle_attempt_of(order, 12, t)
    result = settle.apply_charge(order, second, Rejected("timeout at PG", -1), t, "scheduler")
    assert result.needs_lookup and order.status is OrderStatus.ROUTINE
    assert order.subscription.next_charge_at == t + timedelta(minutes=1)
    proof = settle.apply_unpaid_proof(order, second, t, "scheduler", "lookup: not found")
    assert second.unpaid_proven and proof.order_status is OrderStatus.ROUTINE_PAST_DUE


def test_a_stale_failed_try_does_not_undo_a_paid_payment(settle, order, payment, gateway):
    paid = record(payment, gateway)
    settle.apply_record(order, payment, paid, NOW, "client")
    failed_try = record(payment, gateway, status="failed", fail_reason="사용자 취소")
    result = settle.apply_record(order, payment, failed_try, NOW, "webhook")
    assert result.changed is False and payment.status is PaymentStatus.PAID
    second_paid = replace(failed_try, status="paid")
    assert settle.apply_record(order, payment, second_paid, NOW, "w").needs_operator


def test_the_confirmed_cancel_claims_its_history_entry_before_an_older_twin(
    settle, order, payment, gateway
):
    """Two cancels of one amount in flight (only possible if the one-in-flight rule is broken):
    iamport confirmed the newer one, and its record shows one cancel. Only that one is booked."""
    rec = record(payment, gateway)
    settle.apply_record(order, payment, rec, NOW, "client")

    def cancel(cid: int, at: datetime) -> Cancellation:
        return Cancellation(
            id=cid,
            payment_id=payment.id,
            amount=1_000,
            tax_free=0,
            vat_amount=91,
            checksum=10_000,
            reason="중복",
            requested_by="user:7",
            requested_at=at,
        )

    older, confirmed = cancel(71, NOW), cancel(72, NOW + timedelta(seconds=1))
    seen = gateway.update_payment(
        rec.imp_uid,
        cancel_amount=1_000,
        cancel_history=(GatewayCancel(1_000, NOW, "중복", cancellation_id="cxl_1"),),
    )
    settle.apply_cancel(order, payment, confirmed, Approved(seen), NOW, "user:7", [older])

    assert (payment.cancelled_amount, confirmed.status, older.status) == (
        1_000,
        CancellationStatus.SUCCEEDED,
        CancellationStatus.REQUESTED,
    )
