"""One payment's whole story, for operators: the payment, its order, every transition of the
payment and of its cancellations (cause and the iamport data seen), its cancellations, the
webhooks that named it and the attention notes reported on it."""

from dataclasses import dataclass

from application.errors import NotFoundError
from application.ports import UnitOfWorkFactory
from application.records import InboxMessage
from application.use_cases.actor import Actor
from domain.cancellation import Cancellation
from domain.history import HistoryEntry
from domain.order import Order
from domain.payment import Payment

WEBHOOKS_SHOWN = 50  # a payment named by more notifications than this is shown the newest
ACKNOWLEDGED = "attention_acknowledged"


@dataclass(frozen=True, slots=True)
class PaymentStoryQuery:
    operator: Actor
    payment_id: int


@dataclass(frozen=True, slots=True)
class PaymentStory:
    order: Order
    payment: Payment
    cancellations: tuple[Cancellation, ...]
    timeline: tuple[HistoryEntry, ...]  # the payment's and its cancellations' entries, by time
    webhooks: tuple[InboxMessage, ...]  # newest first

    @property
    def cleared_notes(self) -> tuple[HistoryEntry, ...]:
        """Attention notes an operator acknowledged (the open one is `payment.attention`)."""
        return tuple(h for h in self.timeline if h.event == ACKNOWLEDGED)


class GetPaymentStory:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def execute(self, query: PaymentStoryQuery) -> PaymentStory:
        if not query.operator.operator:
            raise NotFoundError("payment not found")  # an admin route only
        async with self._uow() as uow:
            payment = await uow.payments.get(query.payment_id)
            if payment is None:
                raise NotFoundError("payment not found")
            order = await uow.orders.get(payment.order_id)
            assert order is not None
            cancellations = await uow.cancellations.for_payment(payment.id)
            entries = list(await uow.history.for_entity("payment", payment.id))
            for c in cancellations:
                entries += await uow.history.for_entity("cancellation", c.id)
            webhooks = await uow.webhooks.for_payment(
                payment.imp_uid, payment.merchant_uid, WEBHOOKS_SHOWN
            )
        timeline = sorted(entries, key=lambda h: h.at)  # stable: same-instant entries keep order
        return PaymentStory(order, payment, tuple(cancellations), tuple(timeline), tuple(webhooks))
