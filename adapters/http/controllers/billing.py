"""POST /api/billing/payments: pay once with a registered card (one-click)."""

from litestar import Controller, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from adapters.http.auth import Principal, user_guard
from adapters.http.idempotency import IDEMPOTENT, IdempotentOperation
from adapters.http.openapi import USER, problems
from adapters.http.rate_limit import PAYMENT, limited
from adapters.http.wire.billing import ChargeView, OneClickRequest, buyer_of, charge_view
from application.use_cases.one_click import PayWithCard, PayWithCardCommand


class BillingController(Controller):
    path = "/api/billing"
    guards = [user_guard]
    tags = ["billing"]

    @post(
        "/payments",
        operation_id="payWithCard",
        summary="One-click payment with a registered card; a decline is a result, not an error",
        middleware=[IDEMPOTENT],
        operation_class=IdempotentOperation,
        opt=limited(PAYMENT),
        responses=problems(*USER, 409, 422, 429, 503),
    )
    async def pay(
        self,
        data: JSONBody[OneClickRequest],
        me: NamedDependency[Principal],
        pay_with_card: NamedDependency[PayWithCard],
    ) -> ChargeView:
        result = await pay_with_card.execute(
            PayWithCardCommand(
                user_seq=me.user_seq,
                card_id=data.card_id,
                amount=data.amount,
                name=data.name,
                content_type_code=data.content_type_code,
                content_seq=data.content_seq,
                tax_free=data.tax_free,
                buyer=buyer_of(data.buyer),
            )
        )
        return charge_view(result)
