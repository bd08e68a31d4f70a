"""The detector on replayed contacts: a surge behind one node is one incident, ordinary traffic is none."""

from __future__ import annotations

import json
import math
import random

from core.contracts.sensor import Diagnosis, RealAlarm
from sensor.baseline import Baseline
from sensor.detector import Change, Detector, DetectorConfig
from tests.sensor.conftest import T0, diagnosis

DAY = 86_400
HOUR = 3600


def feed(detector: Detector, contacts: list[Diagnosis]) -> list[Change]:
    changes: list[Change] = []
    for contact in sorted(contacts, key=lambda d: d.at):
        changes += detector.observe(contact)
    return changes


def opened(changes: list[Change]) -> list[Change]:
    return [c for c in changes if c.kind == "opened"]


def evening(hour: float) -> float:
    """Contacts relative to the day's mean: quiet nights, a peak at 19:00."""
    return 0.15 + 2.2 * math.exp(-(((hour - 19) / 3) ** 2)) + 0.8 * math.exp(-(((hour - 11) / 3) ** 2))


def background(rng: random.Random, start: float, days: int, nodes: dict[str, float]) -> list[Diagnosis]:
    """Ordinary contacts: each node at its mean rate per hour, shaped over the day, findings mixed."""
    found = []
    for node, per_hour in nodes.items():
        area = node.split("-")[1]
        for hour in range(days * 24):
            for _ in range(_poisson(rng, per_hour * evening(hour % 24))):
                at = start + (hour + rng.random()) * HOUR
                found.append(diagnosis(at, node, area, finding=rng.choice(["network", "accessLine"])))
    return found


def _poisson(rng: random.Random, mean: float) -> int:
    count, total = 0, rng.expovariate(1.0)
    while total < mean:
        count += 1
        total += rng.expovariate(1.0)
    return count


def test_a_surge_behind_one_cabinet_opens_exactly_one_incident_that_grows() -> None:
    detector = Detector(DetectorConfig(), Baseline())
    at = T0 + 10 * HOUR
    surge = [diagnosis(at + minute * 60) for minute in (0, 2, 5, 7, 9, 12)]
    first = feed(detector, surge[:3])
    assert first == [], "three customers are not enough"
    fourth = detector.observe(surge[3])
    [change] = fourth
    assert change.kind == "opened"
    incident = change.incident
    assert (incident.scope, incident.target, incident.key) == ("node", "CAB-M1-01", "node:CAB-M1-01:broadband_down")
    assert incident.evidence == (
        "4 customers behind cabinet CAB-M1-01 reported broadband down in 7 minutes; "
        "line tests fail at network on 4 of 4; no network alarm raised"
    )
    assert incident.first_contact_at == at and incident.detected_at == at + 7 * 60
    assert 0.5 <= incident.confidence <= 1 and incident.services == ["broadband"]
    later = feed(detector, [*surge[4:], diagnosis(at + 13 * 60, customer=surge[0].customer)])
    assert [c.kind for c in later] == ["grew", "grew", "grew"]
    grown = detector.open[incident.key]
    assert grown.id == incident.id and grown.contacts == 7 and len(grown.customers) == 6
    assert grown.evidence.startswith("6 customers behind cabinet CAB-M1-01 reported broadband down in 13 minutes")
    assert list(detector.open) == [incident.key], "the area does not open a second incident"


def test_ordinary_traffic_over_days_raises_nothing_once_the_baseline_learnt_it() -> None:
    rng = random.Random(7)
    nodes = {f"{kind}-{area}-0{n}": rng.uniform(0.02, 0.4) for kind in ("CAB", "OLT") for area in ("M1", "LS1",
             "B1", "G1", "N1") for n in (1, 2)}  # fmt: skip
    detector = Detector(DetectorConfig(), Baseline())
    feed(detector, background(rng, T0, 3, nodes))
    measured = feed(detector, background(rng, T0 + 3 * DAY, 3, nodes))
    assert opened(measured) == [], [c.incident.evidence for c in opened(measured)]
    assert detector.baseline.hours > 70


def test_a_busy_evening_in_a_big_area_is_its_normal_but_the_same_burst_at_night_is_not() -> None:
    rng = random.Random(3)
    big = {f"CAB-M1-0{n}": 0.9 for n in range(1, 5)}
    detector = Detector(DetectorConfig(), Baseline())
    feed(detector, background(rng, T0, 4, big))
    evening_burst = [diagnosis(T0 + 4 * DAY + 19 * HOUR + i * 300, f"CAB-M1-0{i % 4 + 1}") for i in range(6)]
    assert opened(feed(detector, evening_burst)) == [], "six contacts in half an hour is a normal evening in M1"
    night_burst = [diagnosis(T0 + 5 * DAY + 3 * HOUR + i * 300, f"CAB-M1-0{i % 4 + 1}") for i in range(6)]
    [change] = opened(feed(detector, night_burst))
    assert change.incident.scope == "area" and change.incident.target == "M1"
    assert "in area M1 across 4 nodes" in change.incident.evidence


