"""The page shell of the server-rendered pages (login, insights): one stylesheet, no scripts, no CDN."""

from __future__ import annotations

from html import escape

from fastapi.responses import HTMLResponse

from bot.auth.accounts import User

# No script may run on these pages and no other site may frame them (their forms change the backlog).
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",  # "no-referrer" would make the forms' Origin "null"
    "Cache-Control": "no-store",
}

STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1b1f24;background:#f6f7f9}
header{background:#16324f;color:#fff;padding:.6rem 1.2rem;display:flex;gap:1rem;align-items:center}
header a{color:#cfe3ff}header form{margin-left:auto}main{padding:1rem 1.2rem;max-width:1200px}
table{border-collapse:collapse;width:100%;background:#fff;margin:.5rem 0 1.2rem}
th,td{border-bottom:1px solid #e3e6ea;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#eef1f5;font-weight:600}.muted{color:#68727d}.up{color:#b3261e}.down{color:#1e7b34}
form.inline{display:inline}input,select,button{font:inherit;padding:.2rem .4rem}
.card{background:#fff;border:1px solid #e3e6ea;border-radius:6px;padding:.8rem 1rem;margin:.6rem 0}
.error{color:#b3261e}.tag{display:inline-block;background:#eef1f5;border-radius:3px;padding:0 .35rem;margin:1px}
"""


def page(title: str, body: str, user: User | None = None) -> str:
    """A complete HTML document; ``body`` must already be escaped."""
    who = ""
    if user is not None:
        who = (
            f"<span>{escape(user.name)} ({escape(user.role.value)})</span>"
            '<form method="post" action="/logout"><button>Log out</button></form>'
        )
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        '<meta name=viewport content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>"
        f'<header><strong>Telecom triage</strong><a href="/insights">Insights</a>{who}</header>'
        f"<main>{body}</main></body></html>"
    )


def respond(html: str, status_code: int = 200) -> HTMLResponse:
    """An HTML page with the security headers above."""
    return HTMLResponse(html, status_code=status_code, headers=HEADERS)
