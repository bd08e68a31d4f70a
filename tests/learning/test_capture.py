"""Every trigger of the issue, fed as Rasa events through the broker's forwarder and the consumer into Redis."""

from __future__ import annotations

import json

from learning import keys
from tests.learning import rasa_events as ev
from tests.learning.conftest import ABANDON_AFTER_S, Pipeline

T0 = 1_750_000_000.0


async def test_fallback_keeps_the_original_prediction_and_redacts_the_utterance(pipeline: Pipeline) -> None:
    await pipeline.feed(
        [
            *ev.start("c-fallback", T0),
            ev.fallback(
                "c-fallback",
                "my fibre is doing the thing again, call 07700 900123",
                "report_slow_internet",
                0.41,
                at=T0 + 5,
            ),
            ev.action("c-fallback", "action_handle_unclear", T0 + 6),
        ]
    )
    [record] = await pipeline.records()
    assert record["trigger"] == "nlu_fallback"
    assert record["fallback"] is True
    assert record["intent"] == {"name": "report_slow_internet", "confidence": 0.41}
    assert [r["name"] for r in record["intent_ranking"]] == ["nlu_fallback", "report_slow_internet"]
    assert record["utterance"] == "my fibre is doing the thing again, call <PHONE>"
    assert record["channel"] == "web"
    assert record["model_id"] == ev.MODEL_ID
    assert record["at"] == T0 + 5
    assert record["conversation_id"] == "c-fallback"
    assert record["v"] == 1


async def test_low_confidence_is_captured_below_the_threshold_only(pipeline: Pipeline) -> None:
    await pipeline.feed(
        [
            *ev.start("c-low", T0),
            ev.user(
                "c-low", "the bill thing", "bill_too_high", 0.55, ranking=[("bill_too_high", 0.55), ("ask_bill", 0.3)]
            ),
            ev.user("c-low", "why is my bill so high", "bill_too_high", 0.97),
        ]
    )
    [record] = await pipeline.records()
    assert (record["trigger"], record["utterance"]) == ("low_confidence", "the bill thing")
    assert record["intent"]["name"] == "bill_too_high"


async def test_out_of_scope(pipeline: Pipeline) -> None:
    await pipeline.feed(
        [*ev.start("c-oos", T0), ev.user("c-oos", "can you book me a table for two", "out_of_scope", 0.93)]
    )
    [record] = await pipeline.records()
    assert record["trigger"] == "out_of_scope"
    assert record["outcome"] == "open"


async def test_escalation_with_its_reason_code_and_the_dialogue_state(pipeline: Pipeline) -> None:
    handoff = {
        "v": 1,
        "reason": "ticket_past_sla",
        "queue": "technical",
        "priority": "high",
        "priority_reasons": ["ticket_past_sla"],
        "problem": "ticket_status",
        "summary": "Ticket TT-100024 of Mason Baker is late",
        "identity": {"customer_id": "CUST-000024"},
    }
    await pipeline.feed(
        [
            *ev.start("c-esc", T0),
            ev.user("c-esc", "where is my engineer", "ticket_status", 0.88),
            ev.slot("c-esc", "problem", "ticket_status"),
            ev.active_loop("c-esc", "identify_form"),
            ev.active_loop("c-esc", None),
            ev.action("c-esc", "action_diagnose"),
            ev.slot(
                "c-esc",
                "findings",
                {"ticket": "TT-100024", "ticket_status": "inProgress", "diagnosis": "ticket_past_sla"},
            ),
            ev.slot("c-esc", "escalation", handoff),
            ev.bot("c-esc", "I'm passing you to a person", custom=None),
        ]
    )
    [record] = await pipeline.records()
    assert record["trigger"] == "escalation"
    assert record["reason"] == "ticket_past_sla"
    assert record["escalation"] == {
        "reason": "ticket_past_sla",
        "queue": "technical",
        "priority": "high",
        "priority_reasons": ["ticket_past_sla"],
        "problem": "ticket_status",
    }
    assert record["state"] == {
        "active_loop": None,
        "last_action": "action_diagnose",
        "problem": "ticket_status",
        "awaiting": None,
    }
    assert record["flow"] == "ticket_status"
    assert record["problem_utterance"] == "where is my engineer", "what started the flow, for themes"
    assert record["findings"] == {"ticket_status": "inProgress", "diagnosis": "ticket_past_sla"}, "ids are left out"
    assert record["outcome"] == "escalated"


