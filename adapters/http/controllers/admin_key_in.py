"""POST /api/admin/key-in-payments: an operator charges a card taken by phone (비인증 key-in)."""

from litestar import Controller, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from adapters.http.auth import Principal, admin_guard
from adapters.http.idempotency import IDEMPOTENT, IdempotentOperation
from adapters.http.openapi import ADMIN, problems
from adapters.http.wire.billing import ChargeView, buyer_of, charge_view
from adapters.http.wire.key_in import KeyInRequest
from application.use_cases.key_in import KeyInCommand, KeyInPayment


class AdminKeyInController(Controller):
    path = "/api/admin"
    guards = [admin_guard]
    tags = ["admin"]

    @post(
        "/key-in-payments",
        operation_id="adminKeyInPayment",
        summary="Charge a sponsor's card taken by phone (key-in); a decline is a result",
        middleware=[IDEMPOTENT],
        operation_class=IdempotentOperation,
        responses=problems(*ADMIN, 409, 422, 503),
    )
    async def key_in(
        self,
        data: JSONBody[KeyInRequest],
        me: NamedDependency[Principal],
        key_in_payment: NamedDependency[KeyInPayment],
    ) -> ChargeView:
        result = await key_in_payment.execute(
            KeyInCommand(
                operator=me.actor(operator=True),
                user_seq=data.user_seq,
                card=data.credentials(),
                amount=data.amount,
                name=data.name,
                content_type_code=data.content_type_code,
                content_seq=data.content_seq,
                tax_free=data.tax_free,
                buyer=buyer_of(data.buyer),
                channel=data.channel,
                card_quota=data.card_quota,
            )
        )
        return charge_view(result)
