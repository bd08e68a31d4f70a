"""What supervisors do to live chats: see every chat held now, reassign one to another agent or queue, take one
over themselves. Each move is one Lua script (or the queues' own requeue) that checks the chat is still with the
agent the supervisor saw, so two supervisors clicking at once, or the agent ending the chat at that moment,
leave exactly one winner; the loser gets ``Conflict("moved_on", ...)``.

The customer sees who joins ("Sam joined"), the consoles are told through the handoff service's channel (the
old agent's list drops the chat, the new agent's gains it), and the case gets a note saying who did what.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

from bot.auth.accounts import Accounts
from bot.auth.roles import Role
from bot.chat import wire
from bot.handoff import building, keys
from bot.handoff.case import CaseStatus, HandoffCase, Note, Queue
from bot.handoff.journal import CaseJournal
from bot.handoff.service import HandoffService
from core.contracts.queues import team_name
from core.errors import Conflict, NotFound, Unprocessable
from core.redis.scripts import register

MAX_NOTE_CHARS = 1000


def _text(value: bytes | str | None) -> str:
    return value.decode() if isinstance(value, bytes) else (value or "")


def _moved_on(status: str, holder: str = "") -> Conflict:
    if holder:
        return Conflict("moved_on", f"This chat moved on: it is now with {holder}. Look again and retry.")
    ended = {"closed": "was ended", "handed_back": "was handed back to the bot", "waiting": "is back in a queue",
             "withdrawn": "was withdrawn by the customer", "gone": "no longer exists"}  # fmt: skip
    return Conflict("moved_on", f"This chat {ended.get(status, 'is ' + status.replace('_', ' '))}: "
                        "nobody holds it now.")  # fmt: skip


class Supervision:
    def __init__(self, service: HandoffService, journal: CaseJournal) -> None:
        self.service = service
        self.journal = journal
        self.accounts: Accounts = service.accounts
        self._reassign = register(service.redis, "bot.handoff", "reassign")

    # ---------------------------------------------------------------- the live view

    async def live(self) -> dict[str, Any]:
        """Every chat held now (by agent, with wait and handle times), the queues, the agents, and the customers
        waiting now (longest wait first)."""
        service = self.service
        now = time.time()
        presences = {p.name: p for p in await service.presence.everyone()}
        names = sorted(set(presences) | set(await self.accounts.names()))
        capacity = service.settings.handoff_agent_capacity
        agents, chats = [], []
        for name in names:
            held = await service.queues.agent_case_ids(name)
            presence = presences.get(name)
            if presence is None and not held:
                continue
            for case_id in held:
                chat = await self._held_chat(case_id, name, now)
                if chat:
                    chats.append(chat)
            agents.append({
                "name": name, "display_name": await self.accounts.display_name(name),
                "status": (presence.status if presence.connected else "disconnected") if presence else "no console",
                "available": bool(presence and presence.available), "holding": len(held), "capacity": capacity,
                "queues": sorted(presence.queues) if presence else await self.accounts.queues(name),
            })  # fmt: skip
        queues, waiting_now = [], []
        for queue in Queue:
            waiting = [c.summary(now) for c in await service.queues.cards(queue)]
            waiting_now += waiting
            online = sum(1 for p in presences.values() if p.available and queue.value in p.queues)
            held_here = sum(1 for c in chats if c["queue"] == queue.value)
            queues.append({"queue": queue.value, "waiting": len(waiting),
                           "longest_wait_s": max((c["waited_s"] for c in waiting), default=0),
                           "agents_online": online, "held": held_here})  # fmt: skip
        waiting_now.sort(key=lambda c: -c["waited_s"])
        return {"v": 1, "now": now, "chats": chats, "agents": agents, "queues": queues, "waiting": waiting_now}

    async def _held_chat(self, case_id: str, agent: str, now: float) -> dict[str, Any] | None:
        state = await self.service.queues.state(case_id)
        if state.get("status") != CaseStatus.accepted.value or state.get("agent") != agent:
            return None
        card = json.loads(state.get("card") or "{}")
        accepted = int(state.get("accepted_at") or now * 1000) / 1000
        created = datetime.fromisoformat(card["created_at"]).timestamp() if card.get("created_at") else accepted
        # The wait ended with the first accept after the case last entered a queue (a reassignment is no wait).
        wait = await self.journal.last_wait(case_id)
        entered, answered = wait if wait else (created, accepted)
        if answered is None or answered > accepted:
            answered = accepted
        return {**card, "case_id": case_id, "queue": state.get("queue"), "priority": state.get("priority"),
                "agent": agent, "display_name": await self.accounts.display_name(agent), "entered_at": entered,
                "accepted_at": accepted, "wait_s": round(max(0.0, answered - entered)),
                "handle_s": round(now - accepted)}  # fmt: skip

    async def chat(self, case_id: str) -> HandoffCase:
        case = await self.service.queues.get(case_id)
        if case is None:
            raise NotFound("case_not_found", "There is no such case.")
        return case

    # ---------------------------------------------------------------- moving a chat

    async def to_agent(self, case_id: str, expected: str, target: str, by: str, note: str = "") -> HandoffCase:
        """Give the chat ``expected`` holds to ``target`` (online, serving its queue, with room)."""
        case = await self.chat(case_id)
        target_user = await self.accounts.get(target)
        if target_user is None or not target_user.has_role(Role.agent, Role.supervisor):
            raise Unprocessable("unknown_agent", f"There is no agent {target!r}.")
        presence = await self.service.presence.get(target)
        shown = await self.accounts.display_name(target)
        if presence is None or not presence.available:
            raise Conflict("agent_unavailable", f"{shown} is not online in the console now.")
        serves = set(presence.queues) | set(await self.accounts.queues(target))
        if case.queue.value not in serves and not target_user.has_role(Role.supervisor):
            raise Unprocessable("agent_not_in_queue", f"{shown} does not serve the {case.queue.value} queue.")
        return await self._move(case, expected, target, by, note, self.service.settings.handoff_agent_capacity)

    async def take_over(self, case_id: str, expected: str, supervisor: str, note: str = "") -> HandoffCase:
        """The supervisor holds the chat from now on (no capacity limit: stepping in is their call)."""
        return await self._move(await self.chat(case_id), expected, supervisor, supervisor, note, 0)

    async def _move(
        self, case: HandoffCase, expected: str, target: str, by: str, note: str, capacity: int
    ) -> HandoffCase:
        done, detail = await self._reassign(
            keys=[keys.state(case.case_id), keys.agent_cases(expected or "-"), keys.agent_cases(target)],
            args=[case.case_id, expected, target, capacity, int(time.time() * 1000)],
        )
        outcome, detail_text = int(done), _text(detail)
        if outcome == -1:
            shown = await self.accounts.display_name(target)
            chats = "chat" if detail_text == "1" else "chats"
            raise Conflict("at_capacity", f"{shown} already holds {detail_text} {chats}, their limit.")
        if outcome == -3:
            raise Conflict("moved_on", f"{await self.accounts.display_name(target)} holds this chat already.")
        if outcome == -2:
            raise _moved_on("accepted", await self.accounts.display_name(detail_text) if detail_text else "")
        if outcome != 1:
            raise _moved_on(detail_text)
        service = self.service
        old_name, new_name = await service.display_name(expected), await service.display_name(target)
        stopped = wire.HandoffEvent(type="agent_typing", agent_name=old_name, typing=False)
        await service.publisher.handoff_event(case.conversation_id, stopped)
        joined = wire.HandoffEvent(type="agent_joined", agent_name=new_name)
        await service.publisher.handoff_event(case.conversation_id, joined)
        moved = await service.queues.get(case.case_id) or case
        what = "took over the chat" if target == by else f"reassigned the chat to {new_name} ({target})"
        await self._note(case.case_id, by, f"{what} from {old_name} ({expected})", note)
        # Display names beside the logins: a console says "Sam took over this chat", never a login.
        by_name = await service.display_name(by)
        await service.console({"type": "case", "event": "accepted", "queue": case.queue.value, "agent": target,
                               "agent_name": new_name, "reassigned_from": expected, "by": by, "by_name": by_name,
                               "case": building.summary(moved)})  # fmt: skip
        # The old holder's console drops the chat even if they do not serve its queue (the journal ignores this).
        await service.console({"type": "case", "event": "reassigned_away", "queue": case.queue.value,
                               "agent": expected, "agent_name": old_name, "to_agent": target,
                               "to_agent_name": new_name, "by": by, "by_name": by_name,
                               "case": {"case_id": case.case_id}})  # fmt: skip
        return await service.queues.get(case.case_id) or moved

    async def to_queue(self, case_id: str, expected: str, queue: Queue, by: str, note: str = "") -> HandoffCase:
        """Put the chat ``expected`` holds in ``queue``'s waiting list (its place by priority and age)."""
        case = await self.chat(case_id)
        if queue is case.queue:
            raise Unprocessable("same_queue", f"The chat is in the {queue.value} queue already.")
        service = self.service
        if not await service.queues.requeue(case_id, to_queue=queue, from_agent=expected, event="transferred"):
            state = await service.queues.state(case_id)
            holder = state.get("agent") if state.get("status") == CaseStatus.accepted.value else ""
            raise _moved_on(state.get("status") or "gone", await service.display_name(holder) if holder else "")
        old_name = await service.display_name(expected)
        stopped = wire.HandoffEvent(type="agent_typing", agent_name=old_name, typing=False)
        await service.publisher.handoff_event(case.conversation_id, stopped)
        text = f"You're being passed to our {team_name(queue)} team, with everything so far."
        await service.publisher.message(case.conversation_id, [{"text": text}])
        await self._note(case_id, by, f"moved the chat from {old_name} ({expected}) to the {queue.value} queue", note)
        await service.console({"type": "case", "event": "transferred_out", "queue": case.queue.value,
                               "to_queue": queue.value, "agent": expected, "agent_name": old_name, "by": by,
                               "by_name": await service.display_name(by), "case": {"case_id": case_id}})  # fmt: skip
        moved = await service.queues.get(case_id) or case
        await service.tell_place(moved, first=True)
        return moved

    async def _note(self, case_id: str, by: str, what: str, note: str) -> None:
        shown = await self.accounts.display_name(by)
        text = f"Supervisor {shown} ({by}) {what}." + (f" Note: {note}" if note else "")
        item = Note(at=datetime.now(UTC), by=by, by_name=shown, text=text)
        await self.service.queues.add(case_id, "notes", item.model_dump(mode="json"))
