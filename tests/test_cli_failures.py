"""`dolgo-pay`'s failures are one line on stderr and a non-zero exit; the traceback only under
`--debug`. Run as real processes, the way an operator meets them."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from adapters.persistence.migrations import head_revisions
from tests.persistence.databases import mysql_test_url
from tests.serving import REPO, free_port

UNREACHABLE_DB = "mysql+aiomysql://root@127.0.0.1:{port}/dolgo"  # loopback: still a demo


def dolgo_pay(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    script = Path(sys.executable).with_name("dolgo-pay")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "adapters.cli"]
    full_env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DOLGO_")},
        "DOLGO_SCHEDULER": "off",
        **(env or {}),
    }
    return subprocess.run(
        [*command, *args], cwd=REPO, env=full_env, capture_output=True, text=True, timeout=60
    )


def one_line(result: subprocess.CompletedProcess) -> str:
    """The failure's only line on stderr."""
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    return lines[0]


def closed_port() -> int:
    return free_port()  # nothing listens there once the probe socket is closed


def test_migrate_tells_what_it_did_and_alembic_stays_quiet(tmp_path: Path) -> None:
    env = {"DOLGO_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/a.db"}
    head = ", ".join(head_revisions())
    first = dolgo_pay("migrate", env=env)
    assert first.returncode == 0 and first.stderr == "", first.stderr
    assert first.stdout == f"database schema migrated from (empty) to {head}\n"
    again = dolgo_pay("migrate", env=env)
    assert again.returncode == 0 and again.stderr == ""
    assert again.stdout == f"database schema already up to date (revision {head})\n"
    job = dolgo_pay("jobs", "run", "expire-orders", env=env)
    assert job.returncode == 0 and job.stderr == "", job.stderr
    assert len(job.stdout.splitlines()) == 1 and job.stdout.startswith("expire-orders: ")


def test_an_unreachable_database_is_one_line_and_debug_shows_the_traceback() -> None:
    env = {"DOLGO_DATABASE_URL": UNREACHABLE_DB.format(port=closed_port())}
    line = one_line(dolgo_pay("migrate", env=env))
    assert line.startswith("dolgo-pay migrate: cannot reach the database at mysql+aiomysql://")
    line = one_line(dolgo_pay("serve", env={**env, "DOLGO_PORT": str(free_port())}))
    assert line.startswith("dolgo-pay serve: cannot reach the database")
    debug = dolgo_pay("--debug", "migrate", env=env)
    assert debug.returncode != 0 and "Traceback" in debug.stderr
    assert "DatabaseUnavailable" in debug.stderr


def test_jobs_on_an_unreachable_database_fail_without_a_traceback() -> None:
    env = {"DOLGO_DATABASE_URL": UNREACHABLE_DB.format(port=closed_port())}
    result = dolgo_pay("jobs", "run", "reconcile", env=env)
    assert result.returncode == 1 and "Traceback" not in result.stdout + result.stderr
    assert "cannot reach the database" in result.stdout + result.stderr


def test_a_busy_port_names_dolgo_port(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {
            "DOLGO_PORT": str(port),
            "DOLGO_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/a.db",
        }
        line = one_line(dolgo_pay("serve", env=env))
    assert line == (
        f"dolgo-pay serve: cannot listen on 127.0.0.1:{port}: the address is already in use "
        "(another dolgo-pay?); stop it or choose another DOLGO_PORT"
    )


@pytest.fixture
def empty_mariadb() -> Iterator[str]:
    import pymysql

    url = make_url(mysql_test_url())
    name = f"dolgo_cli_{os.getpid()}"
    try:
        conn = pymysql.connect(host=url.host, port=url.port or 3306, user=url.username or "root")
    except pymysql.MySQLError as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"MariaDB unreachable on CI: {exc}")
        pytest.skip(f"MariaDB unreachable: {exc}")
    with conn, conn.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
        cursor.execute(f"CREATE DATABASE `{name}`")
        try:
            yield url.set(database=name).render_as_string(hide_password=False)
        finally:
            cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")


@pytest.mark.mariadb
def test_serve_before_migrate_says_run_migrate(empty_mariadb: str) -> None:
    env = {"DOLGO_DATABASE_URL": empty_mariadb, "DOLGO_PORT": str(free_port())}
    line = one_line(dolgo_pay("serve", env=env))
    assert line.startswith("dolgo-pay serve: the database ") and line.endswith(
        "has no dolgo-pay schema (expected revision "
        + ", ".join(head_revisions())
        + "): run `dolgo-pay migrate`"
    )
    jobs = dolgo_pay("jobs", "run", "reconcile", env=env)
    assert jobs.returncode == 1 and "run `dolgo-pay migrate`" in jobs.stdout
    assert "Traceback" not in jobs.stderr


def test_serve_with_dolgo_mode_forgotten_next_to_real_settings_never_listens() -> None:
    """The careless operator of issue #11: real iamport keys, a MySQL URL and a JWT secret, but
    no DOLGO_MODE. serve must stop before it could mint a single demo (admin) token."""
    from tests.test_config import PRODUCTION

    real = {k: v for k, v in PRODUCTION.items() if k != "DOLGO_MODE"}
    result = dolgo_pay("serve", env={**real, "DOLGO_PORT": str(free_port())})
    assert result.returncode == 2 and "DOLGO_MODE=production" in result.stderr, result.stderr
