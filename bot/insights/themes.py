"""Themes of the unresolved utterances in a window: placed in the kept themes, described, filtered by k, cached.

A *run* takes the records that match the filters, places the ones not yet placed (:mod:`bot.insights.theme_model`:
a theme keeps its id, title and key terms whatever the window) and describes each theme by the window's records:
size, distinct customers, trend (second half of the window against the first), typical examples, escalation
share, the OSS/BSS findings its conversations share and the nearest existing intent. A theme is shown only when at
least k distinct customers contributed; smaller ones are counted, and so is every record (``coverage``). A record
without words to group (a postcode typed into a form) belongs to the theme of its conversation's other records.
Runs are cached in Redis for an hour under an id derived from the filters, the stream's state and the themes.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter, defaultdict
from typing import Any

from bot.insights import findings, theme_model
from bot.insights.filters import Filters, make_filters
from bot.insights.query import select
from bot.insights.state import InsightsState
from core.errors import NotFound
from core.redis.connect import text as reply_text
from learning import keys
from learning.mining.labels import has_content
from learning.records import Outcome, customer_key
from learning.store import dumps

RUN_TTL_S = 3600
THEME_ID = r"^T\d{1,9}$"
"""Stable across windows and days: ``T<n>``, numbered as themes are first mined (until "Refresh themes")."""
SUGGEST_SIMILARITY = 0.7
"""An existing intent is suggested for a theme or an utterance only from this cosine similarity; below it the
suggestion is "new intent?". Measured on data/nlu held out 5-fold plus CLINC150's out-of-scope queries
(bench/bench_learning.py): at 0.7, 83% of suggestions are right for 18% of utterances; at 0.6, 73% for 53%;
at 0.5, 67% for 84%. A wrong intent costs the reviewer more than a blank one."""
EXAMPLES_KEPT = 5
TREND_FACTOR = 1.25
"""The recent half must exceed the earlier one by this factor (and by ``TREND_MIN_CHANGE``) to be rising."""
TREND_MIN_CHANGE = 2


def theme_text(record: dict[str, Any]) -> str | None:
    """What a record says about the customer's need: its utterance, or when that carries no content words (a
    postcode typed into a form, "no"), the utterance that started the problem in hand; ``None`` if neither."""
    for text in (record.get("utterance"), record.get("problem_utterance")):
        if text and has_content(text):
            return str(text)
    return None


def trend(recent: int, earlier: int) -> dict[str, Any]:
    """Rising and falling compare two halves of the window; a theme absent from the earlier half is "new"."""
    if earlier == 0:
        direction = "new" if recent else "steady"
    elif recent >= earlier * TREND_FACTOR and recent - earlier >= TREND_MIN_CHANGE:
        direction = "rising"
    elif earlier >= recent * TREND_FACTOR and earlier - recent >= TREND_MIN_CHANGE:
        direction = "falling"
    else:
        direction = "steady"
    change = round((recent - earlier) / earlier, 2) if earlier else None
    return {"direction": direction, "recent": recent, "earlier": earlier, "change": change}


def _examples(members: list[dict[str, Any]]) -> list[str]:
    """The most typical distinct utterances, one per customer first."""
    chosen: list[str] = []
    customers: set[str] = set()
    ordered = sorted(members, key=lambda m: -m["closeness"])
    for strict in (True, False):
        for member in ordered:
            if len(chosen) >= EXAMPLES_KEPT:
                return chosen
            if member["text"] in chosen or (strict and member["customer"] in customers):
                continue
            chosen.append(member["text"])
            customers.add(member["customer"])
    return chosen


def _dispositions(summaries: list[dict[str, Any]]) -> dict[str, Any]:
    given = [s["disposition"] for s in summaries if s.get("disposition")]
    if not given:
        return {"count": 0}
    could = sum(1 for d in given if d.get("bot_could_handle"))
    causes = Counter(str(d.get("root_cause")) for d in given)
    return {
        "count": len(given),
        "bot_could_have_handled_share": round(could / len(given), 3),
        "root_causes": dict(causes.most_common()),
    }


def suggestion(intent: list[Any] | tuple[Any, ...] | None) -> dict[str, Any] | None:
    """The nearest intent when it is close enough to suggest; ``None`` means "new intent?"."""
    if not intent or not intent[0] or float(intent[1]) < SUGGEST_SIMILARITY:
        return None
    return {"name": intent[0], "similarity": float(intent[1])}


def describe_theme(
    theme_id: str,
    kept: dict[str, Any],
    members: list[dict[str, Any]],
    summaries: dict[str, dict[str, Any]],
    middle: float,
) -> dict[str, Any]:
    conversations = sorted({m["conversation_id"] for m in members})
    convs = [summaries.get(cid) or {} for cid in conversations]
    escalated = sum(1 for s in convs if s.get("escalated") or s.get("outcome") == Outcome.escalated.value)
    themed = [m for m in members if m["text"] is not None]
    recent = sum(1 for m in members if m["at"] >= middle)
    per_customer: dict[str, set[str]] = defaultdict(set)
    for member in members:
        per_customer[member["customer"]].add(member["conversation_id"])
    return {
        "id": theme_id,
        "label": kept["title"],
        "terms": kept["terms"],
        "created": kept["created"],
        "size": len(members),
        "utterances": len({m["text"] for m in themed}),
        "conversations": len(conversations),
        "customers": len({m["customer"] for m in members}),
        "trend": trend(recent, len(members) - recent),
        "examples": _examples(themed),
        "escalation_share": round(escalated / len(conversations), 3) if conversations else 0.0,
        "escalated_conversations": escalated,
        "repeat_contacts": sum(len(c) - 1 for c in per_customer.values()),
        "triggers": dict(Counter(m["trigger"] for m in members).most_common()),
        "findings": findings.shared(s.get("findings") or {} for s in convs),
        "outcomes": dict(Counter(str(s.get("outcome")) for s in convs).most_common()),
        "dispositions": _dispositions(convs),
        "suggested_intent": suggestion(kept.get("intent")),
        "nearest_intent": kept.get("intent"),
        "members": members,
    }


async def _run_id(state: InsightsState, filters: Filters, generation: int) -> str:
    info = await state.store.redis.xinfo_stream(keys.RECORDS) if await state.store.count() else {}
    last = info.get("last-generated-id", b"0-0") if info else b"0-0"
    last_id = last.decode() if isinstance(last, bytes) else str(last)
    length = info.get("length", 0) if info else 0
    return f"{filters.fingerprint()}-{last_id.replace('-', '.')}-{length}-{state.k_min_customers}-{generation}"


async def _members(state: InsightsState, filters: Filters) -> list[dict[str, Any]]:
    """Every record of the window, with its theme text (``None`` when it has no words to group).

    A conversation's records before the customer said who they are count as that customer too: otherwise one
    person would count twice towards a theme's customers (and the k-anonymity threshold)."""
    members = [
        {
            "record_id": record_id,
            "conversation_id": record["conversation_id"],
            "customer": customer_key(record),
            "at": float(record["at"]),
            "trigger": record["trigger"],
            "text": theme_text(record),
        }
        async for record_id, record in select(state.store, filters)
    ]
    known = {m["conversation_id"]: m["customer"] for m in members if not m["customer"].startswith("conversation:")}
    for member in members:
        member["customer"] = known.get(member["conversation_id"], member["customer"])
    return members


