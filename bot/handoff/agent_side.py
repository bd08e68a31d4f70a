"""What agents do to the chats they take: accept, pick up, talk, hand back, end, transfer; and losing one.

Every refusal is a :mod:`core.errors` kind (the gateway maps it to HTTP): ``NotFound`` for a case that is gone,
``Conflict`` when the state moved on (taken first, not your chat), ``Unprocessable`` for a move that makes no sense.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from bot.chat import wire
from bot.handoff import building, keys
from bot.handoff.case import CaseStatus, HandoffCase, Queue
from bot.handoff.items import AcceptResult
from bot.handoff.places import Places
from bot.handoff.tracker import bot_event
from core.contracts.queues import team_name
from core.errors import Conflict, NotFound, Unprocessable

log = logging.getLogger(__name__)


def _taken_or_fail(result: AcceptResult, verb: str, gone: str, holder_name: str) -> HandoffCase:
    """The case an agent took (accept, pick-up), or the error the console shows for why they could not."""
    if result.case is not None:
        return result.case
    if result.problem == "taken":
        raise Conflict("already_taken", f"{holder_name or 'Someone'} {verb} this case first.")
    if result.problem == "at_capacity":
        raise Conflict("at_capacity", f"You already hold {result.holder} chats, your limit: end or "
                           "hand one back first.")  # fmt: skip
    raise Conflict("not_waiting", gone)


class AgentSide(Places):
    async def accept(self, case_id: str, agent: str) -> HandoffCase:
        case = await self.queues.get(case_id)
        if case is None:
            raise NotFound("case_not_found", "There is no such case.")
        result = await self.queues.accept(case_id, case.queue, agent, self.settings.handoff_agent_capacity)
        holder = await self.display_name(result.holder) if result.problem == "taken" and result.holder else ""
        accepted = _taken_or_fail(result, "accepted", "This case is no longer waiting.", holder)
        await self._joined(accepted, agent, "accepted")
        await self.refresh_places(case.queue)
        return accepted

    async def pick_up(self, case_id: str, agent: str) -> HandoffCase:
        """Take a callback or ticket the customer left: from then on a chat like an accepted case. The customer
        sees the agent join (now, or in their history when they come back) and every message after it."""
        case = await self.queues.get(case_id)
        if case is None:
            raise NotFound("case_not_found", "There is no such case.")
        result = await self.queues.pick_up(case_id, case.queue, agent, self.settings.handoff_agent_capacity)
        if result.problem == "superseded":
            raise Conflict("superseded", f"The customer has a newer case, {result.holder}: take that one.")
        holder = await self.display_name(result.holder) if result.problem == "taken" and result.holder else ""
        picked = _taken_or_fail(result, "picked up", "This case is no longer a callback or ticket to pick up.", holder)
        await self._joined(picked, agent, "picked_up")
        return picked

    async def _joined(self, case: HandoffCase, agent: str, event: str) -> None:
        joined = wire.HandoffEvent(type="agent_joined", agent_name=await self.display_name(agent))
        await self.publisher.handoff_event(case.conversation_id, joined)
        await self.console({"type": "case", "event": event, "queue": case.queue.value, "agent": agent,
                            "case": building.summary(case)})  # fmt: skip

    async def held_by(self, case_id: str, agent: str) -> HandoffCase:
        case = await self.queues.get(case_id)
        if case is None:
            raise NotFound("case_not_found", "There is no such case.")
        if case.status is not CaseStatus.accepted or case.agent != agent:
            raise Conflict("not_your_chat", "You are not chatting with this customer now.")
        return case

    async def _holding(self, case_id: str, agent: str) -> dict[str, str]:
        """The case's state if ``agent`` holds it now (the hot path of the relay reads no case body)."""
        state = await self.queues.state(case_id)
        if not state:
            raise NotFound("case_not_found", "There is no such case.")
        if state.get("status") != CaseStatus.accepted.value or state.get("agent") != agent:
            raise Conflict("not_your_chat", "You are not chatting with this customer now.")
        return state

    async def agent_message(self, case_id: str, agent: str, client_id: str, text: str) -> tuple[int, bool]:
        """Keep and send an agent's message once per client id; returns (seq, duplicate)."""
        state = await self._holding(case_id, agent)
        conversation_id = state["conversation_id"]
        ids = keys.agent_client_ids(conversation_id)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hsetnx(ids, client_id, 0)
            pipe.hget(ids, client_id)
            pipe.expire(ids, 30 * 24 * 3600)
            fresh, known, _ = await pipe.execute()
        if not fresh:
            return int(known or 0), True
        entries = await self.publisher.message(
            conversation_id, [{"text": text}], sender="agent", agent_name=await self.display_name(agent)
        )
        seq = int(entries[-1]["seq"])
        await self.redis.hset(ids, client_id, seq)
        await self.console({"type": "chat", "case_id": case_id, "conversation_id": conversation_id,
                            "agent": agent, "queue": state.get("queue"), "entries": entries})  # fmt: skip
        await self.recorder.record(conversation_id, bot_event(text, agent, seq))
        return seq, False

    async def agent_typing(self, case_id: str, agent: str, typing: bool) -> None:
        state = await self._holding(case_id, agent)
        event = wire.HandoffEvent(type="agent_typing", agent_name=await self.display_name(agent), typing=typing)
        await self.publisher.handoff_event(state["conversation_id"], event)

    async def hand_back(self, case_id: str, agent: str) -> HandoffCase:
        case = await self.held_by(case_id, agent)
        done, _ = await self.queues.leave(case_id, CaseStatus.handed_back, (CaseStatus.accepted,), agent)
        if not done:
            raise Conflict("not_your_chat", "You are not chatting with this customer now.")
        await self.publisher.handoff_event(case.conversation_id, wire.HandoffEvent(type="agent_typing", typing=False))
        await self.publisher.handoff_event(
            case.conversation_id, wire.HandoffEvent(type="handed_back", agent_name=await self.display_name(agent))
        )
        replies = await self.recorder.hand_back(case.conversation_id)
        bodies = [body for reply in replies for body in wire.bot_uttered_bodies(reply)]
        if bodies:
            await self.publisher.message(case.conversation_id, bodies, sender="bot")
        await self.console({"type": "case", "event": "handed_back", "queue": case.queue.value, "agent": agent,
                            "case": {"case_id": case_id}})  # fmt: skip
        return await self.queues.get(case_id) or case

    async def end(self, case_id: str, agent: str, disposition: dict[str, Any]) -> HandoffCase:
        case = await self.held_by(case_id, agent)
        done, _ = await self.queues.leave(case_id, CaseStatus.closed, (CaseStatus.accepted,), agent)
        if not done:
            raise Conflict("not_your_chat", "You are not chatting with this customer now.")
        at = datetime.now(UTC).isoformat()
        await self.queues.set_fields(case_id, disposition=json.dumps({**disposition, "by": agent, "at": at}))
        await self.publisher.handoff_event(
            case.conversation_id, wire.HandoffEvent(type="closed", agent_name=await self.display_name(agent))
        )
        await self.console({"type": "case", "event": "closed", "queue": case.queue.value, "agent": agent,
                            "case": {"case_id": case_id}})  # fmt: skip
        return await self.queues.get(case_id) or case

    async def transfer(self, case_id: str, agent: str, queue: Queue) -> HandoffCase:
        case = await self.held_by(case_id, agent)
        if queue is case.queue:
            raise Unprocessable("same_queue", "The case is already in that queue.")
        if not await self.queues.requeue(case_id, to_queue=queue, from_agent=agent, event="transferred"):
            raise Conflict("not_your_chat", "You are not chatting with this customer now.")
        text = f"{await self.display_name(agent)} passed you to our {team_name(queue)} team, with everything so far."
        await self.publisher.message(case.conversation_id, [{"text": text}])
        moved = await self.queues.get(case_id) or case
        await self.console({"type": "case", "event": "transferred_out", "queue": case.queue.value, "agent": agent,
                            "case": {"case_id": case_id}})  # fmt: skip
        await self.tell_place(moved, first=True)
        return moved

    async def requeue_from(self, agent: str, case_id: str) -> None:
        """The agent has been gone past their grace: the customer goes back to the queue at their old place."""
        case = await self.queues.get(case_id)
        if case is None or not await self.queues.requeue(case_id, from_agent=agent):
            return
        log.info("case %s back in %s: agent %s gone past the grace period", case_id, case.queue.value, agent)
        name = await self.display_name(agent)
        await self.publisher.handoff_event(
            case.conversation_id, wire.HandoffEvent(type="agent_typing", agent_name=name, typing=False)
        )
        await self.publisher.handoff_event(case.conversation_id, wire.HandoffEvent(type="requeued", agent_name=name))
        await self.console({"type": "case", "event": "requeued_from", "queue": case.queue.value, "agent": agent,
                            "case": {"case_id": case_id}})  # fmt: skip
        requeued = await self.queues.get(case_id)
        if requeued:
            await self.tell_place(requeued, first=True)
