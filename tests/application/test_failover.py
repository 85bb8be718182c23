"""Several PGs (spec §4.9): backup keys, failover only when the primary is known not to have
charged, breakers that move charges and checkout, and a billing run through an outage."""

import dataclasses
from datetime import timedelta

import pytest

from application.channels import Channel, ChannelDirectory, KeyIssuance
from application.errors import GatewayUnavailable
from application.gateway import NotAttempted, Unknown
from application.settings import PaymentSettings
from application.use_cases.charge_cycle import ChargeDueSubscriptions, ChargeDueSubscriptionsCommand
from application.use_cases.create_checkout import CreateCheckout, CreateCheckoutCommand
from application.use_cases.one_click import ChargeState, PayWithCardCommand
from application.use_cases.subscriptions import StartSubscriptionCommand
from domain.channel_health import BreakerPolicy, BreakerState
from domain.status import OrderStatus, PaymentStatus
from tests.application.builders import (
    USER,
    World,
    cycle_use_case,
    kst,
    pay_with_card,
    registered_card,
    settlement,
    start_subscription,
)
from tests.application.conftest import DEMO_CHANNELS

KICC = Channel(
    name="kicc",
    pg="kicc",
    pg_provider="kicc",
    methods=frozenset({"card"}),
    key_issuance=KeyIssuance.REST,
    priority=25,
)
POLICY = BreakerPolicy(failure_threshold=3, open_for=timedelta(seconds=60))


def two_pg_world() -> World:
    """nice (primary, card data also sent to kicc at registration) and kicc (its backup)."""
    channels = [
        dataclasses.replace(c, billing_backup="kicc") if c.name == "nice" else c
        for c in DEMO_CHANNELS
    ]
    return World(
        channels=ChannelDirectory.of([*channels, KICC]),
        settings=PaymentSettings(public_base_url="https://pay.dolgo.example", breaker=POLICY),
    )


async def pay(w: World, card_id: int, amount: int = 10_000):
    return await pay_with_card(w).execute(PayWithCardCommand(USER, card_id, amount, "후원", 1, 42))


async def start(w: World, card_id: int):
    return await start_subscription(w).execute(
        StartSubscriptionCommand(USER, card_id, 10_000, 2, "정기후원", 1, 42)
    )


def paid_at_iamport(w: World) -> list[str]:
    """merchant_uids iamport holds a paid payment under (what the sponsor was charged)."""
    return [p.merchant_uid for p in w.gateway.payments.values() if p.status == "paid"]


def charge_calls(w: World) -> list[str]:
    return [r.customer_uid for r in w.gateway.calls_of("charge_billing_key")]


# -- backup keys -----------------------------------------------------------------------------------
async def test_a_card_registered_on_the_primary_also_gets_a_key_on_its_backup():
    w = two_pg_world()
    card = await registered_card(w)
    issued = [r.pg for r in w.gateway.calls_of("issue_billing_key")]
    assert issued == ["nice", "kicc"]
    assert [k.channel for k in card.keys if k.active] == ["nice", "kicc"]


async def test_a_backup_that_refuses_leaves_the_card_on_the_primary_alone():
    w = two_pg_world()
    w.gateway.down.add("kicc")
    card = await registered_card(w)
    assert [k.channel for k in card.keys if k.active] == ["nice"]
    assert card.status.name == "ACTIVE"


# -- one-click -------------------------------------------------------------------------------------
async def test_primary_outage_one_click_is_paid_once_on_the_backup_with_both_attempts_kept():
    w = two_pg_world()
    card = await registered_card(w)
    w.gateway.down.add("nice")

    result = await pay(w, card.id)

    attempts = await w.payments_of(result.order.id)
    assert result.state is ChargeState.PAID and result.order.status is OrderStatus.PAID
    assert [(p.channel, p.status, p.unpaid_proven) for p in attempts] == [
        ("nice", PaymentStatus.FAILED, True),
        ("kicc", PaymentStatus.PAID, False),
    ]
    assert attempts[0].merchant_uid != attempts[1].merchant_uid
    assert paid_at_iamport(w) == [attempts[1].merchant_uid]  # exactly one charge
    assert "failover from nice" in (attempts[1].route_reason or "")
    # the rejection was proven unpaid by a lookup before the backup was tried
    assert len(w.gateway.calls_of("find_payment")) == 1


async def test_a_refused_connection_fails_over_without_a_lookup():
    w = two_pg_world()
    card = await registered_card(w)
    w.gateway.script("charge_billing_key", NotAttempted("connection refused"))
    result = await pay(w, card.id)
    assert result.state is ChargeState.PAID
    assert [p.channel for p in await w.payments_of(result.order.id)] == ["nice", "kicc"]
    assert w.gateway.calls_of("find_payment") == []


async def test_a_decline_on_the_primary_never_falls_back():
    w = two_pg_world()
    card = await registered_card(w)
    w.gateway.declining[card.key_for("nice").customer_uid] = "잔액부족"
    result = await pay(w, card.id)
    assert (result.state, result.fail_reason) == (ChargeState.FAILED, "잔액부족")
    assert charge_calls(w) == [card.key_for("nice").customer_uid]
    assert len(await w.payments_of(result.order.id)) == 1


async def test_a_timeout_on_the_primary_is_unknown_and_never_falls_back_unproven():
    w = two_pg_world()
    card = await registered_card(w)
    w.gateway.script("charge_billing_key", Unknown("read timeout"), apply=True)  # charged!
    result = await pay(w, card.id)
    (attempt,) = await w.payments_of(result.order.id)
    assert result.state is ChargeState.UNKNOWN and attempt.status is PaymentStatus.REQUESTED
    assert charge_calls(w) == [card.key_for("nice").customer_uid]
    assert len(paid_at_iamport(w)) == 1  # the one charge the lost answer hid


