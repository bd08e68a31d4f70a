"""The simulated network: areas (postcode outward codes), the nodes lines hang off, cells, and its alarms.

Node naming: ``EX-<area>`` exchange (ADSL lines hang off its DSLAM), ``CAB-<area>-0n`` street cabinets
(FTTC), ``OLT-<area>-01`` fibre head-ends (FTTP), ``CELL-<area>-0n`` mobile cells. The alarms are fixed, so
every run shows the same outages; their times are relative to the dataset's anchor time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Area:
    code: str
    city: str
    streets: tuple[str, ...]

    @property
    def exchange(self) -> str:
        return f"EX-{self.code}"

    @property
    def cabinets(self) -> tuple[str, ...]:
        return (f"CAB-{self.code}-01", f"CAB-{self.code}-02")

    @property
    def olt(self) -> str:
        return f"OLT-{self.code}-01"

    @property
    def cells(self) -> tuple[str, ...]:
        return (f"CELL-{self.code}-01", f"CELL-{self.code}-02")


AREAS: tuple[Area, ...] = (
    Area("SW1A", "London", ("Whitehall", "Horse Guards Road", "Great Scotland Yard")),
    Area("EC1A", "London", ("Aldersgate Street", "Little Britain", "King Edward Street")),
    Area("N1", "London", ("Upper Street", "Essex Road", "Liverpool Road")),
    Area("M1", "Manchester", ("Oxford Road", "Portland Street", "Whitworth Street")),
    Area("B1", "Birmingham", ("Broad Street", "Newhall Street", "Colmore Row")),
    Area("LS1", "Leeds", ("Briggate", "Park Row", "Boar Lane")),
    Area("G1", "Glasgow", ("Buchanan Street", "Ingram Street", "Queen Street")),
    Area("EH1", "Edinburgh", ("Cockburn Street", "High Street", "Market Street")),
    Area("CF10", "Cardiff", ("Queen Street", "St Mary Street", "Westgate Street")),
    Area("BS1", "Bristol", ("Corn Street", "Baldwin Street", "Victoria Street")),
    Area("NE1", "Newcastle upon Tyne", ("Grey Street", "Collingwood Street", "Pilgrim Street")),
    Area("L1", "Liverpool", ("Bold Street", "Hanover Street", "Seel Street")),
    Area("NG1", "Nottingham", ("Long Row", "Market Street", "Friar Lane")),
    Area("S1", "Sheffield", ("Fargate", "Division Street", "Norfolk Street")),
    Area("CB2", "Cambridge", ("Trumpington Street", "Regent Street", "Hills Road")),
    Area("BT1", "Belfast", ("Donegall Place", "Royal Avenue", "Ann Street")),
)
AREAS_BY_CODE: dict[str, Area] = {a.code: a for a in AREAS}
NODE_AREAS: dict[str, Area] = {
    node: area for area in AREAS for node in (area.exchange, *area.cabinets, area.olt, *area.cells)
}
"""Every node of the network -> the area it serves."""


@dataclass(frozen=True)
class AlarmSpec:
    """One alarm of the fixed network picture; offsets are hours relative to the anchor time."""

    id: int
    area: str
    node: str | None
    """The node whose lines are affected; ``None`` for an area-wide alarm (every node of the area)."""
    alarmed_object: str
    severity: str
    state: str
    service_affecting: bool
    probable_cause: str
    specific_problem: str
    raised_h: float
    eta_h: float | None
    cleared_h: float | None = None
    planned: bool = False


ALARM_SPECS: tuple[AlarmSpec, ...] = (
    AlarmSpec(4101, "G1", None, "EX-G1", "critical", "raised", True, "powerProblem",
              "Mains power failure at Glasgow Central exchange; generators not holding load", -5.0, 3.0),
    AlarmSpec(4102, "LS1", "CAB-LS1-02", "CAB-LS1-02", "major", "updated", True, "cableTamper",
              "Fibre feed to street cabinet cut during third-party roadworks", -2.0, 6.0),
    AlarmSpec(4103, "B1", "CELL-B1-01", "CELL-B1-01", "critical", "raised", True, "transmissionError",
              "Cell site off air: microwave backhaul link down", -1.5, 4.0),
    AlarmSpec(4104, "M1", "OLT-M1-01", "OLT-M1-01", "minor", "raised", False, "highTemperature",
              "Cabinet temperature above threshold; fans at full speed", -0.5, None),
    AlarmSpec(4105, "EH1", "CAB-EH1-02", "CAB-EH1-02", "warning", "raised", False, "other",
              "Planned maintenance window tonight 00:00-04:00; no impact expected", -3.0, 12.0, planned=True),
    AlarmSpec(4106, "CF10", "CAB-CF10-01", "CAB-CF10-01", "cleared", "cleared", True, "lossOfSignal",
              "Line card failure; card replaced", -30.0, None, cleared_h=-26.0),
)  # fmt: skip


def is_active(spec: AlarmSpec) -> bool:
    return spec.state != "cleared"


def affects(spec: AlarmSpec, area: str, node: str) -> bool:
    """True when an active service-affecting alarm covers a line on ``node`` in ``area``."""
    if not (is_active(spec) and spec.service_affecting) or spec.area != area:
        return False
    return spec.node is None or spec.node == node


def node_in_outage(area: str, node: str) -> AlarmSpec | None:
    return next((s for s in ALARM_SPECS if affects(s, area, node)), None)


def at(anchor: datetime, hours: float) -> datetime:
    return anchor + timedelta(hours=hours)
