"""HTTP exchanges with iamport: the shared httpx client (on aiohttp: network.py), the token, the
retry rules, DEBUG logs.

An exchange ends in an `httpx.Response` (iamport answered: `translate.classify` judges it) or,
when no answer came, in NotAttempted (the request was never sent) / Unknown (it may have been).

Retry rules (ADR 0006):
* after a 401 the request is sent once more with a fresh token (iamport refused it before
  acting, so this is safe for a POST too); a second 401 is a configuration error;
* a GET is sent once more after a connect error (nothing was sent the first time);
* nothing else is retried: a POST that timed out is an unknown outcome, never a retry (nor
  does aiohttp re-send anything underneath: ADR 0031).
"""

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from time import perf_counter
from typing import Any
from urllib.parse import quote

import httpx
import msgspec

from adapters.iamport import wire
from adapters.iamport.network import NO_ANSWER, describe, network_client, never_sent
from adapters.iamport.redact import redact
from adapters.iamport.token import Token, TokenCache, TokenUnavailable
from adapters.logs import REQUEST_ID
from application.gateway import GatewayConfigurationError, NotAttempted, Rejected, Unknown

log = logging.getLogger("dolgo_pay.iamport")

_JSON = {"Content-Type": "application/json", "Accept": "application/json"}


def _request_id() -> dict[str, str]:
    """The id of the request this call serves, sent along (iamport ignores it; the sandbox
    logs it), so the call can be found from either side."""
    request_id = REQUEST_ID.get()
    return {"X-Request-Id": request_id} if request_id else {}


_LOGGED_BODY = 4000

Emit = Callable[[str, str, float, str], None]


def segment(value: str) -> str:
    """A path segment (imp_uid, merchant_uid, customer_uid), percent-encoded."""
    return quote(value, safe="")


@dataclass(frozen=True, slots=True)
class Call:
    operation: str
    method: str
    path: str
    params: Any = None
    body: dict[str, Any] | None = None
    secrets: tuple[str, ...] = field(default=(), repr=False)

    @property
    def target(self) -> str:
        return f"{self.method} {self.path}"


