"""Intent classification by a TF-IDF linear support vector machine, with DIET's ranking blended in when there is one.

The product's pipeline (config.yml) has no DIETClassifier since issue #20: this component classifies alone, from
the featurizers' counts, as a linear SVM over TF-IDF word and character n-grams beside the mean word vector, and
sets the message's intent and ranking. On the project's data that model understands more held-out messages than
DIET over the same features (docs/triage.md has the figures), and unlike DIET it needs no TensorFlow, so the Rasa
server runs without it (engine/without_tensorflow.py).

DIET's ranking is optional. When a `DIETClassifier` precedes this component (configured with
``ranking_length: 0`` so that its ranking covers every intent) and ``diet_weight`` is above 0, its intent and
ranking are replaced with the blend ``diet_weight * DIET + (1 - diet_weight) * linear`` (the two are wrong on
different messages; bench/tune_blend.py weighs them). A message that carries no ranking is answered by the linear
model alone, whatever ``diet_weight`` says. The `FallbackClassifier` after it judges the resulting confidence.

The linear model's confidences are a softmax of its one-vs-rest margins times ``temperature``: a margin is not
a probability, and the temperature sets how sure a clear margin makes the model (with 4, a margin of 1 over the
runner-up gives about 0.98), so that the fallback threshold means what it meant with DIET's confidences.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.featurizer import Featurizer
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.svm import LinearSVC

from engine.nlu.tfidf import fit_idf, unit_rows, weigh

logger = logging.getLogger(__name__)

MODEL_FILE = "linear_intents.npz"
IDF_PREFIX = "idf:"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class BlendedIntentClassifier(GraphComponent):  # type: ignore[misc]
    """A TF-IDF linear SVM's intent ranking, blended with DIET's when a DIETClassifier precedes it."""

    @classmethod
    def required_components(cls) -> list[type]:
        # Rasa checks these against the training graph, where the classifier learns from the featurizers alone;
        # DIET's ranking only meets it when messages are classified.
        return [Featurizer]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            # Aliases of the CountVectorsFeaturizers whose counts the linear model reads, as TF-IDF.
            "origins": [],
            # Share of DIET in the blend; the linear model's inverse regularisation strength, and the factor on
            # its margins before the softmax that turns them into confidences.
            "diet_weight": 0.2,
            "C": 1.0,
            "temperature": 4.0,
            "ranking_length": 10,
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: dict[str, npt.NDArray[np.float64]] | None = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        origins = self._config["origins"]
        if not origins or not all(isinstance(o, str) for o in origins):
            raise InvalidConfigException(
                "BlendedIntentClassifier needs 'origins': the aliases of the CountVectorsFeaturizers it reads."
            )
        if not 0.0 <= float(self._config["diet_weight"]) <= 1.0:
            raise InvalidConfigException("BlendedIntentClassifier 'diet_weight' must be between 0 and 1.")
        if float(self._config["temperature"]) <= 0.0 or float(self._config["C"]) <= 0.0:
            raise InvalidConfigException("BlendedIntentClassifier 'temperature' and 'C' must be positive.")
        self._origins: list[str] = list(origins)
        self._model_storage = model_storage
        self._resource = resource
        self._model = model
        self._idf = self._idf_of(model)

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> BlendedIntentClassifier:
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> BlendedIntentClassifier:
        with model_storage.read_from(resource) as directory, np.load(directory / MODEL_FILE) as stored:
            model = {name: stored[name] for name in stored.files}
        return cls(config, model_storage, resource, model)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples if self._has_features(m)]
        if not examples:
            raise InvalidConfigException(
                f"BlendedIntentClassifier found no sentence features from {self._origins} on the training "
                "messages: give those CountVectorsFeaturizers these aliases and list the classifier after them."
            )
        idf = {
            origin: fit_idf(scipy.sparse.vstack([self._counts(m, origin) for m in examples]))
            for origin in self._origins
        }
        dense = examples[0].get_dense_features(TEXT)[1]
        dense_size = np.array(0 if dense is None else np.asarray(dense.features).size)
        features = self._features(examples, idf, int(dense_size))
        labels = np.array([m.get(INTENT) for m in examples])
        linear = LinearSVC(C=float(self._config["C"]), max_iter=5000, random_state=0)
        linear.fit(features, labels)
        self._idf = idf
        self._model = {
            "classes": linear.classes_.astype(str),
            "coef": linear.coef_,
            "intercept": linear.intercept_,
            "dense_size": dense_size,
            **{IDF_PREFIX + origin: weights for origin, weights in idf.items()},
        }
        with self._model_storage.write_to(self._resource) as directory:
            np.savez(directory / MODEL_FILE, **self._model)
        return self._resource

    def process(self, messages: list[Message]) -> list[Message]:
        if self._model is None:
            raise RuntimeError("BlendedIntentClassifier used before it was trained")
        classes = [str(c) for c in self._model["classes"]]
        for message in messages:
            if not self._has_features(message):
                continue
            linear = self._linear_probabilities(message)
            diet = self._diet_probabilities(message, classes)
            weight = float(self._config["diet_weight"])
            blended = linear if diet is None else weight * diet + (1.0 - weight) * linear
            ranking: list[dict[str, Any]] = [
                {"name": name, "confidence": float(p)} for name, p in zip(classes, blended, strict=True)
            ]
            ranking.sort(key=lambda entry: -float(entry["confidence"]))
            message.set(INTENT, ranking[0], add_to_output=True)
            length = int(self._config["ranking_length"])
            message.set(INTENT_RANKING_KEY, ranking[:length] if length > 0 else ranking, add_to_output=True)
        return messages

    def _linear_probabilities(self, message: Message) -> npt.NDArray[np.float64]:
        scores = self._linear_scores(message) * float(self._config["temperature"])
        if scores.size == 1:  # two intents only: scikit-learn keeps one score, for the second class
            scores = np.array([-scores[0], scores[0]])
        exp = np.exp(scores - scores.max())
        return np.asarray(exp / exp.sum())

    def _linear_scores(self, message: Message) -> npt.NDArray[np.float64]:
        """The SVM's margins for one message: what ``_features([message]) @ coef.T + intercept`` gives, computed
        on the message's few non-zero terms (building sparse matrices for one row cost 13% of the Rasa server's
        CPU per message, issue #20)."""
        assert self._model is not None
        coef = self._model["coef"]
        scores: npt.NDArray[np.float64] = np.array(self._model["intercept"], dtype=np.float64)
        offset = 0
        for origin in self._origins:
            idf = self._idf[origin]
            counts = scipy.sparse.csr_matrix(self._counts(message, origin), dtype=np.float64)  # repeats summed
            if counts.shape[1] != idf.shape[0]:
                raise ValueError(f"{counts.shape[1]} terms to weigh, but the weights were learnt for {idf.shape[0]}")
            if counts.nnz:
                weights = (1.0 + np.log(np.maximum(counts.data, 1.0))) * idf[counts.indices]
                norm = float(np.sqrt(weights @ weights))
                if norm:
                    scores = scores + coef[:, offset + counts.indices] @ (weights / norm)
            offset += idf.shape[0]
        dense_size = int(self._model["dense_size"])
        if dense_size:
            vector = self._dense(message, dense_size)
            norm = float(np.linalg.norm(vector))
            if norm:
                scores = scores + coef[:, offset : offset + dense_size] @ (vector / norm)
        return scores

    @staticmethod
    def _diet_probabilities(message: Message, classes: list[str]) -> npt.NDArray[np.float64] | None:
        ranking = message.get(INTENT_RANKING_KEY) or []
        confidences = {entry["name"]: entry["confidence"] for entry in ranking}
        if not confidences:
            return None
        return np.array([confidences.get(name, 0.0) for name in classes])

    def _idf_of(self, model: dict[str, npt.NDArray[np.float64]] | None) -> dict[str, npt.NDArray[np.float64]]:
        if model is None:
            return {}
        missing = [o for o in self._origins if IDF_PREFIX + o not in model]
        if missing:
            raise InvalidConfigException(
                f"BlendedIntentClassifier was trained without the origins {missing}: retrain the model."
            )
        return {origin: model[IDF_PREFIX + origin] for origin in self._origins}

    def _has_features(self, message: Message) -> bool:
        return all(self._counts(message, origin) is not None for origin in self._origins)

    @staticmethod
    def _counts(message: Message, origin: str) -> scipy.sparse.spmatrix | None:
        """The sentence-level bag-of-words counts the featurizer called ``origin`` put on the message."""
        for feature in message.features:
            if (
                feature.attribute == TEXT
                and feature.type == FEATURE_TYPE_SENTENCE
                and feature.is_sparse()
                and feature.origin == origin
            ):
                return feature.features
        return None

    def _features(
        self, messages: list[Message], idf: dict[str, npt.NDArray[np.float64]], dense_size: int
    ) -> scipy.sparse.csr_matrix:
        """TF-IDF of each origin's counts, then the dense sentence vector (the mean word vector) of unit length."""
        blocks = [
            weigh(scipy.sparse.vstack([self._counts(m, origin) for m in messages]), idf[origin])
            for origin in self._origins
        ]
        if dense_size:
            blocks.append(unit_rows(scipy.sparse.csr_matrix(np.vstack([self._dense(m, dense_size) for m in messages]))))
        return scipy.sparse.csr_matrix(scipy.sparse.hstack(blocks))

    @staticmethod
    def _dense(message: Message, size: int) -> npt.NDArray[np.float64]:
        found = message.get_dense_features(TEXT)[1]
        vector = np.zeros(size) if found is None else np.asarray(found.features, dtype=np.float64).ravel()
        if vector.size != size:
            raise ValueError(f"dense sentence features of size {vector.size}, the model was trained on {size}")
        return vector
