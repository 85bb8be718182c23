"""현금영수증 on fakes: issued once for a paid transfer, never guessed when the answer is lost,
cancelled with the payment's full refund, the identifier kept masked only."""

from datetime import timedelta

import pytest

from application.errors import ConflictError, NotFoundError
from application.gateway import Rejected, Unknown
from application.settlement import Settlement
from application.use_cases.actor import Actor
from application.use_cases.cash_receipts import (
    CashReceiptJanitor,
    RequestCashReceipt,
    RequestCashReceiptCommand,
)
from application.use_cases.refund import RequestRefund, RequestRefundCommand
from domain.cash_receipt import ReceiptIdentifier, ReceiptKind
from domain.status import CashReceiptStatus
from tests.application.builders import OPERATOR, OTHER_USER, USER, World

PHONE = ReceiptIdentifier.parse(ReceiptKind.PERSONAL, "010-2345-6789")
SPONSOR = Actor(USER)


def ask(w: World):
    return RequestCashReceipt(w.store, w.gateway, w.clock, w.ids, w.settings)


def janitor(w: World) -> CashReceiptJanitor:
    return CashReceiptJanitor(w.store, w.gateway, w.clock, w.settings)


async def receipt_of(w: World, receipt_id: int):
    async with w.store() as uow:
        return await uow.receipts.get(receipt_id)


async def test_a_paid_transfer_gets_one_receipt_with_the_identifier_masked():
    w = World()
    payment = await w.paid_payment(method="trans", pg_provider="kcp", channel="kcp", amount=11_000)
    receipt = await ask(w).execute(RequestCashReceiptCommand(SPONSOR, payment.id, PHONE))
    with pytest.raises(ConflictError):
        await ask(w).execute(RequestCashReceiptCommand(SPONSOR, payment.id, PHONE))

    (request,) = w.gateway.calls_of("issue_receipt")
    assert (receipt.status, receipt.amount, receipt.vat, receipt.identifier_masked) == (
        CashReceiptStatus.ISSUED,
        11_000,
        1_000,
        "*******6789",
    )
    assert (request.identifier, request.type, request.identifier_type) == (
        "01023456789",
        "person",
        "phone",
    )
    assert "01023456789" not in repr(w.store.__dict__ | {"writer": None})


async def test_card_payments_and_other_users_payments_get_none():
    w = World()
    card = await w.paid_payment(method="card")
    trans = await w.paid_payment(method="trans", pg_provider="kcp", channel="kcp")
    with pytest.raises(ConflictError):
        await ask(w).execute(RequestCashReceiptCommand(SPONSOR, card.id, PHONE))
    with pytest.raises(NotFoundError):
        await ask(w).execute(RequestCashReceiptCommand(Actor(OTHER_USER), trans.id, PHONE))
    assert w.gateway.calls_of("issue_receipt") == []


async def test_iamports_refusal_is_kept_without_the_identifier_and_an_operator_reissues():
    w = World()
    payment = await w.paid_payment(method="trans", pg_provider="kcp", channel="kcp")
    w.gateway.script("issue_receipt", Rejected("식별정보 010-2345-6789 오류", -1))
    failed = await ask(w).execute(RequestCashReceiptCommand(SPONSOR, payment.id, PHONE))
    again = await ask(w).execute(
        RequestCashReceiptCommand(Actor(OPERATOR, operator=True), payment.id, PHONE)
    )
    assert (failed.status, failed.failure_message) == (
        CashReceiptStatus.FAILED,
        "식별정보 *******6789 오류",
    )
    assert (again.status, again.requested_by) == (CashReceiptStatus.ISSUED, f"operator:{OPERATOR}")


async def test_a_lost_answer_stays_issuing_until_iamports_record_settles_it():
    w = World()
    issued = await w.paid_payment(method="trans", pg_provider="kcp", channel="kcp")
    never = await w.paid_payment(method="vbank", pg_provider="kcp", channel="kcp")
    w.gateway.script("issue_receipt", Unknown("read timeout"), apply=True)  # iamport issued it
    w.gateway.script("issue_receipt", Unknown("read timeout"))  # iamport never got it
    first = await ask(w).execute(RequestCashReceiptCommand(SPONSOR, issued.id, PHONE))
    second = await ask(w).execute(RequestCashReceiptCommand(SPONSOR, never.id, PHONE))
    early = await janitor(w).execute()

    w.clock.advance(timedelta(minutes=10))
    await janitor(w).execute()

    assert (first.status, second.status, early.resolutions) == (
        CashReceiptStatus.ISSUING,
        CashReceiptStatus.ISSUING,
        [],
    )
    assert ((await receipt_of(w, first.id)).status, (await receipt_of(w, second.id)).status) == (
        CashReceiptStatus.ISSUED,
        CashReceiptStatus.FAILED,
    )


async def test_the_full_refund_cancels_the_receipt():
    w = World()
    payment = await w.paid_payment(method="trans", pg_provider="kcp", channel="kcp")
    receipt = await ask(w).execute(RequestCashReceiptCommand(SPONSOR, payment.id, PHONE))
    refund = RequestRefund(
        w.store,
        w.gateway,
        w.clock,
        w.ids,
        w.settings,
        Settlement(w.settings, w.channels),
        w.channels,
    )
    await refund.execute(RequestRefundCommand(SPONSOR, payment.id, "후원 취소"))

    result = await janitor(w).execute()

    assert [r.outcome for r in result.resolutions] == ["cancelled"]
    assert (await receipt_of(w, receipt.id)).status is CashReceiptStatus.CANCELLED
    assert w.gateway.receipts[payment.imp_uid].cancelled_at is not None
