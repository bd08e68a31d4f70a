"""The one same-origin rule for cookie-authenticated writes (browsers are in tests/web/test_staff_login.py).

These requests stand for clients that are not this site's pages: the headers are what such a browser or script
would send, set here because no page of ours would ever send them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from bot.auth import AuthState
from bot.auth.same_site import CookieWriteGuard, from_this_site
from tests.auth.conftest import DEMO_PASSWORD, build_app

HOST = "gateway.test"


@pytest.mark.parametrize(
    ("headers", "allowed"),
    [
        ({"sec-fetch-site": "same-origin", "origin": "null"}, True),  # a page sent with no-referrer
        ({"sec-fetch-site": "same-site", "origin": f"http://{HOST}:8443"}, False),  # a sibling origin
        ({"sec-fetch-site": "cross-site"}, False),
        ({"sec-fetch-site": "none"}, False),
        ({"origin": f"http://{HOST}"}, True),  # an older browser without Fetch Metadata
        ({"origin": "https://evil.example"}, False),
        ({"origin": "null"}, False),
        ({}, True),  # no browser page at all: curl, a script
    ],
)
def test_only_this_sites_pages_pass(headers: dict[str, str], allowed: bool) -> None:
    assert from_this_site({"host": HOST, **headers}) is allowed


@pytest.fixture
async def guarded(auth: AuthState) -> AsyncIterator[httpx.AsyncClient]:
    app: FastAPI = build_app(auth)
    app.add_middleware(CookieWriteGuard)

    @app.post("/api/echo")
    async def echo(body: dict[str, str]) -> dict[str, str]:
        return body

    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url=f"http://{HOST}") as client:
        response = await client.post("/api/auth/login", json={"username": "agent", "password": DEMO_PASSWORD})
        assert response.status_code == 200
        yield client


async def test_a_cookie_write_from_another_origin_is_refused_with_the_error_shape(guarded: httpx.AsyncClient) -> None:
    response = await guarded.post("/api/echo", json={"a": "b"}, headers={"sec-fetch-site": "cross-site"})
    assert response.status_code == 403
    assert response.json()["error"] == "cross_site"
    ok = await guarded.post("/api/echo", json={"a": "b"}, headers={"sec-fetch-site": "same-origin"})
    assert ok.json() == {"a": "b"}


async def test_a_cookie_write_to_the_api_must_be_json(guarded: httpx.AsyncClient) -> None:
    response = await guarded.post("/api/echo", content=b'{"a": "b"}', headers={"content-type": "text/plain"})
    assert response.status_code == 415
    assert "application/json" in response.json()["message"]


async def test_a_bearer_token_is_not_a_browser_credential_and_passes(guarded: httpx.AsyncClient) -> None:
    token = guarded.cookies.get("triage_session")
    response = await guarded.post(
        "/api/echo", json={"a": "b"}, headers={"authorization": f"Bearer {token}", "sec-fetch-site": "cross-site"}
    )
    assert response.status_code == 200
