"""Authentication: JWT bearer tokens (HS256, PyJWT through Litestar's JWTAuth) and guards.

`sub` is the user's `user_seq` as a decimal string; the claim `role: "admin"` (or `roles`
containing "admin") unlocks the admin routes. Tokens must carry `exp`; `iat` is optional (the
platform's tokens may carry only `sub`, `exp` and `role`), but when present it must not lie in
the future. Only the `Bearer` scheme carries a token (Litestar's middleware takes whatever
follows the first space: `Token <jwt>`, `Basic <jwt>`). Only HS256 is accepted (`alg: none` and every other algorithm are refused by PyJWT's
`algorithms` list). A route opts out of authentication with `opt={"exclude_from_auth": True}`
(public routes are listed in the ADR).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AuthenticationResult
from litestar.openapi.spec import Components, SecurityRequirement, SecurityScheme
from litestar.security.jwt import JWTAuth, JWTAuthenticationMiddleware, Token

from application.use_cases.actor import Actor

ALGORITHM = "HS256"
PUBLIC = {"exclude_from_auth": True}  # opt of routes that need no token
# The OpenAPI `security` of a public route: one empty requirement (no token) overriding the
# document's BearerToken. An empty list would not do: Litestar leaves it out of the document.
NO_TOKEN: list[SecurityRequirement] = [{}]
MAX_USER_SEQ = 2**53


@dataclass(frozen=True, slots=True)
class Principal:
    user_seq: int
    admin: bool = False

    def actor(self, *, operator: bool = False) -> Actor:
        """The use cases' Actor; `operator` only on admin routes."""
        return Actor(user_seq=self.user_seq, operator=operator and self.admin)


def _roles(extras: dict[str, Any]) -> set[str]:
    roles: set[str] = set()
    role = extras.get("role")
    if isinstance(role, str):
        roles.add(role)
    many = extras.get("roles")
    if isinstance(many, list):
        roles.update(r for r in many if isinstance(r, str))
    elif isinstance(many, str):
        roles.update(many.replace(",", " ").split())
    return roles


async def principal_of(token: Token, _connection: ASGIConnection) -> Principal | None:
    sub = token.sub
    if not (sub.isascii() and sub.isdigit()) or not 0 < int(sub) < MAX_USER_SEQ:
        raise NotAuthorizedException("the token's sub is not a user_seq")
    return Principal(user_seq=int(sub), admin="admin" in _roles(token.extras))


class PlatformToken(Token):
    """Litestar's Token, without insisting on `iat`.

    Litestar's `Token.decode` reads `iat` as a required claim. A token without one is treated
    as issued now (the field is informational here: nothing in dolgo-pay reads it); `exp` stays
    required and verified by PyJWT, and an `iat` that is present is still checked by Token.
    """

    @classmethod
    def decode_payload(
        cls,
        encoded_token: str,
        secret: str,
        algorithms: list[str],
        issuer: str | Sequence[str] | None = None,
        audience: str | Sequence[str] | None = None,
        options: Any = None,
    ) -> Any:
        payload = super().decode_payload(
            encoded_token, secret, algorithms, issuer, audience, options
        )
        if isinstance(payload, dict) and "iat" not in payload:
            payload["iat"] = int(datetime.now(UTC).timestamp())
        return payload


class BearerOnlyMiddleware(JWTAuthenticationMiddleware):
    """Litestar's JWT middleware, refusing any scheme but `Bearer` (case-insensitive, RFC 9110)."""

    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:
        scheme, _, token = connection.headers.get(self.auth_header, "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotAuthorizedException("expected Authorization: Bearer <token>")
        return await self.authenticate_token(token.strip(), connection)


class BearerJWTAuth(JWTAuth[Principal, Token]):
    """Litestar's JWTAuth, declaring a valid OpenAPI `http` scheme: Litestar's own adds
    `name`, which only `apiKey` schemes may carry (openapi-spec-validator refuses it)."""

    @property
    def openapi_components(self) -> Components:
        scheme = SecurityScheme(
            type="http", scheme="Bearer", bearer_format="JWT", description=self.description
        )
        return Components(security_schemes={self.openapi_security_scheme_name: scheme})


def jwt_auth(secret: str) -> JWTAuth[Principal, Token]:
    return BearerJWTAuth(
        retrieve_user_handler=principal_of,
        token_secret=secret,
        token_cls=PlatformToken,
        authentication_middleware_class=BearerOnlyMiddleware,
        require_claims=["exp", "sub"],
        algorithm=ALGORITHM,
        exclude=["^/schema", "^/sandbox"],
        exclude_opt_key="exclude_from_auth",
        description="JWT (HS256): sub = user_seq; role admin for /api/admin",
    )


def issue_token(
    secret: str, user_seq: int, *, admin: bool = False, ttl: timedelta = timedelta(hours=12)
) -> str:
    """A token as the platform issues them (demo mode and tests)."""
    now = datetime.now(UTC)
    claims: dict[str, Any] = {"sub": str(user_seq), "iat": now, "exp": now + ttl}
    if admin:
        claims["role"] = "admin"
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def principal(connection: ASGIConnection) -> Principal:
    user = connection.scope.get("user")
    if not isinstance(user, Principal):
        raise NotAuthorizedException()
    return user


# Guards are async: Litestar runs a sync guard in its thread pool, a hop per request.
async def user_guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    principal(connection)


async def admin_guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    if not principal(connection).admin:
        raise PermissionDeniedException()
