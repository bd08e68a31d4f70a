"""The agents' dispositions summarised: root causes and the share "the bot could have handled".

Read from the ``agent_disposition`` learning records of the period (one per conversation: an agent who
corrects a disposition replaces it), overall, per flow and per theme.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from bot.insights.filters import Filters
from learning.records import Trigger
from learning.store import LearningStore

RESOLUTIONS = ("resolved", "not_resolved", "follow_up")


def resolution_of(disposition: dict[str, Any]) -> str:
    """A disposition's resolution; one stored before ``resolution`` existed says only ``resolved`` yes or no."""
    given = disposition.get("resolution")
    if given in RESOLUTIONS:
        return str(given)
    return "resolved" if disposition.get("resolved") else "not_resolved"


@dataclass
class DispositionSummary:
    name: str | None
    count: int = 0
    bot_could_handle: int = 0
    resolved: int = 0
    follow_up: int = 0
    """Not resolved yet, somebody comes back to it (counted apart from resolved and not resolved)."""
    root_causes: Counter[str] = field(default_factory=Counter)

    def add(self, disposition: dict[str, Any]) -> None:
        self.count += 1
        self.bot_could_handle += bool(disposition.get("bot_could_handle"))
        resolution = resolution_of(disposition)
        self.resolved += resolution == "resolved"
        self.follow_up += resolution == "follow_up"
        self.root_causes[str(disposition.get("root_cause") or "other")] += 1

    @property
    def not_resolved(self) -> int:
        return self.count - self.resolved - self.follow_up

    @property
    def could_handle_share(self) -> float | None:
        return round(self.bot_could_handle / self.count, 3) if self.count else None

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "count": self.count, "bot_could_handle": self.bot_could_handle,
                "bot_could_handle_share": self.could_handle_share, "resolved": self.resolved,
                "follow_up": self.follow_up, "not_resolved": self.not_resolved,
                "root_causes": dict(self.root_causes.most_common())}  # fmt: skip


async def disposition_records(store: LearningStore, filters: Filters) -> dict[str, dict[str, Any]]:
    """Conversation id → its latest disposition record in the period (matching the flow and channel filters)."""
    ids = await store.index_ids("trigger", Trigger.agent_disposition.value, filters.start, filters.end)
    latest: dict[str, dict[str, Any]] = {}
    for _, record in await store.records(ids):
        if not filters.start <= float(record["at"]) < filters.end or not record.get("disposition"):
            continue
        if filters.flow and record.get("flow") != filters.flow:
            continue
        if not filters.channel_matches(record.get("channel")):
            continue
        known = latest.get(record["conversation_id"])
        if known is None or float(known["at"]) <= float(record["at"]):
            latest[record["conversation_id"]] = record
    return latest


def summarise(records: Iterable[dict[str, Any]]) -> tuple[DispositionSummary, list[DispositionSummary]]:
    """Overall, and per flow (most dispositions first)."""
    overall = DispositionSummary(None)
    flows: dict[str | None, DispositionSummary] = {}
    for record in records:
        overall.add(record["disposition"])
        flows.setdefault(record.get("flow"), DispositionSummary(record.get("flow"))).add(record["disposition"])
    return overall, sorted(flows.values(), key=lambda s: (-s.count, s.name or ""))


def per_theme(run: dict[str, Any], records: dict[str, dict[str, Any]]) -> list[DispositionSummary]:
    """Per theme of a mining run: the dispositions of the theme's conversations (themes without any left out)."""
    found = []
    for theme in run.get("themes") or []:
        summary = DispositionSummary(str(theme.get("label") or theme.get("id")))
        for cid in sorted({m["conversation_id"] for m in theme.get("members") or []}):
            if cid in records:
                summary.add(records[cid]["disposition"])
        if summary.count:
            found.append(summary)
    return sorted(found, key=lambda s: -s.count)
