"""Leaving the queue: whether a customer's message while a person is coming withdraws the request.

Two ways say so: the page's button sends the payload ``/withdraw_request`` (no NLU needed, so it works while
Rasa is down), and words ("no I don't need a person, cancel that") that Rasa's NLU reads as the intent
``withdraw_request`` at or above the NLU fallback threshold. Anything else keeps today's path: the message goes
to the person coming.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

WITHDRAW_PAYLOAD = "/withdraw_request"
WITHDRAW_INTENT = "withdraw_request"
WITHDRAW_MIN_CONFIDENCE = 0.6
"""The NLU fallback threshold (``FallbackClassifier`` in config.yml): below it the bot itself would not act on the
intent, so neither does the gateway."""

Parse = Callable[[str], Awaitable[dict[str, Any] | None]]
"""Rasa's ``POST /model/parse`` of a text (``{"intent": {"name", "confidence"}, ...}``), or ``None`` when Rasa
did not answer."""


async def asks_to_withdraw(text: str, parse: Parse) -> bool:
    """Whether ``text`` withdraws the customer's request for a person."""
    if text.strip() == WITHDRAW_PAYLOAD:
        return True
    if text.startswith("/"):
        return False  # another button's payload (a callback, a ticket): never guessed at
    parsed = await parse(text)
    intent = (parsed or {}).get("intent") or {}
    confidence = intent.get("confidence")
    return (
        intent.get("name") == WITHDRAW_INTENT
        and isinstance(confidence, (int, float))
        and confidence >= WITHDRAW_MIN_CONFIDENCE
    )
