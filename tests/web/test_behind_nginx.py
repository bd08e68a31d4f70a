"""The product behind deploy/nginx.conf, as compose runs it, used by a customer, an agent and a product owner
in Chromium: the socket.io chat, the console's WebSocket and the login form all pass the load balancer.

The configuration is the deploy file itself; only its upstream addresses and listen ports are pointed at this
test's processes (compose's service names do not resolve here).
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from core.settings import PROJECT_ROOT
from tests.fixtures.ports import free_port, wait_for_port
from tests.fixtures.product import Product
from tests.web.chat_page import ChatPage
from tests.web.conftest import LAPTOP

pytestmark = pytest.mark.e2e
NGINX = os.environ.get("NGINX_PATH", "/usr/sbin/nginx")
LIVE_MS = 20_000


def local_config(product: Product, port: int, work: Path) -> str:
    """deploy/nginx.conf with its upstreams on this test's processes and its listeners on free ports."""
    config = (PROJECT_ROOT / "deploy" / "nginx.conf").read_text()
    config = re.sub(r"server gateway-\d:8000;", f"server 127.0.0.1:{product.port('gateway')};", config)
    config = re.sub(r"server rasa-\d:5005;", f"server 127.0.0.1:{product.port('rasa')};", config)
    config = re.sub(r"server actions-\d:5055;", f"server 127.0.0.1:{product.port('action')};", config)
    listens = iter([port, free_port(), free_port()])
    config = re.sub(r"listen \d+;", lambda _: f"listen 127.0.0.1:{next(listens)};", config)
    temp = "".join(f" {kind}_temp_path {work / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return config.replace("http {", f"http {{ access_log off;{temp}", 1)


@pytest.fixture(scope="module")
def balancer(product: Product) -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="nginx-") as folder:
        work = Path(folder)
        port = free_port()
        (work / "nginx.conf").write_text(local_config(product, port, work))
        process = subprocess.Popen(
            [NGINX, "-p", str(work), "-c", str(work / "nginx.conf"),
             "-g", f"daemon off; pid {work / 'nginx.pid'}; error_log {work / 'error.log'};"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        try:
            wait_for_port(port, 10)
        except TimeoutError:
            process.kill()
            raise AssertionError(process.communicate()[1].decode()) from None
        yield f"http://127.0.0.1:{port}"
        process.terminate()
        process.wait(timeout=10)


def test_a_customer_chats_through_the_balancer(browser: Browser, balancer: str) -> None:
    context = browser.new_context(viewport=LAPTOP)
    try:
        chat = ChatPage(context.new_page()).open(balancer)
        chat.say("hi there", expect_reply="")  # waits for the bot's answer, which came over socket.io via nginx
        assert chat.bot_bubbles()[0].strip()
        assert chat.errors == []
    finally:
        context.close()


def test_staff_log_in_and_go_live_through_the_balancer(browser: Browser, balancer: str) -> None:
    context = browser.new_context(viewport=LAPTOP)
    try:
        page = context.new_page()
        page.goto(balancer + "/login?next=/agent")
        page.get_by_label("User name").fill("supervisor")
        page.get_by_label("Password").fill("triage-demo")
        page.get_by_role("button", name="Log in").click()
        expect(page).to_have_url(balancer + "/agent")
        expect(page.locator("#app")).to_be_visible(timeout=LIVE_MS)
        expect(page.locator("#connection")).to_have_text("", timeout=LIVE_MS)  # the console's WebSocket is up
    finally:
        context.close()
