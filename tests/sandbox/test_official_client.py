"""The official Python client (iamport-rest-client 0.9.0) works against the sandbox over HTTP.

The client pins an old `requests`, so it runs in its own cached virtualenv
(`.venv-iamport-client/` at the repository root, gitignored)."""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

import pytest

from adapters.iamport.sandbox import SandboxConfig, create_sandbox_app

from .live import LiveServer

ROOT = Path(__file__).resolve().parents[2]
CLIENT_VENV = ROOT / ".venv-iamport-client"
REQUIREMENT = "iamport-rest-client==0.9.0"
SCRIPT = Path(__file__).with_name("official_client_flow.py")


def _client_python() -> Path:
    python = CLIENT_VENV / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    stamp = CLIENT_VENV / f".installed-{REQUIREMENT}"
    if not stamp.exists():
        venv.create(CLIENT_VENV, with_pip=True, clear=True)
        installed = subprocess.run(
            [str(python), "-m", "pip", "install", "-q", REQUIREMENT],
            capture_output=True,
            text=True,
            timeout=300,
        )
        if installed.returncode != 0:
            pytest.fail(f"could not install {REQUIREMENT}:\n{installed.stdout}\n{installed.stderr}")
        stamp.touch()
    return python


def test_official_python_client_flow():
    python = _client_python()
    with LiveServer(create_sandbox_app(SandboxConfig(seed=11))) as server:
        run = subprocess.run(
            [str(python), str(SCRIPT), server.url], capture_output=True, text=True, timeout=60
        )
    assert run.returncode == 0, f"stdout:\n{run.stdout}\nstderr:\n{run.stderr}"
    assert "official client flow: ok" in run.stdout
