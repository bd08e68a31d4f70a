"""Identification against TMF629: nothing of the account is shown until the customer is verified."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.diagnosis import ActionDiagnose
from actions.identity import ValidateIdentifyForm, customer_ref_in, postcode_in
from simulator.scenarios import BY_KEY
from tests.actions.conversation_state import handoff, responses, run, texts, tracker, variables
from tests.fixtures.simulator import RunningSimulator

ROUTER = BY_KEY["router_fault"]


def test_identifiers_are_found_in_what_customers_type() -> None:
    assert customer_ref_in("my account is ac 10000003 thanks") == "AC10000003"
    assert customer_ref_in("it's 07700 900003") == "+447700900003"
    assert customer_ref_in("+44 7700 900003") == "+447700900003"
    assert customer_ref_in("no idea sorry") is None
    assert postcode_in("bs15tr") == "BS1 5TR"
    assert postcode_in("it is BS1 5TR.") == "BS1 5TR"
    assert postcode_in("twelve") is None


def test_identifiers_in_the_forms_people_type_them() -> None:
    assert customer_ref_in("AC 1000 0004") == "AC10000004"
    assert customer_ref_in("its ac-1000-0004!!") == "AC10000004"
    assert customer_ref_in("+44 (0)7700 900321") == "+447700900321"
    assert customer_ref_in("call me on 07700-900-321 please") == "+447700900321"
    assert customer_ref_in("(07700) 900321") == "+447700900321"
    # an account number is not read as a phone number, and neither are other digit runs
    assert customer_ref_in("order 123456 for 10000004") is None
    assert customer_ref_in("12345") is None
    assert postcode_in("b12 nd") == "B1 2ND"  # the space in the wrong place
    assert postcode_in("b12 nd and more words") is None


async def validate_postcode(slots: dict[str, object], typed: str) -> tuple[dict[str, object], CollectingDispatcher]:
    form = ValidateIdentifyForm()
    state = tracker(slots=slots, intents=["report_internet_down", "inform"], active_loop="identify_form")
    dispatcher = CollectingDispatcher()
    result = await form.validate_postcode(typed, dispatcher, state, {})
    return result, dispatcher


async def test_right_account_and_postcode_verify_the_customer(oss: RunningSimulator) -> None:
    result, said = await validate_postcode({"customer_ref": ROUTER.account_id}, ROUTER.postcode.lower())
    assert result["verified"] is True
    assert result["identity"]["customer_id"] == ROUTER.customer_id
    assert result["identity"]["method"] == "account number + postcode"
    assert variables(said, "utter_identity_confirmed") == {"first_name": ROUTER.name.split()[0]}
    assert [e["operation"] for e in result["evidence"]] == ["find_customer", "list_services"]
    [service] = result["identity"]["services"]  # for the person a case may reach
    assert service.startswith(f"SVC-{ROUTER.index:06d}-1 broadband, "), service


async def test_phone_number_works_as_the_identifier_too(oss: RunningSimulator) -> None:
    result, _ = await validate_postcode({"customer_ref": ROUTER.mobile}, ROUTER.postcode)
    assert result["verified"] is True
    assert result["identity"]["method"] == "phone number + postcode"


async def test_wrong_postcode_re_asks_only_the_postcode_with_the_tries_left(oss: RunningSimulator) -> None:
    result, said = await validate_postcode({"customer_ref": ROUTER.account_id}, "ZZ9 9ZZ")
    assert result["customer_ref"] == ROUTER.account_id and result["postcode"] is None
    assert result["verification_failures"] == 1
    assert responses(said) == ["utter_details_do_not_match"] and variables(said, "utter_details_do_not_match") == {
        "tries": "2"
    }
    assert ROUTER.postcode not in texts(said) and ROUTER.name not in texts(said)  # nothing of the account is told


async def test_a_postcode_given_when_the_account_was_asked_is_kept(oss: RunningSimulator) -> None:
    form = ValidateIdentifyForm()
    state = tracker(intents=["report_internet_down", "inform"], active_loop="identify_form")
    dispatcher = CollectingDispatcher()
    result = await form.validate_customer_ref("bs1 5tr", dispatcher, state, {})
    assert result == {"customer_ref": None, "postcode": "BS1 5TR"}
    assert responses(dispatcher) == ["utter_have_postcode_need_ref"]


async def test_a_different_number_in_answer_to_the_postcode_question_is_used(oss: RunningSimulator) -> None:
    result, said = await validate_postcode({"customer_ref": "AC99999999", "verification_failures": 1}, "AC 1000 0003")
    assert result == {"customer_ref": "AC10000003", "postcode": None}
    assert responses(said) == ["utter_have_ref_need_postcode"]


async def test_third_failure_ends_identification_and_hands_over(oss: RunningSimulator) -> None:
    slots = {"customer_ref": "AC99999999", "verification_failures": 2}
    result, said = await validate_postcode(slots, "M1 1AE")
    assert result["verified"] is False and result["verification_failures"] == 3
    assert responses(said) == ["utter_details_still_do_not_match"]
    state = tracker(slots={**slots, **result, "problem": "ask_bill"}, intents=["ask_bill", "inform"])
    _, dispatcher = await run(ActionDiagnose(), state)
    case = handoff(dispatcher)
    assert case is not None and case["reason"] == "verification_failed"
    assert case["identity"] is None
    assert "£" not in texts(dispatcher)  # no account data for an unverified customer


async def test_customer_records_unreachable_is_told_honestly(oss: RunningSimulator) -> None:
    with oss.fault("customerManagement", "error", status=503):
        result, said = await validate_postcode({"customer_ref": ROUTER.account_id}, ROUTER.postcode)
    assert result["verified"] is False
    assert result["findings"]["oss_unavailable"] == "customerManagement"
    assert responses(said) == ["utter_customer_records_unreachable"]


async def test_service_records_unreachable_still_verify_the_customer(oss: RunningSimulator) -> None:
    with oss.fault("serviceInventory", "error", status=503):
        result, said = await validate_postcode({"customer_ref": ROUTER.account_id}, ROUTER.postcode)
    assert result["verified"] is True and responses(said) == ["utter_identity_confirmed"]
    assert result["identity"]["services"] == []
    assert [(e["operation"], e["outcome"]) for e in result["evidence"]] == [
        ("find_customer", "ok"), ("list_services", "unavailable")
    ]  # fmt: skip
