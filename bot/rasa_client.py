"""The gateway's only way to Rasa: its REST channel for messages, over one pooled HTTP client with a timeout."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import httpx
from pydantic import BaseModel

log = logging.getLogger(__name__)


class RasaUnavailable(Exception):
    """Rasa did not answer in time or answered with an error; the customer is told, the message kept."""


class RasaMaybeProcessed(RasaUnavailable):
    """The request reached Rasa but no answer came back in time: Rasa may still have handled the message."""


# Once the request is on its way, these mean Rasa may have received it: check its tracker before sending again.
_AFTER_SENDING = (httpx.ReadTimeout, httpx.WriteTimeout, httpx.RemoteProtocolError, httpx.ReadError)


class BotMessage(BaseModel):
    """One bot reply as Rasa's REST channel returns it (text, buttons, image, attachment or custom payload)."""

    text: str | None = None
    buttons: list[dict[str, Any]] | None = None
    image: str | None = None
    attachment: Any | None = None
    custom: Any | None = None


# One connection per conversation Rasa is answering at once, kept open: reopening one per message (httpx keeps
# only 20 by default) costs both processes a TCP handshake per message once a few dozen customers chat.
CONNECTIONS = 500


class RasaClient:
    """Rasa's REST channel, with at most ``concurrency`` messages in Rasa's hands at once.

    Rasa spends CPU on each message in one event loop, so every message in flight slows all the others:
    with dozens in flight, a new conversation's first message can wait ten seconds while others race ahead.
    Holding the rest back in arrival order makes each customer's wait their place in the queue, and keeps an
    overloaded Rasa from being swamped. A message that waits longer than the timeout for its turn is treated
    as Rasa not answering (it was never sent, so sending it again later is safe).
    """

    def __init__(self, base_url: str, timeout_s: float, token: str | None = None, concurrency: int = 8) -> None:
        params = {"token": token} if token else None
        limits = httpx.Limits(max_connections=CONNECTIONS, max_keepalive_connections=CONNECTIONS)
        self._http = httpx.AsyncClient(base_url=base_url, timeout=timeout_s, params=params, limits=limits)
        self._timeout_s = timeout_s
        self._turns = asyncio.Semaphore(concurrency)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def send_message(self, sender: str, text: str, metadata: dict[str, Any] | None = None) -> list[BotMessage]:
        payload = {"sender": sender, "message": text, "metadata": metadata or {}}
        started = time.perf_counter()
        try:
            await asyncio.wait_for(self._turns.acquire(), self._timeout_s)
        except TimeoutError:
            raise RasaUnavailable(f"Rasa is busy: no turn within {self._timeout_s:g}s") from None
        try:
            response = await self._http.post("/webhooks/rest/webhook", json=payload)
        except _AFTER_SENDING as exc:
            raise RasaMaybeProcessed(f"Rasa did not answer: {type(exc).__name__}") from exc
        except httpx.HTTPError as exc:
            raise RasaUnavailable(f"Rasa did not answer: {type(exc).__name__}") from exc
        finally:
            self._turns.release()
            log.info("rasa message sender=%s latency_ms=%.1f", sender, (time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RasaUnavailable(f"Rasa answered HTTP {response.status_code}")
        try:
            return [BotMessage.model_validate(item) for item in response.json()]
        except (ValueError, TypeError) as exc:
            raise RasaUnavailable("Rasa answered with a body that is not a list of messages") from exc

    async def replies_to(self, sender: str, client_id: str) -> list[BotMessage] | None:
        """The bot's replies to the customer message sent with ``metadata.client_id``, from Rasa's tracker.

        ``None`` when the tracker holds no such message (Rasa never got it, so it is safe to send again).
        Used after :class:`RasaMaybeProcessed`, so a retry never makes Rasa handle one message twice.
        """
        try:
            response = await self._http.get(f"/conversations/{sender}/tracker")
        except httpx.HTTPError as exc:
            raise RasaUnavailable(f"Rasa did not answer: {type(exc).__name__}") from exc
        if response.status_code != 200:
            raise RasaUnavailable(f"Rasa answered HTTP {response.status_code} for the tracker")
        events = response.json().get("events") or []
        found: list[BotMessage] | None = None
        for event in events:
            kind = event.get("event")
            if kind == "user":
                if found is not None:
                    break
                if (event.get("metadata") or {}).get("client_id") == client_id:
                    found = []
            elif kind == "bot" and found is not None:
                found.append(_from_bot_event(event))
        return found

    async def is_up(self) -> bool:
        try:
            return (await self._http.get("/")).status_code == 200
        except httpx.HTTPError:
            return False


def _from_bot_event(event: dict[str, Any]) -> BotMessage:
    """A tracker ``bot`` event (text plus ``data``) in the REST channel's message shape."""
    data = event.get("data") or {}
    return BotMessage(
        text=event.get("text"),
        buttons=data.get("buttons") or data.get("quick_replies"),
        image=data.get("image"),
        attachment=data.get("attachment"),
        custom=data.get("custom"),
    )
