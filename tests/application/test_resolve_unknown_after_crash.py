"""Crashes between intent and outcome (spec §4.7, ADR 0007): every intent carries its own first
check time, and the janitor settles it from iamport's word — never by guess, never by retrying.

A crash is simulated by a gateway that kills the "process" inside the call (a BaseException, so
no `except Exception` of a use case catches it): the intent was committed, the outcome never
is. `after_effect=True`: iamport did the work before the process died.
"""

from collections.abc import Callable
from datetime import timedelta

import pytest

from adapters.memory import FakeGateway
from application.errors import RefundInProgress
from application.gateway import BillingKeyInfo, Unknown
from application.records import InboxState
from application.settings import PaymentSettings
from application.use_cases.actor import Actor
from application.use_cases.complete_payment import CompletePaymentCommand
from application.use_cases.create_checkout import CreateCheckoutCommand
from application.use_cases.handle_webhook import ProcessWebhookCommand, ReceiveWebhookCommand
from application.use_cases.refund import RequestRefund, RequestRefundCommand
from application.use_cases.register_card import RegisterCard, RegisterCardCommand
from application.use_cases.resolve_unknown import ListUnknownOutcomesQuery, ResolveCommand
from application.use_cases.stuck_cards import ResolveStuckCardIssuancesCommand
from application.use_cases.window_card import (
    StartWindowCardRegistration,
    StartWindowCardRegistrationCommand,
)
from domain.cancellation import Cancellation
from domain.card import PaymentCard
from domain.status import CancellationStatus, CardStatus, OrderStatus, PaymentStatus
from tests.application.builders import USER, Wiring, World, good_card

GRACE = PaymentSettings().card_issuance_grace
FIRST_CHECK = PaymentSettings().next_check_after(0)


class ProcessDied(BaseException):
    """The process died inside a gateway call: nothing after the call ran."""


class CrashingGateway(FakeGateway):
    def __init__(self, clock: Callable) -> None:
        super().__init__(clock=clock)
        self._crashes: dict[str, bool] = {}

    def crash(self, operation: str, *, after_effect: bool) -> None:
        self._crashes[operation] = after_effect

    async def _run(self, operation: str, arg: object, real: Callable[[], object]) -> object:
        if operation in self._crashes:
            if self._crashes.pop(operation):
                real()
            self.calls.append((operation, arg))
            raise ProcessDied(operation)
        return await super()._run(operation, arg, real)


@pytest.fixture
def w() -> World:
    world = World()
    world.gateway = CrashingGateway(world.clock.now)
    return world


@pytest.fixture
def app(w: World) -> Wiring:
    return Wiring(w.store, w.gateway, w.clock, w.ids, w.settings, w.channels)


def gateway(w: World) -> CrashingGateway:
    assert isinstance(w.gateway, CrashingGateway)
    return w.gateway


def refund(w: World, app: Wiring) -> RequestRefund:
    return RequestRefund(w.store, w.gateway, w.clock, w.ids, w.settings, app.settlement, w.channels)


async def ask_refund(w: World, app: Wiring, payment_id: int, amount: int | None = None):
    return await refund(w, app).execute(
        RequestRefundCommand(Actor(USER), payment_id, "후원 취소", amount=amount)
    )


async def cancellations_of(w: World, payment_id: int) -> list[Cancellation]:
    async with w.store.uow() as uow:
        return await uow.cancellations.for_payment(payment_id)


async def card_of(w: World, card_id: int) -> PaymentCard:
    async with w.store.uow() as uow:
        card = await uow.cards.get(card_id)
    assert card is not None
    return card


# -- 1. cancellations stuck in REQUESTED ---------------------------------------------------------
async def test_refund_intent_carries_its_own_first_check_time(w, app):
    p = await w.paid_payment()
    gateway(w).crash("cancel", after_effect=False)
    with pytest.raises(ProcessDied):
        await ask_refund(w, app, p.id)

    [row] = await cancellations_of(w, p.id)
    assert row.status is CancellationStatus.REQUESTED
    assert row.next_check_at == w.clock.now() + FIRST_CHECK


