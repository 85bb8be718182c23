"""Configuration: defaults, validation messages naming the variable, production refusals."""

import ipaddress
from datetime import timedelta
from pathlib import Path

import pytest

from adapters.config import ConfigErrors, RateLimit, load_config
from adapters.config.channels import parse_channels
from adapters.config.errors import ConfigError
from application.channels import KeyIssuance

SECRET = "s" * 40
PRODUCTION = {
    "DOLGO_MODE": "production",
    "DOLGO_DATABASE_URL": "mysql+aiomysql://pay:pw@db/dolgo",
    "DOLGO_IAMPORT_URL": "https://api.iamport.kr",
    "DOLGO_IAMPORT_KEY": "real_key",
    "DOLGO_IAMPORT_SECRET": "real_secret",
    "DOLGO_IAMPORT_MERCHANT_CODE": "imp12345678",
    "DOLGO_JWT_SECRET": SECRET,
    "DOLGO_SECRET": "t" * 40,
    "DOLGO_PUBLIC_BASE_URL": "https://pay.dolgo.kr",
}

CHANNELS_TOML = """
[[channel]]
name = "nice"
pg = "nice.realmid01"
pg_provider = "nice"
pg_ids = ["realmid01"]
methods = ["card"]
key_issuance = "rest"
priority = 10

[[channel]]
name = "kcp"
pg = "kcp.A52Q7"
pg_provider = "kcp"
methods = ["trans", "vbank"]
priority = 20
vbank_refund_banks = ["004", "088"]
closes_vbanks = true
"""

WINDOW_CHANNEL_TOML = """
[[channel]]
name = "inicis"
pg = "html5_inicis.MOIreal01"
pg_provider = "html5_inicis"
methods = ["card"]
key_issuance = "window"
"""


def variables(exc: ConfigErrors) -> set[str]:
    return {e.variable.split(" ")[0] for e in exc.errors}


def test_defaults_are_the_demo() -> None:
    c = load_config({})
    assert c.mode == "demo" and not c.production
    assert c.database_url == "sqlite+aiosqlite:///./var/dolgo-pay.db"
    assert c.sandbox and c.gateway_url == "http://127.0.0.1:8000/sandbox"
    assert (c.host, c.port) == ("127.0.0.1", 8000)
    assert c.iamport_connect_timeout == 10 and c.iamport_read_timeout == 30
    assert c.demo_tokens and c.scheduler
    assert c.idempotency_lease == timedelta(minutes=5)
    assert c.webhook_allowed_ips == () and c.trusted_proxies == ()
    s = c.payment_settings()
    assert s.refund_policy.business_window_days == 7
    assert s.dunning.retry_after_days == (1, 3, 7)
    assert s.charge_hour == 10 and not s.production
    names = {ch.name for ch in c.channels.channels}
    assert names == {"nice", "kicc", "html5_inicis", "kcp_billing", "kcp", "danal"}
    assert c.channels.named("nice").key_issuance is KeyIssuance.REST
    assert c.channels.named("html5_inicis").key_issuance is KeyIssuance.WINDOW
    assert c.channels.for_method("phone").name in ("html5_inicis", "danal")
    assert c.channels.for_method("vbank").name in ("html5_inicis", "kcp")


