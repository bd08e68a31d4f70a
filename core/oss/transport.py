"""HTTP for the TMF client: one connection pool, per-attempt timeout, retries with backoff on idempotent
reads only, a circuit breaker per API, a log line and a journal record per call.

The log line names the call's target (an account number, a customer id, a phone number...) only by its keyed
pseudonym, the same HMAC the learning store keeps for a customer reference: logs are read by more people, and
kept longer, than the customer data they describe. The journal, which goes into the agent's evidence, keeps the
identifier.

:meth:`TmfTransport.request` is the one place where transport errors, HTTP statuses and bodies become the
client's results or its domain errors.
"""

from __future__ import annotations

import asyncio
import logging
import random
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, TypeVar

import httpx

from core.oss.adapters import Malformed
from core.oss.breaker import CircuitBreaker
from core.oss.config import API_NAMES, OssConfig
from core.oss.errors import OssError, OssNotFound, OssRejected, OssUnavailable
from core.oss.journal import CallRecord, Journal
from core.pseudonyms import pseudonym
from core.settings import get_settings

logger = logging.getLogger("core.oss")

T = TypeVar("T")
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS"})
RETRY_STATUSES = frozenset({408, 429})
MAX_BACKOFF_S = 2.0
PARSE_ERRORS = (Malformed, KeyError, TypeError, ValueError, AttributeError, ArithmeticError)
"""What an adapter may raise on a body that is not the resource it claims to be."""
UNNAMED_TARGETS = frozenset({"", "*"})
"""Targets that name nothing (a list of every alarm): logged as they are."""


@lru_cache(maxsize=1)
def _log_key() -> str:
    """The learning store's pseudonym key, so a log line can be matched to a learning record; without valid
    settings (a tool using the client alone) a key of this process, so the log still names nobody."""
    try:
        return get_settings().learning_pseudonym_secret.get_secret_value()
    except ValueError:
        return secrets.token_hex(32)


def log_target(target: str) -> str:
    """What a log line says of a call's target: its keyed pseudonym."""
    return target if target in UNNAMED_TARGETS else pseudonym(_log_key(), target)


@dataclass(frozen=True)
class Call:
    api: str
    operation: str
    method: str
    path: str
    """Under the API's base URL, e.g. ``/customer``."""
    target: str
    params: Mapping[str, str] | None = None
    body: Mapping[str, Any] | None = None


