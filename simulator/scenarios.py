"""One documented test customer per scenario archetype, reachable by what a person types in the web chat.

These are the first customers of the seeded dataset, with fixed identifiers (they never depend on the
random seed), so tests of any part of the product and the docs table can rely on them.
``docs/oss-simulator.md`` renders this table; ``tests/simulator/test_scenarios.py`` checks it against the data.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scenario:
    key: str
    customer_id: str
    name: str
    account_id: str
    mobile: str
    """As a person types it: ``07700 900xxx``; the client also accepts ``+44 7700 900xxx``."""
    landline: str | None
    postcode: str
    services: tuple[str, ...]
    """Kinds of service held, in order: ``broadband``, ``mobile``, ``tv``."""
    finding: str
    """What the bot should find for this customer."""
    order_id: str | None = None
    ticket_id: str | None = None

    @property
    def index(self) -> int:
        return int(self.customer_id.removeprefix("CUST-"))

    @property
    def area(self) -> str:
        return self.postcode.split()[0]


def _scenario(
    index: int,
    key: str,
    name: str,
    postcode: str,
    services: tuple[str, ...],
    finding: str,
    *,
    order: bool = False,
    ticket: bool = False,
) -> Scenario:
    return Scenario(
        key=key,
        customer_id=f"CUST-{index:06d}",
        name=name,
        account_id=f"AC{10000000 + index}",
        mobile=f"07700 900{index:03d}",
        landline=f"020 7946 0{index:03d}" if "broadband" in services else None,
        postcode=postcode,
        services=services,
        finding=finding,
        order_id=f"ORD-{100000 + index}" if order else None,
        ticket_id=f"TT-{100000 + index}" if ticket else None,
    )


BB = ("broadband",)
MOB = ("mobile",)
BB_MOB = ("broadband", "mobile")

SCENARIOS: tuple[Scenario, ...] = (
    _scenario(1, "outage_area", "Aisha Khan", "G1 1XQ", BB,
              "Area outage: critical exchange alarm on EX-G1 for area G1 with an estimated restoration time; "
              "the line test fails in the network."),
    _scenario(2, "access_line_fault", "Tom Bradley", "M1 2JB", BB,
              "No alarm; line test fails with the fault on the access line (no sync): book an engineer."),
    _scenario(3, "router_fault", "Priya Patel", "BS1 5TR", BB,
              "No alarm; line test fails at the customer premises equipment (router unreachable)."),
    _scenario(4, "healthy_line", "Oliver Hughes", "EH1 1YZ", BB,
              "No alarm; line test passes at full speed: the problem is inside the home (Wi-Fi, devices)."),
    _scenario(5, "home_wiring", "Grace Okafor", "CF10 1EP", BB,
              "No alarm; line test fails in the home wiring (extension wiring fault beyond the master socket)."),
    _scenario(6, "slow_line", "Daniel Murphy", "NE1 6JQ", BB,
              "Line test degraded: downstream sync far below the 50 Mbps minimum guaranteed speed."),
    _scenario(7, "mobile_outage", "Sophie Williams", "B1 2ND", MOB,
              "Mobile no service: the serving cell CELL-B1-01 has a critical outage alarm with an ETA."),
    _scenario(8, "sim_unprovisioned", "James Clarke", "L1 4DQ", MOB,
              "Mobile no service: the SIM is not provisioned on the network (registration check fails)."),
    _scenario(9, "mobile_barred", "Fatima Ali", "NG1 5FS", MOB,
              "Mobile barred for non-payment: two failed payments, account in arrears."),
    _scenario(10, "bill_roaming", "Harry Evans", "SW1A 1AA", BB_MOB,
              "Latest bill higher because of roaming data charges in the United States."),
    _scenario(11, "bill_one_off", "Chloe Martin", "S1 2HE", BB,
              "Latest bill higher because of a one-off engineer visit charge."),
    _scenario(12, "bill_price_rise", "George Wilson", "CB2 1TN", BB_MOB,
              "Latest bill higher because of the annual price rise on both monthly plans."),
    _scenario(13, "bill_duplicate", "Emily Roberts", "N1 9GU", BB,
              "Latest bill charges the same monthly plan twice for the same period (duplicate)."),
    _scenario(14, "bill_prorated", "Jack Thompson", "EC1A 1BB", BB,
              "Latest bill includes a prorated credit and charge for a mid-cycle plan upgrade."),
    _scenario(15, "failed_direct_debit", "Amelia Wright", "BT1 5GS", BB_MOB,
              "Latest direct debit failed (insufficient funds); bill still outstanding."),
    _scenario(16, "order_held_credit_check", "Noah Walker", "M1 1AE", BB,
              "Order held at credit check (manual credit referral) for about two days.", order=True),
    _scenario(17, "order_held_number_port", "Isla Robinson", "LS1 5DL", MOB,
              "Order held at number port (losing provider rejected the PAC).", order=True),
    _scenario(18, "order_held_provisioning", "Leo Green", "BS1 4DJ", BB,
              "Order held at provisioning (no spare port at the cabinet).", order=True),
    _scenario(19, "order_held_appointment", "Mia Hall", "CF10 3AT", BB,
              "Order held at appointment (no engineer slot booked).", order=True),
    _scenario(20, "order_held_shipping", "Ethan Lewis", "NG1 2GR", BB,
              "Order held at shipping (router out of stock).", order=True),
    _scenario(21, "order_failed", "Ava Young", "L1 8JQ", MOB,
              "Order failed at credit check (declined).", order=True),
    _scenario(22, "activation_stuck", "Lucas King", "B1 1BB", BB,
              "Order in progress at provisioning well past its expected completion date.", order=True),
    _scenario(23, "ticket_within_sla", "Ella Scott", "EH1 3EG", BB,
              "Open fault ticket, in progress, expected resolution still in the future.", ticket=True),
    _scenario(24, "ticket_past_sla", "Mason Baker", "S1 4PF", BB,
              "Open fault ticket whose expected resolution date has passed (SLA breached).", ticket=True),
    _scenario(25, "multi_service", "Lily Adams", "N1 0QH", ("broadband", "mobile", "tv"),
              "Broadband, mobile and TV, all healthy: nothing wrong on the operator's side."),
)  # fmt: skip

BY_KEY: dict[str, Scenario] = {s.key: s for s in SCENARIOS}
ARCHETYPES: tuple[str, ...] = (*(s.key for s in SCENARIOS), "healthy")
"""Every archetype the seed assigns; ``healthy`` customers have nothing wrong and no documented entry."""
