"""payment_card + payment_card_key rows <-> PaymentCard with its BillingKeys."""

from collections.abc import Iterable, Mapping
from typing import Any

from domain.card import BillingKey, PaymentCard
from domain.status import CardStatus


def card_to_row(card: PaymentCard) -> dict[str, Any]:
    return {
        "seq": card.id,
        "use_yn": card.use_yn,
        "user_seq": card.user_seq,
        "card_type_code": card.card_type_code,
        # The seed's single key column keeps the first channel's key, for old readers.
        "customer_uid": card.keys[0].customer_uid if card.keys else None,
        "card_disp": card.card_disp,
        "card_corp": card.card_corp,
        "card_status": int(card.status),
        "created_at": card.created_at,
        "version": card.version,
    }


def key_to_row(card_id: int, position: int, key: BillingKey) -> dict[str, Any]:
    return {
        "payment_card_seq": card_id,
        "channel": key.channel,
        "position": position,
        "customer_uid": key.customer_uid,
        "issued_at": key.issued_at,
        "pg_provider": key.pg_provider,
        "pg_id": key.pg_id,
        "deleted_at": key.deleted_at,
    }


def key_from_row(row: Mapping[str, Any]) -> BillingKey:
    return BillingKey(
        channel=row["channel"],
        customer_uid=row["customer_uid"],
        issued_at=row["issued_at"],
        pg_provider=row["pg_provider"],
        pg_id=row["pg_id"],
        deleted_at=row["deleted_at"],
    )


def card_from_rows(row: Mapping[str, Any], key_rows: Iterable[Mapping[str, Any]]) -> PaymentCard:
    return PaymentCard(
        id=row["seq"],
        user_seq=row["user_seq"],
        created_at=row["created_at"],
        status=CardStatus(row["card_status"]),
        card_type_code=row["card_type_code"],
        card_disp=row["card_disp"],
        card_corp=row["card_corp"],
        keys=[key_from_row(k) for k in key_rows],
        version=row["version"],
    )
