"""The themes of the insights dashboard in Chromium, as a product owner uses them.

The real gateway (``python -m bot``) runs on a free loopback port over the session's throwaway Redis, seeded with
conversations as the broker writes them. A product owner logs in through /login, reads the themes (a customer's
sentence as each title, key terms, how old the themes are, what they cover), refreshes them, opens a theme, puts
it on the backlog and downloads its NLU training candidates. An agent is refused. No test sets a header or a
cookie: the browser does, as it would for a person.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from redis.asyncio import Redis

from bot.insights.state import start_insights
from core.settings import PROJECT_ROOT, Settings
from learning.consumer import Consumer
from tests.auth.conftest import DEMO_PASSWORD, clear_auth
from tests.fixtures.ports import free_port, wait_for_port
from tests.fixtures.redis_server import RedisServer
from tests.insights.conftest import SECRET, Seeder
from tests.insights.test_themes import ESIM, ROAMING, seed_world
from tests.learning.conftest import clear_learning
from tests.web.conftest import LAPTOP

pytestmark = pytest.mark.e2e
WAIT_MS = 60_000
"""The first theme mining starts the gateway's worker process and loads the word vectors."""


async def _seed(redis_url: str) -> None:
    redis: Redis = Redis.from_url(redis_url)
    try:
        await clear_learning(redis)
        await clear_auth(redis)
        from pydantic import SecretStr

        settings = Settings(learning_pseudonym_secret=SecretStr(SECRET), redis_url=redis_url)
        state = await start_insights(settings, redis, in_process=True)
        consumer = Consumer(state.store, 0.6, 3600.0)
        await consumer.ensure_group()
        seeder = Seeder(redis, consumer)
        await seed_world(seeder)
        await seeder.conversation(["my name is <NAME> and my esim won't activate"], customer="CUST-60")
    finally:
        await redis.aclose()


@pytest.fixture
def gateway(redis_server: RedisServer, tmp_path: Path) -> Iterator[str]:
    """A seeded store and the real gateway over it; its address."""
    with ThreadPoolExecutor(1) as thread:  # Playwright's sync API owns this thread's event loop
        thread.submit(asyncio.run, _seed(redis_server.url)).result(timeout=120)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRIAGE_") and k != "REDIS_URL"}
    env.update(
        TRIAGE_ENV="development",
        TRIAGE_GATEWAY_PORT=str(port),
        TRIAGE_RASA_PORT=str(free_port()),
        TRIAGE_REDIS_URL=redis_server.url,
        TRIAGE_VAR_DIR=str(tmp_path),
        TRIAGE_LEARNING_PSEUDONYM_SECRET=SECRET,
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "bot"], cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        wait_for_port(port, timeout_s=90)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=LAPTOP, accept_downloads=True)
    yield context
    context.close()


def log_in(page: Page, url: str, name: str) -> None:
    page.goto(url)
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()


def theme_titles(page: Page) -> list[str]:
    return [text.strip("“”") for text in page.locator("tr.theme td:first-child a").all_inner_texts()]


