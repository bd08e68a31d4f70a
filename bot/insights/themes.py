"""Themes of the unresolved utterances in a window: mined, described, filtered by the k-threshold, cached.

A *run* mines the records that match the filters. Each theme gets key terms, size, distinct customers, trend
(second half of the window against the first), typical examples, escalation share, the OSS/BSS findings its
conversations share and the nearest existing intent. A theme is shown only when at least k distinct
customers contributed; smaller ones are only counted. Runs are cached in Redis for an hour under an id
derived from the filters and the stream's state, so drill-down links stay valid and nothing is mined twice.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter, defaultdict
from typing import Any

from bot.errors import GatewayError
from bot.insights import findings
from bot.insights.filters import Filters
from bot.insights.mining.labels import has_content, label
from bot.insights.query import select
from bot.insights.state import InsightsState
from bot.learning import keys
from bot.learning.records import Outcome, customer_key
from bot.learning.store import dumps

RUN_TTL_S = 3600
RUN_ID = re.compile(r"[0-9a-f]{16}-\d{1,20}\.\d{1,20}-\d{1,20}-\d{1,9}")
THEME_ID = r"^[0-9a-f]{16}-\d{1,20}\.\d{1,20}-\d{1,20}-\d{1,9}\.\d{1,9}$"
"""``<filters fingerprint>-<last stream id>-<stream length>-<k>.<theme index>``."""
FRESH_S = 300
"""A run this young is reused for the same filters even if records arrived since (dashboards reload often)."""
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
    if recent >= earlier * TREND_FACTOR and recent - earlier >= TREND_MIN_CHANGE:
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


def describe_theme(
    index: int,
    members: list[dict[str, Any]],
    terms: list[str],
    summaries: dict[str, dict[str, Any]],
    middle: float,
    intent: tuple[str | None, float] | None,
) -> dict[str, Any]:
    conversations = sorted({m["conversation_id"] for m in members})
    convs = [summaries.get(cid) or {} for cid in conversations]
    escalated = sum(1 for s in convs if s.get("escalated") or s.get("outcome") == Outcome.escalated.value)
    recent = sum(1 for m in members if m["at"] >= middle)
    per_customer: dict[str, set[str]] = defaultdict(set)
    for member in members:
        per_customer[member["customer"]].add(member["conversation_id"])
    return {
        "index": index,
        "label": label(terms),
        "terms": terms,
        "size": len(members),
        "utterances": len({m["text"] for m in members}),
        "conversations": len(conversations),
        "customers": len({m["customer"] for m in members}),
        "trend": trend(recent, len(members) - recent),
        "examples": _examples(members),
        "escalation_share": round(escalated / len(conversations), 3) if conversations else 0.0,
        "escalated_conversations": escalated,
        "repeat_contacts": sum(len(c) - 1 for c in per_customer.values()),
        "triggers": dict(Counter(m["trigger"] for m in members).most_common()),
        "findings": findings.shared(s.get("findings") or {} for s in convs),
        "outcomes": dict(Counter(str(s.get("outcome")) for s in convs).most_common()),
        "dispositions": _dispositions(convs),
        "suggested_intent": {"name": intent[0], "similarity": intent[1]} if intent else None,
        "members": members,
    }


async def _run_id(state: InsightsState, filters: Filters) -> str:
    info = await state.store.redis.xinfo_stream(keys.RECORDS) if await state.store.count() else {}
    last = info.get("last-generated-id", b"0-0") if info else b"0-0"
    last_id = last.decode() if isinstance(last, bytes) else str(last)
    length = info.get("length", 0) if info else 0
    return f"{filters.fingerprint()}-{last_id.replace('-', '.')}-{length}-{state.k_min_customers}"


async def mine(state: InsightsState, filters: Filters, probes: list[str] | None = None) -> dict[str, Any]:
    """The run for ``filters``: from the cache when the records have not changed, else mined now."""
    redis = state.store.redis
    pointer = keys.themes(f"latest-{filters.fingerprint()}-{state.k_min_customers}")
    if not probes:
        latest = await redis.get(pointer)
        cached = await redis.get(keys.themes(latest.decode())) if latest else None
        cached = cached or await redis.get(keys.themes(await _run_id(state, filters)))
        if cached:
            return dict(json.loads(cached))
    run_id = await _run_id(state, filters)
    members: list[dict[str, Any]] = []
    without_text = 0
    async for record_id, record in select(state.store, filters):
        text = theme_text(record)
        if text is None:
            without_text += 1
            continue
        members.append(
            {
                "record_id": record_id,
                "conversation_id": record["conversation_id"],
                "customer": customer_key(record),
                "at": float(record["at"]),
                "trigger": record["trigger"],
                "text": text,
            }
        )
    began = time.perf_counter()
    mined = await state.pool.mine([m["text"] for m in members], probes)
    for i, member in enumerate(members):
        member["closeness"] = mined.closeness[i]
        member["intent"] = mined.text_intents[i] if mined.text_intents else None
    by_theme: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for member, theme_index in zip(members, mined.labels, strict=True):
        by_theme[theme_index].append(member)
    summaries = await state.store.summaries({m["conversation_id"] for m in members})
    middle = (filters.start + filters.end) / 2
    themes = [
        describe_theme(
            i, by_theme[i], mined.terms[i], summaries, middle, mined.theme_intents[i] if mined.theme_intents else None
        )
        for i in sorted(by_theme)
    ]
    visible = sorted((t for t in themes if t["customers"] >= state.k_min_customers), key=lambda t: -t["size"])
    hidden = [t for t in themes if t["customers"] < state.k_min_customers]
    for theme in visible:
        theme["id"] = f"{run_id}.{theme['index']}"
    run: dict[str, Any] = {
        "v": 1,
        "run_id": run_id,
        "created": time.time(),
        "filters": filters.as_query(),
        "k": state.k_min_customers,
        "records": len(members) + without_text,
        "records_without_text": without_text,
        "themes": visible,
        "hidden": {"themes": len(hidden), "records": sum(t["size"] for t in hidden)},
        "seconds": round(time.perf_counter() - began, 3),
        "mining": {"seconds": mined.seconds, "peak_rss_mb": mined.peak_rss_mb},
    }
    if probes:
        run["probes"] = [{"index": index, "similarity": similarity} for index, similarity in mined.probe_themes]
        run["arrivals"] = {str(i): [[m["at"], m["customer"]] for m in by_theme[i]] for i in by_theme}
    if not probes:
        await redis.set(keys.themes(run_id), dumps(run), ex=RUN_TTL_S)
        await redis.set(pointer, run_id, ex=FRESH_S)
    return run


async def theme_by_id(state: InsightsState, theme_id: str) -> dict[str, Any]:
    """A theme of a cached run; 404 when the run has expired (mine again) or the theme is hidden."""
    run_id, _, index = theme_id.rpartition(".")
    cached = await state.store.redis.get(keys.themes(run_id)) if RUN_ID.fullmatch(run_id) else None
    if not cached:
        raise GatewayError(404, "theme_not_found", "No such theme: themes are kept an hour; list the themes again.")
    for theme in json.loads(cached)["themes"]:
        if str(theme["index"]) == index:
            return dict(theme)
    raise GatewayError(404, "theme_not_found", "No such theme in that run (or it has too few customers to show).")


def public(theme: dict[str, Any]) -> dict[str, Any]:
    """A theme as the API shows it: without the member list."""
    return {key: value for key, value in theme.items() if key not in ("members", "index")}
