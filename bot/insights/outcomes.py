"""Outcome figures of a period: what became of every contact, not only the unresolved ones.

Read from the contact outcome records (:mod:`learning.contacts`), the agents' dispositions and the
customers' satisfaction answers. Each contact of the period ends in exactly one category:

- ``resolved_by_bot``: nobody was handed over, no flow was left open, and the bot gave its answer (a diagnosis,
  an outage check, a submitted change request) or the customer's home fix worked;
- ``resolved_by_agent``: handed over, and the agent's disposition says resolved;
- ``escalated``: handed over and not (yet) resolved by the agent;
- ``withdrawn``: left the agent queue and then got no answer from the bot;
- ``abandoned``: left a flow open (a form or the bot's question) until the session expired;
- ``no_answer``: finished without a problem being diagnosed (a greeting, a question the bot did not answer);
- ``in_progress``: active within the last ``idle_s``.

A **repeat contact** is a contact that began within 7 days after an earlier contact of the same customer.
**Contained** is resolved by the bot *and* no contact from the same customer within the 7 days after it.
The same customer is found by any shared pseudonym (customer id, account, phone number) or the same
conversation (the web chat keeps it in the browser). A customer who never said who they are and came back
from another device cannot be linked: they count as contained, and ``contained_unidentified`` says how many
of the contained are such customers. Containment less than 7 days old is ``contained_provisional``.
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from learning.satisfaction import SatisfactionAnswer

REPEAT_WINDOW_S = 7 * 86400
"""The industry's usual first-contact-resolution window: back within a week means the first answer failed."""
SATISFIED_MIN_SCORE = 4
"""CSAT counts 4 and 5 out of 5 as satisfied."""


class Category(StrEnum):
    resolved_by_bot = "resolved_by_bot"
    resolved_by_agent = "resolved_by_agent"
    escalated = "escalated"
    withdrawn = "withdrawn"
    abandoned = "abandoned"
    no_answer = "no_answer"
    in_progress = "in_progress"


def classify(contact: dict[str, Any], disposition: dict[str, Any] | None, now: float, idle_s: float) -> Category:
    if contact.get("escalated"):
        return Category.resolved_by_agent if disposition and disposition.get("resolved") else Category.escalated
    if contact.get("resolved") or (contact.get("diagnosed") and not contact.get("abandoned")):
        return Category.resolved_by_bot
    if contact.get("abandoned"):
        return Category.abandoned
    if not contact.get("ended") and float(contact["last_activity"]) > now - idle_s:
        return Category.in_progress
    return Category.withdrawn if contact.get("withdrawn") else Category.no_answer


