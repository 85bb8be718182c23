"""An operator re-runs the processing of a stored webhook: any state, unmatched ones too.

Once the cause is fixed (an order created late, a channel added, iamport answering again), the
notification is processed again from iamport's own record, like a new one. Processing is
idempotent — Settlement applies a fact already applied as no change — so re-running a
processed message changes nothing but its inbox note. The operator and the time are kept on the
message.
"""

from dataclasses import dataclass

from application.errors import NotFoundError
from application.ports import Clock, UnitOfWorkFactory
from application.records import InboxMessage
from application.use_cases.actor import Actor
from application.use_cases.handle_webhook import (
    ProcessWebhook,
    ProcessWebhookCommand,
    ProcessWebhookResult,
)


@dataclass(frozen=True, slots=True)
class ReprocessWebhookCommand:
    operator: Actor
    message_id: int


@dataclass(frozen=True, slots=True)
class ReprocessedWebhook:
    result: ProcessWebhookResult
    message: InboxMessage  # as it is now


class ReprocessWebhook:
    def __init__(self, uow: UnitOfWorkFactory, process: ProcessWebhook, clock: Clock) -> None:
        self._uow = uow
        self._process = process
        self._clock = clock

    async def execute(self, command: ReprocessWebhookCommand) -> ReprocessedWebhook:
        if not command.operator.operator:
            raise NotFoundError("webhook not found")  # an admin route only
        async with self._uow() as uow:
            message = await uow.webhooks.get(command.message_id, for_update=True)
            if message is None:
                raise NotFoundError("webhook not found")
            message.reprocess(command.operator.cause, self._clock.now())
            await uow.webhooks.save(message)
            await uow.commit()
        result = await self._process.execute(ProcessWebhookCommand(command.message_id))
        async with self._uow() as uow:
            message = await uow.webhooks.get(command.message_id)
        assert message is not None
        return ReprocessedWebhook(result, message)