async def test_crash_after_iamport_cancelled_is_settled_succeeded_and_booked(w, app):
    p = await w.paid_payment(amount=10_000)
    gateway(w).crash("cancel", after_effect=True)  # iamport refunded; we never heard it
    with pytest.raises(ProcessDied):
        await ask_refund(w, app, p.id, 4_000)
    with pytest.raises(RefundInProgress):  # the intent blocks further refunds ...
        await ask_refund(w, app, p.id, 1_000)

    early = await app.resolve_cancellations.execute(ResolveCommand())
    assert early.resolutions == []  # ... not before its first check (the call may still run)
    w.clock.advance(FIRST_CHECK)
    [resolution] = (await app.resolve_cancellations.execute(ResolveCommand())).resolutions

    [row] = await cancellations_of(w, p.id)
    payment = await w.payment(p.id)
    assert (resolution.outcome, row.status, row.cancellation_id, row.next_check_at) == (
        "succeeded",
        CancellationStatus.SUCCEEDED,
        "cxl_1",
        None,
    )
    assert (payment.status, payment.cancelled_amount) == (PaymentStatus.PAID, 4_000)
    assert len(gateway(w).calls_of("cancel")) == 1  # never sent again

    # ... and the payment is refundable again: the next refund goes through.
    second = await ask_refund(w, app, p.id, 1_000)
    assert second.cancellation.status is CancellationStatus.SUCCEEDED
    assert (await w.payment(p.id)).cancelled_amount == 5_000


async def test_crash_before_the_cancel_was_sent_is_rejected_as_never_carried_out(w, app):
    p = await w.paid_payment(amount=10_000)
    gateway(w).crash("cancel", after_effect=False)
    with pytest.raises(ProcessDied):
        await ask_refund(w, app, p.id)

    w.clock.advance(FIRST_CHECK)
    [resolution] = (await app.resolve_cancellations.execute(ResolveCommand())).resolutions

    [row] = await cancellations_of(w, p.id)
    payment = await w.payment(p.id)
    assert (resolution.outcome, row.status, row.next_check_at) == (
        "rejected",
        CancellationStatus.REJECTED,
        None,
    )
    assert (payment.status, payment.cancelled_amount) == (PaymentStatus.PAID, 0)
    assert len(gateway(w).calls_of("cancel")) == 1  # not retried by the janitor
    again = await ask_refund(w, app, p.id)  # the sponsor may ask again
    assert again.cancellation.status is CancellationStatus.SUCCEEDED


async def test_requested_cancel_without_iamports_record_becomes_unknown_and_is_listed(w, app):
    p = await w.paid_payment()
    gateway(w).crash("cancel", after_effect=True)
    with pytest.raises(ProcessDied):
        await ask_refund(w, app, p.id)
    listed = await app.list_unknown.execute(ListUnknownOutcomesQuery())
    assert listed.cancellations == []  # in flight, not yet overdue

    w.clock.advance(FIRST_CHECK)
    overdue = await app.list_unknown.execute(ListUnknownOutcomesQuery())
    assert [c.payment_id for c in overdue.cancellations] == [p.id]
    gateway(w).script("get_payment", Unknown("503"))
    [r] = (await app.resolve_cancellations.execute(ResolveCommand())).resolutions
    [row] = await cancellations_of(w, p.id)
    assert (r.outcome, row.status) == ("still_unknown", CancellationStatus.UNKNOWN)
    assert row.next_check_at == w.clock.now() + w.settings.next_check_after(1)

    w.clock.advance(w.settings.next_check_after(1))
    [r] = (await app.resolve_cancellations.execute(ResolveCommand())).resolutions
    assert r.outcome == "succeeded"
    assert (await w.payment(p.id)).status is PaymentStatus.CANCELLED
    assert (await w.order(p.order_id)).status is OrderStatus.CANCELLED


async def test_the_cancel_of_a_forged_payment_carries_its_first_check_too(w, app):
    co = await app.create_checkout.execute(
        CreateCheckoutCommand(USER, 1, 42, "돌고 후원", 50_000, "card", buyer_name="홍길동")
    )
    forged = w.gateway.plant_payment(co.merchant_uid, 500, pg_provider="nice")
    gateway(w).crash("cancel", after_effect=True)
    with pytest.raises(ProcessDied):
        await app.complete.execute(CompletePaymentCommand(forged.imp_uid, co.merchant_uid, USER))
    payment = await app.payment(co.merchant_uid)
    [row] = await cancellations_of(w, payment.id)
    assert (payment.status, row.status) == (PaymentStatus.FAILED, CancellationStatus.REQUESTED)
    assert row.next_check_at == w.clock.now() + FIRST_CHECK

    w.clock.advance(FIRST_CHECK)
    [r] = (await app.resolve_cancellations.execute(ResolveCommand())).resolutions
    assert r.outcome == "succeeded"
    [row] = await cancellations_of(w, payment.id)
    assert row.status is CancellationStatus.SUCCEEDED


