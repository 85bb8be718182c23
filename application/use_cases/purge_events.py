"""Forget outgoing events once every endpoint has had them and nobody will look them up."""

from dataclasses import dataclass
from datetime import timedelta

from application.ports import Clock, UnitOfWorkFactory
from application.use_cases.purging import PurgeCommand, PurgeOlderThan

# Long past the delivery schedule (~27.6 h) and a month's 정산 questions ("did the main app
# hear of this refund?"); pending and dead deliveries are never purged, whatever their age.
DEFAULT_RETENTION = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class PurgeDeliveredEventsCommand(PurgeCommand):
    retention: timedelta = DEFAULT_RETENTION


class PurgeDeliveredEvents(PurgeOlderThan):
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        super().__init__(uow, clock, lambda uow, before, n: uow.events.purge_delivered(before, n))
