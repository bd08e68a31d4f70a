"""The project's NLU components: TF-IDF weighting and the linear intent classifier, alone and blended with DIET.

Trained, persisted and loaded through Rasa's own model storage; the messages carry hand-made features so
that what each model says is known exactly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import scipy.sparse
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from engine.nlu.blended_intents import BlendedIntentClassifier
from engine.nlu.tfidf import fit_idf, weigh

# Vocabulary of the "words" featurizer: 0 "my", 1 "internet", 2 "down", 3 "bill", 4 "high"
INTERNET = [1, 1, 1, 0, 0]
BILL = [1, 0, 0, 1, 1]


def message(counts: list[int], intent: str | None = None, diet: dict[str, float] | None = None) -> Message:
    data: dict[str, Any] = {TEXT: "a customer's message"}
    if intent:
        data[INTENT] = intent
    found = Message(data=data)
    found.add_features(Features(scipy.sparse.coo_matrix(np.array([counts])), FEATURE_TYPE_SENTENCE, TEXT, "words"))
    found.add_features(Features(np.array([[float(c) for c in counts[:3]]]), FEATURE_TYPE_SENTENCE, TEXT, "spacy"))
    if diet is not None:
        found.set("intent_ranking", [{"name": n, "confidence": c} for n, c in diet.items()])
        found.set(INTENT, max(({"name": n, "confidence": c} for n, c in diet.items()), key=lambda e: e["confidence"]))
    return found


def trained(tmp_path: Path, **config: Any) -> BlendedIntentClassifier:
    (tmp_path / "model").mkdir()
    storage = LocalModelStorage(tmp_path / "model")
    resource = Resource("blended_intents")
    settings = {"origins": ["words"], **config}
    component = BlendedIntentClassifier.create(settings, storage, resource, None)  # type: ignore[arg-type]
    examples = [message(INTERNET, "report_internet_down") for _ in range(5)]
    examples += [message(BILL, "bill_too_high") for _ in range(5)]
    component.train(TrainingData(training_examples=examples))
    # What a Rasa server does: load the persisted component, not reuse the trained object.
    return BlendedIntentClassifier.load(settings, storage, resource, None)  # type: ignore[arg-type]


def test_rare_terms_weigh_more_than_common_ones_and_every_message_has_unit_length() -> None:
    counts = scipy.sparse.csr_matrix(np.array([INTERNET, BILL, [3, 0, 0, 0, 1]]))
    weighted = weigh(counts, fit_idf(counts)).toarray()
    assert weighted[0, 1] > weighted[0, 0]  # "internet" (in one message) above "my" (in all three)
    assert np.allclose(np.linalg.norm(weighted, axis=1), 1.0)
    with pytest.raises(ValueError, match="5 terms to weigh, but the weights were learnt for 4"):
        weigh(counts, np.ones(4))


def test_the_linear_model_outvotes_a_diet_that_is_wrong(tmp_path: Path) -> None:
    classifier = trained(tmp_path, diet_weight=0.3)
    said = classifier.process([message(INTERNET, diet={"bill_too_high": 0.9, "report_internet_down": 0.1})])[0]
    ranking = said.get("intent_ranking")
    assert said.get(INTENT)["name"] == "report_internet_down"
    assert [e["name"] for e in ranking] == ["report_internet_down", "bill_too_high"]
    assert sum(e["confidence"] for e in ranking) == pytest.approx(1.0)
    assert said.get(INTENT)["confidence"] == ranking[0]["confidence"]


def test_with_all_the_weight_on_diet_its_answer_stands(tmp_path: Path) -> None:
    classifier = trained(tmp_path, diet_weight=1.0)
    said = classifier.process([message(INTERNET, diet={"bill_too_high": 0.9, "report_internet_down": 0.1})])[0]
    assert said.get(INTENT) == {"name": "bill_too_high", "confidence": pytest.approx(0.9)}


def test_without_a_diet_ranking_the_linear_model_answers_alone(tmp_path: Path) -> None:
    said = trained(tmp_path).process([message(BILL)])[0]
    assert said.get(INTENT)["name"] == "bill_too_high"
    assert said.get(INTENT)["confidence"] > 0.5


def test_the_temperature_sets_how_sure_the_linear_model_is(tmp_path: Path) -> None:
    (tmp_path / "cool").mkdir()
    (tmp_path / "hot").mkdir()
    cautious = trained(tmp_path / "cool", temperature=0.1).process([message(BILL)])[0].get(INTENT)
    sure = trained(tmp_path / "hot", temperature=4.0).process([message(BILL)])[0].get(INTENT)
    assert cautious["name"] == sure["name"] == "bill_too_high"
    # Below the fallback threshold of 0.6 the bot asks "did you mean"; a higher temperature answers outright.
    assert cautious["confidence"] < 0.6 < 0.9 < sure["confidence"]


@pytest.mark.parametrize(
    ("config", "complaint"),
    [
        ({}, "needs 'origins'"),
        ({"origins": ["words"], "diet_weight": 1.5}, "between 0 and 1"),
        ({"origins": ["words"], "temperature": 0}, "must be positive"),
    ],
)
def test_a_wrong_configuration_is_refused_saying_what_is_wrong(config: dict[str, Any], complaint: str) -> None:
    with pytest.raises(InvalidConfigException, match=complaint):
        BlendedIntentClassifier(config, LocalModelStorage(Path("/nonexistent")), Resource("x"))


def test_training_without_the_named_featurizer_says_how_to_fix_the_pipeline(tmp_path: Path) -> None:
    (tmp_path / "model").mkdir()
    storage = LocalModelStorage(tmp_path / "model")
    component = BlendedIntentClassifier.create({"origins": ["chars"]}, storage, Resource("b"), None)  # type: ignore[arg-type]
    with pytest.raises(InvalidConfigException, match="give those CountVectorsFeaturizers these aliases"):
        component.train(TrainingData(training_examples=[message(INTERNET, "report_internet_down")]))


def test_one_message_is_scored_as_the_batch_of_training_scores_it(tmp_path: Path) -> None:
    """The per-message path the server runs gives the margins of the matrix path used in training."""
    rng = np.random.default_rng(7)
    intents = ["report_internet_down", "bill_too_high", "order_status"]
    examples = []
    for i, intent in enumerate(intents):
        for _ in range(8):
            counts = rng.integers(0, 3, size=5)
            counts[i] += 3  # each intent leans on its own term
            examples.append(message([int(c) for c in counts], intent))
    (tmp_path / "model").mkdir()
    storage, resource = LocalModelStorage(tmp_path / "model"), Resource("blended_intents")
    component = BlendedIntentClassifier.create({"origins": ["words"]}, storage, resource, None)  # type: ignore[arg-type]
    component.train(TrainingData(training_examples=examples))
    model = component._model
    assert model is not None
    for counts in ([0, 0, 0, 0, 0], [2, 1, 0, 0, 4], [5, 0, 1, 1, 0], *rng.integers(0, 4, size=(20, 5)).tolist()):
        one = message(counts)
        batch = component._features([one], component._idf, int(model["dense_size"])) @ model["coef"].T
        assert np.allclose(component._linear_scores(one), np.asarray(batch).ravel() + model["intercept"])
