"""Key-in payment (비인증): an operator charges a card taken by phone; the history names the
operator, the card data is kept nowhere, a lost answer is resolved by the janitor."""

from datetime import timedelta

import pytest

from application.channel_health import ChannelHealthBook
from application.errors import NotFoundError
from application.gateway import Rejected, Unknown
from application.use_cases.actor import Actor
from application.use_cases.key_in import KeyInCommand, KeyInPayment
from application.use_cases.one_click import ChargeState
from application.use_cases.resolve_unknown import ResolveCommand
from domain.card_credentials import CardCredentials
from domain.status import OrderStatus, PaymentStatus
from tests.application.builders import OPERATOR, USER, Wiring, World, billing_charges

CARD = CardCredentials("5365-1034-8291-4417", "2031-07", "730415", "93")
OPS = Actor(OPERATOR, operator=True)


def key_in(w: World) -> KeyInPayment:
    health = ChannelHealthBook(w.store, w.clock, w.settings.breaker)
    charges = billing_charges(w)
    return KeyInPayment(w.store, w.gateway, w.clock, w.ids, w.channels, w.settings, charges, health)


def command(operator: Actor = OPS, **fields) -> KeyInCommand:
    return KeyInCommand(operator, USER, CARD, 30_000, "전화 후원", 1, 42, **fields)


async def test_a_key_in_charge_pays_and_every_history_entry_names_the_operator():
    w = World()
    result = await key_in(w).execute(command())

    (request,) = w.gateway.calls_of("charge_onetime")
    async with w.store() as uow:
        history = await uow.history.for_order(result.order.id)
    assert (result.state, (await w.order(result.order.id)).status) == (
        ChargeState.PAID,
        OrderStatus.PAID,
    )
    assert (request.merchant_uid, request.amount, request.pg) == (
        result.payment.merchant_uid,
        30_000,
        "nice",
    )
    assert {e.cause for e in history} == {f"operator:{OPERATOR}"}


async def test_a_sponsor_cannot_key_in():
    w = World()
    with pytest.raises(NotFoundError):
        await key_in(w).execute(command(Actor(USER)))
    assert w.gateway.calls_of("charge_onetime") == []


async def test_iamports_echo_of_the_card_data_is_scrubbed_before_it_is_kept():
    w = World()
    w.gateway.script("charge_onetime", Rejected("카드번호 5365103482914417 (730415) 오류", -1))
    result = await key_in(w).execute(command())

    payment = await w.payment(result.payment.id)
    assert result.state is ChargeState.FAILED
    assert "5365103482914417" not in (payment.fail_reason or "")
    assert "730415" not in repr(w.store.__dict__ | {"writer": None})


async def test_a_lost_answer_stays_unknown_until_the_janitor_finds_the_charge():
    w = World()
    w.gateway.script("charge_onetime", Unknown("read timeout"), apply=True)
    result = await key_in(w).execute(command())
    unknown = (await w.payment(result.payment.id)).status

    w.clock.advance(timedelta(minutes=10))
    app = Wiring(w.store, w.gateway, w.clock, w.ids, w.settings, w.channels)
    await app.resolve_payments.execute(ResolveCommand())

    assert (result.state, unknown, (await w.payment(result.payment.id)).status) == (
        ChargeState.UNKNOWN,
        PaymentStatus.REQUESTED,
        PaymentStatus.PAID,
    )
