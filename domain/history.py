"""Transition history: every state change appends one entry."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any

from domain.masking import mask_evidence
from domain.state_machine import StateMachine


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    entity: str  # order | payment | cancellation | card
    entity_id: int
    event: str
    from_status: int
    to_status: int
    at: datetime
    cause: str  # who or what caused it: client, webhook, janitor, scheduler, operator:<seq>
    data: Mapping[str, Any] = field(default_factory=dict)  # the iamport data seen, masked


class Transitions:
    """Mixin for aggregates: moves `status` through a StateMachine and records the move."""

    id: int
    status: Any
    pending_history: list[HistoryEntry]

    def _move(
        self,
        machine: StateMachine,
        event: Enum,
        at: datetime,
        cause: str,
        data: Mapping[str, Any] | None = None,
    ) -> None:
        new = machine.next(self.status, event)
        self.pending_history.append(
            HistoryEntry(
                entity=machine.entity,
                entity_id=self.id,
                event=str(event.value),
                from_status=int(self.status),
                to_status=int(new),
                at=at,
                cause=cause,
                data=mask_evidence(data or {}),
            )
        )
        self.status = new
