"""The `deliver-events` job: fan the outbox out to the endpoints, claim, send, record.

1. Fan-out (one transaction): events without deliveries get one per configured endpoint.
2. Claim (one transaction): due PENDING deliveries are leased to this instance (WorkLeases,
   Work.EVENT_DELIVERIES), so N instances running the job at once send each delivery once per
   attempt.
3. Send, with no transaction open (the endpoint may be slow or down).
4. Record (one transaction per delivery): the attempt joins the delivery log; 2xx delivers,
   anything else waits `retry_after(attempts)` or, after the last, is dead-lettered; the lease
   is released. An answer that comes after the lease expired (another instance may have taken
   the delivery) is logged and changes nothing.

At least once: a process killed between 3 and 4 leaves its lease to expire, and the next
claimer sends again; consumers deduplicate by the webhook-id (the event id).
"""

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from application.outbox import (
    DeliveryAttempt,
    DeliveryState,
    EventDelivery,
    EventSender,
    OutboxEvent,
    SendResult,
)
from application.ports import Clock, ConcurrentUpdate, IdGenerator, UnitOfWorkFactory, Work

# Longer than one send can take (the sender's timeout is 10 s) with a wide margin.
DELIVERY_LEASE = timedelta(minutes=2)
_HOLD = timedelta(seconds=30)  # "do I still hold it?" while the answer is recorded


@dataclass(frozen=True, slots=True)
class DeliverEventsCommand:
    limit: int = 100


@dataclass(frozen=True, slots=True)
class DeliverEventsResult:
    dispatched: int = 0  # events fanned out to the endpoints
    delivered: int = 0
    retrying: int = 0
    dead: int = 0
    lease_lost: int = 0  # answered after another instance took the delivery over


class DeliverEvents:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        sender: EventSender,
        clock: Clock,
        ids: IdGenerator,
        endpoints: Sequence[str],
        owner: str,
        lease: timedelta = DELIVERY_LEASE,
        concurrency: int = 8,
    ) -> None:
        self._uow = uow
        self._sender = sender
        self._clock = clock
        self._ids = ids
        self._endpoints = tuple(endpoints)
        self._owner = owner
        self._lease = lease
        self._concurrency = concurrency

    async def execute(self, command: DeliverEventsCommand) -> DeliverEventsResult:
        if not self._endpoints:
            return DeliverEventsResult()  # events wait in the outbox until one is configured
        dispatched = await self._fan_out(command.limit)
        claimed = await self._claim(command.limit)
        gate = asyncio.Semaphore(self._concurrency)

        async def send(delivery: EventDelivery, event: OutboxEvent) -> SendResult:
            async with gate:
                return await self._sender.send(delivery.endpoint, event)

        results = await asyncio.gather(*(send(d, e) for d, e in claimed))
        counts = {"delivered": 0, "pending": 0, "dead": 0, "lease_lost": 0}
        for (delivery, _), result in zip(claimed, results, strict=True):
            counts[await self._record(delivery, result)] += 1
        return DeliverEventsResult(
            dispatched=dispatched,
            delivered=counts["delivered"],
            retrying=counts["pending"],
            dead=counts["dead"],
            lease_lost=counts["lease_lost"],
        )

    async def _fan_out(self, limit: int) -> int:
        async with self._uow() as uow:
            events = await uow.events.undispatched(limit)
            now = self._clock.now()
            for event in events:
                for endpoint in self._endpoints:
                    await uow.events.add_delivery(
                        EventDelivery(
                            id=self._ids.new_id(),
                            event_id=event.id,
                            endpoint=endpoint,
                            created_at=now,
                            next_attempt_at=now,
                        )
                    )
            await uow.events.mark_dispatched([e.id for e in events])
            await uow.commit()
        return len(events)

    async def _claim(self, limit: int) -> list[tuple[EventDelivery, OutboxEvent]]:
        async with self._uow() as uow:
            now = self._clock.now()
            ids = await uow.leases.claim(
                Work.EVENT_DELIVERIES, self._owner, now, limit, self._lease
            )
            pairs = []
            for delivery_id in ids:
                delivery = await uow.events.get_delivery(delivery_id)
                event = await uow.events.get(delivery.event_id) if delivery else None
                if delivery is not None and event is not None:
                    pairs.append((delivery, event))
            await uow.commit()
        return pairs

    async def _record(self, claimed: EventDelivery, result: SendResult) -> str:
        now = self._clock.now()
        async with self._uow() as uow:
            delivery = await uow.events.get_delivery(claimed.id, for_update=True)
            if delivery is None:
                raise ConcurrentUpdate(f"delivery {claimed.id} vanished")
            attempt = DeliveryAttempt(
                delivery_id=delivery.id,
                attempt=claimed.attempts + 1,
                at=now,
                status_code=result.status_code,
                error=result.error,
                duration_ms=result.duration_ms,
            )
            outcome = "lease_lost"
            held = await uow.leases.renew(Work.EVENT_DELIVERIES, [delivery.id], self._owner, _HOLD)
            if held and delivery.state is DeliveryState.PENDING:
                outcome = delivery.attempted(result, now).value
            await uow.events.save_delivery(delivery, attempt)
            if held:
                await uow.leases.release(Work.EVENT_DELIVERIES, [delivery.id], self._owner)
            await uow.commit()
        return outcome
