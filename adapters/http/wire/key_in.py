"""Key-in payment (admin) on the wire: the card data of a sponsor taken by phone."""

from typing import Annotated

import msgspec
from msgspec import Meta

from adapters.http.wire.billing import BuyerIn
from adapters.http.wire.cards import Birth, CardNumber, ChannelName, Expiry, Pwd2
from adapters.http.wire.common import Id, Name, TaxFree, Won
from adapters.http.wire.orders import ContentCode, ContentSeq
from domain.card_credentials import CardCredentials

CardQuota = Annotated[int, Meta(ge=2, le=36, description="할부 months (omit: 일시불)")]


class KeyInRequest(msgspec.Struct, forbid_unknown_fields=True):
    """Charge a sponsor's card once (비인증 key-in). The card data is never stored, logged or
    echoed."""

    user_seq: Id  # the sponsor the order belongs to
    amount: Won
    name: Name
    content_type_code: ContentCode
    content_seq: ContentSeq
    card_number: CardNumber
    expiry: Expiry
    birth: Birth
    pwd_2digit: Pwd2
    tax_free: TaxFree = 0
    card_quota: CardQuota | None = None
    channel: ChannelName | None = None
    buyer: BuyerIn | None = None

    def credentials(self) -> CardCredentials:
        return CardCredentials(self.card_number, self.expiry, self.birth, self.pwd_2digit)

    def __repr__(self) -> str:
        return "KeyInRequest(<card data hidden>)"

    __str__ = __repr__
