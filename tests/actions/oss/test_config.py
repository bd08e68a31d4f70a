"""The client's configuration comes from the one settings object; each API's URL can be moved alone."""

from __future__ import annotations

import os

import pytest

from core.oss import OssConfig
from core.settings import load_settings


def test_from_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    _clean(monkeypatch)
    monkeypatch.setenv("TRIAGE_OSS_BASE_URL", "https://oss.example/tmf-api/")
    monkeypatch.setenv("TRIAGE_OSS_API_URLS", '{"troubleTicket": "https://itsm.example/tmf-api/troubleTicket/v4/"}')
    monkeypatch.setenv("TRIAGE_OSS_TOKEN", "t0ken")
    monkeypatch.setenv("TRIAGE_OSS_TIMEOUT_S", "1.5")
    monkeypatch.setenv("TRIAGE_OSS_RETRIES", "1")
    config = OssConfig.from_settings(load_settings())
    assert config.api_url("customerManagement") == "https://oss.example/tmf-api/customerManagement/v4"
    assert config.api_url("troubleTicket") == "https://itsm.example/tmf-api/troubleTicket/v4"
    assert (config.token, config.timeout_s, config.retries) == ("t0ken", 1.5, 1)
    assert "t0ken" not in repr(config)


def test_defaults_point_at_the_bundled_simulator(monkeypatch: pytest.MonkeyPatch) -> None:
    _clean(monkeypatch)
    config = OssConfig.from_settings(load_settings())
    assert config.api_url("alarmManagement") == "http://127.0.0.1:8080/tmf-api/alarmManagement/v4"
    assert config.token is None


def _clean(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [n for n in os.environ if n.startswith("TRIAGE_")]:
        monkeypatch.delenv(name)
