"""Outbound texts through an SMS HTTP gateway (the simulator's in development).

``POST <TRIAGE_SMS_GATEWAY_URL>`` with ``{"v": 1, "to": "+447700900321", "from": "Triage", "text": "..."}``,
``Authorization: Bearer <TRIAGE_SMS_GATEWAY_TOKEN>`` when set, and an ``Idempotency-Key`` header: a retry
after a lost answer is sent once. Any 2xx is accepted; anything else raises :class:`SendFailed`.
"""

from __future__ import annotations

import httpx

VERSION = 1
TIMEOUT_S = 10.0


class SendFailed(Exception):
    """The message was not accepted; the caller keeps it and tries again later."""


class SmsAdapter:
    def __init__(self, url: str, sender: str, token: str | None = None, client: httpx.AsyncClient | None = None):
        self._url = url
        self._sender = sender
        self._headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._client = client or httpx.AsyncClient(timeout=TIMEOUT_S)

    async def send(self, to: str, text: str, key: str) -> None:
        body = {"v": VERSION, "to": to, "from": self._sender, "text": text}
        try:
            response = await self._client.post(self._url, json=body, headers={**self._headers, "Idempotency-Key": key})
        except httpx.HTTPError as exc:
            raise SendFailed(f"SMS gateway unreachable: {type(exc).__name__}") from None
        if not 200 <= response.status_code < 300:
            raise SendFailed(f"SMS gateway answered {response.status_code}")

    async def aclose(self) -> None:
        await self._client.aclose()
