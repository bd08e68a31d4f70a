"""The simulator's own settings, read from the ``TRIAGE_*`` variables `make run` and the deployments already set.

The simulator stands in for an operator's OSS/BSS and SMS gateway, so it imports nothing from the product: it
reads the few variables it needs and leaves the product's others alone (the product's settings refuse unknown
``TRIAGE_*`` names; here only an unknown ``TRIAGE_SIMULATOR_*``, the prefix the simulator owns, is refused).
Production needs real secrets, as for the product: a token that is set must not be a placeholder, short or
repetitive.
"""

from __future__ import annotations

import math
import os
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Literal, Self

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ENV_PREFIX = "TRIAGE_"
OWN_PREFIX = "TRIAGE_SIMULATOR_"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
TOKENS = ("oss_token", "simulator_admin_token", "sms_gateway_token")
MIN_SECRET_CHARS = 16
MIN_ENTROPY_BITS = 60.0
"""Of the characters' own distribution (a rough, generous estimate): ``aaaaaaaaaaaaaaaaaaaa`` has none."""
PLACEHOLDER = re.compile(r"change[-_ ]?me|changeit|replace[-_ ]?me|placeholder|example|your[-_ ]|secret[-_ ]?here"
                         r"|^(?:password|secret|token|admin|test|demo)\d*$|xxxx|todo|fixme", re.IGNORECASE)  # fmt: skip
"""The same rule as the product's ``core/secret_strength.py``: the example files ship values such as ``change-me``."""


class SettingsError(Exception):
    """A setting is unknown or invalid; the message names it and says what is accepted."""


class SimulatorSettings(BaseSettings):
    env: Literal["development", "test", "production"] = "development"
    host: str = Field("127.0.0.1", description="Address the simulator and the SMS gateway bind to.")
    simulator_port: int = Field(8080, ge=1, le=65535)
    oss_token: SecretStr | None = Field(None, description="When set, every TMF call needs it as a bearer token.")
    simulator_admin_token: SecretStr | None = Field(
        None, description="Bearer token of /admin (faults, reset, scenarios); required in production."
    )
    simulator_in_production: bool = Field(
        False, description="Run the simulator although TRIAGE_ENV=production (a demonstration or staging)."
    )
    sms_gateway_port: int = Field(
        0, ge=0, le=65535, description="Port of the development SMS gateway; 0: `make run` chooses a free one."
    )
    sms_gateway_token: SecretStr | None = Field(None, description="When set, senders need it as a bearer token.")
    var_dir: Path = Field(PROJECT_ROOT / "var", description="Runtime data; texts kept in <var_dir>/sms.")

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, case_sensitive=False, extra="ignore")

    @model_validator(mode="before")
    @classmethod
    def _refuse_unknown_simulator_variables(cls, values: object) -> object:
        known = sorted(n for n in (f"{ENV_PREFIX}{f}".upper() for f in cls.model_fields) if n.startswith(OWN_PREFIX))
        unknown = sorted(k for k in os.environ if k.upper().startswith(OWN_PREFIX) and k.upper() not in known)
        if unknown:
            raise ValueError(f"unknown setting {', '.join(unknown)} (known: {', '.join(known)})")
        return values

    @field_validator(*TOKENS, mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        """Compose writes ``${OSS_TOKEN:-}`` as an empty string: no token, not an empty one."""
        return None if value == "" else value

    @model_validator(mode="after")
    def _production_needs_real_secrets(self) -> Self:
        if self.development:
            return self
        weak = []
        for name in TOKENS:
            secret: SecretStr | None = getattr(self, name)
            reason = weakness(secret.get_secret_value()) if secret else None
            if reason:
                weak.append(f"{ENV_PREFIX}{name.upper()} {reason}")
        if weak:
            raise ValueError("production needs real secrets: " + "; ".join(weak))
        return self

    @property
    def development(self) -> bool:
        return self.env != "production"


def weakness(value: str) -> str | None:
    """Why ``value`` is not a production secret, or ``None`` when it may be one."""
    if PLACEHOLDER.search(value):
        return "is a placeholder from an example file"
    if len(value) < MIN_SECRET_CHARS:
        return f"is shorter than {MIN_SECRET_CHARS} characters"
    counts = Counter(value)
    if -sum(n * math.log2(n / len(value)) for n in counts.values()) < MIN_ENTROPY_BITS:
        return "is too predictable (too few different characters)"
    return None


def secret_value(secret: SecretStr | None) -> str | None:
    return secret.get_secret_value() if secret else None


def load_settings() -> SimulatorSettings:
    """Read the environment; raise :class:`SettingsError` naming each bad setting in one sentence."""
    try:
        return SimulatorSettings()
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            message = err["msg"].removeprefix("Value error, ")
            problems.append(f"{ENV_PREFIX}{str(err['loc'][0]).upper()}: {message}" if err["loc"] else message)
        raise SettingsError("Invalid configuration: " + "; ".join(problems)) from None


def settings_or_complain() -> SimulatorSettings | None:
    """For a ``main()``: the settings, or ``None`` once the reason they are invalid is printed (exit with 2)."""
    try:
        return load_settings()
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return None
