"""The customer while a person is coming or there: their messages to the agent, leaving the queue, typing."""

from __future__ import annotations

import logging
from typing import Any

from bot.chat import wire
from bot.handoff.case import CaseStatus, HandoffCase, Queue
from bot.handoff.items import PARKED_STATUSES
from bot.handoff.places import CALLBACK, TICKET, Places
from bot.handoff.tracker import user_event
from bot.handoff.withdrawal import asks_to_withdraw
from core.contracts.queues import team_name

log = logging.getLogger(__name__)


class CustomerSide(Places):
    async def customer_message(self, conversation_id: str, entry: dict[str, Any]) -> str | None:
        """A customer message (its kept history ``entry``, with ``seq``) while the holder is ``waiting`` or
        ``agent``: to the agent's console at once, then into Rasa's tracker.

        Returns the case id when the message withdrew the customer from the queue: the bot holds the conversation
        again and the caller hands the message to Rasa as a bot turn (it is not recorded as held), with metadata
        ``withdrawn_case`` so the bot knows the queue was left even for a handoff the gateway raised itself."""
        text, seq = str(entry["text"]), int(entry["seq"])
        case_id = await self.queues.case_of_conversation(conversation_id)
        state = await self.queues.state(case_id) if case_id else {}
        if state.get("status") == CaseStatus.waiting.value and text in (CALLBACK, TICKET) and case_id:
            case = await self.queues.get(case_id)
            if case is not None:
                await self.leave_queue_for(case, text)
            return None
        if (
            case_id
            and state.get("status") == CaseStatus.waiting.value
            and await asks_to_withdraw(text, self.recorder.parse)
        ):
            if await self.withdraw(case_id):
                return case_id
            state = await self.queues.state(case_id)  # an agent accepted it meanwhile: the message is theirs
        if case_id and state:
            agent = state.get("agent") if state.get("status") == CaseStatus.accepted.value else None
            await self.console({"type": "chat", "case_id": case_id, "conversation_id": conversation_id,
                                "agent": agent or None, "queue": state.get("queue"), "entries": [entry]})  # fmt: skip
        await self.recorder.record(conversation_id, user_event(text, str(entry["client_id"]), seq))
        return None

    async def before_bot_turn(self, conversation_id: str, text: str) -> None:
        """A message going to the bot while the conversation's case is parked (a callback or ticket the customer
        asked for): one that withdraws the request takes the case off the agents' lists first."""
        case_id = await self.queues.case_of_conversation(conversation_id)
        if not case_id or (await self.queues.state(case_id)).get("status") not in PARKED_STATUSES:
            return
        if await asks_to_withdraw(text, self.recorder.parse):
            await self.withdraw(case_id)

    async def withdraw(self, case_id: str) -> bool:
        """The customer no longer wants a person: the case leaves the queue (or the parked lists) as ``withdrawn``,
        the consoles drop it, the others waiting are told their new places, and the bot holds the conversation.

        Whatever was recorded in Rasa's tracker while waiting is recorded before the bot's next turn, so the
        transcript keeps its order. ``False`` when the case was no longer waiting or parked (an agent was first).
        """
        done, before = await self.queues.withdraw(case_id)
        if not done:
            return False
        state = await self.queues.state(case_id)
        conversation_id, queue = state["conversation_id"], Queue(state["queue"])
        log.info("case %s withdrawn by the customer conversation=%s (was %s)", case_id, conversation_id, before)
        await self.recorder.settle(conversation_id)
        await self.publisher.handoff_event(conversation_id, wire.HandoffEvent(type="withdrawn"))
        withdrawn = {"case_id": case_id, "status": CaseStatus.withdrawn.value, "was": before}
        await self.console({"type": "case", "event": "withdrawn", "queue": queue.value, "case": withdrawn})
        if before == CaseStatus.waiting.value:
            await self.refresh_places(queue)
        return True

    async def customer_typing(self, conversation_id: str, typing: bool) -> None:
        case_id = await self.queues.case_of_conversation(conversation_id)
        state = await self.queues.state(case_id) if case_id else {}
        if state.get("status") == CaseStatus.accepted.value:
            await self.console({"type": "typing", "case_id": case_id, "agent": state.get("agent"), "typing": typing})

    async def leave_queue_for(self, case: HandoffCase, choice: str) -> None:
        """The customer chose a callback or a ticket instead of waiting: the same case, parked with that status."""
        status = CaseStatus.callback_requested if choice == CALLBACK else CaseStatus.ticket_requested
        if not await self.queues.park(case.case_id, status):
            return
        if status is CaseStatus.callback_requested:
            text = (f"Done: a person from our {team_name(case.queue)} team will call you back, with everything you "
                    f"told me (reference {case.case_id}).")  # fmt: skip
        else:
            text = (f"Done: I've left it as a ticket for our {team_name(case.queue)} team, with everything you told "
                    f"me (reference {case.case_id}). A person will reply in this conversation.")  # fmt: skip
        await self.publisher.message(case.conversation_id, [{"text": text}])
        await self.publisher.handoff_event(case.conversation_id, wire.HandoffEvent(type="handed_back"))
        await self.console({"type": "case", "event": status.value, "queue": case.queue.value,
                            "case": {"case_id": case.case_id}})  # fmt: skip
        await self.refresh_places(case.queue)
