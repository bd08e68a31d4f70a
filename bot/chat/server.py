"""The socket.io channel on the gateway: Rasa's protocol, with private conversations and nothing lost.

Events a client sends (each answered with an acknowledgement, which Rasa's widgets may ignore):

* ``session_request {session_id?, after_seq?}``: resume the conversation that session id opens, or start a new
  one. ``session_confirm`` answers with the session id (a string, as Rasa sends it); the acknowledgement
  carries ``{v, session_id, conversation_id, resumed, holder, last_seq}`` and, when ``after_seq`` was given,
  ``history``: the entries after that sequence number, for a page that reloaded or reconnected.
* ``user_uttered {message, session_id?, client_id?, display?}``: a customer message. ``client_id`` makes a
  resend harmless; ``display`` is the button title shown in place of a button's payload. Acknowledged with
  ``{v, seq, client_id, duplicate}`` once kept, before Rasa answers; a refusal is acknowledged with the
  gateway's error shape ``{v, error, message}`` and told to the customer as a one-off ``bot_uttered``.

* ``customer_typing {typing}``: shown to the agent holding the conversation (no acknowledgement).

While a person is coming, a message that withdraws the request (the page's ``/withdraw_request`` button, or words
Rasa's NLU reads as ``withdraw_request``) takes the customer out of the queue and goes to Rasa as a bot turn.

The server sends ``bot_uttered`` (Rasa's shapes plus ``metadata``), ``typing`` and ``handoff`` (see ``wire``).
"""

from __future__ import annotations

import logging
import math
import uuid
from collections.abc import Callable
from typing import Any

import socketio
from redis.exceptions import RedisError

from bot.chat import wire
from bot.chat.publisher import FANOUT_CHANNEL
from bot.errors import error_body
from bot.handoff.service import HandoffService
from bot.origins import OriginPolicy
from bot.rate_limit import retry_after
from bot.state import GatewayState
from core.settings import Settings
from core.unicode_text import plain_text, scrub

log = logging.getLogger(__name__)

MAX_PACKET_BYTES = 64 * 1024  # a 2,000-character message JSON-escaped fits many times over; larger is refused

Ack = dict[str, Any]


def create_server(settings: Settings) -> socketio.AsyncServer:
    """The socket.io server; nothing connects until the first client does."""
    manager = socketio.AsyncRedisManager(settings.effective_redis_url, channel=FANOUT_CHANNEL)
    return socketio.AsyncServer(
        async_mode="asgi",
        client_manager=manager,
        cors_allowed_origins=OriginPolicy(settings.allowed_origins),
        # One socket's events are handled in the order they arrive, so its messages keep their order.
        async_handlers=False,
        max_http_buffer_size=MAX_PACKET_BYTES,
    )


