"""The real network under the iamport client: httpx's API on an aiohttp transport (ADR 0031),
and what an exchange that got no answer means: never sent (NotAttempted) or maybe sent (Unknown).
"""

import aiohttp
import httpx
from httpx_aiohttp import AiohttpTransport

# Up to 100 calls at once per process, and every connection opened may be kept: aiohttp keeps
# every idle one (httpx kept only 20 by default, so 64 concurrent calls reopened 44 per wave).
MAX_CONNECTIONS = 100
# An idle connection is let go a second before a server with a 5 s keep-alive (uvicorn, Apache)
# closes it: a call sent on it at that moment gets no answer and is recorded unknown.
KEEPALIVE_SECONDS = 4.0

# What a request can end in without an answer. httpx-aiohttp raises an aiohttp error it does not
# map as it is (a broken status line is a ClientResponseError); a bare TimeoutError is possible.
NO_ANSWER = (httpx.RequestError, aiohttp.ClientError, TimeoutError)

# httpx errors raised before the request left this process (the ASGI transport, httpcore).
NOT_SENT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.ProxyError,
    httpx.UnsupportedProtocol,
)
# The aiohttp errors raised before the request's first byte is written: the connector's (refused,
# DNS, TLS handshake), the connect timeout (sock_connect, and waiting for a pool slot), a bad URL.
# Everything else, ServerDisconnectedError above all, may come after sending.
_AIOHTTP_NOT_SENT = (
    aiohttp.ClientConnectorError,
    aiohttp.ConnectionTimeoutError,
    aiohttp.InvalidUrlClientError,
    aiohttp.NonHttpUrlClientError,
)


def never_sent(exc: BaseException) -> bool:
    """True only when the request provably never left this process.

    httpx-aiohttp maps every aiohttp.ClientConnectionError (a disconnect after sending too) to
    httpx.ConnectTimeout, so an aiohttp error behind the httpx one is what is judged."""
    origin = _origin(exc)
    if isinstance(origin, aiohttp.ClientError):
        return isinstance(origin, _AIOHTTP_NOT_SENT)
    return isinstance(exc, NOT_SENT)


# httpx's names for what they mean (httpx-aiohttp names a refused connect ConnectTimeout, a
# disconnect too); other aiohttp errors are shown by their own name
_HTTPX_NAMES = (
    (aiohttp.ClientConnectorError, "ConnectError"),
    (aiohttp.ConnectionTimeoutError, "ConnectTimeout"),
    (aiohttp.SocketTimeoutError, "ReadTimeout"),
)


def describe(exc: BaseException) -> str:
    """'Name: message' for a reason or a log line, e.g. 'ReadTimeout (SocketTimeoutError): …'."""
    origin = _origin(exc)
    name = type(origin).__name__
    if origin is not exc:
        named = next((n for kind, n in _HTTPX_NAMES if isinstance(origin, kind)), None)
        name = f"{named} ({name})" if named else name
    text = str(origin)
    return f"{name}: {text}" if text else name


def _origin(exc: BaseException) -> BaseException:
    cause = exc.__cause__
    return cause if isinstance(cause, aiohttp.ClientError) else exc


def network_client(timeout: httpx.Timeout) -> httpx.AsyncClient:
    """The httpx client on aiohttp. Its ClientSession is made at the first request, so in the
    running loop of whoever sends (each `serve` worker its own), and closed by `aclose()`.
    HTTP(S)_PROXY are not read (httpx ignores them beside an explicit transport, and so does a
    ClientSession without trust_env)."""

    def session() -> aiohttp.ClientSession:
        connector = aiohttp.TCPConnector(
            limit=MAX_CONNECTIONS,
            keepalive_timeout=KEEPALIVE_SECONDS,
            ssl=transport.ssl_context,  # httpx's: certifi, or SSL_CERT_FILE
        )
        made = aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar())
        # aiohttp re-sends a GET/PUT/DELETE once when the connection fails; ADR 0006 decides
        # what is retried, so no re-send (private, aiohttp's own test client sets it; a test
        # fails if it stops working)
        made._retry_connection = False
        return made

    transport = AiohttpTransport(client=session)
    return httpx.AsyncClient(timeout=timeout, transport=transport, follow_redirects=False)
