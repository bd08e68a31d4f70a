"""Handing each conversation's customer messages to Rasa, in order, once, and never dropping one.

A customer message is first kept (history and pending list, see ``store``), acknowledged to the page, and only
then handed to Rasa by :meth:`Delivery.drain`, under a per-conversation Redis lock so that one gateway at a
time talks to Rasa for a conversation and messages reach Rasa in the order they were sent.

When Rasa is down or slow the message stays pending, and the customer is told once, plainly, with two ways
out that do not need Rasa: a person now, or a ticket a person answers later (the gateway raises the handoff
request itself). Pending messages are offered to Rasa again by the next message of that conversation and by
:meth:`Delivery.retry_forever`, which every gateway runs; a request that timed out after reaching Rasa is
first looked up in Rasa's tracker, so Rasa never handles one message twice.

Messages go to Rasa only while the bot holds the conversation. One the customer sent while Rasa was still
answering a turn that raised a handoff is pending when that turn ends: it goes to the person instead
(:meth:`HandoffPort.customer_message`), as if it had been sent after the handoff, so the bot never answers it.

Everything Delivery asks of the handoff goes through the :class:`bot.chat.handoff_port.HandoffPort` it is built
with; handoff requests are typed (``core.contracts.handoff.HandoffRequest``) and read once, here.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Coroutine
from typing import Any

from redis.exceptions import RedisError

from bot.chat import wire
from bot.chat.handoff_port import HandoffPort, read_request
from bot.chat.publisher import ChatPublisher, bot_entries
from bot.chat.store import ChatStore, LockLost, PendingMessage
from bot.conversations import ConversationStore, Holder
from bot.rasa_client import RasaClient, RasaMaybeProcessed, RasaUnavailable
from core.contracts.handoff import HandoffRequest, UnansweredMessage

log = logging.getLogger(__name__)

LOCK_MARGIN_S = 10.0  # beyond two Rasa timeouts (tracker lookup, then the message), a lock holder is dead
RETRY_BATCH = 100  # conversations retried per round; the rest wait for the next round
OFFER_LOCK_POLL_S = 0.1  # how often a way out waits for a delivery to Rasa in progress to give up

ASSISTANT_DOWN = (
    "Sorry, the assistant isn't answering right now. I've kept your message and will pass it on as soon as it's "
    "back. If you'd rather not wait, I can put you through to a person, or leave it as a ticket that a person "
    "answers here."
)
TO_PERSON = "I'm passing you to a person now, with the messages you sent, so you won't have to repeat yourself."
AS_TICKET = (
    "I've opened a ticket with your messages. A person will reply in this conversation: you can close this page "
    "and come back to it later."
)
OFFER_PERSON = "/request_human"
OFFER_TICKET = "/request_ticket"
OFFERS = [
    {"title": "Talk to a person", "payload": OFFER_PERSON},
    {"title": "Leave it as a ticket", "payload": OFFER_TICKET},
]


NO_ANSWER = (
    "Sorry, I couldn't finish that just now: one of our systems didn't answer. You can try again in a moment, or I "
    "can put you through to a person, or leave it as a ticket that a person answers here."
)
HANDOFF_RETRY_PAUSES_S = (0.2, 1.0, 0.0)  # enqueueing is idempotent per request, so a retry cannot make two cases
HANDOFF_FAILED = (
    "Sorry, I couldn't reach our team's queue just now, so nobody has your chat yet. Please ask for a person again "
    "in a moment, or leave it as a ticket that a person answers here."
)
FRUSTRATED = "I can tell this has been frustrating. I'm getting you a person now, with everything so far."


class Delivery:
    def __init__(
        self,
        store: ChatStore,
        conversations: ConversationStore,
        publisher: ChatPublisher,
        rasa: RasaClient,
        handoff: HandoffPort,
        *,
        rasa_timeout_s: float,
        retry_interval_s: float,
    ) -> None:
        self._store = store
        self._conversations = conversations
        self._publisher = publisher
        self._rasa = rasa
        self._handoff_port = handoff
        self._lock_ttl_s = 2 * rasa_timeout_s + LOCK_MARGIN_S
        self._retry_interval_s = retry_interval_s
        self._tasks: set[asyncio.Task[None]] = set()

    def schedule(self, conversation_id: str) -> None:
        """Drain in the background, so the customer's message is acknowledged before Rasa has answered."""
        self._spawn(self.drain(conversation_id))

    def schedule_offer(self, conversation_id: str, text: str) -> None:
        self._spawn(self.take_offer(conversation_id, text))

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def aclose(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def drain(self, conversation_id: str) -> None:
        """Hand the pending messages to Rasa, oldest first, unless another drain holds the conversation.

        Letting go of the lock says whether a message arrived meanwhile: it found the lock taken and left its
        delivery to the holder, so the holder goes round again.
        """
        try:
            while True:
                token = secrets.token_hex(16)
                taken, message, held = await self._store.claim(conversation_id, token, self._lock_ttl_s)
                if not taken:
                    return
                stalled = False
                try:
                    if held and message is not None:
                        await self._to_person(conversation_id)
                        message = None
                    while message is not None:
                        message = await self._deliver(conversation_id, message, token)
                except _Stalled:
                    stalled = True
                finally:
                    more = await self._store.release(conversation_id, token)
                if stalled and more:
                    # A message came in during the failed attempt and left its delivery to this drain: it stays
                    # pending for the retry loop, and its sender's turn ends here (the outage was told once).
                    await self._publisher.typing(conversation_id, False)
                if stalled or not more:
                    return
        except LockLost:
            log.warning("chat delivery outlived its lock conversation=%s; another drain took over", conversation_id)
        except (RedisError, OSError):
            log.exception(
                "chat delivery to Rasa interrupted conversation=%s; the retry loop takes it up", conversation_id
            )

    async def _deliver(self, conversation_id: str, message: PendingMessage, token: str) -> PendingMessage | None:
        """Deliver one message; return the next pending one, or raise :class:`_Stalled` when Rasa failed."""
        await self._publisher.typing(conversation_id, True)
        try:
            replies = None
            if message.maybe_processed:
                replies = await self._rasa.replies_to(conversation_id, message.client_id)
            if replies is None:
                metadata = {**message.metadata, "channel": "web", "client_id": message.client_id}
                replies = await self._rasa.send_message(conversation_id, message.text, metadata)
        except RasaUnavailable as exc:
            log.warning("rasa unavailable conversation=%s seq=%d: %s", conversation_id, message.seq, exc)
            if isinstance(exc, RasaMaybeProcessed):
                await self._store.mark_maybe_processed(conversation_id, message)
            await self._tell_assistant_down(conversation_id)
            await self._publisher.typing(conversation_id, False)
            raise _Stalled from exc
        entries = bot_entries(replies)
        if not entries:
            # Every turn of this bot answers; an empty one means a step failed inside Rasa (typically the action
            # server not answering). The message is in the tracker already, so it is not resent: the customer is
            # told and offered a way out instead of silence.
            body = {"text": NO_ANSWER, "quick_replies": wire.quick_replies(OFFERS)}
            entries = [{"kind": "message", "from": "bot", "ts": wire.now_ms(), "body": body}]
        kept, following = await self._store.complete_pending(conversation_id, entries, token, self._lock_ttl_s)
        await self._publisher.send(conversation_id, kept)
        try:
            handed_off = await self._after(conversation_id, kept)
        finally:
            # The turn ends once the handoff it asked for is queued (or the gateway raised its own).
            await self._publisher.typing(conversation_id, False)
        # After a handoff, what the customer sent meanwhile is still pending: letting go of the lock finds it, and
        # the next claim hands it to the person coming (or to Rasa, if no case could be made).
        return None if handed_off else following

    async def _after(self, conversation_id: str, kept: list[dict[str, Any]]) -> bool:
        """Raise the handoff the turn asked for, or the gateway's own; return whether one was raised."""
        requests = [entry for entry in kept if _is_handoff(entry["body"])]
        if requests:
            await self._conversations.set_holder(conversation_id, Holder.waiting)
            for entry in requests:
                await self._handoff(conversation_id, entry)
            return True
        if request := await self._handoff_port.after_bot_turn(conversation_id):
            await self._conversations.set_holder(conversation_id, Holder.waiting)
            said = await self._publisher.message(
                conversation_id, [{"text": FRUSTRATED}, {"custom": {"handoff": request.wire()}}]
            )
            await self._handoff(conversation_id, said[-1], request)
            return True
        return False

    async def _handoff(
        self, conversation_id: str, entry: dict[str, Any], request: HandoffRequest | None = None
    ) -> None:
        """Queue the request kept in ``entry`` (the bot's, read here; or the gateway's own, ``request``)."""
        request = request or read_request(conversation_id, entry["body"]["custom"]["handoff"])
        for attempt, pause_s in enumerate(HANDOFF_RETRY_PAUSES_S):
            try:
                await self._handoff_port.escalate(conversation_id, request, int(entry["seq"]))
                return
            except Exception:  # the reply is kept: a case that failed must not stop the conversation
                log.exception("handoff request of %s not queued (seq %s, attempt %d)", conversation_id,
                              entry.get("seq"), attempt + 1)  # fmt: skip
                await asyncio.sleep(pause_s)
        # No case could be made: the customer must not wait for a person nobody will see. The bot holds the chat
        # again (the page's state line says so) and says so, with the same ways out as when the assistant is down.
        await self._publisher.handoff_event(conversation_id, wire.HandoffEvent(type="handed_back"))
        body = {"text": HANDOFF_FAILED, "quick_replies": wire.quick_replies(OFFERS)}
        await self._publisher.message(conversation_id, [body])

    async def _to_person(self, conversation_id: str) -> None:
        """Hand the pending messages, oldest first, to the person holding the conversation or coming to it."""
        taken = await self._store.take_pending(conversation_id)
        if not taken:
            return
        seqs = {message.seq for message in taken}
        back_to_bot = False
        for entry in await self._store.history(conversation_id, taken[0].seq - 1):
            if entry["seq"] not in seqs:
                continue
            if back_to_bot:
                await self._store.queue_for_rasa(conversation_id, entry)
            elif withdrawn := await self._handoff_port.customer_message(conversation_id, entry):
                back_to_bot = True  # the customer left the queue: the drain's next round hands these to Rasa
                await self._store.queue_for_rasa(conversation_id, entry, {"withdrawn_case": withdrawn})

    async def _tell_assistant_down(self, conversation_id: str) -> None:
        """Once per outage: every retry that fails again stays silent."""
        if await self._store.assistant_down(conversation_id):
            return
        await self._store.set_assistant_down(conversation_id, True)
        body = {"text": ASSISTANT_DOWN, "quick_replies": wire.quick_replies(OFFERS)}
        await self._publisher.message(conversation_id, [body])

    async def is_offer(self, conversation_id: str, text: str) -> bool:
        """Whether this message takes one of the ways out offered while the assistant is not answering."""
        return text in (OFFER_PERSON, OFFER_TICKET) and await self._store.assistant_down(conversation_id)

    async def take_offer(self, conversation_id: str, text: str) -> None:
        """Raise the handoff request the bot would have, with the messages Rasa never answered.

        The pending messages go to the person instead of Rasa, so the bot does not answer them after the handoff.
        """
        token = secrets.token_hex(16)
        deadline = asyncio.get_running_loop().time() + self._lock_ttl_s
        while not (await self._store.claim(conversation_id, token, self._lock_ttl_s))[0]:
            if asyncio.get_running_loop().time() > deadline:
                break  # the holder died without letting go; its lock has expired by now
            await asyncio.sleep(OFFER_LOCK_POLL_S)
        try:
            if await self._conversations.holder(conversation_id) in (Holder.waiting, Holder.agent):
                # The answer Rasa was still working on raised a handoff meanwhile: the customer has read its
                # hand-over sentence and is queued, so a second one (and a second case) would only confuse.
                return
            unanswered = await self._store.take_pending(conversation_id)
        finally:
            await self._store.release(conversation_id, token)
        ticket = text == OFFER_TICKET
        request = _handoff_request(unanswered, ticket)
        said = await self._publisher.message(
            conversation_id, [{"text": AS_TICKET if ticket else TO_PERSON}, {"custom": {"handoff": request.wire()}}]
        )
        await self._store.set_assistant_down(conversation_id, False)
        await self._conversations.set_holder(conversation_id, Holder.waiting)
        await self._handoff(conversation_id, said[-1], request)

    async def retry_forever(self) -> None:
        """Every ``retry_interval_s``: when Rasa answers again, deliver what every conversation kept for it."""
        while True:
            await asyncio.sleep(self._retry_interval_s)
            try:
                waiting = await self._store.pending_conversations(RETRY_BATCH)
                if waiting and await self._rasa.is_up():
                    for conversation_id in waiting:
                        await self.drain(conversation_id)
            except (RedisError, OSError):
                log.warning("chat retry round failed; trying again in %.0fs", self._retry_interval_s, exc_info=True)


class _Stalled(Exception):
    """Rasa did not answer; the message stays pending for the next attempt."""


def _is_handoff(body: dict[str, Any]) -> bool:
    custom = body.get("custom")
    return isinstance(custom, dict) and isinstance(custom.get("handoff"), dict)


def _handoff_request(unanswered: list[PendingMessage], ticket: bool) -> HandoffRequest:
    """The gateway's own request when Rasa is not answering, from what the gateway knows."""
    said = "; ".join(m.text for m in unanswered) or "nothing yet"
    return HandoffRequest(
        reason="assistant_unavailable",
        summary=f"The assistant was not answering. The customer said: {said}",
        suggested_next_action="Read the transcript and answer the customer's unanswered messages.",
        contact="ticket" if ticket else "chat",
        unanswered=[UnansweredMessage(seq=m.seq, text=m.text) for m in unanswered],
    )