async def test_an_open_breaker_sends_the_charge_straight_to_the_backup():
    w = two_pg_world()
    card = await registered_card(w)
    w.gateway.down.add("nice")
    for _ in range(3):
        await pay(w, card.id)
    assert (await w.store.uow().channel_health.get("nice")).state is BreakerState.OPEN
    calls_before = len(charge_calls(w))

    result = await pay(w, card.id)
    (attempt,) = await w.payments_of(result.order.id)
    assert (attempt.channel, attempt.status) == ("kicc", PaymentStatus.PAID)
    assert "passed over nice (open)" in (attempt.route_reason or "")
    assert charge_calls(w)[calls_before:] == [card.key_for("kicc").customer_uid]


async def test_with_every_key_behind_an_open_breaker_nothing_is_recorded_or_charged():
    w = World(settings=PaymentSettings(public_base_url="https://pay.dolgo.example", breaker=POLICY))
    card = await registered_card(w)  # nice only
    w.gateway.down.add("nice")
    for _ in range(3):
        await pay(w, card.id)
    orders_before, calls_before = len(w.store.orders), len(charge_calls(w))
    with pytest.raises(GatewayUnavailable):
        await pay(w, card.id)
    assert (len(w.store.orders), len(charge_calls(w))) == (orders_before, calls_before)


# -- the breaker moves checkout and comes back ---------------------------------------------------
async def test_checkout_moves_off_an_open_primary_and_back_once_a_probe_succeeds():
    w = two_pg_world()
    card = await registered_card(w)

    async def checkout_pg() -> str:
        result = await CreateCheckout(
            w.store, w.gateway, w.clock, w.ids, w.settings, w.channels, settlement(w)
        ).execute(CreateCheckoutCommand(USER, 1, 42, "후원", 10_000, "card"))
        return result.request_pay.pg

    assert await checkout_pg() == "nice"
    w.gateway.down.add("nice")
    for _ in range(3):
        await pay(w, card.id)
    assert await checkout_pg() == "html5_inicis"

    w.gateway.down.discard("nice")
    w.clock.advance(timedelta(seconds=61))  # the breaker lets one probe through
    probe = await pay(w, card.id)
    (attempt,) = await w.payments_of(probe.order.id)
    assert (attempt.channel, attempt.status) == ("nice", PaymentStatus.PAID)
    assert await checkout_pg() == "nice"


# -- monthly ---------------------------------------------------------------------------------------
async def test_a_billing_run_during_a_primary_outage_charges_everyone_once_on_the_backup():
    w = two_pg_world()
    sponsorships = []
    for n in range(5):
        card = await registered_card(w, number=f"5365-1034-8291-44{n:02d}")
        sponsorships.append((await start(w, card.id)).order)
    w.gateway.down.add("nice")
    w.clock.set(kst(2026, 4, 2, 10))

    result = await ChargeDueSubscriptions(w.store, w.clock, cycle_use_case(w)).execute(
        ChargeDueSubscriptionsCommand()
    )

    assert result.errors == 0
    for order in sponsorships:
        stored = await w.order(order.id)
        cycle2 = [p for p in await w.payments_of(order.id) if p.cycle == 2]
        paid = [p for p in cycle2 if p.is_paid]
        assert stored.status is OrderStatus.ROUTINE  # nobody in dunning
        assert [p.channel for p in paid] == ["kicc"]
        assert [uid for uid in paid_at_iamport(w) if uid.startswith(f"dp{order.id}c2")] == [
            paid[0].merchant_uid
        ]
        assert stored.subscription.next_charge_at == kst(2026, 5, 2, 10)
    # after the breaker opened, the rest went straight to kicc: fewer attempts than 2 per sponsor
    attempts = [p for o in sponsorships for p in await w.payments_of(o.id) if p.cycle == 2]
    assert len(attempts) < 2 * len(sponsorships)


async def test_a_decline_on_the_primary_in_a_billing_run_goes_to_dunning_not_to_the_backup():
    w = two_pg_world()
    card = await registered_card(w)
    order = (await start(w, card.id)).order
    w.gateway.declining[card.key_for("nice").customer_uid] = "한도초과"
    w.clock.set(kst(2026, 4, 2, 10))
    await ChargeDueSubscriptions(w.store, w.clock, cycle_use_case(w)).execute(
        ChargeDueSubscriptionsCommand()
    )
    cycle2 = [p for p in await w.payments_of(order.id) if p.cycle == 2]
    assert [(p.channel, p.status) for p in cycle2] == [("nice", PaymentStatus.FAILED)]
    assert (await w.order(order.id)).status is OrderStatus.ROUTINE_PAST_DUE


async def test_a_billing_run_with_the_only_pg_down_probes_once_and_puts_nobody_in_dunning():
    w = World(settings=PaymentSettings(public_base_url="https://pay.dolgo.example", breaker=POLICY))
    orders = []
    for n in range(3):
        card = await registered_card(w, number=f"5365-1034-8291-44{n:02d}")  # nice only
        orders.append((await start(w, card.id)).order)
    w.gateway.down.add("nice")
    for _ in range(3):  # three failures open nice's breaker
        await pay(w, card.id)
    w.clock.set(kst(2026, 4, 2, 10))  # long past open_for: one probe may go
    calls_before = len(charge_calls(w))

    await ChargeDueSubscriptions(w.store, w.clock, cycle_use_case(w)).execute(
        ChargeDueSubscriptionsCommand()
    )

    assert len(charge_calls(w)) == calls_before + 1  # the probe; the others were not sent
    for order in orders:
        stored = await w.order(order.id)
        assert stored.status is OrderStatus.ROUTINE
        assert stored.subscription.next_charge_at == w.clock.now() + timedelta(seconds=60)
