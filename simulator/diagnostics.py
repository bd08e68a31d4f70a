"""TMF653 service tests: what a line test or a mobile registration check finds on a seeded service.

The result reads the seed's hidden truth (the line's fault, SIM status, barring), the network's outages and
any silent fault on the line's node (``simulator.silent``), and is deterministic per service, so repeated
tests agree. It is summarised in the test's characteristics (``testResult``: pass, fail or degraded;
``faultLocation``) and detailed in ``testMeasure[]``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from simulator.apis import SERVICE_INVENTORY, SERVICE_TEST
from simulator.seed.model import Line, Person
from simulator.seed.network import node_in_outage
from simulator.seed.tmf import Hrefs, Json, characteristic, iso

TEST_SPECS: dict[str, tuple[str, str]] = {
    "TS-BB-LINE": ("broadbandLineTest", "broadband"),
    "TS-MOB-REG": ("mobileRegistrationCheck", "mobile"),
}
"""Test specification id -> (name, the kind of service it runs on)."""


@dataclass(frozen=True)
class Measure:
    name: str
    value: float | str | bool
    unit: str = ""
    floor: float | None = None
    """When set, the value fell below this threshold: a rule violation."""


@dataclass(frozen=True)
class Finding:
    result: str
    fault_location: str
    summary: str
    measures: tuple[Measure, ...]


def diagnose(person: Person, line: Line, silent: str | None = None) -> Finding:
    """``silent``: the fault location of a silent fault on the line's node, if one is set."""
    rng = random.Random(line.id)
    outage = node_in_outage(person.area.code, line.node)
    if silent is not None and outage is None:
        return _silent(line, silent)
    if line.state != "active" and line.sim_status == "active" and line.barring == "none":
        return Finding("fail", "provisioning", "Service not provisioned yet", (Measure("provisioned", False),))
    if line.kind == "mobile":
        return _mobile(line, outage is not None, rng)
    plan = line.plan
    if outage is not None:
        return Finding(
            "fail",
            "network",
            f"No sync: network outage at {outage.alarmed_object}",
            (Measure("syncStatus", "noSync"), Measure("downstreamSyncMbps", 0.0, "Mbps")),
        )
    if line.fault == "accessLine":
        distance = rng.randint(180, 1400)
        return Finding(
            "fail",
            "accessLine",
            f"No sync: open circuit on the access line about {distance} m out",
            (
                Measure("syncStatus", "noSync"),
                Measure("downstreamSyncMbps", 0.0, "Mbps"),
                Measure("distanceToFaultM", float(distance), "m"),
            ),
        )
    sync = round(plan.down_mbps * rng.uniform(0.92, 1.0), 1)
    if line.fault == "cpe":
        return Finding(
            "fail",
            "customerPremisesEquipment",
            "Line in sync but the router does not respond",
            (
                Measure("syncStatus", "inSync"),
                Measure("downstreamSyncMbps", sync, "Mbps"),
                Measure("cpeReachable", False),
            ),
        )
    if line.fault == "homeWiring":
        return Finding(
            "fail",
            "homeWiring",
            "Line good to the master socket; fault on the extension wiring",
            (
                Measure("syncStatus", "inSync"),
                Measure("downstreamSyncMbps", round(sync * 0.6, 1), "Mbps"),
                Measure("masterSocketTest", "pass"),
                Measure("extensionWiringTest", "fail"),
            ),
        )
    if line.fault == "slow":
        slow = round(plan.min_guaranteed_mbps * rng.uniform(0.3, 0.6), 1)
        return Finding(
            "degraded",
            "accessLine",
            f"Sync {slow} Mbps, below the {plan.min_guaranteed_mbps} Mbps minimum guaranteed speed",
            (
                Measure("syncStatus", "inSync"),
                Measure("downstreamSyncMbps", slow, "Mbps", floor=float(plan.min_guaranteed_mbps)),
            ),
        )
    return Finding(
        "pass",
        "none",
        f"Line healthy: in sync at {sync} Mbps",
        (Measure("syncStatus", "inSync"), Measure("downstreamSyncMbps", sync, "Mbps"), Measure("cpeReachable", True)),
    )


