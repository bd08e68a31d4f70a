"""Everything the outcomes page and its JSON API show for a period, read from Redis in one place."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from bot.insights import dispositions, outcomes
from bot.insights.dispositions import DispositionSummary
from bot.insights.filters import Filters, iso
from bot.insights.model_versions import ModelFigures, per_model
from bot.insights.outcomes import REPEAT_WINDOW_S, Outcomes, attach_dispositions, classify
from bot.insights.state import InsightsState
from learning.satisfaction import SatisfactionAnswer, SatisfactionStore

ANSWER_GRACE_S = 86400
"""Answers given up to a day after the period still belong to its contacts (for the per-model figures)."""


@dataclass
class Report:
    filters: Filters
    outcomes: Outcomes
    models: list[ModelFigures]
    dispositions: DispositionSummary
    dispositions_per_flow: list[DispositionSummary]
    disposition_records: dict[str, dict[str, Any]]
    answers: list[SatisfactionAnswer]
    """The satisfaction answers given in the period by customers of its conversations."""

    def as_dict(self) -> dict[str, Any]:
        figures = self.outcomes
        return {
            "v": 1,
            "from": iso(self.filters.start),
            "to": iso(self.filters.end),
            "conversations": figures.conversations,
            "resolved": figures.resolved,
            "repeat_contacts": figures.repeat_contacts,
            "contained": figures.contained,
            "contained_provisional": figures.contained_provisional,
            "contained_unidentified": figures.contained_unidentified,
            "handed_over": figures.handed_over,
            "categories": figures.categories,
            "satisfaction": vars(figures.satisfaction),
            "funnels": [vars(f) for f in figures.funnels],
            "models": [m.as_dict() for m in self.models],
            "dispositions": self.dispositions.as_dict(),
            "dispositions_per_flow": [d.as_dict() for d in self.dispositions_per_flow],
        }


def _matches(filters: Filters, contact: dict[str, Any]) -> bool:
    if filters.flow and contact.get("flow") != filters.flow:
        return False
    return filters.channel_matches(contact.get("channel"))


async def build_report(state: InsightsState, filters: Filters, now: float | None = None) -> Report:
    now = now if now is not None else time.time()
    store = state.store
    around = await store.contacts(filters.start - REPEAT_WINDOW_S, filters.end + REPEAT_WINDOW_S)
    in_period = [c for c in around if filters.start <= float(c["started_at"]) < filters.end and _matches(filters, c)]
    given = attach_dispositions(in_period, await store.dispositions({c["conversation_id"] for c in in_period}))
    idle_s = state.settings.learning_abandon_after_s
    categories = {c["id"]: classify(c, given.get(c["id"]), now, idle_s) for c in in_period}
    satisfaction = SatisfactionStore(store.redis, state.settings.learning_retention_days)
    wanted = {c["conversation_id"] for c in in_period}
    answers = [a for a in await satisfaction.between(filters.start, filters.end + ANSWER_GRACE_S)
               if a.conversation_id in wanted]  # fmt: skip
    in_window = [a for a in answers if a.at < filters.end]
    figures = outcomes.summarise(in_period, around, categories, in_window, now)
    models = per_model(in_period, categories, outcomes.answers_by_contact(in_period, answers))
    records = await dispositions.disposition_records(store, filters)
    overall, per_flow = dispositions.summarise(records.values())
    return Report(filters, figures, models, overall, per_flow, records, in_window)
