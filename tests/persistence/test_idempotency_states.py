"""Every IdempotencyState survives the idempotency_key table (its column is a plain string)."""

import pytest

from application.records import IdempotencyState
from tests.persistence import builders as b
from tests.persistence.builders import state


@pytest.mark.parametrize("idem_state", list(IdempotencyState))
async def test_every_idempotency_state_round_trips(uow_factory, idem_state):
    record = b.idempotency_record(state=IdempotencyState.IN_PROGRESS, status_code=None,
                                  response_body=None, content_type=None)  # fmt: skip
    async with uow_factory() as uow:
        assert await uow.idempotency.add(record)
        await uow.commit()
    async with uow_factory() as uow:
        loaded = await uow.idempotency.get(record.scope, record.key, for_update=True)
        loaded.state = idem_state
        await uow.idempotency.save(loaded)
        await uow.commit()
    async with uow_factory() as uow:
        again = await uow.idempotency.get(record.scope, record.key)
    assert again.state is idem_state
    assert state(again) == state(loaded)
