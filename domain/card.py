"""PaymentCard (`payment_card`): a registered card holding one billing key per channel."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from domain import state_machine as sm
from domain.errors import DomainError
from domain.history import HistoryEntry, Transitions
from domain.identifiers import customer_uid_for
from domain.status import CardEvent, CardStatus


class CardInUse(DomainError):
    code = "card_in_use"


@dataclass
class BillingKey:
    channel: str  # our channel name
    customer_uid: str
    issued_at: datetime | None = None
    pg_provider: str | None = None
    pg_id: str | None = None
    deleted_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.issued_at is not None and self.deleted_at is None


@dataclass(eq=False)
class PaymentCard(Transitions):
    id: int
    user_seq: int
    created_at: datetime
    status: CardStatus = CardStatus.ISSUING
    card_type_code: int = 0  # 0 credit, 1 check (iamport card_type); unknown stays 0
    card_disp: str | None = None  # masked number, as the PG shows it
    card_corp: str | None = None  # card company name
    keys: list[BillingKey] = field(default_factory=list)
    version: int = 0
    pending_history: list[HistoryEntry] = field(default_factory=list, repr=False)

    @property
    def use_yn(self) -> int:
        return 1 if self.status is CardStatus.ACTIVE else 0

    def key_for(self, channel: str) -> BillingKey:
        """The billing key of this card at `channel` (created, not yet issued, on first use)."""
        for key in self.keys:
            if key.channel == channel:
                return key
        key = BillingKey(channel=channel, customer_uid=customer_uid_for(self.id, channel))
        self.keys.append(key)
        return key

    def active_key(self, channel: str) -> BillingKey | None:
        return next((k for k in self.keys if k.channel == channel and k.active), None)

    def key_issued(
        self,
        channel: str,
        at: datetime,
        cause: str,
        *,
        card_disp: str | None,
        card_corp: str | None,
        card_type: int | None,
        pg_provider: str | None = None,
        pg_id: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> None:
        key = self.key_for(channel)
        key.issued_at, key.pg_provider, key.pg_id = at, pg_provider, pg_id
        self.card_disp = card_disp or self.card_disp
        self.card_corp = card_corp or self.card_corp
        if card_type is not None:
            self.card_type_code = card_type
        if self.status is CardStatus.ISSUING:
            self._move(sm.CARD, CardEvent.ISSUED, at, cause, data)

    def pending_key(self) -> BillingKey | None:
        """The key asked for and not yet issued nor given up (at most one at a time)."""
        return next((k for k in self.keys if k.issued_at is None and k.deleted_at is None), None)

    def ask_key(self, channel: str) -> BillingKey:
        """The key at `channel`, asked for (again): a never-issued key given up before is
        asked for anew under the same customer_uid."""
        key = self.key_for(channel)
        if key.issued_at is None:
            key.deleted_at = None
        return key

    def key_not_issued(self, channel: str, at: datetime) -> None:
        """A key asked for at `channel` was not issued (a backup refused): never used."""
        key = self.key_for(channel)
        if key.issued_at is None:
            key.deleted_at = at

    def issue_failed(self, at: datetime, cause: str, data: dict[str, Any] | None = None) -> None:
        self._move(sm.CARD, CardEvent.ISSUE_FAILED, at, cause, data)

    def delete(self, at: datetime, cause: str, sponsorships_using_it: int) -> None:
        if sponsorships_using_it:
            raise CardInUse(
                f"card {self.id} pays {sponsorships_using_it} active monthly sponsorship(s); "
                "move them to another card first"
            )
        self._move(sm.CARD, CardEvent.DELETED, at, cause, None)
        for key in self.keys:
            if key.active:
                key.deleted_at = at
