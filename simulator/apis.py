"""The TMF Open APIs the simulator serves: their names (as in the base path) and where they live."""

from __future__ import annotations

ROOT = "/tmf-api"
VERSION = "v4"

CUSTOMER = "customerManagement"
ACCOUNT = "accountManagement"
SERVICE_INVENTORY = "serviceInventory"
ALARM = "alarmManagement"
SERVICE_TEST = "serviceTestManagement"
CUSTOMER_BILL = "customerBillManagement"
PAYMENT = "paymentManagement"
PRODUCT_ORDER = "productOrderingManagement"
TROUBLE_TICKET = "troubleTicket"

API_NAMES: tuple[str, ...] = (
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


def base_path(api: str) -> str:
    """``/tmf-api/<api>/v4``: the prefix of every resource path of ``api``."""
    return f"{ROOT}/{api}/{VERSION}"


def api_for_path(path: str) -> str | None:
    """The API a request path belongs to, or ``None`` for paths outside ``/tmf-api``."""
    if not path.startswith(ROOT + "/"):
        return None
    name = path[len(ROOT) + 1 :].split("/", 1)[0]
    return name if name in API_NAMES else None
