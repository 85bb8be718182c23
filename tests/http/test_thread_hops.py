"""A request passes its guard and the five abuse-limit checks without a hop to the thread pool:
Litestar runs a sync guard or throttle check there (sync_to_thread), once per request each."""

import pytest
from litestar.utils import sync

from tests.http.conftest import Api, checkout, paid_order


@pytest.fixture
def hops(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    original = sync.sync_to_thread

    async def counted(fn, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
        seen.append(getattr(fn, "__qualname__", repr(fn)))
        return await original(fn, *args, **kwargs)

    monkeypatch.setattr(sync, "sync_to_thread", counted)
    return seen


async def test_limited_user_and_admin_routes_stay_on_the_event_loop(
    api: Api, hops: list[str]
) -> None:
    await checkout(api)  # payment limits, user guard
    await paid_order(api)
    assert (await api.get("/api/orders")).status_code == 200
    assert (await api.get("/api/admin/payments", who="admin")).status_code == 200  # admin guard
    assert hops == []
