"""never_sent reads the aiohttp error behind httpx-aiohttp's mapped one (ADR 0031), and httpx's
own errors (the in-process sandbox's ASGI transport) as before."""

from types import SimpleNamespace

import aiohttp
import httpx
import pytest
from httpx_aiohttp.transport import map_aiohttp_exceptions

from adapters.iamport.network import describe, never_sent

KEY = SimpleNamespace(host="api.iamport.kr", port=443, ssl=True)
REFUSED = aiohttp.ClientConnectorError(KEY, ConnectionRefusedError(111, "refused"))


def mapped(error: Exception) -> BaseException:
    """What httpx-aiohttp raises for `error`."""
    with pytest.raises(BaseException) as caught, map_aiohttp_exceptions():
        raise error
    return caught.value


@pytest.mark.parametrize(
    "error, sent",
    [
        (REFUSED, False),
        (aiohttp.ClientConnectorDNSError(KEY, OSError(-2, "Name does not resolve")), False),
        (aiohttp.ConnectionTimeoutError("Connection timeout to host"), False),
        (aiohttp.ServerDisconnectedError(), True),
        (aiohttp.ClientConnectionResetError("reset"), True),
        (aiohttp.ClientOSError(32, "Broken pipe"), True),
        (aiohttp.SocketTimeoutError("Timeout on reading data from socket"), True),
        (aiohttp.ClientPayloadError("Response payload is not completed"), True),
        (aiohttp.ServerTimeoutError("timeout"), True),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, Exception) else str(v),
)
def test_the_aiohttp_error_decides(error: Exception, sent: bool):
    raised = mapped(error)
    assert raised.__cause__ is error
    assert never_sent(raised) is not sent


def test_an_unmapped_aiohttp_error_is_sent():
    """A broken status line is a ClientResponseError, which httpx-aiohttp lets through."""
    assert not never_sent(aiohttp.ClientResponseError(None, (), status=400, message="bad"))


def test_httpx_errors_as_before():
    assert never_sent(httpx.ConnectError("refused")) and never_sent(httpx.PoolTimeout("pool"))
    assert not never_sent(httpx.RemoteProtocolError("dropped"))
    assert not never_sent(httpx.ReadTimeout("slow"))


def test_described_by_what_happened():
    assert describe(mapped(REFUSED)).startswith("ConnectError (ClientConnectorError): ")
    assert describe(mapped(aiohttp.ServerDisconnectedError())) == (
        "ServerDisconnectedError: Server disconnected"
    )
    assert describe(httpx.ReadTimeout("slow")) == "ReadTimeout: slow"
