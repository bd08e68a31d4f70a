"""Keeping Rasa's tracker whole while a person holds the conversation, and waking the bot at hand-back.

While the holder is ``waiting`` or ``agent``, customer messages never reach Rasa's prediction; they and the
agent's messages are recorded in the tracker as events instead (``POST /conversations/<id>/tracker/events``,
a ``user`` event without an intent and a ``bot`` event), so the transcript in Rasa, the learning store fed by
its event broker, and any later agent see the whole conversation.

Events go through a per-conversation outbox in Redis first (``keys.tracker_outbox``), oldest first, so a Rasa
that is down or a gateway that restarts loses none and keeps their order; every gateway's sweep retries.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time
from typing import Any

import httpx
from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.handoff import keys
from bot.rasa_client import BotMessage

log = logging.getLogger(__name__)

FLUSH_DELAY_S = 0.2  # events of a conversation arriving within this are recorded in one request
BATCH = 50  # events recorded in one request: Rasa loads and saves the whole tracker once per request
MAX_REFUSALS = 5  # answers of 5xx for one event (Rasa up, but refusing it) before it is set aside
LOCK_TTL_MS = 30_000  # longer than a tracker request's timeout: one gateway records a conversation at a time
OUTBOX_TTL_S = 30 * 24 * 3600
PARSE_TIMEOUT_S = 3.0  # a customer waiting for a person is not kept waiting longer for the NLU's reading
HAND_BACK_RESPONSE = "utter_what_else"
"""What the bot says after a hand-back: an existing response, so handing back changes no model."""


def user_event(text: str, client_id: str, seq: int) -> dict[str, Any]:
    """A customer message Rasa never parsed: an empty intent (Rasa 3.6 needs ``parse_data`` to append one)."""
    return {"event": "user", "text": text, "timestamp": time.time(), "input_channel": "web",
            "parse_data": {"text": text, "intent": {}, "entities": []},
            "metadata": {"client_id": client_id, "seq": seq, "held_by": "agent"}}  # fmt: skip


def bot_event(text: str, agent: str, seq: int) -> dict[str, Any]:
    return {"event": "bot", "text": text, "timestamp": time.time(), "metadata": {"agent": agent, "seq": seq}}


class TrackerRecorder:
    def __init__(self, redis: Redis, rasa_url: str, token: str | None, timeout_s: float) -> None:
        self._redis = redis
        params = {"token": token} if token else None
        self._http = httpx.AsyncClient(base_url=rasa_url, timeout=timeout_s, params=params)
        self._tasks: set[asyncio.Task[None]] = set()
        self._scheduled: set[str] = set()

    async def aclose(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._http.aclose()

    async def record(self, conversation_id: str, event: dict[str, Any]) -> None:
        """Keep the event in the outbox, then record everything pending for the conversation in the background:
        the relay between customer and agent never waits for Rasa."""
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.rpush(keys.tracker_outbox(conversation_id), json.dumps(event))
            pipe.expire(keys.tracker_outbox(conversation_id), OUTBOX_TTL_S)
            pipe.sadd(keys.TRACKER_PENDING, conversation_id)
            await pipe.execute()
        if conversation_id in self._scheduled:
            return  # a flush of this conversation is about to run and takes this event too
        self._scheduled.add(conversation_id)
        task = asyncio.create_task(self._flush_quietly(conversation_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _flush_quietly(self, conversation_id: str) -> None:
        try:
            await asyncio.sleep(FLUSH_DELAY_S)
            self._scheduled.discard(conversation_id)
            await self.flush(conversation_id)
        except (RedisError, OSError):
            log.warning("tracker events of %s wait for the next sweep", conversation_id, exc_info=True)
        finally:
            self._scheduled.discard(conversation_id)

    async def flush(self, conversation_id: str) -> bool:
        """Record pending events in order; ``False`` when Rasa did not take them (they stay for the sweep)."""
        token = secrets.token_hex(8)
        lock = keys.tracker_lock(conversation_id)
        if not await self._redis.set(lock, token, nx=True, px=LOCK_TTL_MS):
            return True  # another gateway is recording this conversation now
        try:
            outbox = keys.tracker_outbox(conversation_id)
            while batch := await self._redis.lrange(outbox, 0, BATCH - 1):
                # Everything pending in one request while Rasa is keeping up; one at a time once it refused one.
                if await self._redis.hexists(keys.TRACKER_REFUSALS, conversation_id):
                    batch = batch[:1]
                raw = batch[0]
                try:
                    response = await self._http.post(
                        f"/conversations/{conversation_id}/tracker/events",
                        params={"include_events": "NONE"},
                        json=[json.loads(item) for item in batch],
                    )
                except httpx.HTTPError as exc:
                    log.warning("tracker event not recorded conversation=%s: %s", conversation_id, exc)
                    return False
                if response.status_code != 200 and len(batch) > 1:
                    await self._redis.hset(keys.TRACKER_REFUSALS, conversation_id, 0)  # find the one: one at a time
                    continue
                if response.status_code != 200:
                    log.warning("tracker refused an event conversation=%s: %s", conversation_id, response.text[:200])
                    refusals = await self._redis.hincrby(keys.TRACKER_REFUSALS, conversation_id, 1)
                    if response.status_code >= 500 and refusals < MAX_REFUSALS:
                        return False
                    # Refused for good: kept aside for a person to look at, so later events are not held back.
                    await self._redis.rpush(keys.TRACKER_DEAD, json.dumps({"conversation_id": conversation_id,
                                            "event": json.loads(raw), "answer": response.text[:500]}))  # fmt: skip
                await self._redis.hdel(keys.TRACKER_REFUSALS, conversation_id)
                await self._redis.ltrim(outbox, len(batch), -1)
            await self._redis.srem(keys.TRACKER_PENDING, conversation_id)
            return True
        finally:
            if await self._redis.get(lock) == token.encode():
                await self._redis.delete(lock)

    async def flush_all(self, limit: int = 100) -> None:
        for member in await self._redis.srandmember(keys.TRACKER_PENDING, limit) or []:
            await self.flush(member.decode() if isinstance(member, bytes) else str(member))

    async def settle(self, conversation_id: str) -> None:
        """Record what is pending for the conversation before the bot speaks again (best effort, about 5 s at most:
        a Rasa that does not answer leaves the events to the sweep)."""
        for _ in range(50):  # a background flush of this conversation may hold the lock for a moment
            if not await self.flush(conversation_id):
                return  # Rasa is not taking events now: the sweep records them, in order, later
            if not await self._redis.exists(keys.tracker_lock(conversation_id)):
                return
            await asyncio.sleep(0.1)

    async def parse(self, text: str) -> dict[str, Any] | None:
        """Rasa's NLU reading of ``text`` (``POST /model/parse``: intent, ranking, entities), or ``None``."""
        try:
            response = await self._http.post("/model/parse", json={"text": text}, timeout=PARSE_TIMEOUT_S)
            if response.status_code == 200:
                parsed = response.json()
                return parsed if isinstance(parsed, dict) else None
            log.warning("rasa refused to parse a message: HTTP %d", response.status_code)
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("rasa NLU unreachable: %s", exc)
        return None

    async def hand_back(self, conversation_id: str) -> list[BotMessage]:
        """Record what happened, then have the bot speak again with every slot as it was; return its words."""
        await self.settle(conversation_id)
        try:
            response = await self._http.post(
                f"/conversations/{conversation_id}/execute",
                params={"include_events": "NONE"},
                json={"name": HAND_BACK_RESPONSE},
            )
            if response.status_code == 200:
                # The bot now waits for the customer, as after any of its turns, so the next message meets rules.
                await self._http.post(
                    f"/conversations/{conversation_id}/tracker/events",
                    params={"include_events": "NONE"},
                    json=[{"event": "action", "name": "action_listen", "timestamp": time.time()}],
                )
                return [BotMessage.model_validate(m) for m in response.json().get("messages") or []]
            log.warning("rasa refused the hand-back conversation=%s: %s", conversation_id, response.text[:200])
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("rasa unreachable at hand-back conversation=%s: %s", conversation_id, exc)
        return []

    async def tracker(self, conversation_id: str, events: bool = False) -> dict[str, Any]:
        """Rasa's tracker (``slots``, ``latest_message`` with intent ranking and entities), or ``{}``; with
        ``events`` also the events since the last restart (to find where the customer's flow started)."""
        try:
            response = await self._http.get(
                f"/conversations/{conversation_id}/tracker",
                params={"include_events": "AFTER_RESTART" if events else "NONE"},
            )
            if response.status_code == 200:
                state = response.json()
                return state if isinstance(state, dict) else {}
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("rasa tracker unreachable conversation=%s: %s", conversation_id, exc)
        return {}
