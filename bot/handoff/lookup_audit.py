"""The audit log of agents' customer lookups: who looked up whom, when, for which case, and what came back.

One Redis Stream, ``triage:audit:lookups``, append-only (this module only ever ``XADD``s to it; nothing in the
product edits or deletes an entry) and retention-bounded: each append trims entries older than
``RETENTION_DAYS`` (``MINID ~``). An entry (all fields strings, as a stream holds them)::

    {"v": "1", "at": RFC 3339 UTC, "agent": login, "role": role, "case_id": "CASE-…", "by": "account"|"phone",
     "ref_masked": "AC******03", "ref_pseudonym": 32 hex chars, "outcome": "found"|"not_found"|"unavailable"
     |"rate_limited", "customer_id": "CUST-…" (found only)}

The reference searched is never stored: only masked for a reader, and as the keyed pseudonym the learning store
uses (``core.pseudonyms``), so "who looked up AC10000003?" can be answered by pseudonymising the question.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from redis.asyncio import Redis

from core.pseudonyms import pseudonym

STREAM = "triage:audit:lookups"
RETENTION_DAYS = 400
"""Kept a little over a year: an access log answers "who looked at my data" for the last 12 months."""
MAX_SCAN = 5000
"""Entries one filtered read walks back through at most, so a filter that matches nothing stays cheap."""

Outcome = Literal["found", "not_found", "unavailable", "rate_limited"]


def _text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode()
    return "" if value is None else str(value)


@dataclass(frozen=True)
class AuditFilter:
    agent: str | None = None
    case_id: str | None = None
    ref_pseudonym: str | None = None
    outcome: str | None = None

    def matches(self, entry: dict[str, str]) -> bool:
        return all(
            wanted is None or entry.get(name) == wanted
            for name, wanted in (("agent", self.agent), ("case_id", self.case_id),
                                 ("ref_pseudonym", self.ref_pseudonym), ("outcome", self.outcome))
        )  # fmt: skip


class LookupAudit:
    def __init__(self, redis: Redis, pseudonym_secret: str) -> None:
        self._redis = redis
        self._secret = pseudonym_secret

    def pseudonym(self, normal_ref: str) -> str:
        return pseudonym(self._secret, normal_ref)

    async def record(
        self,
        *,
        agent: str,
        role: str,
        case_id: str,
        by: str,
        ref: str,
        ref_masked: str,
        outcome: Outcome,
        customer_id: str | None = None,
    ) -> str:
        """Append one entry; returns its stream id."""
        entry = {"v": "1", "at": datetime.now(UTC).isoformat(timespec="seconds"), "agent": agent,
                 "role": role, "case_id": case_id, "by": by, "ref_masked": ref_masked,
                 "ref_pseudonym": self.pseudonym(ref), "outcome": outcome}  # fmt: skip
        if customer_id:
            entry["customer_id"] = customer_id
        oldest_ms = int((time.time() - RETENTION_DAYS * 86400) * 1000)
        entry_id = await self._redis.xadd(STREAM, entry, minid=oldest_ms, approximate=True)  # type: ignore[arg-type]
        return _text(entry_id)

    async def read(
        self, wanted: AuditFilter, limit: int, before: str | None = None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """Entries matching ``wanted``, newest first, older than the stream id ``before``; and the id to pass as
        ``before`` for the next page (``None`` at the end, or when ``MAX_SCAN`` entries were walked)."""
        found: list[dict[str, Any]] = []
        if before is not None and all(part.strip("0") == "" for part in before.split("-")):
            return found, None  # nothing is older than the first possible id (and Redis refuses "(0-0")
        upper = f"({before}" if before else "+"
        walked = 0
        while len(found) < limit and walked < MAX_SCAN:
            batch = await self._redis.xrevrange(STREAM, max=upper, min="-", count=min(500, MAX_SCAN - walked))
            if not batch:
                return found, None
            for raw_id, fields in batch:
                walked += 1
                entry_id = _text(raw_id)
                upper = f"({entry_id}"
                entry = {_text(k): _text(v) for k, v in (fields or {}).items()}
                if wanted.matches(entry):
                    found.append({"id": entry_id, **entry})
                    if len(found) == limit:
                        return found, entry_id
        return found, (upper[1:] if upper != "+" else None)
