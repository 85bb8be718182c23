"""Builders for part A's tests: orders, payments and iamport records in a known state."""

from datetime import datetime
from typing import Any

from adapters.memory import FakeGateway, InMemoryStore
from application.gateway import GatewayPayment
from domain.history import HistoryEntry
from domain.identifiers import merchant_uid_for
from domain.money import Amount
from domain.order import Buyer, Order
from domain.payment import Payment
from domain.status import OrderType, PaymentStatus
from domain.subscription import Subscription

USER = 7


def one_time_order(
    order_id: int, at: datetime, amount: int = 10_000, method: str = "card", user: int = USER
) -> Order:
    return Order(
        id=order_id,
        user_seq=user,
        type=OrderType.ONE_TIME,
        content_type_code=1,
        content_seq=42,
        name="돌고 후원",
        amount=Amount(amount),
        created_at=at,
        pay_method=method,  # type: ignore[arg-type]
        buyer=Buyer("홍길동", "010-1234-5678", "gildong@example.com"),
    )


def attempt_of(order: Order, payment_id: int, at: datetime, channel: str = "nice") -> Payment:
    attempt = order.start_attempt(at)
    return Payment(
        id=payment_id,
        order_id=order.id,
        user_seq=order.user_seq,
        type=order.type,
        merchant_uid=merchant_uid_for(order.id, attempt),
        amount=order.amount,
        channel=channel,
        name=order.name,
        requested_at=at,
        pay_method=order.pay_method,
        attempt=attempt,
    )


def monthly_order(order_id: int, at: datetime, amount: int = 10_000) -> Order:
    return Order(
        id=order_id,
        user_seq=USER,
        type=OrderType.MONTHLY,
        content_type_code=1,
        content_seq=42,
        name="돌고 정기후원",
        amount=Amount(amount),
        created_at=at,
        pay_method="card",  # type: ignore[arg-type]
        payment_card_id=5,
        subscription=Subscription(billing_day=2, card_id=5),
    )


def cycle_attempt_of(order: Order, payment_id: int, at: datetime) -> Payment:
    cycle, attempt = order.begin_cycle_attempt(at)
    return Payment(
        id=payment_id,
        order_id=order.id,
        user_seq=order.user_seq,
        type=OrderType.MONTHLY,
        merchant_uid=merchant_uid_for(order.id, attempt, cycle),
        amount=order.amount,
        channel="nice",
        name=order.name,
        requested_at=at,
        pay_method="card",
        attempt=attempt,
        cycle=cycle,
        payment_card_id=5,
    )


def record(payment: Payment, gateway: FakeGateway, **fields: Any) -> GatewayPayment:
    """iamport's record of a try under `payment`'s merchant_uid (paid on nice unless told)."""
    fields.setdefault("pg_provider", "nice")
    fields.setdefault("pay_method", payment.pay_method or "card")
    amount = fields.pop("amount", payment.amount.total)
    return gateway.plant_payment(payment.merchant_uid, amount, **fields)


async def save_new(store: InMemoryStore, order: Order, *payments: Payment) -> None:
    async with store() as uow:
        await uow.orders.add(order)
        for p in payments:
            await uow.payments.add(p)
        await uow.commit()


async def load(store: InMemoryStore, order_id: int) -> tuple[Order, list[Payment]]:
    async with store() as uow:
        order = await uow.orders.get(order_id)
        assert order is not None
        return order, await uow.payments.for_order(order_id)


def transitions_to(history: list[HistoryEntry], entity: str, status: int) -> list[HistoryEntry]:
    return [h for h in history if h.entity == entity and h.to_status == status]


def paid_transitions(history: list[HistoryEntry]) -> list[HistoryEntry]:
    return transitions_to(history, "payment", int(PaymentStatus.PAID))


class Wiring:
    """Part A's use cases wired on the in-memory adapters (a composition root in miniature)."""

    def __init__(self, store, gateway, clock, ids, settings, channels) -> None:  # noqa: ANN001
        from application.settlement import Settlement
        from application.use_cases.complete_payment import CompletePayment
        from application.use_cases.create_checkout import CreateCheckout, RetryCheckout
        from application.use_cases.expire_unpaid import ExpireAbandonedOrders, ExpireVbanks
        from application.use_cases.handle_webhook import (
            ProcessDueWebhooks,
            ProcessWebhook,
            ReceiveWebhook,
        )
        from application.use_cases.payment_sync import PaymentSync
        from application.use_cases.reconcile import Reconcile
        from application.use_cases.register_card import ResolveCardIssuance
        from application.use_cases.resolve_unknown import (
            ListUnknownOutcomes,
            ResolveUnknownCancellations,
            ResolveUnknownPayments,
        )
        from application.use_cases.stuck_cards import ResolveStuckCardIssuances

        self.store, self.gateway, self.clock = store, gateway, clock
        self.settlement = Settlement(settings, channels)
        self.sync = PaymentSync(store, gateway, self.settlement, clock, ids)
        checkout = (store, gateway, clock, ids, settings, channels, self.settlement)
        self.create_checkout = CreateCheckout(*checkout)
        self.retry_checkout = RetryCheckout(*checkout, sync=self.sync)
        self.complete = CompletePayment(store, gateway, self.sync, clock)
        self.receive_webhook = ReceiveWebhook(store, clock, ids)
        self.resolve_card = ResolveCardIssuance(store, gateway, clock, channels, settings)
        self.process_webhook = ProcessWebhook(
            store, gateway, self.sync, clock, settings, cards=self.resolve_card
        )
        self.process_due_webhooks = ProcessDueWebhooks(store, self.process_webhook, clock)
        self.resolve_payments = ResolveUnknownPayments(store, gateway, self.sync, clock, settings)
        self.resolve_cancellations = ResolveUnknownCancellations(
            store, gateway, self.settlement, clock, settings
        )
        self.list_unknown = ListUnknownOutcomes(store, clock)
        self.resolve_stuck_cards = ResolveStuckCardIssuances(
            store, self.resolve_card, clock, settings
        )
        self.reconcile = Reconcile(store, gateway, self.sync, clock)
        self.expire_vbanks = ExpireVbanks(store, gateway, self.sync, clock)
        self.expire_abandoned = ExpireAbandonedOrders(
            store, gateway, self.sync, self.settlement, clock, settings
        )

    async def history(self, order_id: int) -> list[HistoryEntry]:
        async with self.store() as uow:
            return await uow.history.for_order(order_id)

    async def payment(self, merchant_uid: str) -> Payment:
        async with self.store() as uow:
            payment = await uow.payments.get_by_merchant_uid(merchant_uid)
        assert payment is not None
        return payment

    async def order(self, order_id: int) -> Order:
        async with self.store() as uow:
            order = await uow.orders.get(order_id)
        assert order is not None
        return order
