"""The janitor of card key issuances (spec §4.7): a card left ISSUING — the REST issuance's
answer was lost, the process died before recording it, or the PG window was never completed —
is settled from iamport's word on its key once the grace period has passed.

Issued on our channel → ACTIVE; iamport knows no key → FAILED (nothing was issued, and past the
grace period nothing is still on its way); no answer → still ISSUING, asked again next run.
"""

import logging
from dataclasses import dataclass, field

from application.channels import NoChannel
from application.payment_sync import JANITOR
from application.ports import Clock, UnitOfWorkFactory
from application.settings import PaymentSettings
from application.use_cases.register_card import (
    ResolveCardIssuance,
    ResolveCardIssuanceCommand,
)
from domain.status import CardStatus

log = logging.getLogger("dolgo_pay.janitor")


@dataclass(frozen=True, slots=True)
class ResolveStuckCardIssuancesCommand:
    limit: int = 100


@dataclass(frozen=True, slots=True)
class CardIssuanceResolution:
    card_id: int
    outcome: str  # active | failed | still_issuing | no_channel


@dataclass(frozen=True, slots=True)
class ResolveStuckCardIssuancesResult:
    resolutions: list[CardIssuanceResolution] = field(default_factory=list)

    @property
    def still_issuing(self) -> list[CardIssuanceResolution]:
        return [r for r in self.resolutions if r.outcome != "active" and r.outcome != "failed"]


class ResolveStuckCardIssuances:
    """The scheduler's job: every card ISSUING for longer than `card_issuance_grace`."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        resolve: ResolveCardIssuance,
        clock: Clock,
        settings: PaymentSettings,
    ) -> None:
        self._uow = uow
        self._resolve = resolve
        self._clock = clock
        self._settings = settings

    async def execute(
        self, command: ResolveStuckCardIssuancesCommand
    ) -> ResolveStuckCardIssuancesResult:
        before = self._clock.now() - self._settings.card_issuance_grace
        async with self._uow() as uow:
            stuck = await uow.cards.issuing(before, command.limit)
        out = []
        for card in stuck:
            try:
                result = await self._resolve.execute(
                    ResolveCardIssuanceCommand(card.id, missing_is_failure=True, cause=JANITOR)
                )
            except NoChannel as error:  # its channel left the configuration: an operator's job
                log.warning("card %s stays ISSUING: %s", card.id, error)
                out.append(CardIssuanceResolution(card.id, "no_channel"))
                continue
            status = result.card.status
            if status is CardStatus.ISSUING:
                log.warning("card %s: iamport gave no answer about its key", card.id)
                out.append(CardIssuanceResolution(card.id, "still_issuing"))
            else:
                out.append(CardIssuanceResolution(card.id, status.name.lower()))
        return ResolveStuckCardIssuancesResult(out)
