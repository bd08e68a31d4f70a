"""The contract between the engine and the learning consumer, from the engine's side of it.

``core.contracts.learning_events`` is pure Python, so this venv runs the very code Rasa's broker runs
(``engine.forwarder`` included): what it writes (raw text, version 2) is what the consumer must redact into the
records, and the raw entries must not outlive their processing.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from redis.asyncio import Redis

from core.contracts.learning_events import EVENTS_STREAM, SUMMARY_VERSION, summarise
from core.pseudonyms import pseudonym
from learning import keys
from learning.consumer import DEAD_LETTERS
from learning.events import EventRedaction
from learning.redaction import Redactor
from tests.learning import rasa_events as ev
from tests.learning.conftest import SECRET, Pipeline

T0 = 1_750_000_000.0


def test_the_consumer_reads_the_stream_the_engine_writes() -> None:
    assert keys.EVENTS == EVENTS_STREAM
    assert SUMMARY_VERSION != keys.PAYLOAD_VERSION, "raw and redacted summaries are told apart by their version"


def test_an_engine_summary_becomes_the_redacted_summary_the_store_reads(redactor: Redactor) -> None:
    user = ev.user(
        "c-1",
        "I'm Tom Bradley, ring me on 07700 900123",
        "nlu_fallback",
        0.5,
        entities=[{"entity": "phone_number", "value": "07700 900123"}],
        at=T0,
    )
    identity = ev.identified("c-1")[1]
    findings = ev.slot("c-1", "findings", {"oss_error": "find 07700 900123 failed", "line_test": "fail", "x": 1})
    raw = [summarise(event) for event in (user, identity, findings, ev.slot("c-1", "customer_ref", "AC10000017"))]
    assert all(summary is not None for summary in raw)
    summaries: list[dict[str, Any]] = [summary for summary in raw if summary is not None]
    assert summaries[0]["text"] == "I'm Tom Bradley, ring me on 07700 900123", "the engine forwards raw text"

    EventRedaction(lambda: redactor, SECRET).redact(summaries)

    assert summaries[0] == {
        "v": 1,
        "type": "user",
        "conversation_id": "c-1",
        "at": T0,
        "model_id": ev.MODEL_ID,
        "channel": "web",
        "intent": {"name": "nlu_fallback", "confidence": 0.5},
        "ranking": [{"name": "nlu_fallback", "confidence": 0.5}],
        "entities": [{"entity": "phone_number", "value": "<PHONE>"}],
        "text": "I'm <NAME>, ring me on <PHONE>",
    }
    assert summaries[1]["value"] == {
        "customer": pseudonym(SECRET, "CUST-000017"),
        "refs": [pseudonym(SECRET, "AC10000017")],
    }
    assert summaries[2]["value"] == {"oss_error": "find <PHONE> failed", "line_test": "fail"}
    assert summaries[3]["value"] == {"ref": pseudonym(SECRET, "AC10000017")}


async def test_raw_entries_are_redacted_into_records_and_deleted(pipeline: Pipeline, redis: Redis[bytes]) -> None:
    for event in [*ev.start("c-raw", T0), ev.user("c-raw", "this is Aisha Khan, wifi dead", "nlu_fallback", 0.4)]:
        pipeline.forwarder.publish(event)
    assert await pipeline.forwarder.drain(10)
    [user] = [json.loads(f[b"e"]) for _, f in await redis.xrange(keys.EVENTS) if b'"user"' in f[b"e"]]
    assert user["v"] == SUMMARY_VERSION and user["text"] == "this is Aisha Khan, wifi dead"

    await pipeline.feed([])
    [record] = await pipeline.records()
    assert record["utterance"] == "this is <NAME>, wifi dead"
    assert await redis.xlen(keys.EVENTS) == 0


async def test_summaries_redacted_by_an_older_broker_are_read_as_they_are(
    pipeline: Pipeline, redis: Redis[bytes]
) -> None:
    """Entries in flight across the upgrade (and the seeders of other tests) are version 1, already redacted."""
    summary = {"v": 1, "type": "user", "conversation_id": "c-old", "at": T0, "eid": "e-old", "text": "<NAME> here",
               "intent": {"name": "out_of_scope", "confidence": 0.9}, "ranking": [], "entities": []}  # fmt: skip
    await redis.xadd(keys.EVENTS, {"v": "1", "e": json.dumps(summary)})
    await pipeline.feed([])
    [record] = await pipeline.records()
    assert record["utterance"] == "<NAME> here"


async def test_an_unreadable_entry_goes_to_the_dead_letters_redacted(pipeline: Pipeline, redis: Redis[bytes]) -> None:
    await redis.delete(DEAD_LETTERS)
    await redis.xadd(keys.EVENTS, {"v": "9", "e": '{"v": 9, "text": "call Tom Bradley on 07700 900123"}'})
    await pipeline.feed([ev.user("c-after", "what's the weather on mars", "out_of_scope", 0.95, at=T0)])
    [(_, dead)] = await redis.xrange(DEAD_LETTERS)
    assert dead[b"v"] == b"9" and b"07700" not in dead[b"e"] and b"<PHONE>" in dead[b"e"]
    assert [r["utterance"] for r in await pipeline.records()] == ["what's the weather on mars"], "and it goes on"
    await redis.delete(DEAD_LETTERS)


async def test_the_consumers_event_loop_stays_responsive_while_it_redacts(pipeline: Pipeline) -> None:
    """Redaction (spaCy) runs in a worker thread: the lease renewal and everything else on the loop keep going."""
    texts = "my name is Priya Sharma and my broadband at 14 Baker Street keeps dropping since Tuesday"
    for i in range(400):
        pipeline.forwarder.publish(ev.user(f"c-busy-{i % 20}", f"{texts} ({i})", "nlu_fallback", 0.5, at=T0 + i))
    assert await pipeline.forwarder.drain(10)
    gaps: list[float] = []
    stop = asyncio.Event()

    async def heartbeat() -> None:
        last = time.perf_counter()
        while not stop.is_set():
            await asyncio.sleep(0.01)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    beating = asyncio.create_task(heartbeat())
    began = time.perf_counter()
    await pipeline.feed([])
    took = time.perf_counter() - began
    stop.set()
    await beating
    assert len(await pipeline.records()) == 400
    assert max(gaps) < 0.25, f"the loop stalled {max(gaps) * 1000:.0f} ms during {took:.1f} s of redaction"
