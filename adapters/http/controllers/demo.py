"""POST /api/demo/token: demo mode only (the route does not exist in production)."""

from datetime import timedelta
from typing import Annotated

import msgspec
from litestar import Controller, post
from litestar.di import NamedDependency
from litestar.params import JSONBody
from msgspec import Meta

from adapters.http.auth import NO_TOKEN, PUBLIC, issue_token
from adapters.http.openapi import problems


class DemoTokenRequest(msgspec.Struct, forbid_unknown_fields=True):
    user_seq: Annotated[int, Meta(gt=0, lt=2**53, examples=[1001])]
    admin: bool = False


class DemoToken(msgspec.Struct):
    access_token: str
    token_type: str
    expires_in: int
    user_seq: int
    admin: bool


TTL = timedelta(hours=12)


class DemoTokenController(Controller):
    path = "/api/demo"
    tags = ["demo"]
    opt = PUBLIC
    security = NO_TOKEN

    @post(
        "/token",
        operation_id="issueDemoToken",
        summary="Demo mode only: a bearer token for any user (admin optional)",
        responses=problems(),
    )
    async def token(
        self, data: JSONBody[DemoTokenRequest], jwt_secret: NamedDependency[str]
    ) -> DemoToken:
        token = issue_token(jwt_secret, data.user_seq, admin=data.admin, ttl=TTL)
        return DemoToken(token, "Bearer", int(TTL.total_seconds()), data.user_seq, data.admin)