def _group(members: list[dict[str, Any]], where: dict[str, list[Any]]) -> tuple[dict[str, list[dict[str, Any]]], int]:
    """Members by theme id; a record without words joins its conversation's first placed record's theme."""
    by_theme: dict[str, list[dict[str, Any]]] = defaultdict(list)
    conversation_theme: dict[str, str] = {}
    for member in members:
        if member["text"] is not None:
            theme_id, member["closeness"], intent, similarity = where[member["record_id"]]
            member["intent"] = (intent, similarity)
            by_theme[theme_id].append(member)
            conversation_theme.setdefault(member["conversation_id"], theme_id)
    without_words = 0
    for member in members:
        if member["text"] is None:
            theme_id = conversation_theme.get(member["conversation_id"])
            if theme_id is None:
                without_words += 1
                continue
            member["closeness"], member["intent"] = 0.0, None
            by_theme[theme_id].append(member)
    return dict(by_theme), without_words


async def grouped(
    state: InsightsState, filters: Filters
) -> tuple[list[dict[str, Any]], dict[str, Any], dict[str, list[dict[str, Any]]], int]:
    """The window's records, the themes, its records by theme id (every theme, shown or not), and the count of
    records that have no words to group and no themed record in their conversation."""
    members = await _members(state, filters)
    texts = {m["record_id"]: m["text"] for m in members if m["text"] is not None}
    model, where = await theme_model.place(state, texts)
    by_theme, without_words = _group(members, where)
    return members, model, by_theme, without_words


