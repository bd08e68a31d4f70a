"""Exports, written as they are read: CSV and JSON of records and themes, and Rasa NLU training candidates.

Every export is an async generator of text chunks, so the API streams it and the CLI writes it to a file
without holding the whole export in memory. Records are read page by page from the stream.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator, Iterable
from typing import Any

from bot.insights.filters import Filters, iso
from bot.insights.query import select
from learning.store import LearningStore

RECORD_COLUMNS = ("id", "at", "trigger", "reason", "conversation_id", "customer", "utterance", "intent",
                  "confidence", "fallback", "flow", "active_loop", "last_action", "channel", "model_id", "outcome",
                  "escalation_reason", "findings", "entities")  # fmt: skip
THEME_COLUMNS = ("id", "label", "terms", "size", "utterances", "conversations", "customers", "trend", "recent",
                 "earlier", "escalation_share", "repeat_contacts", "suggested_intent", "findings",
                 "examples")  # fmt: skip
# Placeholders the bot's NLU knows as entities become annotated sample values in training candidates.
ENTITY_SAMPLES = {
    "<PHONE>": "[07700 900000](phone_number)",
    "<ACCOUNT>": "[AC00000000](account_number)",
    "<POSTCODE>": "[AB1 2CD](postcode)",
    "<TICKET>": "[TT-000000](ticket_id)",
    "<ORDER>": "[ORD-000000](order_id)",
}


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""A cell starting so is run as a formula by spreadsheets; customers' words must never be."""


UNWRITABLE = "\x00"
"""The csv module cannot write a NUL (it raises mid-export); customers can type one, so it becomes U+FFFD."""


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str):
        value = value.replace(UNWRITABLE, "\ufffd")
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    return value


def csv_line(values: Iterable[Any]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow([_cell(v) for v in values])
    return buffer.getvalue()


def record_row(record_id: str, record: dict[str, Any]) -> list[Any]:
    state = record.get("state") or {}
    intent = record.get("intent") or {}
    escalation = record.get("escalation") or {}
    return [
        record_id, iso(float(record["at"])), record["trigger"], record.get("reason"), record["conversation_id"],
        record.get("customer"), record.get("utterance"), intent.get("name"), intent.get("confidence"),
        record.get("fallback"), record.get("flow"), state.get("active_loop"), state.get("last_action"),
        record.get("channel"), record.get("model_id"), record.get("outcome"), escalation.get("reason"),
        json.dumps(record.get("findings") or {}, ensure_ascii=False),
        json.dumps(record.get("entities") or [], ensure_ascii=False),
    ]  # fmt: skip


async def records_csv(store: LearningStore, filters: Filters) -> AsyncIterator[str]:
    yield csv_line(RECORD_COLUMNS)
    async for record_id, record in select(store, filters):
        yield csv_line(record_row(record_id, record))


async def records_json(store: LearningStore, filters: Filters) -> AsyncIterator[str]:
    """A JSON array, one record per line: ``[{"id": ..., ...},\\n...]``."""
    yield '{"v":1,"filters":' + json.dumps(filters.as_query()) + ',"records":[\n'
    first = True
    async for record_id, record in select(store, filters):
        yield ("" if first else ",\n") + json.dumps({"id": record_id, **record}, ensure_ascii=False)
        first = False
    yield "\n]}\n"


def theme_row(theme: dict[str, Any]) -> list[Any]:
    intent = theme.get("suggested_intent") or {}
    return [
        theme["id"], theme["label"], "; ".join(theme["terms"]), theme["size"], theme["utterances"],
        theme["conversations"], theme["customers"], theme["trend"]["direction"], theme["trend"]["recent"],
        theme["trend"]["earlier"], theme["escalation_share"], theme["repeat_contacts"], intent.get("name"),
        " | ".join(f["text"] for f in theme["findings"]), " | ".join(theme["examples"]),
    ]  # fmt: skip


async def themes_csv(run: dict[str, Any]) -> AsyncIterator[str]:
    yield csv_line(THEME_COLUMNS)
    for theme in run["themes"]:
        yield csv_line(theme_row(theme))


async def themes_json(run: dict[str, Any]) -> AsyncIterator[str]:
    head = {key: run[key] for key in ("v", "run_id", "filters", "k", "records", "hidden")}
    yield json.dumps(head)[:-1] + ',"themes":[\n'
    for i, theme in enumerate(run["themes"]):
        public = {key: value for key, value in theme.items() if key not in ("members", "index")}
        yield ("" if i == 0 else ",\n") + json.dumps(public, ensure_ascii=False)
    yield "\n]}\n"


def training_text(utterance: str) -> str:
    """One line of a YAML block: placeholders known as entities become annotated samples."""
    text = " ".join(utterance.split())
    for placeholder, sample in ENTITY_SAMPLES.items():
        text = text.replace(placeholder, sample)
    return text
