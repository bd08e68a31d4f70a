"""Survey comments: the gateway's write (``SatisfactionStore.record``) hands the comment as typed to the learning
consumer on ``triage:learning:comments``; the consumer redacts it into the answer and deletes the entry. A newer
answer to the same survey, or a deletion, always wins over a late redaction; a consumer that is down, or died
halfway, loses nothing. Everything runs on the session's real Redis with the real redactor (and, for the
consumer's outage, the real ``learning`` process as the Procfile starts it)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from pydantic import ValidationError
from redis.asyncio import Redis

from core.contracts.survey_comments import COMMENTS_STREAM, SurveyComment
from learning.consumer import Consumer
from learning.events import EventRedaction
from learning.keys import CONSUMER_GROUP
from learning.redaction import Redactor
from learning.satisfaction import SatisfactionAnswer, SatisfactionStore
from learning.store import LearningStore
from learning.survey_comments import DEAD_LETTERS
from tests.faults.services import Service, base_environment
from tests.fixtures.redis_server import RedisServer
from tests.learning.conftest import ABANDON_AFTER_S, LOW_CONFIDENCE, SECRET

T0 = float(int(time.time()))  # recent: the consumer process applies retention when it starts
CONVERSATION = "c-comments"
SURVEY = "bot-0000aaaa"
SAID = "Sorted quickly. Call me on 07700 900123, my name is Priya Sharma"
SECRETS = ("900123", "Priya", "Sharma")
PROCESS_TIMEOUT_S = 90  # the consumer process loads spaCy before its first batch: seconds on a busy machine


def answer(at: float = T0, score: int = 4, survey_id: str = SURVEY) -> SatisfactionAnswer:
    return SatisfactionAnswer(
        conversation_id=CONVERSATION, survey_id=survey_id, score=score, at=at, handled_by="bot", model_id="m-1"
    )


@pytest.fixture
def answers(redis: Redis[bytes]) -> SatisfactionStore:
    return SatisfactionStore(redis, 180)


@pytest.fixture
async def consumer(store: LearningStore, redactor: Redactor) -> Consumer:
    made = Consumer(
        store, LOW_CONFIDENCE, ABANDON_AFTER_S, name="first", redaction=EventRedaction(lambda: redactor, SECRET)
    )
    await made.ensure_group()
    return made


async def kept(answers: SatisfactionStore) -> dict[str, SatisfactionAnswer]:
    found = await answers.of_conversations([CONVERSATION])
    return {a.survey_id: a for a in found.get(CONVERSATION, [])}


async def drain(consumer: Consumer) -> None:
    while await consumer.comments.process_once():
        pass


def assert_redacted(comment: str | None) -> None:
    assert comment is not None and comment.startswith("Sorted quickly. Call me on <PHONE>"), comment
    assert not any(secret in comment for secret in SECRETS), comment


async def test_the_comment_waits_unredacted_only_in_the_stream_and_is_redacted_into_its_answer(
    redis: Redis[bytes], answers: SatisfactionStore, consumer: Consumer
) -> None:
    assert await answers.record(answer(), SAID) is True
    [waiting] = (await kept(answers)).values()
    assert (waiting.score, waiting.comment, waiting.comment_status) == (4, None, "pending")
    [(_, fields)] = await redis.xrange(COMMENTS_STREAM)
    entry = SurveyComment.read(fields)
    assert entry is not None and (entry.text, entry.at, entry.survey_id) == (SAID, T0, SURVEY)
    assert SAID.encode() not in b"".join((await redis.hgetall("triage:learning:satisfaction:answers")).values())

    assert await consumer.comments.process_once() == 1
    [done] = (await kept(answers)).values()
    assert_redacted(done.comment)
    assert (done.comment_status, done.score, done.at, done.model_id) == ("redacted", 4, T0, "m-1")
    assert await redis.xlen(COMMENTS_STREAM) == 0, "the raw comment is deleted once kept"
    assert (await redis.xpending(COMMENTS_STREAM, CONSUMER_GROUP))["pending"] == 0
    assert await consumer.comments.process_once() == 0


async def test_a_newer_answer_to_the_same_survey_wins_over_the_old_comments_late_redaction(
    redis: Redis[bytes], answers: SatisfactionStore, consumer: Consumer
) -> None:
    await answers.record(answer(at=T0), SAID)
    assert await answers.record(answer(at=T0 + 5, score=2)) is False  # changed mind: no comment this time
    await answers.record(answer(at=T0, survey_id="bot-0000bbbb"), "first thoughts, ring 07700 900111")
    await answers.record(answer(at=T0 + 9, survey_id="bot-0000bbbb"), SAID)
    await drain(consumer)
    survey_a, survey_b = (await kept(answers))[SURVEY], (await kept(answers))["bot-0000bbbb"]
    assert (survey_a.score, survey_a.comment, survey_a.comment_status, survey_a.at) == (2, None, None, T0 + 5)
    assert_redacted(survey_b.comment)
    assert survey_b.at == T0 + 9 and "first thoughts" not in (survey_b.comment or "")
    assert await redis.xlen(COMMENTS_STREAM) == 0


async def test_an_answer_replaced_between_reading_and_writing_is_not_overwritten(
    redis: Redis[bytes], answers: SatisfactionStore, consumer: Consumer
) -> None:
    """The race itself: the consumer has read the pending answer when the customer answers again."""
    await answers.record(answer(at=T0), SAID)
    [(entry_id, fields)] = await consumer.comments.reader.read(">", None)
    comment = SurveyComment.read(fields)
    assert comment is not None
    read = await answers.awaiting(comment)
    assert read is not None
    await answers.record(answer(at=T0 + 1, score=1), "changed my mind")
    assert await answers.keep_comment(entry_id.decode(), read, "a late redaction") is False
    now = (await kept(answers))[SURVEY]
    assert (now.score, now.comment, now.comment_status) == (1, None, "pending")
    await drain(consumer)
    assert (await kept(answers))[SURVEY].comment == "changed my mind"
    assert await redis.xlen(COMMENTS_STREAM) == 0


async def test_a_conversation_deleted_before_redaction_does_not_come_back(
    redis: Redis[bytes], answers: SatisfactionStore, consumer: Consumer
) -> None:
    await answers.record(answer(), SAID)
    assert await answers.delete_conversations([CONVERSATION]) == 1
    await drain(consumer)
    assert await kept(answers) == {}
    assert await redis.hlen("triage:learning:satisfaction:answers") == 0
    assert await redis.xlen(COMMENTS_STREAM) == 0


async def test_comments_a_consumer_read_but_never_finished_are_taken_over(
    redis: Redis[bytes], answers: SatisfactionStore, consumer: Consumer, store: LearningStore, redactor: Redactor
) -> None:
    await answers.record(answer(), SAID)
    assert len(await consumer.comments.reader.read(">", None)) == 1  # read, then the process died
    assert (await redis.xpending(COMMENTS_STREAM, CONSUMER_GROUP))["pending"] == 1
    redaction = EventRedaction(lambda: redactor, SECRET)
    spare = Consumer(store, LOW_CONFIDENCE, ABANDON_AFTER_S, name="spare", redaction=redaction)
    await spare.ensure_group()
    assert await spare.comments.process_once() == 1
    assert_redacted((await kept(answers))[SURVEY].comment)
    assert await redis.xlen(COMMENTS_STREAM) == 0
    assert (await redis.xpending(COMMENTS_STREAM, CONSUMER_GROUP))["pending"] == 0


async def test_an_entry_that_is_no_comment_goes_to_the_dead_letters_redacted(
    redis: Redis[bytes], answers: SatisfactionStore, consumer: Consumer
) -> None:
    await redis.xadd(COMMENTS_STREAM, {"v": "1", "c": '{"text": "call 07700 900123", "survey_id": "x|y"}'})
    await redis.xadd(COMMENTS_STREAM, {"v": "9", "c": "ring Priya Sharma"})
    await answers.record(answer(), SAID)
    await drain(consumer)
    dead = [fields for _, fields in await redis.xrange(DEAD_LETTERS)]
    assert [f[b"v"] for f in dead] == [b"1", b"9"]
    assert b"<PHONE>" in dead[0][b"c"] and b"900123" not in dead[0][b"c"]
    assert b"Sharma" not in dead[1][b"c"]
    assert_redacted((await kept(answers))[SURVEY].comment)  # a bad entry holds up nothing behind it
    assert await redis.xlen(COMMENTS_STREAM) == 0


def test_the_contract_refuses_what_the_gateway_never_sends() -> None:
    good = SurveyComment(conversation_id="c", survey_id=SURVEY, at=T0, text="fine")
    assert SurveyComment.read({k.encode(): v.encode() for k, v in good.fields().items()}) == good
    for bad in ({"text": ""}, {"text": "x" * 1001}, {"survey_id": "a|b"}, {"conversation_id": ""}):
        with pytest.raises(ValidationError):
            SurveyComment.model_validate(good.model_dump() | bad)
    assert SurveyComment.read({b"v": b"1", b"c": b"not json"}) is None
    assert SurveyComment.read({b"c": good.fields()["c"].encode()}) is None


@pytest.fixture
def learning_process(redis_server: RedisServer, tmp_path: Path) -> Iterator[Service]:
    env = base_environment(tmp_path, redis_server.url, tmp_path / "no-model")
    service = Service("learning", env, lambda: True)
    yield service
    service.stop()


async def wait_for(check: Callable[[], Awaitable[bool]], timeout_s: float, service: Service) -> None:
    deadline = time.monotonic() + timeout_s
    while not await check():
        assert service.process is not None and service.process.poll() is None, service.log()
        assert time.monotonic() < deadline, f"not done within {timeout_s}s:\n{service.log()}"
        await asyncio.sleep(0.2)


async def test_while_the_consumer_process_is_down_comments_wait_and_are_redacted_when_it_is_back(
    redis: Redis[bytes], answers: SatisfactionStore, learning_process: Service
) -> None:
    await answers.record(answer(), SAID)  # no consumer has ever run
    learning_process.start()

    async def first_done() -> bool:
        return (await kept(answers))[SURVEY].comment_status == "redacted"

    await wait_for(first_done, PROCESS_TIMEOUT_S, learning_process)
    assert_redacted((await kept(answers))[SURVEY].comment)
    learning_process.stop()
    assert learning_process.process is not None and learning_process.process.returncode == 0, learning_process.log()

    await answers.record(answer(survey_id="bot-0000cccc"), SAID)
    await asyncio.sleep(2)
    assert (await kept(answers))["bot-0000cccc"].comment_status == "pending"
    [(_, fields)] = await redis.xrange(COMMENTS_STREAM)
    assert SurveyComment.read(fields) is not None, "it waits, as typed, in the stream"

    learning_process.start()

    async def second_done() -> bool:
        return (await kept(answers))["bot-0000cccc"].comment_status == "redacted"

    await wait_for(second_done, PROCESS_TIMEOUT_S, learning_process)
    assert_redacted((await kept(answers))["bot-0000cccc"].comment)
    assert await redis.xlen(COMMENTS_STREAM) == 0
