"""The container files hold together: the Dockerfile runs the console script as a non-root user,
and compose.yaml brings up MariaDB, Redis, the sandbox and two dolgo-pay instances whose
environment is a configuration dolgo-pay accepts; the build stage builds the wheel from what it
copies (without Docker). `docker compose config` and `docker build`
run where a Docker engine is present (CI builds the image there)."""

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from adapters.config import load_config

REPO = Path(__file__).resolve().parents[1]
COMPOSE = REPO / "compose.yaml"
DOCKERFILE = REPO / "Dockerfile"


def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def dockerfile_instructions() -> list[tuple[str, str]]:
    lines = DOCKERFILE.read_text().replace("\\\n", " ").splitlines()
    out = []
    for line in lines:
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def test_the_image_runs_the_console_script_as_a_non_root_user() -> None:
    steps = dockerfile_instructions()
    final = steps[max(i for i, (word, _) in enumerate(steps) if word == "FROM") :]
    assert final[0][1].startswith("python:3.11-slim")
    users = [rest for word, rest in final if word == "USER"]
    assert users and users[-1] not in ("root", "0")
    assert ("ENTRYPOINT", '["dolgo-pay"]') in final
    assert ("CMD", '["serve"]') in final
    # the wheel is built from the package only: no tests, no .venv in the image
    copied = [rest.split()[0] for word, rest in steps if word == "COPY"]
    assert not any(c.startswith(("tests", ".venv", ".")) for c in copied), copied


def test_compose_brings_up_the_deployment() -> None:
    services = compose()["services"]
    assert set(services) == {"mariadb", "redis", "sandbox", "migrate", "pay1", "pay2"}
    assert services["mariadb"]["image"].startswith("mariadb:")
    assert services["redis"]["image"].startswith("redis:")
    assert services["sandbox"]["command"][0] == "sandbox"
    assert services["migrate"]["command"] == ["migrate"]
    instances = [services["pay1"], services["pay2"]]
    for service in [services["sandbox"], services["migrate"], *instances]:
        assert service["build"] == "." and service["image"] == "dolgo-pay:local"
    for service in instances:
        assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert "command" not in service  # the image's CMD: serve


@pytest.mark.parametrize("name", ["pay1", "pay2", "migrate"])
def test_each_instance_environment_is_a_configuration_dolgo_pay_accepts(name: str) -> None:
    services = compose()["services"]
    env = {k: str(v) for k, v in services[name]["environment"].items()}
    config = load_config(env)  # raises ConfigErrors naming each variable otherwise
    assert not config.sandbox and config.gateway_url == "http://iamport.test:8090"
    assert "iamport.test" in services["sandbox"]["networks"]["default"]["aliases"]
    assert config.database_url.startswith("mysql+aiomysql://")
    assert config.redis_url == "redis://redis:6379/0"
    if name != "migrate":
        other = {"pay1": "pay2", "pay2": "pay1"}[name]
        other_env = services[other]["environment"]
        for shared in ("DOLGO_JWT_SECRET", "DOLGO_SECRET", "DOLGO_DATABASE_URL"):
            assert env[shared] == other_env[shared], shared  # tokens and keys work on both


def _docker_engine() -> bool:
    if shutil.which("docker") is None:
        return False
    return subprocess.run(["docker", "info"], capture_output=True).returncode == 0


def _compose_plugin() -> bool:
    if shutil.which("docker") is None:
        return False
    return subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0


@pytest.mark.skipif(not _compose_plugin(), reason="no docker compose on this machine")
def test_docker_compose_config_accepts_the_file() -> None:
    result = subprocess.run(
        ["docker", "compose", "-f", str(COMPOSE), "config", "--quiet"],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(
    not os.environ.get("DOLGO_TEST_DOCKER_BUILD") or not _docker_engine(),
    reason="docker build runs only with DOLGO_TEST_DOCKER_BUILD=1 and a Docker engine",
)
def test_docker_build_succeeds() -> None:
    result = subprocess.run(
        ["docker", "build", "-q", "-t", "dolgo-pay:test", "."], capture_output=True, cwd=REPO
    )
    assert result.returncode == 0, result.stderr[-2000:]


def test_the_build_stage_builds_the_wheel_from_what_it_copies(tmp_path: Path) -> None:
    """`pip wheel .` in the image's build stage sees only its COPY sources; the wheel it builds
    must carry the license the project's metadata names."""
    steps = dockerfile_instructions()
    second = [i for i, (word, _) in enumerate(steps) if word == "FROM"][1]
    src = tmp_path / "src"
    src.mkdir()
    for word, rest in steps[:second]:
        if word == "COPY":
            *sources, dest = rest.split()
            target = src / dest if dest not in ("./", ".") else src
            for name in sources:
                if (REPO / name).is_dir():
                    shutil.copytree(
                        REPO / name, target, ignore=shutil.ignore_patterns("__pycache__")
                    )
                else:
                    shutil.copy(REPO / name, src / name)
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(src)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = tmp_path.glob("dolgo_pay-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        assert any(n.endswith(".dist-info/licenses/LICENSE") for n in archive.namelist())
