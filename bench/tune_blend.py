"""Tune BlendedIntentClassifier's settings on cross-validation folds without retraining DIET for every setting.

For each fold seed and fold (stratified like `rasa test nlu --cross-validation`, though not the same draws), the
pipeline up to DIET is trained once with `rasa train nlu`, and every message of the fold is featurized and
ranked by it. Those messages are kept in the cache directory; each setting of the blend is then trained and
scored on them in seconds, by the real component. Prints intent macro-F1, accuracy and the share of held-out
messages below the fallback threshold for every setting and fold seed.

config.yml has had no DIETClassifier since issue #20 (the linear SVM answers alone, `diet_weight: 0.0`). When
it has none, the DIET the project blended in before (`PROJECT_DIET` below) takes the blend's place, so that
`--diet-weight 0,0.2` still weighs DIET against none (0 is the SVM alone, as the product runs). A config.yml with
its own DIETClassifier is tuned with that one, which must rank every intent (`ranking_length: 0`).

    .venv-engine/bin/python bench/tune_blend.py --seeds 0,1              # about 25 minutes the first time on 2 cores
    .venv-engine/bin/python bench/tune_blend.py --seeds 0,1 --C 0.5,1,2 --temperature 3,4,5 --diet-weight 0,0.2
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import itertools
import os
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_nlu import fallback_settings  # noqa: E402

from engine.nlu.blended_intents import BlendedIntentClassifier  # noqa: E402
from tools.training import ENGINE_SPACY_MODEL, rasa_command, rasa_env  # noqa: E402

BLEND = "engine.nlu.blended_intents.BlendedIntentClassifier"
DIET = "DIETClassifier"
FOLDS = 5

# The DIETClassifier config.yml held until issue #20 (docs/triage.md says why these settings): intents only, from the
# sentence-level features, with a fixed seed.
PROJECT_DIET: dict[str, Any] = {
    "name": DIET,
    "epochs": 20,
    "random_seed": 42,
    "constrain_similarities": True,
    "entity_recognition": False,
    "number_of_transformer_layers": 0,
    "hidden_layers_sizes": {"text": [], "label": []},
    "drop_rate": 0.5,
    "embedding_dimension": 50,
    "ranking_length": 0,  # every intent's confidence, for the blend
}


def fingerprint(config: dict[str, Any]) -> str:
    """Of what the cached folds depend on: the training data, the pipeline up to DIET and the build of the spaCy
    pipeline (config.yml names it by its path only)."""
    digest = hashlib.sha256(yaml.safe_dump(config).encode())
    build_id = ROOT / ENGINE_SPACY_MODEL / "BUILD_ID"
    digest.update(build_id.read_bytes() if build_id.exists() else b"no spacy build")
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def diet_config(config: dict[str, Any]) -> dict[str, Any]:
    """The configured pipeline up to DIET: what the blend reads, without the blend and the fallback. Without a
    DIETClassifier of its own, :data:`PROJECT_DIET` takes the blend's place."""
    names = [c["name"] for c in config["pipeline"]]
    if BLEND not in names:
        raise ValueError(f"config.yml has no {BLEND} to tune")
    diets = [c for c in config["pipeline"] if c["name"] == DIET]
    if any(d.get("ranking_length") != 0 for d in diets):
        raise ValueError(f"config.yml's {DIET} needs 'ranking_length: 0': the blend weighs every intent's confidence")
    pipeline: list[dict[str, Any]] = []
    for component in config["pipeline"]:
        if component["name"] == BLEND and not diets:
            pipeline.append(copy.deepcopy(PROJECT_DIET))
        if component["name"] not in (BLEND, "FallbackClassifier"):
            pipeline.append(component)
    return {**config, "pipeline": pipeline}


def ranked(processor: Any, example: Any) -> Any:
    """The example as the fold's model sees it: featurized and ranked by DIET, with its label."""
    from rasa.core.channels.channel import UserMessage
    from rasa.engine.constants import PLACEHOLDER_MESSAGE, PLACEHOLDER_TRACKER
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, INTENT_RANKING_KEY, TEXT
    from rasa.shared.nlu.training_data.message import Message

    target = processor.model_metadata.nlu_target
    inputs = {PLACEHOLDER_MESSAGE: [UserMessage(example.get(TEXT))], PLACEHOLDER_TRACKER: DialogueStateTracker("", [])}
    parsed = processor.graph_runner.run(inputs=inputs, targets=[target])[target][0]
    # Only what the blend reads: the spaCy document and token features would hold gigabytes for ten folds.
    return Message(
        data={TEXT: example.get(TEXT), INTENT: example.get(INTENT), INTENT_RANKING_KEY: parsed.get(INTENT_RANKING_KEY)},
        features=[f for f in parsed.features if f.attribute == TEXT and f.type == FEATURE_TYPE_SENTENCE],
    )


