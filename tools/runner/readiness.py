"""Run by `make run` beside the services: wait until each answers, then print where to open the product.

It stays alive afterwards because honcho stops every process as soon as one exits; when a service does not
come up within ``TRIAGE_STARTUP_TIMEOUT_S`` it says which and exits non-zero, which stops the rest.
"""

from __future__ import annotations

import os
import signal
import socket
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx
import redis

from bot.auth import demo_accounts
from core.settings import Settings, load_settings
from tools.runner.preflight import redact_url

POLL_INTERVAL_S = 1.0


@dataclass(frozen=True)
class Probe:
    name: str
    url: str
    check: Callable[[], bool]


def http_ok(url: str) -> Callable[[], bool]:
    def check() -> bool:
        try:
            return httpx.get(url, timeout=2.0).status_code < 500
        except httpx.HTTPError:
            return False

    return check


def redis_ok(url: str) -> Callable[[], bool]:
    def check() -> bool:
        try:
            return bool(redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping())
        except (redis.RedisError, OSError):
            return False

    return check


def tcp_ok(host: str, port: int) -> Callable[[], bool]:
    def check() -> bool:
        try:
            with socket.create_connection((host, port), timeout=2.0):
                return True
        except OSError:
            return False

    return check


def probes(settings: Settings) -> list[Probe]:
    sim = settings.effective_oss_base_url.removesuffix("/tmf-api")
    action_health = settings.effective_action_url.removesuffix("/webhook") + "/health"
    notifier = settings.notifier_url
    found = [
        Probe("Redis", redact_url(settings.effective_redis_url), redis_ok(settings.effective_redis_url)),
        Probe("OSS/BSS simulator", settings.effective_oss_base_url, http_ok(f"{sim}/healthz")),
        Probe("action server", settings.effective_action_url, http_ok(action_health)),
        Probe("Rasa server", settings.effective_rasa_url, http_ok(settings.effective_rasa_url + "/")),
        Probe("gateway", settings.gateway_url, http_ok(settings.gateway_url + "/healthz")),
        Probe("outage notifier", notifier, http_ok(notifier + "/healthz")),
    ]
    if settings.smtp_sink:
        host = settings.effective_smtp_host
        found.append(Probe("SMTP sink", f"smtp://{host}:{settings.smtp_port}", tcp_ok(host, settings.smtp_port)))
    if settings.sms_sink:
        gateway = settings.effective_sms_gateway_url.removesuffix("/v1/messages")
        found.append(Probe("SMS gateway", gateway, http_ok(gateway + "/healthz")))
    return found


def wait_until_ready(settings: Settings) -> list[Probe]:
    """Return the probes still failing when the startup timeout ran out (empty when all are up)."""
    pending = probes(settings)
    deadline = time.monotonic() + settings.startup_timeout_s
    while pending and time.monotonic() < deadline:
        pending = [p for p in pending if not p.check()]
        if pending:
            time.sleep(POLL_INTERVAL_S)
    return pending


def banner(settings: Settings) -> str:
    embedded = os.environ.get("RUNNER_EMBEDDED_REDIS") == "1"
    redis_note = f"embedded, append-only files in {settings.var_dir / 'redis'}" if embedded else "REDIS_URL"
    lines = [
        "The telecom triage bot is up:",
        f"  customer web chat   {settings.gateway_url}/",
        f"  message API         POST {settings.gateway_url}/api/messages",
        f"  Rasa server         {settings.effective_rasa_url}",
        f"  action server       {settings.effective_action_url}",
        f"  OSS/BSS (TMF APIs)  {settings.effective_oss_base_url}",
        f"  Redis               {redact_url(settings.effective_redis_url)} ({redis_note})",
        f"  agent console       {settings.gateway_url}/agent (agents and supervisors)",
        f"  supervisor's page   {settings.gateway_url}/supervisor (supervisors)",
        f"  insights            {settings.gateway_url}/insights (product owners; log in at /login)",
        f"  outage notifier     {settings.notifier_url} (TMF642 hub listener)",
        "  texts sent          "
        + (f"{settings.var_dir / 'sms'} (SMS gateway)" if settings.sms_sink else settings.effective_sms_gateway_url),
        "  e-mail sent         "
        + (f"{settings.var_dir / 'mail'} (SMTP sink)" if settings.smtp_sink else f"smtp://{settings.smtp_host}"),
    ]
    demos = demo_accounts(settings)
    if demos:
        lines.append("Demo accounts (development only; production refuses to start with them):")
        lines += [f"  {d.role.value:<14} user {d.username:<14} password {d.password}" for d in demos]
    lines.append("Press Ctrl-C to stop everything.")
    return "\n".join(lines)


def main() -> int:
    settings = load_settings()
    started = time.monotonic()
    pending = wait_until_ready(settings)
    if pending:
        names = ", ".join(f"{p.name} ({p.url})" for p in pending)
        print(f"Not ready after {settings.startup_timeout_s:.0f}s: {names}. See its output above; stopping.")
        return 1
    print(banner(settings))
    print(f"(ready after {time.monotonic() - started:.0f}s)")
    sys.stdout.flush()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    while True:
        signal.pause()


if __name__ == "__main__":
    sys.exit(main())