async def test_oss_failure_during_a_diagnosis_then_its_escalation(pipeline: Pipeline) -> None:
    await pipeline.feed(
        [
            *ev.start("c-oss", T0),
            ev.user("c-oss", "my internet is down", "report_internet_down", 0.95),
            ev.slot("c-oss", "problem", "report_internet_down"),
            ev.action("c-oss", "action_diagnose"),
            ev.slot(
                "c-oss",
                "evidence",
                [
                    {
                        "api": "serviceTest",
                        "operation": "run_line_test",
                        "target": "SVC-1",
                        "started_at": "2025-06-15T10:00:00Z",
                        "latency_ms": 3000.0,
                        "outcome": "unavailable",
                        "status": None,
                        "summary": "timed out",
                    }
                ],
            ),
            ev.slot("c-oss", "findings", {"service": "SVC-1", "oss_unavailable": "serviceTest"}),
            ev.slot("c-oss", "escalation", {"reason": "oss_unavailable", "queue": "technical", "priority": "normal"}),
        ]
    )
    records = await pipeline.records()
    assert [(r["trigger"], r["reason"]) for r in records] == [
        ("oss_failure", "oss_unavailable:serviceTest"),
        ("escalation", "oss_unavailable"),
    ]
    assert records[0]["findings"] == {"oss_unavailable": "serviceTest"}
    transcript = await pipeline.store.transcript("c-oss")
    lookup = next(line for line in transcript if line["who"] == "lookup")
    assert (lookup["api"], lookup["outcome"]) == ("serviceTest", "unavailable")
    assert "target" not in lookup


def _open_form(sender: str, at: float) -> list[dict[str, object]]:
    return [
        *ev.start(sender, at),
        ev.user(sender, "my order hasn't arrived", "order_status", 0.9, at=at + 1),
        ev.slot(sender, "problem", "order_status", at=at + 2),
        ev.active_loop(sender, "identify_form", at=at + 2),
        ev.bot(sender, "What's your account number?", at=at + 3),
    ]


async def test_abandonment_is_found_by_the_sweep_after_the_session_expiry(pipeline: Pipeline) -> None:
    await pipeline.feed(_open_form("c-left", T0))
    assert await pipeline.consumer.sweep(now_s=T0 + 3 + ABANDON_AFTER_S - 1) == 0
    assert await pipeline.consumer.sweep(now_s=T0 + 3 + ABANDON_AFTER_S + 1) == 1
    assert await pipeline.consumer.sweep(now_s=T0 + 3 + 2 * ABANDON_AFTER_S) == 0, "recorded once"
    [record] = await pipeline.records()
    assert (record["trigger"], record["reason"], record["outcome"]) == ("abandoned", "identify_form", "abandoned")
    assert record["at"] == T0 + 3, "the time the customer was last seen"
    assert record["utterance"] == "my order hasn't arrived"
    summary = (await pipeline.store.summaries(["c-left"]))["c-left"]
    assert summary["outcome"] == "abandoned"


async def test_abandonment_is_found_when_the_customer_comes_back_to_a_new_session(pipeline: Pipeline) -> None:
    later = T0 + ABANDON_AFTER_S + 600
    await pipeline.feed(
        [*_open_form("c-back", T0), *ev.start("c-back", later), ev.user("c-back", "hi", "greet", 0.99, at=later)]
    )
    [record] = await pipeline.records()
    assert (record["trigger"], record["at"]) == ("abandoned", T0 + 3)
    assert await pipeline.consumer.sweep(now_s=later + 2 * ABANDON_AFTER_S) == 0


async def test_a_finished_flow_is_not_abandoned(pipeline: Pipeline) -> None:
    await pipeline.feed(
        [
            *_open_form("c-done", T0),
            ev.active_loop("c-done", None, at=T0 + 20),
            ev.action("c-done", "action_diagnose", at=T0 + 21),
        ]
    )
    assert await pipeline.consumer.sweep(now_s=T0 + 10 * ABANDON_AFTER_S) == 0
    assert await pipeline.records() == []


