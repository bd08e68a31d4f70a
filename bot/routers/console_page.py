"""The agent console page at ``/agent`` (and the supervisor's view at ``/agent#supervisor``): static HTML, CSS and
JavaScript from ``bot/web/static/``, no build step, nothing fetched from elsewhere; it logs in with the JSON API."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse

from bot.routers.web import STATIC_DIR

HEADERS = {
    # The console shows customers' words: no script but its own may ever run, and no other site may frame it.
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-cache",
}


def install(app: FastAPI) -> None:
    page = (STATIC_DIR / "agent.html").read_text(encoding="utf-8")
    router = APIRouter(include_in_schema=False)

    @router.get("/agent", response_class=HTMLResponse)
    async def console() -> HTMLResponse:
        return HTMLResponse(page, headers=HEADERS)

    app.include_router(router)
