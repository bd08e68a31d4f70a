"""The training data, domain and rules agree (``rasa data validate``), and the model is reused when unchanged."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from core.settings import PROJECT_ROOT
from tools.training import fingerprint, rasa_command, rasa_env

RASA_DEFAULT_ACTION_RESPONSES = {"utter_default"}  # sent by action_default_fallback (the core fallback)
UNUSED_UTTERANCE = re.compile(r"The utterance '(\w+)' is not used in any story or rule")


def test_rasa_data_validate_is_clean() -> None:
    done = subprocess.run([*rasa_command(), "data", "validate"], cwd=PROJECT_ROOT, env=rasa_env(),
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-3000:]
    warnings = [line for line in output.splitlines() if "UserWarning" in line]
    # Rasa cannot see responses sent from custom actions or asked by forms; each must really be used there.
    code = "\n".join(p.read_text() for p in (PROJECT_ROOT / "actions").rglob("*.py"))
    for line in warnings:
        match = UNUSED_UTTERANCE.search(line)
        assert match, f"unexpected validation warning: {line}"
        name = match.group(1)
        sent = re.search(rf"\b{name}\b", code) is not None
        used = sent or name.startswith("utter_ask_") or name in RASA_DEFAULT_ACTION_RESPONSES
        assert used, f"{name} is used nowhere"


def test_the_model_fingerprint_changes_with_the_data_and_only_then(tmp_path: Path) -> None:
    copy = tmp_path / "project"
    for name in ("config.yml", "domain.yml"):
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(PROJECT_ROOT / name, copy / name)
    shutil.copytree(PROJECT_ROOT / "data", copy / "data")
    before = fingerprint(copy)
    assert fingerprint(copy) == before
    nlu = copy / "data" / "nlu" / "conversation.yml"
    nlu.write_text(nlu.read_text() + "\n    - hiya there\n")
    with_new_example = fingerprint(copy)
    assert with_new_example != before
    # The project's own NLU components (engine/nlu) are part of the model: changing their code retrains it.
    shutil.copytree(PROJECT_ROOT / "engine" / "nlu", copy / "engine" / "nlu")
    with_components = fingerprint(copy)
    assert with_components != with_new_example
    component = copy / "engine" / "nlu" / "tfidf.py"
    component.write_text(component.read_text() + "\n# changed\n")
    assert fingerprint(copy) != with_components
