"""The environment every child process of `make run` gets, derived from the one settings object."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from redis.connection import parse_url

from core.settings import Settings
from tools.training import engine_python


def rasa_store_variables(redis_url: str) -> dict[str, str]:
    """``endpoints.yml`` reads Redis as host/port/db/password, not as a URL."""
    parts: dict[str, object] = parse_url(redis_url)  # type: ignore[no-untyped-call]  # untyped in redis-py 8
    return {
        "RASA_STORE_HOST": str(parts.get("host", "127.0.0.1")),
        "RASA_STORE_PORT": str(parts.get("port", 6379)),
        "RASA_STORE_DB": str(parts.get("db", 0)),
        "RASA_STORE_PASSWORD": str(parts.get("password") or ""),
    }


def child_environment(settings: Settings, model: Path, redis_server: str | None) -> dict[str, str]:
    """Every process but Rasa runs on this (the app venv's) ``python``, first on PATH; Rasa on ``ENGINE_PYTHON``."""
    env = dict(os.environ)
    venv_bin = str(Path(sys.executable).parent)
    env["PATH"] = venv_bin + os.pathsep + env.get("PATH", "")
    env.update(
        ENGINE_PYTHON=str(engine_python()),
        PYTHONUNBUFFERED="1",
        RASA_TELEMETRY_ENABLED="false",
        TF_CPP_MIN_LOG_LEVEL="2",
        LOG_LEVEL_LIBRARIES="ERROR",
        SANIC_HOST=settings.host,
        TRIAGE_HOST=settings.host,
        TRIAGE_RASA_PORT=str(settings.rasa_port),
        TRIAGE_ACTION_PORT=str(settings.action_port),
        TRIAGE_REDIS_PORT=str(settings.redis_port),
        TRIAGE_NOTIFIER_PORT=str(settings.notifier_port),
        TRIAGE_SMTP_PORT=str(settings.smtp_port),
        TRIAGE_SMS_GATEWAY_PORT=str(settings.sms_gateway_port),
        RASA_MODEL=str(model),
        RASA_ACTION_ENDPOINT=settings.effective_action_url,
        REDIS_SERVER=redis_server or "",
        REDIS_DIR=str(settings.var_dir / "redis"),
    )
    if settings.embedded_redis:
        # Children resolve the same URL the runner started Redis on.
        env["TRIAGE_REDIS_URL"] = settings.effective_redis_url
        env["RUNNER_EMBEDDED_REDIS"] = "1"
        env.pop("REDIS_URL", None)
    env.update(rasa_store_variables(settings.effective_redis_url))
    return env
