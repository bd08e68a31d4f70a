"""The Rasa server runs without TensorFlow when its model needs none, and with it when a component does."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from engine.without_tensorflow import components_of, needs_tensorflow, served_model
from tools.training import model_path

ROOT = Path(__file__).resolve().parents[2]

SERVE_WITHOUT_TENSORFLOW = """
import asyncio, sys
from engine import without_tensorflow
assert without_tensorflow.install_unless_needed(["--model", sys.argv[1]])
from rasa.core.agent import load_agent
import tensorflow as tf, thinc.compat

async def main() -> None:
    agent = await load_agent(model_path=sys.argv[1])
    parsed = await agent.parse_message("my broadband has been down since yesterday")
    print(parsed["intent"]["name"])
    print(type(sys.modules["tensorflow"]).__name__, thinc.compat.has_tensorflow)
    try:
        tf.constant([1.0])
    except without_tensorflow.TensorFlowNotLoaded as refused:
        print("refused:", refused)

asyncio.run(main())
"""


def archive_with(tmp_path: Path, components: list[str]) -> Path:
    """A model archive whose metadata lists ``components`` in its prediction graph (nothing else is read)."""
    metadata = {"predict_schema": {"nodes": {f"run_{i}": {"uses": c} for i, c in enumerate(components)}}}
    path = tmp_path / "model.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        data = json.dumps(metadata).encode()
        info = tarfile.TarInfo("metadata.json")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    return path


def test_the_products_model_needs_no_tensorflow() -> None:
    model = model_path()
    components = components_of(model)
    assert components and "engine.nlu.blended_intents.BlendedIntentClassifier" in components
    assert not needs_tensorflow(model)


@pytest.mark.parametrize(
    "component",
    ["rasa.nlu.classifiers.diet_classifier.DIETClassifier", "rasa.core.policies.ted_policy.TEDPolicy", "my.Custom"],
)
def test_a_model_with_a_neural_or_unknown_component_gets_tensorflow(tmp_path: Path, component: str) -> None:
    model = archive_with(tmp_path, ["rasa.nlu.utils.spacy_utils.SpacyNLP", component])
    assert needs_tensorflow(model)


def test_an_unreadable_or_missing_model_gets_tensorflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.tar.gz"
    broken.write_bytes(b"not a tar")
    assert needs_tensorflow(broken)
    assert needs_tensorflow(None)
    assert served_model(["--model", str(tmp_path / "absent.tar.gz")]) is None


def test_the_served_model_is_rasas_choice(tmp_path: Path) -> None:
    older, newer = tmp_path / "a.tar.gz", tmp_path / "b.tar.gz"
    older.write_bytes(b"")
    newer.write_bytes(b"")
    os.utime(older, (1, 1))
    assert served_model(["--enable-api", "--model", str(tmp_path)]) == newer  # the newest, as `rasa run` picks
    assert served_model([f"--model={older}"]) == older


def test_a_server_without_tensorflow_understands_and_refuses_tensorflow_work() -> None:
    done = subprocess.run(  # a fresh interpreter: this one imported the real TensorFlow with Rasa
        [sys.executable, "-c", SERVE_WITHOUT_TENSORFLOW, str(model_path())],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={"RASA_TELEMETRY_ENABLED": "false", "PATH": "/usr/bin:/bin", "HOME": str(Path.home())},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    intent, kind, refused = done.stdout.strip().splitlines()[-3:]
    assert intent == "report_internet_down"
    assert kind == "_StandIn False"  # the stand-in is TensorFlow here, and spaCy's thinc knows it has none
    assert refused.startswith("refused: tensorflow.constant was called")
