"""``jsonschema.validate`` with each schema checked and compiled once, for Rasa's per-message validations.

Rasa 3.6 validates every action server response (``RemoteAction._validate_action_result``) with
``jsonschema.validate(result, schema)``, which checks the schema against its meta-schema and builds a new validator
on every call. With jsonschema 4.17 (the last release Rasa 3.6's pins allow) the meta-schema check walks draft
2020-12's ``$dynamicRef`` machinery and cost about a quarter of the Rasa process's CPU under load (issue #20's
profile). The schema is the same dict each time, rebuilt by a function, so the compiled validator is cached under
the schema's canonical JSON. Behaviour is unchanged: an invalid schema still raises ``SchemaError`` (and is not
cached), an invalid instance raises the same best-matching ``ValidationError``.
"""

from __future__ import annotations

import json
import threading
from typing import Any

import jsonschema
from jsonschema import exceptions, validators

MAX_SCHEMAS = 256
"""Far above the handful Rasa uses; a caller building schemas from data cannot grow the cache without bound."""

_compiled: dict[tuple[object, str, str], Any] = {}
_lock = threading.Lock()
_original = jsonschema.validate


def validator_of(schema: Any, cls: Any = None, *args: Any, **kwargs: Any) -> Any:
    """The compiled validator of ``schema`` (checked against its meta-schema the first time only)."""
    try:
        key = (cls, json.dumps(schema, sort_keys=True), json.dumps([args, kwargs], sort_keys=True, default=repr))
    except (TypeError, ValueError):  # not JSON (a schema with Python objects in it): no caching
        key = None
    found = _compiled.get(key) if key is not None else None
    if found is not None:
        return found
    checked_cls = cls if cls is not None else validators.validator_for(schema)
    checked_cls.check_schema(schema)
    validator = checked_cls(schema, *args, **kwargs)
    if key is not None:
        with _lock:
            if len(_compiled) >= MAX_SCHEMAS:
                _compiled.pop(next(iter(_compiled)))
            _compiled[key] = validator
    return validator


def validate(instance: Any, schema: Any, cls: Any = None, *args: Any, **kwargs: Any) -> None:
    """Drop-in for ``jsonschema.validate`` that reuses compiled validators."""
    error = exceptions.best_match(validator_of(schema, cls, *args, **kwargs).iter_errors(instance))
    if error is not None:
        raise error


def install() -> None:
    """Make ``jsonschema.validate`` the cached one in this process (Rasa imports it at call time)."""
    jsonschema.validate = validate


def uninstall() -> None:
    jsonschema.validate = _original
