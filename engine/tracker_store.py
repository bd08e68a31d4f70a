"""Rasa's Redis tracker store with a turn's cost kept to one read of the conversation.

Rasa 3.6's ``RedisTrackerStore.save`` reads the stored tracker back twice, once to find the events to publish
to the event broker and once to merge with it, rebuilding every event of the conversation each time, then
serialises the whole conversation again. With the read at the start of the turn that is three rebuilds and a full
serialisation per message, and a turn at message 60 cost 2.6 times one at message 5 (issue #20's measurement).

Rasa processes a conversation under its lock store's lock (``engine.lock_store``), from reading the tracker to
saving it, so what is stored when the turn saves is what the turn read: the tracker being saved is the stored
events plus the turn's own. This store relies on that, and checks it: the stored JSON is parsed (no events
rebuilt), its events must be the start of the tracker's, and then only the new events are published and appended
to the stored JSON text. When the check fails (something wrote without the lock) it falls back to Rasa's own save.
The stored value stays Rasa's format, so Rasa's own store, its HTTP API and the tools read it as before.

Rebuilding events also looked up each event's class by walking every ``Event`` subclass (``resolve_by_type``,
about 9% of the server's CPU); :func:`remember_event_types` makes that a dictionary lookup.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from rasa.core.tracker_store import RedisTrackerStore
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker

logger = logging.getLogger(__name__)

_EVENT_TYPES: dict[str, type[Event] | None] = {}
_resolve_by_type = Event.resolve_by_type


def _remembered_type(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
    if type_name in _EVENT_TYPES:
        found = _EVENT_TYPES[type_name]
        return found if found is not None else default
    found = _resolve_by_type(type_name, default)
    if found is not None and found is not default:
        _EVENT_TYPES[type_name] = found
    return found


def remember_event_types() -> None:
    """Make ``Event.resolve_by_type`` remember the class of each type name it has found (event classes do not
    change once imported); unknown names still raise or give the default, as Rasa's does."""
    Event.resolve_by_type = staticmethod(_remembered_type)  # type: ignore[method-assign, assignment]


class AppendingRedisTrackerStore(RedisTrackerStore):  # type: ignore[misc]
    """``RedisTrackerStore`` that appends a turn's events instead of re-reading and rewriting the conversation."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        given: Any = kwargs.get("record_exp")  # text when it comes from an endpoints.yml ${VARIABLE}
        self.record_exp: int | None = int(float(given)) if given not in (None, "") else None  # whole seconds
        remember_event_types()

    async def save(self, tracker: DialogueStateTracker, timeout: float | None = None) -> None:
        key = self.key_prefix + tracker.sender_id
        stored = self.red.get(key)
        appended = self._appended(stored, tracker)
        if appended is None:
            await super().save(tracker, timeout)
            return
        serialised, new_events = appended
        if self.event_broker is not None:
            await self._stream_new_events(self.event_broker, new_events, tracker.sender_id)
        self.red.set(key, serialised, ex=timeout or self.record_exp or None)

    @staticmethod
    def _appended(stored: bytes | str | None, tracker: DialogueStateTracker) -> tuple[str, list[Event]] | None:
        """The stored JSON with the tracker's new events appended, and those events; ``None`` when the stored
        events are not the start of the tracker's (then Rasa's own save merges them)."""
        events = list(tracker.events)
        if stored is None:
            return json.dumps(tracker.as_dialogue().as_dict()), events
        text = stored.decode() if isinstance(stored, bytes) else stored
        try:
            before = json.loads(text)["events"]
        except (ValueError, KeyError, TypeError):
            return None
        count = len(before)
        tail = f'], "name": {json.dumps(tracker.sender_id)}}}'  # how json.dumps ends Rasa's dialogue dict
        if count > len(events) or not text.endswith(tail) or not _same_prefix(before, events):
            return None
        new = events[count:]
        if not new:
            return text, []
        added = ", ".join(json.dumps(event.as_dict()) for event in new)
        return f"{text[: -len(tail)]}{', ' if count else ''}{added}{tail}", new


def _same_prefix(stored: list[dict[str, Any]], events: list[Event]) -> bool:
    """Whether the stored events are the tracker's first ones, judged by the last stored event (type and
    timestamp) and the count: every event of a conversation has its own timestamp."""
    if not stored:
        return True
    last, mine = stored[-1], events[len(stored) - 1]
    return bool(last.get("event") == mine.type_name and last.get("timestamp") == mine.timestamp)
