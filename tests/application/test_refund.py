"""Refunds — spec §4.5: windows per method and PG, partial rules, checksum, one in flight."""

import dataclasses
from datetime import timedelta

import pytest

from application.channels import ChannelDirectory
from application.errors import GatewayRejected, NotFoundError, RefundInProgress
from application.gateway import CancelRequest, Rejected, Unknown
from application.settlement import Settlement
from application.use_cases.actor import Actor
from application.use_cases.refund import (
    RecordManualRefund,
    RecordManualRefundCommand,
    RequestRefund,
    RequestRefundCommand,
)
from domain.cancellation import CancellationKind, RefundAccount
from domain.errors import RefundRefused
from domain.status import CancellationStatus, OrderStatus, PaymentStatus
from tests.application.builders import OPERATOR, OTHER_USER, USER, World, kst

SPONSOR = Actor(USER)
OPS = Actor(OPERATOR, operator=True)
ACCOUNT = RefundAccount(holder="홍길동", bank_code="004", number="123-456-7890123")


def refund(w: World) -> RequestRefund:
    settlement = Settlement(w.settings, w.channels)
    return RequestRefund(w.store, w.gateway, w.clock, w.ids, w.settings, settlement, w.channels)


async def ask(w: World, payment_id: int, amount: int | None = None, actor: Actor = SPONSOR, **kw):
    return await refund(w).execute(
        RequestRefundCommand(actor, payment_id, "후원 취소", amount=amount, **kw)
    )


def sent(w: World) -> list[CancelRequest]:
    return w.gateway.calls_of("cancel")  # type: ignore[return-value]


# -- the happy path ------------------------------------------------------------------------------
async def test_full_refund_cancels_payment_and_order_with_iamports_cancellation_id():
    w = World()
    p = await w.paid_payment()
    result = await ask(w, p.id)

    assert (
        result.cancellation.status,
        result.cancellation.cancellation_id,
        (await w.payment(p.id)).status,
        (await w.order(p.order_id)).status,
    ) == (CancellationStatus.SUCCEEDED, "cxl_1", PaymentStatus.CANCELLED, OrderStatus.CANCELLED)


async def test_checksum_sent_is_the_refundable_balance_we_know():
    w = World()
    p = await w.paid_payment(amount=10_000)
    await ask(w, p.id, 3_000)
    await ask(w, p.id, 2_000)

    assert [r.checksum for r in sent(w)] == [10_000, 7_000]


async def test_partial_refunds_summing_to_the_amount_split_tax_free_without_remainder():
    w = World()
    p = await w.paid_payment(amount=10_000, tax_free=3_000)  # nice: tax_free on every cancel
    for part in (3_333, 3_333, 3_334):
        await ask(w, p.id, part)

    payment = await w.payment(p.id)
    assert (
        [r.tax_free for r in sent(w)],
        payment.cancelled_tax_free,
        payment.status,
    ) == ([999, 999, 1_002], 3_000, PaymentStatus.CANCELLED)


async def test_a_refund_beyond_the_refunded_amount_is_refused():
    w = World()
    p = await w.paid_payment(amount=10_000, tax_free=3_000)
    await ask(w, p.id, 6_000)
    await ask(w, p.id, 4_000)

    with pytest.raises(RefundRefused) as refused:
        await ask(w, p.id, 1)
    assert refused.value.rule == "not_paid"


async def test_a_partial_refund_above_the_balance_is_refused():
    w = World()
    p = await w.paid_payment(amount=10_000)
    await ask(w, p.id, 6_000)

    with pytest.raises(RefundRefused) as refused:
        await ask(w, p.id, 4_001)
    assert refused.value.rule == "amount"


async def test_vat_is_sent_with_tax_free_for_pgs_that_need_it():
    w = World()
    p = await w.paid_payment(amount=11_000, tax_free=0, pg_provider="nice")
    await ask(w, p.id)
    assert (sent(w)[0].tax_free, sent(w)[0].vat_amount) == (0, 1_000)


async def test_tax_split_is_not_sent_where_the_pg_does_not_need_it():
    w = World()
    p = await w.paid_payment(amount=11_000, pg_provider="html5_inicis")
    await ask(w, p.id)
    assert (sent(w)[0].tax_free, sent(w)[0].vat_amount) == (None, None)


