"""TMF642's event hub: listeners registered with ``POST /hub`` are told of every alarm change.

Each event is POSTed to ``<callback>/listener/<eventName>`` (``alarmStateChangeEvent`` when ``state`` changed,
e.g. to ``cleared``; ``alarmAttributeValueChangeEvent`` otherwise) with TMF's envelope ``{"eventId",
"eventTime", "eventType", "event": {"alarm": {...}}}``, in the background, retried a few times when the
listener does not answer 2xx. Listeners live in memory, like a real hub's after a restart they are gone (and
a listener should register again); a data reset (``/admin/reset``) keeps them.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

log = logging.getLogger(__name__)

MAX_LISTENERS = 50  # a simulator, not a broker: enough for every notifier of several `make run`s
CALLBACK = re.compile(r"https?://[A-Za-z0-9.\-\[\]:]{1,255}(/[A-Za-z0-9._~%/\-]{0,500})?")
ATTEMPTS = 3
RETRY_DELAY_S = 0.5
TIMEOUT_S = 5.0


@dataclass(frozen=True)
class Listener:
    id: str
    callback: str
    query: str | None = None

    def body(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "callback": self.callback}
        if self.query is not None:
            data["query"] = self.query
        return data


@dataclass
class Delivery:
    listener_id: str
    event_type: str
    alarm_id: str
    status: int | None  # the listener's last answer, None when it could not be reached


@dataclass
class EventHub:
    listeners: dict[str, Listener] = field(default_factory=dict)
    deliveries: list[Delivery] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _events: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def register(self, callback: str, query: str | None = None) -> Listener:
        listener = Listener(id=str(next(self._ids)), callback=callback.rstrip("/"), query=query)
        self.listeners[listener.id] = listener
        return listener

    def publish(self, event_type: str, alarm: dict[str, Any]) -> None:
        """Send ``event_type`` (e.g. ``AlarmStateChangeEvent``) about ``alarm`` to every listener, in the background."""
        now = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        envelope = {
            "eventId": str(next(self._events)),
            "eventTime": now,
            "eventType": event_type,
            "event": {"alarm": alarm},
        }
        name = event_type[0].lower() + event_type[1:]
        for listener in list(self.listeners.values()):
            task = asyncio.get_running_loop().create_task(self._deliver(listener, name, envelope))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _deliver(self, listener: Listener, name: str, envelope: dict[str, Any]) -> None:
        status: int | None = None
        async with httpx.AsyncClient(timeout=TIMEOUT_S) as client:
            for attempt in range(ATTEMPTS):
                try:
                    response = await client.post(f"{listener.callback}/listener/{name}", json=envelope)
                    status = response.status_code
                    if 200 <= status < 300 or (400 <= status < 500 and status not in (408, 429)):
                        break
                except httpx.HTTPError:
                    status = None
                await asyncio.sleep(RETRY_DELAY_S * (attempt + 1))
        if status is None or status >= 300:
            log.warning("hub: listener %s answered %s to %s", listener.id, status, envelope["eventType"])
        alarm_id = str(envelope["event"]["alarm"].get("id"))
        self.deliveries.append(Delivery(listener.id, envelope["eventType"], alarm_id, status))
        del self.deliveries[:-200]