class ChatChannel:
    def __init__(
        self, sio: socketio.AsyncServer, state: Callable[[], GatewayState], handoff: Callable[[], HandoffService]
    ) -> None:
        self._sio = sio
        self._state = state
        self._handoff = handoff
        sio.on(wire.SESSION_REQUEST, self.session_request)
        sio.on(wire.USER_UTTERED, self.user_uttered)
        sio.on(wire.CUSTOMER_TYPING, self.customer_typing)

    async def customer_typing(self, sid: str, data: object) -> None:
        """The customer is typing (``{typing: bool}``): shown to the agent holding the chat, never stored."""
        conversation_id = (await self._sio.get_session(sid)).get("conversation_id")
        if isinstance(conversation_id, str) and isinstance(data, dict) and isinstance(data.get("typing"), bool):
            try:
                await self._handoff().customer_typing(conversation_id, data["typing"])
            except (RedisError, OSError):
                log.warning("customer typing not passed on sid=%s", sid, exc_info=True)

    async def session_request(self, sid: str, data: object) -> Ack:
        request = data if isinstance(data, dict) else {}
        try:
            return await self._open_session(sid, request)
        except (RedisError, OSError):
            log.exception("session_request failed sid=%s", sid)
            return error_body("unavailable", "The chat can't reach its storage just now; it will try again.")

    async def user_uttered(self, sid: str, data: object) -> Ack:
        try:
            return await self._receive(sid, data)
        except (RedisError, OSError):
            log.exception("user_uttered failed sid=%s", sid)
            return error_body("unavailable", "Your message could not be kept just now; it will be sent again.")

    async def _open_session(self, sid: str, request: dict[str, Any]) -> Ack:
        state = self._state()
        asked = request.get("session_id")
        asked = scrub(asked) if isinstance(asked, str) else None  # a lone surrogate names no session: a new one
        conversation_id = await state.conversations.resume(asked)
        if conversation_id is None:
            if refused := await self._too_many_new(sid):
                return refused
            created = await state.conversations.create()
            conversation_id, session_id = created.id, created.session_id
        else:
            session_id = str(asked)
        await self._bind(sid, conversation_id)
        await self._sio.emit(wire.SESSION_CONFIRM, session_id, to=sid)
        ack: Ack = {
            "v": wire.VERSION,
            "session_id": session_id,
            "conversation_id": conversation_id,
            "resumed": session_id == asked,
            "holder": (await state.conversations.holder(conversation_id)).value,
            "last_seq": await state.chat.store.last_seq(conversation_id),
        }
        after = request.get("after_seq")
        if isinstance(after, int) and not isinstance(after, bool) and after >= 0:
            ack["history"] = await state.chat.store.history(conversation_id, after)
        return ack

    async def _too_many_new(self, sid: str) -> Ack | None:
        """The per-address limit on new conversations (a script opening thousands); ``None`` when within it."""
        settings = self._state().settings
        scope = self._sio.get_environ(sid).get("asgi.scope") or {}
        address = (scope.get("client") or ("unknown",))[0]
        limit, window_s = settings.new_conversations_per_address, settings.new_conversations_window_s
        wait = await retry_after(self._state().redis, "new-conversations", str(address), limit, window_s)
        if wait is None:
            return None
        message = f"Too many new chats from your address just now. Please try again in {wait} seconds."
        return await self._refuse(sid, "rate_limited", message, retry_after_s=wait)

    async def _bind(self, sid: str, conversation_id: str) -> None:
        """Put the socket in its conversation's room (and out of any earlier one)."""
        session = await self._sio.get_session(sid)
        previous = session.get("conversation_id")
        if previous and previous != conversation_id:
            await self._sio.leave_room(sid, previous)
        await self._sio.save_session(sid, {"conversation_id": conversation_id})
        await self._sio.enter_room(sid, conversation_id)

    async def _new_conversation(self, sid: str) -> str:
        """A widget that sends before asking for a session gets a new conversation."""
        created = await self._state().conversations.create()
        await self._bind(sid, created.id)
        await self._sio.emit(wire.SESSION_CONFIRM, created.session_id, to=sid)
        return created.id

    async def _receive(self, sid: str, data: object) -> Ack:
        state = self._state()
        settings = state.settings
        conversation_id = (await self._sio.get_session(sid)).get("conversation_id")
        if not isinstance(conversation_id, str):
            if refused := await self._too_many_new(sid):
                return refused
            conversation_id = await self._new_conversation(sid)
        if not isinstance(data, dict) or not isinstance(data.get("message"), str):
            return await self._refuse(sid, "invalid_request", 'A message is sent as {"message": "<text>"}.')
        text = plain_text(data["message"]).strip()
        if not text:
            return await self._refuse(sid, "empty_message", "The message is empty: type something to send.")
        limit = settings.max_message_chars
        if len(text) > limit:
            return await self._refuse(
                sid,
                "message_too_long",
                f"Your message is {len(text):,} characters long and the limit is {limit:,}: "
                "please shorten it or send it in parts.",
            )
        client_id = data.get("client_id")
        if not isinstance(client_id, str) or not wire.CLIENT_ID.fullmatch(client_id):
            client_id = uuid.uuid4().hex  # a widget without client ids: each message is new
        entry: dict[str, Any] = {"kind": "customer", "ts": wire.now_ms(), "client_id": client_id, "text": text}
        display = data.get("display")
        # A button's title shown for its payload ("/request_human"); never for typed text, which the agent must
        # see exactly as the bot processed it.
        if text.startswith("/") and isinstance(display, str) and 0 < len(display) <= wire.MAX_DISPLAY_CHARS:
            entry["display"] = plain_text(display)
        delivery = state.chat.delivery
        offer = await delivery.is_offer(conversation_id, text)
        accepted = await state.chat.store.accept_customer(
            conversation_id,
            entry,
            for_rasa=not offer,
            rate_limit=settings.chat_rate_limit,
            rate_window_s=settings.chat_rate_window_s,
        )
        if accepted.retry_after_s is not None:
            seconds = max(1, math.ceil(accepted.retry_after_s))
            message = (
                f"You're sending messages faster than we can read them. Please wait {seconds} seconds, "
                "then send that one again."
            )
            return await self._refuse(sid, "rate_limited", message, retry_after_s=seconds)
        if accepted.queued:
            await self._handoff().before_bot_turn(conversation_id, text)  # a parked callback or ticket withdrawn
            delivery.schedule(conversation_id)
        elif not accepted.duplicate and offer:
            delivery.schedule_offer(conversation_id, text)
        elif not accepted.duplicate:  # a person holds the conversation, or one is coming
            kept = entry | {"seq": accepted.seq}
            if withdrawn := await self._handoff().customer_message(conversation_id, kept):
                # The customer left the queue with this message: the bot holds the conversation and answers it.
                await state.chat.store.queue_for_rasa(conversation_id, kept, {"withdrawn_case": withdrawn})
                delivery.schedule(conversation_id)
        return {"v": wire.VERSION, "seq": accepted.seq, "client_id": client_id, "duplicate": accepted.duplicate}

    async def _refuse(self, sid: str, code: str, message: str, **extra: Any) -> Ack:
        """Tell this socket's customer (a widget shows the text) and acknowledge with the error."""
        await self._sio.emit(wire.BOT_UTTERED, wire.notice(message), to=sid)
        return error_body(code, message) | extra