# -- one in flight -------------------------------------------------------------------------------
async def test_a_second_refund_while_one_is_in_flight_is_refused_with_409():
    w = World()
    p = await w.paid_payment(amount=10_000)
    w.gateway.script("cancel", Unknown("read timeout"))
    first = await ask(w, p.id, 3_000)
    assert first.cancellation.status is CancellationStatus.UNKNOWN

    with pytest.raises(RefundInProgress):
        await ask(w, p.id, 3_000)
    assert len(sent(w)) == 1


async def test_a_lost_answer_leaves_the_cancellation_unknown_and_the_payment_untouched():
    w = World()
    p = await w.paid_payment(amount=10_000)
    w.gateway.script("cancel", Unknown("read timeout"), apply=True)
    result = await ask(w, p.id)

    payment = await w.payment(p.id)
    assert (result.pending, payment.status, payment.cancelled_amount) == (
        True,
        PaymentStatus.PAID,
        0,
    )


async def test_rejected_cancel_is_recorded_with_iamports_message():
    w = World()
    p = await w.paid_payment()
    w.gateway.script("cancel", Rejected("이미 전액취소된 주문입니다.", 1))
    with pytest.raises(GatewayRejected):
        await ask(w, p.id)

    async with w.store.uow() as uow:
        (c,) = await uow.cancellations.for_payment(p.id)
    assert (c.status, c.failure_message) == (
        CancellationStatus.REJECTED,
        "이미 전액취소된 주문입니다.",
    )


async def test_after_a_rejected_cancel_a_new_refund_may_be_asked():
    w = World()
    p = await w.paid_payment()
    w.gateway.script("cancel", Rejected("PG 오류", 1))
    with pytest.raises(GatewayRejected):
        await ask(w, p.id)

    assert (await ask(w, p.id)).cancellation.status is CancellationStatus.SUCCEEDED


# -- who may refund ------------------------------------------------------------------------------
async def test_another_users_payment_is_not_found():
    w = World()
    p = await w.paid_payment()
    with pytest.raises(NotFoundError):
        await ask(w, p.id, actor=Actor(OTHER_USER))


async def test_sponsors_refund_within_7_days_of_payment_in_seoul():
    w = World()
    p = await w.paid_payment(paid_at=kst(2026, 3, 2, 23, 50))
    w.clock.set(kst(2026, 3, 9, 23, 59))
    assert (await ask(w, p.id)).cancellation.status is CancellationStatus.SUCCEEDED


async def test_sponsors_cannot_refund_after_the_business_window():
    w = World()
    p = await w.paid_payment(paid_at=kst(2026, 3, 2, 23, 50))
    w.clock.set(kst(2026, 3, 10, 0, 5))
    with pytest.raises(RefundRefused) as refused:
        await ask(w, p.id)
    assert refused.value.rule == "business_window"


async def test_operators_are_not_bound_by_the_business_window():
    w = World()
    p = await w.paid_payment(paid_at=kst(2026, 3, 2, 10))
    w.clock.set(kst(2026, 3, 30, 10))
    assert (await ask(w, p.id, actor=OPS)).cancellation.requested_by == f"operator:{OPERATOR}"


# -- PG windows, per method ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "pg", "card_name", "last_ok_day"),
    [
        ("card", "nice", "신한카드", 365),
        ("card", "nice", "롯데카드", 180),  # the card company's own window
        ("trans", "kcp", None, 90),
    ],
)
async def test_pg_window_by_method_and_card_company(method, pg, card_name, last_ok_day):
    w = World()
    paid_at = kst(2025, 1, 15, 12)
    p1 = await w.paid_payment(method=method, pg_provider=pg, card_name=card_name, paid_at=paid_at)
    p2 = await w.paid_payment(method=method, pg_provider=pg, card_name=card_name, paid_at=paid_at)

    w.clock.set(paid_at + timedelta(days=last_ok_day))
    await ask(w, p1.id, actor=OPS)
    w.clock.set(paid_at + timedelta(days=last_ok_day + 1))
    with pytest.raises(RefundRefused) as refused:
        await ask(w, p2.id, actor=OPS)
    assert refused.value.rule == f"pg_window.{method}"


async def test_vbank_refunds_have_no_time_limit_and_send_the_refund_account_masked_in_our_rows():
    w = World()
    p = await w.paid_payment(method="vbank", pg_provider="kcp", paid_at=kst(2023, 1, 1, 12))
    result = await ask(w, p.id, actor=OPS, refund_account=ACCOUNT)

    assert (
        sent(w)[0].refund_account,
        result.cancellation.refund_account_masked,
        result.cancellation.status,
    ) == ("123-456-7890123", "*********0123", CancellationStatus.SUCCEEDED)


