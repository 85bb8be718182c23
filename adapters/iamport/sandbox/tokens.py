"""POST /users/getToken and the access-token check of every other iamport route."""

from __future__ import annotations

import hmac

import msgspec
from litestar import Request, Response, post

from . import wire
from .state import SandboxDep
from .store import Store, Token

RENEWAL_WINDOW = 60  # seconds before expiry in which a getToken extends the token
RENEWAL_EXTENSION = 5 * 60


class GetToken(msgspec.Struct):
    imp_key: str | None = None
    imp_secret: str | None = None


def issue(store: Store) -> Token:
    """Same token until it expires; +5 min when asked for in its last minute; then a new one."""
    now = store.clock.timestamp()
    token = store.token
    if token is None or token.expires_at <= now:
        token = Token(value=store.ids.hex(40), expires_at=now + store.config.token_ttl)
        store.token = token
    elif token.expires_at - now <= RENEWAL_WINDOW:
        token.expires_at += RENEWAL_EXTENSION
    return token


def presented_token(request: Request) -> str | None:
    """`Authorization: <token>` or `Bearer <token>`; legacy `X-ImpTokenHeader`; Authorization wins."""
    value = request.headers.get("authorization") or request.headers.get("x-imptokenheader")
    if not value:
        return None
    value = value.strip()
    if value.lower().startswith("bearer "):
        value = value[7:].strip()
    return value or None


def authorized(store: Store, request: Request) -> bool:
    presented = presented_token(request)
    token = store.token
    if presented is None or token is None:
        return False
    return _same(presented, token.value) and token.expires_at > store.clock.timestamp()


@post("/users/getToken", status_code=200, operation_id="getToken")
async def get_token(request: Request, sandbox: SandboxDep) -> Response:
    body = wire.convert(await wire.body_of(request), GetToken)
    if not body.imp_key or not body.imp_secret:
        return wire.unauthorized("imp_key, imp_secret 파라메터가 누락되었습니다.")
    config = sandbox.config
    if not (_same(body.imp_key, config.imp_key) and _same(body.imp_secret, config.imp_secret)):
        return wire.unauthorized()
    token = issue(sandbox.store)
    return wire.ok(
        {
            "access_token": token.value,
            "now": sandbox.store.clock.timestamp(),
            "expired_at": token.expires_at,
        }
    )


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