class TmfTransport:
    def __init__(self, config: OssConfig, *, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.config = config
        headers = {"Accept": "application/json", "User-Agent": "telecom-triage-bot"}
        if config.token:
            headers["Authorization"] = f"Bearer {config.token}"
        limits = httpx.Limits(max_connections=config.max_connections, max_keepalive_connections=config.max_connections)
        self._http = httpx.AsyncClient(
            headers=headers, limits=limits, timeout=config.timeout_s, transport=transport, follow_redirects=False
        )
        self.breakers = {api: CircuitBreaker(config.breaker_failures, config.breaker_reset_s) for api in API_NAMES}

    async def aclose(self) -> None:
        await self._http.aclose()

    async def request(
        self,
        call: Call,
        parse: Callable[[Any], T],
        summarize: Callable[[T], str],
        journal: Journal | None = None,
    ) -> T:
        """Send ``call`` and parse its 2xx body; raise the client's domain errors for anything else."""
        started_at = datetime.now(UTC)
        clock = time.perf_counter()
        breaker = self.breakers.get(call.api)
        if breaker is None:
            breaker = self.breakers[call.api] = CircuitBreaker(
                self.config.breaker_failures, self.config.breaker_reset_s
            )
        attempts, status = 0, None
        try:
            if not breaker.allow():
                raise OssUnavailable(call.api, call.operation, "circuit_open", "breaker open after repeated failures")
            while True:
                attempts += 1
                try:
                    status, result = await self._attempt(call, parse)
                except OssUnavailable as exc:
                    status = exc.status
                    if exc.retryable and call.method in IDEMPOTENT and attempts <= self.config.retries:
                        await asyncio.sleep(self._backoff(attempts))
                        continue
                    breaker.record_failure()
                    raise
                except OssError as exc:
                    status = exc.status
                    breaker.record_success()
                    raise
                breaker.record_success()
                self._record(call, started_at, clock, "ok", status, summarize(result), attempts, journal)
                return result
        except OssError as exc:
            summary = f"{exc.outcome}: {exc.message}"
            self._record(call, started_at, clock, exc.outcome, status, summary, attempts, journal)
            raise

    def refuse(self, call: Call, message: str, code: str, journal: Journal | None) -> OssRejected:
        """A request the client refuses before sending (an identifier that cannot be valid), journaled."""
        self._record(call, datetime.now(UTC), time.perf_counter(), "rejected", None, f"rejected: {message}", 0, journal)
        return OssRejected(call.api, call.operation, message, code=code)

    async def _attempt(self, call: Call, parse: Callable[[Any], T]) -> tuple[int, T]:
        url = self.config.api_url(call.api) + call.path
        timeout = self.config.timeout_s
        try:
            response = await asyncio.wait_for(
                self._http.request(call.method, url, params=call.params, json=call.body), timeout
            )
        except (TimeoutError, httpx.TimeoutException):
            raise OssUnavailable(call.api, call.operation, "timeout", f"no answer within {timeout:g} s") from None
        except httpx.HTTPError as exc:
            raise OssUnavailable(call.api, call.operation, "connect", type(exc).__name__) from None
        status = response.status_code
        if 200 <= status < 300:
            try:
                return status, parse(response.json())
            except PARSE_ERRORS as exc:
                raise OssUnavailable(call.api, call.operation, "malformed", str(exc)[:120], status=status) from None
        raise _status_error(call, response)

    def _backoff(self, attempt: int) -> float:
        return random.uniform(0, min(MAX_BACKOFF_S, self.config.backoff_s * 2 ** (attempt - 1)))  # noqa: S311

    def _record(
        self,
        call: Call,
        started_at: datetime,
        clock: float,
        outcome: str,
        status: int | None,
        summary: str,
        attempts: int,
        journal: Journal | None,
    ) -> None:
        latency_ms = round((time.perf_counter() - clock) * 1000, 1)
        level = logging.INFO if outcome in {"ok", "not_found"} else logging.WARNING
        logger.log(
            level,
            "oss api=%s op=%s target_pseudonym=%s outcome=%s status=%s attempts=%d latency_ms=%.1f",
            call.api,
            call.operation,
            log_target(call.target),
            outcome,
            status,
            attempts,
            latency_ms,
        )
        if journal is not None:
            journal.append(
                CallRecord(
                    api=call.api,
                    operation=call.operation,
                    target=call.target,
                    started_at=started_at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                    latency_ms=latency_ms,
                    outcome=outcome,
                    status=status,
                    summary=summary[:200],
                    attempts=attempts,
                )
            )


def _status_error(call: Call, response: httpx.Response) -> OssError:
    status = response.status_code
    code, message = _tmf_error(response)
    if status == 404:
        return OssNotFound(call.api, call.operation, message or "not found", status=status, code=code)
    if status in {401, 403}:
        return OssUnavailable(call.api, call.operation, "unauthorized", message or "credentials refused", status=status)
    if status in RETRY_STATUSES or 500 <= status < 600:
        return OssUnavailable(call.api, call.operation, "server_error", message or f"HTTP {status}", status=status)
    if 400 <= status < 500:
        return OssRejected(call.api, call.operation, message or f"HTTP {status}", status=status, code=code)
    return OssUnavailable(call.api, call.operation, "unexpected_status", f"HTTP {status}", status=status)


def _tmf_error(response: httpx.Response) -> tuple[str | None, str | None]:
    """``code`` and ``message`` (else ``reason``) of a TMF error body, when the body is one."""
    try:
        body = response.json()
    except ValueError:
        return None, None
    if not isinstance(body, dict):
        return None, None
    code = body.get("code")
    message = body.get("message") or body.get("reason")
    return (str(code) if code is not None else None), (str(message)[:200] if message is not None else None)
