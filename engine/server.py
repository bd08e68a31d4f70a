"""``python -m engine.server <rasa run options>``: ``rasa run`` with its HTTP API token taken from the
environment (``TRIAGE_RASA_TOKEN``), so the token is never on a command line, where every process of the machine
or the pod may read it (``ps``, ``/proc/<pid>/cmdline``). Rasa 3.6 takes the token only as ``--auth-token``: it is
added to this process's own argument list, which the kernel does not show.

Before Rasa is imported, two things make the server cheaper to run (issue #20): TensorFlow is replaced by a
stand-in when the model needs none of it (:mod:`engine.without_tensorflow`), and ``jsonschema.validate``, which Rasa
calls on every action server response, reuses compiled validators (:mod:`engine.schema_cache`).
"""

from __future__ import annotations

import os
import sys

from engine import schema_cache, without_tensorflow

TOKEN_VARIABLE = "TRIAGE_RASA_TOKEN"  # noqa: S105 - the name of a variable, not a secret


def rasa_arguments(options: list[str], environ: dict[str, str]) -> list[str]:
    """The ``rasa`` argument list: ``run``, the options given, and the token when the environment has one."""
    if any(option == "--auth-token" or option.startswith("--auth-token=") for option in options):
        raise SystemExit(f"Give the token in {TOKEN_VARIABLE}, not on the command line.")
    token = environ.get(TOKEN_VARIABLE, "")
    return ["rasa", "run", *options, *(["--auth-token", token] if token else [])]


def main() -> None:
    sys.argv = rasa_arguments(sys.argv[1:], dict(os.environ))
    without_tensorflow.install_unless_needed(sys.argv[2:])
    schema_cache.install()
    from rasa.__main__ import main as rasa_main  # imports TensorFlow unless the stand-in took its place

    rasa_main()


if __name__ == "__main__":
    main()
