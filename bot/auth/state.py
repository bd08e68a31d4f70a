"""What the auth routers share, opened once in the gateway's lifespan (``app.state.auth``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from redis.asyncio import Redis

from bot.auth.accounts import Accounts, User
from bot.auth.bootstrap import DemoAccount, check_production_accounts, ensure_admin, ensure_demo_accounts
from core.settings import Settings


@dataclass
class AuthState:
    settings: Settings
    accounts: Accounts
    demo_accounts: list[DemoAccount] = field(default_factory=list)
    on_logout: list[Callable[[User], Awaitable[object]]] = field(default_factory=list)
    """Called with the user before a session ends by logging out (the handoff gives an agent's chats back)."""

    async def log_out(self, token: str) -> None:
        """End the session for good, whichever page or client asks; the hooks run first."""
        user = await self.accounts.session_user(token)
        if user is not None:
            for hook in self.on_logout:
                await hook(user)
        await self.accounts.close_session(token)


async def start_auth(settings: Settings, redis: Redis) -> AuthState:
    """Check production secrets (raises :class:`~bot.auth.bootstrap.UnsafeConfiguration`), ensure accounts."""
    accounts = Accounts(redis, settings.accounts_session_ttl_s)
    await check_production_accounts(settings, accounts)
    await ensure_admin(settings, accounts)
    demo = await ensure_demo_accounts(settings, accounts)
    return AuthState(settings, accounts, demo)
