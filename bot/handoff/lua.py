"""The handoff's Lua scripts (``scripts/*.lua``), read once per process and registered once per Redis client."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from redis.asyncio import Redis
from redis.commands.core import AsyncScript

DROP_ENTRY = "drop_entry"
"""A helper function (not a script): prefixed to every script that takes a case out of a queue's stream."""


@cache
def source(name: str) -> str:
    """The text of ``scripts/<name>.lua``, with the ``drop_entry`` helper before it when the script calls it."""
    text = files("bot.handoff").joinpath("scripts", f"{name}.lua").read_text(encoding="utf-8")
    if name != DROP_ENTRY and "drop_entry(" in text:
        return source(DROP_ENTRY) + text
    return text


def register(redis: Redis, name: str) -> AsyncScript:
    return redis.register_script(source(name))
