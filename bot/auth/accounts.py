"""Accounts and login sessions in Redis.

A user is a hash ``triage:auth:user:<name>`` (``{"v": 1, role, password: <argon2 hash>, disabled, created,
queues, display_name?}``); ``queues`` is the JSON list of handoff queues an agent serves (supervisors and admins
see all); ``display_name`` is what customers see ("Dana joined"), never the login.
A session is ``triage:auth:session:<sha256 of the token>`` with an expiry; the token itself is only ever in
the client's cookie or ``Authorization`` header. Each request reads the user again, so a disabled account or a
changed role takes effect at once.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import time
from dataclasses import dataclass

from redis.asyncio import Redis

from bot.auth import keys
from bot.auth.passwords import hash_password_async, needs_rehash, verify_password_async
from bot.auth.roles import Role
from bot.auth.throttle import LoginThrottle
from core.redis.connect import text

SESSION_COOKIE = "triage_session"
"""The cookie a browser's session token travels in (HttpOnly, SameSite=Strict)."""
USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
MAX_DISPLAY_NAME_CHARS = 40  # fits the customer's status line ("Talking to …") on a phone
DISPLAY_NAME = re.compile(r"[^\W\d_][\w .'-]*", re.UNICODE)
"""A display name starts with a letter; letters, digits, spaces, apostrophes, dots and hyphens (no "@")."""


class AccountError(ValueError):
    """A user name, role or password that cannot be accepted; the message says why."""


class TooManyAttempts(Exception):
    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"too many failed logins; try again in {retry_after_s} s")
        self.retry_after_s = retry_after_s


@dataclass(frozen=True)
class User:
    name: str
    role: Role

    def has_role(self, *roles: Role) -> bool:
        return self.role is Role.admin or self.role in roles


@dataclass(frozen=True)
class Session:
    token: str
    user: User
    expires_in_s: int


def default_display_name(name: str) -> str:
    """What customers see for an account without a display name: the part before any "@", separators as spaces,
    each word capitalised ("dana.smith" -> "Dana Smith")."""
    words = re.split(r"[._\-\s]+", name.split("@", 1)[0])
    return " ".join(w.capitalize() for w in words if w) or name.capitalize()


def checked_display_name(display_name: str) -> str:
    """The display name, trimmed; :class:`AccountError` naming the rule it breaks."""
    cleaned = " ".join(display_name.split())
    if not cleaned or len(cleaned) > MAX_DISPLAY_NAME_CHARS:
        raise AccountError(f"a display name is 1-{MAX_DISPLAY_NAME_CHARS} characters")
    if not DISPLAY_NAME.fullmatch(cleaned):
        raise AccountError(
            "a display name starts with a letter and has only letters, digits, spaces, apostrophes, dots and hyphens"
        )
    return cleaned


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _text(value: bytes | str | None) -> str | None:
    return value.decode() if isinstance(value, bytes) else value


class Accounts:
    def __init__(self, redis: Redis, session_ttl_s: int) -> None:
        self._redis = redis
        self.session_ttl_s = session_ttl_s
        self._throttle = LoginThrottle(redis)

    async def set_user(self, name: str, role: Role, password: str, display_name: str | None = None) -> User:
        """Create the user, or replace their role and password (and display name, when given)."""
        if not USERNAME.fullmatch(name):
            raise AccountError("a user name is 2-64 characters: lower-case letters, digits, '.', '_' or '-'")
        if not password:
            raise AccountError("the password is empty")
        fields: dict[str | bytes, str | int] = {"v": 1, "role": role.value,
                                               "password": await hash_password_async(password),
                                               "disabled": "0", "created": int(time.time())}  # fmt: skip
        if display_name is not None:
            fields["display_name"] = checked_display_name(display_name)
        await self._redis.hset(keys.user(name), mapping=fields)  # type: ignore[arg-type]
        await self._redis.sadd(keys.USERS, name)
        return User(name, role)

    async def get(self, name: str) -> User | None:
        fields = await self._redis.hmget(keys.user(name), "role", "disabled")
        role, disabled = (_text(f) for f in fields)
        if role is None or disabled == "1":
            return None
        return User(name, Role(role))

    async def queues(self, name: str) -> list[str]:
        """The handoff queues the user serves (empty: none yet)."""
        raw = _text(await self._redis.hget(keys.user(name), "queues"))
        return [str(q) for q in json.loads(raw)] if raw else []

    async def set_queues(self, name: str, queues: list[str]) -> None:
        if not await self._redis.exists(keys.user(name)):
            raise AccountError(f"there is no user {name!r}")
        await self._redis.hset(keys.user(name), "queues", json.dumps(sorted(set(queues))))

    async def set_display_name(self, name: str, display_name: str) -> str:
        """Set the name customers see for this account; returns it as kept."""
        cleaned = checked_display_name(display_name)
        if not await self._redis.exists(keys.user(name)):
            raise AccountError(f"there is no user {name!r}")
        await self._redis.hset(keys.user(name), "display_name", cleaned)
        return cleaned

    async def display_name(self, name: str) -> str:
        """The name customers see: the account's display name, else one made from the user name."""
        return _text(await self._redis.hget(keys.user(name), "display_name")) or default_display_name(name)

    async def has_display_name(self, name: str) -> bool:
        return bool(await self._redis.hexists(keys.user(name), "display_name"))

    async def password_hash(self, name: str) -> str | None:
        return _text(await self._redis.hget(keys.user(name), "password"))

    async def names(self) -> list[str]:
        return sorted(text(m) for m in await self._redis.smembers(keys.USERS))

    async def disable(self, name: str) -> None:
        await self._redis.hset(keys.user(name), "disabled", "1")
        digests = await self._redis.smembers(keys.user_sessions(name))
        if digests:
            await self._redis.delete(*(keys.session(text(d)) for d in digests))
        await self._redis.delete(keys.user_sessions(name))

    async def authenticate(self, name: str, password: str, address: str = "local") -> User | None:
        """The user if the password is right; :class:`TooManyAttempts` when this address must wait
        (see :mod:`bot.auth.throttle`). ``address`` is the client's IP address."""
        name, address = name[:64], address[:64]
        verdict = await self._throttle.reserve(name, address)
        if not verdict.allowed:
            raise TooManyAttempts(verdict.retry_after_s)
        stored = await self.password_hash(name) if USERNAME.fullmatch(name) else None
        user = await self.get(name) if stored else None
        if not await verify_password_async(stored, password) or user is None:
            await self._throttle.failed(name, address)
            return None
        await self._throttle.succeeded(name, address)
        if stored and needs_rehash(stored):
            await self._redis.hset(keys.user(name), "password", await hash_password_async(password))
        return user

    async def open_session(self, user: User) -> Session:
        token = secrets.token_urlsafe(32)
        digest = _digest(token)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(keys.session(digest), mapping={"user": user.name, "created": int(time.time())})
            pipe.expire(keys.session(digest), self.session_ttl_s)
            pipe.sadd(keys.user_sessions(user.name), digest)
            pipe.expire(keys.user_sessions(user.name), self.session_ttl_s)
            await pipe.execute()
        return Session(token, user, self.session_ttl_s)

    async def session_user(self, token: str) -> User | None:
        name = _text(await self._redis.hget(keys.session(_digest(token)), "user"))
        return await self.get(name) if name else None

    async def close_session(self, token: str) -> None:
        digest = _digest(token)
        name = _text(await self._redis.hget(keys.session(digest), "user"))
        await self._redis.delete(keys.session(digest))
        if name:
            await self._redis.srem(keys.user_sessions(name), digest)