def _silent(line: Line, location: str) -> Finding:
    """What a test sees behind a node that failed without an alarm: nothing to blame but the network."""
    if line.kind == "mobile":
        return Finding(
            "fail",
            "network",
            f"Not registered: no response from serving cell {line.node}",
            (Measure("registrationStatus", "notRegistered"), Measure("servingCellStatus", "notResponding")),
        )
    no_sync = (Measure("syncStatus", "noSync"), Measure("downstreamSyncMbps", 0.0, "Mbps"))
    if location == "accessLine":
        return Finding("fail", "accessLine", "No sync: no signal on the access line", no_sync)
    return Finding("fail", "network", f"No sync: no response from {line.node}", no_sync)


def _mobile(line: Line, outage: bool, rng: random.Random) -> Finding:
    if outage:
        return Finding(
            "fail",
            "network",
            f"Serving cell {line.node} is off air",
            (Measure("registrationStatus", "notRegistered"), Measure("servingCellStatus", "down")),
        )
    if line.sim_status == "notProvisioned":
        return Finding(
            "fail",
            "sim",
            "SIM not provisioned on the network",
            (Measure("registrationStatus", "notRegistered"), Measure("simProvisioned", False)),
        )
    if line.barring != "none":
        return Finding(
            "fail",
            "account",
            "Line barred for non-payment",
            (Measure("registrationStatus", "registered"), Measure("barring", line.barring)),
        )
    signal = float(rng.randint(-105, -75))
    return Finding(
        "pass",
        "none",
        "Registered on the network",
        (Measure("registrationStatus", "registered"), Measure("signalStrengthDbm", signal, "dBm")),
    )


def service_test_json(
    *,
    test_id: str,
    name: str,
    spec_id: str,
    person: Person,
    line: Line,
    now: datetime,
    hrefs: Hrefs,
    related_party: list[Json],
    silent: str | None = None,
) -> Json:
    finding = diagnose(person, line, silent)
    ended = now + timedelta(seconds=20)
    return {
        "id": test_id,
        "href": hrefs(SERVICE_TEST, "serviceTest", test_id),
        "name": name,
        "description": finding.summary,
        "mode": "ONDEMAND",
        "state": "completed",
        "startDateTime": iso(now),
        "endDateTime": iso(ended),
        "relatedService": {
            "id": line.id,
            "href": hrefs(SERVICE_INVENTORY, "service", line.id),
            "name": line.plan.name,
            "@referredType": "Service",
        },
        "testSpecification": {"id": spec_id, "version": "1.0", "@referredType": "ServiceTestSpecification"},
        "relatedParty": related_party,
        "characteristic": [
            characteristic("testResult", finding.result),
            characteristic("faultLocation", finding.fault_location),
            characteristic("summary", finding.summary),
        ],
        "testMeasure": [_measure(m, ended) for m in finding.measures],
        "@type": "ServiceTest",
    }


def _measure(measure: Measure, captured: datetime) -> Json:
    result: Json = {
        "metricName": measure.name,
        "captureDateTime": iso(captured),
        "captureMethod": "automated",
        "value": characteristic(measure.name, measure.value),
    }
    if measure.unit:
        result["unitOfMeasure"] = measure.unit
    if measure.floor is not None:
        result["ruleViolation"] = [
            {
                "name": f"{measure.name}BelowMinimum",
                "description": f"{measure.name} below {measure.floor:g} {measure.unit}".strip(),
                "conformanceComparatorLower": "ge",
                "conformanceTargetLower": f"{measure.floor:g}",
                "thresholdRuleSeverity": "major",
            }
        ]
    return result
