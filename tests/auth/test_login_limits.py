"""Failed logins: counted before the check (no racing past the limit), never a way to lock the owner out, and
the password hashing never holds up the event loop that serves customers."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from argon2 import PasswordHasher

from bot.auth import AuthState, passwords
from bot.auth.throttle import MAX_PER_ACCOUNT, MAX_PER_ADDRESS, MAX_PER_CLIENT
from tests.auth.conftest import DEMO_PASSWORD, build_app

Client = Callable[[str], httpx.AsyncClient]


@pytest.fixture
async def client_from(auth: AuthState) -> AsyncIterator[Client]:
    """An HTTP client per client address, all talking to one gateway."""
    app = build_app(auth)
    opened: list[httpx.AsyncClient] = []

    def make(address: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app, client=(address, 40000))  # type: ignore[arg-type]
        opened.append(httpx.AsyncClient(transport=transport, base_url="http://gateway.test"))
        return opened[-1]

    yield make
    for client in opened:
        await client.aclose()


async def login(client: httpx.AsyncClient, name: str, password: str) -> int:
    response = await client.post("/api/auth/login", json={"username": name, "password": password})
    return response.status_code


async def test_parallel_guesses_cannot_race_past_the_limit(client_from: Client) -> None:
    attacker = client_from("203.0.113.7")
    statuses = await asyncio.gather(*(login(attacker, "agent", f"guess-{i}") for i in range(15)))
    assert statuses.count(401) == MAX_PER_CLIENT, "only that many passwords were checked"
    assert statuses.count(429) == 15 - MAX_PER_CLIENT
    assert await login(attacker, "agent", DEMO_PASSWORD) == 429, "the failing address waits, even when right"


async def test_a_flood_of_wrong_passwords_does_not_lock_the_owner_out(client_from: Client) -> None:
    for n in range(MAX_PER_ACCOUNT + 2):
        assert await login(client_from(f"198.51.100.{n}"), "supervisor", "wrong") == 401
    assert await login(client_from("192.0.2.10"), "supervisor", DEMO_PASSWORD) == 200, "the owner's own desk"
    repeat_offender = client_from("198.51.100.1")
    assert await login(repeat_offender, "supervisor", DEMO_PASSWORD) == 429, "an address that failed waits"


async def test_one_address_spraying_many_names_is_stopped(client_from: Client, auth: AuthState) -> None:
    sprayer = client_from("203.0.113.99")
    for n in range(MAX_PER_ADDRESS):
        assert await login(sprayer, f"user-{n}", "password1") == 401
    assert await login(sprayer, "product_owner", DEMO_PASSWORD) == 429
    assert await login(client_from("192.0.2.11"), "product_owner", DEMO_PASSWORD) == 200


async def test_a_success_clears_the_addresss_count(client_from: Client) -> None:
    desk = client_from("192.0.2.20")
    for _ in range(MAX_PER_CLIENT - 1):
        assert await login(desk, "agent", "typo") == 401
    assert await login(desk, "agent", DEMO_PASSWORD) == 200
    for _ in range(MAX_PER_CLIENT - 1):
        assert await login(desk, "agent", "typo") == 401
    assert await login(desk, "agent", DEMO_PASSWORD) == 200


async def test_hashing_does_not_stall_the_event_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    """With production's Argon2 cost, a burst of logins leaves the loop free (a ticker keeps its beat)."""
    monkeypatch.setattr(passwords, "_hasher", PasswordHasher())
    stored = passwords.hash_password("a real password")
    started = time.perf_counter()
    passwords.verify_password(stored, "a real password")
    one_check_s = time.perf_counter() - started

    gaps: list[float] = []

    async def ticker() -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(0.002)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    beat = asyncio.create_task(ticker())
    await asyncio.sleep(0.01)
    results = await asyncio.gather(*(passwords.verify_password_async(stored, "guess") for _ in range(8)))
    beat.cancel()
    assert results == [False] * 8
    assert max(gaps) < one_check_s / 2, f"the loop stalled {max(gaps):.3f} s; one check takes {one_check_s:.3f} s"


async def test_a_refused_login_says_when_to_try_again(client_from: Client) -> None:
    """A script or an API client reads the wait from ``Retry-After``; a person reads it in the message."""
    guesser = client_from("203.0.113.40")
    for n in range(MAX_PER_CLIENT):
        assert await login(guesser, "agent", f"guess-{n}") == 401
    refused = await guesser.post("/api/auth/login", json={"username": "agent", "password": "guess-again"})
    assert refused.status_code == 429
    wait = int(refused.headers["retry-after"])
    assert wait > 0
    assert refused.json() == {
        "v": 1,
        "error": "too_many_attempts",
        "message": f"Too many failed logins; try again in {wait} s.",
    }
