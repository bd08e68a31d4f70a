"""An agent looks up an unverified customer from a case they hold, through the running product.

Real Redis, the real OSS/BSS simulator, real Rasa and gateway (the session's ``product``): the lookup finds the
customer the bot would (by account or phone, however typed), is journaled into the case and told to the consoles,
and leaves an audit entry a supervisor can read, with the number searched masked and pseudonymised, never in
clear. Bad numbers, strangers to the case, a flood of lookups and a customer-records outage each get a clear
answer and leave nothing half-written.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import redis.asyncio

from bot.auth.roles import Role
from bot.handoff.lookup_audit import STREAM
from bot.handoff.lookup_rate import LOOKUPS_PER_WINDOW, WINDOW_S
from simulator.scenarios import BY_KEY
from tests.fixtures.product import Product
from tests.fixtures.socket_chat import SocketChat
from tests.handoff.staff import Staff, escalated_customer, make_staff

pytestmark = pytest.mark.e2e
PRIYA = BY_KEY["router_fault"]  # Priya Patel, AC10000003, 07700 900003, broadband
UNKNOWN_ACCOUNT = "AC19999999"  # well-formed; the seed has 240 customers
UNKNOWN_PHONE = "07700 800123"  # well-formed; seeded mobiles are 07700 900xxx
DISPOSITION = {"resolution": "resolved", "root_cause": "other", "bot_could_handle": False}
_names = itertools.count(1)


@dataclass
class HeldCase:
    agent: Staff
    case_id: str
    chat: SocketChat

    def lookup(self, by: str, ref: str, who: Staff | None = None) -> Any:
        return (who or self.agent).post(f"/api/agent/cases/{self.case_id}/lookup", {"by": by, "ref": ref})

    async def case(self, who: Staff | None = None) -> dict[str, Any]:
        response = await (who or self.agent).get(f"/api/agent/cases/{self.case_id}")
        assert response.status_code == 200, response.text
        return dict(response.json()["case"])

    async def lookups_in_case(self, who: Staff | None = None) -> list[dict[str, Any]]:
        return [d for d in (await self.case(who))["diagnostics"] if d["kind"] == "customer_lookup"]


async def new_agent(product: Product) -> Staff:
    name = f"lou{next(_names)}-{int(time.time()) % 100000}"
    await make_staff(product.redis_url, name, Role.agent, ["general"])
    return await (await Staff(product.gateway_url, name).login()).connect()


@pytest.fixture
async def supervisor(product: Product) -> AsyncIterator[Staff]:
    staff = await Staff(product.gateway_url, "supervisor", "triage-demo").login()
    yield staff
    await staff.disconnect()
    await staff.http.aclose()


@pytest.fixture
async def held(product: Product) -> AsyncIterator[HeldCase]:
    """A customer who asked for a person without identifying themselves, and the agent who accepted the chat."""
    agent = await new_agent(product)
    chat, conversation_id = await escalated_customer(product.gateway_url)
    case_id = (await agent.case_of(conversation_id))["case_id"]
    accepted = await agent.post(f"/api/agent/cases/{case_id}/accept")
    assert accepted.status_code == 200, accepted.text
    yield HeldCase(agent, case_id, chat)
    await agent.post(f"/api/agent/cases/{case_id}/end", DISPOSITION)
    await chat.__aexit__()
    await agent.disconnect()
    await agent.http.aclose()


async def audit_of(supervisor: Staff, **filters: str) -> list[dict[str, Any]]:
    response = await supervisor.get("/api/supervisor/lookups", **filters)
    assert response.status_code == 200, response.text
    return list(response.json()["entries"])


async def raw_audit(product: Product) -> str:
    client = redis.asyncio.Redis.from_url(product.redis_url)
    try:
        return json.dumps([[k.decode(), {a.decode(): b.decode() for a, b in f.items()}]
                           for k, f in await client.xrange(STREAM)])  # fmt: skip
    finally:
        await client.close()


async def test_the_agent_holding_a_chat_finds_the_customer_by_account_or_phone_and_the_case_keeps_it(
    product: Product, held: HeldCase, supervisor: Staff
) -> None:
    by_account = await held.lookup("account", "ac 1000 0003")  # typed as people type it
    assert by_account.status_code == 201, by_account.text
    found = by_account.json()
    assert found["customer"]["name"] == PRIYA.name and found["customer"]["customer_id"] == PRIYA.customer_id
    assert found["customer"]["account_ids"] == [PRIYA.account_id]
    assert found["customer"]["status"]
    assert any(" broadband, active" in s for s in found["customer"]["services"]), found["customer"]["services"]
    assert found["summary"].startswith(f"Found {PRIYA.name} ({PRIYA.customer_id}")
    assert "postcode" not in json.dumps(found).lower() and PRIYA.postcode not in json.dumps(found)

    by_phone = await held.lookup("phone", "+44 (0)7700 900003")
    assert by_phone.status_code == 201, by_phone.text
    assert by_phone.json()["customer"] == found["customer"]

    # The consoles are told the case changed; the case shows both lookups with their calls as evidence.
    await held.agent.wait_frame(
        lambda f: f.get("type") == "case" and f.get("event") == "updated" and f.get("case_id") == held.case_id,
        "case updated frame",
    )
    runs = await held.lookups_in_case()
    assert [r["target"] for r in runs] == [PRIYA.account_id, "+447700900003"]
    assert all(r["by"] == held.agent.name and r["result"]["found"] for r in runs)
    assert runs[0]["changes"] == ["The bot did not verify this customer: verify them before discussing the account."]
    calls = [(e["api"], e["operation"], e["outcome"]) for e in runs[0]["evidence"]]
    assert calls == [("customerManagement", "find_customer", "ok"), ("serviceInventory", "list_services", "ok")]

    # Who looked up whom: two entries, the numbers masked, never in clear (not even in Redis).
    entries = await audit_of(supervisor, case_id=held.case_id)
    assert [(e["agent"], e["by"], e["ref_masked"], e["outcome"], e["customer_id"]) for e in entries] == [
        (held.agent.name, "phone", "+44*******003", "found", PRIYA.customer_id),
        (held.agent.name, "account", "AC******03", "found", PRIYA.customer_id),
    ]
    assert all(e["role"] == "agent" and e["at"].endswith("+00:00") and len(e["ref_pseudonym"]) == 32 for e in entries)
    stored = await raw_audit(product)
    assert PRIYA.account_id not in stored and "7700900003" not in stored and held.case_id in stored

    # A supervisor asks "who looked up this number?" in any spelling; it is pseudonymised, then compared.
    for spelling, by in [("AC-1000-0003", "account"), ("07700 900003", "phone")]:
        matching = await audit_of(supervisor, ref=spelling, case_id=held.case_id)
        assert [e["by"] for e in matching] == [by]
    assert await audit_of(supervisor, agent=held.agent.name, outcome="not_found") == []


async def test_unknown_numbers_say_so_and_nothing_about_anyone_else(held: HeldCase, supervisor: Staff) -> None:
    unknown = await held.lookup("account", UNKNOWN_ACCOUNT)
    assert unknown.status_code == 404
    assert unknown.json() == {"v": 1, "error": "customer_not_found",
                              "message": f"No customer has the account number {UNKNOWN_ACCOUNT}."}  # fmt: skip
    nobody = await held.lookup("phone", UNKNOWN_PHONE)
    assert nobody.status_code == 404
    assert nobody.json()["message"] == "No customer has the phone number +447700800123."

    runs = await held.lookups_in_case()
    assert [(r["result"]["found"], r["changes"]) for r in runs] == [
        (False, ["Nobody was found: ask the customer to check the number."])
    ] * 2
    assert all("customer" not in r["result"] for r in runs)
    entries = await audit_of(supervisor, case_id=held.case_id)
    assert [(e["outcome"], e.get("customer_id")) for e in entries] == [("not_found", None), ("not_found", None)]


BAD_INPUT = [
    ({"by": "account", "ref": "AC1000003"}, "invalid_account", "That is not an account number: AC followed by 8"),
    ({"by": "account", "ref": "<script>alert(1)</script>"}, "invalid_account", "An account number has only"),
    ({"by": "account", "ref": "AC1000\u202e0003"}, "invalid_account", "An account number has only"),
    ({"by": "phone", "ref": "07700 9OO003"}, "invalid_phone", "A phone number has only digits"),  # letters O
    ({"by": "phone", "ref": "12345"}, "invalid_phone", "That is not a UK phone number"),
    ({"by": "phone", "ref": "0" * 41}, "invalid_request", "ref: String should have at most 40 characters"),
    ({"by": "phone", "ref": "   "}, "invalid_request", "ref: String should have at least 1 character"),
    ({"by": "postcode", "ref": "BS1 5TR"}, "invalid_request", "by: Input should be 'account' or 'phone'"),
    ({"ref": "AC10000003"}, "invalid_request", "by: Field required"),
    ({"by": "account"}, "invalid_request", "ref: Field required"),
    ({"by": "account", "ref": "AC10000003", "verified": True}, "invalid_request", "verified: Extra inputs"),
]


async def test_malformed_numbers_are_refused_clearly_and_nothing_is_looked_up_or_recorded(
    product: Product, held: HeldCase, supervisor: Staff
) -> None:
    async with httpx.AsyncClient(base_url=product.simulator_url, timeout=10) as simulator:
        await simulator.delete("/admin/requests")
        for body, code, message in BAD_INPUT:
            response = await held.agent.post(f"/api/agent/cases/{held.case_id}/lookup", body)
            assert response.status_code == 422, (body, response.text)
            assert response.json()["error"] == code and response.json()["message"].startswith(message), body
        lone_surrogate = await held.agent.http.post(f"/api/agent/cases/{held.case_id}/lookup",
                                                    content=b'{"by": "account", "ref": "AC1000\\ud8000003"}',
                                                    headers={"Content-Type": "application/json"})  # fmt: skip
        assert lone_surrogate.status_code == 422
        assert lone_surrogate.json()["message"].startswith("An account number has only")
        huge = await held.agent.http.post(f"/api/agent/cases/{held.case_id}/lookup",
                                          content=b'{"by": "account", "ref": "' + b"1" * 20_000 + b'"}',
                                          headers={"Content-Type": "application/json"})  # fmt: skip
        assert huge.status_code == 413 and huge.json()["error"] == "body_too_large"
        counts = (await simulator.get("/admin/requests")).json()
    assert "customerManagement" not in counts  # nothing reached the customer records
    assert await held.lookups_in_case() == []
    assert await audit_of(supervisor, case_id=held.case_id) == []


async def test_only_the_agent_holding_the_chat_or_a_supervisor_may_look_up(
    product: Product, held: HeldCase, supervisor: Staff
) -> None:
    other = await new_agent(product)
    owner = await Staff(product.gateway_url, "product_owner", "triage-demo").login()
    admin = Staff(product.gateway_url, f"ada{next(_names)}")
    try:
        refused = await held.lookup("account", PRIYA.account_id, who=other)
        assert refused.status_code == 409 and refused.json()["error"] == "not_your_chat"
        assert "only in a chat you hold now" in refused.json()["message"]
        forbidden = await held.lookup("account", PRIYA.account_id, who=owner)
        assert forbidden.status_code == 403 and "needs the role agent or supervisor" in forbidden.json()["message"]
        async with httpx.AsyncClient(base_url=product.gateway_url, timeout=30) as anonymous:
            nobody = await anonymous.post(f"/api/agent/cases/{held.case_id}/lookup",
                                          json={"by": "account", "ref": PRIYA.account_id})  # fmt: skip
            assert nobody.status_code == 401
            assert (await anonymous.get("/api/supervisor/lookups")).status_code == 401
        missing = await supervisor.post("/api/agent/cases/CASE-000000000000/lookup",
                                        {"by": "account", "ref": PRIYA.account_id})  # fmt: skip
        assert missing.status_code == 404 and missing.json()["error"] == "case_not_found"
        for who in (held.agent, other, owner):  # the audit log is for supervisors and admins
            assert (await who.get("/api/supervisor/lookups")).status_code == 403
        await make_staff(product.redis_url, admin.name, Role.admin, [])
        await admin.login()
        assert (await admin.get("/api/supervisor/lookups", case_id=held.case_id)).json()["entries"] == []

        # A supervisor may look up in any case, without holding it; the audit says it was them.
        by_supervisor = await held.lookup("phone", PRIYA.mobile, who=supervisor)
        assert by_supervisor.status_code == 201, by_supervisor.text
        entries = await audit_of(supervisor, case_id=held.case_id)
        assert [(e["agent"], e["role"], e["outcome"]) for e in entries] == [("supervisor", "supervisor", "found")]
        assert [r["by"] for r in await held.lookups_in_case()] == ["supervisor"]

        # Once the chat is over, its agent no longer looks anyone up in it.
        ended = await held.agent.post(f"/api/agent/cases/{held.case_id}/end", DISPOSITION)
        assert ended.status_code == 200, ended.text
        after = await held.lookup("account", PRIYA.account_id)
        assert after.status_code == 409 and after.json()["error"] == "not_your_chat"
    finally:
        for staff in (other, owner, admin):
            await staff.disconnect()
            await staff.http.aclose()


async def test_an_agent_fishing_through_numbers_is_stopped_and_the_refusal_audited(
    held: HeldCase, supervisor: Staff
) -> None:
    if time.time() % WINDOW_S > WINDOW_S - 20:  # all of the burst in one rate window
        await asyncio.sleep(WINDOW_S - time.time() % WINDOW_S + 0.5)
    malformed = await held.lookup("account", "AC1")
    assert malformed.status_code == 422  # refused before the customer records: not counted
    for n in range(LOOKUPS_PER_WINDOW):
        response = await held.lookup("account", f"AC1{n + 9000000:07d}")
        assert response.status_code in (201, 404), response.text
    stopped = await held.lookup("account", PRIYA.account_id)
    assert stopped.status_code == 429 and stopped.json()["error"] == "too_many_lookups"
    assert stopped.json()["message"].startswith(f"You have made {LOOKUPS_PER_WINDOW} lookups in the last minute")
    assert (await held.lookup("account", PRIYA.account_id)).status_code == 429

    runs = await held.lookups_in_case()
    assert len(runs) == LOOKUPS_PER_WINDOW and PRIYA.account_id not in [r["target"] for r in runs]
    refused = await audit_of(supervisor, case_id=held.case_id, outcome="rate_limited")
    assert [(e["agent"], e["ref_masked"]) for e in refused] == [(held.agent.name, "AC******03")]  # logged once


async def test_when_the_customer_records_are_down_the_agent_is_told_and_the_case_is_untouched(
    product: Product, held: HeldCase, supervisor: Staff
) -> None:
    async with httpx.AsyncClient(base_url=product.simulator_url, timeout=10) as simulator:
        # Every attempt of one lookup fails (the first and both retries), then the records are back.
        fault = await simulator.put("/admin/faults/customerManagement", json={"mode": "error", "status": 503,
                                                                               "count": 3})  # fmt: skip
        fault.raise_for_status()
        try:
            down = await held.lookup("account", PRIYA.account_id)
        finally:
            await simulator.delete("/admin/faults/customerManagement")
    assert down.status_code == 503 and down.json()["error"] == "customer_records_unavailable"
    assert down.json()["message"].startswith("The customer records could not be reached")
    assert "nothing was looked up or recorded" in down.json()["message"]
    assert await held.lookups_in_case() == []
    entries = await audit_of(supervisor, case_id=held.case_id)
    assert [(e["outcome"], e.get("customer_id")) for e in entries] == [("unavailable", None)]

    back = await held.lookup("account", PRIYA.account_id)
    assert back.status_code == 201 and back.json()["customer"]["name"] == PRIYA.name


async def test_the_audit_log_pages_newest_first_and_refuses_bad_filters(held: HeldCase, supervisor: Staff) -> None:
    for ref in (UNKNOWN_ACCOUNT, PRIYA.account_id, UNKNOWN_ACCOUNT):
        assert (await held.lookup("account", ref)).status_code in (201, 404)
    first = (await supervisor.get("/api/supervisor/lookups", case_id=held.case_id, limit=2)).json()
    assert [e["outcome"] for e in first["entries"]] == ["not_found", "found"] and first["next_before"]
    rest = (await supervisor.get("/api/supervisor/lookups", case_id=held.case_id, limit=2,
                                 before=first["next_before"])).json()  # fmt: skip
    assert [e["outcome"] for e in rest["entries"]] == ["not_found"] and rest["next_before"] is None
    assert first["retention_days"] >= 365
    for bad in ({"ref": "BS1 5TR"}, {"limit": "0"}, {"limit": "201"}, {"before": "yesterday"},
                {"case_id": "CASE-1"}, {"outcome": "maybe"}, {"agent": "<script>"}):  # fmt: skip
        response = await supervisor.get("/api/supervisor/lookups", **bad)
        assert response.status_code == 422, (bad, response.text)
        assert response.json()["error"] == "invalid_request" and response.json()["message"]
