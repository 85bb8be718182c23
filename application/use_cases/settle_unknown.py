"""An operator settles a payment whose outcome stays unknown (spec §4.7), with a reason.

The decision goes through Settlement like any other fact: "paid" as iamport's record would
show it (the operator gives the imp_uid they found at the PG or in iamport's console), "failed"
as a proof that nothing was charged. Every history entry it makes names the operator
(`operator:<seq>`) and carries the reason.
"""

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from application.billing import lock_charge
from application.channels import ChannelDirectory
from application.errors import ApplicationError, ConflictError, NotFoundError
from application.gateway import GatewayPayment, IamportStatus
from application.payment_sync import report_unsent_cancel
from application.ports import Clock, UnitOfWorkFactory
from application.settlement import Settlement, SettleResult
from application.use_cases.actor import Actor
from domain.order import Order
from domain.payment import Payment
from domain.status import PaymentStatus


class SettleTo(StrEnum):
    PAID = "paid"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class SettleUnknownPaymentCommand:
    operator: Actor
    payment_id: int
    to: SettleTo
    reason: str
    imp_uid: str | None = None  # required to settle as paid


@dataclass(frozen=True, slots=True)
class SettleUnknownPaymentResult:
    order: Order
    payment: Payment
    settled: SettleResult


class SettleUnknownPayment:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        channels: ChannelDirectory,
        settlement: Settlement,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._channels = channels
        self._settlement = settlement

    async def execute(self, command: SettleUnknownPaymentCommand) -> SettleUnknownPaymentResult:
        operator = command.operator
        if not operator.operator:
            raise NotFoundError("payment not found")  # an admin route only
        if not command.reason.strip():
            raise ApplicationError("a reason is required", field="reason")
        if command.to is SettleTo.PAID and not command.imp_uid:
            raise ApplicationError("settling as paid needs iamport's imp_uid", field="imp_uid")
        async with self._uow() as uow:
            seen = await uow.payments.get(command.payment_id)
            if seen is None:
                raise NotFoundError("payment not found")
            order, payment = await lock_charge(uow, seen.order_id, seen.id)
            if payment.status is not PaymentStatus.REQUESTED:
                raise ConflictError(f"payment is {payment.status.name}: its outcome is known")
            now = self._clock.now()
            cause = operator.cause
            if command.to is SettleTo.PAID:
                assert command.imp_uid is not None
                record = self._record(payment, command.imp_uid, now)
                cancellations = await uow.cancellations.for_payment(payment.id)
                settled = self._settlement.apply_record(
                    order, payment, record, now, cause, cancellations
                )
            else:
                settled = self._settlement.apply_unpaid_proof(
                    order, payment, now, cause, f"운영자 확인: {command.reason}"
                )
            if payment.status is PaymentStatus.REQUESTED:
                raise ConflictError(
                    f"the payment could not be settled as {command.to}: "
                    f"{settled.refused_rule or settled.needs_operator or 'refused'}"
                )
            # A double charge (the order was already paid by another attempt) is not refunded
            # here: it is reported on the payment for the operator to refund.
            report_unsent_cancel(payment, settled, now)
            for entity in (order, payment):
                _annotate(entity, command.reason)
            await uow.orders.save(order)
            await uow.payments.save(payment)
            await uow.commit()
        return SettleUnknownPaymentResult(order, payment, settled)

    def _record(self, payment: Payment, imp_uid: str, at: datetime) -> GatewayPayment:
        """The paid record the operator vouches for, on the channel the payment was sent to."""
        channel = self._channels.named(payment.channel)
        return GatewayPayment(
            imp_uid=imp_uid,
            merchant_uid=payment.merchant_uid,
            status=IamportStatus.PAID,
            amount=payment.amount.total,
            pay_method=payment.pay_method,
            pg_provider=channel.pg_provider,
            pg_id=next(iter(sorted(channel.pg_ids)), None),
            name=payment.name,
            paid_at=at,
        )


def _annotate(entity: Order | Payment, reason: str) -> None:
    """Put the operator's reason into the history entries this settlement made."""
    entity.pending_history[:] = [
        dataclasses.replace(h, data={**h.data, "operator_reason": reason})
        for h in entity.pending_history
    ]
