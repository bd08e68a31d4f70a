"""The customer's answer to "How did we do?" at the end of a chat: ``POST /api/satisfaction``.

Request (JSON, ``Content-Type: application/json``), with the conversation's own token as for ``/api/messages``
(``Authorization: Bearer <token>``; the web chat page takes it from its session id ``<conversation>.<token>``)::

    {"conversation_id": "...", "survey_id": "<case id or bot-…>", "score": 1-5, "comment": "optional, ≤ 1000"}

``survey_id`` names the end being rated, as the conversation's history offered it (``bot.chat.surveys``): a
case id for an agent's end (event ``closed``/``handed_back``), a ``bot-…`` id for the bot's conclusion. The
gateway decides everything else itself, never from the page: who handled it (``bot``/``agent``), and for an
agent's end the agent's login, the queue and the case (read from the handoff's case, which must belong to this
conversation), for the bot's end the model that answered. Answering the same survey again replaces the answer.

The score is kept at once. The comment is checked here (length, broken or text-reordering characters) but not
redacted: the gateway runs no spaCy. It goes as typed to the learning consumer (``triage:learning:comments``, in
the same transaction as the answer), which redacts it and puts it into the answer, usually within a second or
two, later while the consumer is down; a late redaction never overwrites a newer answer to the same survey.

Answers ``201`` for a first answer, ``200`` for a replaced one:
``{v, survey_id, score, comment, comment_status, replaced}``, ``comment`` as stored: ``null`` here, since the
comment is not stored until redacted, and ``comment_status`` ``"pending"`` when a comment was given (``null``
when none was). Errors use the gateway's shape ``{v, error, message}``: ``403 forbidden`` (missing or wrong
token), ``404 unknown_survey`` (no such survey in this conversation),
``422 invalid_score``/``comment_too_long``/``invalid_text``/``invalid_request``; nothing is stored then.
"""

from __future__ import annotations

import re
import time
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Response
from pydantic import BaseModel, Field, StrictInt

from bot.chat import survey_comments
from bot.chat.surveys import SurveyOffers
from bot.dependencies import HandoffDep, StateDep
from bot.handoff.state import HandoffState
from core.errors import Forbidden, NotFound, Unprocessable
from core.unicode_text import AS_TYPED, SCRUBBED
from learning.satisfaction import MAX_COMMENT_CHARS, SURVEY_ID, SatisfactionAnswer, SatisfactionStore

router = APIRouter(prefix="/api", tags=["satisfaction"])

MIN_SCORE, MAX_SCORE = 1, 5
MAX_COMMENT_BODY_CHARS = 20 * MAX_COMMENT_CHARS  # larger is not a comment: refused before it is looked at


class SatisfactionIn(BaseModel):
    conversation_id: Annotated[str, Field(min_length=1, max_length=64), SCRUBBED]
    survey_id: Annotated[str, Field(min_length=1, max_length=80), SCRUBBED]
    score: StrictInt
    comment: Annotated[str, Field(max_length=MAX_COMMENT_BODY_CHARS), AS_TYPED] | None = None


class SatisfactionOut(BaseModel):
    v: int = 1
    survey_id: str
    score: int
    comment: None = None
    comment_status: Literal["pending"] | None
    replaced: bool


async def who_handled(offer: dict[str, Any], conversation_id: str, handoff: HandoffState) -> dict[str, str | None]:
    """Who the answer is about, from the server's own records: the case for an agent's end, the model for the bot's."""
    if SurveyOffers.kind(offer) == "bot":
        return {"handled_by": "bot", "model_id": offer.get("model_id")}
    case = await handoff.service.queues.get(str(offer["case_id"]))
    if case is None or case.conversation_id != conversation_id or not case.agent:
        raise NotFound("unknown_survey", "This chat has no such survey to answer.")
    return {"handled_by": "agent", "agent": case.agent, "queue": case.queue.value, "case_id": case.case_id}


@router.post("/satisfaction", response_model=SatisfactionOut, status_code=201)
async def answer_survey(
    body: SatisfactionIn,
    state: StateDep,
    handoff: HandoffDep,
    response: Response,
    authorization: Annotated[str | None, Header()] = None,
) -> SatisfactionOut:
    presented = (authorization or "").removeprefix("Bearer ").strip()
    if not presented or not await state.conversations.authorised(body.conversation_id, presented):
        raise Forbidden("forbidden", "This conversation does not exist or the token does not match.")
    if not MIN_SCORE <= body.score <= MAX_SCORE:
        raise Unprocessable("invalid_score", f"The score is a whole number from {MIN_SCORE} to {MAX_SCORE}.")
    comment = survey_comments.checked(body.comment)
    offer = await SurveyOffers(state.redis).offered(body.conversation_id, body.survey_id)
    if offer is None or not re.fullmatch(SURVEY_ID, body.survey_id):
        raise NotFound("unknown_survey", "This chat has no such survey to answer.")
    about = await who_handled(offer, body.conversation_id, handoff)
    answer = SatisfactionAnswer(
        conversation_id=body.conversation_id, survey_id=body.survey_id, score=body.score, at=time.time(), **about
    )
    first = await SatisfactionStore(state.redis, state.settings.learning_retention_days).record(answer, comment)
    if not first:
        response.status_code = 200
    return SatisfactionOut(
        survey_id=body.survey_id,
        score=body.score,
        comment_status="pending" if comment is not None else None,
        replaced=not first,
    )