def test_values_are_parsed() -> None:
    c = load_config(
        {
            "DOLGO_PORT": "9000",
            "DOLGO_REFUND_WINDOW_DAYS": "14",
            "DOLGO_DUNNING_DAYS": "2,5",
            "DOLGO_CHARGE_HOUR": "9",
            "DOLGO_SCHEDULER": "off",
            "DOLGO_WEBHOOK_ALLOWED_IPS": "52.78.100.19, 52.78.48.223/32",
            "DOLGO_TRUSTED_PROXIES": "10.0.0.0/8",
            "DOLGO_RATE_LIMIT_CARD_PER_USER": "3/minute",
            "DOLGO_RATE_LIMIT_PAYMENT_PER_IP": "off",
            "DOLGO_DB_POOL_SIZE": "20",
            "DOLGO_IDEMPOTENCY_LEASE_SECONDS": "900",
            "DOLGO_LOG_FORMAT": "json",
        }
    )
    assert c.public_base_url == "http://127.0.0.1:9000"
    assert c.payment_settings().refund_policy.business_window_days == 14
    assert c.dunning_days == (2, 5) and c.charge_hour == 9 and not c.scheduler
    assert ipaddress.ip_address("52.78.100.19") in c.webhook_allowed_ips[0]
    assert c.rate_limits.card_per_user == RateLimit(3, "minute")
    assert c.rate_limits.payment_per_ip is None
    assert c.db_pool_size == 20
    assert c.idempotency_lease == timedelta(minutes=15)
    assert c.log_format == "json"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DOLGO_MODE", "staging"),
        ("DOLGO_PORT", "http"),
        ("DOLGO_PORT", "70000"),
        ("DOLGO_DB_POOL_SIZE", "-1"),
        ("DOLGO_IAMPORT_URL", "ftp://x"),
        ("DOLGO_IAMPORT_READ_TIMEOUT", "soon"),
        ("DOLGO_PUBLIC_BASE_URL", "pay.dolgo.kr"),
        ("DOLGO_WEBHOOK_ALLOWED_IPS", "not-an-ip"),
        ("DOLGO_TRUSTED_PROXIES", "10.0.0.0/33"),
        ("DOLGO_RATE_LIMIT_CARD_PER_IP", "lots"),
        ("DOLGO_REFUND_WINDOW_DAYS", "x"),
        ("DOLGO_DUNNING_DAYS", "3,1"),
        ("DOLGO_CHARGE_HOUR", "24"),
        ("DOLGO_SCHEDULER", "maybe"),
        ("DOLGO_LOG_FORMAT", "xml"),
        ("DOLGO_JWT_SECRET", "short"),
        ("DOLGO_SECRET", "short"),
        ("DOLGO_IDEMPOTENCY_LEASE_SECONDS", "soon"),
        ("DOLGO_IDEMPOTENCY_LEASE_SECONDS", "0"),
        ("DOLGO_IDEMPOTENCY_LEASE_SECONDS", "200"),  # not longer than one iamport call can take
    ],
)
def test_a_bad_value_is_refused_naming_the_variable(name: str, value: str) -> None:
    with pytest.raises(ConfigErrors) as caught:
        load_config({name: value})
    assert name in variables(caught.value)
    assert name in str(caught.value)


def test_production_refuses_to_start_without_its_settings() -> None:
    with pytest.raises(ConfigErrors) as caught:
        load_config({"DOLGO_MODE": "production"})
    assert {
        "DOLGO_IAMPORT_URL",
        "DOLGO_IAMPORT_KEY",
        "DOLGO_IAMPORT_SECRET",
        "DOLGO_IAMPORT_MERCHANT_CODE",
        "DOLGO_DATABASE_URL",
        "DOLGO_JWT_SECRET",
        "DOLGO_SECRET",
        "DOLGO_PUBLIC_BASE_URL",
        "DOLGO_CHANNELS_FILE",
    } <= variables(caught.value)


def test_production_starts_with_real_settings(tmp_path: Path) -> None:
    channels = tmp_path / "channels.toml"
    channels.write_text(CHANNELS_TOML)
    c = load_config({**PRODUCTION, "DOLGO_CHANNELS_FILE": str(channels)})
    assert c.production and not c.sandbox and not c.demo_tokens
    assert c.gateway_url == "https://api.iamport.kr"
    assert c.payment_settings().production
    assert c.channels.named("nice").pg == "nice.realmid01"


@pytest.mark.parametrize(
    ("override", "variable"),
    [
        ({"DOLGO_SANDBOX": "on"}, "DOLGO_SANDBOX"),
        ({"DOLGO_DEMO_TOKENS": "on"}, "DOLGO_DEMO_TOKENS"),
        ({"DOLGO_DATABASE_URL": "sqlite+aiosqlite:///x.db"}, "DOLGO_DATABASE_URL"),
        ({"DOLGO_IAMPORT_KEY": "sandbox_key"}, "DOLGO_IAMPORT_KEY"),
        ({"DOLGO_IAMPORT_URL": "http://api.iamport.kr"}, "DOLGO_IAMPORT_URL"),
        ({"DOLGO_PUBLIC_BASE_URL": "http://pay.dolgo.kr"}, "DOLGO_PUBLIC_BASE_URL"),
    ],
)
def test_production_refuses_demo_conveniences(
    tmp_path: Path, override: dict[str, str], variable: str
) -> None:
    channels = tmp_path / "channels.toml"
    channels.write_text(CHANNELS_TOML)
    with pytest.raises(ConfigErrors) as caught:
        load_config({**PRODUCTION, "DOLGO_CHANNELS_FILE": str(channels), **override})
    assert variable in variables(caught.value)


