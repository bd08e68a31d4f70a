"""Figures per Rasa model version, so a newly trained model can be compared with the one before it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from bot.insights.outcomes import Category, mean, share

UNKNOWN_MODEL = "(unknown)"


@dataclass
class ModelFigures:
    model_id: str
    first_seen: float
    last_seen: float
    conversations: int = 0
    turns: int = 0
    fallbacks: int = 0
    handed_over: int = 0
    scores: list[int] = field(default_factory=list)

    @property
    def fallback_share(self) -> float | None:
        """Customer turns the bot did not understand (fallback, out of scope or unsure), of all turns."""
        return share(self.fallbacks, self.turns)

    @property
    def escalation_share(self) -> float | None:
        return share(self.handed_over, self.conversations)

    @property
    def satisfaction(self) -> float | None:
        return mean(self.scores)

    def as_dict(self) -> dict[str, Any]:
        return {"model_id": self.model_id, "first_seen": self.first_seen, "last_seen": self.last_seen,
                "conversations": self.conversations, "fallback_share": self.fallback_share,
                "escalation_share": self.escalation_share, "satisfaction": self.satisfaction,
                "satisfaction_answers": len(self.scores)}  # fmt: skip


def per_model(
    contacts: list[dict[str, Any]], categories: dict[str, Category], scores: dict[str, list[int]]
) -> list[ModelFigures]:
    """Newest model first (by when it was first seen)."""
    models: dict[str, ModelFigures] = {}
    by_model: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for contact in contacts:
        by_model[str(contact.get("model_id") or UNKNOWN_MODEL)].append(contact)
    for model_id, own in by_model.items():
        figures = models[model_id] = ModelFigures(
            model_id,
            min(float(c["started_at"]) for c in own),
            max(float(c["last_activity"]) for c in own),
        )
        for contact in own:
            figures.conversations += 1
            figures.turns += int(contact.get("turns") or 0)
            figures.fallbacks += int(contact.get("fallbacks") or 0)
            figures.handed_over += categories[contact["id"]] in (Category.escalated, Category.resolved_by_agent)
            figures.scores += scores.get(contact["id"], [])
    return sorted(models.values(), key=lambda m: -m.first_seen)
