"""DOLGO_EVENT_ENDPOINTS / DOLGO_EVENT_SECRETS fail closed, each problem named."""

import pytest

from adapters.config import ConfigErrors, load_config

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
OLD = "whsec_dGhpcyBpcyB0aGUgb2xkIHNlY3JldCwgMzIgYnl0ZXM="


def errors(env: dict[str, str]) -> list[str]:
    with pytest.raises(ConfigErrors) as caught:
        load_config(env)
    return [str(e) for e in caught.value.errors]


def test_endpoints_and_two_secrets_are_read_in_order():
    config = load_config(
        {
            "DOLGO_EVENT_ENDPOINTS": "main=https://dolgo.example/hooks, crm=http://10.0.0.5/in",
            "DOLGO_EVENT_SECRETS": f"{SECRET} {OLD}",
        }
    )
    assert config.events.endpoints == {
        "main": "https://dolgo.example/hooks",
        "crm": "http://10.0.0.5/in",
    }
    assert config.events.secrets == (SECRET, OLD)
    assert SECRET not in repr(config)


def test_nothing_configured_means_no_delivery():
    assert load_config({}).events.endpoints == {}


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"DOLGO_EVENT_ENDPOINTS": "main=https://x.example/h"}, "DOLGO_EVENT_SECRETS: is required"),
        ({"DOLGO_EVENT_ENDPOINTS": "https://x.example/h"}, "is not name=http(s)://host/path"),
        ({"DOLGO_EVENT_ENDPOINTS": "a=ftp://x/h", "DOLGO_EVENT_SECRETS": SECRET}, "is not name="),
        ({"DOLGO_EVENT_SECRETS": "hunter2"}, "secret 1 must start with whsec_"),
        ({"DOLGO_EVENT_SECRETS": "whsec_c2hvcnQ="}, "secret 1 must hold 24 to 64 bytes"),
        ({"DOLGO_EVENT_SECRETS": "whsec_not base64!"}, "secret 1 must be whsec_ followed"),
        ({"DOLGO_EVENT_SECRETS": f"{SECRET} {OLD} {SECRET}"}, "at most two secrets"),
        (
            {"DOLGO_EVENT_ENDPOINTS": "a=https://x/1,a=https://x/2", "DOLGO_EVENT_SECRETS": OLD},
            "a: named twice",
        ),
    ],
)
def test_bad_event_settings_refuse_to_start(env, expected):
    assert any(expected in e for e in errors(env)), errors(env)


def test_production_endpoints_must_be_https():
    found = errors(
        {
            "DOLGO_MODE": "production",
            "DOLGO_EVENT_ENDPOINTS": "main=http://dolgo.example/hooks",
            "DOLGO_EVENT_SECRETS": SECRET,
        }
    )
    assert "DOLGO_EVENT_ENDPOINTS: main: must be https:// in production" in found
