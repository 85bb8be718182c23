"""The app factory `serve` gives uvicorn (`adapters.http.worker:app`, one call per worker process).

Each worker reads the same environment as the serving process and builds its own container
(engine, iamport client, scheduler). What the serving process chose at start rather than read is
handed down in HANDED_DOWN: demo mode's random JWT and fingerprint secrets (secrets set in the
environment reach the workers there), so a token issued by one worker is accepted by every other
and an Idempotency-Key means the same in all; and the log level of `--debug`.
"""

import atexit
import json
import logging.config
import os
import shutil
import tempfile
from dataclasses import replace
from typing import TYPE_CHECKING

from adapters.config import AppConfig, load_config
from adapters.logs import log_config

if TYPE_CHECKING:
    from litestar import Litestar

HANDED_DOWN = "_DOLGO_SERVE_WORKER"  # set by `serve` for its workers only
SCHEDULER_LOCK = "_DOLGO_SCHEDULER_LOCK"  # likewise: the file whose flock runs the scheduler


_GENERATED = {"jwt_secret": "DOLGO_JWT_SECRET", "secret": "DOLGO_SECRET"}  # when not set


def hand_down(config: AppConfig, log_level: str) -> None:
    """Make the workers `serve` starts next use `config`'s `log_level` and the secrets it
    generated (demo mode): a secret set in the environment reaches them there, and is not
    copied into another variable."""
    given = {key: getattr(config, key) for key, env in _GENERATED.items() if env not in os.environ}
    os.environ[HANDED_DOWN] = json.dumps({**given, "log_level": log_level})


def share_metrics() -> None:
    """Before several workers start: their Prometheus metrics go to files in one folder, which
    /metrics adds up (Litestar's controller reads PROMETHEUS_MULTIPROC_DIR), instead of each
    scrape showing whichever worker answered. A folder the operator set is used as it is."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = _folder_for_this_run("metrics")


def share_scheduler() -> None:
    """Before several workers start: one lock file, so that one of them runs the scheduler
    (adapters/scheduler/lock.py) instead of each."""
    os.environ[SCHEDULER_LOCK] = os.path.join(_folder_for_this_run("scheduler"), "scheduler.lock")


def _folder_for_this_run(what: str) -> str:
    """A fresh temporary folder, removed when `serve` exits."""
    folder = tempfile.mkdtemp(prefix=f"dolgo-pay-{what}-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def _handed_down() -> dict[str, str]:
    raw = os.environ.get(HANDED_DOWN)
    return json.loads(raw) if raw else {}


def worker_config() -> AppConfig:
    config = load_config()
    given = _handed_down()
    return replace(config, **{key: given[key] for key in _GENERATED if key in given})


def app() -> "Litestar":
    from adapters.container import build_container
    from adapters.http import create_app

    config = worker_config()
    built = create_app(build_container(config), scheduler_lock=os.environ.get(SCHEDULER_LOCK))
    # Again after the app is built: a library may configure logging as it initialises (the
    # mounted sandbox's Litestar app does), and uvicorn applied this before the import.
    level = _handed_down().get("log_level", "WARNING")
    logging.config.dictConfig(log_config(level, config.log_format))
    return built
