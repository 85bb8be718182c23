"""iamport's webhook (spec §4.6): store it in the inbox, then sync from iamport's own record.

ReceiveWebhook only stores (it never fails on an unknown field or an odd body, so iamport gets
its 200 at once); ProcessWebhook re-fetches by imp_uid — the body is a hint, never the truth —
and applies the record through Settlement (a card's key-issuance window, `dpk<card_id>`, settles
the card from iamport's key lookup instead). ProcessDueWebhooks is the scheduler's job that
processes what is new and retries what failed.
"""

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from application.claimed_work import claimed, this_worker
from application.gateway import GatewayPayment, IamportGateway, NotFound
from application.payment_sync import WEBHOOK, PaymentMissing, PaymentSync, record_of
from application.ports import Clock, IdGenerator, UnitOfWorkFactory, Work
from application.records import InboxMessage, InboxState
from application.settings import PaymentSettings
from application.use_cases.register_card import ResolveCardIssuance, ResolveCardIssuanceCommand
from application.use_cases.window_card import ISSUE_USAGE
from domain.identifiers import parse_issue_merchant_uid

log = logging.getLogger("dolgo_pay.webhooks")

# Longer hints are cut to what the inbox keeps (they are never trusted anyway); every limit
# exceeds the format's, so a cut value is still seen to be malformed.
_KEPT = {"imp_uid": 50, "merchant_uid": 50, "status": 20, "cancellation_id": 100}
_MAX_CONTENT_TYPE = 200
# iamport's formats (docs/iamport.md §3, §7): imp_ and digits (≤32 characters); a
# merchant_uid of ≤40 printable ASCII characters; the statuses a notification carries.
FORMATS = {
    "imp_uid": re.compile(r"imp_[0-9]{1,28}"),
    "merchant_uid": re.compile(r"[!-~]{1,40}"),
    "status": re.compile(r"ready|paid|failed|cancelled"),
}


@dataclass(frozen=True, slots=True)
class ReceiveWebhookCommand:
    body: str
    content_type: str
    source_ip: str | None = None


class ReceiveWebhook:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids

    async def execute(self, command: ReceiveWebhookCommand) -> int:
        """Stores the notification; returns the inbox message id."""
        hint = parse_notification(command.body, command.content_type)
        message = InboxMessage(
            id=self._ids.new_id(),
            received_at=self._clock.now(),
            body=command.body,
            content_type=command.content_type[:_MAX_CONTENT_TYPE],
            source_ip=command.source_ip,
            imp_uid=hint.get("imp_uid"),
            merchant_uid=hint.get("merchant_uid"),
            status=hint.get("status"),
            cancellation_id=hint.get("cancellation_id"),
        )
        async with self._uow() as uow:
            await uow.webhooks.add(message)
            await uow.commit()
        return message.id


def parse_notification(body: str, content_type: str) -> dict[str, str]:
    """imp_uid, merchant_uid, status, cancellation_id from a JSON or form body; whatever
    cannot be read is simply absent (unknown fields are ignored)."""
    data: Mapping[str, Any] = {}
    text = body.strip()
    if "json" in (content_type or "").lower() or text.startswith("{"):
        try:
            parsed = json.loads(text)
        except (ValueError, RecursionError):  # a body nested too deeply is no hint either
            parsed = None
        if isinstance(parsed, dict):
            data = parsed
    if not data:
        data = {k: v[-1] for k, v in parse_qs(text, keep_blank_values=False).items() if v}
    out: dict[str, str] = {}
    for key, kept in _KEPT.items():
        value = data.get(key)
        text = value if isinstance(value, str) else _shown(value)
        if value is not None and text.strip():  # a number or a list is kept: it is malformed
            out[key] = text.strip()[:kept]
    return out


def _shown(value: Any) -> str:
    return str(value) if isinstance(value, int | float) else f"<{type(value).__name__}>"


def malformed_field(hint: Mapping[str, str | None]) -> str | None:
    """The first of imp_uid, merchant_uid, status that is present but not in iamport's format."""
    for name, pattern in FORMATS.items():
        value = hint.get(name)
        if value is not None and not pattern.fullmatch(value):
            return name
    return None


@dataclass(frozen=True, slots=True)
class ProcessWebhookCommand:
    message_id: int


@dataclass(frozen=True, slots=True)
class ProcessWebhookResult:
    message_id: int
    state: InboxState
    merchant_uid: str | None = None
    detail: str | None = None


