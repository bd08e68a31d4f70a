"""One headless Chromium for the browser tests (Debian's, driven by Playwright), a fresh context per test.

The browser lives as long as the browser-test module: Playwright's sync API keeps an event loop running in
the main thread, and the asynchronous tests that run after it need that thread back.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, ViewportSize, sync_playwright

from tests.web.chat_page import ChatPage

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LAPTOP: ViewportSize = {"width": 1280, "height": 800}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def customer(browser: Browser) -> Iterator[ChatPage]:
    """A person on a laptop with an empty browser profile (no conversation kept yet)."""
    context = browser.new_context(viewport=LAPTOP)
    chat = ChatPage(context.new_page())
    yield chat
    context.close()
    assert chat.errors == [], "the page threw"
