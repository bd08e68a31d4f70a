"""What a newcomer found on the agent console and the supervisor's page, each as the person there sees it.

In Chromium, logged in through each page's own form: an agent working a chat (a lookup that fails after one that
found the customer, a note, a ticket, a transfer and the chat accepted again) sees people's names, whole words and
times in the case's tables at 1280 and 1024 pixels, only the successful lookup (with its time) when the case is
shown again, each OSS/BSS call of the lookup once, and an empty ticket form after a ticket is saved. The agent
whose chat a supervisor moves is told who did what in names ("Sam took over this chat"). A product owner at the
console is told it is not for their role and can log out. The supervisor's figures say "1 answer".
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect

from bot.auth.roles import Role
from simulator.scenarios import BY_KEY
from tests.fixtures.product import Product
from tests.handoff.staff import PASSWORD, make_staff
from tests.web.chat_page import ChatPage, WatchedPage
from tests.web.conftest import LAPTOP
from tests.web.test_agent_console import ConsolePage, conversation_of, run

pytestmark = pytest.mark.e2e
LIVE_MS = 15_000
DEMO_PASSWORD = "triage-demo"
PRIYA = BY_KEY["router_fault"]  # Priya Patel, AC10000003, BS1 5TR: the bot hands her over
TOM = BY_KEY["access_line_fault"]  # Tom Bradley, AC10000002: looked up by the agent
SMALL_LAPTOP: ViewportSize = {"width": 1024, "height": 768}

# Per cell of the case's Notes and Tickets tables whose words must stay whole (times, names, ticket ids): how
# many line boxes its longest word spans. A word broken across lines ("age/nt", "06:24:1/4") spans two.
WORD_LINES = """() => Array.from(document.querySelectorAll("#case-view td.cell--time, #case-view td.cell--whole"),
(td) => {
  const text = td.textContent;
  const node = td.firstChild;
  let most = 0;
  for (const match of text.matchAll(/\\S+/g)) {
    const range = document.createRange();
    range.setStart(node, match.index);
    range.setEnd(node, match.index + match[0].length);
    const tops = new Set(Array.from(range.getClientRects(), (r) => Math.round(r.top)));
    most = Math.max(most, tops.size);
  }
  return [text, most];
})"""


@pytest.fixture
def contexts(browser: Browser) -> Iterator[list[BrowserContext]]:
    made: list[BrowserContext] = []
    yield made
    for context in made:
        context.close()


def new_page(browser: Browser, contexts: list[BrowserContext]) -> Page:
    context = browser.new_context(viewport=LAPTOP)
    contexts.append(context)
    return context.new_page()


def look_up(page: Page, by: str, ref: str) -> None:
    page.get_by_label("Look up customer by").select_option(label=by)
    page.get_by_label("Account or phone number to look up").fill(ref)
    page.locator("#lookup").get_by_role("button", name="Look up").click()


def supervisor_page(page: Page, gateway_url: str) -> Page:
    page.goto(gateway_url + "/supervisor")
    page.get_by_label("User name").fill("supervisor")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name=re.compile("^Live"))).to_be_visible(timeout=LIVE_MS)
    return page


def assert_words_whole(page: Page) -> None:
    cells = page.evaluate(WORD_LINES)
    assert cells, "no times or names in the case's tables"
    assert all(lines == 1 for _, lines in cells), cells


def test_an_agent_works_a_chat_and_sees_names_whole_words_and_only_what_is_still_true(
    browser: Browser, contexts: list[BrowserContext], product: Product
) -> None:
    run(make_staff(product.redis_url, "dana", Role.agent, ["general", "technical"]))
    console = ConsolePage(new_page(browser, contexts)).log_in(product.gateway_url, "dana", PASSWORD)
    page = console.page
    # Priya's router fault: the bot identifies her, tests the line, and hands her over when the home fix fails.
    chat = ChatPage(new_page(browser, contexts)).open(product.gateway_url)
    chat.say("my internet is down", expect_reply="account number")
    chat.say(PRIYA.account_id, expect_reply="postcode")
    chat.say(PRIYA.postcode, expect_reply="Did that fix it?")
    answered = chat.log.locator(".msg--bot").count()
    chat.choose("No, still broken")
    chat.reply_contains("passing you to a person", after=answered)
    conversation = conversation_of(chat)
    console.waiting_item(conversation).get_by_role("button", name="Accept").click()
    view = page.locator("#case-view")
    expect(view).to_contain_text("Why the bot handed over", timeout=LIVE_MS)
    error, result = page.locator("#lookup-error"), page.locator("#lookup-result")

    # A lookup (of the account holder the caller names) that finds the customer, labelled with its time; its
    # calls are in the case once each, and nowhere else.
    look_up(page, "Account number", TOM.account_id)
    expect(result).to_contain_text(TOM.name, timeout=LIVE_MS)
    expect(result).to_contain_text(re.compile(r"Looked up at \d"))
    run_box = view.locator(".diff", has_text=f"Customer lookup by account {TOM.account_id}")
    expect(run_box).to_have_count(1, timeout=LIVE_MS)
    expect(run_box.locator(".evidence__op", has_text=f"find_customer {TOM.account_id}")).to_have_count(1)
    expect(run_box.locator(".evidence__op", has_text=f"list_services {TOM.customer_id}")).to_have_count(1)
    assert view.locator(".evidence__op", has_text=f"list_services {TOM.customer_id}").count() == 1

    # Then a phone lookup that finds nobody: said at once.
    look_up(page, "Phone number", "07700 800123")
    expect(error).to_have_text("No customer has the phone number +447700800123.", timeout=LIVE_MS)

    # A ticket: saved, the form is emptied (no second save of the same text); a refused one keeps its text.
    page.locator("#ticket-text").fill("Router not reachable after restart")
    page.get_by_role("button", name="Save ticket").click()
    expect(page.locator("#notice")).to_have_text(re.compile(r"^Ticket TT-\d+ created\.$"), timeout=LIVE_MS)
    expect(page.locator("#ticket-text")).to_have_value("")
    page.locator("#ticket-action").select_option("update")
    page.locator("#ticket-text").fill("Engineer booked")
    page.get_by_role("button", name="Save ticket").click()
    expect(page.locator("#notice")).to_contain_text("Which ticket? Type its id (like TT-100024)", timeout=LIVE_MS)
    expect(page.locator("#ticket-text")).to_have_value("Engineer booked")
    page.locator("#ticket-action").select_option("create")

    # A note by the agent, then a transfer with a note: both say "Dana", never the login.
    page.locator("#note").fill("Customer says emergency calls only at home.")
    page.get_by_role("button", name="Add note").click()
    notes = view.locator("table", has=page.locator("th", has_text="Note"))
    expect(notes.locator("tr", has_text="emergency calls only")).to_contain_text("Dana", timeout=LIVE_MS)
    tickets = view.locator("table", has=page.locator("th", has_text="Ticket"))
    expect(tickets.locator("tr", has_text="created")).to_contain_text("Dana")
    page.get_by_role("button", name="Transfer").click()  # no queue chosen yet: nothing moves, the agent is told
    expect(page.locator("#notice")).to_have_text("Choose the queue to transfer this chat to.")
    current_queue = page.locator("#case-status").inner_text().split(" · ")[1]
    options = page.locator("#transfer-queue option")
    disabled = [options.nth(i).inner_text() for i in range(options.count()) if options.nth(i).is_disabled()]
    assert disabled == [current_queue], "only the queue the chat is in cannot be chosen"
    page.get_by_label("Transfer to").select_option("general")
    page.get_by_label("Note for the next agent (optional)").fill("Please check the account holder.")
    page.get_by_role("button", name="Transfer").click()
    expect(page.locator("#case-status")).to_contain_text("general", timeout=LIVE_MS)

    # Accepted again: the old error is gone, the customer found is still shown with the time of the lookup.
    page.locator("#case-accept").click()
    expect(page.locator("#case-status")).to_contain_text("with Dana", timeout=LIVE_MS)
    expect(page.locator("#lookup")).to_be_visible(timeout=LIVE_MS)
    expect(error).to_be_hidden()
    expect(error).to_have_text("")
    expect(result).to_contain_text(TOM.name)
    expect(result).to_contain_text(re.compile(r"Looked up at \d"))
    expect(page.locator("#transfer-note-shown")).to_contain_text("Transfer note from Dana (technical → general)")
    for row in notes.locator("tr").all()[1:]:
        expect(row.locator("td").nth(1)).to_have_text("Dana")

    # Names and times are never broken inside a word, on a laptop and on a smaller screen.
    assert_words_whole(page)
    page.set_viewport_size(SMALL_LAPTOP)
    page.wait_for_timeout(300)
    assert_words_whole(page)
    page.set_viewport_size(LAPTOP)

    # The chat ends, the customer rates it: the supervisor's figures say "1 answer", not "1 answers".
    console.dispose("Resolved", "Customer-specific", False, "End chat")
    card = chat.page.get_by_role("form", name="How did we do?")
    expect(card).to_be_visible(timeout=LIVE_MS)
    card.get_by_text("Good", exact=True).click()
    card.get_by_role("button", name="Send feedback").click()
    expect(chat.page.locator(".survey__thanks-text")).to_contain_text("4 out of 5", timeout=LIVE_MS)
    sup = supervisor_page(new_page(browser, contexts), product.gateway_url)
    row = sup.locator("#by-agent tr", has_text="Dana (dana)")
    expect(row).to_contain_text("4.00 of 5 · 1 answer · 100% 4-5", timeout=LIVE_MS)
    assert console.errors == [] and console.dialogs == [] and chat.errors == []


def test_the_agent_is_told_in_names_what_a_supervisor_did_to_their_chat(
    browser: Browser, contexts: list[BrowserContext], product: Product
) -> None:
    run(make_staff(product.redis_url, "dora", Role.agent, ["general"]))
    run(make_staff(product.redis_url, "kip", Role.agent, ["general"]))
    dora = ConsolePage(new_page(browser, contexts)).log_in(product.gateway_url, "dora", PASSWORD)
    ConsolePage(new_page(browser, contexts)).log_in(product.gateway_url, "kip", PASSWORD)
    chat = ChatPage(new_page(browser, contexts)).open(product.gateway_url)
    chat.say("I want to talk to a person", expect_reply="passing you to a person")
    conversation = conversation_of(chat)
    dora.waiting_item(conversation).get_by_role("button", name="Accept").click()
    expect(chat.state).to_have_text("Talking to Dora", timeout=LIVE_MS)
    notice = dora.page.locator("#notice")
    mine = dora.page.locator(f'#mine .case-item[data-conversation-id="{conversation}"]')

    sup = supervisor_page(new_page(browser, contexts), product.gateway_url)

    def held_by(agent: str) -> None:
        held = sup.locator(f'#held [data-agent="{agent}"] .held__chat[data-conversation-id="{conversation}"]')
        expect(held).to_be_visible(timeout=LIVE_MS)
        held.get_by_role("button", name="Open").click()
        expect(sup.locator("#chat-status")).to_contain_text(f"({agent})", timeout=LIVE_MS)

    def reassign(to_agent: str = "", to_queue: str = "") -> None:
        expect(sup.locator("#move-form")).to_be_visible(timeout=LIVE_MS)
        if to_agent:
            expect(sup.locator("#move-agent")).to_contain_text(f"({to_agent})", timeout=LIVE_MS)
            sup.get_by_label("To agent").select_option(to_agent)
        else:
            sup.get_by_label("or to queue").select_option(to_queue)
        sup.get_by_role("button", name="Reassign").click()
        expect(sup.locator("#move-result")).to_contain_text("Reassigned to", timeout=LIVE_MS)

    # Reassigned to another agent.
    held_by("dora")
    reassign(to_agent="kip")
    expect(notice).to_have_text("Sam reassigned this chat to Kip.", timeout=LIVE_MS)
    expect(dora.page.locator("#case-view")).to_contain_text("Supervisor Sam (supervisor) reassigned the chat")
    expect(dora.page.locator("#case-view table tr", has_text="reassigned the chat").locator("td").nth(1)).to_have_text(
        "Sam"
    )

    # Back with Dora, then taken over by the supervisor.
    reassign(to_agent="dora")
    expect(mine).to_be_visible(timeout=LIVE_MS)
    mine.get_by_role("button", name="Open").click()
    expect(dora.page.get_by_label("Your reply")).to_be_visible(timeout=LIVE_MS)
    sup.get_by_role("button", name="Take over").click()
    expect(sup.locator("#move-result")).to_contain_text("You hold this chat now", timeout=LIVE_MS)
    expect(notice).to_have_text("Sam took over this chat.", timeout=LIVE_MS)
    expect(dora.page.locator("#composer-off")).to_contain_text("Sam is chatting with this customer", timeout=LIVE_MS)

    # Back with Dora again, then moved to the technical queue (which she does not serve).
    reassign(to_agent="dora")
    expect(mine).to_be_visible(timeout=LIVE_MS)
    mine.get_by_role("button", name="Open").click()
    expect(dora.page.get_by_label("Your reply")).to_be_visible(timeout=LIVE_MS)
    reassign(to_queue="technical")
    expect(notice).to_have_text("Sam moved this chat to the technical queue.", timeout=LIVE_MS)
    expect(mine).to_have_count(0, timeout=LIVE_MS)
    assert "supervisor reassigned" not in dora.page.content()
    assert dora.errors == [] and dora.dialogs == []


def test_a_product_owner_at_the_console_is_told_it_is_not_for_their_role_and_can_log_out(
    browser: Browser, contexts: list[BrowserContext], product: Product
) -> None:
    watched = WatchedPage(new_page(browser, contexts))
    page = watched.page
    page.goto(product.gateway_url + "/agent")
    page.get_by_label("User name").fill("product_owner")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Not for your role")).to_be_visible(timeout=LIVE_MS)
    expect(page.locator("#refused-text")).to_contain_text("(product owner)")
    expect(page.get_by_role("link", name="Go to the insights dashboard")).to_have_attribute("href", "/insights")
    expect(page.get_by_role("heading", name="Log in")).to_be_hidden()
    expect(page.locator("#login-error")).to_have_text("")
    expect(page.locator("#app")).to_be_hidden()
    page.reload()  # still logged in, still refused
    expect(page.get_by_role("heading", name="Not for your role")).to_be_visible(timeout=LIVE_MS)

    page.locator("#refused").get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible(timeout=LIVE_MS)
    expect(page.get_by_role("heading", name="Not for your role")).to_be_hidden()
    page.reload()  # the session ended on the server
    expect(page.get_by_role("heading", name="Log in")).to_be_visible(timeout=LIVE_MS)
    expect(page.get_by_role("heading", name="Not for your role")).to_be_hidden()
    assert watched.errors == [] and watched.dialogs == []
