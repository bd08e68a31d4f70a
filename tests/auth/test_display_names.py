"""The name customers see for an agent: set per account (``python -m tools.accounts``), never the login."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from redis.asyncio import Redis

from bot.auth import AuthState, Role
from bot.auth.accounts import AccountError, default_display_name
from core.settings import PROJECT_ROOT
from tests.fixtures.redis_server import RedisServer


@pytest.mark.parametrize(
    ("login", "shown"),
    [("dana", "Dana"), ("dana.smith", "Dana Smith"), ("j_o-brien", "J O Brien"), ("sam@example.com", "Sam")],
)
def test_without_a_display_name_one_is_made_from_the_login(login: str, shown: str) -> None:
    assert default_display_name(login) == shown


async def test_a_display_name_is_kept_per_account_and_checked(auth: AuthState) -> None:
    await auth.accounts.set_user("lkowalski", Role.agent, "long enough password", display_name="  Lena  ")
    assert await auth.accounts.display_name("lkowalski") == "Lena"
    assert await auth.accounts.set_display_name("lkowalski", "Lena K.") == "Lena K."
    await auth.accounts.set_user("lkowalski", Role.agent, "another long password")  # keeps the name
    assert await auth.accounts.display_name("lkowalski") == "Lena K."
    for bad in ["", "   ", "lena@example.com", "42", "x" * 41, "<b>Lena</b>"]:
        with pytest.raises(AccountError):
            await auth.accounts.set_display_name("lkowalski", bad)
    with pytest.raises(AccountError, match="no user"):
        await auth.accounts.set_display_name("nobody", "Nobody")
    assert await auth.accounts.display_name("lkowalski") == "Lena K."  # a refused name changes nothing


async def test_demo_accounts_are_shown_with_a_persons_name(auth: AuthState) -> None:
    assert await auth.accounts.display_name("agent") == "Dana"
    assert await auth.accounts.display_name("supervisor") == "Sam"


def cli(redis_url: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRIAGE_") and k != "REDIS_URL"}
    env.update(TRIAGE_ENV="test", REDIS_URL=redis_url)
    return subprocess.run(
        [sys.executable, "-m", "tools.accounts", *args],
        cwd=PROJECT_ROOT, env=env, input=stdin, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


async def test_the_command_line_sets_and_lists_display_names(redis: Redis, redis_server: RedisServer) -> None:
    made = cli(redis_server.url, "set-user", "mo.patel", "--role", "agent", stdin="a long password here\n")
    assert made.returncode == 0 and "shown to customers as Mo Patel" in made.stdout, made.stderr
    named = cli(redis_server.url, "set-name", "mo.patel", "Mo")
    assert named.returncode == 0 and "mo.patel: shown to customers as Mo" in named.stdout, named.stderr
    listed = cli(redis_server.url, "list")
    assert "mo.patel\tagent\t\tMo" in listed.stdout.splitlines()
    refused = cli(redis_server.url, "set-name", "mo.patel", "mo@example.com")
    assert refused.returncode == 2 and "display name" in refused.stderr
    assert (await redis.hget("triage:auth:user:mo.patel", "display_name")) == b"Mo"
