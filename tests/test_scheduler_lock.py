"""SchedulerLock: of the workers of one `serve`, one runs the scheduler, and another takes over
when it dies (adapters/scheduler/lock.py)."""

import asyncio
import signal
import subprocess
import sys
from contextlib import suppress

from adapters.scheduler.lock import SchedulerLock
from adapters.scheduler.loop import run_scheduler
from application.records import InboxState
from application.use_cases.handle_webhook import ReceiveWebhookCommand
from tests.http.conftest import make_api_parts

HOLD = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
fcntl.flock(fd, fcntl.LOCK_EX)
print("held", flush=True)
time.sleep(60)
"""


def test_one_holder_at_a_time_and_the_next_after_a_release(tmp_path):
    path = str(tmp_path / "scheduler.lock")
    first, second = SchedulerLock(path), SchedulerLock(path)

    taken = [first.held(), second.held(), first.held()]
    first.release()

    assert (taken, second.held()) == ([True, False, True], True)


def test_the_lock_of_a_killed_worker_is_taken_over(tmp_path):
    path = str(tmp_path / "scheduler.lock")
    holder = subprocess.Popen([sys.executable, "-c", HOLD, path], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        mine = SchedulerLock(path)
        while_alive = mine.held()
        holder.send_signal(signal.SIGKILL)
        holder.wait(10)
        assert (while_alive, mine.held()) == (False, True)
    finally:
        holder.kill()
        holder.wait(10)


def test_without_one_process_alone_always_holds_it():
    assert SchedulerLock(None).held()


async def test_a_worker_without_the_lock_runs_no_job_until_it_is_free(tmp_path):
    path = str(tmp_path / "scheduler.lock")
    _, container, store, _, _ = make_api_parts()
    message_id = await container.receive_webhook().execute(
        ReceiveWebhookCommand('{"imp_uid": "imp_nope", "status": "paid"}', "application/json")
    )
    other = SchedulerLock(path)
    assert other.held()
    task = asyncio.create_task(
        run_scheduler(container, tick=0.01, first_delay=0, lock=SchedulerLock(path))
    )
    try:
        await asyncio.sleep(0.3)  # 30 ticks
        while_held_elsewhere = store.inbox[message_id].state
        other.release()  # the other worker exits
        for _ in range(200):
            await asyncio.sleep(0.01)
            if store.inbox[message_id].state is not InboxState.RECEIVED:
                break
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
    assert (while_held_elsewhere, store.inbox[message_id].state) == (
        InboxState.RECEIVED,
        InboxState.UNMATCHED,
    )
