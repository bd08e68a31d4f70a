"""The running product logs unresolved turns to the learning store, redacted, without any special action."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from redis.asyncio import Redis

from learning.store import LearningStore
from simulator.scenarios import BY_KEY
from tests.conversations.chat import Chat
from tests.fixtures.product import Product

pytestmark = pytest.mark.e2e
CAPTURE_TIMEOUT_S = 30


async def records_of(product: Product, conversation_id: str, wanted: set[str]) -> list[dict[str, object]]:
    redis = Redis.from_url(product.redis_url)
    store = LearningStore(redis, retention_days=180)
    deadline = time.monotonic() + CAPTURE_TIMEOUT_S
    try:
        while True:
            found = [r for _, r in await store.records(await store.conversation_record_ids(conversation_id))]
            if wanted <= {str(r["trigger"]) for r in found} or time.monotonic() > deadline:
                return found
            await asyncio.sleep(0.5)
    finally:
        await redis.close()


def test_unclear_turns_escalations_and_oss_failures_are_captured_redacted(product: Product) -> None:
    httpx.post(f"{product.simulator_url}/admin/reset", timeout=10).raise_for_status()
    router = BY_KEY["router_fault"]
    chat = Chat(product)
    chat.say("what's the best recipe for banana bread, I'm Sarah Jenkins")
    fault = {"mode": "error", "status": 503}
    httpx.put(f"{product.simulator_url}/admin/faults/serviceInventory", json=fault, timeout=10).raise_for_status()
    chat.say("my broadband is not working")
    chat.say(f"{router.account_id} {router.postcode}")
    assert chat.conversation_id is not None
    records = asyncio.run(records_of(product, chat.conversation_id, {"out_of_scope", "escalation", "oss_failure"}))
    triggers = {str(r["trigger"]) for r in records}
    assert {"out_of_scope", "escalation", "oss_failure"} <= triggers, records
    stored = str(records)
    for secret in ("Sarah Jenkins", router.account_id, router.postcode):
        assert secret not in stored, f"{secret!r} reached the learning store"


def login(product: Product, user: str) -> dict[str, str]:
    response = httpx.post(f"{product.gateway_url}/api/auth/login", json={"username": user, "password": "triage-demo"},
                          timeout=30)  # fmt: skip
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['token']}"}


def test_only_product_owners_read_the_insights_of_the_running_product(product: Product) -> None:
    url = f"{product.gateway_url}/api/insights/records"
    assert httpx.get(url, timeout=30).status_code == 401
    assert httpx.get(url, headers=login(product, "agent"), timeout=30).status_code == 403
    owner = httpx.get(url, headers=login(product, "product_owner"), timeout=30)
    assert owner.status_code == 200, owner.text
    page = httpx.get(f"{product.gateway_url}/insights", headers=login(product, "product_owner"), timeout=30)
    assert page.status_code == 200 and "<html" in page.text.lower()
