"""What Rasa's own socket.io channel (``SocketIOOutput``) emits as ``bot_uttered`` for each kind of bot message,
kept in ``tests/contracts/socketio_bot_uttered.json``. The gateway (app venv, no Rasa) must send the same bodies,
so widgets built for Rasa render them unchanged: ``tests/gateway/test_chat_wire.py`` checks it against the file.

This test fails when Rasa's output differs from the file. After a deliberate Rasa upgrade, rewrite the file with
``UPDATE_CONTRACTS=1`` and review its diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from rasa.core.channels.socketio import SocketIOOutput

CONTRACT = Path(__file__).resolve().parents[1] / "contracts" / "socketio_bot_uttered.json"

YES_NO = [{"title": "Yes, it works", "payload": "/affirm"}, {"title": "No, still broken", "payload": "/deny"}]
REPLIES: list[dict[str, Any]] = [
    {"text": "Hello! I'm the support assistant."},
    {"text": "There's no known outage.\n\nI'm running a test on your line now."},
    {"text": "Restart your router. Did that fix it?", "buttons": YES_NO},
    {"text": "First this.\n\nThen: did that fix it?", "buttons": YES_NO},
    {"image": "https://example.com/router-lights.png"},
    {"attachment": {"type": "file", "payload": {"src": "https://example.com/bill.pdf"}}},
    {"text": "Here is where the light is:", "image": "https://example.com/router-lights.png"},
]
"""Bot messages as Rasa's REST channel returns them (the gateway's input)."""


class RecordingServer:
    """Stands in for python-socketio's server under Rasa's output channel: records what would be sent."""

    def __init__(self) -> None:
        self.sent: list[Any] = []

    async def emit(self, event: str, data: Any = None, room: str | None = None, **_: Any) -> None:
        assert event == "bot_uttered" and room == "customer"
        self.sent.append(data)


async def emitted(reply: dict[str, Any]) -> list[Any]:
    server = RecordingServer()
    await SocketIOOutput(server, "bot_uttered").send_response("customer", dict(reply))
    return server.sent


async def test_rasas_socketio_channel_emits_what_the_contract_file_says() -> None:
    cases = [{"reply": reply, "bot_uttered": await emitted(reply)} for reply in REPLIES]
    if os.environ.get("UPDATE_CONTRACTS") == "1":
        CONTRACT.write_text(json.dumps(cases, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert cases == json.loads(CONTRACT.read_text(encoding="utf-8")), f"Rasa's output differs from {CONTRACT.name}"
