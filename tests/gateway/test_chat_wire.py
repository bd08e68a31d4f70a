"""The gateway's ``bot_uttered`` payloads are the ones Rasa's own socket.io channel sends, so widgets built
for Rasa render them unchanged; the handoff request passes through as it left the bot.

What Rasa sends is recorded, with Rasa, by ``tests/engine/test_socketio_contract.py`` in
``tests/contracts/socketio_bot_uttered.json``: this venv has no Rasa to ask.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.chat.wire import HandoffEvent, bot_uttered_bodies
from bot.rasa_client import BotMessage

CONTRACT = Path(__file__).resolve().parents[1] / "contracts" / "socketio_bot_uttered.json"
CASES: list[dict[str, Any]] = json.loads(CONTRACT.read_text(encoding="utf-8"))


def test_the_contract_covers_every_kind_of_bot_message() -> None:
    kinds = {key for case in CASES for key in case["reply"]}
    assert kinds == {"text", "buttons", "image", "attachment"}


@pytest.mark.parametrize("case", CASES, ids=[f"{i:02d}" for i in range(len(CASES))])
def test_payloads_match_rasas_own_socketio_channel(case: dict[str, Any]) -> None:
    assert bot_uttered_bodies(BotMessage(**case["reply"])) == case["bot_uttered"]


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
