"""The customer's web chat page in headless Chromium, driven the way a person uses it."""

from __future__ import annotations

import re
import time

from playwright.sync_api import Dialog, Locator, Page, expect

REPLY_TIMEOUT_MS = 90_000  # a first reply may wait for Rasa and a live OSS/BSS lookup


class WatchedPage:
    """A page whose alert dialogs (an injected script would open one) and script errors are collected."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", self._dialog)
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()


class ChatPage(WatchedPage):
    def open(self, gateway_url: str) -> ChatPage:
        self.page.goto(gateway_url + "/")
        self.connected()
        return self

    def connected(self) -> None:
        expect(self.page.locator("#connection")).to_be_hidden(timeout=30_000)

    @property
    def log(self) -> Locator:
        return self.page.locator("#log")

    @property
    def state(self) -> Locator:
        return self.page.locator("#state")

    def customer_bubbles(self) -> list[str]:
        return self.log.locator(".msg--customer .msg__bubble").all_inner_texts()

    def bot_bubbles(self) -> list[str]:
        return self.log.locator(".msg--bot .msg__bubble").all_inner_texts()

    def type(self, text: str) -> None:
        """Type into the message box and press Enter, as a person does."""
        box = self.page.get_by_label("Your message")
        box.click()
        box.fill(text)
        box.press("Enter")

    def say(self, text: str, expect_reply: str) -> None:
        replies = self.log.locator(".msg--bot").count()
        self.type(text)
        self.reply_contains(expect_reply, after=replies)

    def reply_contains(self, text: str, after: int = 0) -> None:
        """Wait until one of the bot's messages after the first ``after`` contains ``text``."""
        expect(self.log.locator(".msg--bot").nth(after)).to_be_visible(timeout=REPLY_TIMEOUT_MS)
        deadline = time.monotonic() + REPLY_TIMEOUT_MS / 1000
        while not any(text in bubble for bubble in self.bot_bubbles()[after:]):
            assert time.monotonic() < deadline, f"no reply with {text!r}: {self.texts_in_order()}"
            self.page.wait_for_timeout(100)

    def choose(self, title: str) -> None:
        self.log.locator(".msg").last.get_by_role("button", name=title).click()

    def texts_in_order(self) -> list[str]:
        return [re.sub(r"\s+", " ", t).strip() for t in self.log.locator(".msg .msg__bubble").all_inner_texts()]
