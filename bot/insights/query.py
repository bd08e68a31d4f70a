"""Reading records for insights: by index when a filter narrows them, else by scanning the time window."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from bot.insights.filters import Filters, iso
from core.errors import Invalid
from learning.records import Trigger
from learning.store import LearningStore

FETCH_CHUNK = 500
BUCKETS = {"hour": 3600, "day": 86400, "week": 7 * 86400}
MAX_BUCKETS = 2000


async def select(store: LearningStore, filters: Filters) -> AsyncIterator[tuple[str, dict[str, Any]]]:
    """Records matching ``filters``, oldest first (by stream order)."""
    facets = filters.facets()
    if not facets:
        async for record_id, record in store.scan(filters.start, filters.end):
            if filters.matches(record):
                yield record_id, record
        return
    sizes = [(await store.index_size(name, value), name, value) for name, value in facets]
    _, name, value = min(sizes)
    ids = sorted(await store.index_ids(name, value, filters.start, filters.end), key=_stream_order)
    for start in range(0, len(ids), FETCH_CHUNK):
        for record_id, record in await store.records(ids[start : start + FETCH_CHUNK]):
            if filters.matches(record):
                yield record_id, record


def _stream_order(record_id: str) -> tuple[int, int]:
    ms, _, seq = record_id.partition("-")
    return int(ms), int(seq or 0)


def pick_bucket(filters: Filters, bucket: str | None) -> str:
    span = filters.end - filters.start
    chosen = bucket or ("hour" if span <= 2 * 86400 else "day" if span <= 120 * 86400 else "week")
    if span / BUCKETS[chosen] > MAX_BUCKETS:
        raise Invalid("too_many_buckets", f"A {chosen} bucket gives more than {MAX_BUCKETS} points here.")
    return chosen


@dataclass
class Volume:
    bucket: str
    starts: list[float]
    series: dict[str, list[int]]
    total: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "v": 1,
            "bucket": self.bucket,
            "buckets": [iso(s) for s in self.starts],
            "series": self.series,
            "total": self.total,
        }


async def volume(store: LearningStore, filters: Filters, bucket: str | None = None) -> Volume:
    """Unresolved records per bucket and trigger (every trigger has a series, zeros included)."""
    chosen = pick_bucket(filters, bucket)
    width = BUCKETS[chosen]
    first = filters.start - filters.start % width
    count = int((filters.end - first + width - 1) // width)
    counts: Counter[tuple[str, int]] = Counter()
    async for _, record in select(store, filters):
        counts[(record["trigger"], int((float(record["at"]) - first) // width))] += 1
    triggers = [t.value for t in (filters.triggers or list(Trigger))]
    series = {t: [counts[(t, i)] for i in range(count)] for t in triggers}
    return Volume(chosen, [first + i * width for i in range(count)], series, sum(counts.values()))
