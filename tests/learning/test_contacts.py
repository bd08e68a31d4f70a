"""Every contact leaves a compact outcome record, resolved or not; deletion and retention take it, and the
customer's satisfaction answers, away."""

from __future__ import annotations

import json

from redis.asyncio import Redis

from core.pseudonyms import pseudonym
from learning import keys
from learning.maintenance import apply_retention, delete_conversations, delete_customer
from learning.satisfaction import SatisfactionAnswer, SatisfactionStore
from tests.learning import rasa_events as ev
from tests.learning.conftest import ABANDON_AFTER_S, SECRET, Pipeline

T0 = 1_750_000_000.0
DAY = 86400.0


def resolved_by_the_bot(sender: str, at: float) -> list[dict[str, object]]:
    """Internet down, identified, diagnosed, the home fix worked, goodbye: nothing unresolved to record."""
    return [
        *ev.start(sender, at),
        ev.user(sender, "my internet is down, call me on 07700 900123", "report_internet_down", 0.97, at=at + 1),
        ev.slot(sender, "problem", "report_internet_down", at=at + 1),
        *ev.identified(sender),
        ev.action(sender, "action_diagnose", at=at + 5),
        ev.slot(sender, "findings", {"diagnosis": "router_fault", "home_fix": "worked"}, at=at + 6),
        ev.user(sender, "thanks, bye", "goodbye", 0.99, at=at + 7),
    ]


async def contacts(redis: Redis[bytes]) -> list[dict[str, object]]:
    return sorted((json.loads(v) for v in (await redis.hgetall(keys.CONTACTS)).values()), key=lambda c: c["id"])


async def test_a_resolved_conversation_has_an_outcome_record_and_no_learning_record(
    pipeline: Pipeline, redis: Redis[bytes]
) -> None:
    await pipeline.feed(resolved_by_the_bot("c-fixed", T0))
    assert await pipeline.records() == []
    [contact] = await contacts(redis)
    account = pseudonym(SECRET, "AC10000017")
    assert contact == {
        "v": 1, "id": f"c-fixed|{int(T0 * 1000)}", "conversation_id": "c-fixed", "started_at": T0,
        "last_activity": T0 + 7, "identified": True, "flow": "report_internet_down", "diagnosed": True,
        "resolved": True, "escalated": False, "escalation_reason": None, "withdrawn": False, "abandoned": False,
        "ended": True, "turns": 2, "fallbacks": 0, "channel": "web", "model_id": ev.MODEL_ID,
        "customer_keys": [*sorted({account, pseudonym(SECRET, "CUST-000017")}), "conversation:c-fixed"],
    }  # fmt: skip
    assert "07700" not in json.dumps(contact) and "internet is down" not in json.dumps(contact)
    assert await redis.ttl(keys.conversation_contacts("c-fixed")) > 170 * DAY, "kept for the retention period"


async def test_each_session_is_a_contact_and_a_page_load_is_none(pipeline: Pipeline, redis: Redis[bytes]) -> None:
    later = T0 + 2 * DAY
    await pipeline.feed(
        [
            *resolved_by_the_bot("c-twice", T0),
            *ev.start("c-twice", later),
            ev.user("c-twice", "I want a person", "request_human", 0.95, at=later + 1),
            ev.slot("c-twice", "escalation", {"reason": "customer_request", "queue": "general"}, at=later + 2),
            *ev.start("c-idle", T0),
        ]
    )
    first, second = await contacts(redis)
    assert (first["started_at"], first["resolved"], first["escalated"]) == (T0, True, False)
    assert (second["started_at"], second["escalated"], second["escalation_reason"]) == (
        later, True, "customer_request"
    )  # fmt: skip
    assert (second["identified"], second["diagnosed"], second["turns"]) == (False, False, 1), "a new contact"
    assert "c-idle" not in json.dumps([first, second]), "no customer turn, no contact"


async def test_withdrawing_and_abandoning_are_in_the_contact(pipeline: Pipeline, redis: Redis[bytes]) -> None:
    await pipeline.feed(
        [
            *ev.start("c-queue", T0),
            ev.user("c-queue", "what???", "nlu_fallback", 0.4, at=T0 + 1),
            ev.slot("c-queue", "escalation", {"reason": "customer_request", "queue": "general"}, at=T0 + 2),
            ev.slot("c-queue", "escalation", None, at=T0 + 3),
            ev.slot("c-queue", "findings", {"withdrawn_from_queue": True}, at=T0 + 3),
            *ev.start("c-form", T0),
            ev.user("c-form", "my order hasn't arrived", "order_status", 0.9, at=T0 + 1),
            ev.slot("c-form", "problem", "order_status", at=T0 + 1),
            ev.active_loop("c-form", "identify_form", at=T0 + 2),
        ]
    )
    await pipeline.consumer.sweep(now_s=T0 + ABANDON_AFTER_S + 10)
    form, queue = await contacts(redis)
    assert (queue["escalated"], queue["withdrawn"], queue["fallbacks"]) == (False, True, 1)
    assert (form["abandoned"], form["flow"], form["diagnosed"]) == (True, "order_status", False)


async def answer(redis: Redis[bytes], conversation_id: str, at: float, score: int = 4) -> None:
    store = SatisfactionStore(redis, 180)
    await store.record(
        SatisfactionAnswer(conversation_id=conversation_id, survey_id="end-1", score=score, at=at, handled_by="bot")
    )


async def test_deletion_on_request_removes_contacts_and_satisfaction_answers(
    pipeline: Pipeline, redis: Redis[bytes]
) -> None:
    await pipeline.feed(resolved_by_the_bot("c-isla", T0) + resolved_by_the_bot("c-noah", T0))
    await answer(redis, "c-isla", T0 + 10, 5)
    await answer(redis, "c-noah", T0 + 10, 2)
    deleted = await delete_customer(pipeline.store, SECRET, "AC10000017")
    assert (deleted.conversations, deleted.answers) == (2, 2)
    assert await contacts(redis) == []
    assert await SatisfactionStore(redis, 180).between(0, 4e9) == []


async def test_deleting_one_conversation_keeps_the_others(pipeline: Pipeline, redis: Redis[bytes]) -> None:
    await pipeline.feed(resolved_by_the_bot("c-gone", T0) + resolved_by_the_bot("c-kept", T0))
    await answer(redis, "c-gone", T0 + 10)
    await answer(redis, "c-kept", T0 + 10)
    deleted = await delete_conversations(pipeline.store, ["c-gone"])
    assert deleted.answers == 1
    assert [c["conversation_id"] for c in await contacts(redis)] == ["c-kept"]
    assert [a.conversation_id for a in await SatisfactionStore(redis, 180).between(0, 4e9)] == ["c-kept"]


async def test_retention_removes_old_contacts_and_old_answers(pipeline: Pipeline, redis: Redis[bytes]) -> None:
    recent = T0 + 179 * DAY
    await pipeline.feed(resolved_by_the_bot("c-old", T0) + resolved_by_the_bot("c-new", recent))
    await answer(redis, "c-old", T0 + 10)
    await answer(redis, "c-new", recent + 10)
    await apply_retention(pipeline.store, now_s=T0 + 181 * DAY)
    assert [c["conversation_id"] for c in await contacts(redis)] == ["c-new"]
    assert [a.conversation_id for a in await SatisfactionStore(redis, 180).between(0, 4e9)] == ["c-new"]
    assert await redis.zcard(keys.CONTACTS_BY_TIME) == 1
