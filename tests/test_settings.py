from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from core.settings import Environment, SettingsError, load_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("TRIAGE_") or name == "REDIS_URL":
            monkeypatch.delenv(name)


def test_defaults_follow_rasa_conventions() -> None:
    settings = load_settings()
    assert (settings.rasa_port, settings.action_port, settings.gateway_port) == (5005, 5055, 8000)
    assert (settings.simulator_port, settings.redis_port) == (8080, 6380)
    assert settings.embedded_redis
    assert settings.effective_redis_url == "redis://127.0.0.1:6380/0"
    assert settings.effective_action_url == "http://127.0.0.1:5055/webhook"
    assert settings.effective_oss_base_url == "http://127.0.0.1:8080/tmf-api"


def test_environment_overrides_and_redis_url_alias(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRIAGE_GATEWAY_PORT", "9000")
    monkeypatch.setenv("REDIS_URL", "redis://cache.internal:6379/2")
    settings = load_settings()
    assert settings.gateway_url == "http://127.0.0.1:9000"
    assert not settings.embedded_redis
    assert settings.effective_redis_url == "redis://cache.internal:6379/2"


@pytest.mark.parametrize(
    ("name", "value", "named"),
    [
        ("TRIAGE_GATEWAY_PORT", "eighty", "TRIAGE_GATEWAY_PORT"),
        ("TRIAGE_RASA_PORT", "70000", "TRIAGE_RASA_PORT"),
        ("TRIAGE_ENV", "staging", "TRIAGE_ENV"),
        ("REDIS_URL", "http://localhost:6379", "TRIAGE_REDIS_URL"),
        ("TRIAGE_OSS_TIMEOUT_S", "-1", "TRIAGE_OSS_TIMEOUT_S"),
    ],
)
def test_invalid_values_are_refused_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, named: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=named):
        load_settings()


def test_unknown_setting_is_refused_so_typos_never_fall_back_silently(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TRIAGE_GATEWAY_PROT", "9000")
    with pytest.raises(SettingsError, match="unknown setting TRIAGE_GATEWAY_PROT"):
        load_settings()


def test_production_refuses_to_start_without_a_rasa_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRIAGE_ENV", "production")
    monkeypatch.setenv("TRIAGE_SMS_GATEWAY_URL", "https://sms.example/api")
    with pytest.raises(SettingsError, match="TRIAGE_RASA_TOKEN"):
        load_settings()
    monkeypatch.setenv("TRIAGE_RASA_TOKEN", "a-long-random-token")
    assert load_settings().env is Environment.production


def test_production_refuses_to_start_without_a_real_sms_gateway(monkeypatch: pytest.MonkeyPatch) -> None:
    """The development SMS sink writes texts to a file: in production an outage alert would reach nobody."""
    monkeypatch.setenv("TRIAGE_ENV", "production")
    monkeypatch.setenv("TRIAGE_RASA_TOKEN", "a-long-random-token")
    with pytest.raises(SettingsError, match="TRIAGE_SMS_GATEWAY_URL"):
        load_settings()


def _example_secrets() -> dict[str, str]:
    """Every secret the deploy examples ship, by the TRIAGE_* setting it ends up in."""
    root = Path(__file__).resolve().parents[1] / "deploy"
    env = dict(line.split("=", 1) for line in (root / ".env.example").read_text().splitlines() if "=" in line)
    k8s = yaml.safe_load((root / "k8s" / "secret.example.yaml").read_text())["stringData"]
    return {
        "TRIAGE_RASA_TOKEN": env["RASA_TOKEN"],
        "TRIAGE_LEARNING_PSEUDONYM_SECRET": env["LEARNING_PSEUDONYM_SECRET"],
        "TRIAGE_ACCOUNTS_ADMIN_PASSWORD": env["ADMIN_PASSWORD"],
        "TRIAGE_REDIS_URL": f"redis://:{env['REDIS_PASSWORD']}@redis:6379/0",
        **{name: value for name, value in k8s.items() if name.startswith("TRIAGE_") and value},
    }


@pytest.mark.parametrize(("name", "value"), sorted(_example_secrets().items()))
def test_production_refuses_every_placeholder_the_examples_ship(
    name: str, value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRIAGE_ENV", "production")
    monkeypatch.setenv("TRIAGE_SMS_GATEWAY_URL", "https://sms.example/api")
    monkeypatch.setenv("TRIAGE_RASA_TOKEN", "Zk3p9QvT2mX8rL5wY1bN")
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match="production needs real secrets") as refused:
        load_settings()
    shown = "the password in TRIAGE_REDIS_URL" if name == "TRIAGE_REDIS_URL" else name
    assert shown in str(refused.value)


@pytest.mark.parametrize("value", ["short-Tok3n", "aaaaaaaaaaaaaaaaaaaaaaaa", "password1", "your-token-here-please"])
def test_production_refuses_short_predictable_or_placeholder_tokens(
    value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRIAGE_ENV", "production")
    monkeypatch.setenv("TRIAGE_SMS_GATEWAY_URL", "https://sms.example/api")
    monkeypatch.setenv("TRIAGE_RASA_TOKEN", value)
    with pytest.raises(SettingsError, match="TRIAGE_RASA_TOKEN"):
        load_settings()