def test_a_product_owner_reads_refreshes_opens_and_promotes_a_theme(gateway: str, context: BrowserContext) -> None:
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, gateway + "/insights", "product_owner")
    expect(page).to_have_url(re.compile(r"/insights$"), timeout=WAIT_MS)
    expect(page.get_by_role("heading", name="Themes")).to_be_visible()
    expect(page.locator("#themes-age")).to_contain_text("Themes mined just now")
    expect(page.locator("#themes-coverage")).to_have_text(
        "All 25 records of this window are covered: 16 in the 2 themes below; 9 in 2 smaller themes, hidden: "
        "fewer than 3 distinct customers each."
    )
    titles = theme_titles(page)
    [esim_title] = [t for t in titles if t in ESIM]
    [_] = [t for t in titles if t in ROAMING]
    esim_row = page.locator("tr.theme", has_text=esim_title)
    expect(esim_row.locator(".terms")).to_contain_text("esim")
    expect(esim_row).to_contain_text("● new")
    before = page.locator("tr.theme td:first-child a").first.get_attribute("href")

    page.get_by_role("button", name="Refresh themes").click()
    expect(page).to_have_url(re.compile(r"/insights\?from="), timeout=WAIT_MS)
    expect(page.locator("#themes-age")).to_contain_text("Themes mined just now")
    assert sorted(theme_titles(page)) == sorted(titles), "the same records give the same themes"
    after = page.locator("tr.theme td:first-child a").first.get_attribute("href")
    assert after != before, "refreshed themes get new ids"

    page.locator("tr.theme td:first-child a", has_text=esim_title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^“.*esim.*”$"))
    expect(page.locator(".terms")).to_contain_text("Key terms: esim")
    expect(page.locator("main")).to_contain_text("5 customers")
    expect(page.locator(".card b", has_text="customer").first).to_be_visible()

    with page.expect_download() as download:
        page.get_by_role("link", name="NLU training candidates").click()
    candidates = Path(download.value.path()).read_text(encoding="utf-8")
    assert "- intent: activation_problem\n  examples: |\n    - my new esim won't activate\n" in candidates
    assert re.search(r"# new intent\? theme T\d+: .*\n- intent: new_intent_T\d+\n", candidates), "the others"
    assert "<NAME>" not in candidates and "1 phrase left out" in candidates

    page.get_by_role("link", name="all themes then").click()
    expect(page).to_have_url(re.compile(r"/insights\?from="))
    expect(page.locator("tr.theme")).to_have_count(2)
    page.go_back()
    page.get_by_label("Backlog title").fill("Fix eSIM activation <b>now</b>")
    page.get_by_label("Owner").select_option("bot")
    page.get_by_role("button", name="To backlog").click()
    expect(page).to_have_url(re.compile(r"/insights/backlog\?saved=BL-\d+$"))
    expect(page.locator("main")).to_contain_text("Fix eSIM activation <b>now</b>")
    assert errors == []


def test_from_the_overview_all_candidates_and_a_theme_to_the_backlog(gateway: str, context: BrowserContext) -> None:
    page = context.new_page()
    log_in(page, gateway + "/insights", "product_owner")
    expect(page.get_by_role("heading", name="Themes")).to_be_visible(timeout=WAIT_MS)
    with page.expect_download() as download:
        page.get_by_role("link", name="NLU training candidates").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert text.startswith('version: "3.1"') and "why was I charged for roaming in spain" in text
    assert not re.search(r"<[A-Z]+>", text)

    row = page.locator("tr.theme").filter(has_text="roaming")
    title = row.get_by_label("Backlog title").input_value()
    assert title in ROAMING, "the theme's sentence is offered as the item's title"
    row.get_by_label("Owner").select_option("bss")
    row.get_by_role("button", name="To backlog").click()
    expect(page).to_have_url(re.compile(r"/insights/backlog\?saved=BL-\d+$"))
    expect(page.locator("main table")).to_contain_text(title)
    expect(page.locator("main table")).to_contain_text("3 contacts, 2 escalated")


def test_an_agent_sees_no_themes_and_cannot_refresh_them(gateway: str, context: BrowserContext) -> None:
    page = context.new_page()
    log_in(page, gateway + "/insights", "agent")
    expect(page.get_by_role("heading", name="Not for your role")).to_be_visible(timeout=WAIT_MS)
    refused = context.request.post(gateway + "/insights/themes/refresh", form={"back": ""})
    assert refused.status == 403 and "Refresh themes" not in refused.text()


def test_after_a_refresh_old_theme_links_explain_themselves_and_backlog_notes_stay(
    gateway: str, context: BrowserContext
) -> None:
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, gateway + "/insights", "product_owner")
    expect(page.get_by_role("heading", name="Themes")).to_be_visible(timeout=WAIT_MS)
    esim = page.locator("tr.theme td:first-child a").filter(has_text="esim")
    esim.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("esim"))
    expect(page.locator("main")).not_to_contain_text("None")
    old_theme = page.url

    # To the backlog: a confirmation, a link to the theme, and a note that is shown with who wrote it and when.
    page.get_by_role("button", name="To backlog").click()
    expect(page.get_by_role("status")).to_have_text(re.compile(r"^BL-\d+ saved\.$"))
    item = (page.get_by_role("status").inner_text()).split()[0]
    page.get_by_label(f"Note on {item}").fill("Ask the eSIM vendor <today>")
    page.get_by_label(f"Status of {item}").select_option("in_progress")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text(f"{item} saved.")
    history = page.locator(f"tr#{item} ul.history")
    expect(history).to_contain_text(
        re.compile(r"product_owner, \d{4}-\d\d-\d\d \d\d:\d\d UTC: status open → in_progress")
    )
    expect(history).to_contain_text("“Ask the eSIM vendor <today>”")

    # Another tab still shows the theme while the themes are refreshed here.
    other = context.new_page()
    other.goto(old_theme)
    expect(other.get_by_role("link", name="NLU training candidates")).to_be_visible()
    page.get_by_role("link", name="Unresolved contacts").click()
    page.get_by_role("button", name="Refresh themes").click()
    expect(page.locator("#themes-age")).to_contain_text("Themes mined just now", timeout=WAIT_MS)

    # Its NLU link now leads to a page saying what happened, not to a JSON error; from there to the current theme.
    other.get_by_role("link", name="NLU training candidates").click()
    expect(other.locator(".stale")).to_contain_text(
        re.compile(r"These themes were re-mined just now; theme T\d+ is now part of “.*esim.*” \(T\d+\)\.")
    )
    expect(other.locator("body")).not_to_contain_text("theme_not_found")
    expect(other.locator("ul.current-themes li")).to_have_count(2)
    other.locator(".stale a").click()
    expect(other.get_by_role("heading", level=1)).to_have_text(re.compile("esim"))
    with other.expect_download() as download:
        other.get_by_role("link", name="NLU training candidates").click()
    assert "new_intent_T" in Path(download.value.path()).read_text(encoding="utf-8")

    # A bookmark of the old theme says so too; the backlog item says its theme is gone and links to that page.
    page.goto(old_theme)
    expect(page.locator(".stale")).to_contain_text("These themes were re-mined just now")
    page.get_by_role("link", name="Backlog").click()
    row = page.locator(f"tr#{item}")
    expect(row.locator(".theme-link")).to_contain_text("no longer current: the themes were re-mined since")
    expect(history).to_contain_text("Ask the eSIM vendor")
    row.locator(".theme-link a").click()
    expect(page.locator(".stale")).to_contain_text("is now part of")
    assert errors == []
