"""A message the customer sends while the bot is still answering the turn that escalates goes to the person.

The second message is kept and queued for Rasa while the bot still holds the conversation; by the time Rasa
has answered the first, a person is coming, so the bot must not answer it (nor make a second case from it).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.auth.roles import Role
from tests.fixtures.product import Product
from tests.fixtures.socket_chat import SocketChat
from tests.handoff.staff import Staff, make_staff
from tests.handoff.test_warm_handoff import ALL, rasa_events

pytestmark = pytest.mark.e2e

ESCALATING = "can I speak to an agent please"
FOLLOW_UP = "please hurry up, I need to sort this out today"
SETTLE_S = 2.0  # time for a wrong bot answer to the follow-up, had Rasa been asked, to reach the page


@pytest.fixture
async def lee(product: Product) -> AsyncIterator[Staff]:
    await make_staff(product.redis_url, "lee", Role.agent, ALL)
    agent = await (await Staff(product.gateway_url, "lee").login()).connect()
    yield agent
    await agent.close()


def _is_handoff(uttered: dict[str, Any]) -> bool:
    return isinstance(uttered.get("custom"), dict) and "handoff" in uttered["custom"]


async def test_a_message_sent_while_the_bot_answers_the_escalating_turn_reaches_the_person_not_the_bot(
    product: Product, lee: Staff
) -> None:
    async with SocketChat(product.gateway_url) as chat:
        conversation_id = str((await chat.session())["conversation_id"])
        # Each is acknowledged once kept, before Rasa answers: the follow-up waits for Rasa behind the first.
        first = await chat.send(ESCALATING)
        second = await chat.send(FOLLOW_UP)
        assert "error" not in first and "error" not in second, (first, second)
        assert second["seq"] == first["seq"] + 1, (first, second)

        await chat.wait_for("handoff", type="queued")
        events = await rasa_events(product, conversation_id, 1)
        await asyncio.sleep(SETTLE_S)

        uttered = chat.uttered()
        handoffs = [i for i, u in enumerate(uttered) if _is_handoff(u)]
        assert len(handoffs) == 1, uttered
        assert uttered[handoffs[0] + 1 :] == [], "the bot answered after the handoff"

        waiting = [c for c in await lee.waiting() if c["conversation_id"] == conversation_id]
        assert len(waiting) == 1, waiting
        case = await lee.case_of(conversation_id)
        customer_said = [t["text"] for t in case["transcript"] if t["speaker"] == "customer"]
        assert customer_said == [ESCALATING, FOLLOW_UP], case["transcript"]
        frame = await lee.wait_frame(
            lambda f: (
                f.get("type") == "chat"
                and f.get("case_id") == case["case_id"]
                and any(e.get("text") == FOLLOW_UP for e in f.get("entries", []))
            ),
            "the follow-up on the console",
        )
        assert [e["seq"] for e in frame["entries"]] == [second["seq"]]

        user_texts = [e["text"] for e in events if e["event"] == "user"]
        assert user_texts[-2:] == [ESCALATING, FOLLOW_UP], user_texts
        assert events[-1]["event"] == "user" and events[-1]["metadata"]["held_by"] == "agent", events[-3:]
