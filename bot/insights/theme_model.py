"""The themes kept between runs: stable ids, titles and key terms, and which theme each record belongs to.

Mining every window from scratch renumbers and renames the themes whenever the date range changes. Instead the
themes are mined once and remembered (``triage:learning:theme-model``, JSON ``{"v": 1, ...}``); each record is
placed once (``triage:learning:theme-placed``, a hash record id → ``[theme id, closeness, intent, similarity]``):
into the nearest theme when close enough, else into a theme mined from the records left over
(:func:`learning.mining.assignment.place_texts`). A window's themes are then the records it holds, grouped by
the theme they were placed in. "Refresh themes" forgets both, so the next run mines afresh.

A theme quotes customers (its references, the first is its title) only while their records exist: references
whose records were deleted on request or by retention are dropped before each run, and the title passes to the
next one (or to the key terms). The keys sit outside the run cache, which deletions empty, so ids survive them.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from functools import partial
from typing import Any

from redis.asyncio import Redis

from bot.insights.state import InsightsState
from core.errors import Unavailable
from core.redis.connect import text
from learning import keys
from learning.mining.assignment import Placed, place_texts
from learning.store import dumps

MODEL = f"{keys.PREFIX}:theme-model"
PLACED = keys.THEME_PLACED
LOCK = f"{keys.PREFIX}:theme-placing"
LOCK_TTL_S = 600
"""Longest a placement may hold the lock (mining 50,000 records takes ~20 s); a crashed holder frees it then."""
LOCK_WAIT_S = 0.2
HMGET_CHUNK = 1000


def empty_model() -> dict[str, Any]:
    return {"v": 1, "generation": 0, "mined_at": None, "placed_at": None, "next": 1, "themes": {}}


async def load(redis: Redis) -> dict[str, Any]:
    raw = await redis.get(MODEL)
    return dict(json.loads(raw)) if raw else empty_model()


async def forget(redis: Redis) -> None:
    """Refresh: the next run mines every record of its window afresh (new ids; the old ones stop resolving)."""
    token = await _locked(redis)  # a placement under way would otherwise write the old themes back
    try:
        old = await load(redis)
        fresh = {**empty_model(), "generation": int(old["generation"]) + 1, "next": old["next"]}  # ids never reused
        async with redis.pipeline(transaction=True) as pipe:
            pipe.delete(PLACED)
            pipe.set(MODEL, dumps(fresh))
            await pipe.execute()
    finally:
        await _unlock(redis, token)


async def placed(redis: Redis, record_ids: list[str]) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    for start in range(0, len(record_ids), HMGET_CHUNK):
        chunk = record_ids[start : start + HMGET_CHUNK]
        for record_id, raw in zip(chunk, await redis.hmget(PLACED, chunk), strict=True):
            if raw:
                found[record_id] = json.loads(raw)
    return found


async def _prune(state: InsightsState, model: dict[str, Any]) -> bool:
    """Drop references whose records are gone; a theme's title is its first remaining one. Whether any went."""
    quoted = [ref[0] for theme in model["themes"].values() for ref in theme["references"]]
    if not quoted:
        return False
    alive = {record_id for record_id, _ in await state.store.records(quoted)}
    changed = False
    for theme in model["themes"].values():
        kept = [ref for ref in theme["references"] if ref[0] in alive]
        if len(kept) != len(theme["references"]):
            changed = True
            theme["references"] = kept
            theme["title"] = kept[0][1] if kept else " · ".join(theme["terms"][:3]) or "(no words left)"
    return changed


async def _locked(redis: Redis) -> str:
    token = uuid.uuid4().hex
    for _ in range(int(LOCK_TTL_S / LOCK_WAIT_S)):
        if await redis.set(LOCK, token, nx=True, ex=LOCK_TTL_S):
            return token
        await asyncio.sleep(LOCK_WAIT_S)
    raise Unavailable("themes_busy", "The themes are being mined elsewhere; try again in a minute.")


async def _unlock(redis: Redis, token: str) -> None:
    if text(await redis.get(LOCK) or b"") == token:
        await redis.delete(LOCK)


async def place(state: InsightsState, texts: dict[str, str]) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    """The model and where each record of ``texts`` (record id → theme text) belongs; unplaced ones are placed now.

    One placement at a time across every gateway process (a Redis lock), so two product owners opening the
    dashboard at once never mine the same records into two sets of themes. References of deleted records are
    dropped first (:func:`_prune`).
    """
    redis = state.store.redis
    token = await _locked(redis)
    try:
        model = await load(redis)
        pruned = await _prune(state, model)
        where = await placed(redis, list(texts))
        missing = [record_id for record_id in texts if record_id not in where]
        if not missing:
            if pruned:
                await redis.set(MODEL, dumps(model))
            return model, where
        order = list(model["themes"])
        references = [[ref[1] for ref in model["themes"][theme_id]["references"]] for theme_id in order]
        job = partial(place_texts, [texts[r] for r in missing], references, state.pool.model_path, state.pool.nlu_dir)
        result: Placed = await state.pool.run(job)
        now = time.time()
        record_of = {texts[record_id]: record_id for record_id in missing}
        for theme in result.new_themes:
            theme_id = f"T{model['next']}"
            model["next"] += 1
            order.append(theme_id)
            model["themes"][theme_id] = {"title": theme.references[0], "terms": theme.terms, "created": now,
                                         "references": [[record_of[text], text] for text in theme.references],
                                         "intent": list(theme.intent) if theme.intent else None}  # fmt: skip
        if not references:
            model["mined_at"] = now
        model["placed_at"] = now
        model["mining"] = {"seconds": result.seconds, "peak_rss_mb": result.peak_rss_mb, "records": len(missing)}
        fresh: dict[str, list[Any]] = {}
        for i, record_id in enumerate(missing):
            name, similarity = result.intents[i] if result.intents else (None, 0.0)
            fresh[record_id] = [order[result.themes[i]], result.closeness[i], name, similarity]
        async with redis.pipeline(transaction=True) as pipe:
            for start in range(0, len(missing), HMGET_CHUNK):
                chunk = {r: json.dumps(fresh[r]) for r in missing[start : start + HMGET_CHUNK]}
                pipe.hset(PLACED, mapping=chunk)  # type: ignore[arg-type]
            pipe.set(MODEL, dumps(model))
            await pipe.execute()
        return model, {**where, **fresh}
    finally:
        await _unlock(redis, token)
