"""The Redis start commands of k8s (with its Sentinels) and of compose, run here with Debian's redis-server:
each asks for the password, the Sentinel reaches the primary with it, and no password is on any command line.

Only what cannot exist outside a cluster is rewritten: the mounted folders become temporary ones, the fixed ports
free ones, the peers' DNS names 127.0.0.1, and ``redis-sentinel`` is ``redis-server --sentinel`` (the same binary).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
import yaml

from core.settings import PROJECT_ROOT
from tests.fixtures.ports import free_port, wait_for_port

PASSWORD = "Zk3p9QvT2mX8rL5wY1bN-redis"


def scripts() -> dict[str, str]:
    docs = yaml.safe_load_all((PROJECT_ROOT / "deploy" / "k8s" / "redis-sentinel.yaml").read_text())
    (config_map,) = [d for d in docs if d["kind"] == "ConfigMap" and d["metadata"]["name"] == "redis-scripts"]
    return dict(config_map["data"])


def local(script: str, folder: Path, redis_port: int, sentinel_port: int) -> str:
    for mount in ("conf", "data", "sentinel"):
        (folder / mount).mkdir(exist_ok=True)
    script = re.sub(r"(?<![\w/.])/(conf|data|sentinel)\b", lambda m: f"{folder}/{m[1]}", script)
    rewrites = [
        ("$(hostname)", "redis-0"), ("redis-0.redis-headless", "127.0.0.1"), ("-h redis-sentinel", "-h 127.0.0.1"),
        ("-p 26379", f"-p {sentinel_port}"), ("port 26379", f"port {sentinel_port}"), (" 6379", f" {redis_port}"),
    ]  # fmt: skip
    for old, new in rewrites:
        script = script.replace(old, new)
    script = re.sub(r"exec redis-server (\S+)", rf"exec redis-server \1 --port {redis_port}", script)
    script = re.sub(r"exec redis-sentinel (\S+)", r"exec redis-server \1 --sentinel", script)
    assert "6379" not in script.replace(str(redis_port), "").replace(str(sentinel_port), ""), "the shared Redis"
    return script


@pytest.fixture
def node(tmp_path: Path) -> Iterator[tuple[int, int]]:
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is missing: make setup installs it")
    redis_port, sentinel_port = free_port(), free_port()
    env = {**os.environ, "REDIS_PASSWORD": PASSWORD, "HOSTNAME": "redis-0"}
    processes = []
    for name in ("redis.sh", "sentinel.sh"):
        path = tmp_path / name
        path.write_text(local(scripts()[name], tmp_path, redis_port, sentinel_port))
        processes.append(
            subprocess.Popen(["sh", str(path)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        )
        wait_for_port(redis_port if name == "redis.sh" else sentinel_port, 15)
    yield redis_port, sentinel_port
    for process in processes:
        process.terminate()
        process.wait(timeout=10)


def test_redis_and_sentinel_need_the_password_and_never_show_it(node: tuple[int, int]) -> None:
    sentinel_port = node[1]
    for port in node:
        with pytest.raises(redis.AuthenticationError):
            redis.Redis(port=port).ping()
        assert redis.Redis(port=port, password=PASSWORD).ping()
    sentinel = redis.Redis(port=sentinel_port, password=PASSWORD, decode_responses=True)
    deadline = time.monotonic() + 15
    while not (state := sentinel.sentinel_master("triage"))["is_master"] or state["is_sdown"]:
        assert time.monotonic() < deadline, "the Sentinel cannot reach the primary with the password"
        time.sleep(0.5)
    ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True, check=True).stdout
    assert PASSWORD not in ps


def test_composes_redis_needs_the_password_and_never_shows_it(tmp_path: Path) -> None:
    compose = yaml.safe_load((PROJECT_ROOT / "deploy" / "compose.yaml").read_text())
    shell, flag, script = compose["services"]["redis"]["command"]
    port = free_port()
    for mount in ("conf", "data"):
        (tmp_path / mount).mkdir()
    script = re.sub(r"(?<![\w/.])/(conf|data)\b", lambda m: f"{tmp_path}/{m[1]}", script.replace("$$", "$"))
    script += f" --port {port}"
    env = {**os.environ, "REDIS_PASSWORD": PASSWORD}
    process = subprocess.Popen([shell, flag, script], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for_port(port, 15)
        with pytest.raises(redis.AuthenticationError):
            redis.Redis(port=port).ping()
        assert redis.Redis(port=port, password=PASSWORD).ping()
        ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True, check=True).stdout
        assert PASSWORD not in ps
    finally:
        process.terminate()
        process.wait(timeout=10)