async def test_vbank_refund_without_an_account_is_refused():
    w = World()
    p = await w.paid_payment(method="vbank", pg_provider="kcp")
    with pytest.raises(RefundRefused) as refused:
        await ask(w, p.id)
    assert refused.value.rule == "vbank_refund_account"


def with_channel(w: World, name: str, **changes) -> None:
    """Replace one of the world's channels by a copy with `changes` (the channels file's)."""
    channel = w.channels.named(name)
    w.channels = ChannelDirectory.of(
        [c for c in w.channels.channels if c.name != name]
        + [dataclasses.replace(channel, **changes)]
    )


async def test_vbank_refund_on_a_channel_without_a_refund_contract_is_refused():
    w = World()
    with_channel(w, "kcp", vbank_refund_contract=False)
    p = await w.paid_payment(method="vbank", pg_provider="kcp")
    with pytest.raises(RefundRefused) as refused:
        await ask(w, p.id, actor=OPS, refund_account=ACCOUNT)
    assert refused.value.rule == "vbank_refund_contract" and "kcp" in str(refused.value)
    assert sent(w) == []


async def test_vbank_refund_on_a_channel_with_the_contract_goes_to_iamport():
    w = World()
    p = await w.paid_payment(method="vbank", pg_provider="kcp")
    assert (await ask(w, p.id, actor=OPS, refund_account=ACCOUNT)).cancellation.refund_bank == "004"


async def test_vbank_refund_of_a_channel_no_longer_configured_is_refused_for_a_manual_one():
    w = World()
    p = await w.paid_payment(method="vbank", pg_provider="payco")  # channel "payco": not in file
    with pytest.raises(RefundRefused) as refused:
        await ask(w, p.id, actor=OPS, refund_account=ACCOUNT)
    assert refused.value.rule == "vbank_refund_contract"


@pytest.mark.parametrize(
    ("cancel_tax_fields", "sent_tax"), [(True, (0, 909)), (False, (None, None))]
)
async def test_tax_fields_go_on_every_cancel_only_where_the_channel_says(
    cancel_tax_fields, sent_tax
):
    w = World()
    with_channel(w, "nice", cancel_tax_fields=cancel_tax_fields)
    p = await w.paid_payment(amount=10_000)  # no tax-free part
    await ask(w, p.id, 10_000)
    assert (sent(w)[0].tax_free, sent(w)[0].vat_amount) == sent_tax


@pytest.mark.parametrize(("bank_code", "allowed"), [("004", True), ("092", True), ("999", False)])
async def test_vbank_refund_bank_must_be_in_the_standard_code_list_by_default(bank_code, allowed):
    w = World()
    p = await w.paid_payment(method="vbank", pg_provider="kcp")
    account = RefundAccount(holder="홍길동", bank_code=bank_code, number="1234567890")
    try:
        await ask(w, p.id, actor=OPS, refund_account=account)
        outcome = "refunded"
    except RefundRefused as e:
        outcome = e.rule
    assert (outcome, len(sent(w))) == (("refunded", 1) if allowed else ("vbank_refund_bank", 0))


async def test_vbank_refund_bank_codes_are_the_channels_own_list():
    w = World()
    with_channel(w, "kcp", vbank_refund_banks=frozenset({"004", "088"}))
    p = await w.paid_payment(method="vbank", pg_provider="kcp")
    with pytest.raises(RefundRefused) as refused:
        await ask(w, p.id, actor=OPS, refund_account=dataclasses.replace(ACCOUNT, bank_code="020"))
    assert refused.value.rule == "vbank_refund_bank" and "kcp" in str(refused.value)
    assert (await ask(w, p.id, actor=OPS, refund_account=ACCOUNT)).cancellation.refund_bank == "004"


async def test_phone_refund_within_the_same_seoul_month_is_allowed():
    w = World()
    p = await w.paid_payment(method="phone", pg_provider="danal", paid_at=kst(2026, 1, 31, 23, 30))
    w.clock.set(kst(2026, 1, 31, 23, 55))
    assert (await ask(w, p.id)).cancellation.status is CancellationStatus.SUCCEEDED


