"""The banner `make run` prints once the product is up names where its data is kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.settings import Settings
from tools.runner.readiness import banner


def test_the_banner_names_the_var_dir_the_embedded_redis_writes_to(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUNNER_EMBEDDED_REDIS", "1")
    text = banner(Settings(var_dir=tmp_path / "trial-var"))
    assert f"append-only files in {tmp_path / 'trial-var' / 'redis'}" in text
    assert f"{tmp_path / 'trial-var' / 'sms'}" in text
