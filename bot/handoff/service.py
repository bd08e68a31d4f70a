"""The warm handoff's lifecycle, shared by the chat channel, the agent console and the sweeps.

Holder states (``bot.conversations.Holder``): ``bot`` → (escalation) ``waiting`` → (accepted) ``agent`` →
``bot`` (handed back) or ``closed`` (ended with a disposition; the customer's next message goes to the bot).
A transfer, or an agent gone past their reconnect grace, puts an ``agent`` conversation back to ``waiting``.
Each step is told to the customer (``handoff`` events, kept in their history) and to the consoles (the
``keys.CONSOLE`` channel).

The service is the chat's :class:`bot.chat.handoff_port.HandoffPort` (``escalate``, ``after_bot_turn``,
``customer_message``), joined from parts with one job each: ``places``, ``escalation``, ``customer_side``,
``agent_side``; the gateway's own trigger is ``frustration``.
"""

from __future__ import annotations

from bot.handoff.agent_side import AgentSide
from bot.handoff.customer_side import CustomerSide
from bot.handoff.escalation import Escalation
from bot.handoff.frustration import frustration_request
from bot.handoff.places import CALLBACK, OFFERS, TICKET
from core.contracts.handoff import HandoffRequest

__all__ = ["CALLBACK", "OFFERS", "TICKET", "HandoffService"]


class HandoffService(Escalation, CustomerSide, AgentSide):
    async def after_bot_turn(self, conversation_id: str) -> HandoffRequest | None:
        """The gateway's own handoff request when the customer's last turns read as upset, else ``None``."""
        negative = self.settings.handoff_negative_sentiment
        return await frustration_request(self.store, self.recorder, conversation_id, negative)
