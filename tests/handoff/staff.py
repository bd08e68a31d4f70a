"""Agents and supervisors against a running gateway: the console's JSON API and its live channel."""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
from collections.abc import Callable
from typing import Any

import httpx
import redis.asyncio
import websockets
from websockets.asyncio.client import ClientConnection

from bot.auth.accounts import Accounts
from bot.auth.roles import Role
from tests.fixtures.socket_chat import SocketChat

PASSWORD = "correct horse battery"  # test accounts on a throwaway Redis
DISPOSITION = {"resolution": "not_resolved", "root_cause": "other", "bot_could_handle": False}
"""What handing back or ending needs; the tests' own clean-up hands back with this one."""


async def make_staff(redis_url: str, name: str, role: Role, queues: list[str]) -> None:
    client = redis.asyncio.Redis.from_url(redis_url)
    try:
        accounts = Accounts(client, 3600)
        await accounts.set_user(name, role, PASSWORD)
        await accounts.set_queues(name, queues)
    finally:
        await client.aclose()


class Staff:
    """One person at the console: logged in over the API, optionally on the live channel."""

    def __init__(self, gateway_url: str, name: str, password: str = PASSWORD) -> None:
        self.url = gateway_url
        self.name = name
        self._password = password
        self.http = httpx.AsyncClient(base_url=gateway_url, timeout=30)
        self.token = ""
        self.ws: ClientConnection | None = None
        self.frames: list[dict[str, Any]] = []
        self._changed = asyncio.Event()
        self._reader: asyncio.Task[None] | None = None
        self._beat: asyncio.Task[None] | None = None

    async def login(self) -> Staff:
        response = await self.http.post("/api/auth/login", json={"username": self.name, "password": self._password})
        response.raise_for_status()
        self.token = response.json()["token"]
        self.http.headers["Authorization"] = f"Bearer {self.token}"
        return self

    async def connect(self) -> Staff:
        """Open the live channel as the console does (and beat, so the agent counts as online)."""
        ws_url = self.url.replace("http://", "ws://") + "/api/agent/ws"
        self.ws = await websockets.connect(ws_url, additional_headers={"Authorization": f"Bearer {self.token}"})
        self._reader = asyncio.create_task(self._read(self.ws))
        self._beat = asyncio.create_task(self._beating(self.ws))
        await self.wait_frame(lambda f: f.get("type") == "hello", "hello")
        return self

    async def _read(self, ws: ClientConnection) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for raw in ws:
                self.frames.append(json.loads(raw))
                self._changed.set()

    async def _beating(self, ws: ClientConnection) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            while True:
                await asyncio.sleep(5)
                await ws.send(json.dumps({"v": 1, "type": "beat"}))

    async def disconnect(self) -> None:
        for task in (self._beat, self._reader):
            if task:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        if self.ws:
            await self.ws.close()
        self.ws = None

    async def close(self) -> None:
        """Hand back whatever this person still holds (so the next test starts with free capacity), then leave."""
        if self.token:
            mine = (await self.get("/api/agent/queue")).json().get("mine", [])
            for case in mine:
                await self.post(f"/api/agent/cases/{case['case_id']}/hand-back", DISPOSITION)
        await self.disconnect()
        await self.http.aclose()

    async def wait_frame(
        self, check: Callable[[dict[str, Any]], bool], what: str, timeout_s: float = 30
    ) -> dict[str, Any]:
        deadline = asyncio.get_running_loop().time() + timeout_s
        while True:
            for frame in self.frames:
                if check(frame):
                    return frame
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                raise TimeoutError(f"{self.name}: no {what} within {timeout_s}s; got {self.frames[-10:]}")
            self._changed.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._changed.wait(), left)

    async def typing(self, case_id: str, typing: bool) -> None:
        assert self.ws is not None
        await self.ws.send(json.dumps({"v": 1, "type": "typing", "case_id": case_id, "typing": typing}))

    # ---------------------------------------------------------------- the API

    async def get(self, path: str, **params: Any) -> httpx.Response:
        return await self.http.get(path, params=params)

    async def post(self, path: str, body: Any = None) -> httpx.Response:
        return await self.http.post(path, json=body if body is not None else {})

    async def waiting(self) -> list[dict[str, Any]]:
        response = await self.get("/api/agent/queue")
        response.raise_for_status()
        return list(response.json()["waiting"])

    async def case_of(self, conversation_id: str, timeout_s: float = 30) -> dict[str, Any]:
        """The case of a conversation, once it is waiting in a queue this person sees."""
        deadline = asyncio.get_running_loop().time() + timeout_s
        while True:
            for summary in await self.waiting():
                if summary["conversation_id"] == conversation_id:
                    response = await self.get(f"/api/agent/cases/{summary['case_id']}")
                    response.raise_for_status()
                    return dict(response.json()["case"])
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"no case for {conversation_id} within {timeout_s}s")
            await asyncio.sleep(0.2)

    async def say(self, case_id: str, text: str, client_id: str | None = None) -> dict[str, Any]:
        response = await self.post(
            f"/api/agent/cases/{case_id}/messages", {"client_id": client_id or secrets.token_hex(8), "text": text}
        )
        assert response.status_code == 200, response.text
        return dict(response.json())


async def http(method: str, url: str, body: Any = None) -> httpx.Response:
    """One request from a test (the simulator's admin endpoints, Rasa's tracker), without blocking the loop."""
    async with httpx.AsyncClient(timeout=30) as client:
        response = await client.request(method, url, json=body)
    response.raise_for_status()
    return response


async def escalated_customer(gateway_url: str, text: str = "I want to talk to a person") -> tuple[SocketChat, str]:
    """A customer on the socket.io channel who asked for a person; returns the open chat and its conversation id."""
    chat = SocketChat(gateway_url)
    await chat.__aenter__()
    ack = await chat.session()
    await chat.say(text)
    return chat, str(ack["conversation_id"])
