"""The warm handoff's lifecycle, shared by the chat channel, the agent console and the sweeps.

Holder states (``bot.conversations.Holder``): ``bot`` → (escalation) ``waiting`` → (accepted) ``agent`` →
``bot`` (handed back) or ``closed`` (ended with a disposition; the customer's next message goes to the bot).
A transfer, or an agent gone past their reconnect grace, puts an ``agent`` conversation back to ``waiting``.
Each step is told to the customer (``handoff`` events, kept in their history) and to the consoles (the
``keys.CONSOLE`` channel).
"""

from __future__ import annotations

import json
import logging
import time
from datetime import datetime, timezone
from typing import Any

from pydantic import ValidationError
from redis.asyncio import Redis

from bot.auth.accounts import Accounts
from bot.chat import wire
from bot.chat.publisher import ChatPublisher
from bot.chat.store import ChatStore
from bot.conversations import ConversationStore
from bot.handoff import building, keys
from bot.handoff.case import CaseStatus, HandoffCase, Queue, case_from_request
from bot.handoff.presence import Presence, hours_text, open_now
from bot.handoff.queues import PARKED_STATUSES, AcceptResult, Card, CaseQueues
from bot.handoff.tracker import TrackerRecorder, bot_event, user_event
from bot.handoff.withdrawal import asks_to_withdraw
from core.policy import QUEUE_BY_PROBLEM
from core.settings import Settings

log = logging.getLogger(__name__)

CALLBACK = "/handoff_callback"
TICKET = "/handoff_ticket"
OFFERS = [{"title": "Request a callback", "payload": CALLBACK}, {"title": "Leave it as a ticket", "payload": TICKET}]
TEAM = {"technical": "technical support", "billing": "billing", "orders": "orders", "sales": "sales",
        "retention": "account", "moves": "home moves", "general": "customer care"}  # fmt: skip


FRUSTRATION_MIN_TURNS = 2  # one angry line is venting; two in a row (mean of the last three) is frustration


CALM_INTENTS = frozenset({"not_sure", "withdraw_request", "thank", "goodbye", "affirm", "stop_notifications"})
"""A customer's last turn of these kinds never triggers the frustration handoff."""


class HandoffError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _taken_or_fail(result: AcceptResult, verb: str, gone: str, holder_name: str) -> HandoffCase:
    """The case an agent took (accept, pick-up), or the error the console shows for why they could not."""
    if result.case is not None:
        return result.case
    if result.problem == "taken":
        raise HandoffError(409, "already_taken", f"{holder_name or 'Someone'} {verb} this case first.")
    if result.problem == "at_capacity":
        raise HandoffError(409, "at_capacity", f"You already hold {result.holder} chats, your limit: end or "
                           "hand one back first.")  # fmt: skip
    raise HandoffError(409, "not_waiting", gone)


