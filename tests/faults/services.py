"""The product's processes one by one, so a test can kill, restart or cut any of them.

`make run` starts everything under one honcho manager, which stops the lot as soon as one process exits: right
for an operator, useless for a test that kills Rasa and expects the gateway to carry on. Here each process is
its own :class:`Service`, started with the same command line as the ``Procfile`` (so a test exercises what
ships) and the same derived environment as the runner gives its children (``tools.runner.environment``).

A :class:`Stack` is one replica set: simulator, action server, Rasa and gateway on a Redis the caller owns,
with TCP proxies between gateway and Rasa and between Rasa and the action server, so a test can make either
unreachable without paying for a restart (a Rasa server takes 30-60 s and 1.7 GB to load its model).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from core.settings import PROJECT_ROOT
from tests.fixtures.ports import free_port
from tests.fixtures.tcp_proxy import TcpProxy
from tools.runner.environment import rasa_store_variables

RASA_START_TIMEOUT_S = 300  # model load on a busy 2-core machine, beside another Rasa loading
START_TIMEOUT_S = 60


def procfile_line(name: str) -> str:
    """The ``Procfile`` command of ``name``, run as honcho runs it: by the shell, which execs the process."""
    for line in (PROJECT_ROOT / "Procfile").read_text().splitlines():
        if line.startswith(f"{name}:"):
            return line.split(":", 1)[1].strip()
    raise KeyError(f"no {name} process in the Procfile")


def http_up(url: str) -> Callable[[], bool]:
    def check() -> bool:
        try:
            return httpx.get(url, timeout=2).status_code < 500
        except httpx.HTTPError:
            return False

    return check


@dataclass
class Service:
    name: str
    env: dict[str, str]
    ready: Callable[[], bool]
    start_timeout_s: float = START_TIMEOUT_S
    process: subprocess.Popen[bytes] | None = None
    log_path: str = field(default_factory=lambda: tempfile.mkstemp(prefix="service-", suffix=".log")[1])

    def start(self) -> None:
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                ["/bin/sh", "-c", procfile_line(self.name)],
                cwd=PROJECT_ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self) -> None:
        deadline = time.monotonic() + self.start_timeout_s
        while not self.ready():
            if self.process is None or self.process.poll() is not None:
                code = self.process.returncode if self.process else None
                raise RuntimeError(f"{self.name} exited with {code}:\n{self.log()}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.name} not ready after {self.start_timeout_s:.0f}s:\n{self.log()}")
            time.sleep(0.3)

    def kill(self) -> None:
        """As a crash or an OOM kill: no shutdown, connections dropped."""
        self._signal(signal.SIGKILL)

    def stop(self) -> None:
        self._signal(signal.SIGTERM)

    def _signal(self, signum: int) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signum)
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        except ProcessLookupError:
            pass

    def rss_mb(self) -> float:
        assert self.process is not None
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        line = next(line for line in status.splitlines() if line.startswith("VmRSS:"))
        return int(line.split()[1]) / 1024

    def log(self) -> str:
        with open(self.log_path, encoding="utf-8", errors="replace") as handle:
            return handle.read()[-6000:]


def base_environment(var_dir: Path, redis_url: str, model: Path, **settings: str) -> dict[str, str]:
    """What the runner gives every child (``tools.runner.environment.child_environment``), for given ports."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRIAGE_") and k != "REDIS_URL"}
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env.update(
        PYTHONUNBUFFERED="1",
        RASA_TELEMETRY_ENABLED="false",
        TF_CPP_MIN_LOG_LEVEL="2",
        LOG_LEVEL_LIBRARIES="ERROR",
        TRIAGE_ENV="test",
        TRIAGE_NEW_CONVERSATIONS_PER_ADDRESS="10000000",  # every test customer comes from 127.0.0.1
        TRIAGE_HOST="127.0.0.1",
        SANIC_HOST="127.0.0.1",
        TRIAGE_VAR_DIR=str(var_dir),
        TRIAGE_REDIS_URL=redis_url,
        RASA_MODEL=str(model),
    )
    env.update(rasa_store_variables(redis_url))
    env.update({f"TRIAGE_{name.upper()}": value for name, value in settings.items()})
    return env


@dataclass
class Stack:
    """Simulator, action server, Rasa and gateway (and optionally the learning consumer) on one Redis.

    ``rasa_proxy`` sits between the gateway and Rasa, ``actions_proxy`` between Rasa and the action server.
    """

    env: dict[str, str]
    simulator: Service
    actions: Service
    rasa: Service
    gateway: Service
    rasa_proxy: TcpProxy
    actions_proxy: TcpProxy
    consumer: Service | None = None

    @property
    def services(self) -> list[Service]:
        return [s for s in (self.simulator, self.actions, self.rasa, self.gateway, self.consumer) if s]

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.env[f'TRIAGE_{name.upper()}_PORT']}"

    @property
    def gateway_url(self) -> str:
        return self.url("gateway")

    @property
    def rasa_url(self) -> str:
        return self.url("rasa")

    @property
    def simulator_url(self) -> str:
        return self.url("simulator")


def build_stack(var_dir: Path, redis_url: str, model: Path, *, consumer: bool = False, **settings: str) -> Stack:
    """A replica set on free ports; ``settings`` are extra ``TRIAGE_*`` values by field name, for every process."""
    ports = {name: free_port() for name in ("gateway", "rasa", "action", "simulator")}
    rasa_proxy = TcpProxy(ports["rasa"])
    actions_proxy = TcpProxy(ports["action"])
    env = base_environment(
        var_dir,
        redis_url,
        model,
        **{f"{name}_port": str(port) for name, port in ports.items()},
        rasa_url=rasa_proxy.url,
        **settings,
    )
    env["TRIAGE_RASA_PORT"] = str(ports["rasa"])
    env["RASA_ACTION_ENDPOINT"] = f"{actions_proxy.url}/webhook"

    def service(name: str, probe: str, timeout_s: float = START_TIMEOUT_S) -> Service:
        return Service(name, env, http_up(probe), timeout_s)

    return Stack(
        env=env,
        simulator=service("simulator", f"http://127.0.0.1:{ports['simulator']}/healthz"),
        actions=service("actions", f"http://127.0.0.1:{ports['action']}/health"),
        rasa=service("rasa", f"http://127.0.0.1:{ports['rasa']}/", RASA_START_TIMEOUT_S),
        gateway=service("gateway", f"http://127.0.0.1:{ports['gateway']}/healthz"),
        rasa_proxy=rasa_proxy,
        actions_proxy=actions_proxy,
        consumer=Service("learning", env, lambda: True) if consumer else None,
    )


@contextmanager
def running(stack: Stack) -> Iterator[Stack]:
    """Start every service (all at once, then wait for each), stop them all at the end."""
    try:
        for service in stack.services:
            service.start()
        for service in stack.services:
            service.wait_ready()
        yield stack
    finally:
        for service in stack.services:
            service.kill()
            os.unlink(service.log_path)
        stack.rasa_proxy.close()
        stack.actions_proxy.close()
