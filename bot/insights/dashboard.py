"""What the insights pages share: who may see them, the filters of a page's query string, and error pages.

The pages (``bot/routers/insights_*pages.py``) are server-rendered over the same functions as the JSON API.
Anonymous visitors are sent to ``/login``; roles other than product owner and admin get 403. Forms post
back to the gateway only (SameSite=Strict session cookie, and the Origin header is checked when sent).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from html import escape
from typing import Annotated
from urllib.parse import parse_qs, urlencode

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from bot.auth import Role, User
from bot.auth.pages import page, respond
from bot.auth.same_site import CROSS_SITE_MESSAGE, from_this_site
from bot.errors import status_for
from bot.insights import views
from bot.insights.filters import Filters, make_filters, preset_window
from bot.insights.state import InsightsState, get_insights
from core.errors import DomainError, Forbidden, Invalid, TooLarge
from core.unicode_text import plain_text
from learning.records import Trigger

State = Annotated[InsightsState, Depends(get_insights)]
DRILL_DOWN = 10
MAX_FORM_BYTES = 4096
DATE_FIELDS = {"from": "From", "to": "To"}
DATE_FORMS = "Write a day (2026-12-01), a time (2026-12-01T09:30, in UTC) or an ISO timestamp (2026-12-01T09:30:00Z)."
DAY_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")
FILTER_PAGES = ("/insights", "/insights/outcomes", "/insights/incidents")
"""Pages whose error answer repeats the filters as typed, so a typo costs one correction, not the whole form."""


class PageError(Exception):
    def __init__(self, response: Response) -> None:
        self.response = response


def _allowed(request: Request, user: User | None) -> User:
    if user is None:
        target = urlencode({"next": str(request.url.path) + (f"?{request.url.query}" if request.url.query else "")})
        raise PageError(RedirectResponse(f"/login?{target}", status_code=303))
    if not user.has_role(Role.product_owner):
        body = "<h1>Not for your role</h1><p>The insights are for product owners.</p>"
        raise PageError(respond(page("Forbidden", body, user), status_code=403))
    return user


def page_filters(values: dict[str, list[str]]) -> tuple[Filters, str | None]:
    """The filters of a page's query string and the date preset chosen (``preset`` wins over empty dates)."""

    def when(name: str) -> datetime | None:
        raw = (values.get(name) or [""])[0].strip()
        if not raw:
            return None
        try:
            moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            message = f"'{DATE_FIELDS[name]}' is not a date: “{plain_text(raw[:40])}”. {DATE_FORMS}"
            raise Invalid("invalid_date", message) from None
        # a plain day as 'to' includes that day: the window ends at the next midnight
        return moment + timedelta(days=1) if name == "to" and DAY_ONLY.fullmatch(raw) else moment

    def one(name: str) -> str | None:
        return (values.get(name) or [""])[0].strip()[:64] or None

    preset = one("preset")
    start, end = when("from"), when("to")
    if preset and not (start or end):
        start, end = preset_window(preset)
    elif preset:
        preset = None
    known = {t.value for t in Trigger}
    wrong = [t for t in values.get("trigger", []) if t and t not in known]
    if wrong:
        raise Invalid("invalid_trigger", f"Unknown trigger “{wrong[0][:40]}”; tick the triggers offered.")
    triggers = [Trigger(t) for t in values.get("trigger", []) if t]
    return make_filters(start, end, triggers, one("flow"), one("channel"), one("finding")), preset


async def guarded(request: Request, user: User | None, render: object) -> Response:
    try:
        allowed = _allowed(request, user)
        return await render(allowed)  # type: ignore[operator,no-any-return]
    except PageError as exc:
        return exc.response
    except (DomainError, ValueError, ValidationError) as exc:
        message = exc.message if isinstance(exc, DomainError) else "Check the filters: a date or a value is invalid."
        status = status_for(exc) if isinstance(exc, DomainError) else 400
        body = f'<h1>Insights</h1><p class="error">{escape(message)}</p>'
        if user is not None and request.method == "GET" and request.url.path in FILTER_PAGES:
            body += views.typed_filter_form(parse_qs(request.url.query), request.url.path)
        body += '<p><a href="/insights">Start again</a></p>'
        return respond(page("Insights", body, user), status_code=status)


async def read_form(request: Request) -> dict[str, str]:
    if not from_this_site(request.headers):
        raise Forbidden("cross_site", CROSS_SITE_MESSAGE)
    raw = await request.body()
    if len(raw) > MAX_FORM_BYTES:
        raise TooLarge("form_too_large", "That form is too large.")
    return {key: values[0] for key, values in parse_qs(raw.decode("utf-8", errors="replace")).items()}
