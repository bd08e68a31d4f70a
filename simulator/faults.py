"""Fault injection per API: added latency, 5xx errors, hanging until the caller gives up, malformed bodies.

Faults are set through ``/admin/faults`` or ``--fault`` at start and applied by :class:`FaultMiddleware`
before routing, so they hit every path of the API alike. The board also counts requests per API and method,
which lets tests check how many attempts a client really made.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from simulator.apis import API_NAMES, api_for_path
from simulator.errors import JSON_TYPE, error_body

Mode = Literal["none", "error", "timeout", "malformed", "wrong_shape"]
MALFORMED_BODY = b'{"id": "CUST-0000'
"""Truncated JSON, as a proxy that cuts a response short would deliver it."""
WRONG_SHAPE_BODY = b'{"unexpected": ["not", "a", "TMF", "resource"]}'


class FaultSpec(BaseModel):
    """What to do to the next requests of one API. ``count`` limits it to that many requests."""

    model_config = ConfigDict(extra="forbid")

    mode: Mode = "none"
    latency_ms: int = Field(0, ge=0, le=60_000)
    status: int = Field(503, ge=500, le=599, description="Status of mode 'error'.")
    hang_s: float = Field(30.0, gt=0, le=300, description="Longest a 'timeout' request hangs before a 504.")
    count: int | None = Field(None, ge=1, description="Affect only this many requests, then clear.")


class FaultBoard:
    """The active fault per API and the request counters; one per app, reset with the data."""

    def __init__(self) -> None:
        self.faults: dict[str, FaultSpec] = {}
        self.requests: Counter[tuple[str, str]] = Counter()

    def set(self, api: str, spec: FaultSpec) -> None:
        if spec.mode == "none" and spec.latency_ms == 0:
            self.faults.pop(api, None)
        else:
            self.faults[api] = spec

    def clear(self, api: str | None = None) -> None:
        if api is None:
            self.faults.clear()
        else:
            self.faults.pop(api, None)

    def take(self, api: str) -> FaultSpec | None:
        """The fault for this request, consuming one unit of a counted fault."""
        spec = self.faults.get(api)
        if spec is None or spec.count is None:
            return spec
        if spec.count <= 1:
            del self.faults[api]
        else:
            self.faults[api] = spec.model_copy(update={"count": spec.count - 1})
        return spec

    def counts(self) -> dict[str, dict[str, int]]:
        result: dict[str, dict[str, int]] = {}
        for (api, method), n in sorted(self.requests.items()):
            result.setdefault(api, {})[method] = n
        return result


def parse_fault_option(option: str) -> tuple[str, FaultSpec]:
    """``API=MODE[:ARG]`` from the command line: ``latency:250`` (ms), ``error:502``, ``timeout``, ``malformed``."""
    api, _, rest = option.partition("=")
    mode, _, arg = rest.partition(":")
    if api not in API_NAMES:
        raise ValueError(f"unknown API {api!r} (known: {', '.join(API_NAMES)})")
    if mode == "latency":
        return api, FaultSpec(latency_ms=int(arg or "0"))
    if mode == "error":
        return api, FaultSpec(mode="error", status=int(arg or "503"))
    if mode in {"timeout", "malformed", "wrong_shape"} and not arg:
        return api, FaultSpec(mode=mode)
    raise ValueError(f"bad fault {option!r}: use API=latency:MS, error[:STATUS], timeout, malformed or wrong_shape")


class FaultMiddleware:
    """Pure ASGI, so requests without a fault pay only a dictionary lookup."""

    def __init__(self, app: ASGIApp, board: FaultBoard) -> None:
        self.app = app
        self.board = board

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        api = api_for_path(scope["path"]) if scope["type"] == "http" else None
        if api is None:
            await self.app(scope, receive, send)
            return
        self.board.requests[(api, scope["method"])] += 1
        spec = self.board.take(api)
        if spec is None:
            await self.app(scope, receive, send)
            return
        if spec.latency_ms:
            await asyncio.sleep(spec.latency_ms / 1000)
        if spec.mode == "none":
            await self.app(scope, receive, send)
        elif spec.mode == "error":
            body = error_body(spec.status, "INJECTED_FAULT", "Service unavailable", f"Injected {spec.status} for {api}")
            await _reply(send, spec.status, body)
        elif spec.mode == "timeout":
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(_until_disconnect(receive), spec.hang_s)
            await _reply(send, 504, error_body(504, "INJECTED_TIMEOUT", "Gateway timeout", f"{api} hung"))
        else:
            await _reply(send, 200, MALFORMED_BODY if spec.mode == "malformed" else WRONG_SHAPE_BODY)


async def _until_disconnect(receive: Receive) -> None:
    while True:
        message: Message = await receive()
        if message["type"] == "http.disconnect":
            return


async def _reply(send: Send, status: int, body: bytes) -> None:
    headers = [(b"content-type", JSON_TYPE.encode()), (b"content-length", str(len(body)).encode())]
    with contextlib.suppress(OSError, RuntimeError):
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
