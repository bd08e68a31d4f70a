"""The web chat's settings: origins as operators write them, and refusals that name the setting."""

from __future__ import annotations

import os

import pytest

from core.settings import SettingsError, load_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("TRIAGE_") or name == "REDIS_URL":
            monkeypatch.delenv(name)


def test_by_default_only_the_gateways_own_pages_may_chat() -> None:
    settings = load_settings()
    assert settings.allowed_origins == []
    assert settings.socketio_path == "/socket.io"
    assert (settings.chat_rate_limit, settings.chat_rate_window_s) == (20, 60)


@pytest.mark.parametrize(
    ("value", "origins"),
    [
        ("https://shop.example, http://localhost:3000", ["https://shop.example", "http://localhost:3000"]),
        ('["https://shop.example"]', ["https://shop.example"]),
        ("*", ["*"]),
    ],
)
def test_origins_as_a_list_or_comma_separated(monkeypatch: pytest.MonkeyPatch, value: str, origins: list[str]) -> None:
    monkeypatch.setenv("TRIAGE_ALLOWED_ORIGINS", value)
    assert load_settings().allowed_origins == origins


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TRIAGE_ALLOWED_ORIGINS", "https://shop.example/"),  # browsers never send a path or a trailing slash
        ("TRIAGE_ALLOWED_ORIGINS", "shop.example"),
        ("TRIAGE_ALLOWED_ORIGINS", '["https://shop.example"'),
        ("TRIAGE_SOCKETIO_PATH", "socket.io"),
        ("TRIAGE_CHAT_RATE_LIMIT", "0"),
        ("TRIAGE_RASA_CONCURRENCY", "0"),
    ],
)
def test_bad_values_are_refused_naming_the_setting(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=name):
        load_settings()
