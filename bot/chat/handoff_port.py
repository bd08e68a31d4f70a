"""What the chat needs from the handoff, passed to :class:`bot.chat.delivery.Delivery` when it is built.

The handoff service (``bot.handoff.service.HandoffService``) is the one implementation; the chat knows only this
protocol, so it is built and tested without the agents' side of the gateway.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

from core.contracts.handoff import HandoffRequest

log = logging.getLogger(__name__)


class HandoffPort(Protocol):
    async def escalate(self, conversation_id: str, request: HandoffRequest, request_seq: int) -> object:
        """Make the request (kept in the history at ``request_seq``) into a queued case, once per request."""
        ...

    async def after_bot_turn(self, conversation_id: str) -> HandoffRequest | None:
        """After a bot turn that raised no handoff: a request the gateway raises itself, or ``None``."""
        ...

    async def customer_message(self, conversation_id: str, entry: dict[str, Any]) -> str | None:
        """A kept ``customer`` history entry (with ``seq``) for the person holding the conversation or coming to
        it; returns the case id when that message took the customer out of the queue (it goes to Rasa then)."""
        ...


def read_request(conversation_id: str, raw: object) -> HandoffRequest:
    """The bot's handoff request as sent in ``{"handoff": {...}}``, read once; never refused (see
    :meth:`HandoffRequest.read`): what could not be read is logged and kept in the case's findings."""
    request, unreadable = HandoffRequest.read(raw)
    if unreadable:
        log.error(
            "handoff request of %s partly unreadable (%s); queued with what could be read",
            conversation_id,
            ", ".join(unreadable),
        )
    return request
