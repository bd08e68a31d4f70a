"""Run the diagnosis step for a verified scenario customer, as Rasa would after identification."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action
from rasa_sdk.executor import CollectingDispatcher

from actions.diagnosis import ActionDiagnose
from simulator.scenarios import BY_KEY, Scenario
from tests.actions.conversation_state import run, slot_values, tracker


def verified_slots(scenario: Scenario, problem: str, **extra: Any) -> dict[str, Any]:
    identity = {"customer_id": scenario.customer_id, "name": scenario.name, "account_ids": [scenario.account_id],
                "method": "account number + postcode"}  # fmt: skip
    return {"verified": True, "identity": identity, "problem": problem, "postcode": scenario.postcode, **extra}


async def diagnose(
    key: str, problem: str, action: Action | None = None, intents: list[str] | None = None, **extra: Any
) -> tuple[dict[str, Any], CollectingDispatcher]:
    state = tracker(slots=verified_slots(BY_KEY[key], problem, **extra), intents=intents or [problem, "inform"])
    events, dispatcher = await run(action or ActionDiagnose(), state)
    return slot_values(events), dispatcher
