"""Every sentence the product can say to a customer, collected from domain.yml and the code, and the rules
they are held to (tests/actions/test_wording.py, tests/conversations/test_promises.py)."""

from __future__ import annotations

import ast
import re

from core.settings import PROJECT_ROOT
from tests.actions.conversation_state import DOMAIN, PLACEHOLDER

CAMEL_CODE = re.compile(r"\b[a-z]+[A-Z][a-z]+[A-Za-z]*\b")  # instructionCancelled, inProgress
SNAKE_CODE = re.compile(r"\b[a-z]+_[a-z_]+\b")  # report_internet_down
LOWER_SENTENCE = re.compile(r"(?<![.\d])[.!?] +[a-z]")  # "due 2 December. your balance"
SIGNED_AMOUNT = re.compile(r"(?<![\w(])[-+]£")  # "-£0.29": say "less"/"more"
ALLOWED_WORDS = {"iPhone", "iPhones", "eSIM"}
HANDOVER = re.compile(r"\b(I'll pass you|I'm passing you|I'll put you through|I'm getting you a person)\b")
# Where customer-facing text is written outside domain.yml (module constants and calls that send text). The
# actions' glossary holds words filled into responses, not sentences: its words are checked in what every
# diagnosis says (tests/actions/test_wording.py).
SOURCES = [*sorted(set((PROJECT_ROOT / "actions").glob("*.py")) - {PROJECT_ROOT / "actions/glossary.py"}),
           *sorted((PROJECT_ROOT / "notify").glob("*.py")),
           PROJECT_ROOT / "bot/chat/delivery.py",
           PROJECT_ROOT / "bot/handoff/service.py", PROJECT_ROOT / "bot/handoff/tools.py"]  # fmt: skip
SENDING_CALLS = {"say", "utter_message", "message"}


def problems_with(text: str) -> list[str]:
    """What is wrong with one thing the customer reads; a response's ``{variable}`` counts as a word."""
    text = PLACEHOLDER.sub("X", text)
    found = []
    words = set(CAMEL_CODE.findall(text)) - ALLOWED_WORDS
    if words:
        found.append(f"code words {sorted(words)}")
    if SNAKE_CODE.search(text):
        found.append(f"identifier {SNAKE_CODE.search(text).group(0)!r}")  # type: ignore[union-attr]
    if LOWER_SENTENCE.search(text):
        found.append("a sentence starting in lower case")
    if SIGNED_AMOUNT.search(text):
        found.append("a signed amount")
    stripped = text.lstrip("\"'•(")
    if stripped and stripped[0].islower():
        found.append("starts in lower case")
    if "  " in text.replace("\n", " ").strip():
        found.append("double space")
    if len(HANDOVER.findall(text)) > 1:
        found.append("two hand-over sentences")
    return found


def domain_responses() -> list[tuple[str, str]]:
    return [(name, str(variant["text"])) for name, variants in DOMAIN["responses"].items() for variant in variants
            if variant.get("text")]  # fmt: skip


def source_sentences() -> list[tuple[str, str]]:
    """String constants that the code sends to customers: arguments of say/utter_message/message calls,
    UPPER_CASE constants and ``text = ...`` assignments; f-string placeholders become "X" so the words around
    them are checked."""
    found: list[tuple[str, str]] = []

    def flatten(node: ast.AST) -> str | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.JoinedStr):
            return "".join(v.value if isinstance(v, ast.Constant) else "X" for v in node.values)  # type: ignore[misc]
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = flatten(node.left), flatten(node.right)
            return (left or "X") + (right or "X") if left or right else None
        return None

    for path in SOURCES:
        tree = ast.parse(path.read_text())
        where = str(path.relative_to(PROJECT_ROOT))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "attr", getattr(node.func, "id", ""))
                if name in SENDING_CALLS:
                    args = [*node.args, *(k.value for k in node.keywords if k.arg == "text")]
                    found += [(f"{where}:{node.lineno}", t) for a in args if (t := flatten(a)) and " " in t]
            elif isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
                named = isinstance(target, ast.Name) and (target.id.isupper() or target.id == "text")
                if named and (t := flatten(node.value)) and " " in t and not t.startswith("\n"):  # not a script
                    found.append((f"{where}:{node.lineno}", t))
    return found
