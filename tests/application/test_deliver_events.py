"""The deliver-events job on fakes: fan-out, retries on the schedule, dead letters, resend,
leases between instances."""

import asyncio
from collections import Counter, deque
from datetime import timedelta

import pytest

from adapters.memory import FixedClock
from application.errors import ConflictError, NotFoundError
from application.outbox import DELIVERY_SCHEDULE, DeliveryFilter, DeliveryState, SendResult
from application.use_cases.actor import Actor
from application.use_cases.deliver_events import DeliverEvents, DeliverEventsCommand
from application.use_cases.event_log import (
    GetEvent,
    GetEventQuery,
    ListDeliveries,
    ListDeliveriesQuery,
    ResendEvent,
    ResendEventCommand,
)
from application.use_cases.purge_events import PurgeDeliveredEvents, PurgeDeliveredEventsCommand
from tests.application.builders import OPERATOR, USER, World

OPS = Actor(OPERATOR, operator=True)
OK = SendResult(200, None, 3)
DOWN = SendResult(503, "HTTP 503: down", 3)
REFUSED = SendResult(None, "ConnectError: refused", 1)


class ScriptedSender:
    """Answers from a script per endpoint (then 200), and remembers what was sent when."""

    def __init__(self, clock) -> None:
        self.clock = clock
        self.scripts: dict[str, deque[SendResult]] = {}
        self.sent: list[tuple[str, str, object]] = []  # endpoint, event id, time

    def fail(self, endpoint: str, *results: SendResult) -> None:
        self.scripts.setdefault(endpoint, deque()).extend(results)

    async def send(self, endpoint, event):
        self.sent.append((endpoint, event.id, self.clock.now()))
        script = self.scripts.get(endpoint)
        return script.popleft() if script else OK


def deliverer(w: World, sender, endpoints=("main",), owner="i1") -> DeliverEvents:
    return DeliverEvents(w.store, sender, w.clock, w.ids, endpoints, owner)


async def deliveries(w: World, **filter) -> list:
    return await ListDeliveries(w.store).execute(ListDeliveriesQuery(OPS, DeliveryFilter(**filter)))


async def test_each_event_goes_once_to_each_endpoint():
    w = World()
    sender = ScriptedSender(w.clock)
    for _ in range(3):
        await w.paid_payment()
    result = await deliverer(w, sender, ("main", "crm")).execute(DeliverEventsCommand())
    again = await deliverer(w, sender, ("main", "crm")).execute(DeliverEventsCommand())

    assert (result.dispatched, result.delivered, again.dispatched, again.delivered) == (3, 6, 0, 0)
    assert Counter((e, i) for e, i, _ in sender.sent) == {
        (endpoint, event_id): 1 for endpoint in ("main", "crm") for event_id in w.store.outbox
    }


async def test_without_endpoints_events_wait_in_the_outbox():
    w = World()
    sender = ScriptedSender(w.clock)
    await w.paid_payment()
    result = await deliverer(w, sender, ()).execute(DeliverEventsCommand())

    assert (result.dispatched, sender.sent, [e.dispatched for e in w.store.outbox.values()]) == (
        0,
        [],
        [False],
    )


async def test_failures_are_retried_on_the_schedule_then_dead_lettered_after_about_a_day():
    w = World()
    sender = ScriptedSender(w.clock)
    sender.fail("main", *([DOWN, REFUSED] * 10))
    await w.paid_payment()
    job = deliverer(w, sender)
    await job.execute(DeliverEventsCommand())
    while pending := await deliveries(w, state=DeliveryState.PENDING):
        w.clock.set(pending[0].next_attempt_at - timedelta(seconds=1))
        early = await job.execute(DeliverEventsCommand())
        assert early.retrying == 0  # nothing is sent before its time
        w.clock.advance(seconds=1)
        await job.execute(DeliverEventsCommand())

    times = [t for _, _, t in sender.sent]
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    (dead,) = await deliveries(w, state=DeliveryState.DEAD)
    assert (len(times), gaps) == (len(DELIVERY_SCHEDULE) + 1, list(DELIVERY_SCHEDULE))
    assert timedelta(hours=24) < times[-1] - times[0] < timedelta(hours=30)
    assert (dead.attempts, dead.last_error, dead.next_attempt_at) == (8, REFUSED.error, None)


