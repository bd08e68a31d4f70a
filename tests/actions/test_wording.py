"""What customers read is plain English: every response in domain.yml, every sentence the gateway can send
itself, and what every diagnosis actually says (responses filled in) for every seeded scenario, checked by one
set of rules."""

from __future__ import annotations

import pytest

from actions.diagnosis import registry
from simulator.scenarios import BY_KEY
from tests.actions.conversation_state import texts
from tests.actions.customer_text import domain_responses, problems_with, source_sentences
from tests.actions.diagnose import diagnose
from tests.fixtures.simulator import RunningSimulator


def test_the_lint_catches_what_customers_saw() -> None:
    assert problems_with("the last one because of instructionCancelled")
    assert problems_with("-£0.29: more usage than last month")
    assert problems_with("Your latest bill is £12.00, due 2 December. your balance is £0.00.")
    assert problems_with("I'll pass you to billing. I'm passing you to a person now.")
    assert not problems_with("Your latest bill is £12.00, due 2 December. Your balance is £0.00.")


@pytest.mark.parametrize(("name", "text"), domain_responses())
def test_every_response_in_the_domain_reads_right(name: str, text: str) -> None:
    assert not problems_with(text), (name, text)


def test_every_sentence_the_code_sends_reads_right() -> None:
    """The gateway's own sentences (said when Rasa cannot answer, so not domain.yml responses), and any left in
    code elsewhere."""
    sentences = source_sentences()
    assert any(where.startswith("bot/chat/") for where, _ in sentences)  # the collector found the gateway's
    bad = [(where, text, problems) for where, text in sentences if (problems := problems_with(text))]
    assert not bad, bad


@pytest.mark.parametrize("problem", sorted(set(registry())))
async def test_what_every_diagnosis_says_for_every_scenario_reads_right(oss: RunningSimulator, problem: str) -> None:
    for key in BY_KEY:
        _, dispatcher = await diagnose(key, problem)
        said = texts(dispatcher)
        assert not problems_with(said), (key, problem, said)
