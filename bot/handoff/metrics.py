"""The supervisor's figures for a period: per queue and per agent, counted from the case journal
(``bot.handoff.journal``), the chats' histories (``bot.chat.store``) and customers' answers
(``learning.satisfaction``).

How each figure is counted (``EXPLAINED`` says the same on the page):

- offered: a case entered the queue in the period (escalated to it, transferred or reassigned into it; a
  customer put back in the queue because their agent went away is not offered again);
- answered: an agent accepted a waiting case in the period, once per offer (a customer requeued because their
  agent went away is not answered again; reassignments and picked-up callbacks are not answers);
- abandoned in queue: the customer withdrew while waiting, before any agent accepted, in the period;
- wait: entry into the queue to that accept, for the cases answered in the period;
- first reply: accept to that agent's first message to the customer, per hold that started in the period
  (reassignments and pick-ups included) and in which the agent wrote;
- handle: accept to the end of the hold (end, hand-back, transfer, reassignment, requeue), per hold that
  started in the period and has ended;
- satisfaction: answers given in the period to chats an agent ended: mean score, answers, share of 4-5.

Percentiles are nearest-rank: p50 of [10, 20, 30, 40] is 20, p90 is 40.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.chat.store import ChatStore
from bot.handoff.journal import CaseJournal, Step
from learning.satisfaction import SatisfactionAnswer, SatisfactionStore

EXPLAINED = {
    "offered": "Cases that entered the queue in the period: escalated to it, transferred or reassigned into it.",
    "answered": "Offered cases an agent accepted in the period, once each (reassignments and callbacks not counted).",
    "abandoned": "Customers who left the queue before any agent accepted (they withdrew while waiting).",
    "wait": "Time in the queue, from entering it to an agent's accept, for the cases answered.",
    "first_reply": "From an agent's accept to their first message to the customer, per chat they held.",
    "handle": "From an agent's accept to the end of their hold: end, hand-back, transfer or reassignment.",
    "satisfaction": "Customers' 1-5 answers after chats an agent ended: mean, number of answers, share of 4 and 5.",
}


def percentile(values: Iterable[float], q: float) -> float | None:
    """Nearest-rank percentile (``q`` in (0, 1]); ``None`` for no values."""
    ordered = sorted(values)
    if not ordered:
        return None
    return ordered[max(1, math.ceil(q * len(ordered))) - 1]


def spread(values: list[float]) -> dict[str, Any]:
    """Seconds (to a tenth, as times are kept to the millisecond): how many, p50, p90."""
    p50, p90 = percentile(values, 0.5), percentile(values, 0.9)
    return {
        "n": len(values),
        "p50": None if p50 is None else round(p50, 1),
        "p90": None if p90 is None else round(p90, 1),
    }


def satisfaction(answers: list[SatisfactionAnswer]) -> dict[str, Any]:
    if not answers:
        return {"count": 0, "mean": None, "share_4_5": None}
    return {"count": len(answers), "mean": round(sum(a.score for a in answers) / len(answers), 2),
            "share_4_5": round(sum(1 for a in answers if a.score >= 4) / len(answers), 4)}  # fmt: skip


@dataclass
class Tally:
    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    wait: list[float] = field(default_factory=list)
    first_reply: list[float] = field(default_factory=list)
    handle: list[float] = field(default_factory=list)
    answers: list[SatisfactionAnswer] = field(default_factory=list)

    def view(self) -> dict[str, Any]:
        return {"offered": self.offered, "answered": self.answered, "abandoned": self.abandoned,
                "wait": spread(self.wait), "first_reply": spread(self.first_reply), "handle": spread(self.handle),
                "satisfaction": satisfaction(self.answers)}  # fmt: skip

    @property
    def empty(self) -> bool:
        return not (self.offered or self.answered or self.abandoned or self.first_reply or self.handle
                    or self.answers)  # fmt: skip


@dataclass(frozen=True)
class Hold:
    agent: str
    queue: str
    start: float
    end: float | None


def holds(steps: list[Step]) -> list[Hold]:
    """Each agent's time holding the case, in order (an accept without its release is still open)."""
    found: list[Hold] = []
    open_hold: Step | None = None
    for step in steps:
        if step.type == "accepted":
            if open_hold is not None:  # a release this journal never heard: the hold ends where the next begins
                found.append(Hold(open_hold.agent or "", open_hold.queue, open_hold.at, step.at))
            open_hold = step
        elif step.type == "released" and open_hold is not None:
            found.append(Hold(open_hold.agent or "", open_hold.queue, open_hold.at, step.at))
            open_hold = None
    if open_hold is not None:
        found.append(Hold(open_hold.agent or "", open_hold.queue, open_hold.at, None))
    return found


