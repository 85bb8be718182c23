"""CardRepository on payment_card and payment_card_key (one billing key per channel)."""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from adapters.persistence.mappers.card import card_from_rows, card_to_row, key_to_row
from adapters.persistence.repositories.base import SqlRepository, is_duplicate_key
from adapters.persistence.tables import payment_card as t
from adapters.persistence.tables import payment_card_key as k
from application.ports import ConcurrentUpdate
from domain.card import PaymentCard
from domain.status import CardStatus


class SqlCardRepository(SqlRepository):
    async def add(self, card: PaymentCard) -> None:
        await self._insert(t, card_to_row(card), f"card {card.id}")
        await self._write_keys(card)
        await self._append_history(card)

    async def get(self, card_id: int, *, for_update: bool = False) -> PaymentCard | None:
        query = select(t).where(t.c.seq == card_id)
        if for_update:
            query = query.with_for_update()
        cards = await self._load(await self._rows(query))
        return cards[0] if cards else None

    async def get_by_customer_uid(self, customer_uid: str) -> PaymentCard | None:
        owner = select(k.c.payment_card_seq).where(k.c.customer_uid == customer_uid)
        cards = await self._load(await self._rows(select(t).where(t.c.seq.in_(owner))))
        return cards[0] if cards else None

    async def save(self, card: PaymentCard) -> None:
        await self._update_versioned(t, card_to_row(card), f"card {card.id}")
        card.version += 1
        await self._write_keys(card)
        await self._append_history(card)

    async def for_user(self, user_seq: int) -> list[PaymentCard]:
        query = (
            select(t)
            .where(t.c.user_seq == user_seq, t.c.card_status != int(CardStatus.DELETED))
            .order_by(t.c.seq.desc())
        )
        return await self._load(await self._rows(query))

    async def issuing(self, before: datetime, limit: int) -> list[PaymentCard]:
        query = (
            select(t)
            .where(t.c.card_status == int(CardStatus.ISSUING), t.c.created_at < before)
            .order_by(t.c.created_at, t.c.seq)
            .limit(limit)
        )
        return await self._load(await self._rows(query))

    async def _load(self, rows: Sequence[Mapping[str, Any]]) -> list[PaymentCard]:
        if not rows:
            return []
        ids = [r["seq"] for r in rows]
        keys: dict[int, list[Mapping[str, Any]]] = defaultdict(list)
        query = select(k).where(k.c.payment_card_seq.in_(ids)).order_by(k.c.position)
        for key_row in await self._rows(query):
            keys[key_row["payment_card_seq"]].append(key_row)
        return [card_from_rows(r, keys[r["seq"]]) for r in rows]

    async def _write_keys(self, card: PaymentCard) -> None:
        """Upsert each key by (card, channel); keys are never removed, only marked deleted.
        Runs after the card row is written (and so locked) in this transaction."""
        conn = await self._conn()
        for position, key in enumerate(card.keys):
            row = key_to_row(card.id, position, key)
            try:
                result = await conn.execute(
                    update(k)
                    .where(k.c.payment_card_seq == card.id, k.c.channel == key.channel)
                    .values(**row)
                )
                if result.rowcount == 0:
                    await conn.execute(insert(k).values(**row))
            except IntegrityError as exc:
                if is_duplicate_key(exc):
                    raise ConcurrentUpdate(
                        f"card {card.id}: customer_uid {key.customer_uid} belongs to another key"
                    ) from exc
                raise
