"""Login, sessions, roles, throttling, CSRF-safe forms, demo accounts and the production refusal."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from redis.asyncio import Redis

from bot.auth import AuthState, Role, UnsafeConfiguration, start_auth
from core.settings import Environment, Settings
from tests.auth.conftest import DEMO_PASSWORD

STRONG = "correct horse battery staple"


async def login(client: httpx.AsyncClient, username: str, password: str = DEMO_PASSWORD) -> httpx.Response:
    return await client.post("/api/auth/login", json={"username": username, "password": password})


async def test_login_returns_a_token_and_an_httponly_strict_cookie(client: httpx.AsyncClient) -> None:
    response = await login(client, "product_owner")
    assert response.status_code == 200
    body = response.json()
    assert body["user"] == {"name": "product_owner", "role": "product_owner"} and body["v"] == 1
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/" in cookie
    assert "secure" not in cookie, "development runs on plain http"


@pytest.mark.parametrize(("username", "password"), [("product_owner", "wrong"), ("nobody", DEMO_PASSWORD)])
async def test_wrong_credentials_are_refused_alike(client: httpx.AsyncClient, username: str, password: str) -> None:
    response = await login(client, username, password)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_credentials"


async def test_bearer_token_and_cookie_both_identify_the_user(client: httpx.AsyncClient) -> None:
    token = (await login(client, "agent")).json()["token"]
    assert (await client.get("/api/auth/me")).json()["name"] == "agent", "the cookie from login"
    client.cookies.clear()
    me = await client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json() == {"name": "agent", "role": "agent"}


@pytest.mark.parametrize(
    ("username", "status"), [(None, 401), ("agent", 403), ("supervisor", 403), ("product_owner", 200), ("admin", 200)]
)
async def test_roles_decide_who_passes(
    client: httpx.AsyncClient, auth: AuthState, username: str | None, status: int
) -> None:
    await auth.accounts.set_user("admin", Role.admin, STRONG)
    headers = {}
    if username:
        password = STRONG if username == "admin" else DEMO_PASSWORD
        headers["Authorization"] = f"Bearer {(await login(client, username, password)).json()['token']}"
        client.cookies.clear()
    response = await client.get("/po-only", headers=headers)
    assert response.status_code == status
    if status != 200:
        assert response.json()["error"] in ("unauthenticated", "forbidden")


async def test_logout_ends_the_session(client: httpx.AsyncClient) -> None:
    token = (await login(client, "product_owner")).json()["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    assert (await client.post("/api/auth/logout", headers=bearer)).status_code == 204
    client.cookies.clear()
    assert (await client.get("/api/auth/me", headers=bearer)).status_code == 401


async def test_sessions_expire_in_redis(client: httpx.AsyncClient, redis: Redis, auth: AuthState) -> None:
    await login(client, "agent")
    [key] = [k async for k in redis.scan_iter(match="triage:auth:session:*")]
    assert 0 < await redis.ttl(key) <= auth.settings.accounts_session_ttl_s


async def test_disabling_a_user_ends_their_sessions(client: httpx.AsyncClient, auth: AuthState) -> None:
    token = (await login(client, "supervisor")).json()["token"]
    await auth.accounts.disable("supervisor")
    client.cookies.clear()
    assert (await client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})).status_code == 401
    assert (await login(client, "supervisor")).status_code == 401


async def test_login_form_redirects_with_the_cookie_and_only_to_this_site(client: httpx.AsyncClient) -> None:
    form = {"username": "product_owner", "password": DEMO_PASSWORD}
    response = await client.post("/login?next=//evil.example/x", data=form)
    assert response.status_code == 303
    assert response.headers["location"] == "/insights"
    assert "triage_session=" in response.headers["set-cookie"]
    page = await client.get("/login?next=/insights/themes")
    assert page.status_code == 303 and page.headers["location"] == "/insights/themes", "already logged in"


async def test_demo_accounts_exist_in_development(auth: AuthState) -> None:
    assert [(d.username, d.role) for d in auth.demo_accounts] == [
        ("agent", Role.agent),
        ("supervisor", Role.supervisor),
        ("product_owner", Role.product_owner),
    ]
    assert await auth.accounts.names() == ["agent", "product_owner", "supervisor"]


def production(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "env": Environment.production,
        "rasa_token": "r4sa-t0ken-for-the-tests-only",
        "sms_gateway_url": "https://sms.example/api",
    }
    values.update(overrides)
    return Settings(**values)


async def test_production_refuses_the_default_secret_and_demo_passwords(redis: Redis, auth: AuthState) -> None:
    with pytest.raises(UnsafeConfiguration) as refused:
        await start_auth(production(), redis)
    message = str(refused.value)
    assert "TRIAGE_LEARNING_PSEUDONYM_SECRET" in message
    assert "'agent' has a demo password" in message and "'product_owner' has a demo password" in message


async def test_production_starts_with_real_secrets_and_creates_no_demo_accounts(redis: Redis) -> None:
    settings = production(
        learning_pseudonym_secret=SecretStr("a-long-random-production-secret"),
        accounts_admin_password=SecretStr(STRONG),
    )
    state = await start_auth(settings, redis)
    assert state.demo_accounts == []
    assert await state.accounts.names() == ["admin"]
    assert await state.accounts.authenticate("admin", STRONG) is not None


async def test_a_short_admin_password_is_refused(redis: Redis) -> None:
    with pytest.raises(UnsafeConfiguration, match="at least 12"):
        await start_auth(Settings(accounts_admin_password=SecretStr("short")), redis)


@pytest.mark.parametrize("field", ["username", "password"])
async def test_a_lone_surrogate_in_a_login_field_is_a_wrong_login_not_a_crash(
    client: httpx.AsyncClient, field: str
) -> None:
    fields = {"username": '"agent"', "password": f'"{DEMO_PASSWORD}"', field: '"x\\ud800y"'}
    body = "{" + ", ".join(f'"{k}": {v}' for k, v in fields.items()) + "}"
    response = await client.post("/api/auth/login", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_credentials"
