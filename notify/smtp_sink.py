"""The development mail server: an aiosmtpd sink `make run` starts, keeping every message it receives.

``python -m notify.smtp_sink`` listens on ``TRIAGE_HOST``:``TRIAGE_SMTP_PORT`` and appends each message to
``<TRIAGE_VAR_DIR>/mail/inbox.jsonl`` as ``{"v": 1, "received_at", "from", "to": [...], "subject", "text",
"message_id", "key"}`` (``key``: the notifier's ``X-Triage-Notification`` header), one JSON object a line,
and keeps the raw message as ``<n>.eml`` beside it. It relays nothing.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sys
import threading
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any, cast

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

VERSION = 1
MAX_MESSAGE_BYTES = 1024 * 1024  # larger messages are refused (552) by aiosmtpd itself
INBOX = "inbox.jsonl"


class SinkHandler:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.content if isinstance(envelope.content, bytes) else str(envelope.content).encode()
        message = message_from_bytes(raw, policy=policy.default)
        body = message.get_body(preferencelist=("plain",))
        record: dict[str, Any] = {
            "v": VERSION,
            "received_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "from": envelope.mail_from,
            "to": list(envelope.rcpt_tos),
            "subject": str(message.get("Subject", "")),
            "text": cast(EmailMessage, body).get_content() if body is not None else "",
            "message_id": str(message.get("Message-ID", "")),
            "key": str(message.get("X-Triage-Notification", "")),
        }
        with self._lock:
            count = sum(1 for _ in self.directory.glob("*.eml"))
            (self.directory / f"{count + 1}.eml").write_bytes(raw)
            with (self.directory / INBOX).open("a", encoding="utf-8") as inbox:
                inbox.write(json.dumps(record) + "\n")
        return "250 Message accepted for delivery"


def read_inbox(directory: Path) -> list[dict[str, Any]]:
    path = directory / INBOX
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def start(host: str, port: int, directory: Path) -> Controller:
    controller = Controller(SinkHandler(directory), hostname=host, port=port, data_size_limit=MAX_MESSAGE_BYTES)
    controller.start()
    return controller


def main() -> int:
    from core.settings import settings_or_complain

    settings = settings_or_complain()
    if settings is None:
        return 2
    if settings.smtp_port == 0:
        print("TRIAGE_SMTP_PORT is 0: `make run` chooses the sink's port; set one to run it alone.", file=sys.stderr)
        return 2
    directory = settings.var_dir / "mail"
    controller = start(settings.host, settings.smtp_port, directory)
    print(f"SMTP sink on {settings.host}:{settings.smtp_port}, keeping mail in {directory}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.new_event_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    loop.run_until_complete(stop.wait())
    controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
