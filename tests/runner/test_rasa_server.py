"""Rasa runs with its API token from the environment, never on a command line that other processes can read."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from core.settings import PROJECT_ROOT
from engine.server import rasa_arguments
from tests.fixtures.ports import free_port
from tools.training import engine_python, model_path

TOKEN = "Zk3p9QvT2mX8rL5wY1bN-rasa"
START_TIMEOUT_S = 240


def test_the_token_is_added_in_process_and_refused_as_an_option() -> None:
    assert rasa_arguments(["--port", "5005"], {"TRIAGE_RASA_TOKEN": TOKEN}) == [
        "rasa", "run", "--port", "5005", "--auth-token", TOKEN
    ]  # fmt: skip
    assert rasa_arguments(["--port", "5005"], {}) == ["rasa", "run", "--port", "5005"]
    with pytest.raises(SystemExit, match="TRIAGE_RASA_TOKEN"):
        rasa_arguments(["--auth-token", TOKEN], {})


def test_every_way_of_starting_rasa_uses_the_launcher() -> None:
    for path in ("Procfile", "deploy/compose.yaml", "deploy/k8s/rasa.yaml"):
        text = (PROJECT_ROOT / path).read_text()
        assert "engine.server" in text and "--auth-token" not in text, path


@pytest.mark.e2e
def test_rasa_answers_only_with_the_token_and_no_process_can_read_it(tmp_path: Path) -> None:
    port = free_port()
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text("{}\n")  # no stores, no actions: only the HTTP API is under test
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRIAGE_", "RASA_"))}
    env.update(TRIAGE_RASA_TOKEN=TOKEN, RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="3")
    model: Path = model_path()
    process = subprocess.Popen(
        [str(engine_python()), "-m", "engine.server", "--enable-api", "--interface", "127.0.0.1", "--port", str(port),
         "--model", str(model), "--endpoints", str(endpoints)],
        cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            assert process.poll() is None, "Rasa exited"
            cmdline = Path(f"/proc/{process.pid}/cmdline").read_bytes()
            assert TOKEN.encode() not in cmdline, "the token is readable by every process"
            try:
                refused = httpx.get(f"http://127.0.0.1:{port}/status", timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "Rasa did not start"
                time.sleep(1)
        allowed = httpx.get(f"http://127.0.0.1:{port}/status", params={"token": TOKEN}, timeout=10)
        assert refused.status_code == 401
        assert allowed.status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=30)
