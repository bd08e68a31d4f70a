"""The development SMS gateway: takes texts over HTTP as an operator's SMS provider would, and keeps them.

``POST /v1/messages`` with ``{"v": 1, "to": "+447700900321", "from": "Triage", "text": "..."}`` (and
``Authorization: Bearer <TRIAGE_SMS_GATEWAY_TOKEN>`` when that is set) answers 202 ``{"v": 1, "id",
"duplicate"}``; the same ``Idempotency-Key`` again is answered with the first id and kept once. Bad input is
a 4xx ``{"v": 1, "error", "message"}``. Every accepted text is appended to ``<TRIAGE_VAR_DIR>/sms/outbox.jsonl``
(``{"v": 1, "id", "received_at", "to", "from", "text", "key"}``) and listed by ``GET /v1/messages``.
``python -m simulator.sms_gateway`` serves it on ``TRIAGE_HOST``:``TRIAGE_SMS_GATEWAY_PORT``.
"""

from __future__ import annotations

import json
import re
import secrets
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from simulator.settings import secret_value, settings_or_complain

VERSION = 1
OUTBOX = "outbox.jsonl"
MAX_BODY_BYTES = 16 * 1024
MAX_TEXT_CHARS = 918  # six concatenated SMS parts: longer is refused, as providers do
E164 = re.compile(r"\+[1-9]\d{6,14}")
SENDER = re.compile(r"[A-Za-z0-9 ]{1,11}")
KEY = re.compile(r"[A-Za-z0-9._:~-]{1,200}")


def problem(status: int, error: str, message: str) -> JSONResponse:
    return JSONResponse({"v": VERSION, "error": error, "message": message}, status_code=status)


def read_outbox(directory: Path) -> list[dict[str, Any]]:
    path = directory / OUTBOX
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _invalid(body: Any) -> str | None:
    """What is wrong with a message body, or ``None``."""
    if not isinstance(body, dict):
        return "the body must be a JSON object"
    if body.get("v") != VERSION:
        return f"v must be {VERSION}"
    if set(body) - {"v", "to", "from", "text"}:
        return f"unknown fields: {', '.join(sorted(set(body) - {'v', 'to', 'from', 'text'}))[:100]}"
    if not isinstance(body.get("to"), str) or not E164.fullmatch(body["to"]):
        return "to must be a phone number in E.164 (+447700900321)"
    if not isinstance(body.get("from"), str) or not SENDER.fullmatch(body["from"]):
        return "from must be 1-11 letters, digits or spaces"
    text = body.get("text")
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT_CHARS:
        return f"text must be 1-{MAX_TEXT_CHARS} characters"
    return None


def create_app(directory: Path, token: str | None = None) -> FastAPI:
    app = FastAPI(title="SMS gateway (development)", docs_url=None, redoc_url=None, openapi_url=None)
    directory.mkdir(parents=True, exist_ok=True)
    seen = {m["key"]: m["id"] for m in read_outbox(directory) if m.get("key")}

    @app.get("/healthz")
    async def healthz() -> dict[str, Any]:
        return {"v": VERSION, "status": "ok", "kept": len(read_outbox(directory))}

    @app.get("/v1/messages")
    async def messages() -> list[dict[str, Any]]:
        return read_outbox(directory)

    @app.post("/v1/messages")
    async def send(request: Request) -> JSONResponse:
        if token and not secrets.compare_digest(request.headers.get("authorization", ""), f"Bearer {token}"):
            return problem(401, "unauthorized", "a valid bearer token is required")
        if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
            return problem(415, "unsupported_media_type", "send application/json")
        raw = await request.body()
        if len(raw) > MAX_BODY_BYTES:
            return problem(413, "too_large", f"at most {MAX_BODY_BYTES} bytes")
        try:
            body = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            return problem(400, "malformed_json", "the body is not valid JSON")
        if wrong := _invalid(body):
            return problem(422, "invalid_message", wrong)
        key = request.headers.get("idempotency-key")
        if key is not None and not KEY.fullmatch(key):
            return problem(400, "invalid_idempotency_key", "Idempotency-Key: 1-200 of A-Z a-z 0-9 . _ : ~ -")
        if key in seen:
            return JSONResponse({"v": VERSION, "id": seen[key], "duplicate": True}, status_code=202)
        record = {
            "v": VERSION,
            "id": secrets.token_hex(8),
            "received_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "to": body["to"],
            "from": body["from"],
            "text": body["text"],
            "key": key,
        }
        with (directory / OUTBOX).open("a", encoding="utf-8") as outbox:
            outbox.write(json.dumps(record) + "\n")
        if key:
            seen[key] = record["id"]
        return JSONResponse({"v": VERSION, "id": record["id"], "duplicate": False}, status_code=202)

    return app


def main() -> int:
    import uvicorn

    settings = settings_or_complain()
    if settings is None:
        return 2
    if settings.sms_gateway_port == 0:
        print("TRIAGE_SMS_GATEWAY_PORT is 0: `make run` chooses it; set one to run the gateway alone.", file=sys.stderr)
        return 2
    app = create_app(settings.var_dir / "sms", secret_value(settings.sms_gateway_token))
    uvicorn.run(app, host=settings.host, port=settings.sms_gateway_port, log_level="warning", lifespan="off", ws="none")
    return 0


if __name__ == "__main__":
    sys.exit(main())
