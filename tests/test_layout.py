"""The layout is a map of processes: which package may import which, checked against the code's own imports.

Only the engine runs inside Rasa (Python 3.10); everything else runs on the app venv, where `rasa` is not even
installed, so an import of it anywhere else would fail at run time. The simulator stands in for an operator's
OSS/BSS and must not lean on the product it simulates for.
"""

from __future__ import annotations

import ast
import subprocess
import sys

from tools.import_map import FRAMEWORKS, PACKAGES, ROOT, import_map, imported_modules, module_name, python_files

ALLOWED = {
    "core": set(),
    "engine": {"core"},  # only the learning-event contract: see the test below
    "simulator": set(),
    "learning": {"core"},
    # The notifier tells a waiting customer in their chat, through the chat's own publisher (bot/chat/publisher.py),
    # as any process may: the gateways deliver it.
    "notify": {"core", "bot"},
    # The network sensor keeps incidents (core's contract) and hands their subscribers to the notifier's store.
    "sensor": {"core", "notify"},
    "actions": {"core", "notify", "learning"},
    "bot": {"core", "learning", "notify"},
    "tools": set(PACKAGES) - {"tools", "engine"},
}
"""Product packages each package may import; ``tools`` (CLIs, the runner) may use any package but the engine."""

RASA_RUNTIME = {"rasa", "tensorflow"}
WEB_FRAMEWORKS = {"fastapi", "starlette", "socketio", "sanic", "rasa_sdk"}


def test_each_package_imports_only_the_packages_its_process_may_use() -> None:
    graph = import_map()
    wrong = {
        f"{package} -> {target}: {files}"
        for package, targets in graph.items()
        for target, files in targets.items()
        if target in PACKAGES and target not in ALLOWED[package]
    }
    assert not wrong, "\n".join(sorted(wrong))


def test_only_the_engine_imports_rasa() -> None:
    graph = import_map()
    outside = {p: graph[p][f] for p in PACKAGES if p != "engine" for f in RASA_RUNTIME if f in graph[p]}
    assert not outside, outside
    assert "rasa" in graph["engine"], "the engine's plugins are Rasa components: the map should see them"


def test_core_imports_no_framework() -> None:
    used = set(import_map()["core"]) & (set(FRAMEWORKS) | WEB_FRAMEWORKS)
    assert not used, used


def test_the_app_runtime_has_no_rasa_installed() -> None:
    """The app venv (this one) cannot import Rasa or TensorFlow: the split is real, not a convention."""
    probe = "import importlib.util as u; print([m for m in ('rasa', 'tensorflow') if u.find_spec(m)])"
    found = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True)
    assert found.stdout.strip() == "[]", found.stdout
    assert sys.version_info >= (3, 12), f"the app runs on a supported Python, not {sys.version.split()[0]}"


def test_the_engine_takes_only_the_pure_learning_event_contract_from_the_product() -> None:
    """The engine venv has none of the app's libraries: what it shares must be standard-library Python."""
    shared = "core.contracts.learning_events"
    product = {
        name
        for path in python_files("engine")
        for name in imported_modules(ast.parse(path.read_text(encoding="utf-8")), module_name(path))
        if name.split(".")[0] in PACKAGES and name.split(".")[0] != "engine"
    }
    assert product == {shared}, product
    contract = ROOT / "core" / "contracts" / "learning_events.py"
    used = {n.split(".")[0] for n in imported_modules(ast.parse(contract.read_text(encoding="utf-8")), shared)}
    assert used <= set(sys.stdlib_module_names) | {"__future__"}, used


def test_the_gateway_loads_no_spacy() -> None:
    """The gateway never runs spaCy: loading it stalls its event loop, and Redis commands time out behind it.
    Survey comments are redacted by the learning consumer (``learning/survey_comments.py``) instead."""
    importing = {
        str(path.relative_to(ROOT))
        for path in python_files("bot")
        for name in imported_modules(ast.parse(path.read_text(encoding="utf-8")), module_name(path))
        if name == "spacy" or name.startswith(("spacy.", "learning.redaction", "learning.events"))
    }
    assert not importing, importing
    probe = (
        "import importlib, pkgutil, sys, bot, bot.app\n"
        "for found in pkgutil.walk_packages(bot.__path__, 'bot.'):\n"
        "    importlib.import_module(found.name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('spacy', 'thinc') "
        "or m.startswith('learning.redaction')))"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True)
    assert loaded.stdout.strip() == "[]", loaded.stdout