async def test_an_unanswered_diagnosis_question_is_an_open_flow(pipeline: Pipeline) -> None:
    await pipeline.feed(
        [
            *ev.start("c-q", T0),
            ev.user("c-q", "wifi is slow", "report_slow_internet", 0.9, at=T0 + 1),
            ev.slot("c-q", "awaiting", "home_fix", at=T0 + 5),
        ]
    )
    assert await pipeline.consumer.sweep(now_s=T0 + 5 + ABANDON_AFTER_S + 1) == 1
    [record] = await pipeline.records()
    assert record["reason"] == "awaiting_home_fix"


async def test_a_question_the_customer_deferred_is_not_abandoned(pipeline: Pipeline) -> None:
    await pipeline.feed(
        [
            *ev.start("c-later", T0),
            ev.user("c-later", "wifi is slow", "report_slow_internet", 0.9, at=T0 + 1),
            ev.slot("c-later", "awaiting", "home_fix", at=T0 + 5),
            ev.user("c-later", "cant tell till tonight", "not_sure", 0.9, at=T0 + 6),
            ev.slot("c-later", "findings", {"deferred": "home_fix"}, at=T0 + 7),
        ]
    )
    assert await pipeline.consumer.sweep(now_s=T0 + 7 + 2 * ABANDON_AFTER_S) == 0
    assert await pipeline.records() == []


async def test_a_change_of_topic_records_the_flow_left_behind(pipeline: Pipeline) -> None:
    await pipeline.feed(
        [
            *_open_form("c-topic", T0),
            ev.user("c-topic", "actually its the bill im worried about", "bill_too_high", 0.9, at=T0 + 10),
            ev.slot("c-topic", "problem", "bill_too_high", at=T0 + 11),
            # after a diagnosis, moving on is not leaving anything behind
            ev.action("c-topic", "action_diagnose", at=T0 + 20),
            ev.user("c-topic", "and is there an outage", "check_outage", 0.9, at=T0 + 30),
            ev.slot("c-topic", "problem", "check_outage", at=T0 + 31),
        ]
    )
    [record] = await pipeline.records()
    assert (record["trigger"], record["reason"], record["flow"]) == (
        "abandoned", "topic_change:bill_too_high", "identify_form")  # fmt: skip


async def test_withdrawing_from_the_queue_is_recorded_and_the_conversation_is_open_again(pipeline: Pipeline) -> None:
    handoff = {"v": 1, "reason": "customer_request", "queue": "general"}
    await pipeline.feed(
        [
            *ev.start("c-wd", T0),
            ev.user("c-wd", "can I talk to someone", "request_human", 0.95, at=T0 + 1),
            ev.slot("c-wd", "escalation", handoff, at=T0 + 2),
            ev.user("c-wd", "no i dont need a person, cancel that", "withdraw_request", 0.9, at=T0 + 30),
            ev.slot("c-wd", "escalation", None, at=T0 + 31),
            ev.slot("c-wd", "findings", {"withdrawn_from_queue": "CASE-1"}, at=T0 + 31),
            # a handoff the gateway raised itself (no escalation slot), withdrawn too
            ev.user("c-wd", "im furious this is useless", "complain", 0.9, at=T0 + 40),
            ev.user("c-wd", "/withdraw_request", "withdraw_request", 1.0, at=T0 + 50),
            ev.slot("c-wd", "findings", {"withdrawn_from_queue": "CASE-2"}, at=T0 + 51),
        ]
    )
    records = await pipeline.records()
    assert [(r["trigger"], r["reason"]) for r in records] == [
        ("escalation", "customer_request"), ("withdrawn", "withdrawn:customer_request"),
        ("withdrawn", "withdrawn:gateway_handoff")]  # fmt: skip
    summary = (await pipeline.store.summaries(["c-wd"]))["c-wd"]
    assert summary["outcome"] == "open"


