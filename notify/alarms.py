"""The notifier's TMF642 calls: its listener on the event hub, and reading an alarm to confirm it cleared.

The hub is TMF642's ``POST {alarm API}/hub`` with ``{"callback": url}`` (201 with ``{"id", "callback"}``) and
``DELETE /hub/{id}``; ``GET /hub/{id}`` (which the simulator serves, as many TMF servers do) tells whether the
listener is still known, e.g. after the server restarted. Every call is bounded by the OSS timeout.
"""

from __future__ import annotations

from typing import Any

import httpx

from core.oss.config import ALARM, OssConfig

CLEARED_STATES = frozenset({"cleared"})


class AlarmApiError(Exception):
    """The alarm API is unreachable or answered something unusable; ``refused`` when it answered 4xx to the hub."""

    def __init__(self, message: str, refused: bool = False) -> None:
        super().__init__(message)
        self.refused = refused


def is_cleared(alarm: dict[str, Any]) -> bool:
    return alarm.get("state") in CLEARED_STATES or alarm.get("perceivedSeverity") == "cleared"


class AlarmApi:
    def __init__(self, config: OssConfig, client: httpx.AsyncClient | None = None) -> None:
        self.base_url = config.api_url(ALARM)
        headers = {"Authorization": f"Bearer {config.token}"} if config.token else {}
        self._client = client or httpx.AsyncClient(timeout=config.timeout_s, headers=headers)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            return await self._client.request(method, f"{self.base_url}{path}", **kwargs)
        except httpx.HTTPError as exc:
            raise AlarmApiError(f"{method} {path}: {type(exc).__name__}") from None

    async def register(self, callback: str) -> str:
        response = await self._call("POST", "/hub", json={"callback": callback})
        if response.status_code != 201:
            raise AlarmApiError(f"POST /hub answered {response.status_code}", refused=response.status_code < 500)
        listener = _json(response)
        if not isinstance(listener.get("id"), str | int):
            raise AlarmApiError("POST /hub answered without a listener id")
        return str(listener["id"])

    async def unregister(self, listener_id: str) -> None:
        await self._call("DELETE", f"/hub/{listener_id}")

    async def listener_known(self, listener_id: str) -> bool | None:
        """Whether the hub still has the listener; ``None`` when the server cannot say (no ``GET /hub/{id}``)."""
        response = await self._call("GET", f"/hub/{listener_id}")
        if response.status_code == 200:
            return True
        if response.status_code == 404:
            return False
        if response.status_code == 405:
            return None
        raise AlarmApiError(f"GET /hub answered {response.status_code}")

    async def alarm(self, alarm_id: str) -> dict[str, Any] | None:
        """The alarm as the API holds it now, or ``None`` when it does not exist."""
        response = await self._call("GET", f"/alarm/{alarm_id}")
        if response.status_code in (400, 404):
            return None
        if response.status_code != 200:
            raise AlarmApiError(f"GET /alarm answered {response.status_code}")
        return _json(response)


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        raise AlarmApiError("the alarm API answered malformed JSON") from None
    if not isinstance(body, dict):
        raise AlarmApiError("the alarm API answered JSON that is not an object")
    return body
