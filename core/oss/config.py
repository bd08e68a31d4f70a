"""The client's configuration: one frozen value built from the settings, never at import time."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.settings import Settings

CUSTOMER = "customerManagement"
ACCOUNT = "accountManagement"
SERVICE_INVENTORY = "serviceInventory"
ALARM = "alarmManagement"
SERVICE_TEST = "serviceTestManagement"
CUSTOMER_BILL = "customerBillManagement"
PAYMENT = "paymentManagement"
PRODUCT_ORDER = "productOrderingManagement"
TROUBLE_TICKET = "troubleTicket"
API_NAMES = (
    CUSTOMER,
    ACCOUNT,
    SERVICE_INVENTORY,
    ALARM,
    SERVICE_TEST,
    CUSTOMER_BILL,
    PAYMENT,
    PRODUCT_ORDER,
    TROUBLE_TICKET,
)


@dataclass(frozen=True)
class OssConfig:
    base_url: str = "http://127.0.0.1:8080/tmf-api"
    """Root of the TMF APIs; an API is served under ``<base_url>/<api name>/v4`` unless overridden."""
    api_urls: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    """Per-API base URL overrides (``.../<api>/v4`` included), keyed by API name."""
    token: str | None = field(default=None, repr=False)
    timeout_s: float = 3.0
    """Longest a single attempt may take, connection included."""
    retries: int = 2
    """Extra attempts for idempotent reads after a timeout, a transport error, a 5xx or a malformed body."""
    breaker_failures: int = 5
    breaker_reset_s: float = 30.0
    backoff_s: float = 0.1
    """Upper bound of the first retry's random delay; it doubles for each further retry (full jitter)."""
    max_connections: int = 20

    @classmethod
    def from_settings(cls, settings: Settings) -> OssConfig:
        return cls(
            base_url=settings.effective_oss_base_url,
            api_urls=MappingProxyType({k: str(v).rstrip("/") for k, v in settings.oss_api_urls.items()}),
            token=settings.oss_token.get_secret_value() if settings.oss_token else None,
            timeout_s=settings.oss_timeout_s,
            retries=settings.oss_retries,
            breaker_failures=settings.oss_breaker_failures,
            breaker_reset_s=settings.oss_breaker_reset_s,
        )

    def api_url(self, api: str) -> str:
        return self.api_urls.get(api) or f"{self.base_url.rstrip('/')}/{api}/v4"
