"""Outbound e-mail over SMTP (the development sink started by `make run`, or the operator's server).

smtplib runs in a worker thread: one message per cleared subscription, so a thread per send is cheap, and the
standard library's client is the one that knows every server's quirks.
"""

from __future__ import annotations

import asyncio
import smtplib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from notify.sms import SendFailed

TIMEOUT_S = 10.0


class EmailAdapter:
    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        *,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
    ) -> None:
        self._host = host
        self._port = port
        self._sender = sender
        self._login = (username, password) if username and password else None
        self._starttls = starttls

    async def send(self, to: str, subject: str, text: str, key: str) -> None:
        message = EmailMessage()
        message["From"] = self._sender
        message["To"] = to
        message["Subject"] = subject
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = make_msgid(idstring=key.replace(":", "."), domain=self._sender.rsplit("@", 1)[-1])
        message["X-Triage-Notification"] = key
        message.set_content(text)
        try:
            await asyncio.to_thread(self._send, message)
        except (smtplib.SMTPException, OSError) as exc:
            raise SendFailed(f"SMTP {self._host}:{self._port} refused or unreachable: {type(exc).__name__}") from None

    def _send(self, message: EmailMessage) -> None:
        with smtplib.SMTP(self._host, self._port, timeout=TIMEOUT_S) as smtp:
            if self._starttls:
                smtp.starttls()
            if self._login:
                smtp.login(*self._login)
            smtp.send_message(message)