class ProcessWebhook:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        gateway: IamportGateway,
        sync: PaymentSync,
        clock: Clock,
        settings: PaymentSettings,
        cards: ResolveCardIssuance | None = None,
    ) -> None:
        self._uow = uow
        self._gateway = gateway
        self._sync = sync
        self._clock = clock
        self._settings = settings
        self._cards = cards  # settles a card from its key-issuance window's webhook

    async def execute(self, command: ProcessWebhookCommand) -> ProcessWebhookResult:
        async with self._uow() as uow:
            message = await uow.webhooks.get(command.message_id)
        if message is None:
            raise LookupError(f"no inbox message {command.message_id}")
        if message.state in (InboxState.PROCESSED, InboxState.UNMATCHED):
            return ProcessWebhookResult(message.id, message.state, message.merchant_uid)
        hint = {
            "imp_uid": message.imp_uid,
            "merchant_uid": message.merchant_uid,
            "status": message.status,
        }
        malformed = malformed_field(hint)
        if malformed:  # never looked up, never trusted: kept for an operator to read
            detail = f"{malformed} is not in iamport's format: {hint[malformed]}"
            return await self._finish(message, InboxState.UNMATCHED, detail)
        if not message.imp_uid:
            return await self._finish(message, InboxState.UNMATCHED, "no imp_uid in the body")

        lookup = await self._gateway.get_payment(message.imp_uid)
        record = record_of(lookup)
        if record is None:
            if isinstance(lookup, NotFound):
                return await self._finish(
                    message, InboxState.UNMATCHED, f"iamport has no payment {message.imp_uid}"
                )
            return await self._finish(message, InboxState.FAILED, f"lookup: {lookup!r}")
        card_id = parse_issue_merchant_uid(record.merchant_uid)
        if card_id is not None:
            return await self._key_window(message, record, card_id)
        try:
            synced = await self._sync.apply(record, WEBHOOK)
        except PaymentMissing:
            return await self._finish(
                message, InboxState.UNMATCHED, f"no payment of ours is {record.merchant_uid}"
            )
        except Exception as error:  # a bug or the database: keep the message for a retry
            log.exception("processing webhook %s failed", message.id)
            return await self._finish(message, InboxState.FAILED, f"{type(error).__name__}")
        detail = synced.result.needs_operator or (
            f"refused: {synced.result.refused_rule}" if synced.result.refused_rule else None
        )
        return await self._finish(message, InboxState.PROCESSED, detail, record.merchant_uid)

    async def _key_window(
        self, message: InboxMessage, record: GatewayPayment, card_id: int
    ) -> ProcessWebhookResult:
        """A card's key-issuance window (`dpk<card_id>`): settle the card from iamport's word on
        its key, as the browser's completion would. iamport's not-found is no proof here (the
        sponsor may still retry in the window): the card stays ISSUING for the janitor."""
        uid = record.merchant_uid
        if self._cards is None:  # not wired: the browser's completion or the janitor settles it
            return await self._finish(message, InboxState.PROCESSED, "card registration window")
        async with self._uow() as uow:
            card = await uow.cards.get(card_id)
        if card is None:
            return await self._finish(message, InboxState.UNMATCHED, f"no card of ours is {uid}")
        if record.customer_uid not in {k.customer_uid for k in card.keys} or (
            record.customer_uid_usage not in (None, ISSUE_USAGE)
        ):
            # Our merchant_uid, but not this card's key: touch nothing, show it to operators.
            return await self._finish(
                message, InboxState.UNMATCHED, f"{record.imp_uid} is not card {card_id}'s key"
            )
        try:
            resolved = await self._cards.execute(
                ResolveCardIssuanceCommand(card_id, missing_is_failure=False, cause=WEBHOOK)
            )
        except Exception as error:  # a bug, the database, a channel gone: retry later
            log.exception("processing webhook %s (card %s) failed", message.id, card_id)
            return await self._finish(message, InboxState.FAILED, f"{type(error).__name__}", uid)
        status = resolved.card.status.name.lower()
        if resolved.resolved:
            return await self._finish(message, InboxState.PROCESSED, f"card {status}", uid)
        if resolved.missing:
            detail = "no billing key at iamport yet: the janitor settles the card"
            return await self._finish(message, InboxState.PROCESSED, detail, uid)
        return await self._finish(message, InboxState.FAILED, "billing key lookup unanswered", uid)

    async def _finish(
        self,
        message: InboxMessage,
        state: InboxState,
        detail: str | None,
        merchant_uid: str | None = None,
    ) -> ProcessWebhookResult:
        async with self._uow() as uow:
            row = await uow.webhooks.get(message.id, for_update=True)
            assert row is not None
            now = self._clock.now()
            backoff = self._settings.webhook_retry_backoff
            retry_at = now + backoff[min(row.attempts, len(backoff) - 1)]
            match state:
                case InboxState.PROCESSED:
                    row.processed(now, detail)
                case InboxState.UNMATCHED:
                    row.unmatched(now, detail)
                case _:
                    row.failed(now, detail, retry_at)
            await uow.webhooks.save(row)
            await uow.commit()
        if state is InboxState.UNMATCHED:
            log.warning("webhook %s unmatched: %s", message.id, detail)
        return ProcessWebhookResult(message.id, state, merchant_uid or message.merchant_uid, detail)


@dataclass(frozen=True, slots=True)
class ProcessDueWebhooksCommand:
    limit: int = 100
    owner: str = field(default_factory=this_worker)  # whose lease the claimed rows carry


@dataclass(frozen=True, slots=True)
class ProcessDueWebhooksResult:
    results: list[ProcessWebhookResult] = field(default_factory=list)

    def count(self, state: InboxState) -> int:
        return sum(1 for r in self.results if r.state is state)


class ProcessDueWebhooks:
    """The scheduler's job: new (RECEIVED) messages and FAILED ones whose retry is due."""

    def __init__(self, uow: UnitOfWorkFactory, process: ProcessWebhook, clock: Clock) -> None:
        self._uow = uow
        self._process = process
        self._clock = clock

    async def execute(self, command: ProcessDueWebhooksCommand) -> ProcessDueWebhooksResult:
        work, now = Work.DUE_WEBHOOKS, self._clock.now()
        async with claimed(self._uow, work, command.owner, now, command.limit) as ids:
            results = [await self._process.execute(ProcessWebhookCommand(i)) for i in ids]
        return ProcessDueWebhooksResult(results)