# -- 2. cards stuck in ISSUING -------------------------------------------------------------------
def register(w: World) -> RegisterCard:
    return RegisterCard(w.store, w.gateway, w.clock, w.ids, w.channels, w.settings)


async def crashed_registration(w: World, *, after_effect: bool) -> int:
    gateway(w).crash("issue_billing_key", after_effect=after_effect)
    with pytest.raises(ProcessDied):
        await register(w).execute(RegisterCardCommand(USER, good_card()))
    [card] = w.store.cards.values()
    assert card.status is CardStatus.ISSUING
    return card.id


async def test_crash_after_iamport_issued_the_key_activates_the_card_after_the_grace(w, app):
    card_id = await crashed_registration(w, after_effect=True)

    early = await app.resolve_stuck_cards.execute(ResolveStuckCardIssuancesCommand())
    assert early.resolutions == [] and gateway(w).calls_of("get_billing_key") == []
    w.clock.advance(GRACE + timedelta(seconds=1))
    [r] = (await app.resolve_stuck_cards.execute(ResolveStuckCardIssuancesCommand())).resolutions

    card = await card_of(w, card_id)
    assert (r.card_id, r.outcome, card.status) == (card_id, "active", CardStatus.ACTIVE)
    assert card.card_disp == "5365-10**-****-4417" and card.keys[0].active
    assert len(gateway(w).calls_of("issue_billing_key")) == 1  # never issued again


async def test_crash_before_the_key_was_asked_fails_the_card_after_the_grace(w, app):
    card_id = await crashed_registration(w, after_effect=False)
    w.clock.advance(GRACE + timedelta(seconds=1))
    [r] = (await app.resolve_stuck_cards.execute(ResolveStuckCardIssuancesCommand())).resolutions
    assert (r.outcome, (await card_of(w, card_id)).status) == ("failed", CardStatus.FAILED)
    # Settled cards leave the list.
    again = await app.resolve_stuck_cards.execute(ResolveStuckCardIssuancesCommand())
    assert again.resolutions == []


async def test_a_lost_key_lookup_keeps_the_card_issuing_until_iamport_answers(w, app):
    w.gateway.script("issue_billing_key", Unknown("read timeout"), apply=True)
    result = await register(w).execute(RegisterCardCommand(USER, good_card()))
    assert result.pending
    w.clock.advance(GRACE + timedelta(seconds=1))
    w.gateway.script("get_billing_key", Unknown("502"))

    first = await app.resolve_stuck_cards.execute(ResolveStuckCardIssuancesCommand())
    assert [r.outcome for r in first.resolutions] == ["still_issuing"]
    assert (await card_of(w, result.card.id)).status is CardStatus.ISSUING
    second = await app.resolve_stuck_cards.execute(ResolveStuckCardIssuancesCommand())
    assert [r.outcome for r in second.resolutions] == ["active"]


async def test_an_abandoned_window_registration_fails_only_after_the_grace(w, app):
    started = await StartWindowCardRegistration(
        w.store, w.clock, w.ids, w.channels, w.settings
    ).execute(StartWindowCardRegistrationCommand(USER))
    w.clock.advance(GRACE)  # exactly the grace: the sponsor may still be in the window
    assert (
        await app.resolve_stuck_cards.execute(ResolveStuckCardIssuancesCommand())
    ).resolutions == []
    w.clock.advance(seconds=1)
    [r] = (await app.resolve_stuck_cards.execute(ResolveStuckCardIssuancesCommand())).resolutions
    assert (r.outcome, (await card_of(w, started.card.id)).status) == ("failed", CardStatus.FAILED)


async def test_a_test_channels_key_is_refused_in_production():
    w = World(
        settings=PaymentSettings(public_base_url="https://pay.dolgo.example", production=True)
    )
    app = Wiring(w.store, w.gateway, w.clock, w.ids, w.settings, w.channels)
    w.gateway.script("issue_billing_key", Unknown("read timeout"))
    result = await register(w).execute(RegisterCardCommand(USER, good_card()))
    customer_uid = result.card.keys[0].customer_uid
    w.gateway.keys[customer_uid] = BillingKeyInfo(customer_uid, pg_provider="nice", sandbox=True)
    w.clock.advance(GRACE + timedelta(seconds=1))
    [r] = (await app.resolve_stuck_cards.execute(ResolveStuckCardIssuancesCommand())).resolutions
    assert (r.outcome, (await card_of(w, result.card.id)).status) == ("failed", CardStatus.FAILED)


