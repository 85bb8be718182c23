"""CompletePayment: the sponsor's browser says "paid" (`imp_uid, merchant_uid`) — verify it.

POST /api/payments/complete and the m_redirect_url landing. The client's word is a hint:
iamport's record (GET /payments/{imp_uid}) is what is applied, through Settlement, with the
payment row locked; the webhook may do the same before, after or instead of this call.
"""

from dataclasses import dataclass
from typing import Any

from application.errors import NotFoundError, VerificationFailed
from application.gateway import IamportGateway, NotFound
from application.payment_sync import PaymentSync, record_of
from application.ports import Clock, UnitOfWorkFactory
from application.use_cases.actor import user_cause
from domain.order import Order
from domain.payment import Payment, VirtualAccount
from domain.status import CancellationStatus, OrderStatus, PaymentStatus


@dataclass(frozen=True, slots=True)
class CompletePaymentCommand:
    imp_uid: str
    merchant_uid: str
    user_seq: int


@dataclass(frozen=True, slots=True)
class CompletePaymentResult:
    order_id: int
    payment_id: int
    merchant_uid: str
    payment_status: PaymentStatus
    order_status: OrderStatus
    # iamport could not be asked: the payment is left as it was; the webhook or the janitor
    # settles it. The client shows "confirming your payment".
    pending_confirmation: bool = False
    refused_rule: str | None = None  # verification refused iamport's record (FAILED)
    fail_reason: str | None = None
    forgery_cancelled: bool | None = None  # set when a forged payment was cancelled at iamport
    vbank: VirtualAccount | None = None  # the account to deposit into, when one was issued

    @property
    def paid(self) -> bool:
        return self.payment_status in (PaymentStatus.PAID, PaymentStatus.ROUTINE_PAID)


class CompletePayment:
    def __init__(
        self, uow: UnitOfWorkFactory, gateway: IamportGateway, sync: PaymentSync, clock: Clock
    ) -> None:
        self._uow = uow
        self._gateway = gateway
        self._sync = sync
        self._clock = clock

    async def execute(self, command: CompletePaymentCommand) -> CompletePaymentResult:
        async with self._uow() as uow:
            owner = await uow.payments.owner_of(command.merchant_uid)
        if owner != command.user_seq:  # None: no such payment
            raise NotFoundError("payment not found", field="merchant_uid")

        lookup = await self._gateway.get_payment(command.imp_uid)
        record = record_of(lookup)
        if record is None:
            if isinstance(lookup, NotFound):
                raise VerificationFailed(
                    "iamport has no payment with this imp_uid", field="imp_uid"
                )
            # Unknown / NotAttempted / Rejected: nothing proven either way.
            return await self._pending(command.merchant_uid)
        if record.merchant_uid != command.merchant_uid:
            # It may be a genuine payment of another order: refuse, touch nothing, cancel nothing.
            raise VerificationFailed(
                "the iamport payment belongs to another merchant_uid", field="merchant_uid"
            )
        synced = await self._sync.apply(record, user_cause(command.user_seq))
        cancel = synced.forgery_cancel
        return _result(
            synced.order,
            synced.payment,
            refused_rule=synced.result.refused_rule,
            fail_reason=synced.payment.fail_reason
            if synced.payment.status is PaymentStatus.FAILED
            else None,
            forgery_cancelled=None
            if cancel is None
            else cancel.status is CancellationStatus.SUCCEEDED,
        )

    async def _pending(self, merchant_uid: str) -> CompletePaymentResult:
        """The payment as it stands, iamport not having answered."""
        async with self._uow() as uow:
            payment = await uow.payments.get_by_merchant_uid(merchant_uid)
            order = await uow.orders.get_by_merchant_uid(merchant_uid)
        assert payment is not None and order is not None  # payments are never deleted
        return _result(order, payment, pending_confirmation=True)


def _result(order: Order, payment: Payment, **outcome: Any) -> CompletePaymentResult:
    return CompletePaymentResult(
        order_id=order.id,
        payment_id=payment.id,
        merchant_uid=payment.merchant_uid,
        payment_status=payment.status,
        order_status=order.status,
        vbank=payment.vbank,
        **outcome,
    )
