"""Rasa's validation of action server responses gives the same verdicts with compiled validators reused."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from engine import schema_cache

RESPONSES: list[dict[str, Any]] = [
    {"events": [{"event": "slot", "name": "account_id", "value": "ACC-1"}], "responses": [{"text": "hi"}]},
    {"events": [], "responses": []},
    {"events": "not a list", "responses": []},
    {"events": [{"no_event_key": 1}], "responses": []},
    {"events": [], "responses": ["not an object"]},
]


def verdict(response: dict[str, Any]) -> str:
    """What Rasa makes of an action server's response: accepted, or the message it logs when refusing it."""
    action = RemoteAction("action_check_outage", EndpointConfig("http://127.0.0.1:9/webhook"))
    try:
        return "accepted" if action._validate_action_result(response) else "refused"
    except jsonschema.ValidationError as refused:
        return refused.message


@pytest.mark.parametrize("response", RESPONSES)
def test_rasa_accepts_and_refuses_the_same_responses(response: dict[str, Any]) -> None:
    before = verdict(response)
    schema_cache.install()
    try:
        assert jsonschema.validate is schema_cache.validate
        assert verdict(response) == verdict(response) == before
    finally:
        schema_cache.uninstall()


def test_invalid_responses_are_refused() -> None:
    assert [verdict(r) == "accepted" for r in RESPONSES] == [True, True, False, False, False]


def test_the_same_error_as_jsonschemas_own() -> None:
    schema = RemoteAction.action_response_format_spec()
    instance = {"events": [{"no_event_key": 1}]}
    with pytest.raises(jsonschema.ValidationError) as original:
        jsonschema.validators.validate(instance, schema)
    with pytest.raises(jsonschema.ValidationError) as ours:
        schema_cache.validate(instance, schema)
    assert ours.value.message == original.value.message and list(ours.value.path) == list(original.value.path)


def test_a_schema_is_compiled_once_and_a_broken_one_is_refused_every_time() -> None:
    first = schema_cache.validator_of(RemoteAction.action_response_format_spec())
    assert schema_cache.validator_of(RemoteAction.action_response_format_spec()) is first  # a new, equal dict
    for _ in range(2):
        with pytest.raises(jsonschema.SchemaError):
            schema_cache.validate({}, {"type": "no such type"})
