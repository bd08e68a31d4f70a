"""The product owner's insights pages in Chromium: log in through /login, use every preset, form and link of
the overview and the outcomes page, read a conversation, log out; an agent is refused.

The gateway is the real app (``create_app``) served on loopback over the session's throwaway Redis; no Rasa
is needed to read insights. No test here sets a header or a cookie: the browser decides what it sends.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect
from pydantic import SecretStr
from redis.asyncio import Redis

from bot.app import create_app
from bot.insights import start_insights
from bot.insights.conversations import DispositionIn, RootCause, record_disposition
from bot.insights.filters import iso
from core.settings import Settings
from learning import keys
from learning.consumer import Consumer
from tests.auth.conftest import clear_auth
from tests.fixtures.ports import free_port, wait_for_port
from tests.fixtures.redis_server import RedisServer
from tests.insights.conftest import SECRET, Seeder
from tests.insights.test_outcomes import DAY, World
from tests.learning.conftest import clear_learning
from tests.web.conftest import LAPTOP

PASSWORD = "triage-demo"
LIVE_MS = 30_000


def run(coroutine: Any) -> Any:
    with ThreadPoolExecutor(1) as thread:  # Playwright's sync API runs its own event loop in this thread
        return thread.submit(asyncio.run, coroutine).result(timeout=120)


@dataclass
class Gateway:
    url: str
    t0: float


async def _seed(settings: Settings) -> float:
    redis: Redis = Redis.from_url(settings.effective_redis_url)
    try:
        await clear_learning(redis)
        await clear_auth(redis)
        state = await start_insights(settings, redis, in_process=True)
        consumer = Consumer(state.store, 0.6, settings.learning_abandon_after_s)
        await consumer.ensure_group()
        world = World(Seeder(redis, consumer), state)
        await world.build()
        return world.t0
    finally:
        await redis.aclose()


@pytest.fixture(scope="module")
def gateway(redis_server: RedisServer) -> Iterator[Gateway]:
    """The known world of ``tests/insights/test_outcomes.py`` and a gateway serving it."""
    port = free_port()
    settings = Settings(
        redis_url=redis_server.url,
        gateway_port=port,
        rasa_url=f"http://127.0.0.1:{free_port()}",
        learning_pseudonym_secret=SecretStr(SECRET),
        learning_k_min_customers=3,
        accounts_demo_password=SecretStr(PASSWORD),
    )
    t0 = run(_seed(settings))
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning", ws="none")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_for_port(port, 30)
    yield Gateway(f"http://127.0.0.1:{port}", t0)
    server.should_exit = True
    thread.join(timeout=15)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == [], "the page threw"


def log_in(page: Page, gateway: Gateway, path: str, name: str) -> None:
    page.goto(gateway.url + path)
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def count(page: Page, row: str) -> str:
    return page.locator(f"table.outcomes tr.{row} td.count").inner_text()


def last_bucket_is_today_and_whole(page: Page, bucket: str) -> None:
    """The chart's last label reads today's date and lies wholly inside the chart (it used to be cut off)."""
    chart = page.locator(f"svg[aria-label='Unresolved contacts per {bucket}']")
    expect(chart).to_be_visible()
    today = iso(page.evaluate("Date.now() / 1000"))[:10]
    last = chart.locator("text").last
    expect(last).to_have_text(re.compile("^" + today))
    box, frame = last.bounding_box(), chart.bounding_box()
    assert box and frame and box["x"] >= frame["x"] and box["x"] + box["width"] <= frame["x"] + frame["width"]


def test_a_product_owner_reads_outcomes_with_presets_filters_and_drill_down(page: Page, gateway: Gateway) -> None:
    log_in(page, gateway, "/insights", "product_owner")
    expect(page.get_by_role("heading", name="Unresolved contacts")).to_be_visible(timeout=LIVE_MS)
    legend = page.locator("main .card").filter(has=page.locator("svg"))
    expect(legend).to_contain_text("Bot did not understand")
    expect(legend).not_to_contain_text("nlu_fallback")
    last_bucket_is_today_and_whole(page, "day")  # the default: the last 30 days

    # Presets: today by the hour, 7 days by the day with today's date shown whole at the chart's right end.
    page.get_by_role("link", name="Today").click()
    expect(page.locator("strong[aria-current]")).to_have_text("Today")
    last_bucket_is_today_and_whole(page, "hour")
    page.get_by_role("link", name="Last 7 days").click()
    expect(page.locator("strong[aria-current]")).to_have_text("Last 7 days")
    last_bucket_is_today_and_whole(page, "day")
    page.get_by_role("link", name="Last 30 days").click()
    expect(page.locator("strong[aria-current]")).to_have_text("Last 30 days")

    # The overview's filters, with channels and triggers in words.
    page.get_by_label("Channel").select_option(label="web chat")
    page.get_by_label("Bot did not understand").check()
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"channel=rest.*trigger=nlu_fallback|trigger=nlu_fallback.*channel=rest"))
    expect(page.get_by_label("Bot did not understand")).to_be_checked()
    page.get_by_role("link", name="reset").click()
    expect(page).to_have_url(gateway.url + "/insights")

    # The outcomes of a typed period: resolution and repeat contact first, containment beside them.
    page.get_by_role("link", name="what became of every conversation").click()
    expect(page.get_by_role("heading", name="Outcomes")).to_be_visible()
    page.get_by_label("From").fill(iso(gateway.t0))
    page.get_by_label("To").fill(iso(gateway.t0 + 10 * DAY))
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("heading", name="What became of 12 conversations")).to_be_visible()
    assert (count(page, "resolved"), count(page, "repeat"), count(page, "contained")) == ("7", "3", "4")
    rows = [page.locator(f"table.outcomes tr.{r}").bounding_box() for r in ("resolved", "repeat", "contained")]
    assert all(rows) and rows[0]["y"] < rows[1]["y"] < rows[2]["y"]  # type: ignore[index]
    expect(page.locator("tr.contained")).to_contain_text("2 provisional")
    expect(page.locator(".satisfaction-figure")).to_contain_text("3.67/5")
    expect(page.locator("table.funnel")).to_contain_text("Internet down")
    expect(page.locator(".dispositions-overall")).to_contain_text("50% the bot could have handled")
    expect(page.locator("table.dispositions-flows")).to_contain_text("Bill too high")
    models = page.locator("table.models tr")
    expect(models.nth(1)).to_contain_text("m-new")
    expect(models.nth(2)).to_contain_text("m-old")
    expect(page.locator("ul.comments")).to_contain_text("Took <b>ages</b>")  # shown as text, not markup

    # Narrow to one channel (every contact came by web chat), then to one flow; a preset keeps the filters.
    page.get_by_label("Channel").select_option(label="web chat")
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"channel=rest"))
    expect(page.get_by_role("heading", name="What became of 12 conversations")).to_be_visible()
    page.get_by_label("Flow").select_option(label="Bill question")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("heading", name="What became of 2 conversations")).to_be_visible()
    page.get_by_role("link", name="Last 30 days").click()
    expect(page).to_have_url(re.compile(r"flow=ask_bill"))
    expect(page.get_by_role("heading", name="What became of 2 conversations")).to_be_visible()
    page.get_by_role("link", name="Last 7 days").click()
    expect(page.locator("strong[aria-current]")).to_have_text("Last 7 days")
    page.get_by_role("link", name="Today").click()
    expect(page.locator("strong[aria-current]")).to_have_text("Today")
    page.get_by_role("link", name="reset").click()
    expect(page.get_by_role("heading", name="What became of 14 conversations")).to_be_visible()

    # The figures as JSON, then a customer's comment leads to the conversation: answer and disposition.
    page.get_by_role("link", name="These figures as JSON").click()
    expect(page.locator("body")).to_contain_text('"conversations":14')
    page.go_back()
    page.locator("ul.comments li").filter(has_text="ages").get_by_role("link", name="conversation").click()
    expect(page.locator(".satisfaction")).to_contain_text("2/5 after an agent")
    expect(page.locator(".disposition")).to_contain_text("Agent by dana: resolved")
    page.get_by_role("link", name="conv-a2").click()
    expect(page).to_have_url(gateway.url + "/insights/conversations/conv-a2")
    page.get_by_role("link", name="Outcomes").click()
    page.locator("ul.latest-dispositions a", has_text="conv-d").click()
    expect(page.locator(".disposition")).to_contain_text("not resolved · cause: Bot did not understand")
    expect(page.locator(".satisfaction")).to_contain_text("no satisfaction answer")

    # The other sections, and logging out ends the session.
    page.get_by_role("link", name="Backlog").click()
    expect(page.get_by_role("heading", name="Backlog")).to_be_visible()
    page.get_by_role("link", name="Unresolved contacts").click()
    expect(page.get_by_role("heading", name="Unresolved contacts")).to_be_visible()
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    page.goto(gateway.url + "/insights/outcomes")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Finsights%2Foutcomes"))


def test_an_agent_is_refused_the_outcomes_and_conversations(page: Page, gateway: Gateway) -> None:
    log_in(page, gateway, "/insights/outcomes", "agent")
    expect(page.get_by_role("heading", name="Not for your role")).to_be_visible(timeout=LIVE_MS)
    for path in ("/insights/conversations/conv-a2", "/insights"):
        page.goto(gateway.url + path)
        expect(page.get_by_role("heading", name="Not for your role")).to_be_visible()
        expect(page.locator("body")).not_to_contain_text("Took")
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login$"))


def test_a_bad_period_says_what_is_wrong_and_keeps_the_product_owner_in(page: Page, gateway: Gateway) -> None:
    log_in(page, gateway, "/insights/outcomes", "product_owner")
    expect(page.get_by_role("heading", name="Outcomes")).to_be_visible(timeout=LIVE_MS)
    page.get_by_label("From").fill("<script>alert(1)</script>")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator(".error")).to_have_text(
        "'From' is not a date: “<script>alert(1)</script>”. Write a day (2026-12-01), a time (2026-12-01T09:30, in "
        "UTC) or an ISO timestamp (2026-12-01T09:30:00Z)."
    )
    expect(page.get_by_label("From")).to_have_value("<script>alert(1)</script>")
    page.get_by_role("link", name="Start again").click()
    expect(page.get_by_role("heading", name="Unresolved contacts")).to_be_visible(timeout=LIVE_MS)


AGENT_HELD = "conv-held"


async def _agent_held_conversation(redis_url: str) -> None:
    """A web chat (channel ``web``, beside the world's ``rest``) handed to an agent: the customer's line while the
    agent held the chat has no intent and the agent's reply is a ``bot`` event, as the learning store keeps them;
    the agent ends it as a follow-up."""
    redis: Redis = Redis.from_url(redis_url)
    try:
        settings = Settings(redis_url=redis_url, learning_pseudonym_secret=SecretStr(SECRET))
        state = await start_insights(settings, redis, in_process=True)
        consumer = Consumer(state.store, 0.6, settings.learning_abandon_after_s)
        await consumer.ensure_group()
        at = time.time() - 3 * 3600
        events: list[dict[str, Any]] = [
            {"type": "session_started"},
            {"type": "user", "text": "my router keeps blinking", "intent": {"name": "nlu_fallback", "confidence": 0.3},
             "ranking": [], "entities": [], "channel": "web"},
            {"type": "bot", "text": "Sorry, I didn't get that."},
            {"type": "slot", "name": "escalation", "value": {"reason": "customer_request", "queue": "general"}},
            {"type": "user", "text": "are you there?", "intent": {}, "ranking": [], "entities": [], "channel": "web"},
            {"type": "bot", "text": "Hi, Dana here, let me check your line."},
        ]  # fmt: skip
        for i, event in enumerate(events):
            event.update(v=1, conversation_id=AGENT_HELD, at=at + i, eid=uuid.uuid4().hex, model_id="m-new")
            await redis.xadd(keys.EVENTS, {"v": "1", "e": json.dumps(event)})
        while await consumer.process_once(block_ms=None):
            pass
        body = DispositionIn(conversation_id=AGENT_HELD, bot_could_handle=False, root_cause=RootCause.oss_data,
                             resolution="follow_up")  # fmt: skip
        await record_disposition(state.store, body, "dana")
    finally:
        await redis.aclose()


def moments(page: Page) -> int:
    found = re.search(r"(\d+) unresolved moments?", page.locator("main").inner_text())
    assert found, "the chart's total"
    return int(found.group(1))


def test_what_a_newcomer_found_is_fixed(page: Page, gateway: Gateway, redis_server: RedisServer) -> None:
    run(_agent_held_conversation(redis_server.url))
    log_in(page, gateway, "/insights", "product_owner")
    expect(page.get_by_role("heading", name="Unresolved contacts")).to_be_visible(timeout=LIVE_MS)

    # One "web chat" option, covering both channel values: it filters on both.
    channel = page.get_by_label("Channel")
    assert channel.locator("option", has_text="web chat").count() == 1
    page.goto(gateway.url + "/insights?channel=rest")
    rest = moments(page)
    page.goto(gateway.url + "/insights?channel=web")
    web = moments(page)
    page.get_by_role("link", name="reset").click()
    page.get_by_label("Channel").select_option(label="web chat")
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"channel=rest%2Cweb"))
    assert web >= 1 and moments(page) == rest + web

    # A typo in a date names the field and keeps every filter; plain dates and datetime-local values are taken.
    page.get_by_label("Flow", exact=True).select_option(label="Bill question")
    page.get_by_label("From").fill("2026-12-0")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator(".error")).to_contain_text("'From' is not a date: “2026-12-0”. Write a day (2026-12-01)")
    expect(page.get_by_label("From")).to_have_value("2026-12-0")
    expect(page.locator(".kept")).to_have_text("Kept: flow Bill question, channel web chat")
    week_ago = iso(time.time() - 7 * DAY)
    page.get_by_label("From").fill(week_ago[:10])
    page.get_by_label("To").fill(iso(time.time() + DAY)[:16].replace("Z", ""))
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("heading", name="Unresolved contacts")).to_be_visible()
    expect(page).to_have_url(re.compile(r"flow=ask_bill"))
    expect(page).to_have_url(re.compile(r"channel=rest%2Cweb"))
    expect(page.get_by_label("From")).to_have_value(week_ago[:10] + "T00:00:00Z")

    # The transcript names who it can and never prints None; the follow-up is shown as one.
    page.goto(gateway.url + f"/insights/conversations/{AGENT_HELD}")
    card = page.locator(".conversation")
    expect(card).to_contain_text("bot: Sorry, I didn't get that.")
    expect(card).to_contain_text("customer: are you there? not read by the bot (a person had the chat)")
    expect(card).to_contain_text("bot or agent: Hi, Dana here")
    expect(card).not_to_contain_text("None")
    expect(page.locator(".disposition")).to_contain_text("Agent by dana: follow-up needed")

    # Outcomes: follow-ups counted apart, and "1 answer" (not "1 answers").
    page.get_by_role("link", name="Outcomes").click()
    expect(page.locator(".dispositions-overall")).to_contain_text("1 resolved · 1 follow-up needed · 1 not resolved")
    expect(page.locator("ul.latest-dispositions")).to_contain_text("follow-up needed")
    page.get_by_label("From").fill(iso(gateway.t0 + 4 * DAY))
    page.get_by_label("To").fill(iso(gateway.t0 + 5 * DAY))
    page.get_by_role("button", name="Apply").click()
    expect(page.locator(".satisfaction-figure")).to_contain_text("· 1 answer ·")
    expect(page.locator("table.models")).to_contain_text("(1 answer)")