@pytest.mark.parametrize(
    "url",
    [
        "mysql+aiomysql://pay:pw@db/dolgo",
        "mysql+asyncmy://pay:pw@db/dolgo",
        "mariadb+asyncmy://pay:pw@db/dolgo",
    ],
)
def test_production_runs_on_either_mysql_driver(tmp_path: Path, url: str) -> None:
    channels = tmp_path / "channels.toml"
    channels.write_text(CHANNELS_TOML)
    c = load_config({**PRODUCTION, "DOLGO_CHANNELS_FILE": str(channels), "DOLGO_DATABASE_URL": url})
    assert c.database_url == url


@pytest.mark.parametrize(
    "url",
    [
        "mysql+pymysql://pay:Secr3tPass@db/dolgo",  # a sync driver: the async engine cannot use it
        "mysql://pay:Secr3tPass@db/dolgo",
        "postgresql+asyncpg://pay:Secr3tPass@db/dolgo",
        "pay:Secr3tPass@db/dolgo",
    ],
)
def test_a_database_url_of_another_driver_is_refused_without_its_password(url: str) -> None:
    with pytest.raises(ConfigErrors) as caught:
        load_config({"DOLGO_DATABASE_URL": url})
    assert variables(caught.value) == {"DOLGO_DATABASE_URL"}
    assert "mysql+asyncmy://" in str(caught.value) and "Secr3tPass" not in str(caught.value)