def test_a_surge_on_one_node_is_that_nodes_incident_and_a_spread_one_is_the_areas() -> None:
    detector = Detector(DetectorConfig(), Baseline())
    at = T0 + 14 * HOUR
    one_node = [diagnosis(at + i * 60, "CAB-LS1-02", "LS1") for i in range(8)]
    kinds = [(c.kind, c.incident.scope) for c in feed(detector, one_node)]
    assert kinds[0] == ("opened", "node") and set(kinds[1:]) == {("grew", "node")}
    spread = [diagnosis(at + i * 60, node, "B1") for i, node in enumerate(["CAB-B1-01", "CAB-B1-02", "OLT-B1-01",
              "CAB-B1-01", "CAB-B1-02"])]  # fmt: skip
    [change] = opened(feed(detector, spread))
    assert (change.incident.scope, change.incident.target) == ("area", "B1")


def test_explained_contacts_and_customer_side_findings_count_towards_nothing() -> None:
    detector = Detector(DetectorConfig(), Baseline())
    at = T0 + 12 * HOUR
    explained = [diagnosis(at + i * 60, explained=True, alarm="4104") for i in range(10)]
    home = [diagnosis(at + i * 60, finding="homeWiring") for i in range(10)]
    assert feed(detector, explained + home) == []
    assert detector.windows == {}


def test_quiet_clears_the_incident_and_old_contacts_do_not_reopen_it() -> None:
    config = DetectorConfig(quiet_s=1800)
    detector = Detector(config, Baseline())
    at = T0 + 9 * HOUR
    [change] = opened(feed(detector, [diagnosis(at + i * 60) for i in range(5)]))
    assert detector.tick(at + 4 * 60 + 1799) == []
    [cleared] = detector.tick(at + 4 * 60 + 1800)
    assert cleared.kind == "cleared" and cleared.incident.id == change.incident.id
    assert (cleared.incident.state, cleared.incident.cleared_reason) == ("cleared", "quiet")
    assert detector.open == {}
    assert detector.observe(diagnosis(at + 35 * 60)) == [], "one new contact is one contact, not the sixth"


def test_a_real_alarm_covers_an_open_incident_once() -> None:
    detector = Detector(DetectorConfig(), Baseline())
    at = T0 + 16 * HOUR
    [change] = opened(feed(detector, [diagnosis(at + i * 60) for i in range(4)]))
    alarm = RealAlarm(id="4999", raised_at=at + 600, seen_at=at + 700)
    covered = detector.cover(change.incident.id, alarm, at + 700)
    assert covered is not None and covered.kind == "cleared"
    assert covered.incident.cleared_reason == "real_alarm" and covered.incident.real_alarm == alarm
    assert detector.cover(change.incident.id, alarm, at + 800) is None
    assert detector.open == {}


def test_state_and_baseline_survive_json_and_carry_on_where_they_stopped() -> None:
    rng = random.Random(11)
    nodes = {"CAB-M1-01": 0.2, "CAB-M1-02": 0.3, "OLT-N1-01": 0.1}
    before = Detector(DetectorConfig(), Baseline())
    feed(before, background(rng, T0, 2, nodes))
    at = T0 + 2 * DAY + 10 * HOUR
    feed(before, [diagnosis(at + i * 60, "OLT-N1-01", "N1") for i in range(2)])
    after = Detector(DetectorConfig(), Baseline.from_dict(json.loads(json.dumps(before.baseline.to_dict()))))
    after.restore(json.loads(json.dumps(before.state())), list(before.open.values()))
    key = "node:CAB-M1-01:broadband_down"
    assert after.baseline.rate(key, "node", at) == before.baseline.rate(key, "node", at)
    rest = [diagnosis(at + (3 + i) * 60, "OLT-N1-01", "N1") for i in range(3)]
    assert [c.kind for c in feed(after, rest)] == [c.kind for c in feed(before, rest)]
    assert list(after.open) == list(before.open) == ["node:OLT-N1-01:broadband_down"]


def test_a_long_incident_counts_each_customer_once_across_a_restart() -> None:
    """Hundreds of customers, each calling back: the console shows each once, also after the sensor restarted
    (the set that makes the check quick is not in the saved state)."""
    detector = Detector(DetectorConfig(), Baseline())
    at = T0 + 9 * HOUR
    first = [diagnosis(at + i * 5) for i in range(400)]
    feed(detector, first)
    [incident] = detector.open.values()
    after = Detector(DetectorConfig(), detector.baseline)
    after.restore(json.loads(json.dumps(detector.state())), [incident])
    again = [diagnosis(at + 2000 + i, customer=c.customer) for i, c in enumerate(first[::2])]
    newcomers = [diagnosis(at + 2300 + i) for i in range(50)]
    feed(after, [*again, *newcomers])
    grown = after.open[incident.key]
    assert (grown.contacts, len(grown.customers)) == (650, 450)
    assert len(set(grown.customers)) == 450 and grown.evidence.startswith("450 customers")


def test_the_same_new_bill_line_on_accounts_across_areas_is_one_billing_incident() -> None:
    detector = Detector(DetectorConfig(), Baseline())
    at = T0 + 11 * HOUR
    bills = [
        diagnosis(at + i * 120, None, area, symptom="bill_increase", service_kind=None, finding="oneOffCharge",
                  bill_line="Late payment fee")
        for i, area in enumerate(["M1", "LS1", "G1", "M1", "B1"])
    ]  # fmt: skip
    [change] = opened(feed(detector, bills))
    incident = change.incident
    assert (incident.scope, incident.target, incident.area) == ("bill_line", "Late payment fee", None)
    assert incident.evidence == (
        '4 customers with the bill line "Late payment fee" reported a higher bill in 6 minutes; '
        "largest change oneOffCharge on 4 of 4; no network alarm raised"
    )