# -- 3. key-issuance window webhooks -------------------------------------------------------------
async def start_window(w: World):
    return await StartWindowCardRegistration(
        w.store, w.clock, w.ids, w.channels, w.settings
    ).execute(StartWindowCardRegistrationCommand(USER))


def issue_in_window(w: World, card_id: int, customer_uid: str, *, key: bool = True) -> str:
    """What the PG window does: iamport records the issue payment (and the key, if issued)."""
    if key:
        w.gateway.keys[customer_uid] = BillingKeyInfo(
            customer_uid, pg_provider="html5_inicis", card_name="KB국민카드", card_number="9410"
        )
    return w.gateway.plant_payment(
        f"dpk{card_id}",
        0,
        pg_provider="html5_inicis",
        customer_uid=customer_uid,
        customer_uid_usage="issue",
        status="paid" if key else "failed",
    ).imp_uid


async def webhook(app: Wiring, imp_uid: str, merchant_uid: str):
    body = f'{{"imp_uid":"{imp_uid}","merchant_uid":"{merchant_uid}","status":"paid"}}'
    message_id = await app.receive_webhook.execute(ReceiveWebhookCommand(body, "application/json"))
    return await app.process_webhook.execute(ProcessWebhookCommand(message_id))


async def test_window_webhook_activates_the_card_without_the_browser(w, app):
    started = await start_window(w)
    imp_uid = issue_in_window(w, started.card.id, started.params.customer_uid)

    result = await webhook(app, imp_uid, started.params.merchant_uid)

    card = await card_of(w, started.card.id)
    assert (result.state, card.status, card.card_corp) == (
        InboxState.PROCESSED,
        CardStatus.ACTIVE,
        "KB국민카드",
    )
    again = await webhook(app, imp_uid, started.params.merchant_uid)  # a duplicate: no change
    assert again.state is InboxState.PROCESSED
    assert (await card_of(w, started.card.id)).version == card.version


async def test_window_webhook_without_a_key_leaves_the_card_to_the_janitor(w, app):
    started = await start_window(w)
    imp_uid = issue_in_window(w, started.card.id, started.params.customer_uid, key=False)

    result = await webhook(app, imp_uid, started.params.merchant_uid)
    assert result.state is InboxState.PROCESSED
    assert (await card_of(w, started.card.id)).status is CardStatus.ISSUING  # no guess

    w.clock.advance(GRACE + timedelta(seconds=1))
    await app.resolve_stuck_cards.execute(ResolveStuckCardIssuancesCommand())
    assert (await card_of(w, started.card.id)).status is CardStatus.FAILED


async def test_window_webhook_for_another_cards_key_touches_nothing(w, app):
    started = await start_window(w)
    other = await start_window(w)
    imp_uid = issue_in_window(w, started.card.id, other.params.customer_uid)

    result = await webhook(app, imp_uid, started.params.merchant_uid)

    assert result.state is InboxState.UNMATCHED
    assert (await card_of(w, started.card.id)).status is CardStatus.ISSUING
    assert (await card_of(w, other.card.id)).status is CardStatus.ISSUING


async def test_window_webhook_for_no_card_of_ours_is_unmatched(w, app):
    imp_uid = issue_in_window(w, 424242, "dpc424242_html5_inicis")
    result = await webhook(app, imp_uid, "dpk424242")
    assert result.state is InboxState.UNMATCHED


async def test_window_webhook_with_an_unanswered_key_lookup_is_retried(w, app):
    started = await start_window(w)
    imp_uid = issue_in_window(w, started.card.id, started.params.customer_uid)
    w.gateway.script("get_billing_key", Unknown("502"))

    first = await webhook(app, imp_uid, started.params.merchant_uid)
    assert first.state is InboxState.FAILED
    assert (await card_of(w, started.card.id)).status is CardStatus.ISSUING
    retried = await app.process_webhook.execute(ProcessWebhookCommand(first.message_id))
    assert retried.state is InboxState.PROCESSED
    assert (await card_of(w, started.card.id)).status is CardStatus.ACTIVE
