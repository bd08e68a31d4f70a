"""The gateway's ``bot_uttered`` payloads are the ones Rasa's own socket.io channel sends, so widgets built
for Rasa render them unchanged; the handoff request passes through as it left the bot."""

from __future__ import annotations

from typing import Any

import pytest
from rasa.core.channels.socketio import SocketIOOutput

from bot.chat.wire import HandoffEvent, bot_uttered_bodies
from bot.rasa_client import BotMessage

YES_NO = [{"title": "Yes, it works", "payload": "/affirm"}, {"title": "No, still broken", "payload": "/deny"}]


class RecordingServer:
    """Stands in for python-socketio's server under Rasa's output channel: records what would be sent."""

    def __init__(self) -> None:
        self.sent: list[Any] = []

    async def emit(self, event: str, data: Any = None, room: str | None = None, **_: Any) -> None:
        self.sent.append(data)


@pytest.mark.parametrize(
    "reply",
    [
        {"text": "Hello! I'm the support assistant."},
        {"text": "There's no known outage.\n\nI'm running a test on your line now."},
        {"text": "Restart your router. Did that fix it?", "buttons": YES_NO},
        {"text": "First this.\n\nThen: did that fix it?", "buttons": YES_NO},
        {"image": "https://example.com/router-lights.png"},
        {"attachment": {"type": "file", "payload": {"src": "https://example.com/bill.pdf"}}},
        {"text": "Here is where the light is:", "image": "https://example.com/router-lights.png"},
    ],
)
async def test_payloads_match_rasas_own_socketio_channel(reply: dict[str, Any]) -> None:
    server = RecordingServer()
    await SocketIOOutput(server, "bot_uttered").send_response("customer", dict(reply))
    assert bot_uttered_bodies(BotMessage(**reply)) == server.sent


def test_a_handoff_request_passes_through_unchanged() -> None:
    handoff = {"handoff": {"v": 1, "reason": "customer_request", "queue": "billing", "evidence": [{"api": "x"}]}}
    assert bot_uttered_bodies(BotMessage(text="Passing you to a person.", custom=handoff)) == [
        {"text": "Passing you to a person."},
        {"custom": handoff},
    ]


def test_lifecycle_events_carry_only_what_was_said() -> None:
    assert HandoffEvent(type="queued", position=3, wait_s=240).payload() == {
        "type": "queued",
        "position": 3,
        "wait_s": 240,
    }
    assert HandoffEvent(type="agent_typing", agent_name="Dana", typing=False).payload() == {
        "type": "agent_typing",
        "agent_name": "Dana",
        "typing": False,
    }
    with pytest.raises(ValueError, match="offer"):
        HandoffEvent(type="no_agent", offers=[{"title": "Call me back"}])