def ranked_folds(seed: int, cache: Path, config: dict[str, Any]) -> list[dict[str, list[Any]]]:
    """Per fold, the featurized training and held-out messages, each with DIET's ranking of every intent."""
    from rasa.core.agent import Agent
    from rasa.nlu.test import generate_folds
    from rasa.shared.nlu.training_data.loading import load_data

    np.random.seed(seed)
    folds = []
    for k, (train, test) in enumerate(generate_folds(FOLDS, load_data(str(ROOT / "data" / "nlu")))):
        stored = cache / f"seed{seed}-fold{k}.pickle"
        if stored.exists():
            folds.append(pickle.loads(stored.read_bytes()))  # noqa: S301 (this script's own cache)
            continue
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            train.persist_nlu(str(work / "train.yml"))
            (work / "config.yml").write_text(yaml.safe_dump(config, sort_keys=False))
            subprocess.run(
                [*rasa_command(), "train", "nlu", "--nlu", str(work / "train.yml"),
                 "--config", str(work / "config.yml"), "--out", str(work), "--fixed-model-name", "fold"],
                cwd=ROOT, env={**rasa_env(), "RASA_CACHE_DIRECTORY": str(work / "cache")}, check=True,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            processor = Agent.load(str(work / "fold.tar.gz")).processor
            fold = {
                "train": [ranked(processor, m) for m in train.intent_examples],
                "test": [ranked(processor, m) for m in test.intent_examples],
            }
        stored.write_bytes(pickle.dumps(fold))
        print(f"  fold seed {seed}, fold {k}: DIET trained, {len(fold['train']) + len(fold['test'])} messages ranked")
        folds.append(fold)
    return folds


def score(folds: list[dict[str, list[Any]]], settings: dict[str, Any], threshold: float) -> dict[str, float]:
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.nlu.constants import INTENT
    from rasa.shared.nlu.training_data.training_data import TrainingData
    from sklearn.metrics import accuracy_score, f1_score

    truth: list[str] = []
    said: list[str] = []
    confidence: list[float] = []
    for fold in folds:
        with tempfile.TemporaryDirectory() as tmp:
            storage, resource = LocalModelStorage(Path(tmp)), Resource("blend")
            BlendedIntentClassifier.create(settings, storage, resource, None).train(  # type: ignore[arg-type]
                TrainingData(training_examples=fold["train"])
            )
            classifier = BlendedIntentClassifier.load(settings, storage, resource, None)  # type: ignore[arg-type]
            held_out = [copy.deepcopy(m) for m in fold["test"]]
            truth += [m.get(INTENT) for m in held_out]
            for message in classifier.process(held_out):
                said.append(message.get(INTENT)["name"])
                confidence.append(message.get(INTENT)["confidence"])
    return {
        "macro_f1": float(f1_score(truth, said, average="macro")),
        "accuracy": float(accuracy_score(truth, said)),
        "below": float((np.array(confidence) < threshold).mean()),
    }


def numbers(text: str) -> list[float]:
    return [float(x) for x in text.split(",")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", default="0,1", help="fold seeds, comma-separated")
    parser.add_argument("--diet-weight", type=numbers, default=[0.0, 0.1, 0.2, 0.3, 1.0])
    parser.add_argument("--C", type=numbers, default=[0.5, 1.0, 2.0])
    parser.add_argument("--temperature", type=numbers, default=[3.0, 4.0, 5.0])
    parser.add_argument("--cache", type=Path, default=ROOT / ".cache" / "tune_blend")
    args = parser.parse_args()
    os.environ.update(rasa_env())
    config = yaml.safe_load((ROOT / "config.yml").read_text())
    try:
        up_to_diet = diet_config(config)
    except ValueError as error:
        parser.error(str(error))
    blend = next(c for c in config["pipeline"] if c["name"] == BLEND)
    threshold = fallback_settings(config)["threshold"]
    cache = args.cache / fingerprint(up_to_diet)
    cache.mkdir(parents=True, exist_ok=True)
    seeds = [int(s) for s in args.seeds.split(",")]
    folds = {seed: ranked_folds(seed, cache, up_to_diet) for seed in seeds}
    print(f"{FOLDS}-fold macro-F1 / accuracy / held-out share below the fallback threshold {threshold}, per fold seed")
    for weight, c, temperature in itertools.product(args.diet_weight, args.C, args.temperature):
        settings = {"origins": blend["origins"], "diet_weight": weight, "C": c, "temperature": temperature}
        figures = [score(folds[seed], settings, threshold) for seed in seeds]
        print(
            f"diet_weight {weight:.2f}  C {c:<5g} temperature {temperature:<4g} "
            + "  ".join(
                f"seed {s}: {f['macro_f1']:.4f} / {f['accuracy']:.4f} / {f['below']:.3f}"
                for s, f in zip(seeds, figures, strict=True)
            ),
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
