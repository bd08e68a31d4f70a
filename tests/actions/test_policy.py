"""Every reason the bot hands a customer to a person is named in the escalation policy."""

from __future__ import annotations

import ast

from core.policy import ASKED_OR_AGREED, AUTOMATIC, ESCALATION_REASONS
from core.settings import PROJECT_ROOT


def reasons_used() -> set[str]:
    """The reason literals passed to ``escalate`` / ``ctx.escalate`` anywhere in the actions."""
    used: set[str] = set()
    for path in (PROJECT_ROOT / "actions").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) == "escalate":
                literals = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
                if literals:
                    used.add(literals[0])
    return used


def test_every_escalation_reason_the_actions_use_is_in_the_policy() -> None:
    used = reasons_used()
    assert {"customer_request", "billing_dispute", "home_fix_failed", "verification_failed"} <= used
    assert used <= set(ESCALATION_REASONS), used - set(ESCALATION_REASONS)


def test_misunderstanding_and_not_sure_never_hand_a_customer_over_by_themselves() -> None:
    assert not set(ASKED_OR_AGREED) & set(AUTOMATIC)
    assert "repeated_fallback" not in ESCALATION_REASONS
    assert not [r for r in ESCALATION_REASONS if "sure" in r or "fallback" in r]
