"""The one sentence that says what unites an incident's contacts, for the NOC's alarm and the agents' cases.

"7 customers behind cabinet CAB-M1-01 reported broadband down in 12 minutes; line tests fail at network on 6 of
7; no network alarm raised". Counts, the shared place, the span, what the tests found: nothing that names a customer.
"""

from __future__ import annotations

import math
from collections import Counter

from core.contracts.sensor import Incident

NODE_KINDS = {"CAB": "cabinet", "EX": "exchange", "OLT": "fibre head-end", "CELL": "cell"}
SYMPTOMS = {
    "broadband_down": "broadband down",
    "broadband_slow": "slow broadband",
    "mobile_no_service": "no mobile service",
    "bill_increase": "a higher bill",
}
TESTS = {"broadband_down": "line tests", "broadband_slow": "line tests", "mobile_no_service": "registration checks"}
PASSED = frozenset({"pass", "passed", "ok", "none", ""})


def where(incident: Incident) -> str:
    """``behind cabinet CAB-M1-01``, ``in area M1``, ``with the bill line "Roaming charge"``."""
    if incident.scope == "node":
        kind = NODE_KINDS.get(incident.target.split("-", 1)[0], "node")
        return f"behind {kind} {incident.target}"
    if incident.scope == "area":
        return f"in area {incident.target}"
    return f'with the bill line "{incident.target}"'


def evidence(incident: Incident, findings: Counter[str], nodes: set[str]) -> str:
    people = len(incident.customers)
    minutes = max(1, math.ceil((incident.latest_contact_at - incident.first_contact_at) / 60))
    who = "customer" if people == 1 else "customers"
    place = where(incident)
    if incident.scope == "area" and nodes:
        place += f" across {len(nodes)} {'node' if len(nodes) == 1 else 'nodes'}"
    span = "1 minute" if minutes == 1 else f"{minutes} minutes"
    parts = [f"{people} {who} {place} reported {SYMPTOMS[incident.symptom]} in {span}"]
    total = sum(findings.values())
    failing = Counter({f: n for f, n in findings.items() if f.lower() not in PASSED})
    if failing and incident.symptom in TESTS:
        location, count = failing.most_common(1)[0]
        parts.append(f"{TESTS[incident.symptom]} fail at {location} on {count} of {total}")
    elif failing:
        change, count = failing.most_common(1)[0]
        parts.append(f"largest change {change} on {count} of {total}")
    elif total:
        parts.append(f"{TESTS.get(incident.symptom, 'checks')} pass on all {total}")
    parts.append("no network alarm raised")
    return "; ".join(parts)
