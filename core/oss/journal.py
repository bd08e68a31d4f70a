"""Call records for the dialogue's evidence pack: what was asked of which API, how long it took, what came back."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Protocol


@dataclass(frozen=True)
class CallRecord:
    api: str
    """TMF API name, e.g. ``serviceInventory``."""
    operation: str
    """Client method, e.g. ``list_services``."""
    target: str
    """The identifier the call was about (customer id, phone number, area, ticket id...)."""
    started_at: str
    """RFC 3339 UTC time the call started."""
    latency_ms: float
    """Wall time of the whole call, retries and backoff included."""
    outcome: str
    """``ok``, ``not_found``, ``rejected`` or ``unavailable``."""
    status: int | None
    """HTTP status of the last attempt; ``None`` when no response came (timeout, breaker open)."""
    summary: str
    """One short line a person can read: what was found, or why nothing was."""
    attempts: int = 1

    def as_dict(self) -> dict[str, object]:
        """JSON-ready, e.g. for a Rasa slot."""
        return asdict(self)


class Journal(Protocol):
    """Anything records can be appended to; a plain ``list`` will do."""

    def append(self, record: CallRecord, /) -> None: ...
