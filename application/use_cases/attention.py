"""What Settlement reported to operators (`Payment.attention`), and an operator clearing it.

Settlement writes the note on the payment whenever it returns `needs_operator` (a second paid
try, a payment on an order that can no longer take it, a refused try that holds money, an
automatic cancel that did not happen ...); the admin payment search lists them
(`attention_only`). Once the operator has done what the note needs (refunded, settled with the
sponsor, or found nothing to do), they acknowledge it with a reason, kept in the history.
"""

from dataclasses import dataclass

from application.errors import ApplicationError, ConflictError, NotFoundError
from application.ports import Clock, UnitOfWorkFactory
from application.use_cases.actor import Actor
from domain.payment import Payment


@dataclass(frozen=True, slots=True)
class AcknowledgeAttentionCommand:
    operator: Actor
    payment_id: int
    reason: str


class AcknowledgeAttention:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, command: AcknowledgeAttentionCommand) -> Payment:
        if not command.operator.operator:
            raise NotFoundError("payment not found")  # an admin route only
        if not command.reason.strip():
            raise ApplicationError("a reason is required", field="reason")
        async with self._uow() as uow:
            payment = await uow.payments.get(command.payment_id, for_update=True)
            if payment is None:
                raise NotFoundError("payment not found")
            if payment.attention is None:
                raise ConflictError("the payment has nothing to acknowledge")
            payment.acknowledge_attention(
                self._clock.now(), command.operator.cause, command.reason.strip()
            )
            await uow.payments.save(payment)
            await uow.commit()
        return payment
