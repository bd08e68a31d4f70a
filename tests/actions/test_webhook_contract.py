"""The action server (rasa-sdk 3.21 in the app venv) answers Rasa 3.6.21's webhook as Rasa expects.

The server runs as in production (``python -m rasa_sdk --actions actions``, the app venv's Python), on loopback.
The request bodies in ``rasa_3_6_21_webhook.json`` were made by Rasa 3.6.21 itself
(``RemoteAction._action_call_format`` in rasa/core/actions/action.py, on trackers built from real Rasa events),
without the ``domain`` Rasa adds: today's domain.yml goes in its place. The answers must validate against Rasa's
own schema (``rasa_action_response_schema``), or Rasa refuses them, and carry what the customer would notice: the
slot the action sets and the response it asks Rasa to say, with its variables. An end-to-end test against the
real Rasa server is in the e2e suite.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from typing import Any

import httpx
import jsonschema
import pytest

from core.settings import PROJECT_ROOT
from tests.actions.conversation_state import DOMAIN
from tests.actions.rasa_action_response_schema import action_response_format_spec
from tests.fixtures.ports import free_port, wait_for_port

STARTUP_TIMEOUT_S = 60  # rasa_sdk imports every module of actions/ before it listens
REQUESTS: dict[str, dict[str, Any]] = json.loads((PROJECT_ROOT / "tests/actions/rasa_3_6_21_webhook.json").read_text())


@pytest.fixture(scope="module")
def action_server() -> Iterator[str]:
    port = free_port()
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)],
            cwd=PROJECT_ROOT,
            env={**os.environ, "SANIC_HOST": "127.0.0.1"},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for_port(port, STARTUP_TIMEOUT_S)
            yield f"http://127.0.0.1:{port}"
        except TimeoutError:
            log.seek(0)
            pytest.fail(f"the action server did not start:\n{log.read().decode(errors='replace')[-3000:]}")
        finally:
            process.terminate()
            process.wait(timeout=10)


def call(server: str, action: str) -> dict[str, Any]:
    """Post Rasa 3.6.21's request for ``action``; the answer, checked against Rasa's schema."""
    body = {**REQUESTS[action], "domain": DOMAIN}
    response = httpx.post(f"{server}/webhook", json=body, timeout=30)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    jsonschema.validate(answer, action_response_format_spec())
    return answer


def slots_set(answer: dict[str, Any]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in answer["events"] if e["event"] == "slot"}


def test_the_request_is_the_one_rasa_3_6_21_sends() -> None:
    for action, body in REQUESTS.items():
        assert set(body) == {"next_action", "sender_id", "tracker", "version"} and body["next_action"] == action
        assert body["version"] == "3.6.21" and body["tracker"]["events"][1]["event"] == "session_started"


def test_a_change_of_topic_sets_the_problem_and_names_the_response(action_server: str) -> None:
    answer = call(action_server, "action_start_problem")
    assert slots_set(answer) == {
        "problem": "bill_too_high",
        "awaiting": None,
        "findings": {"line_test": "pass", "left_flow": "report_internet_down"},
    }
    [said] = answer["responses"]
    # What Rasa 3.6 reads of it (RemoteAction._utter_responses): the response to fill, then its variables.
    assert said["response"] == "utter_switch_problem" and said["topic"] == "your bill"
    assert "{topic}" in DOMAIN["responses"]["utter_switch_problem"][0]["text"]


def test_a_form_answer_that_is_not_a_postcode_is_refused_with_a_reason(action_server: str) -> None:
    answer = call(action_server, "validate_identify_form")
    assert slots_set(answer) == {"postcode": None}  # asked again; the account number already given stays
    assert [r["response"] for r in answer["responses"]] == ["utter_not_a_postcode"]


def test_an_action_rasa_does_not_know_is_refused_as_rasa_expects(action_server: str) -> None:
    body = {**REQUESTS["action_start_problem"], "next_action": "action_nobody_wrote", "domain": DOMAIN}
    response = httpx.post(f"{action_server}/webhook", json=body, timeout=30)
    # Rasa 3.6 reports any status but 400 as "Failed to execute custom action"; a 400 would instead tell it the
    # action rejected the turn (ActionExecutionRejection), which a form would take as "try another action".
    assert response.status_code == 404 and response.json()["action_name"] == "action_nobody_wrote"
