"""A stand-in for Rasa's HTTP API on loopback, for tests of the gateway's objects without the whole product.

It answers the endpoints the gateway uses (REST webhook, tracker, tracker events, NLU parse, execute, status) with
scripted replies, and records what it was sent, in order. Served by uvicorn in the test's event loop, so the
gateway's own HTTP clients talk to it over a real socket.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fixtures.ports import free_port

Reply = Callable[[str], list[dict[str, Any]]]
HAND_BACK_TEXT = "Is there anything else I can help you with?"


def echo(text: str) -> list[dict[str, Any]]:
    return [{"text": f"You said: {text}"}]


@dataclass
class RasaStandIn:
    url: str = ""
    reply: Reply = echo
    """What the bot answers to each message it is sent."""
    down: bool = False
    """While true, every endpoint but the status answers 503, as a Rasa that is restarting does."""
    slots: dict[str, Any] = field(default_factory=dict)
    """The tracker's slots, as the gateway reads them (e.g. for the frustration trigger)."""
    received: list[dict[str, Any]] = field(default_factory=list)
    """Every webhook message, in the order it arrived: ``{sender, message, metadata}``."""
    recorded: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """Events the gateway recorded per conversation (``POST .../tracker/events``)."""

    def texts(self, sender: str) -> list[str]:
        return [m["message"] for m in self.received if m["sender"] == sender]

    def app(self) -> Starlette:
        async def webhook(request: Request) -> Response:
            if self.down:
                return JSONResponse({"error": "restarting"}, status_code=503)
            body = await request.json()
            self.received.append(body)
            return JSONResponse(self.reply(body["message"]))

        async def tracker(request: Request) -> Response:
            if self.down:
                return JSONResponse({}, status_code=503)
            sender = request.path_params["sender"]
            events = [{"event": "user", "text": m["message"], "metadata": m.get("metadata") or {}}
                      for m in self.received if m["sender"] == sender]  # fmt: skip
            latest = {"intent": {"name": "inform", "confidence": 0.9}, "entities": []}
            return JSONResponse({"sender_id": sender, "slots": self.slots, "latest_message": latest, "events": events})

        async def events(request: Request) -> Response:
            if self.down:
                return JSONResponse({}, status_code=503)
            self.recorded.setdefault(request.path_params["sender"], []).extend(await request.json())
            return JSONResponse({})

        async def parse(request: Request) -> Response:
            text = (await request.json())["text"]
            name = "withdraw_request" if "cancel" in text.lower() else "inform"
            return JSONResponse({"text": text, "intent": {"name": name, "confidence": 0.95}, "entities": []})

        async def execute(request: Request) -> Response:
            return JSONResponse({"messages": [{"text": HAND_BACK_TEXT}]})

        async def status(request: Request) -> Response:
            return Response("Hello from Rasa: 3.6.21", status_code=503 if self.down else 200)

        return Starlette(
            routes=[
                Route("/webhooks/rest/webhook", webhook, methods=["POST"]),
                Route("/conversations/{sender}/tracker", tracker, methods=["GET"]),
                Route("/conversations/{sender}/tracker/events", events, methods=["POST"]),
                Route("/conversations/{sender}/execute", execute, methods=["POST"]),
                Route("/model/parse", parse, methods=["POST"]),
                Route("/", status, methods=["GET"]),
            ]
        )


async def _started(server: uvicorn.Server, timeout_s: float = 10.0) -> None:
    async with asyncio.timeout(timeout_s):
        while not server.started:  # noqa: ASYNC110 - uvicorn sets a flag and offers no event to wait on
            await asyncio.sleep(0.01)


@asynccontextmanager
async def serve_rasa_standin() -> AsyncIterator[RasaStandIn]:
    standin = RasaStandIn()
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(standin.app(), host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    await _started(server)
    standin.url = f"http://127.0.0.1:{port}"
    try:
        yield standin
    finally:
        server.should_exit = True
        await task