async def test_the_delivery_log_keeps_every_attempt_and_a_late_success_delivers():
    w = World()
    sender = ScriptedSender(w.clock)
    sender.fail("main", DOWN, REFUSED)
    p = await w.paid_payment()
    job = deliverer(w, sender)
    for _ in range(3):
        await job.execute(DeliverEventsCommand())
        w.clock.advance(minutes=10)

    (event_id,) = w.store.outbox
    view = await GetEvent(w.store).execute(GetEventQuery(OPS, event_id))
    (log,) = view.deliveries
    assert (view.event.entity_id, log.delivery.state) == (p.id, DeliveryState.DELIVERED)
    assert [(a.attempt, a.status_code, a.error) for a in log.attempts] == [
        (1, 503, "HTTP 503: down"),
        (2, None, "ConnectError: refused"),
        (3, 200, None),
    ]


async def test_an_operator_resends_a_dead_letter_with_the_same_webhook_id():
    w = World()
    sender = ScriptedSender(w.clock)
    sender.fail("main", *([DOWN] * 8))
    await w.paid_payment()
    job = deliverer(w, sender)
    for step in (timedelta(0), *DELIVERY_SCHEDULE):
        w.clock.advance(step)
        await job.execute(DeliverEventsCommand())
    (dead,) = await deliveries(w, state=DeliveryState.DEAD)

    (resent,) = await ResendEvent(w.store, w.clock).execute(ResendEventCommand(OPS, dead.event_id))
    await job.execute(DeliverEventsCommand())

    (delivered,) = await deliveries(w, state=DeliveryState.DELIVERED)
    assert (resent.resent_by, delivered.attempts, sender.sent[-1][1]) == (
        f"operator:{OPERATOR}",
        1,
        dead.event_id,
    )


async def test_resend_is_for_operators_and_needs_a_dispatched_event():
    w = World()
    await w.paid_payment()
    (event_id,) = w.store.outbox
    with pytest.raises(NotFoundError):
        await ResendEvent(w.store, w.clock).execute(ResendEventCommand(Actor(USER), event_id))
    with pytest.raises(ConflictError):
        await ResendEvent(w.store, w.clock).execute(ResendEventCommand(OPS, event_id))


async def test_two_instances_at_once_send_each_delivery_once():
    w = World()
    sender = ScriptedSender(w.clock)
    for _ in range(20):
        await w.paid_payment()
    await asyncio.gather(
        deliverer(w, sender, owner="i1").execute(DeliverEventsCommand(limit=7)),
        deliverer(w, sender, owner="i2").execute(DeliverEventsCommand(limit=7)),
        deliverer(w, sender, owner="i3").execute(DeliverEventsCommand(limit=7)),
    )

    sent = Counter(event_id for _, event_id, _ in sender.sent)
    assert set(sent.values()) == {1}


class HangingSender(ScriptedSender):
    """The first instance's send outlives its lease (a process that stalled)."""

    def __init__(self, clock) -> None:
        super().__init__(clock)
        self.started = asyncio.Event()
        self.release = asyncio.Event()

    async def send(self, endpoint, event):
        self.sent.append((endpoint, event.id, self.clock.now()))
        self.started.set()
        await self.release.wait()
        return OK


async def test_an_expired_lease_is_taken_over_and_the_late_answer_changes_nothing():
    w = World()
    database_clock = FixedClock(w.clock.now())
    w.store.db_clock = database_clock.now  # leases expire in database time
    await w.paid_payment()
    slow = HangingSender(w.clock)
    stalled = asyncio.create_task(deliverer(w, slow, owner="i1").execute(DeliverEventsCommand()))
    await slow.started.wait()
    database_clock.advance(minutes=3)  # past the lease
    fast = ScriptedSender(w.clock)
    fast.fail("main", DOWN)
    takeover = await deliverer(w, fast, owner="i2").execute(DeliverEventsCommand())
    slow.release.set()
    late = await stalled

    (delivery,) = await deliveries(w)
    assert (takeover.retrying, late.lease_lost) == (1, 1)
    assert (delivery.state, delivery.attempts, delivery.last_status) == (
        DeliveryState.PENDING,
        1,
        503,
    )


async def test_the_purge_forgets_delivered_events_past_the_retention_only():
    w = World()
    await w.paid_payment()
    await deliverer(w, ScriptedSender(w.clock)).execute(DeliverEventsCommand())
    purge = PurgeDeliveredEvents(w.store, w.clock)
    w.clock.advance(timedelta(days=29))
    young = await purge.execute(PurgeDeliveredEventsCommand())
    w.clock.advance(timedelta(days=2))
    old = await purge.execute(PurgeDeliveredEventsCommand())

    assert (young.purged, old.purged, w.store.outbox, w.store.delivery_attempts) == (0, 1, {}, [])
