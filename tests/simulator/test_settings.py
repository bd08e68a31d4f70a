"""The simulator's own settings: the variables `make run` exports, its refusals, and the product's left alone."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from simulator.settings import SettingsError, load_settings

STRONG_TOKEN = "Zk3p9QvT2mX8rL5wY1bN"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for key in [k for k in os.environ if k.upper().startswith("TRIAGE_")]:
        monkeypatch.delenv(key)
    return monkeypatch


def test_reads_the_variables_make_run_exports_and_ignores_the_products_others(
    clean_environment: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for key, value in {
        "TRIAGE_HOST": "0.0.0.0",
        "TRIAGE_SIMULATOR_PORT": "9090",
        "TRIAGE_SMS_GATEWAY_PORT": "8095",
        "TRIAGE_VAR_DIR": str(tmp_path),
        "TRIAGE_OSS_TOKEN": "tmf-token",
        "TRIAGE_REDIS_URL": "redis://127.0.0.1:6380/0",  # the product's: not the simulator's business
        "TRIAGE_GATEWAY_PORT": "8000",
    }.items():
        clean_environment.setenv(key, value)
    settings = load_settings()
    assert (settings.host, settings.simulator_port, settings.sms_gateway_port) == ("0.0.0.0", 9090, 8095)
    assert settings.var_dir == tmp_path
    assert settings.oss_token is not None and settings.oss_token.get_secret_value() == "tmf-token"
    assert settings.development


def test_defaults_match_the_products() -> None:
    settings = load_settings()
    assert (settings.host, settings.simulator_port, settings.sms_gateway_port) == ("127.0.0.1", 8080, 0)
    assert settings.env == "development" and not settings.simulator_in_production
    assert settings.var_dir.name == "var" and (settings.var_dir.parent / "simulator").is_dir()


def test_an_empty_token_is_no_token(clean_environment: pytest.MonkeyPatch) -> None:
    clean_environment.setenv("TRIAGE_OSS_TOKEN", "")  # compose writes ${OSS_TOKEN:-}
    assert load_settings().oss_token is None


@pytest.mark.parametrize(
    ("variable", "value", "complaint"),
    [
        ("TRIAGE_SIMULATOR_PORT", "70000", "TRIAGE_SIMULATOR_PORT: Input should be less than or equal to 65535"),
        ("TRIAGE_SMS_GATEWAY_PORT", "many", "TRIAGE_SMS_GATEWAY_PORT: Input should be a valid integer"),
        ("TRIAGE_ENV", "staging", "TRIAGE_ENV: Input should be 'development', 'test' or 'production'"),
        (
            "TRIAGE_SIMULATOR_ADMIN_TOKNE",
            "x",
            "unknown setting TRIAGE_SIMULATOR_ADMIN_TOKNE (known: TRIAGE_SIMULATOR_ADMIN_TOKEN, "
            "TRIAGE_SIMULATOR_IN_PRODUCTION, TRIAGE_SIMULATOR_PORT)",
        ),
    ],
)
def test_bad_values_and_misspelt_simulator_variables_are_named(
    clean_environment: pytest.MonkeyPatch, variable: str, value: str, complaint: str
) -> None:
    clean_environment.setenv(variable, value)
    with pytest.raises(SettingsError, match="Invalid configuration") as refused:
        load_settings()
    assert complaint in str(refused.value)


@pytest.mark.parametrize(
    ("variable", "value", "reason"),
    [
        ("TRIAGE_SIMULATOR_ADMIN_TOKEN", "change-me", "is a placeholder from an example file"),
        ("TRIAGE_OSS_TOKEN", "s3cret", "is shorter than 16 characters"),
        ("TRIAGE_SMS_GATEWAY_TOKEN", "abababababababababab", "is too predictable"),
    ],
)
def test_production_refuses_weak_tokens(
    clean_environment: pytest.MonkeyPatch, variable: str, value: str, reason: str
) -> None:
    clean_environment.setenv("TRIAGE_ENV", "production")
    clean_environment.setenv(variable, value)
    with pytest.raises(SettingsError) as refused:
        load_settings()
    assert f"production needs real secrets: {variable} {reason}" in str(refused.value)
    clean_environment.setenv(variable, STRONG_TOKEN)
    assert not load_settings().development
