from collections.abc import AsyncIterator

import pytest

from adapters.iamport.client import IamportClient
from tests.iamport_client.fake_iamport import KEY, SECRET, FakeIamport, serving


class Observed(list[tuple[str, str, float]]):
    def __call__(self, operation: str, outcome: str, seconds: float) -> None:
        self.append((operation, outcome, seconds))

    def pairs(self) -> list[tuple[str, str]]:
        return [(op, outcome) for op, outcome, _ in self]


@pytest.fixture
async def fake() -> AsyncIterator[FakeIamport]:
    app = FakeIamport()
    async with serving(app) as base_url:
        app.base_url = base_url
        yield app


@pytest.fixture
def observed() -> Observed:
    return Observed()


@pytest.fixture
async def client(fake: FakeIamport, observed: Observed) -> AsyncIterator[IamportClient]:
    async with IamportClient(
        fake.base_url, KEY, SECRET, read_timeout=2, observer=observed
    ) as client:
        yield client
