"""merchant_uid and customer_uid: deterministic, ≤40 characters, never reused."""

import re

from domain.errors import InvalidValue

_MERCHANT_UID = re.compile(r"^dp(\d+)(?:c(\d+))?a(\d+)$")


def merchant_uid_for(order_id: int, attempt: int, cycle: int | None = None) -> str:
    """One per payment attempt: deterministic in (order, cycle, attempt)."""
    if attempt < 1 or (cycle is not None and cycle < 1):
        raise InvalidValue("attempt", "attempts and cycles count from 1")
    uid = f"dp{order_id}c{cycle}a{attempt}" if cycle is not None else f"dp{order_id}a{attempt}"
    if len(uid) > 40:
        raise InvalidValue("merchant_uid", "longer than iamport's 40 characters")
    return uid


def parse_merchant_uid(uid: str) -> tuple[int, int | None, int] | None:
    """(order_id, cycle, attempt) of one of our merchant_uids, or None if it is not ours."""
    m = _MERCHANT_UID.match(uid or "")
    if not m:
        return None
    return int(m.group(1)), (int(m.group(2)) if m.group(2) else None), int(m.group(3))


def customer_uid_for(card_id: int, channel: str) -> str:
    """One billing key per (card, channel). Card ids are never reused, so neither is this."""
    return f"dpc{card_id}_{channel}"


_ISSUE_UID = re.compile(r"^dpk(\d+)(?:b[a-z0-9_]+)?$")


def issue_merchant_uid_for(card_id: int, backup: str | None = None) -> str:
    """The merchant_uid of a card's key-issuance window (amount 0): one per card, and one per
    backup channel the card is registered on afterwards (`dpk<card>b<channel>`)."""
    uid = f"dpk{card_id}" if backup is None else f"dpk{card_id}b{backup}"
    if len(uid) > 40:
        raise InvalidValue("merchant_uid", "longer than iamport's 40 characters")
    return uid


def parse_issue_merchant_uid(uid: str) -> int | None:
    """The card id of one of our key-issuance merchant_uids, or None."""
    m = _ISSUE_UID.match(uid or "")
    return int(m.group(1)) if m else None
