"""Plans the simulated operator sells: monthly prices in GBP (VAT included) and broadband speeds in Mbps."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Plan:
    id: str
    name: str
    kind: str
    """``broadband``, ``mobile`` or ``tv``."""
    monthly: Decimal
    technology: str
    down_mbps: int = 0
    up_mbps: int = 0
    min_guaranteed_mbps: int = 0
    allowance: str = ""


PLANS: tuple[Plan, ...] = (
    Plan("PO-BB-ADSL", "Broadband Essentials", "broadband", Decimal("24.00"), "ADSL2+", 17, 1, 6),
    Plan("PO-BB-FTTC36", "Fibre 36", "broadband", Decimal("27.50"), "FTTC", 36, 9, 25),
    Plan("PO-BB-FTTC67", "Fibre 67", "broadband", Decimal("31.00"), "FTTC", 67, 18, 50),
    Plan("PO-BB-FTTP150", "Full Fibre 150", "broadband", Decimal("35.00"), "FTTP", 150, 30, 120),
    Plan("PO-BB-FTTP500", "Full Fibre 500", "broadband", Decimal("45.00"), "FTTP", 500, 70, 400),
    Plan("PO-MOB-10", "SIM Only 10GB", "mobile", Decimal("10.00"), "4G", allowance="10GB"),
    Plan("PO-MOB-30", "SIM Only 30GB", "mobile", Decimal("14.00"), "5G", allowance="30GB"),
    Plan("PO-MOB-UNL", "SIM Only Unlimited", "mobile", Decimal("22.00"), "5G", allowance="unlimited"),
    Plan("PO-TV-ESS", "TV Essentials", "tv", Decimal("10.00"), "IPTV"),
    Plan("PO-TV-ENT", "TV Entertainment", "tv", Decimal("18.00"), "IPTV"),
)
PLANS_BY_ID: dict[str, Plan] = {p.id: p for p in PLANS}
BY_KIND: dict[str, tuple[Plan, ...]] = {
    kind: tuple(p for p in PLANS if p.kind == kind) for kind in ("broadband", "mobile", "tv")
}

PRICE_RISE = Decimal("1.079")
"""Annual April rise (CPI + 3.9%), applied to the latest bill of price-rise customers."""
VAT_RATE = Decimal("0.20")