async def mine(state: InsightsState, filters: Filters) -> dict[str, Any]:
    """The run for ``filters``: from the cache when neither the records nor the themes changed, else built now."""
    redis = state.store.redis
    model = await theme_model.load(redis)
    run_id = await _run_id(state, filters, int(model["generation"]))
    cached = await redis.get(keys.themes(run_id))
    if cached:
        return dict(json.loads(cached))
    began = time.perf_counter()
    members, model, by_theme, without_words = await grouped(state, filters)
    summaries = await state.store.summaries({m["conversation_id"] for m in members})
    middle = (filters.start + filters.end) / 2
    themes = [describe_theme(t, model["themes"][t], by_theme[t], summaries, middle) for t in by_theme]
    visible = sorted((t for t in themes if t["customers"] >= state.k_min_customers), key=lambda t: -t["size"])
    hidden = [t for t in themes if t["customers"] < state.k_min_customers]
    shown = sum(t["size"] for t in visible)
    run: dict[str, Any] = {
        "v": 2,
        "run_id": run_id,
        "created": time.time(),
        "filters": filters.as_query(),
        "k": state.k_min_customers,
        "records": len(members),
        "records_without_text": without_words,
        "coverage": {
            "records": len(members),
            "shown": shown,
            "hidden": sum(t["size"] for t in hidden),
            "without_words": without_words,
        },
        "themes": visible,
        "hidden": {"themes": len(hidden), "records": sum(t["size"] for t in hidden)},
        "mined_at": model["mined_at"],
        "placed_at": model["placed_at"],
        "seconds": round(time.perf_counter() - began, 3),
        "mining": model.get("mining") or {"seconds": 0.0, "peak_rss_mb": 0.0, "records": 0},
    }
    async with redis.pipeline(transaction=False) as pipe:
        pipe.set(keys.themes(run_id), dumps(run), ex=RUN_TTL_S)
        for theme in visible:
            pipe.set(keys.themes(f"seen-{theme['id']}"), run_id, ex=RUN_TTL_S)
        await pipe.execute()
    return run


async def theme_by_id(state: InsightsState, theme_id: str, filters: Filters | None = None) -> dict[str, Any]:
    """A theme as a window shows it: ``filters``' window, else the window it was last shown in (within the
    hour), else the default window. 404 when the theme is unknown (themes were refreshed) or hidden there."""
    if not re.fullmatch(THEME_ID, theme_id):
        raise NotFound("theme_not_found", "No such theme.")
    redis = state.store.redis
    if theme_id not in (await theme_model.load(redis))["themes"]:  # a run kept from before a refresh still has it
        raise NotFound("theme_not_found", "No such theme: the themes were refreshed since; list them again.")
    if filters is None:
        seen = await redis.get(keys.themes(f"seen-{theme_id}"))
        cached = await redis.get(keys.themes(reply_text(seen))) if seen else None
        run = dict(json.loads(cached)) if cached else await mine(state, make_filters())
    else:
        run = await mine(state, filters)
    for theme in run["themes"]:
        if theme["id"] == theme_id:
            return {**theme, "window": run["filters"]}
    known = theme_id in (await theme_model.load(redis))["themes"]
    message = (
        f"This theme has fewer than {run['k']} distinct customers in this window, so it is not shown."
        if known
        else "No such theme: the themes were refreshed since; list the themes again."
    )
    raise NotFound("theme_not_found", message)


def public(theme: dict[str, Any]) -> dict[str, Any]:
    """A theme as the API shows it: without the member list."""
    return {key: value for key, value in theme.items() if key not in ("members", "window")}
