"""The chat page needs nothing from outside the gateway (operators deploy on closed networks), and the
browser is told to run nothing else: no external script, style or connection, whatever a message contains."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from fastapi import FastAPI

from bot.app import create_app
from bot.routers.web import STATIC_DIR
from core.settings import load_settings

EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//|@import|url\(\s*["']?(?:https?:)?//""", re.I)
IMPORT = re.compile(r"""^import .* from ["']([^"']+)["'];$""", re.M)


@pytest.fixture(scope="module")
def app(monkeypatch_module: pytest.MonkeyPatch) -> FastAPI:
    monkeypatch_module.setenv("TRIAGE_ALLOWED_ORIGINS", "https://shop.example")
    monkeypatch_module.setenv("TRIAGE_MAX_MESSAGE_CHARS", "1500")
    return create_app(load_settings())


@pytest.fixture
async def gateway(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """No lifespan: the page needs neither Redis nor Rasa."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway.test") as client:
        yield client


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as patch:
        for name in ("TRIAGE_ENV", "REDIS_URL"):
            patch.delenv(name, raising=False)
        yield patch


async def test_the_page_and_its_files_load_nothing_from_elsewhere(gateway: httpx.AsyncClient) -> None:
    page = await gateway.get("/")
    assert page.status_code == 200
    assert not EXTERNAL.search(page.text)
    assert 'data-max-chars="1500"' in page.text and 'data-socketio-path="/socket.io"' in page.text
    assets = re.findall(r"""(?:src|href)="(/static/[^"]+)\"""", page.text)
    assert {"/static/chat.js", "/static/chat.css"} <= set(assets)
    scripts = [f"/static/{path.name}" for path in STATIC_DIR.glob("*.js")]  # the console's and supervisor's too
    assert {"/static/survey.js", "/static/agent-lookup.js"} <= set(scripts)
    for path in assets + scripts:
        body = await gateway.get(path)
        assert body.status_code == 200, path
        assert not EXTERNAL.search(body.text), path
        assert all(module.startswith("./") for module in IMPORT.findall(body.text)), path


async def test_the_browser_runs_only_the_gateways_own_code(gateway: httpx.AsyncClient) -> None:
    policy = (await gateway.get("/")).headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["connect-src"] == "'self'" and directives["default-src"] == "'none'"
    assert directives["frame-ancestors"] == "'self' https://shop.example"
    assert "unsafe" not in policy