def attach_dispositions(
    contacts: Iterable[dict[str, Any]], dispositions: dict[str, dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """Contact id → disposition: a conversation's disposition belongs to its latest handed-over contact that
    began before the agent gave it."""
    escalated: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for contact in contacts:
        if contact.get("escalated"):
            escalated[contact["conversation_id"]].append(contact)
    found: dict[str, dict[str, Any]] = {}
    for cid, disposition in dispositions.items():
        given = float(disposition.get("at") or 0.0)
        before = [c for c in escalated.get(cid, []) if float(c["started_at"]) <= given]
        if before:
            found[max(before, key=lambda c: float(c["started_at"]))["id"]] = disposition
    return found


def answers_by_contact(
    contacts: Iterable[dict[str, Any]], answers: Iterable[SatisfactionAnswer]
) -> dict[str, list[int]]:
    """Contact id → scores: an answer belongs to the latest contact of its conversation that began before it."""
    starts: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for contact in contacts:
        starts[contact["conversation_id"]].append((float(contact["started_at"]), contact["id"]))
    scores: dict[str, list[int]] = defaultdict(list)
    for answer in answers:
        own = sorted(starts.get(answer.conversation_id, []))
        at = bisect.bisect_right([start for start, _ in own], answer.at)
        if at:
            scores[own[at - 1][1]].append(answer.score)
    return scores


@dataclass
class Satisfaction:
    answers: int = 0
    average: float | None = None
    satisfied_share: float | None = None
    by_handler: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def of(cls, answers: list[SatisfactionAnswer]) -> Satisfaction:
        if not answers:
            return cls()
        handlers: dict[str, list[int]] = defaultdict(list)
        for answer in answers:
            handlers[answer.handled_by].append(answer.score)
        return cls(
            answers=len(answers),
            average=mean([a.score for a in answers]),
            satisfied_share=share(sum(1 for a in answers if a.score >= SATISFIED_MIN_SCORE), len(answers)),
            by_handler={who: {"answers": len(s), "average": mean(s)} for who, s in sorted(handlers.items())},
        )


@dataclass
class Funnel:
    flow: str | None
    started: int = 0
    identified: int = 0
    diagnosed: int = 0
    resolved: int = 0
    escalated: int = 0


@dataclass
class Outcomes:
    conversations: int
    categories: dict[str, int]
    repeat_contacts: int
    contained: int
    contained_provisional: int
    contained_unidentified: int
    satisfaction: Satisfaction
    funnels: list[Funnel]

    @property
    def resolved(self) -> int:
        return self.categories[Category.resolved_by_bot.value] + self.categories[Category.resolved_by_agent.value]

    @property
    def handed_over(self) -> int:
        return self.categories[Category.escalated.value] + self.categories[Category.resolved_by_agent.value]


def mean(values: list[int]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


def share(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


class CustomerIndex:
    """When each customer (by any of their keys) had a contact, for the 7-day rules."""

    def __init__(self, contacts: Iterable[dict[str, Any]]) -> None:
        self._starts: dict[str, list[float]] = defaultdict(list)
        for contact in contacts:
            for key in contact.get("customer_keys") or []:
                self._starts[key].append(float(contact["started_at"]))
        for starts in self._starts.values():
            starts.sort()

    def any_between(self, contact: dict[str, Any], low: float, high: float) -> bool:
        """Another contact of the same customer began in ``(low, high)`` (open at both ends)."""
        for key in contact.get("customer_keys") or []:
            starts = self._starts.get(key, [])
            at = bisect.bisect_right(starts, low)
            if at < len(starts) and starts[at] < high:
                return True
        return False


def is_unidentified(contact: dict[str, Any]) -> bool:
    return all(key.startswith("conversation:") for key in contact.get("customer_keys") or [])


def summarise(
    in_period: list[dict[str, Any]],
    around: list[dict[str, Any]],
    categories: dict[str, Category],
    answers: list[SatisfactionAnswer],
    now: float,
) -> Outcomes:
    """Figures of ``in_period`` contacts; ``around`` also holds the contacts 7 days either side (repeat rules);
    ``categories`` maps contact id to its category; ``answers`` are the satisfaction answers of the period."""
    index = CustomerIndex(around)
    counts = Counter({c.value: 0 for c in Category})
    repeat = contained = provisional = unidentified = 0
    funnels: dict[str | None, Funnel] = {}
    for contact in in_period:
        start = float(contact["started_at"])
        category = categories[contact["id"]]
        counts[category.value] += 1
        if index.any_between(contact, start - REPEAT_WINDOW_S, start):
            repeat += 1
        if category is Category.resolved_by_bot and not index.any_between(contact, start, start + REPEAT_WINDOW_S):
            contained += 1
            provisional += start + REPEAT_WINDOW_S > now
            unidentified += is_unidentified(contact)
        funnel = funnels.setdefault(contact.get("flow"), Funnel(contact.get("flow")))
        funnel.started += 1
        funnel.identified += bool(contact.get("identified"))
        funnel.diagnosed += bool(contact.get("diagnosed"))
        funnel.resolved += category in (Category.resolved_by_bot, Category.resolved_by_agent)
        funnel.escalated += category in (Category.escalated, Category.resolved_by_agent)
    ordered = sorted(funnels.values(), key=lambda f: (f.flow is None, -f.started, f.flow or ""))
    return Outcomes(len(in_period), dict(counts), repeat, contained, provisional, unidentified,
                    Satisfaction.of(answers), ordered)  # fmt: skip
