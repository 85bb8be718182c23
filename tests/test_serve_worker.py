"""What `serve` hands down to its workers (adapters/http/worker.py): the secrets it generated,
so every worker shares them, and never a secret the operator set (it is in their environment
already)."""

import json
import os

import pytest

from adapters.config import load_config
from adapters.http.worker import HANDED_DOWN, hand_down, worker_config

SET = "an-operator-set-jwt-secret-of-enough-length"


@pytest.fixture
def environment(monkeypatch):
    for name in ("DOLGO_JWT_SECRET", "DOLGO_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(HANDED_DOWN, "{}")  # so that what hand_down sets is undone after
    return monkeypatch


def test_generated_secrets_reach_the_workers(environment):
    served = load_config()
    hand_down(served, "WARNING")

    worker = worker_config()

    assert (worker.jwt_secret, worker.secret) == (served.jwt_secret, served.secret)


def test_a_secret_set_in_the_environment_is_not_copied_into_another_variable(environment):
    environment.setenv("DOLGO_JWT_SECRET", SET)
    served = load_config()
    hand_down(served, "WARNING")

    handed = json.loads(os.environ[HANDED_DOWN])
    worker = worker_config()

    assert SET not in json.dumps(handed) and "jwt_secret" not in handed
    assert (worker.jwt_secret, worker.secret) == (SET, served.secret)
