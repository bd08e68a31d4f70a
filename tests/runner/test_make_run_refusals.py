"""`make run` refuses clearly, in one sentence naming the fix, instead of failing obscurely."""

from __future__ import annotations

import fcntl
import os
import socket
import subprocess
import sys
from pathlib import Path

from core.settings import PROJECT_ROOT
from tests.fixtures.ports import free_port
from tests.fixtures.product import product_environment


def run_runner(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tools.runner"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_taken_port_is_named_with_its_setting(tmp_path: Path) -> None:
    env = product_environment(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        env["TRIAGE_GATEWAY_PORT"] = str(taken.getsockname()[1])
        done = run_runner(env)
    assert done.returncode == 2
    assert f"Port {env['TRIAGE_GATEWAY_PORT']} for the gateway is already in use" in done.stderr
    assert "set TRIAGE_GATEWAY_PORT to a free port" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_an_unreachable_redis_url_is_reported(tmp_path: Path) -> None:
    env = product_environment(tmp_path)
    env["REDIS_URL"] = f"redis://127.0.0.1:{free_port()}/0"
    done = run_runner(env)
    assert done.returncode == 2
    assert "is unreachable" in done.stderr
    assert "unset REDIS_URL to use the embedded Redis" in done.stderr


def test_a_second_run_says_the_product_is_already_running(tmp_path: Path) -> None:
    env = product_environment(tmp_path)
    with (tmp_path / "run.lock").open("a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        lock.write("4242")
        lock.flush()
        done = run_runner(env)
    assert done.returncode == 2
    assert "The product is already running (runner pid 4242" in done.stderr


def test_an_invalid_setting_is_named(tmp_path: Path) -> None:
    env = product_environment(tmp_path)
    env["TRIAGE_ENV"] = "staging"
    done = run_runner(env)
    assert done.returncode == 2
    assert done.stderr.startswith("Invalid configuration: TRIAGE_ENV")
    assert "Traceback" not in done.stderr


def test_setup_without_python_310_says_how_to_get_one(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run(
        [str(PROJECT_ROOT / "scripts" / "find_python.sh")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if os.path.exists("/usr/bin/python3.10") or os.path.exists("/usr/local/bin/python3.10"):
        assert done.returncode == 0  # a system 3.10 is a valid find
        return
    assert done.returncode == 1
    assert "No Python 3.10 found" in done.stderr
    assert "pyenv install 3.10" in done.stderr