def figures(
    steps_by_case: Mapping[str, list[Step]],
    agent_messages: Mapping[str, list[float]],
    answers: list[SatisfactionAnswer],
    start: float,
    end: float,
) -> dict[str, Any]:
    """The period's figures. ``agent_messages``: per case, the times (s) of agents' messages to the customer."""

    def within(at: float) -> bool:
        return start <= at <= end

    queues: dict[str, Tally] = defaultdict(Tally)
    agents: dict[str, Tally] = defaultdict(Tally)
    total = Tally()
    for case_id, steps in steps_by_case.items():
        waiting_since: float | None = None  # since the case was offered to a queue, while it waits unanswered
        for step in steps:
            if step.type == "entered":
                if step.how == "requeued":
                    continue  # its agent went away: still the same offer, answered once already
                waiting_since = step.at
                if within(step.at):
                    queues[step.queue].offered += 1
                    total.offered += 1
            elif step.type == "accepted":
                if step.how == "accepted" and waiting_since is not None and within(step.at):
                    for tally in (queues[step.queue], agents[step.agent or ""], total):
                        tally.answered += 1
                        tally.wait.append(step.at - waiting_since)
                waiting_since = None
            elif step.type == "abandoned":
                if waiting_since is not None and within(step.at):
                    queues[step.queue].abandoned += 1
                    total.abandoned += 1
                waiting_since = None
            elif step.type == "parked":
                waiting_since = None
        sent = sorted(agent_messages.get(case_id, []))
        for hold in holds(steps):
            if not within(hold.start):
                continue
            tallies = (queues[hold.queue], agents[hold.agent], total)
            first = next((t for t in sent if t >= hold.start and (hold.end is None or t <= hold.end)), None)
            for tally in tallies:
                if first is not None:
                    tally.first_reply.append(first - hold.start)
                if hold.end is not None:
                    tally.handle.append(hold.end - hold.start)
    for answer in answers:
        if answer.handled_by != "agent":
            continue
        total.answers.append(answer)
        if answer.queue:
            queues[answer.queue].answers.append(answer)
        if answer.agent:
            agents[answer.agent].answers.append(answer)
    return {
        "empty": total.empty,
        "total": total.view(),
        "queues": [{"queue": q, **t.view()} for q, t in sorted(queues.items()) if not t.empty],
        "agents": [{"agent": a, **t.view()} for a, t in sorted(agents.items()) if a and not t.empty],
        "explained": EXPLAINED,
    }


LOOKBACK_S = 2 * 86400  # cases created this long before the period still count for what happened within it


async def period_figures(
    journal: CaseJournal, store: ChatStore, satisfaction_store: SatisfactionStore, start: float, end: float
) -> dict[str, Any]:
    """Read what the period needs from Redis and count it (``figures``)."""
    await journal.purge()
    case_ids = await journal.case_ids(start - LOOKBACK_S, end)
    steps = await journal.steps(case_ids)
    conversations = await journal.conversations(case_ids)
    sent: dict[str, list[float]] = {}
    for case_id, case_steps in steps.items():
        if any(s.type == "accepted" for s in case_steps) and conversations.get(case_id):
            history = await store.history(conversations[case_id])
            sent[case_id] = [e["ts"] / 1000 for e in history
                             if e.get("kind") == "message" and e.get("from") == "agent" and e.get("ts")]  # fmt: skip
    answers = await satisfaction_store.between(start, end)
    return {"v": 1, "from": start, "to": end, **figures(steps, sent, answers, start, end)}
