"""Read-side use cases: orders and payments for their owner, the operators' search and inbox.

Results are entities in plain frozen dataclasses; the HTTP adapter maps them to wire types.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from application.errors import NotFoundError
from application.ports import OrderFilter, Page, PaymentFilter, UnitOfWorkFactory
from application.records import InboxMessage
from application.use_cases.actor import Actor, require_owner
from domain.cancellation import Cancellation
from domain.history import HistoryEntry
from domain.order import Order
from domain.payment import Payment
from domain.status import OrderStatus, OrderType, PaymentStatus


@dataclass(frozen=True, slots=True)
class ListOrdersCommand:
    actor: Actor
    user_seq: int | None = None  # operators only; a sponsor always sees their own
    status: tuple[OrderStatus, ...] = ()
    type: OrderType | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    page: Page = Page()


@dataclass(frozen=True, slots=True)
class OrdersResult:
    orders: tuple[Order, ...]
    # each order's newest payment (attempt or cycle charge), by order id; absent: none yet
    latest_payments: Mapping[int, Payment] = field(default_factory=dict)


class ListOrders:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def execute(self, command: ListOrdersCommand) -> OrdersResult:
        actor = command.actor
        user_seq = command.user_seq if actor.operator else actor.user_seq
        flt = OrderFilter(
            user_seq=user_seq,
            status=command.status or None,
            type=command.type,
            created_from=command.created_from,
            created_to=command.created_to,
        )
        async with self._uow() as uow:
            orders = await uow.orders.search(flt, command.page)
            latest = await uow.payments.latest_for_orders([o.id for o in orders])
        return OrdersResult(tuple(orders), latest)


@dataclass(frozen=True, slots=True)
class GetOrderCommand:
    actor: Actor
    order_id: int


@dataclass(frozen=True, slots=True)
class PaymentView:
    payment: Payment
    cancellations: tuple[Cancellation, ...]


@dataclass(frozen=True, slots=True)
class OrderView:
    order: Order
    payments: tuple[PaymentView, ...]  # oldest attempt first
    history: tuple[HistoryEntry, ...]  # the order's, its payments' and cancellations', by time

    @property
    def latest_payment(self) -> Payment | None:
        return self.payments[-1].payment if self.payments else None


class GetOrder:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def execute(self, command: GetOrderCommand) -> OrderView:
        async with self._uow() as uow:
            order = await uow.orders.get(command.order_id)
            if order is None:
                raise NotFoundError("order not found")
            require_owner(command.actor, order.user_seq, "order")
            payments = [
                PaymentView(p, tuple(await uow.cancellations.for_payment(p.id)))
                for p in await uow.payments.for_order(order.id)
            ]
            history = await uow.history.for_order(order.id)
        return OrderView(order, tuple(payments), tuple(history))


@dataclass(frozen=True, slots=True)
class GetPaymentCommand:
    actor: Actor
    payment_id: int


@dataclass(frozen=True, slots=True)
class PaymentDetail:
    payment: Payment
    cancellations: tuple[Cancellation, ...]
    history: tuple[HistoryEntry, ...]  # the payment's own entries


class GetPayment:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def execute(self, command: GetPaymentCommand) -> PaymentDetail:
        async with self._uow() as uow:
            payment = await uow.payments.get(command.payment_id)
            if payment is None:
                raise NotFoundError("payment not found")
            require_owner(command.actor, payment.user_seq, "payment")
            cancellations = await uow.cancellations.for_payment(payment.id)
            history = await uow.history.for_entity("payment", payment.id)
        return PaymentDetail(payment, tuple(cancellations), tuple(history))


@dataclass(frozen=True, slots=True)
class SearchPaymentsCommand:
    """Operators' search (`GET /api/admin/payments`); the route is guarded by role admin."""

    status: tuple[PaymentStatus, ...] = ()
    pay_method: str | None = None
    channel: str | None = None
    user_seq: int | None = None
    requested_from: datetime | None = None
    requested_to: datetime | None = None
    merchant_uid: str | None = None
    imp_uid: str | None = None
    unknown_only: bool = False  # outcomes still unknown (to settle by hand)
    attention_only: bool = False  # reported to operators, not yet acknowledged
    page: Page = Page()


@dataclass(frozen=True, slots=True)
class PaymentsResult:
    payments: tuple[Payment, ...]


class SearchPayments:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def execute(self, command: SearchPaymentsCommand) -> PaymentsResult:
        flt = PaymentFilter(
            user_seq=command.user_seq,
            status=command.status or None,
            pay_method=command.pay_method,
            channel=command.channel,
            merchant_uid=command.merchant_uid,
            imp_uid=command.imp_uid,
            requested_from=command.requested_from,
            requested_to=command.requested_to,
            unknown_only=command.unknown_only,
            attention_only=command.attention_only,
        )
        async with self._uow() as uow:
            payments = await uow.payments.search(flt, command.page)
        return PaymentsResult(tuple(payments))


@dataclass(frozen=True, slots=True)
class ListInboxQuery:
    state: str | None = None
    page: Page = Page()


class ListInbox:
    """The operators' view of the webhook inbox."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def execute(self, query: ListInboxQuery) -> list[InboxMessage]:
        async with self._uow() as uow:
            return await uow.webhooks.search(query.state, query.page)
