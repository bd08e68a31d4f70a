"""Every sentence in which the bot promises an action (a text, a call back, a person or a team, a ticket, a
check) is kept: this finds each such sentence in domain.yml and in the code that sends text to customers, and
requires a test that shows the promised action happening, end to end where a conversation is involved.

A new promise without such a test fails here: write the test that proves it, then add it to PROOFS.
"""

from __future__ import annotations

import ast
import re

import pytest

from core.settings import PROJECT_ROOT
from tests.actions.customer_text import domain_responses, source_sentences

PROMISE = re.compile(
    r"\b(I'll|I will|we'll|we will|will (call|text|reply|e-?mail|be in touch)|I've (opened|left|taken)|Done:)", re.I
)

# (what the promise says, the tests that show it is kept)
PROOFS: list[tuple[str, list[str]]] = [
    (r"and I'll check our systems for you", [
        "tests/conversations/test_triage_conversations.py::test_internet_down_router_fault_fixed_by_a_restart"]),
    (r"I'll pass you to a person whenever you want|say \"person\" and I'll get you someone", [
        "tests/conversations/test_triage_conversations.py::test_request_human_escalates_at_once",
        "tests/conversations/test_triage_conversations.py::test_asking_for_a_person_in_the_middle_of_identification"]),
    (r"Tell me what went wrong and I'll check it right now", [
        "tests/conversations/test_journeys.py::test_sarcasm_about_a_fault_is_a_complaint_about_that_fault"]),
    (r"what isn't right and I'll check it", [
        "tests/conversations/test_journeys.py::test_a_no_that_is_not_a_goodbye_is_asked_what_is_wrong_and_then_checked"]),
    (r"tell me whether it worked, and I'll carry on from there|and I'll ask you again", [
        "tests/conversations/test_journeys.py::test_not_sure_yet_keeps_the_question_open_without_a_person",
        "tests/actions/test_answers.py::test_coming_back_after_deferring_is_asked_the_question_again",
        "tests/conversations/test_journeys.py::test_hello_after_i_will_try_later_asks_the_question_again"]),
    (r"I've taken you out of the queue", [
        "tests/handoff/test_leaving_the_queue.py::"
        "test_cancel_that_in_words_leaves_the_queue_the_others_move_up_and_the_bot_answers",
        "tests/web/test_leaving_the_queue.py::"
        "test_leaving_the_queue_with_the_button_by_keyboard_the_console_sees_the_case_go"]),
    (r"I'll use that number instead", [
        "tests/actions/test_identification.py::test_a_different_number_in_answer_to_the_postcode_question_is_used"]),
    (r"I'll text \{number\} when our team has finished|I'll tell you here in this chat when our team has finished", [
        "tests/conversations/test_network_sensor.py::"
        "test_a_silent_fault_raises_one_alarm_and_the_next_customer_hears_investigating",
        "tests/sensor/test_subscribers.py::test_a_subscriber_hears_the_investigation_ended_when_the_contacts_stop"]),
    (r"Our network team is investigating|Our teams are looking into it", [
        "tests/actions/test_sensor.py::"
        "test_in_an_open_incident_the_next_customer_hears_investigating_and_no_ticket_is_opened",
        "tests/sensor/test_process.py::test_a_surge_raises_one_alarm_updated_as_it_grows_and_cleared_when_it_stops"]),
    (r"I'll text \{number\}|I'll tell you here in this chat", [
        "tests/notify/test_end_to_end.py::test_the_text_and_the_chat_message_are_really_sent_when_the_alarm_clears"]),
    (r"I won't send you any more alerts", ["tests/notify/test_end_to_end.py::test_stopped_alerts_send_nothing"]),
    (r"I've opened billing dispute", [
        "tests/actions/test_sensor_bills.py::"
        "test_a_duplicate_charge_in_an_incident_is_still_disputed_then_investigated_without_a_queue",
        "tests/actions/test_billing_orders_tickets.py::test_a_duplicate_charge_opens_a_dispute_and_goes_to_billing"]),
    (r"say so and I'll pass it to our billing team", [
        "tests/actions/test_sensor_bills.py::test_another_change_in_an_incident_is_investigated_and_can_still_be_disputed",
        "tests/conversations/test_journeys.py::test_saying_the_bill_is_wrong_reaches_the_billing_team"]),
    (r"say \"payment problem\" and I'll explain why", [
        "tests/conversations/test_journeys.py::test_saying_payment_problem_explains_the_failed_payment"]),
    (r"I've opened fault ticket", [
        "tests/actions/test_connectivity.py::test_access_line_fault_opens_a_ticket_with_a_reference"]),
    (r"tell me what's happening( \(for example \"no internet\"\))? and I'll (test|check) it"
     r"|tell me what you see .* and I'll test it", [
        "tests/conversations/test_journeys.py::test_told_what_is_happening_after_no_outage_the_bot_tests_the_line"]),
    (r"I'm passing you to a person in our X team now", [
        "tests/handoff/test_escalation_triggers.py::test_asking_for_a_person"]),
    (r"I'm passing you to a person now, with the messages you sent", [
        "tests/gateway/test_socketio_when_rasa_fails.py::test_while_rasa_is_down_the_customer_can_still_reach_a_person"]),
    (r"I've opened a ticket with your messages", [
        "tests/gateway/test_socketio_when_rasa_fails.py::test_while_rasa_is_down_the_customer_can_leave_a_ticket_instead"]),
    (r"will call you back", [
        "tests/handoff/test_handoff_paths.py::test_no_agent_online_the_customer_is_told_and_offered_a_callback"]),
    (r"I've left it as a ticket", [
        "tests/handoff/test_handoff_paths.py::test_an_agent_picks_up_a_ticket_and_chats_with_the_customer"]),
]  # fmt: skip


def promises() -> list[tuple[str, str]]:
    return [(where, text) for where, text in [*domain_responses(), *source_sentences()] if PROMISE.search(text)]


def test_the_promises_are_found() -> None:
    found = " ".join(text for _, text in promises())
    assert "say so and I'll pass it to our billing team" in found and "I'll text {number}" in found


@pytest.mark.parametrize(("where", "text"), promises())
def test_every_promise_has_a_test_that_shows_it_kept(where: str, text: str) -> None:
    proofs = [tests for fragment, tests in PROOFS if re.search(fragment, text)]
    assert proofs, f"{where} promises something no test shows happening: {text!r}"


@pytest.mark.parametrize("test", sorted({t for _, tests in PROOFS for t in tests}))
def test_every_proof_exists(test: str) -> None:
    path, name = test.split("::")
    tree = ast.parse((PROJECT_ROOT / path).read_text())
    names = {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    assert name in names, f"{test} does not exist"
