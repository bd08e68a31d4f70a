"""Serve a model that needs no TensorFlow without loading TensorFlow.

Rasa 3.6 imports TensorFlow from modules every server loads (the training callbacks, the layers and model classes
its featurizers and policies share), though only its neural components (DIET, TED, ResponseSelector, the language
model featurizers) compute with it. Importing it costs about 590 MB of resident memory and seconds at start
(issue #20). When every component of the model to serve is one of :data:`NO_TENSORFLOW`, the server gets a
stand-in for ``tensorflow`` (and its companion packages) instead: a module whose attributes are placeholders, so
that those imports can define their classes (``class X(tf.keras.Model)``) and annotations (``tf.Tensor``), and
whose every call raises :class:`TensorFlowNotLoaded`, so nothing can compute with it unnoticed. Any other
component, or a model that cannot be read, gets the real TensorFlow.

spaCy's thinc looks for TensorFlow when first imported and would take the stand-in for the real thing; it is
imported first with TensorFlow marked absent, so it records that TensorFlow is not installed.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import json
import sys
import tarfile
import types
from collections.abc import Sequence
from pathlib import Path
from typing import Any

NO_TENSORFLOW = frozenset(
    {
        # NLU
        "rasa.graph_components.converters.nlu_message_converter.NLUMessageConverter",
        "rasa.nlu.utils.spacy_utils.SpacyNLP",
        "rasa.nlu.tokenizers.spacy_tokenizer.SpacyTokenizer",
        "rasa.nlu.tokenizers.whitespace_tokenizer.WhitespaceTokenizer",
        "rasa.nlu.featurizers.dense_featurizer.spacy_featurizer.SpacyFeaturizer",
        "rasa.nlu.featurizers.sparse_featurizer.regex_featurizer.RegexFeaturizer",
        "rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer.CountVectorsFeaturizer",
        "rasa.nlu.featurizers.sparse_featurizer.lexical_syntactic_featurizer.LexicalSyntacticFeaturizer",
        "rasa.nlu.classifiers.keyword_intent_classifier.KeywordIntentClassifier",
        "rasa.nlu.classifiers.logistic_regression_classifier.LogisticRegressionClassifier",
        "rasa.nlu.classifiers.fallback_classifier.FallbackClassifier",
        "rasa.nlu.classifiers.regex_message_handler.RegexMessageHandler",
        "rasa.nlu.extractors.regex_entity_extractor.RegexEntityExtractor",
        "rasa.nlu.extractors.entity_synonyms.EntitySynonymMapper",
        "engine.nlu.blended_intents.BlendedIntentClassifier",
        # dialogue
        "rasa.graph_components.providers.domain_provider.DomainProvider",
        "rasa.graph_components.providers.rule_only_provider.RuleOnlyDataProvider",
        "rasa.core.policies.rule_policy.RulePolicy",
        "rasa.core.policies.memoization.MemoizationPolicy",
        "rasa.core.policies.memoization.AugmentedMemoizationPolicy",
        "rasa.core.policies.ensemble.DefaultPolicyPredictionEnsemble",
    }
)
"""Components (``module.Class``) known to serve without computing with TensorFlow."""

PACKAGES = frozenset(
    {"tensorflow", "tensorflow_addons", "tensorflow_hub", "tensorflow_text", "tensorflow_probability", "keras"}
)


class TensorFlowNotLoaded(RuntimeError):
    """Something tried to compute with TensorFlow in a server that runs without it."""


class _Placeholder(type):
    """Any attribute of the stand-in: usable as a base class or in an annotation; never callable."""

    def __getattr__(cls, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return _placeholder(f"{cls.__name__}.{name}")

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        raise TensorFlowNotLoaded(
            f"{cls.__name__} was called, but this Rasa server runs without TensorFlow because its model had no "
            "component that needs it (engine/without_tensorflow.py). Serve a model with such components by "
            "restarting the server with it."
        )

    def __getitem__(cls, item: Any) -> Any:
        return cls


def _placeholder(name: str) -> Any:
    return _Placeholder(name, (), {"__module__": "tensorflow"})


class _StandIn(types.ModuleType):
    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return _placeholder(f"{self.__name__}.{name}")


class _StandInFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: types.ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname.split(".")[0] in PACKAGES:
            return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        return None

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        module = _StandIn(spec.name)
        module.__path__ = []
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        return None


def components_of(model: Path) -> set[str] | None:
    """The components (``module.Class``) the model's prediction graph uses; ``None`` when it cannot be read."""
    try:
        with tarfile.open(model, "r:gz") as archive:
            member = archive.extractfile("metadata.json")
            if member is None:
                return None
            metadata = json.load(member)
        return {str(node["uses"]) for node in metadata["predict_schema"]["nodes"].values()}
    except (OSError, tarfile.TarError, KeyError, TypeError, ValueError, AttributeError):
        return None


def needs_tensorflow(model: Path | None) -> bool:
    if model is None:
        return True
    components = components_of(model)
    return components is None or not components <= NO_TENSORFLOW


def served_model(options: Sequence[str]) -> Path | None:
    """The model archive ``rasa run`` will load with these options (``--model`` file, or the newest in a folder)."""
    given: str | None = "models"
    for index, option in enumerate(options):
        if option in {"--model", "-m"} and index + 1 < len(options):
            given = options[index + 1]
        elif option.startswith("--model="):
            given = option.split("=", 1)[1]
    path = Path(given or "models")
    if path.is_dir():
        archives = sorted(path.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
        return archives[-1] if archives else None
    return path if path.is_file() and path.name.endswith(".tar.gz") else None


def install() -> None:
    """From now on this process imports the stand-in for TensorFlow. Call before anything imports Rasa or spaCy."""
    if any(name.split(".")[0] in PACKAGES for name in sys.modules):
        raise RuntimeError("TensorFlow is already imported: the stand-in must be installed first")
    for package in PACKAGES:
        sys.modules[package] = None  # type: ignore[assignment]
    try:
        import thinc.api  # noqa: F401 - records that TensorFlow is not installed
    finally:
        for package in PACKAGES:
            del sys.modules[package]
    sys.meta_path.insert(0, _StandInFinder())


def install_unless_needed(options: Sequence[str]) -> bool:
    """Install the stand-in when the model ``rasa run`` is given needs no TensorFlow; whether it was installed."""
    model = served_model(options)
    if needs_tensorflow(model):
        print(f"engine: serving {model} with TensorFlow (a component needs it, or it was not read)", file=sys.stderr)
        return False
    install()
    print(f"engine: serving {model} without TensorFlow (no component of the model needs it)", file=sys.stderr)
    return True