class Transport:
    def __init__(
        self,
        base_url: str,
        imp_key: str,
        imp_secret: str,
        *,
        timeout: httpx.Timeout,
        clock: Callable[[], float],
        token_margin: float,
        http: httpx.AsyncClient | None,
        emit: Emit,
    ) -> None:
        self._base = base_url.rstrip("/")
        self._credentials = msgspec.json.encode({"imp_key": imp_key, "imp_secret": imp_secret})
        self._timeout = timeout
        self._owns_http = http is None
        self._http = http or network_client(timeout)
        self._emit = emit
        self.tokens = TokenCache(self._fetch_token, clock=clock, margin=token_margin)

    async def aclose(self) -> None:
        await self.tokens.aclose()
        if self._owns_http:
            await self._http.aclose()

    # -- one exchange ----------------------------------------------------------------------------
    async def exchange(self, call: Call) -> httpx.Response | NotAttempted | Unknown | Rejected:
        try:
            token = await self.tokens.get()
        except TokenUnavailable as exc:
            return NotAttempted(f"no access token: {exc}")
        reply = await self._send(call, token)
        if not (isinstance(reply, httpx.Response) and reply.status_code == 401):
            return reply
        log.info("iamport %s: 401 with a cached token; refreshing it once", call.target)
        try:
            token = await self.tokens.get(refused=token)
        except TokenUnavailable as exc:
            return Rejected(f"Unauthorized, and no new access token: {exc}")
        reply = await self._send(call, token)
        if isinstance(reply, httpx.Response) and reply.status_code == 401:
            self.tokens.forget()
            raise GatewayConfigurationError(
                f"iamport answered 401 to {call.target} with a freshly issued token: "
                "check the API key pair, the Tier header and the console's allowed IPs"
            )
        return reply

    async def _send(self, call: Call, token: Token) -> httpx.Response | NotAttempted | Unknown:
        content = msgspec.json.encode(call.body) if call.body is not None else None
        headers = {**_JSON, **_request_id(), "Authorization": token.value}
        attempts = 2 if call.method == "GET" else 1
        for attempt in range(1, attempts + 1):
            if log.isEnabledFor(logging.DEBUG):
                log.debug(
                    "iamport → %s params=%s body=%s",
                    call.target,
                    redact(_plain(call.params), call.secrets),
                    _dumps(redact(call.body, call.secrets)) if call.body is not None else "-",
                )
            try:
                response = await self._http.request(
                    call.method,
                    self._base + call.path,
                    params=call.params,
                    content=content,
                    headers=headers,
                    timeout=self._timeout,
                )
            except NO_ANSWER as exc:
                if not never_sent(exc):  # sent, or maybe sent: read timeout, dropped, ...
                    return Unknown(describe(exc))
                if attempt < attempts:
                    log.info("iamport %s: %s; retrying once", call.target, describe(exc))
                    continue
                return NotAttempted(describe(exc))
            log_response(call.target, response, call.secrets)
            return response
        raise AssertionError("unreachable")

    # -- the token ---------------------------------------------------------------------------------
    async def _fetch_token(self) -> wire.WireToken:
        started = perf_counter()
        outcome = "unknown"
        try:
            token = await self._request_token()
            outcome = "approved"
            log.info("iamport getToken: token valid for %ss", token.expired_at - token.now)
            return token
        except GatewayConfigurationError:
            outcome = "configuration_error"
            raise
        except TokenUnavailable as exc:
            sent = exc.__cause__ is None or not never_sent(exc.__cause__)
            outcome = "unknown" if sent else "not_attempted"
            raise
        finally:
            self._emit("get_token", outcome, perf_counter() - started, "POST /users/getToken")

    async def _request_token(self) -> wire.WireToken:
        url = self._base + "/users/getToken"
        response: httpx.Response | None = None
        for attempt in (1, 2):  # idempotent: iamport hands out the same token until it expires
            try:
                response = await self._http.post(
                    url,
                    content=self._credentials,
                    headers={**_JSON, **_request_id()},
                    timeout=self._timeout,
                )
                break
            except NO_ANSWER as exc:
                if attempt == 2 or not never_sent(exc):
                    raise TokenUnavailable(describe(exc)) from exc
        assert response is not None
        log_response("POST /users/getToken", response)
        status = response.status_code
        if status in (401, 403):
            raise GatewayConfigurationError(
                f"iamport refused imp_key / imp_secret (HTTP {status} on /users/getToken): "
                "check the merchant's V1 REST API key pair"
            )
        if status in (400, 404, 405):
            raise GatewayConfigurationError(
                f"iamport answered HTTP {status} to /users/getToken: check the iamport base URL "
                f"({self._base}) and the API key pair"
            )
        if not 200 <= status < 300:
            raise TokenUnavailable(f"HTTP {status} on /users/getToken")
        try:
            envelope = wire.decode_envelope(response.content)
        except wire.WireError as exc:
            raise TokenUnavailable(f"getToken: {exc}") from None
        if envelope.code != 0:
            raise GatewayConfigurationError(
                f"iamport refused getToken (code {envelope.code}): {envelope.message or '-'}"
            )
        try:
            return wire.decode(envelope.response, wire.WireToken)
        except wire.WireError as exc:
            raise TokenUnavailable(f"getToken: {exc}") from None


def log_response(target: str, response: httpx.Response, secrets: tuple[str, ...] = ()) -> None:
    if not log.isEnabledFor(logging.DEBUG):
        return
    try:
        shown = _dumps(redact(json.loads(response.content), secrets))
    except ValueError:
        shown = f"<{len(response.content)} bytes of {response.headers.get('content-type', '?')}>"
    log.debug("iamport ← %s HTTP %s %s", target, response.status_code, shown)


def _plain(params: Any) -> Any:
    if isinstance(params, list):
        return [list(p) for p in params]
    return params


def _dumps(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= _LOGGED_BODY else text[:_LOGGED_BODY] + "…"
