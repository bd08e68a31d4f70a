"""Every escalation trigger, in a real conversation through the running product, reaches a queue as a case with
the right reason code and queue (and, where the policy says so, priority)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from simulator.scenarios import BY_KEY
from tests.fixtures.product import Product
from tests.fixtures.socket_chat import SocketChat, texts
from tests.handoff.staff import Staff, http

pytestmark = pytest.mark.e2e


@pytest.fixture
async def supervisor(product: Product) -> AsyncIterator[Staff]:
    """The demo supervisor `make run` creates: sees every queue."""
    staff = await Staff(product.gateway_url, "supervisor", "triage-demo").login()
    yield staff
    await staff.close()


@pytest.fixture(autouse=True)
def fresh_simulator(product: Product) -> Iterator[None]:
    httpx.post(f"{product.simulator_url}/admin/reset", timeout=10).raise_for_status()
    yield
    httpx.delete(f"{product.simulator_url}/admin/faults", timeout=10).raise_for_status()


async def conversation(product: Product, *lines: str) -> tuple[str, str]:
    """Say each line as a customer on the web chat channel; return the conversation id and everything said back."""
    said = []
    async with SocketChat(product.gateway_url) as chat:
        ack = await chat.session()
        for line in lines:
            said.append(texts(await chat.say(line)))
    return str(ack["conversation_id"]), "\n".join(said)


async def assert_case(staff: Staff, conversation_id: str, reason: str, queue: str) -> dict[str, object]:
    case = await staff.case_of(conversation_id)
    assert (case["reason"], case["queue"]) == (reason, queue), case
    assert case["status"] == "waiting" and case["transcript"] and case["summary"]
    return case


async def test_asking_for_a_person(product: Product, supervisor: Staff) -> None:
    cid, _ = await conversation(product, "can I speak to an agent please")
    await assert_case(supervisor, cid, "customer_request", "general")


async def test_two_unclear_messages_in_a_row_offer_a_person_who_comes_when_asked(
    product: Product, supervisor: Staff
) -> None:
    cid, said = await conversation(product, "what's the best recipe for banana bread", "who won the world cup in 1966")
    assert "Would you like a person" in said and "passing you to a person" not in said, said
    cid, _ = await conversation(product, "what's the best recipe for banana bread", "who won the world cup in 1966",
                                "/request_human")  # fmt: skip
    await assert_case(supervisor, cid, "customer_request", "general")


async def test_a_repeated_complaint_is_frustration_with_priority(product: Product, supervisor: Staff) -> None:
    cid, _ = await conversation(product, "I want to make a formal complaint", "your customer service is appalling")
    case = await assert_case(supervisor, cid, "repeated_complaint", "general")
    assert case["priority"] != "normal" and "frustration" in case["priority_reasons"]  # type: ignore[operator]


async def test_negative_sentiment_over_the_last_turns(product: Product, supervisor: Staff) -> None:
    cid, said = await conversation(
        product, "my internet is not working", "I'm furious, this is absolutely useless and ridiculous!!"
    )
    assert "getting you a person" in said
    case = await assert_case(supervisor, cid, "negative_sentiment", "technical")
    assert "negative_sentiment" in case["priority_reasons"]  # type: ignore[operator]


async def test_a_line_fault_with_a_ticket_already_open(product: Product, supervisor: Staff) -> None:
    line = BY_KEY["access_line_fault"]
    _, first = await conversation(product, "my internet is down", line.account_id, line.postcode)
    assert "opened fault ticket" in first, first
    cid, _ = await conversation(product, "my internet is down", line.account_id, line.postcode)
    case = await assert_case(supervisor, cid, "fault_with_open_ticket", "technical")
    assert case["identity"]["method"] and case["evidence"]  # type: ignore[index]


async def test_an_order_fallen_out(product: Product, supervisor: Staff) -> None:
    order = BY_KEY["order_held_number_port"]
    cid, _ = await conversation(product, "where is my order? it's been ages", order.mobile, order.postcode)
    case = await assert_case(supervisor, cid, "order_fallout", "orders")
    assert case["findings"]["order_fallout_step"] == "numberPort"  # type: ignore[index]


async def test_a_duplicate_charge(product: Product, supervisor: Staff) -> None:
    bill = BY_KEY["bill_duplicate"]
    cid, _ = await conversation(product, "why is my bill so high", bill.account_id, bill.postcode)
    case = await assert_case(supervisor, cid, "duplicate_charge", "billing")
    assert case["services"] and all(s.startswith(f"SVC-{bill.index:06d}-") for s in case["services"]), case


async def test_a_ticket_past_its_sla_is_a_priority(product: Product, supervisor: Staff) -> None:
    ticket = BY_KEY["ticket_past_sla"]
    cid, _ = await conversation(product, "any update on my fault ticket?", ticket.account_id, ticket.postcode)
    case = await assert_case(supervisor, cid, "ticket_past_sla", "technical")
    assert case["priority"] != "normal" and "sla_breach" in case["priority_reasons"]  # type: ignore[operator]


async def test_the_oss_unreachable(product: Product, supervisor: Staff) -> None:
    router = BY_KEY["router_fault"]
    fault = {"mode": "error", "status": 503}
    await http("PUT", f"{product.simulator_url}/admin/faults/serviceInventory", fault)
    cid, _ = await conversation(product, "my broadband is not working", f"{router.account_id} {router.postcode}")
    case = await assert_case(supervisor, cid, "oss_unavailable", "technical")
    assert any(e["outcome"] == "unavailable" for e in case["evidence"])  # type: ignore[attr-defined]


async def test_three_failed_verifications(product: Product, supervisor: Staff) -> None:
    ticket = BY_KEY["ticket_within_sla"]
    lines = ["any update on my fault ticket?"]
    for wrong in ("ZZ1 1ZZ", "ZZ2 2ZZ", "ZZ3 3ZZ"):
        lines += [ticket.account_id, wrong]
    cid, _ = await conversation(product, *lines)
    case = await assert_case(supervisor, cid, "verification_failed", "technical")
    assert case["identity"] is None  # nobody verified: the agent is told so


@pytest.mark.parametrize(
    ("ask", "queue"),
    [("I want to change my plan", "sales"), ("I want to cancel my contract", "retention"),
     ("I'm moving house next month", "moves")],
)  # fmt: skip
async def test_account_changes_go_to_their_teams(product: Product, supervisor: Staff, ask: str, queue: str) -> None:
    customer = BY_KEY["bill_roaming"]
    cid, said = await conversation(
        product,
        ask,
        customer.account_id,
        customer.postcode,
        "the details are in my account",
        "from the 1st of next month",
    )
    assert "passing you to a person" in said, said
    await assert_case(supervisor, cid, "account_change", queue)