async def test_phone_paid_jan_31_2330_kst_is_not_refundable_feb_1_0010_kst():
    """Still January in UTC (15:10Z): only a Seoul calendar month gets this right."""
    w = World()
    p = await w.paid_payment(method="phone", pg_provider="danal", paid_at=kst(2026, 1, 31, 23, 30))
    w.clock.set(kst(2026, 2, 1, 0, 10))
    with pytest.raises(RefundRefused) as refused:
        await ask(w, p.id, actor=OPS)
    assert refused.value.rule == "pg_window.phone"


@pytest.mark.parametrize(
    ("pg", "allowed"), [("html5_inicis", True), ("kcp", True), ("danal", False)]
)
async def test_partial_phone_refunds_only_on_the_pgs_that_allow_them(pg, allowed):
    w = World()
    p = await w.paid_payment(method="phone", pg_provider=pg, amount=10_000)
    try:
        await ask(w, p.id, 4_000)
        outcome = "refunded"
    except RefundRefused as e:
        outcome = e.rule
    assert outcome == ("refunded" if allowed else "partial.phone")


async def test_full_phone_refund_on_a_pg_without_partial_refunds_is_allowed():
    w = World()
    p = await w.paid_payment(method="phone", pg_provider="danal", amount=10_000)
    assert (await ask(w, p.id)).cancellation.status is CancellationStatus.SUCCEEDED


# -- manual bank refund --------------------------------------------------------------------------
def manual(w: World) -> RecordManualRefund:
    return RecordManualRefund(w.store, w.clock, w.ids, w.settings)


async def test_operator_records_a_manual_bank_refund_past_the_pg_window():
    w = World()
    p = await w.paid_payment(paid_at=kst(2024, 1, 10, 12))
    result = await manual(w).execute(
        RecordManualRefundCommand(OPS, p.id, 10_000, "카드 취소기한 경과: 계좌 환불")
    )

    assert (
        result.cancellation.kind,
        result.cancellation.status,
        (await w.payment(p.id)).status,
        sent(w),
    ) == (CancellationKind.MANUAL_BANK, CancellationStatus.SUCCEEDED, PaymentStatus.CANCELLED, [])


async def test_manual_refund_beyond_the_balance_is_refused():
    w = World()
    p = await w.paid_payment(amount=10_000)
    with pytest.raises(RefundRefused) as refused:
        await manual(w).execute(RecordManualRefundCommand(OPS, p.id, 10_001, "x"))
    assert refused.value.rule == "amount"


async def test_sponsors_cannot_record_manual_refunds():
    w = World()
    p = await w.paid_payment()
    with pytest.raises(NotFoundError):
        await manual(w).execute(RecordManualRefundCommand(SPONSOR, p.id, 1_000, "x"))


async def test_after_a_manual_bank_refund_the_checksum_is_iamports_balance():
    """iamport never saw the bank transfer: its balance still counts those 3,000 KRW."""
    w = World()
    p = await w.paid_payment(amount=10_000)
    await manual(w).execute(RecordManualRefundCommand(OPS, p.id, 3_000, "계좌 환불"))
    first = await ask(w, p.id, 2_000, actor=OPS)
    rest = await ask(w, p.id, actor=OPS)

    assert (
        [r.checksum for r in sent(w)],
        [r.amount for r in sent(w)],
        first.cancellation.status,
        rest.cancellation.status,
        (await w.payment(p.id)).status,
    ) == (
        [10_000, 8_000],
        [2_000, 5_000],
        CancellationStatus.SUCCEEDED,
        CancellationStatus.SUCCEEDED,
        PaymentStatus.CANCELLED,
    )


async def test_ten_equal_partial_refunds_each_carry_their_own_iamport_cancellation_id():
    w = World()
    p = await w.paid_payment(amount=10_000)
    ids = [(await ask(w, p.id, 1_000)).cancellation.cancellation_id for _ in range(10)]

    assert ids == [f"cxl_{n}" for n in range(1, 11)]
    async with w.store.uow() as uow:
        stored = [c.cancellation_id for c in await uow.cancellations.for_payment(p.id)]
    assert sorted(stored) == sorted(ids)


async def test_partial_refund_vats_sum_to_the_payments_vat():
    w = World()
    p = await w.paid_payment(amount=10_000)
    for part in (3_000, 3_000, 4_000):
        await ask(w, p.id, part)

    assert [r.vat_amount for r in sent(w)] == [273, 272, 364]
