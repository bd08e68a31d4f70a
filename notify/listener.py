"""The notifier's HTTP side: the TMF642 hub's callbacks, and a health check for `make run`.

The hub POSTs each event to ``<callback>/listener/<eventName>`` (``alarmStateChangeEvent``,
``alarmAttributeValueChangeEvent``, ...; the callback itself is accepted too) with TMF's event envelope
``{"eventId", "eventTime", "eventType", "event": {"alarm": {"id": ...}}}``. Answers: 202 taken (the alarm is
read back from TMF642 before anyone is told), 400 malformed JSON or envelope, 404 an unknown event name or
alarm, 413 too large, 415 not JSON, 503 TMF642 unreadable (the hub should retry). Nothing a bad callback
sends touches a subscription.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from notify.alarms import AlarmApiError
from notify.notifier import Notifier, UnknownAlarm

VERSION = 1
CALLBACK_PATH = "/tmf642"
MAX_EVENT_BYTES = 256 * 1024  # an alarm with hundreds of affected services fits; anything bigger is not an event
ALARM_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
EVENT_TYPES = {
    "alarmCreateEvent": "AlarmCreateEvent",
    "alarmAttributeValueChangeEvent": "AlarmAttributeValueChangeEvent",
    "alarmStateChangeEvent": "AlarmStateChangeEvent",
    "alarmDeleteEvent": "AlarmDeleteEvent",
    "alarmClearedEvent": "AlarmClearedEvent",
}


def problem(status: int, error: str, message: str) -> JSONResponse:
    return JSONResponse({"v": VERSION, "error": error, "message": message}, status_code=status)


class BadEvent(Exception):
    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(message)
        self.response = problem(status, error, message)


async def read_event(request: Request) -> str:
    """The alarm id an event names; raises :class:`BadEvent`."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json":
        raise BadEvent(415, "unsupported_media_type", "send the event as application/json")
    body = await request.body()
    if len(body) > MAX_EVENT_BYTES:
        raise BadEvent(413, "too_large", f"an event is at most {MAX_EVENT_BYTES} bytes")
    try:
        envelope: Any = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise BadEvent(400, "malformed_json", "the body is not valid JSON") from None
    if not isinstance(envelope, dict):
        raise BadEvent(400, "invalid_event", "an event is a JSON object")
    kind = envelope.get("eventType")
    if kind not in EVENT_TYPES.values():
        raise BadEvent(400, "invalid_event", f"eventType must be one of {', '.join(sorted(EVENT_TYPES.values()))}")
    payload = envelope.get("event")
    alarm = payload.get("alarm") if isinstance(payload, dict) else None
    ident = alarm.get("id") if isinstance(alarm, dict) else None
    if isinstance(ident, int) and not isinstance(ident, bool):
        ident = str(ident)
    if not isinstance(ident, str) or not ALARM_ID.fullmatch(ident):
        raise BadEvent(400, "invalid_event", "event.alarm.id must be an alarm id (letters, digits, . _ -)")
    return ident


def router(notifier: Callable[[], Notifier], wake: Callable[[], None]) -> APIRouter:
    routes = APIRouter(prefix=CALLBACK_PATH)

    async def take(request: Request) -> JSONResponse:
        try:
            alarm_id = await read_event(request)
        except BadEvent as bad:
            return bad.response
        try:
            cleared = await notifier().alarm_changed(alarm_id)
        except UnknownAlarm:
            return problem(404, "unknown_alarm", f"alarm {alarm_id} does not exist in TMF642")
        except AlarmApiError:
            return problem(503, "alarm_api_unavailable", "TMF642 cannot be read now; send the event again later")
        if cleared:
            wake()
        return JSONResponse({"v": VERSION, "alarm_id": alarm_id, "cleared": cleared}, status_code=202)

    @routes.post("")
    async def callback(request: Request) -> JSONResponse:
        return await take(request)

    @routes.post("/listener/{name}")
    async def listener(name: str, request: Request) -> JSONResponse:
        if name not in EVENT_TYPES:
            return problem(404, "unknown_event", f"no listener for {name[:60]!r}")
        return await take(request)

    return routes
