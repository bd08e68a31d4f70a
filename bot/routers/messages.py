"""Customer messages over plain HTTP: one request carries one message to Rasa and returns the bot's replies.

For scripts and integrations: nothing reaches the caller later, so no person can join; a handoff comes back as
the bot's payload (``custom.handoff``) for an integration that routes customers to people itself.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header
from pydantic import BaseModel, Field

from bot.dependencies import StateDep
from bot.errors import GatewayError
from bot.rasa_client import BotMessage, RasaUnavailable
from bot.unicode_text import scrub

router = APIRouter(prefix="/api", tags=["messages"])

ASSISTANT_DOWN = (
    "Sorry, the assistant isn't answering right now. Please send your message again in a minute; "
    "if it still fails, call us and a person will help."
)


class MessageIn(BaseModel):
    text: str = Field(..., description="What the customer typed.")
    conversation_id: str | None = Field(None, max_length=64, description="Omit to start a new conversation.")


class MessagesOut(BaseModel):
    v: int = 1
    conversation_id: str
    token: str | None = Field(None, description="Returned once, when the conversation is created.")
    messages: list[BotMessage]


@router.post("/messages", response_model=MessagesOut, response_model_exclude_none=True)
async def post_message(
    body: MessageIn, state: StateDep, authorization: Annotated[str | None, Header()] = None
) -> MessagesOut:
    text = scrub(body.text).strip()
    if not text:
        raise GatewayError(422, "empty_message", "The message is empty: type something to send.")
    limit = state.settings.max_message_chars
    if len(text) > limit:
        raise GatewayError(413, "message_too_long", f"The message is {len(text)} characters; the limit is {limit}.")

    token: str | None = None
    if body.conversation_id is None:
        created = await state.conversations.create()
        conversation_id, token = created.id, created.token
    else:
        conversation_id = body.conversation_id
        presented = (authorization or "").removeprefix("Bearer ").strip()
        if not presented or not await state.conversations.authorised(conversation_id, presented):
            raise GatewayError(403, "forbidden", "This conversation does not exist or the token does not match.")

    try:
        replies = await state.rasa.send_message(conversation_id, text, {"channel": "web"})
    except RasaUnavailable:
        raise GatewayError(503, "assistant_unavailable", ASSISTANT_DOWN) from None
    return MessagesOut(conversation_id=conversation_id, token=token, messages=replies)
