"""Staff log in, are let in or refused by role, and log out, in Chromium, through the pages' own forms.

No test here sets a header or a cookie: the browser decides what it sends, as it does for the people who use
these pages. Other sites' pages are real pages on another loopback server: ``localhost`` is another site than
``127.0.0.1``; another port on ``127.0.0.1`` is the same site but another origin (a cookie still travels there,
so only the same-origin rule stops its forms).
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from bot.auth.roles import Role
from tests.fixtures.product import Product
from tests.handoff.staff import PASSWORD, make_staff
from tests.web.conftest import LAPTOP

pytestmark = pytest.mark.e2e
LIVE_MS = 15_000
SESSION_COOKIE = "triage_session"


def run(coroutine: object) -> None:
    with ThreadPoolExecutor(1) as thread:  # Playwright's sync API runs its own event loop in this thread
        thread.submit(asyncio.run, coroutine).result(timeout=30)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def staff(product: Product) -> dict[Role, str]:
    """One login per role, each with the test password."""
    names = {
        Role.agent: "web-agent",
        Role.supervisor: "web-super",
        Role.product_owner: "web-po",
        Role.admin: "web-admin",
    }
    for role, name in names.items():
        run(make_staff(product.redis_url, name, role, ["general", "technical"]))
    return names


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=LAPTOP)
    yield context
    context.close()


class OtherSite:
    """A page of another origin whose form posts to the gateway (what a malicious or careless page would do)."""

    def __init__(self, host: str, html: str) -> None:
        page = html.encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://{host}:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def log_in_on_form(page: Page, name: str, password: str = PASSWORD) -> None:
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def session_token(context: BrowserContext, gateway_url: str) -> str:
    """Read (never set) the cookie the browser keeps, to ask the server afterwards whether it still counts."""
    cookies = [c for c in context.cookies(gateway_url) if c["name"] == SESSION_COOKIE]
    assert cookies, "the browser holds no session cookie"
    return cookies[0]["value"]


def session_alive(gateway_url: str, token: str) -> bool:
    response = httpx.get(gateway_url + "/api/auth/me", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    return response.status_code == 200


@pytest.mark.parametrize("role", [Role.product_owner, Role.admin])
def test_insights_roles_log_in_on_the_form_and_log_out_for_good(
    role: Role, context: BrowserContext, product: Product, staff: dict[Role, str]
) -> None:
    page = context.new_page()
    page.goto(product.gateway_url + "/insights")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Finsights$"))
    log_in_on_form(page, staff[role])
    expect(page).to_have_url(product.gateway_url + "/insights")
    expect(page.get_by_role("heading", name="Unresolved contacts")).to_be_visible()
    expect(page.locator("header")).to_contain_text(f"({role.value})")
    token = session_token(context, product.gateway_url)
    assert session_alive(product.gateway_url, token)

    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    assert not session_alive(product.gateway_url, token), "logging out must end the session on the server"
    page.goto(product.gateway_url + "/insights")
    expect(page).to_have_url(re.compile(r"/login\?next="))


def test_a_wrong_password_says_so_and_keeps_the_user_name(
    context: BrowserContext, product: Product, staff: dict[Role, str]
) -> None:
    page = context.new_page()
    page.goto(product.gateway_url + "/login")
    log_in_on_form(page, staff[Role.product_owner], "not the password")
    expect(page.get_by_role("alert")).to_have_text("The user name or the password is wrong.")
    expect(page.get_by_label("User name")).to_have_value(staff[Role.product_owner])
    expect(page.get_by_label("Password")).to_have_value("")
    log_in_on_form(page, staff[Role.product_owner])
    expect(page.get_by_role("heading", name="Unresolved contacts")).to_be_visible()


@pytest.mark.parametrize("role", [Role.agent, Role.supervisor])
def test_console_roles_are_refused_the_insights_and_let_into_the_console(
    role: Role, context: BrowserContext, product: Product, staff: dict[Role, str]
) -> None:
    page = context.new_page()
    page.goto(product.gateway_url + "/login?next=/insights")
    log_in_on_form(page, staff[role])
    expect(page.get_by_role("heading", name="Not for your role")).to_be_visible()
    expect(page.get_by_text("The insights are for product owners.")).to_be_visible()

    page.goto(product.gateway_url + "/agent")  # the same session: the console needs no second login
    expect(page.locator("#app")).to_be_visible(timeout=LIVE_MS)
    token = session_token(context, product.gateway_url)
    page.locator("#logout").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    assert not session_alive(product.gateway_url, token)


def test_the_console_refuses_a_product_owner_with_a_reason(
    context: BrowserContext, product: Product, staff: dict[Role, str]
) -> None:
    page = context.new_page()
    page.goto(product.gateway_url + "/agent")
    log_in_on_form(page, staff[Role.product_owner])
    expect(page.get_by_role("heading", name="Not for your role")).to_be_visible(timeout=LIVE_MS)
    expect(page.locator("#app")).to_be_hidden()
    token = session_token(context, product.gateway_url)
    page.get_by_role("link", name=re.compile("insights", re.IGNORECASE)).click()
    expect(page.get_by_role("heading", name="Unresolved contacts")).to_be_visible()  # where they belong
    page.go_back()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible(timeout=LIVE_MS)
    assert not session_alive(product.gateway_url, token)


@pytest.mark.parametrize(
    ("role", "home", "heading"),
    [
        (Role.agent, "/agent", None),
        (Role.supervisor, "/supervisor", None),
        (Role.product_owner, "/insights", "Unresolved contacts"),
    ],
)
def test_logging_in_with_no_page_to_return_to_lands_on_the_page_of_ones_role(
    role: Role, home: str, heading: str | None, context: BrowserContext, product: Product, staff: dict[Role, str]
) -> None:
    page = context.new_page()
    page.goto(product.gateway_url + "/login")
    log_in_on_form(page, staff[role])
    expect(page).to_have_url(product.gateway_url + home)
    expect(page.get_by_role("heading", name="Not for your role")).to_have_count(0)
    if heading:
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
    page.goto(product.gateway_url + "/login")  # already logged in: straight to the same page
    expect(page).to_have_url(product.gateway_url + home)


def test_after_login_only_a_path_on_this_site_is_followed(
    context: BrowserContext, product: Product, staff: dict[Role, str]
) -> None:
    page = context.new_page()
    page.goto(product.gateway_url + "/login?next=//example.org/phish")
    log_in_on_form(page, staff[Role.product_owner])
    expect(page).to_have_url(product.gateway_url + "/insights")


def test_another_sites_login_form_is_refused_and_logs_nobody_in(
    context: BrowserContext, product: Product, staff: dict[Role, str]
) -> None:
    form = (
        f'<form method="post" action="{product.gateway_url}/login"><input name="username" '
        f'value="{staff[Role.product_owner]}"><input name="password" value="{PASSWORD}"><button>Go</button></form>'
    )
    site = OtherSite("localhost", form)
    try:
        page = context.new_page()
        page.goto(site.url)
        with page.expect_navigation():
            page.get_by_role("button", name="Go").click()
        expect(page.get_by_role("alert")).to_contain_text("sent from this site")
        assert not [c for c in context.cookies(product.gateway_url) if c["name"] == SESSION_COOKIE]
    finally:
        site.close()


def test_a_same_site_page_of_another_origin_cannot_use_the_session(
    context: BrowserContext, product: Product, staff: dict[Role, str]
) -> None:
    """Another port of the same host is the same site: the Strict cookie travels, the same-origin rule refuses."""
    page = context.new_page()
    page.goto(product.gateway_url + "/login")
    log_in_on_form(page, staff[Role.product_owner])
    expect(page.get_by_role("heading", name="Unresolved contacts")).to_be_visible()
    forms = (
        f'<form id=o method="post" action="{product.gateway_url}/logout"><button>Log them out</button></form>'
        f'<form method="post" action="{product.gateway_url}/api/insights/backlog">'
        '<input name="theme_id" value="t"><button>Fill the backlog</button></form>'
    )
    site = OtherSite("127.0.0.1", forms)
    try:
        other = context.new_page()
        other.goto(site.url)
        with other.expect_navigation():
            other.get_by_role("button", name="Log them out").click()
        expect(other.get_by_role("heading", name="Not sent from this site")).to_be_visible()
        other.goto(site.url)
        with other.expect_navigation():
            other.get_by_role("button", name="Fill the backlog").click()
        expect(other.locator("body")).to_contain_text("cross_site")
    finally:
        site.close()
    page.reload()
    expect(page.get_by_role("heading", name="Unresolved contacts")).to_be_visible()  # still logged in
