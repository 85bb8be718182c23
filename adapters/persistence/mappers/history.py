"""payment_history row <-> HistoryEntry."""

from collections.abc import Mapping
from typing import Any

from domain.history import HistoryEntry


def history_to_row(entry: HistoryEntry) -> dict[str, Any]:
    return {
        "entity": entry.entity,
        "entity_id": entry.entity_id,
        "event": entry.event,
        "from_status": entry.from_status,
        "to_status": entry.to_status,
        "occurred_at": entry.at,
        "cause": entry.cause,
        "data": dict(entry.data),
    }


def history_from_row(row: Mapping[str, Any]) -> HistoryEntry:
    return HistoryEntry(
        entity=row["entity"],
        entity_id=row["entity_id"],
        event=row["event"],
        from_status=row["from_status"],
        to_status=row["to_status"],
        at=row["occurred_at"],
        cause=row["cause"],
        data=row["data"] or {},
    )
