"""Working chats at the agent console in Chromium, as agents do: from the keyboard, with canned replies, a
disposition on hand-back, a note with a transfer, drafts that survive, and logging out that frees the customer.

Customers use the real web chat; agents log in through the console's own form. Supervisor set-up (a canned
reply) goes through the JSON API, as the supervisor's panel does (that panel has its own test).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, expect

from bot.auth.roles import Role
from simulator.scenarios import BY_KEY
from tests.fixtures.product import Product
from tests.handoff.staff import DISPOSITION, PASSWORD, Staff, http, make_staff
from tests.web.chat_page import ChatPage
from tests.web.conftest import LAPTOP
from tests.web.test_agent_console import LIVE_MS, ConsolePage, conversation_of, run

pytestmark = pytest.mark.e2e
CANNED = "Please switch the router off for 30 seconds <b>then</b> on again."


@pytest.fixture
def contexts(browser: Browser) -> Iterator[list[BrowserContext]]:
    made: list[BrowserContext] = []
    yield made
    for context in made:
        context.close()


def new_page(browser: Browser, contexts: list[BrowserContext], **options: object) -> ConsolePage:
    context = browser.new_context(viewport=LAPTOP, **options)  # type: ignore[arg-type]
    contexts.append(context)
    return ConsolePage(context.new_page())


async def add_canned(gateway_url: str, queue: str, title: str, text: str) -> None:
    supervisor = await Staff(gateway_url, "supervisor", "triage-demo").login()
    try:
        for reply in (await supervisor.get(f"/api/supervisor/canned/{queue}")).json()["replies"]:
            await supervisor.http.delete(f"/api/supervisor/canned/{queue}/{reply['id']}")
        assert (await supervisor.post(f"/api/supervisor/canned/{queue}", {"title": title, "text": text})).is_success
    finally:
        await supervisor.close()


async def staff_do(gateway_url: str, name: str, path: str, body: dict[str, object] | None = None) -> None:
    person = await Staff(gateway_url, name).login()
    try:
        response = await person.post(path, body)
        assert response.is_success, response.text
    finally:
        await person.http.aclose()


async def read_case(gateway_url: str, name: str, case_id: str) -> dict[str, Any]:
    person = await Staff(gateway_url, name).login()
    try:
        response = await person.get(f"/api/agent/cases/{case_id}")
        assert response.is_success, response.text
        return dict(response.json()["case"])
    finally:
        await person.http.aclose()


def no_sideways_scroll(console: ConsolePage) -> bool:
    return bool(console.page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"))


def test_an_agent_works_a_chat_from_the_keyboard_and_hands_back_with_a_disposition(
    customer: ChatPage, browser: Browser, contexts: list[BrowserContext], product: Product
) -> None:
    run(http("POST", f"{product.simulator_url}/admin/reset"))
    run(make_staff(product.redis_url, "nora", Role.agent, ["technical", "general"]))
    run(add_canned(product.gateway_url, "technical", "Restart router", CANNED))
    console = new_page(browser, contexts).log_in(product.gateway_url, "nora", PASSWORD)
    page = console.page
    expect(page.locator("#who")).to_contain_text("Nora (agent)")  # the agent's display name, as customers see it

    router = BY_KEY["router_fault"]
    chat = customer.open(product.gateway_url)
    chat.say("my internet isn't working", expect_reply="account")
    chat.say(router.account_id, expect_reply="postcode")
    chat.say(router.postcode, expect_reply="Did that fix it?")
    chat.say("I want to speak to a person", expect_reply="passing you to a person")
    item = console.waiting_item(conversation_of(chat))
    expect(item).to_be_visible(timeout=LIVE_MS)
    case_id = str(item.get_attribute("data-case-id"))

    # Opened, not accepted: the problem the customer came with, the evidence readable, no reply box.
    item.get_by_role("button", name="Open").click()
    view = page.locator("#case-view")
    # The confidence as the bot had it, two decimals (the linear classifier is often sure: 1.00).
    expect(view).to_contain_text(re.compile(r"Came with\s*report internet down \((0\.\d\d|1\.00)\)"), timeout=LIVE_MS)
    expect(view).to_contain_text("Last message")
    filled = "Array.from(document.querySelectorAll('#case-view dd'), (d) => d.textContent.trim())"
    assert all(value not in ("", "—") for value in page.evaluate(filled))  # a fact without a value is left out
    expect(page.locator("#case-view .evidence li").first).to_be_visible()
    assert no_sideways_scroll(console)
    page.set_viewport_size({"width": 1024, "height": 768})
    assert no_sideways_scroll(console)
    page.set_viewport_size(LAPTOP)
    expect(page.get_by_label("Your reply")).to_be_hidden()
    expect(page.locator("#composer-off")).to_have_text("Accept this case (Alt+A) to chat with the customer.")

    # Alt+A in a field does nothing; on the page it accepts, and the reply box has the focus.
    page.get_by_label("Status").focus()
    page.keyboard.press("Alt+A")
    page.wait_for_timeout(500)
    expect(page.locator("#case-status")).to_contain_text("waiting")
    page.locator("#case-title").click()
    page.keyboard.press("Alt+A")
    reply = page.get_by_label("Your reply")
    expect(reply).to_be_focused(timeout=LIVE_MS)
    expect(page.locator("#case-status")).to_contain_text("with Nora")
    expect(chat.state).to_have_text("Talking to Nora", timeout=LIVE_MS)
    expect(chat.log).to_contain_text("Nora joined")

    # "?" typed in the reply is text, not the shortcuts list. A canned reply: "/" and a filter, Enter inserts it
    # (nothing sent), the agent edits it, Enter sends it.
    reply.type("Sorry? ")
    expect(page.locator("#shortcuts")).to_be_hidden()
    reply.fill("")
    reply.type("/resta")
    picker = page.get_by_role("listbox", name="Canned replies")
    expect(picker.get_by_role("option")).to_have_text(re.compile("^Restart router"))
    reply.press("Enter")
    expect(reply).to_have_value(CANNED)
    expect(picker).to_be_hidden()
    assert page.locator("#chat-log .line--agent").count() == 0
    reply.press("End")
    reply.type(" Thanks!")
    reply.press("Enter")
    bubble = chat.log.locator(".msg--agent .msg__bubble").last
    expect(bubble).to_have_text(f"{CANNED} Thanks!", timeout=LIVE_MS)  # the markup as text
    assert chat.log.locator(".msg--agent b").count() == 0
    reply.type("/nothing like it")
    expect(picker).to_contain_text("No canned reply matches")
    reply.press("Escape")
    expect(picker).to_be_hidden()
    reply.fill("")

    # Shift+Enter is a new line; Enter sends both lines.
    reply.type("First line")
    reply.press("Shift+Enter")
    reply.type("second line")
    reply.press("Enter")
    expect(chat.log.locator(".msg--agent .msg__bubble").last).to_have_text("First line\nsecond line", timeout=LIVE_MS)

    # Handing back needs the disposition, which is recorded with the case.
    answered = chat.log.locator(".msg--bot").count()
    console.dispose("Resolved", "Network data or diagnostics", True, "Hand back to the bot")
    expect(chat.state).to_have_text("Talking to the assistant", timeout=LIVE_MS)
    chat.reply_contains("what else can I check", after=answered)
    expect(page.get_by_label("Your reply")).to_be_hidden(timeout=LIVE_MS)
    case = run_result(read_case(product.gateway_url, "nora", case_id))
    assert case["status"] == "handed_back"
    assert case["disposition"] == {**case["disposition"], "resolution": "resolved", "root_cause": "oss_data",
                                   "bot_could_handle": True, "handed_back": True, "by": "nora"}  # fmt: skip
    assert console.errors == [] and console.dialogs == [] and customer.dialogs == []


def run_result(coroutine: object) -> dict[str, Any]:
    found: list[dict[str, Any]] = []

    async def keep() -> None:
        found.append(await coroutine)  # type: ignore[misc]

    run(keep())
    return found[0]


def test_a_transfer_note_reaches_the_next_agent_typed_text_is_kept_and_logging_out_frees_the_customer(
    customer: ChatPage, browser: Browser, contexts: list[BrowserContext], product: Product
) -> None:
    run(make_staff(product.redis_url, "olga", Role.agent, ["general"]))
    run(make_staff(product.redis_url, "pia", Role.agent, ["billing"]))
    olga = new_page(browser, contexts).log_in(product.gateway_url, "olga", PASSWORD)
    pia = new_page(browser, contexts).log_in(product.gateway_url, "pia", PASSWORD)

    chat = customer.open(product.gateway_url)
    chat.say("I want to talk to a person", expect_reply="passing you to a person")
    conversation = conversation_of(chat)
    olga.waiting_item(conversation).get_by_role("button", name="Accept").click()
    reply = olga.page.get_by_label("Your reply")
    expect(reply).to_be_focused(timeout=LIVE_MS)
    reply.type("Half a thought, not sent")

    # Transferred with a note: the customer is told by name; the unsent text stays with the case.
    note = "Wants a refund of £12.50 <script>alert(1)</script> — check the March bill"
    olga.page.get_by_label("Transfer to").select_option("billing")
    olga.page.get_by_label("Note for the next agent (optional)").fill(note)
    expect(olga.page.locator("#transfer-note-count")).to_have_text(f"{len(note)}/1000")
    olga.page.get_by_role("button", name="Transfer").click()
    expect(chat.log).to_contain_text("Olga passed you to our billing team", timeout=LIVE_MS)
    told = "Transferred to billing, with your note. Your unsent text: “Half a thought, not sent”"
    expect(olga.page.locator("#notice")).to_have_text(told, timeout=LIVE_MS)
    expect(olga.page.locator("#case")).to_be_hidden()  # a queue Olga does not serve: the case has left her
    expect(olga.waiting_item(conversation)).to_have_count(0)

    # The receiving agent sees the note first thing, as text.
    item = pia.waiting_item(conversation)
    expect(item).to_be_visible(timeout=LIVE_MS)
    item.get_by_role("button", name="Open").click()
    banner = pia.page.get_by_role("note")
    expect(banner).to_contain_text("Transfer note from Olga (general → billing):", timeout=LIVE_MS)
    expect(banner).to_contain_text(note)
    pia.page.locator("#case").get_by_role("button", name="Accept").click()
    expect(pia.page.get_by_label("Your reply")).to_be_focused(timeout=LIVE_MS)
    expect(chat.state).to_have_text("Talking to Pia", timeout=LIVE_MS)
    expect(chat.log).to_contain_text("Pia joined")

    # Text typed is kept across opening another case and reloading the page.
    pia.page.get_by_label("Your reply").type("Let me look at the bill")
    pia.page.reload()
    expect(pia.page.locator("#app")).to_be_visible(timeout=LIVE_MS)
    pia.page.locator(f'#mine .case-item[data-conversation-id="{conversation}"]').get_by_role(
        "button", name="Open"
    ).click()
    expect(pia.page.get_by_label("Your reply")).to_have_value("Let me look at the bill", timeout=LIVE_MS)

    # Logging out gives the chat back at once: the customer is told within seconds, not after ~50 s.
    pia.page.get_by_role("button", name="Log out").click()
    expect(pia.page.get_by_role("heading", name="Log in")).to_be_visible(timeout=LIVE_MS)
    expect(chat.log).to_contain_text("Pia had to leave: you're back in the queue", timeout=5_000)
    expect(chat.state).to_contain_text("Waiting for an agent", timeout=5_000)
    assert (
        olga.errors == [] and pia.errors == [] and olga.dialogs == [] and pia.dialogs == [] and customer.dialogs == []
    )


def test_waits_tick_someone_elses_accept_is_said_once_and_shortcuts_move_between_cases(
    customer: ChatPage, browser: Browser, contexts: list[BrowserContext], product: Product
) -> None:
    run(make_staff(product.redis_url, "quinn", Role.agent, ["general"]))
    run(make_staff(product.redis_url, "rex", Role.agent, ["general"]))
    quinn = new_page(browser, contexts).log_in(product.gateway_url, "quinn", PASSWORD)
    page = quinn.page
    first = customer.open(product.gateway_url)
    first.say("I want to talk to a person", expect_reply="passing you to a person")
    second = ChatPage(browser.new_context(viewport=LAPTOP).new_page())
    contexts.append(second.page.context)
    second.open(product.gateway_url).say("can I speak to an agent", expect_reply="passing you to a person")
    one, two = quinn.waiting_item(conversation_of(first)), quinn.waiting_item(conversation_of(second))
    expect(two).to_be_visible(timeout=LIVE_MS)

    # The waiting time counts up by itself, with nothing new arriving.
    wait = one.locator(".case-item__wait")
    before = wait.inner_text()
    page.wait_for_timeout(2_200)
    assert wait.inner_text() != before and re.fullmatch(r"waiting \d+ (s|min)", wait.inner_text()), before

    # "?" shows the shortcuts, Esc hides them; so do the buttons.
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    expect(page.get_by_role("dialog")).to_contain_text("Open the next case")
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()
    page.get_by_role("button", name="Shortcuts (?)").click()
    expect(page.get_by_role("dialog")).to_be_visible()
    page.get_by_role("button", name="Close").click()
    expect(page.get_by_role("dialog")).to_be_hidden()

    # Alt+N opens the cases in turn.
    page.keyboard.press("Alt+N")
    expect(page.locator("#waiting .case-item--active")).to_have_count(1, timeout=LIVE_MS)
    opened = page.locator("#waiting .case-item--active").get_attribute("data-case-id")
    page.keyboard.press("Alt+J")
    expect(page.locator("#waiting .case-item--active")).not_to_have_attribute("data-case-id", str(opened))

    # Someone else accepts the case Quinn reads: said by name, then gone; the reply box never appears.
    one.get_by_role("button", name="Open").click()
    expect(page.locator("#case-view")).to_contain_text("Why the bot handed over", timeout=LIVE_MS)
    expect(page.locator("#case-view")).not_to_contain_text("Because")  # no priority reasons: no "Because —"
    case_id = str(one.get_attribute("data-case-id"))
    run(staff_do(product.gateway_url, "rex", f"/api/agent/cases/{case_id}/accept"))
    expect(page.locator("#notice")).to_have_text("Rex accepted the case you are reading.", timeout=LIVE_MS)
    expect(page.locator("#composer-off")).to_have_text("Rex is chatting with this customer.")
    expect(page.get_by_label("Your reply")).to_be_hidden()
    expect(page.locator("#notice")).to_have_text("", timeout=12_000)
    run(staff_do(product.gateway_url, "rex", f"/api/agent/cases/{case_id}/hand-back", DISPOSITION))

    # Alt+A on the open waiting case accepts it (other tests may have left older cases waiting).
    two.get_by_role("button", name="Open").click()
    expect(page.locator("#case-accept")).to_be_visible(timeout=LIVE_MS)
    page.locator("#case-title").click()
    page.keyboard.press("Alt+A")
    expect(page.get_by_label("Your reply")).to_be_focused(timeout=LIVE_MS)
    expect(second.state).to_have_text("Talking to Quinn", timeout=LIVE_MS)
    page.keyboard.press("Escape")  # leaves the reply box: the page's shortcuts work again
    expect(page.get_by_label("Your reply")).not_to_be_focused()
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    assert quinn.errors == [] and quinn.dialogs == []
