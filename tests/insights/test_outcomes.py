"""Outcome figures from constructed conversations on the real Redis: exact numbers for known inputs.

The world (T0 = 9 days ago; the period is T0 to T0 + 10 days, so it includes now):

| contact | customer | start | what happened | category |
|---|---|---|---|---|
| J0 | AC-J | T0-8d | resolved by the bot | (before the period) |
| J1 | AC-J | T0+12h | resolved by the bot | resolved_by_bot, contained (J0 is 8.5 days back: no repeat) |
| H0 | AC-H | T0-2d | resolved by the bot | (before the period) |
| H1 | AC-H | T0+1d | resolved by the bot | resolved_by_bot, repeat (H0 3 days back), contained |
| A1 | AC-A | T0+1d | resolved by the bot | resolved_by_bot, not contained (A2 came 2 days later) |
| A2 | AC-A | T0+3d | handed over, agent resolved | resolved_by_agent, repeat |
| B1 | AC-B | T0+2d+1h | outage checked | resolved_by_bot, contained, provisional |
| C | nobody | T0+4d | order status answered | resolved_by_bot, contained, provisional, unidentified |
| D1 | nobody | T0+5d | bill answered | resolved_by_bot, not contained (same chat came back) |
| D2 | same chat | T0+6d | handed over, agent did not resolve | escalated, repeat |
| E | AC-E | T0+6d | handed over, then left the queue | withdrawn |
| F | nobody | T0+7d | left the identification form | abandoned |
| G | nobody | T0+8d | "hello?" not understood, goodbye | no_answer |
| K | nobody | now-10min | still talking | in_progress |
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import httpx

from bot.insights.conversations import DispositionIn, RootCause, record_disposition
from bot.insights.filters import iso, make_filters
from bot.insights.outcome_report import build_report
from bot.insights.state import InsightsState
from core.pseudonyms import pseudonym
from learning import keys
from learning.satisfaction import SatisfactionAnswer, SatisfactionStore
from tests.insights.conftest import SECRET, Seeder

DAY = 86400.0
HOUR = 3600.0


class World:
    def __init__(self, seeder: Seeder, state: InsightsState) -> None:
        self.seeder, self.state = seeder, state
        self.now = time.time()
        self.t0 = self.now - 9 * DAY
        self.answers = SatisfactionStore(state.store.redis, 180)

    async def contact(
        self, cid: str, at: float, *, customer: str | None = None, problem: str | None = None, model: str = "m-new",
        diagnosed: bool = False, escalate: bool = False, withdraw: bool = False, form: bool = False,
        goodbye: bool = False, first_intent: str = "ask_bill",
    ) -> None:  # fmt: skip
        events: list[dict[str, Any]] = [
            {"type": "session_started"},
            {"type": "user", "text": "hello?", "intent": {"name": first_intent, "confidence": 0.95 if
             first_intent != "nlu_fallback" else 0.4}, "ranking": [], "entities": [], "channel": "rest"},
        ]  # fmt: skip
        if problem:
            events.append({"type": "slot", "name": "problem", "value": problem})
        if customer:
            ref = pseudonym(SECRET, customer)
            events.append({"type": "slot", "name": "identity", "value": {"customer": ref, "refs": [ref]}})
        if form:
            events.append({"type": "active_loop", "name": "identify_form"})
        if diagnosed:
            events.append({"type": "action", "name": "action_diagnose"})
        if escalate:
            events.append({"type": "slot", "name": "escalation", "value": {"reason": "customer_request"}})
        if withdraw:
            events.append({"type": "slot", "name": "escalation", "value": None})
            events.append({"type": "slot", "name": "findings", "value": {"withdrawn_from_queue": True}})
        if goodbye:
            intent = {"name": "goodbye", "confidence": 0.99}
            events.append({"type": "user", "text": "bye", "intent": intent, "ranking": [], "entities": []})
        for i, event in enumerate(events):
            event.update(v=1, conversation_id=cid, at=at + i, eid=uuid.uuid4().hex, model_id=model)
            await self.seeder.redis.xadd(keys.EVENTS, {"v": "1", "e": json.dumps(event)})
        while await self.seeder.consumer.process_once(block_ms=None):
            pass

    async def answer(self, cid: str, at: float, score: int, handled_by: str, comment: str | None = None) -> None:
        await self.answers.record(SatisfactionAnswer(conversation_id=cid, survey_id="end-1", score=score, at=at,
                                                     handled_by=handled_by, comment=comment))  # fmt: skip

    async def disposition(self, cid: str, resolved: bool, could: bool, cause: RootCause) -> None:
        body = DispositionIn(conversation_id=cid, bot_could_handle=could, root_cause=cause, resolved=resolved)
        await record_disposition(self.state.store, body, "dana")

    async def build(self) -> None:
        t0, c = self.t0, self.contact
        await c("conv-j", t0 - 8 * DAY, customer="AC-J", problem="report_internet_down", diagnosed=True, model="m-old")
        await c("conv-j1", t0 + 12 * HOUR, customer="AC-J", problem="report_internet_down", diagnosed=True,
                model="m-old")  # fmt: skip
        await c("conv-h0", t0 - 2 * DAY, customer="AC-H", problem="check_outage", diagnosed=True, model="m-old")
        await c("conv-h1", t0 + DAY, customer="AC-H", problem="check_outage", diagnosed=True, model="m-old")
        await c("conv-a1", t0 + DAY, customer="AC-A", problem="report_internet_down", diagnosed=True,
                goodbye=True, model="m-old")  # fmt: skip
        await c("conv-b1", t0 + 2 * DAY + HOUR, customer="AC-B", problem="check_outage", diagnosed=True,
                model="m-old")  # fmt: skip
        # m-new is deployed on day 3
        await c("conv-a2", t0 + 3 * DAY, customer="AC-A", problem="bill_too_high", escalate=True)
        await c("conv-c", t0 + 4 * DAY, problem="order_status", diagnosed=True)
        await c("conv-d", t0 + 5 * DAY, problem="ask_bill", diagnosed=True, goodbye=True)
        await c("conv-d", t0 + 6 * DAY, problem="ask_bill", escalate=True)
        await c("conv-e", t0 + 6 * DAY, customer="AC-E", problem="payment_problem", escalate=True, withdraw=True)
        await c("conv-f", t0 + 7 * DAY, problem="order_status", form=True)
        await c("conv-g", t0 + 8 * DAY, first_intent="nlu_fallback", goodbye=True)
        await c("conv-k", self.now - 600, problem="bill_too_high")
        await self.seeder.consumer.sweep(self.now)  # F's form has been open and silent for days
        await self.disposition("conv-a2", resolved=True, could=False, cause=RootCause.bss_data)
        await self.disposition("conv-d", resolved=False, could=True, cause=RootCause.bot_understanding)
        await self.answer("conv-a1", t0 + DAY + 600, 5, "bot", "Quick fix, thanks")
        await self.answer("conv-a2", t0 + 3 * DAY + HOUR, 2, "agent", "Took <b>ages</b>")
        await self.answer("conv-c", t0 + 4 * DAY + 60, 4, "bot")


async def world(seeder: Seeder, state: InsightsState) -> World:
    built = World(seeder, state)
    await built.build()
    return built


async def test_the_denominators_of_a_known_world(seeder: Seeder, state: InsightsState) -> None:
    w = await world(seeder, state)
    filters = make_filters(None, None)
    filters = filters.copy(update={"start": w.t0, "end": w.t0 + 10 * DAY})
    report = await build_report(state, filters, now=w.now)
    figures = report.outcomes
    assert figures.conversations == 12
    assert figures.categories == {
        "resolved_by_bot": 6, "resolved_by_agent": 1, "escalated": 1, "withdrawn": 1, "abandoned": 1,
        "no_answer": 1, "in_progress": 1,
    }  # fmt: skip
    assert (figures.resolved, figures.handed_over) == (7, 2)
    assert figures.repeat_contacts == 3, "A2, D2 (the same chat) and H1 (3 days after H0); not J1 (8.5 days)"
    assert figures.contained == 4, "J1, H1, B1, C; not A1 nor D1, whose customers came back within 7 days"
    assert figures.contained_provisional == 2, "B1 and C are less than 7 days old"
    assert figures.contained_unidentified == 1, "C never said who they were"
    sat = figures.satisfaction
    assert (sat.answers, sat.average, sat.satisfied_share) == (3, 3.67, 0.667)
    assert sat.by_handler == {"agent": {"answers": 1, "average": 2.0}, "bot": {"answers": 2, "average": 4.5}}


async def test_funnels_dispositions_and_model_versions(seeder: Seeder, state: InsightsState) -> None:
    w = await world(seeder, state)
    filters = make_filters(None, None).copy(update={"start": w.t0, "end": w.t0 + 10 * DAY})
    report = await build_report(state, filters, now=w.now)
    funnels = {f.flow: vars(f) for f in report.outcomes.funnels}
    assert funnels["report_internet_down"] == {"flow": "report_internet_down", "started": 2, "identified": 2,
                                               "diagnosed": 2, "resolved": 2, "escalated": 0}  # fmt: skip
    assert funnels["ask_bill"] == {"flow": "ask_bill", "started": 2, "identified": 0, "diagnosed": 1,
                                   "resolved": 1, "escalated": 1}  # fmt: skip
    assert funnels[None]["started"] == 1, "G named no problem"
    assert report.dispositions.as_dict() == {
        "name": None, "count": 2, "bot_could_handle": 1, "bot_could_handle_share": 0.5, "resolved": 1,
        "follow_up": 0, "not_resolved": 1,
        "root_causes": {"bss_data": 1, "bot_understanding": 1},
    }  # fmt: skip
    assert {d.name: d.count for d in report.dispositions_per_flow} == {"bill_too_high": 1, "ask_bill": 1}
    models = {m.model_id: m for m in report.models}
    assert [m.model_id for m in report.models] == ["m-new", "m-old"], "the newest model first"
    old, new = models["m-old"], models["m-new"]
    assert (old.conversations, old.escalation_share, old.satisfaction, old.fallback_share) == (4, 0.0, 5.0, 0.0)
    assert (new.conversations, new.escalation_share, new.satisfaction) == (8, 0.25, 3.0)
    assert new.fallback_share == 0.1, "G's one turn not understood, of 10 customer turns"
    assert (old.first_seen, new.first_seen) == (w.t0 + 12 * HOUR, w.t0 + 3 * DAY)


async def test_the_outcomes_api_for_product_owners_only(
    po: httpx.AsyncClient, agent: httpx.AsyncClient, seeder: Seeder, state: InsightsState
) -> None:
    w = await world(seeder, state)
    params = {"from": iso(w.t0), "to": iso(w.t0 + 10 * DAY)}
    assert (await agent.get("/api/insights/outcomes", params=params)).status_code == 403
    body = (await po.get("/api/insights/outcomes", params=params)).json()
    assert (body["conversations"], body["resolved"], body["repeat_contacts"], body["contained"]) == (12, 7, 3, 4)
    narrowed = (await po.get("/api/insights/outcomes", params={**params, "flow": "ask_bill"})).json()
    assert (narrowed["conversations"], narrowed["handed_over"], narrowed["repeat_contacts"]) == (2, 1, 1)
    bad = await po.get("/api/insights/outcomes", params={"from": "yesterday"})
    assert bad.status_code == 422


async def test_bad_periods_get_a_clear_error_page(po: httpx.AsyncClient) -> None:
    for query, message in [
        ({"preset": "yesterday"}, "Unknown period"),
        ({"from": "2026-13-40"}, "is not a date: “2026-13-40”"),
        ({"from": "2026-01-02T00:00:00Z", "to": "2026-01-01T00:00:00Z"}, "earlier than"),
        ({"preset": "\u202e7d"}, "Unknown period"),
    ]:
        response = await po.get("/insights/outcomes", params=query)
        assert response.status_code == 400 and message in response.text, query
        assert "\u202e" not in response.text, "a bidi control is not echoed into the page"


async def test_the_outcomes_page_shows_resolution_first_and_escapes_comments(
    po: httpx.AsyncClient, seeder: Seeder, state: InsightsState
) -> None:
    w = await world(seeder, state)
    page = await po.get("/insights/outcomes", params={"from": iso(w.t0), "to": iso(w.t0 + 10 * DAY)})
    html = page.text
    assert page.status_code == 200
    assert html.index("Resolved") < html.index("Repeat contacts") < html.index("Contained")
    assert "Took &lt;b&gt;ages&lt;/b&gt;" in html and "<b>ages</b>" not in html
    assert "Internet down" in html and "Billing, order or account data wrong or missing" in html
    detail = await po.get("/insights/conversations/conv-a2")
    assert "2/5 after an agent" in detail.text and "resolved · cause: Billing" in detail.text
    assert (await po.get("/insights/conversations/conv-nobody")).status_code == 404
    assert (await po.get("/insights/conversations/%3Cscript%3E")).status_code == 400


ROAMING_CALLS = [
    ["why was I charged for roaming in spain", "roaming charges on my bill from my holiday"],
    ["I was charged roaming fees in france", "roaming data charges are far too high"],
    ["charged for roaming while abroad", "roaming costs on my last bill are wrong"],
]


async def test_dispositions_per_theme_on_the_outcomes_page(
    po: httpx.AsyncClient, seeder: Seeder, state: InsightsState
) -> None:
    ids = [
        await seeder.conversation(texts, customer=f"CUST-R{i}", escalation="repeated_fallback", intent="out_of_scope")
        for i, texts in enumerate(ROAMING_CALLS)
    ]
    w = World(seeder, state)
    await w.disposition(ids[0], resolved=True, could=True, cause=RootCause.bot_flow_missing)
    await w.disposition(ids[1], resolved=False, could=False, cause=RootCause.product_policy)
    html = (await po.get("/insights/outcomes")).text
    table = html[html.index('<table class="dispositions-themes">') :]
    row = table[table.index("roaming") : table.index("</tr>", table.index("roaming"))]
    assert "<td>2</td><td>50%</td><td>1</td>" in row, row
    assert "Bot has no flow for it 1" in row and "Product or policy gap 1" in row
