"""Lua scripts kept as ``.lua`` files in a ``scripts/`` folder beside the module that runs them.

A file is read once per process (:func:`load`) and sent to Redis by its SHA-1 (``EVALSHA``); only when the server
does not know it yet (first use, or after a restart emptied its script cache) is the whole text sent (``EVAL``,
which runs it and keeps it). A script bound to a client (:func:`register`) is what a store keeps; a function that
is handed a client per call runs the loaded script directly (``load(...).run(redis, ...)``).

A script may call helper functions kept as ``.lua`` files of the same folder (each defines one ``local function``
named for its file): :func:`load` puts each helper the script calls before it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.exceptions import NoScriptError

Value = str | bytes | int | float
"""A key or argument as redis-py encodes it."""


@dataclass(frozen=True)
class Script:
    """One script's text (helpers included) and the SHA-1 Redis knows it by."""

    name: str
    text: str
    sha: str

    async def run(self, redis: Redis, keys: Sequence[Value] = (), args: Sequence[Value] = ()) -> Any:
        """The script's reply, run on ``redis``."""
        try:
            return await redis.evalsha(self.sha, len(keys), *keys, *args)  # type: ignore[misc]
        except NoScriptError:
            return await redis.eval(self.text, len(keys), *keys, *args)  # type: ignore[misc]

    def queue(self, pipe: Pipeline, keys: Sequence[Value] = (), args: Sequence[Value] = ()) -> None:
        """Queue the script in a pipeline or ``MULTI`` with its whole text, so a Redis restarted without its script
        cache cannot fail the transaction halfway."""
        pipe.eval(self.text, len(keys), *keys, *args)


@dataclass(frozen=True)
class Registered:
    """A script bound to one client: ``await script(keys=[...], args=[...])``."""

    script: Script
    redis: Redis

    async def __call__(self, keys: Sequence[Value] = (), args: Sequence[Value] = ()) -> Any:
        return await self.script.run(self.redis, keys, args)


@cache
def _read(package: str, name: str) -> str:
    return files(package).joinpath("scripts", f"{name}.lua").read_text(encoding="utf-8")


@cache
def load(package: str, name: str, helpers: tuple[str, ...] = ()) -> Script:
    """``<package>/scripts/<name>.lua``, preceded by each of ``helpers`` (files of that folder) that it calls."""
    text = _read(package, name)
    called = [helper for helper in helpers if helper != name and f"{helper}(" in text]
    text = "".join(_read(package, helper) for helper in called) + text
    return Script(name, text, hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest())


def register(redis: Redis, package: str, name: str, helpers: tuple[str, ...] = ()) -> Registered:
    """The script :func:`load` gives, bound to ``redis``."""
    return Registered(load(package, name, helpers), redis)
