"""Oversized request bodies are refused before any route reads them, whether their length is declared or not."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
from fastapi import FastAPI
from pydantic import BaseModel, SecretStr

from bot.app import create_app
from bot.body_limit import BodyLimit
from core.settings import Environment, Settings

LIMIT = 1024


class Note(BaseModel):
    text: str


def echo_app() -> FastAPI:
    app = FastAPI()
    app.add_middleware(BodyLimit, max_bytes=LIMIT, exempt_prefix="/socket.io")  # type: ignore[arg-type,call-arg]
    seen: list[int] = []
    app.state.seen = seen

    @app.post("/api/notes")
    async def note(body: Note) -> dict[str, int]:
        seen.append(len(body.text))
        return {"chars": len(body.text)}

    return app


def client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway.test")  # type: ignore[arg-type]


async def test_a_declared_oversized_body_is_refused_at_once() -> None:
    app = echo_app()
    async with client(app) as http:
        response = await http.post("/api/notes", json={"text": "x" * (LIMIT * 4)})
        small = await http.post("/api/notes", json={"text": "hello"})
    assert response.status_code == 413
    assert response.json() == {
        "v": 1,
        "error": "body_too_large",
        "message": f"A request body is at most {LIMIT} bytes.",
    }
    assert small.json() == {"chars": 5}
    assert app.state.seen == [5], "the route never saw the oversized body"


async def test_a_chunked_body_is_cut_off_when_it_passes_the_limit() -> None:
    sent: list[int] = []

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"text": "'
        for _ in range(64):  # 64 KiB, far over the limit, with no Content-Length
            sent.append(1)
            yield b"x" * 1024
        yield b'"}'

    app = echo_app()
    async with client(app) as http:
        response = await http.post("/api/notes", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.json()["error"] == "body_too_large"
    assert app.state.seen == []


async def test_production_does_not_publish_its_api_schema() -> None:
    secrets: dict[str, Any] = {
        "rasa_token": SecretStr("Zk3p9QvT2mX8rL5wY1bN"),
        "sms_gateway_url": "https://sms.example/api",
    }
    production = create_app(Settings(env=Environment.production, **secrets))
    development = create_app(Settings(env=Environment.development))
    async with client(production) as prod, client(development) as dev:
        assert (await prod.get("/api/openapi.json")).status_code == 404
        assert (await dev.get("/api/openapi.json")).status_code == 200