def test_channels_file_is_strict(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(CHANNELS_TOML.replace("priority = 10", "priorty = 10"))
    with pytest.raises(ConfigErrors) as caught:
        load_config({"DOLGO_CHANNELS_FILE": str(bad)})
    assert "DOLGO_CHANNELS_FILE" in str(caught.value) and "priorty" in str(caught.value)
    with pytest.raises(ConfigErrors, match="cannot read"):
        load_config({"DOLGO_CHANNELS_FILE": str(tmp_path / "missing.toml")})


def test_channels_toml_maps_to_channels() -> None:
    directory = parse_channels(CHANNELS_TOML)
    nice = directory.named("nice")
    assert nice.methods == frozenset({"card"}) and nice.pg_ids == frozenset({"realmid01"})
    assert nice.took("nice", "realmid01") and not nice.took("nice", "other")
    assert directory.for_method("vbank").name == "kcp"
    assert [c.name for c in directory.for_billing()] == ["nice"]
    assert directory.named("kcp").vbank_refund_banks == frozenset({"004", "088"})
    assert directory.named("kcp").closes_vbanks and not directory.named("nice").closes_vbanks
    assert {"002", "004", "088", "090", "092"} <= directory.named("nice").vbank_refund_banks


def test_sandbox_with_an_iamport_url_is_contradictory() -> None:
    with pytest.raises(ConfigErrors) as caught:
        load_config({"DOLGO_SANDBOX": "on", "DOLGO_IAMPORT_URL": "https://api.iamport.kr"})
    assert "DOLGO_SANDBOX" in variables(caught.value)


def test_an_iamport_url_turns_the_sandbox_off() -> None:
    c = load_config({"DOLGO_IAMPORT_URL": "http://127.0.0.1:8090"})
    assert not c.sandbox and c.gateway_url == "http://127.0.0.1:8090"


def test_no_intent_is_checked_while_its_gateway_call_may_still_be_under_way() -> None:
    settings = load_config(
        {
            "DOLGO_IAMPORT_CONNECT_TIMEOUT": "10",
            "DOLGO_IAMPORT_READ_TIMEOUT": "50",
            "DOLGO_IDEMPOTENCY_LEASE_SECONDS": "600",
        }
    ).payment_settings()
    # token fetch + call, twice over (a 401 refresh and retry): 4 x 60 s
    assert settings.next_check_after(0) > timedelta(seconds=240)


def test_the_example_channels_file_describes_the_seeds_billing_pgs() -> None:
    example = Path(__file__).parent.parent / "docs" / "channels.example.toml"
    directory = parse_channels(example.read_text(encoding="utf-8"))
    assert {c.pg_provider for c in directory.for_billing()} == {
        "nice",
        "jtnet",
        "kicc",
        "html5_inicis",
        "kcp_billing",
        "kakaopay",
    }
    assert {c.name for c in directory.channels if c.cancel_tax_fields} == {
        "nice",
        "kicc",
        "kcp",
        "kcp_billing",
    }
    backups = {c.name: c.billing_backup for c in directory.channels if c.billing_backup}
    assert backups == {
        "nice": "jtnet",
        "jtnet": "nice",
        "html5_inicis": "kcp_billing",
        "kcp_billing": "html5_inicis",
    }
    assert directory.for_method("phone").name == "danal"
    assert directory.for_method("vbank").refund_terms().vbank_refund_contract


def test_refund_terms_come_from_the_channels_file() -> None:
    directory = parse_channels(
        CHANNELS_TOML.replace("closes_vbanks = true", "vbank_refund_contract = false")
        + "cancel_tax_fields = true\n"
    )
    kcp, nice = directory.named("kcp").refund_terms(), directory.named("nice").refund_terms()
    assert (kcp.vbank_refund_contract, kcp.cancel_tax_fields) == (False, True)
    assert (nice.vbank_refund_contract, nice.cancel_tax_fields) == (True, False)


# -- demo mode fails closed ------------------------------------------------------------------
REAL = {k: v for k, v in PRODUCTION.items() if k != "DOLGO_MODE"}


@pytest.mark.parametrize("mode", [None, "", "demo"])
def test_demo_mode_next_to_real_settings_refuses_to_start(mode: str | None) -> None:
    env = dict(REAL) if mode is None else {**REAL, "DOLGO_MODE": mode}
    with pytest.raises(ConfigErrors) as caught:
        load_config(env)
    assert {
        "DOLGO_IAMPORT_URL",
        "DOLGO_IAMPORT_KEY",
        "DOLGO_IAMPORT_SECRET",
        "DOLGO_IAMPORT_MERCHANT_CODE",
        "DOLGO_DATABASE_URL",
    } <= variables(caught.value)
    assert "DOLGO_MODE=production" in str(caught.value)


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"DOLGO_IAMPORT_URL": "https://api.iamport.kr"}, "DOLGO_IAMPORT_URL"),
        ({"DOLGO_IAMPORT_URL": "http://10.0.0.5:8090"}, "DOLGO_IAMPORT_URL"),
        ({"DOLGO_IAMPORT_KEY": "real_key"}, "DOLGO_IAMPORT_KEY"),
        ({"DOLGO_IAMPORT_SECRET": "real_secret"}, "DOLGO_IAMPORT_SECRET"),
        ({"DOLGO_IAMPORT_MERCHANT_CODE": "imp12345678"}, "DOLGO_IAMPORT_MERCHANT_CODE"),
        ({"DOLGO_DATABASE_URL": "mysql+aiomysql://pay:pw@db.internal/dolgo"}, "DOLGO_DATABASE_URL"),
        ({"DOLGO_HOST": "0.0.0.0"}, "DOLGO_HOST"),
        ({"DOLGO_JWT_SECRET": SECRET, "DOLGO_DEMO_TOKENS": "on"}, "DOLGO_DEMO_TOKENS"),
    ],
)
def test_demo_mode_refuses_each_real_setting(env: dict[str, str], variable: str) -> None:
    with pytest.raises(ConfigErrors) as caught:
        load_config(env)
    assert variables(caught.value) == {variable}


def test_demo_tokens_are_off_by_default_next_to_a_jwt_secret() -> None:
    assert not load_config({"DOLGO_JWT_SECRET": SECRET}).demo_tokens
    assert load_config({}).demo_tokens


