"""Builders of the application tests: the in-memory world (`World`), one wiring of use cases on it
(`Wiring`), orders, attempts and iamport records made to order."""

import dataclasses
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from adapters.memory import FakeGateway, FixedClock, InMemoryStore, SequentialIds
from application.billing import BillingCharges
from application.channels import ChannelDirectory
from application.gateway import GatewayPayment, IamportGateway
from application.payment_sync import PaymentSync
from application.settings import PaymentSettings
from application.settlement import Settlement
from application.use_cases.actor import Actor
from application.use_cases.charge_cycle import (
    ChargeCycle,
    ChargeDueSubscriptions,
    ChargeDueSubscriptionsCommand,
)
from application.use_cases.complete_payment import CompletePaymentCommand
from application.use_cases.create_checkout import CreateCheckoutCommand
from application.use_cases.handle_webhook import ProcessWebhookCommand, ReceiveWebhookCommand
from application.use_cases.one_click import NewCardCharge, PayWithCard
from application.use_cases.register_card import RegisterCard, RegisterCardCommand
from application.use_cases.resolve_unknown import ResolveUnknownPayments
from application.use_cases.subscriptions import (
    CancelSubscription,
    CancelSubscriptionCommand,
    StartSubscription,
    StartSubscriptionCommand,
)
from domain.card import PaymentCard
from domain.card_credentials import CardCredentials
from domain.history import HistoryEntry
from domain.identifiers import merchant_uid_for
from domain.money import Amount
from domain.order import Buyer, Order
from domain.payment import Payment, SettledFacts
from domain.status import OrderStatus, OrderType, PaymentStatus, PayMethod
from domain.subscription import Subscription
from tests.application.conftest import DEMO_CHANNELS

SEOUL = ZoneInfo("Asia/Seoul")
USER = 7
OTHER_USER = 8
OPERATOR = 900


