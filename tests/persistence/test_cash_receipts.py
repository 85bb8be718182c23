"""The cash-receipt repository on the fakes, SQLite and MariaDB: round trip with its history
(in the order's timeline too), the janitor's two queries."""

from datetime import timedelta

from domain.cash_receipt import CashReceipt, ReceiptKind
from domain.payment import Payment
from domain.status import CashReceiptStatus, PaymentStatus
from tests.persistence import builders as b
from tests.persistence.builders import T0


async def stored_payment(uow_factory, status: PaymentStatus = PaymentStatus.PAID) -> Payment:
    order = b.order()
    payment = b.payment(order.id, status=status)
    async with uow_factory() as uow:
        await uow.orders.add(order)
        await uow.payments.add(payment)
        await uow.commit()
    return payment


def receipt(payment: Payment) -> CashReceipt:
    return CashReceipt(
        id=b.new_id(),
        payment_id=payment.id,
        imp_uid=payment.imp_uid or "",
        kind=ReceiptKind.BUSINESS,
        identifier_masked="******7890",
        requested_by="operator:900",
        requested_at=T0,
        next_check_at=T0 + timedelta(minutes=1),
    )


async def test_a_receipt_round_trips_with_its_history(uow_factory):
    payment = await stored_payment(uow_factory)
    issued = receipt(payment)
    async with uow_factory() as uow:
        await uow.receipts.add(issued)
        await uow.commit()
    async with uow_factory() as uow:
        loaded = await uow.receipts.get(issued.id, for_update=True)
        loaded.issued(T0, "client", amount=10_000, vat=818, apply_num="123", receipt_url="u")
        await uow.receipts.save(loaded)
        await uow.commit()
    async with uow_factory() as uow:
        (again,) = await uow.receipts.for_payment(payment.id)
        history = await uow.history.for_entity("cash_receipt", issued.id)
        timeline = await uow.history.for_order(payment.order_id)
    assert (again.status, again.amount, again.vat, again.kind, again.version) == (
        CashReceiptStatus.ISSUED,
        10_000,
        818,
        ReceiptKind.BUSINESS,
        1,
    )
    assert [e.event for e in history] == ["issued"]
    assert [(e.entity, e.event) for e in timeline if e.entity == "cash_receipt"] == [
        ("cash_receipt", "issued")
    ]


async def test_due_in_flight_receipts_and_those_of_refunded_payments_are_found(uow_factory):
    paid, refunded = (
        await stored_payment(uow_factory),
        await stored_payment(uow_factory, PaymentStatus.CANCELLED),
    )
    in_flight, of_paid, of_refunded = receipt(paid), receipt(paid), receipt(refunded)
    for r in (of_paid, of_refunded):
        r.issued(T0, "client", amount=1, vat=0, apply_num=None, receipt_url=None)
    async with uow_factory() as uow:
        for r in (in_flight, of_paid, of_refunded):
            await uow.receipts.add(r)
        await uow.commit()
    async with uow_factory() as uow:
        early = await uow.receipts.unresolved(T0, 10)
        due = await uow.receipts.unresolved(T0 + timedelta(minutes=1), 10)
        to_cancel = await uow.receipts.to_cancel(10)
    assert (early, [r.id for r in due], [r.id for r in to_cancel]) == (
        [],
        [in_flight.id],
        [of_refunded.id],
    )
