"""Stuck work for operators: due rows whose lease ran out without being released (the instance
that claimed them died or hung). The next run of the job takes them over; a row that stays
here means that job is not running anywhere."""

from application.ports import Clock, ExpiredLease, UnitOfWorkFactory, Work

SHOWN = 50  # per kind of work


class ListStuckWork:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self) -> list[ExpiredLease]:
        now = self._clock.now()
        found: list[ExpiredLease] = []
        async with self._uow() as uow:
            for work in Work:
                found += await uow.leases.expired(work, now, SHOWN)
        return sorted(found, key=lambda e: e.lease_until)
