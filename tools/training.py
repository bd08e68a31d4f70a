"""Train the Rasa model only when its inputs changed, and name it after them.

Rasa runs in the ENGINE venv (``.venv-engine``, Python 3.10; ``ENGINE_PYTHON`` points elsewhere): this module,
in the app venv, starts ``<engine python> -m rasa ...`` and never imports Rasa. The model file is
``models/triage-<fingerprint>.tar.gz``, where the fingerprint hashes the training data, ``config.yml``,
``domain.yml``, the project's own NLU components (``engine/nlu``), the build of the engine's spaCy pipeline and the
Rasa version of ``requirements-engine.lock``. The runner, the tests and ``make train`` all ask this module for the
path, so an unchanged checkout never trains twice.

Usage: python -m tools.training [--force]
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
MODEL_PREFIX = "triage-"
KEEP_MODELS = 3  # older models are removed; a few stay so a running server's model is not pulled away
ENGINE_SPACY_MODEL = Path(".cache/spacy/en_triage_md")
"""Rasa's spaCy 3.4 pipeline (config.yml's SpacyNLP), built by scripts/build_spacy_model.py; relative to the root."""
ENGINE_LOCK = "requirements-engine.lock"


def engine_python(root: Path = PROJECT_ROOT) -> Path:
    """The engine venv's interpreter, which runs Rasa: ``ENGINE_PYTHON`` when set, else ``.venv-engine``'s."""
    configured = os.environ.get("ENGINE_PYTHON")
    return Path(configured) if configured else root / ".venv-engine" / "bin" / "python"


def rasa_version(root: Path = PROJECT_ROOT) -> str:
    """The Rasa release the engine venv is installed with, read from its lock file (no Rasa import here)."""
    lock = root / ENGINE_LOCK
    text = lock.read_text() if lock.exists() else ""
    return next((line.split("==", 1)[1].strip() for line in text.splitlines() if line.startswith("rasa==")), "?")


def training_inputs(root: Path = PROJECT_ROOT) -> list[Path]:
    files = [root / "config.yml", root / "domain.yml"]
    files += sorted(p for p in (root / "data").rglob("*") if p.is_file() and p.suffix in {".yml", ".yaml"})
    files += sorted((root / "engine" / "nlu").rglob("*.py"))
    return files


def fingerprint(root: Path = PROJECT_ROOT, spacy_model: Path | None = None) -> str:
    spacy_model = spacy_model or root / ENGINE_SPACY_MODEL
    h = hashlib.sha256(f"rasa {rasa_version(root)}\n".encode())
    build_id = spacy_model / "BUILD_ID"
    h.update(build_id.read_bytes() if build_id.exists() else b"no spacy build")
    for path in training_inputs(root):
        h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()[:16]


def model_dir() -> Path:
    try:
        from core.settings import get_settings
    except ImportError:
        # The NLU benchmarks import this module in the engine venv, where the app's settings (pydantic 2) are not
        # installed: there the setting is read as core.settings would read it.
        return Path(os.environ.get("TRIAGE_MODEL_DIR") or PROJECT_ROOT / "models")
    return get_settings().model_dir


def model_path(root: Path = PROJECT_ROOT) -> Path:
    return model_dir() / f"{MODEL_PREFIX}{fingerprint(root)}.tar.gz"


def rasa_env() -> dict[str, str]:
    """Environment for Rasa commands: no telemetry calls out of a closed network, quiet TensorFlow."""
    env = dict(os.environ)
    env.update(RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="2", LOG_LEVEL_LIBRARIES="ERROR", TQDM_DISABLE="1")
    return env


def training_env(root: Path = PROJECT_ROOT) -> dict[str, str]:
    """``rasa_env`` with Rasa's cache of trained components kept per build of the spaCy pipeline: Rasa's cache keys
    know the pipeline by its path only, and would restore features computed with an earlier build."""
    build_id = root / ENGINE_SPACY_MODEL / "BUILD_ID"
    build = build_id.read_text().strip() if build_id.exists() else "none"
    return rasa_env() | {"RASA_CACHE_DIRECTORY": str(root / ".rasa" / f"cache-{build}")}


def rasa_command(root: Path = PROJECT_ROOT) -> list[str]:
    return [str(engine_python(root)), "-m", "rasa"]


def train(force: bool = False, root: Path = PROJECT_ROOT, target: Path | None = None, quiet: bool = False) -> Path:
    """Train the model of this checkout into ``models/`` (or into ``target``), unless it is already there."""
    target = target or model_path(root)
    if target.exists() and not force:
        print(f"Model up to date: {target.relative_to(root) if target.is_relative_to(root) else target}")
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    output = subprocess.DEVNULL if quiet else None
    env = training_env(root)
    started = time.monotonic()
    subprocess.run(
        [*rasa_command(root), "data", "validate"], cwd=root, env=env, check=True, stdout=output, stderr=output
    )
    subprocess.run(
        [
            *rasa_command(root),
            "train",
            "--skip-validation",  # validated just above; validating again cost 15 s of every training
            "--out",
            str(target.parent),
            "--fixed-model-name",
            target.name[: -len(".tar.gz")],
            *(["--force"] if force else []),  # --force also keeps Rasa's cache of trained components out
        ],
        cwd=root,
        env=env,
        check=True,
        stdout=output,
        stderr=output,
    )
    print(f"Trained {target.name} in {time.monotonic() - started:.0f}s")
    _prune(target)
    return target


def _prune(keep: Path) -> None:
    models = sorted(keep.parent.glob(f"{MODEL_PREFIX}*.tar.gz"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in models[KEEP_MODELS:]:
        if old != keep:
            old.unlink(missing_ok=True)


def main(argv: list[str]) -> int:
    try:
        train(force="--force" in argv)
    except subprocess.CalledProcessError as exc:
        print(f"Training failed (rasa {' '.join(exc.cmd[3:5])} exited {exc.returncode}): see the output above.")
        return 1
    except FileNotFoundError as exc:
        print(f"The engine venv's Python is missing ({exc.filename}): run `make setup`, or set ENGINE_PYTHON.")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