@pytest.mark.parametrize(
    "env",
    [
        {"DOLGO_IAMPORT_URL": "http://127.0.0.1:8090"},
        {"DOLGO_IAMPORT_URL": "http://localhost:8090", "DOLGO_IAMPORT_KEY": "sandbox_key"},
        {"DOLGO_IAMPORT_URL": "http://iamport.invalid"},
        {"DOLGO_DATABASE_URL": "mysql+aiomysql://root@127.0.0.1:3306/dolgo_demo"},
        {"DOLGO_HOST": "0.0.0.0", "DOLGO_DEMO_EXPOSED": "on"},
        {"DOLGO_HOST": "::1"},
    ],
)
def test_demo_mode_accepts_a_sandbox_setup(env: dict[str, str]) -> None:
    assert load_config(env).mode == "demo"


def test_the_standalone_sandbox_refuses_production(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from adapters.cli import main

    monkeypatch.setenv("DOLGO_MODE", "production")
    assert main(["sandbox", "--port", "1"]) == 2
    assert "DOLGO_MODE" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("backup", "problem"),
    [
        ("nice", "names the channel itself"),
        ("nowhere", "names no channel"),
        ("kcp", "both channels must issue keys the same way"),  # kcp issues none
        ("inicis", "both channels must issue keys the same way"),  # in its window
    ],
)
def test_a_billing_backup_must_be_another_channel_issuing_keys_the_same_way(
    backup: str, problem: str
) -> None:
    toml = CHANNELS_TOML.replace(
        'key_issuance = "rest"', f'key_issuance = "rest"\nbilling_backup = "{backup}"'
    )
    with pytest.raises(ConfigError, match=problem):
        parse_channels(toml + WINDOW_CHANNEL_TOML)


def test_the_demo_channels_back_nice_with_kicc_and_inicis_with_kcp_billing() -> None:
    c = load_config({})
    assert c.channels.named("nice").billing_backup == "kicc"
    assert c.channels.named("kicc").key_issuance is KeyIssuance.REST
    assert c.channels.named("html5_inicis").billing_backup == "kcp_billing"
    assert c.channels.named("kcp_billing").key_issuance is KeyIssuance.WINDOW


SEVERAL_WORKERS_POSSIBLE = {
    "DOLGO_DATABASE_URL": "mysql+aiomysql://root@127.0.0.1:3306/dolgo_demo",
    "DOLGO_IAMPORT_URL": "http://127.0.0.1:8090",
}


def test_workers_default_to_the_cores_where_several_can_run(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import adapters.config.workers as w

    monkeypatch.setattr(w, "cores", lambda: 6)
    channels = tmp_path / "channels.toml"
    channels.write_text(CHANNELS_TOML)
    assert load_config(SEVERAL_WORKERS_POSSIBLE).workers == 6
    assert load_config({**PRODUCTION, "DOLGO_CHANNELS_FILE": str(channels)}).workers == 6
    # The in-process sandbox and SQLite keep one process.
    assert load_config({}).workers == 1
    assert load_config({"DOLGO_IAMPORT_URL": "http://127.0.0.1:8090"}).workers == 1
    assert load_config({**SEVERAL_WORKERS_POSSIBLE, "DOLGO_WORKERS": "3"}).workers == 3


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({**SEVERAL_WORKERS_POSSIBLE, "DOLGO_WORKERS": "two"}, "whole number"),
        ({**SEVERAL_WORKERS_POSSIBLE, "DOLGO_WORKERS": "0"}, "between 1 and 64"),
        ({**SEVERAL_WORKERS_POSSIBLE, "DOLGO_WORKERS": "65"}, "between 1 and 64"),
        ({"DOLGO_WORKERS": "2"}, "in-process sandbox"),
        ({"DOLGO_IAMPORT_URL": "http://127.0.0.1:8090", "DOLGO_WORKERS": "2"}, "SQLite"),
    ],
)
def test_workers_are_refused_naming_the_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigErrors) as caught:
        load_config(env)
    assert variables(caught.value) == {"DOLGO_WORKERS"}
    assert message in str(caught.value)
    assert load_config({**env, "DOLGO_WORKERS": "1"}).workers == 1
