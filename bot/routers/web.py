"""The customer web chat page at ``/`` and its static files (plain HTML, CSS and JavaScript: no build step)."""

from __future__ import annotations

import html
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.types import Scope

from core.settings import Settings

STATIC_DIR = Path(__file__).resolve().parent.parent / "web" / "static"


def content_security_policy(settings: Settings) -> str:
    """Scripts and styles only from the gateway, so a message can never run code even if escaping failed.

    Images may come from https sites (bots send picture links); the page may be framed by the allowed sites.
    """
    ancestors = " ".join(["'self'", *(o for o in settings.allowed_origins if o != "*")])
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' https: data:",
            "connect-src 'self'",
            "base-uri 'none'",
            "form-action 'self'",
            f"frame-ancestors {'*' if '*' in settings.allowed_origins else ancestors}",
        ]
    )


def chat_page(settings: Settings) -> str:
    """``index.html`` with the settings the page needs filled in (both are validated, and escaped anyway)."""
    template = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
    return template.replace("{{socketio_path}}", html.escape(settings.socketio_path)).replace(
        "{{max_chars}}", str(settings.max_message_chars)
    )


def install(app: FastAPI, settings: Settings) -> None:
    page = chat_page(settings)
    headers = {
        "Content-Security-Policy": content_security_policy(settings),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-cache",
    }
    router = APIRouter(include_in_schema=False)

    @router.get("/", response_class=HTMLResponse)
    async def index() -> HTMLResponse:
        return HTMLResponse(page, headers=headers)

    app.include_router(router)
    app.mount("/static", AssetFiles(directory=STATIC_DIR), name="static")


class AssetFiles(StaticFiles):
    """The pages' scripts and styles. The pages themselves are served only by their routes (``/``, ``/agent``,
    ``/supervisor``), which send their Content-Security-Policy and frame protection: ``/static/agent.html`` would
    be the working console without them, and frameable."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        if path.lower().endswith((".html", ".htm")):
            return PlainTextResponse("Not found", status_code=404)
        response = await super().get_response(path, scope)
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response
