"""An operator settles a refund whose outcome stays unknown, by hand, with a reason.

The janitor settles an in-flight cancellation from iamport's record; when that record cannot
settle it (iamport keeps not answering, or the PG refunded outside iamport), an operator who
checked the PG's or iamport's console decides: *succeeded* (the refund is booked on the payment,
and a fully refunded one-time payment cancels its order, as RecordManualRefund does) or
*rejected* (nothing was refunded; the sponsor may ask again). The history names the operator
and keeps the reason.
"""

from dataclasses import dataclass
from enum import StrEnum

from application.errors import ApplicationError, ConflictError, NotFoundError
from application.payment_sync import lock_payment
from application.ports import Clock, UnitOfWorkFactory
from application.settlement import DUPLICATE
from application.use_cases.actor import Actor
from domain.cancellation import Cancellation
from domain.payment import Payment
from domain.status import OrderStatus


class CancellationOutcome(StrEnum):
    SUCCEEDED = "succeeded"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class SettleUnknownCancellationCommand:
    operator: Actor
    cancellation_id: int
    to: CancellationOutcome
    reason: str
    iamport_cancellation_id: str | None = None  # what the console shows, when it does


@dataclass(frozen=True, slots=True)
class SettleUnknownCancellationResult:
    cancellation: Cancellation
    payment: Payment


class SettleUnknownCancellation:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(
        self, command: SettleUnknownCancellationCommand
    ) -> SettleUnknownCancellationResult:
        operator = command.operator
        if not operator.operator:
            raise NotFoundError("cancellation not found")  # an admin route only
        reason = command.reason.strip()
        if not reason:
            raise ApplicationError("a reason is required", field="reason")
        async with self._uow() as uow:
            seen = await uow.cancellations.get(command.cancellation_id)
            payment_seen = await uow.payments.get(seen.payment_id) if seen else None
            if seen is None or payment_seen is None:
                raise NotFoundError("cancellation not found")
            locked = await lock_payment(uow, payment_seen.merchant_uid)
            cancellation = await uow.cancellations.get(seen.id, for_update=True)
            assert locked is not None and cancellation is not None
            if not cancellation.in_flight:
                raise ConflictError(
                    f"cancellation is {cancellation.status.name}: its outcome is known"
                )
            order, payment, now = locked.order, locked.payment, self._clock.now()
            evidence = {"settled_by_operator": True, "reason": reason}
            if command.to is CancellationOutcome.REJECTED:
                cancellation.rejected(now, operator.cause, f"operator: {reason}", evidence)
            else:
                if not payment.is_paid or cancellation.amount > payment.refundable:
                    raise ConflictError(
                        f"payment is {payment.status.name} with {payment.refundable} KRW "
                        f"refundable: it cannot take a {cancellation.amount} KRW refund"
                    )
                cancellation.succeeded(
                    now, operator.cause, command.iamport_cancellation_id, evidence
                )
                tax_free = min(cancellation.tax_free, payment.refundable_tax_free)
                payment.record_refund(
                    cancellation.amount,
                    tax_free,
                    now,
                    operator.cause,
                    cancellation.reason,
                    {**evidence, "cancellation": cancellation.id},
                )
                await uow.payments.save(payment)
                if (
                    payment.refundable == 0
                    and order.status is OrderStatus.PAID
                    and cancellation.requested_by
                    != DUPLICATE  # a double charge: the order stays paid
                ):
                    order.refunded(now, operator.cause, {"payment_id": payment.id})
                    await uow.orders.save(order)
            await uow.cancellations.save(cancellation)
            await uow.commit()
        return SettleUnknownCancellationResult(cancellation, payment)
