"""Customer messages over plain HTTP: one request carries one message to Rasa and returns the bot's replies.

For scripts and integrations: nothing reaches the caller later, so no person can join; a handoff comes back as
the bot's payload (``custom.handoff``) for an integration that routes customers to people itself.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request
from pydantic import BaseModel, Field

from bot.dependencies import StateDep
from bot.rasa_client import BotMessage, RasaUnavailable
from bot.rate_limit import retry_after
from bot.state import GatewayState
from core.errors import Forbidden, TooLarge, TooMany, Unavailable, Unprocessable
from core.unicode_text import SCRUBBED, ScrubbedStr, plain_text, scrub

router = APIRouter(prefix="/api", tags=["messages"])

ASSISTANT_DOWN = (
    "Sorry, the assistant isn't answering right now. Please send your message again in a minute; "
    "if it still fails, call us and a person will help."
)


class MessageIn(BaseModel):
    text: ScrubbedStr = Field(..., description="What the customer typed.")
    conversation_id: Annotated[str, Field(max_length=64), SCRUBBED] | None = Field(
        None, description="Omit to start a new conversation."
    )


class MessagesOut(BaseModel):
    v: int = 1
    conversation_id: str
    token: str | None = Field(None, description="Returned once, when the conversation is created.")
    messages: list[BotMessage]


async def _within(state: GatewayState, kind: str, key: str, limit: int, window_s: int, what: str) -> None:
    wait = await retry_after(state.redis, kind, key, limit, window_s)
    if wait is not None:
        message = f"Too many {what}: at most {limit} in {window_s} s. Try again in {wait} s."
        raise TooMany("rate_limited", message, retry_after=wait)


@router.post("/messages", response_model=MessagesOut, response_model_exclude_none=True)
async def post_message(
    body: MessageIn, request: Request, state: StateDep, authorization: Annotated[str | None, Header()] = None
) -> MessagesOut:
    text = plain_text(body.text).strip()
    if not text:
        raise Unprocessable("empty_message", "The message is empty: type something to send.")
    limit = state.settings.max_message_chars
    if len(text) > limit:
        raise TooLarge("message_too_long", f"The message is {len(text)} characters; the limit is {limit}.")

    settings = state.settings
    token: str | None = None
    if body.conversation_id is None:
        address = request.client.host if request.client else "unknown"
        await _within(state, "new-conversations", address, settings.new_conversations_per_address,
                      settings.new_conversations_window_s, "new conversations from your address")  # fmt: skip
        created = await state.conversations.create()
        conversation_id, token = created.id, created.token
    else:
        conversation_id = scrub(body.conversation_id)  # a lone surrogate names no conversation: 403 below
        presented = scrub(authorization or "").removeprefix("Bearer ").strip()
        if not presented or not await state.conversations.authorised(conversation_id, presented):
            raise Forbidden("forbidden", "This conversation does not exist or the token does not match.")
    await _within(state, "rest-messages", conversation_id, settings.chat_rate_limit, settings.chat_rate_window_s,
                  "messages in this conversation")  # fmt: skip

    try:
        replies = await state.rasa.send_message(conversation_id, text, {"channel": "web"})
    except RasaUnavailable:
        raise Unavailable("assistant_unavailable", ASSISTANT_DOWN) from None
    return MessagesOut(conversation_id=conversation_id, token=token, messages=replies)