def kst(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An instant given in Seoul wall time, as the aware UTC datetime the core stores."""
    return datetime(year, month, day, hour, minute, tzinfo=SEOUL).astimezone(UTC)


def good_card(number: str = "5365-1034-8291-4417") -> CardCredentials:
    return CardCredentials(number=number, expiry="2031-07", birth="730415", pwd_2digit="93")


@dataclass
class World:
    clock: FixedClock = field(default_factory=lambda: FixedClock(kst(2026, 3, 2, 10)))
    ids: SequentialIds = field(default_factory=SequentialIds)
    store: InMemoryStore = field(default_factory=InMemoryStore)
    settings: PaymentSettings = field(
        default_factory=lambda: PaymentSettings(public_base_url="https://pay.dolgo.example")
    )
    channels: ChannelDirectory = field(default_factory=lambda: ChannelDirectory.of(DEMO_CHANNELS))
    gateway: FakeGateway = field(init=False)

    def __post_init__(self) -> None:
        self.gateway = FakeGateway(clock=self.clock.now)

    # -- reading the store back ------------------------------------------------------------------
    async def order(self, order_id: int) -> Order:
        async with self.store.uow() as uow:
            order = await uow.orders.get(order_id)
        assert order is not None
        return order

    async def payment(self, payment_id: int) -> Payment:
        async with self.store.uow() as uow:
            payment = await uow.payments.get(payment_id)
        assert payment is not None
        return payment

    async def payments_of(self, order_id: int) -> list[Payment]:
        async with self.store.uow() as uow:
            return await uow.payments.for_order(order_id)

    # -- builders --------------------------------------------------------------------------------
    async def paid_payment(
        self,
        *,
        method: str = "card",
        pg_provider: str = "nice",
        channel: str | None = None,
        amount: int = 10_000,
        tax_free: int = 0,
        paid_at: datetime | None = None,
        card_name: str | None = "신한카드",
        user_seq: int = USER,
    ) -> Payment:
        """A one-time order paid through the PG window: in our store and at the fake iamport."""
        paid_at = paid_at or self.clock.now()
        order = Order(
            id=self.ids.new_id(),
            user_seq=user_seq,
            type=OrderType.ONE_TIME,
            content_type_code=1,
            content_seq=42,
            name="후원",
            amount=Amount(amount, tax_free),
            created_at=paid_at,
            pay_method=PayMethod(method),
        )
        attempt = order.start_attempt(paid_at)
        uid = merchant_uid_for(order.id, attempt)
        record = self.gateway.plant_payment(
            uid, amount, pay_method=method, pg_provider=pg_provider, card_name=card_name
        )
        payment = Payment(
            id=self.ids.new_id(),
            order_id=order.id,
            user_seq=user_seq,
            type=OrderType.ONE_TIME,
            merchant_uid=uid,
            amount=Amount(amount, tax_free),
            channel=channel or pg_provider,
            name="후원",
            requested_at=paid_at,
            pay_method=method,
        )
        payment.approve(
            SettledFacts(
                imp_uid=record.imp_uid,
                pg_provider=pg_provider,
                pay_method=method,
                card_name=card_name,
            ),
            paid_at,
            "test",
        )
        order.paid(paid_at, "test")
        async with self.store.uow() as uow:
            await uow.orders.add(order)
            await uow.payments.add(payment)
            await uow.commit()
        return payment


# -- looking for leaked secrets --------------------------------------------------------------------
def strings_in(obj: Any, _seen: set[int] | None = None) -> Iterator[str]:
    """Every string reachable from `obj`: dataclass fields (repr=False ones too), containers."""
    seen = _seen if _seen is not None else set()
    if id(obj) in seen:
        return
    seen.add(id(obj))
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, bytes):
        yield obj.decode(errors="replace")
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from strings_in(k, seen)
            yield from strings_in(v, seen)
    elif isinstance(obj, list | tuple | set | frozenset):
        for item in obj:
            yield from strings_in(item, seen)
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            yield from strings_in(getattr(obj, f.name), seen)
    elif isinstance(obj, BaseException):
        yield str(obj)
        yield repr(obj)
        yield from strings_in(obj.args, seen)
        yield from strings_in(vars(obj), seen)
    elif isinstance(obj, int | float | bool | datetime) or obj is None:
        yield str(obj)
    else:
        yield repr(obj)


# -- use cases wired on a world --------------------------------------------------------------------
def settlement(w: World) -> Settlement:
    return Settlement(w.settings, w.channels)


def billing_charges(w: World, gateway: IamportGateway | None = None) -> BillingCharges:
    return BillingCharges(
        w.store, gateway or w.gateway, w.clock, w.settings, settlement(w), w.ids, w.channels
    )


def pay_with_card(w: World) -> PayWithCard:
    return PayWithCard(NewCardCharge(w.store, w.clock, w.ids, w.settings, billing_charges(w)))


def start_subscription(w: World) -> StartSubscription:
    new_charge = NewCardCharge(w.store, w.clock, w.ids, w.settings, billing_charges(w))
    return StartSubscription(w.settings, new_charge)


async def registered_card(
    w: World, user_seq: int = USER, number: str = "5365-1034-8291-4417"
) -> PaymentCard:
    result = await RegisterCard(w.store, w.gateway, w.clock, w.ids, w.channels, w.settings).execute(
        RegisterCardCommand(user_seq, good_card(number))
    )
    return result.card


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
    """The checkout, completion, webhook and janitor use cases wired on the in-memory adapters (a composition root in miniature)."""

    def __init__(self, store, gateway, clock, ids, settings, channels) -> None:  # noqa: ANN001
        from application.payment_sync import PaymentSync
        from application.settlement import Settlement
        from application.use_cases.complete_payment import CompletePayment
        from application.use_cases.create_checkout import CreateCheckout, RetryCheckout
        from application.use_cases.expire_unpaid import ExpireAbandonedOrders, ExpireVbanks
        from application.use_cases.handle_webhook import (
            ProcessDueWebhooks,
            ProcessWebhook,
            ReceiveWebhook,
        )
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
        self.expire_abandoned = ExpireAbandonedOrders(store, self.sync, clock, settings)

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


# -- shared steps of the use-case tests ---------------------------------------------------------
async def webhook(app: Wiring, imp_uid: str, merchant_uid: str, status: str = "paid"):
    body = json.dumps({"imp_uid": imp_uid, "merchant_uid": merchant_uid, "status": status})
    message_id = await app.receive_webhook.execute(
        ReceiveWebhookCommand(body, "application/json", "52.78.100.19")
    )
    return await app.process_webhook.execute(ProcessWebhookCommand(message_id))


async def paid_checkout(app: Wiring, amount: int = 10_000):
    co = await app.create_checkout.execute(
        CreateCheckoutCommand(USER, 1, 42, "돌고 후원", amount, "card")
    )
    rec = app.gateway.plant_payment(co.merchant_uid, amount, pg_provider="nice")
    await app.complete.execute(CompletePaymentCommand(rec.imp_uid, co.merchant_uid, USER))
    return co, rec


async def start(w: World, card_id: int, billing_day: int = 2, amount: int = 10_000):
    return await start_subscription(w).execute(
        StartSubscriptionCommand(USER, card_id, amount, billing_day, "정기후원", 1, 42)
    )


def cycle_use_case(w: World, gateway: IamportGateway | None = None) -> ChargeCycle:
    """ChargeCycle on `w`; `gateway` replaces the world's (e.g. one that races a cancel)."""
    gateway = gateway or w.gateway
    sync = PaymentSync(w.store, gateway, settlement(w), w.clock, w.ids)
    unknown = ResolveUnknownPayments(w.store, gateway, sync, w.clock, w.settings)
    charges = billing_charges(w, gateway)
    return ChargeCycle(w.store, w.clock, w.ids, w.settings, charges, unknown)


async def run_scheduler(w: World, at=None):
    if at is not None:
        w.clock.set(at)
    return await ChargeDueSubscriptions(w.store, w.clock, cycle_use_case(w)).execute(
        ChargeDueSubscriptionsCommand()
    )


def charges(w: World) -> list:
    return w.gateway.calls_of("charge_billing_key")


async def started(w: World, billing_day: int = 2) -> tuple[Order, str]:
    """A ROUTINE sponsorship (first cycle paid now) and its card's customer_uid."""
    card = await registered_card(w)
    result = await start(w, card.id, billing_day)
    assert result.order.status is OrderStatus.ROUTINE
    return result.order, card.keys[0].customer_uid


class CancelWhileCharging:
    """The fake iamport, but the sponsor cancels while the charge is on the wire."""

    def __init__(self, w: World, order_id: int) -> None:
        self._w, self._order_id = w, order_id

    def __getattr__(self, name: str):
        return getattr(self._w.gateway, name)

    async def charge_billing_key(self, request):
        await CancelSubscription(self._w.store, self._w.clock).execute(
            CancelSubscriptionCommand(Actor(USER), self._order_id, "그만할래요")
        )
        return await self._w.gateway.charge_billing_key(request)
