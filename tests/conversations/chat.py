"""A customer chatting with the running product through the gateway, as the web chat does."""

from __future__ import annotations

from typing import Any

import httpx

from tests.fixtures.product import Product


class Chat:
    def __init__(self, product: Product) -> None:
        self._url = f"{product.gateway_url}/api/messages"
        self.conversation_id: str | None = None
        self._token: str | None = None
        self.transcript: list[tuple[str, str]] = []
        self.handoffs: list[dict[str, Any]] = []
        self.last_buttons: list[str] = []

    def say(self, text: str) -> str:
        """Send one message; return the bot's replies joined, one per line."""
        body: dict[str, Any] = {"text": text}
        headers = {}
        if self.conversation_id:
            body["conversation_id"] = self.conversation_id
            headers["Authorization"] = f"Bearer {self._token}"
        response = httpx.post(self._url, json=body, headers=headers, timeout=90)
        response.raise_for_status()
        data = response.json()
        self.conversation_id = data["conversation_id"]
        self._token = data.get("token", self._token)
        replies = []
        self.last_buttons = [b["payload"] for m in data["messages"] for b in m.get("buttons") or []]
        for message in data["messages"]:
            if message.get("text"):
                replies.append(message["text"])
            custom = message.get("custom") or {}
            if "handoff" in custom:
                self.handoffs.append(custom["handoff"])
        self.transcript += [("customer", text)] + [("bot", r) for r in replies]
        return "\n".join(replies)

    def __repr__(self) -> str:
        return "\n".join(f"{who}: {what}" for who, what in self.transcript)
