"""What the bot says lives in domain.yml: actions send responses by name with the values to fill in, never
sentences of their own, and every name and variable they send is one the domain has."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from core.settings import PROJECT_ROOT
from tests.actions.conversation_state import DOMAIN, PLACEHOLDER

ACTIONS = sorted((PROJECT_ROOT / "actions").glob("*.py"))
NOT_VARIABLES = {"response", "buttons", "json_message", "image", "attachment", "elements"}


def calls(path: Path) -> Iterator[tuple[str, ast.Call]]:
    """``(where, call)`` for every ``utter_message(...)`` and ``ctx.say(...)`` in one module."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") in {"utter_message", "say"}:
            yield f"{path.relative_to(PROJECT_ROOT)}:{node.lineno}", node


def named(call: ast.Call) -> list[str]:
    """The response names a call can send when they are written in it (``"a"`` or ``"a" if x else "b"``)."""
    node = next((k.value for k in call.keywords if k.arg == "response"), call.args[0] if call.args else None)
    options = [node.body, node.orelse] if isinstance(node, ast.IfExp) else [node]
    return [o.value for o in options if isinstance(o, ast.Constant) and isinstance(o.value, str)]


def test_no_action_writes_its_own_sentences() -> None:
    own = [where for path in ACTIONS for where, call in calls(path) if any(k.arg == "text" for k in call.keywords)]
    assert own == [], f"sentences written in Python instead of domain.yml responses: {own}"


def test_every_response_an_action_names_is_in_the_domain() -> None:
    names = {
        node.value
        for path in ACTIONS
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("utter_")
    }
    assert len(names) > 60  # the collector sees the actions' responses
    assert names <= set(DOMAIN["responses"]), sorted(names - set(DOMAIN["responses"]))


def test_every_response_gets_exactly_the_variables_it_shows() -> None:
    """A variable the action forgets reaches the customer as "{ticket}"; one the response does not show is a
    value the customer was meant to read and does not. Slots fill a response too, as Rasa does."""
    wrong = []
    for path in ACTIONS:
        for where, call in calls(path):
            passed = {k.arg for k in call.keywords if k.arg and k.arg not in NOT_VARIABLES}
            if any(k.arg is None for k in call.keywords):
                continue  # **values: checked where they are built
            for name in named(call):
                shown = set(PLACEHOLDER.findall(str(DOMAIN["responses"][name][0]["text"])))
                if shown - set(DOMAIN["slots"]) - passed or passed - shown:
                    wrong.append((where, name, sorted(shown), sorted(passed)))
    assert wrong == []


def test_every_response_in_the_domain_is_said_somewhere() -> None:
    """A response nobody sends is wording that drifts out of date unseen."""
    code = "\n".join(path.read_text() for path in ACTIONS)
    data = "\n".join(path.read_text() for path in (PROJECT_ROOT / "data").rglob("*.yml"))
    asked = {f"utter_ask_{slot}" for slot in DOMAIN["slots"]} | {
        f"utter_ask_{form}_{slot}" for form, spec in DOMAIN["forms"].items() for slot in spec["required_slots"]
    }
    unused = [
        name
        for name in DOMAIN["responses"]
        if name not in asked | {"utter_default"} and not re.search(rf"\b{name}\b", code + data)
    ]
    assert unused == []