class HandoffService:
    def __init__(
        self,
        settings: Settings,
        redis: Redis[bytes],
        store: ChatStore,
        conversations: ConversationStore,
        publisher: ChatPublisher,
        recorder: TrackerRecorder,
    ) -> None:
        self.settings = settings
        self.redis = redis
        self.store = store
        self.conversations = conversations
        self.publisher = publisher
        self.recorder = recorder
        self.queues = CaseQueues(redis, settings.handoff_average_handle_s)
        self.presence = Presence(redis, settings.handoff_presence_ttl_s)
        self.accounts = Accounts(redis, settings.accounts_session_ttl_s)

    async def display_name(self, agent: str) -> str:
        """The name the customer sees for ``agent``: their account's display name, never the login."""
        return await self.accounts.display_name(agent)

    # ---------------------------------------------------------------- to the consoles

    async def console(self, message: dict[str, Any]) -> None:
        await self.redis.publish(keys.CONSOLE, json.dumps({"v": 1, "at": time.time(), **message}, default=str))

    async def announce(self, case_id: str, event: str) -> None:
        """Show a waiting case on the consoles of its queue (a new, requeued, transferred or overdue case)."""
        state = await self.queues.state(case_id)
        if not state.get("card"):
            return
        queue = Queue(state["queue"])
        place = await self.queues.place(case_id, queue)
        item = Card(case_id, state.get("conversation_id", ""), queue, int(state.get("reannounced") or 0),
                    place.position if place else 0, json.loads(state["card"]))  # fmt: skip
        await self.console({"type": "case", "event": event, "queue": queue.value, "case": item.summary(time.time())})

    # ---------------------------------------------------------------- escalation

    async def escalate(self, conversation_id: str, request: dict[str, Any], request_seq: int) -> HandoffCase | None:
        """Make the bot's (or the gateway's) handoff request into a queued case and tell the customer."""
        history = await self.store.history(conversation_id)
        turns = building.transcript(history)
        understood = building.understanding_at_handoff(request, await self.recorder.tracker(conversation_id, True))
        try:
            case = case_from_request(conversation_id, request, turns, understood)
        except (ValidationError, ValueError, TypeError):
            # A request in an unexpected shape still makes a case: without the parts that did not parse.
            log.exception(
                "handoff request of %s partly unreadable; queued without identity and evidence", conversation_id
            )
            lean = {
                **request,
                "identity": None,
                "evidence": [],
                "findings": {"unreadable_request": str(request)[:2000]},
            }
            case = case_from_request(conversation_id, lean, turns)
        if case.identity is not None:
            window_s = self.settings.handoff_repeat_contact_days * 86400
            repeat_of = await self.queues.recent_cases_of(case.identity.customer_id, window_s, case.case_id)
        else:
            repeat_of = []
        case = building.prioritise(case, repeat_of, self.settings.handoff_negative_sentiment)
        case, created = await self.queues.enqueue(case, keys.request(conversation_id, request_seq))
        if not created:
            return case
        log.info("case %s queued conversation=%s queue=%s priority=%s reason=%s", case.case_id, conversation_id,
                 case.queue.value, case.priority.value, case.reason)  # fmt: skip
        await self.tell_place(case, first=True)
        return case

    async def tell_place(
        self, case: HandoffCase | Card, *, first: bool = False, overdue: bool = False, available: int | None = None
    ) -> None:
        """Tell the customer where they stand: position and wait, or honestly that nobody can take it now."""
        place = await self.queues.place(case.case_id, case.queue)
        if place is None:
            return
        if available is None:
            available = await self.presence.available_for(case.queue)
        team = TEAM.get(case.queue.value, "customer care")
        if not open_now(self.settings):
            message = (f"Our {team} team is not working right now: they take chats {hours_text(self.settings)}. "
                       "You can ask for a callback or leave it as a ticket; either way they get everything you told "
                       "me, so you won't have to repeat yourself. Or keep this page open and wait.")  # fmt: skip
            await self._no_agent(case, message, "closed", first)
            return
        if available == 0:
            message = (f"Nobody from our {team} team is online right now. You can ask for a callback or leave it as "
                       "a ticket: either way they get everything you told me. Or stay here: you keep your place "
                       f"(position {place.position}).")  # fmt: skip
            await self._no_agent(case, message, "offline", first)
            return
        wait_s = int(place.position * self.settings.handoff_average_handle_s / available)
        if overdue and case.reannounced >= self.settings.handoff_reannounce_max:
            message = (f"Sorry, everyone in our {team} team is still busy. You're number {place.position} in the "
                       "queue. If you'd rather not wait, ask for a callback or leave it as a ticket.")  # fmt: skip
            await self._no_agent(case, message, f"busy:{case.reannounced}", first)
            return
        if overdue:
            sorry = f"Sorry for the wait: everyone in our {team} team is still busy. You haven't lost your place."
            await self.publisher.message(
                case.conversation_id,
                [{"text": sorry}],
            )
        changed = await self.queues.retell(case.case_id, f"{place.position}:{wait_s // 60}")
        if first or overdue or changed:
            event = wire.HandoffEvent(type="queued" if first else "position", position=place.position, wait_s=wait_s)
            await self.publisher.handoff_event(case.conversation_id, event)

    async def _no_agent(self, case: HandoffCase | Card, message: str, situation: str, first: bool) -> None:
        """Tell the customer nobody can take the chat now, once per situation (never at each refresh of places).

        ``situation`` is ``closed``, ``offline`` or ``busy:<re-announcements>``. Closed or offline is said again
        once when the case passes the re-announcement limit (a reminder of the offers), and whenever the
        situation changes (an agent came online and went again, the team's hours ended); busy is said at each
        re-announcement past the limit, as the apology is before it. A case (re)entering a queue (``first``)
        is always told.
        """
        past_limit = case.reannounced >= self.settings.handoff_reannounce_max
        told = f"no_agent:{situation}:{'past_limit' if past_limit else 'within_limit'}"
        if not await self.queues.retell(case.case_id, told) and not first:
            return
        event = wire.HandoffEvent(type="no_agent", message=message, offers=OFFERS)
        await self.publisher.handoff_event(case.conversation_id, event)

    async def refresh_places(self, queue: Queue) -> None:
        """Tell every customer waiting in ``queue`` their new place (only those whose place changed)."""
        waiting = await self.queues.cards(queue)
        if waiting:
            available = await self.presence.available_for(queue)
            for case in waiting:
                await self.tell_place(case, available=available)

    # ---------------------------------------------------------------- the customer, while a person is coming or there

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
            text = (f"Done: a person from our {TEAM[case.queue.value]} team will call you back, with everything you "
                    f"told me (reference {case.case_id}).")  # fmt: skip
        else:
            text = (f"Done: I've left it as a ticket for our {TEAM[case.queue.value]} team, with everything you told "
                    f"me (reference {case.case_id}). A person will reply in this conversation.")  # fmt: skip
        await self.publisher.message(case.conversation_id, [{"text": text}])
        await self.publisher.handoff_event(case.conversation_id, wire.HandoffEvent(type="handed_back"))
        await self.console({"type": "case", "event": status.value, "queue": case.queue.value,
                            "case": {"case_id": case.case_id}})  # fmt: skip
        await self.refresh_places(case.queue)

    # ---------------------------------------------------------------- agents

    async def accept(self, case_id: str, agent: str) -> HandoffCase:
        case = await self.queues.get(case_id)
        if case is None:
            raise HandoffError(404, "case_not_found", "There is no such case.")
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
            raise HandoffError(404, "case_not_found", "There is no such case.")
        result = await self.queues.pick_up(case_id, case.queue, agent, self.settings.handoff_agent_capacity)
        if result.problem == "superseded":
            raise HandoffError(409, "superseded", f"The customer has a newer case, {result.holder}: take that one.")
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
            raise HandoffError(404, "case_not_found", "There is no such case.")
        if case.status is not CaseStatus.accepted or case.agent != agent:
            raise HandoffError(409, "not_your_chat", "You are not chatting with this customer now.")
        return case

    async def _holding(self, case_id: str, agent: str) -> dict[str, str]:
        """The case's state if ``agent`` holds it now (the hot path of the relay reads no case body)."""
        state = await self.queues.state(case_id)
        if not state:
            raise HandoffError(404, "case_not_found", "There is no such case.")
        if state.get("status") != CaseStatus.accepted.value or state.get("agent") != agent:
            raise HandoffError(409, "not_your_chat", "You are not chatting with this customer now.")
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
            raise HandoffError(409, "not_your_chat", "You are not chatting with this customer now.")
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
            raise HandoffError(409, "not_your_chat", "You are not chatting with this customer now.")
        at = datetime.now(timezone.utc).isoformat()
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
            raise HandoffError(422, "same_queue", "The case is already in that queue.")
        if not await self.queues.requeue(case_id, to_queue=queue, from_agent=agent, event="transferred"):
            raise HandoffError(409, "not_your_chat", "You are not chatting with this customer now.")
        text = f"{await self.display_name(agent)} passed you to our {TEAM[queue.value]} team, with everything so far."
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

    # ---------------------------------------------------------------- the gateway's own trigger: frustration

    async def after_bot_turn(self, conversation_id: str) -> dict[str, Any] | None:
        """A handoff request when the customer's last turns read as upset (the bot's rules cannot see sentiment).

        Two customer turns at least, and only those since the last handoff, so a handed-back customer is not
        sent straight back by the words that brought them to a person the first time.
        """
        history = await self.store.history(conversation_id)
        last_handoff = max((i for i, e in enumerate(history) if e.get("kind") == "handoff"), default=-1)
        turns = [t for t in building.transcript(history[last_handoff + 1 :]) if t.speaker == "customer"]
        if len(turns) < FRUSTRATION_MIN_TURNS:
            return None
        trend = building.sentiment_trend(turns)
        if trend is None or trend > self.settings.handoff_negative_sentiment:
            return None
        tracker = await self.recorder.tracker(conversation_id)
        slots = tracker.get("slots") or {}
        latest = tracker.get("latest_message") or {}
        if ((latest.get("intent") or {}).get("name") or "") in CALM_INTENTS:
            # "Not sure yet", "cancel that", "thanks": the customer just said what they want, and it is not a
            # person; earlier upset words do not overrule that.
            return None
        said = "; ".join(t.text for t in turns[-3:])
        queue = QUEUE_BY_PROBLEM.get(slots.get("problem") or "", "general")
        return {
            "v": 1, "reason": "negative_sentiment", "queue": queue,
            "priority": "high", "priority_reasons": ["negative_sentiment"], "problem": slots.get("problem"),
            "summary": f"The customer's last messages read as upset (sentiment {trend:.2f}): {said}"[:600],
            "suggested_next_action": "Acknowledge the frustration first, then read the transcript for the problem.",
            "identity": slots.get("identity"), "findings": slots.get("findings") or {},
            "evidence": slots.get("evidence") or [], "tried": slots.get("tried") or [],
            "last_intent": (latest.get("intent") or None), "requested_at": wire.iso_now(),
        }  # fmt: skip