async def test_oss_findings_and_entities_are_kept_redacted(pipeline: Pipeline) -> None:
    phone = {"entity": "phone_number", "value": "07700 900017", "start": 10, "end": 22}
    await pipeline.feed(
        [
            *ev.start("c-port", T0),
            ev.user("c-port", "my number 07700 900017 still isn't moved over", "order_status", 0.52, entities=[phone]),
            ev.slot(
                "c-port",
                "findings",
                {
                    "order": "ORD-100017",
                    "order_state": "held",
                    "order_fallout_step": "number_port",
                    "bill_difference": "12.50",
                },
            ),
            ev.user("c-port", "??", "nlu_fallback", 0.5, ranking=[("nlu_fallback", 0.5), ("order_status", 0.3)]),
        ]
    )
    first, second = await pipeline.records()
    assert first["entities"] == [{"entity": "phone_number", "value": "<PHONE>"}]
    assert first["utterance"] == "my number <PHONE> still isn't moved over"
    assert second["findings"] == {
        "order_state": "held",
        "order_fallout_step": "number_port",
        "bill_difference": "12.50",
    }
    ids = await pipeline.store.index_ids("finding", "order_fallout_step=number_port", 0, 4e9)
    assert len(ids) == 1


async def test_a_duplicate_delivery_is_recorded_once(pipeline: Pipeline) -> None:
    await pipeline.feed([*ev.start("c-dup", T0), ev.user("c-dup", "wat", "nlu_fallback", 0.5)])
    await pipeline.consumer.trim_events()
    assert await pipeline.store.redis.xlen(keys.EVENTS) == 0, "consumed events are trimmed"
    summary = {
        "v": 1,
        "type": "user",
        "conversation_id": "c-dup",
        "at": T0 + 9,
        "eid": "same-id",
        "text": "again?",
        "intent": {"name": "out_of_scope", "confidence": 0.9},
        "ranking": [],
        "entities": [],
    }
    for _ in range(2):
        await pipeline.store.redis.xadd(keys.EVENTS, {"v": "1", "e": json.dumps(summary)})
    await pipeline.feed([])
    assert [r["trigger"] for r in await pipeline.records()] == ["nlu_fallback", "out_of_scope"]


async def test_the_transcript_holds_redacted_turns_and_bot_actions(pipeline: Pipeline) -> None:
    await pipeline.feed(
        [
            *ev.start("c-tx", T0),
            ev.user("c-tx", "Hi, this is Aisha Khan, my broadband is down", "report_internet_down", 0.97, at=T0 + 1),
            ev.action("c-tx", "action_start_problem", at=T0 + 2),
            ev.bot("c-tx", "Thanks Aisha, that's you confirmed.", at=T0 + 3),
        ]
    )
    lines = await pipeline.store.transcript("c-tx")
    assert [line["who"] for line in lines] == ["action", "customer", "action", "bot"]
    assert lines[1]["text"] == "Hi, this is <NAME>, my broadband is down"
    assert lines[3]["text"] == "Thanks <NAME>, that's you confirmed."


async def test_an_agents_lines_are_kept_as_the_agents_not_the_bots(pipeline: Pipeline) -> None:
    """The handoff records what an agent writes as bot events with metadata.agent (Rasa's tracker has no agents):
    the product owner's transcript must say a person wrote it."""
    agent_line = {**ev.bot("c-agent", "Hello, Dana here. How can I help?", at=T0 + 3), "metadata": {"agent": "dana"}}
    await pipeline.feed([*ev.start("c-agent", T0), ev.bot("c-agent", "Passing you to a person.", at=T0 + 2),
                         agent_line])  # fmt: skip
    lines = [line for line in await pipeline.store.transcript("c-agent") if line["who"] != "action"]
    assert [(line["who"], line.get("agent")) for line in lines] == [("bot", None), ("agent", "dana")]
    assert lines[1]["text"] == "Hello, <NAME> here. How can I help?"


async def test_a_lone_surrogate_is_stored_as_a_replacement_and_the_consumer_goes_on(pipeline: Pipeline) -> None:
    """JSON may carry "\\ud800"; UTF-8 cannot, and one such event must not stop every later record."""
    await pipeline.feed(
        [
            *ev.start("c-odd", T0),
            ev.user("c-odd", "can you book \ud800 a table", "out_of_scope", 0.93),
            ev.user("c-odd", "what's the weather on mars", "out_of_scope", 0.95, at=T0 + 5),
        ]
    )
    records = await pipeline.records()
    assert [r["utterance"] for r in records] == ["can you book \ufffd a table", "what's the weather on mars"]
