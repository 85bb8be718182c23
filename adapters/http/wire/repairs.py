"""Admin wire types of operator repairs: re-running a webhook, settling a refund by hand."""

from typing import Annotated, Literal

import msgspec

from adapters.http.wire.admin import InboxView
from adapters.http.wire.common import Reason
from adapters.http.wire.payments import AdminPaymentView, CancellationView

IamportCancellationId = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9_\-]{1,100}$")]


class ReprocessView(msgspec.Struct):
    message: InboxView
    outcome: str  # the processing's result: processed | failed | unmatched
    detail: str | None


class SettleCancellationRequest(msgspec.Struct, forbid_unknown_fields=True):
    """Settle an in-flight refund by hand, after checking the PG's or iamport's console."""

    outcome: Literal["succeeded", "rejected"]
    reason: Reason
    cancellation_id: IamportCancellationId | None = None  # iamport's, when the console shows it


class SettledCancellationView(msgspec.Struct):
    cancellation: CancellationView
    payment: AdminPaymentView
