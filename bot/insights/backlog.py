"""The backlog: themes promoted to work items with an owner, an impact estimate and a status.

An item marked ``fixed`` is watched: :func:`watch` places the records since the fix in the themes; when the
item's theme (its id, or after "Refresh themes" the theme its examples are now in) keeps arriving from at least
k distinct customers after the fix, the item is ``reopened`` with a note saying how many. Items live in Redis
(``triage:learning:backlog:<id>``, JSON, ``{"v": 1, ...}``) and are not subject to retention; their quoted
examples are (see :mod:`learning.maintenance`).
"""

from __future__ import annotations

import json
import re
import time
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from bot.insights import theme_model
from bot.insights.filters import make_filters
from bot.insights.state import InsightsState
from bot.insights.themes import THEME_ID, grouped
from core.errors import NotFound
from core.redis.connect import text
from learning import keys
from learning.store import dumps

ITEM_ID = re.compile(r"BL-\d{1,9}")
WATCH_LOOKBACK_S = 30 * 86400
"""How far before the oldest fix the watch looks, so the item's theme forms again from its history."""


class Owner(StrEnum):
    bot = "bot"
    oss = "oss"
    bss = "bss"
    product = "product"


class Status(StrEnum):
    open = "open"
    in_progress = "in_progress"
    fixed = "fixed"
    reopened = "reopened"
    wont_fix = "wont_fix"


class PromoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    theme_id: str = Field(..., pattern=THEME_ID)
    owner: Owner
    title: str | None = Field(None, min_length=1, max_length=200)


class UpdateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    owner: Owner | None = None
    status: Status | None = None
    title: str | None = Field(None, min_length=1, max_length=200)
    note: str | None = Field(None, max_length=500, description="Why; shown in the item's history.")


def _history(item: dict[str, Any], by: str, what: str, note: str | None = None) -> None:
    item.setdefault("history", []).append({"at": time.time(), "by": by, "what": what, "note": note})


async def _save(state: InsightsState, item: dict[str, Any]) -> dict[str, Any]:
    item["updated"] = time.time()
    async with state.store.redis.pipeline(transaction=True) as pipe:
        pipe.set(keys.backlog_item(item["id"]), dumps(item))
        pipe.zadd(keys.BACKLOG, {item["id"]: item["created"]})
        await pipe.execute()
    return item


async def promote(state: InsightsState, theme: dict[str, Any], body: PromoteIn, by: str) -> dict[str, Any]:
    number = int(await state.store.redis.incr(keys.BACKLOG_SEQ))
    examples = sorted((m for m in theme["members"] if m["text"]), key=lambda m: -m["closeness"])[:10]
    item: dict[str, Any] = {
        "v": 1,
        "id": f"BL-{number}",
        "title": body.title or theme["label"],
        "owner": body.owner.value,
        "status": Status.open.value,
        "theme_id": theme["id"],
        "theme": {
            "label": theme["label"],
            "terms": theme["terms"],
            "findings": theme["findings"],
            "suggested_intent": theme.get("suggested_intent"),
        },
        "impact": {
            "contacts": theme["conversations"],
            "customers": theme["customers"],
            "escalations": theme["escalated_conversations"],
            "repeat_contacts": theme["repeat_contacts"],
            "records": theme["size"],
            "trend": theme["trend"]["direction"],
        },
        "examples": [
            {"record_id": m["record_id"], "conversation_id": m["conversation_id"], "text": m["text"], "at": m["at"]}
            for m in examples
        ],
        "created": time.time(),
        "fixed_at": None,
        "watch": None,
    }
    _history(item, by, f"promoted from theme '{theme['label']}' to {body.owner.value}")
    return await _save(state, item)


async def get_item(state: InsightsState, item_id: str) -> dict[str, Any]:
    raw = await state.store.redis.get(keys.backlog_item(item_id)) if ITEM_ID.fullmatch(item_id) else None
    if not raw:
        raise NotFound("backlog_item_not_found", f"No backlog item {item_id[:40]!r}.")
    return dict(json.loads(raw))


async def list_items(state: InsightsState) -> list[dict[str, Any]]:
    ids = [text(i) for i in await state.store.redis.zrevrange(keys.BACKLOG, 0, -1)]
    raws = [await state.store.redis.get(keys.backlog_item(i)) for i in ids]
    return [json.loads(raw) for raw in raws if raw]


async def update(state: InsightsState, item_id: str, body: UpdateIn, by: str) -> dict[str, Any]:
    item = await get_item(state, item_id)
    if body.title:
        item["title"] = body.title
    if body.owner and body.owner.value != item["owner"]:
        _history(item, by, f"owner {item['owner']} → {body.owner.value}", body.note)
        item["owner"] = body.owner.value
    if body.status and body.status.value != item["status"]:
        _history(item, by, f"status {item['status']} → {body.status.value}", body.note)
        item["status"] = body.status.value
        item["fixed_at"] = time.time() if body.status is Status.fixed else item.get("fixed_at")
        if body.status is Status.fixed:
            item["watch"] = None
    elif body.note:
        _history(item, by, "note", body.note)
    return await _save(state, item)


async def _theme_of(state: InsightsState, item: dict[str, Any], model: dict[str, Any]) -> str | None:
    """The item's theme now: its own id while the themes last, else where most of its examples were placed."""
    if item.get("theme_id") in model["themes"]:
        return str(item["theme_id"])
    where = await theme_model.placed(state.store.redis, [e["record_id"] for e in item["examples"]])
    themes = [placed[0] for placed in where.values()]
    return max(set(themes), key=themes.count) if themes else None


async def watch(state: InsightsState, now: float | None = None) -> list[str]:
    """Reopen fixed items whose theme keeps arriving; return the ids reopened."""
    now = now if now is not None else time.time()
    fixed = [item for item in await list_items(state) if item["status"] == Status.fixed.value and item["examples"]]
    if not fixed:
        return []
    oldest_fix = min(float(item["fixed_at"] or now) for item in fixed)
    start = max(oldest_fix - WATCH_LOOKBACK_S, now - 399 * 86400)
    filters = make_filters(now=now).model_copy(update={"start": start, "end": now + 60})
    _, model, by_theme, _ = await grouped(state, filters)
    reopened = []
    for item in fixed:
        theme_id = await _theme_of(state, item, model)
        if theme_id is None:
            continue
        since = [m["customer"] for m in by_theme.get(theme_id, []) if m["at"] > float(item["fixed_at"])]
        item["watch"] = {"checked_at": now, "records_since_fix": len(since), "customers_since_fix": len(set(since))}
        if len(set(since)) >= state.k_min_customers:
            item["status"] = Status.reopened.value
            _history(
                item,
                "watch",
                "status fixed → reopened",
                f"{len(since)} contacts from {len(set(since))} customers since the fix",
            )
            reopened.append(item["id"])
        await _save(state, item)
    return reopened
