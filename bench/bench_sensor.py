"""The network sensor's figures (issue 21): replayed days of diagnoses through the detector, with silent faults
injected and without.

The detector (``sensor.detector``) is pure, so days replay in simulated time, in seconds. Per seed: a week of
fault-free days teaches the baseline, then ``--days`` measured days, each with one busy evening in the biggest
areas (no fault) and ``--faults-per-day`` silent faults at random nodes, areas, cells and bill runs
(``sensor_traffic``), and one day more without new faults (the last day's faults are reported the next morning;
nothing found on it is counted as false). The same days replay twice, from the same week: with the faults and
without them. The clock ticks every simulated minute, as the process does, so quiet incidents clear.

Figures (printed, and written as JSON with ``--json PATH``):

- detection delay after a fault's 5th related contact (0 when found before it; median, p90, max; share within
  5 min): the issue's target is "within 5 minutes", judged at p90; and after its first contact. Over the faults
  with at least 5 related contacts, the ones the issue asks to find (those with fewer are counted apart);
- incidents found / injected (target >= 0.9): a fault is found when an incident opens on one of its contacts'
  grouping keys between its first contact and its last contact plus the quiet time;
- false incidents per replayed day without faults (target <= 1), incidents of the faulty days that match no
  fault, and the customers told "we're investigating" on a day without faults;
- the share of a fault's later contacts (after its detection) that were told "we're investigating" instead of
  being queued: an incident was open on one of their keys when the bot checked (before the sensor read them).

``--rate`` is diagnosed contacts (broadband, mobile, bill) per 1,000 customers per day, all symptoms, split by the
replay's mix (down 6 : slow 1 : mobile 3 : bill 5). The default, 4 (about one per symptom), is 1.5 such contacts a
customer a year: the upper end of the fault and billing contacts an operator takes in all its channels, of which
the bot has a share; ``--sweep 2,8`` (the default) brackets it. ``--tune`` replays a grid of the detector's
parameters (window, minimum contacts, p threshold) at ``--rate``.

    .venv/bin/python bench/bench_sensor.py [--days 5] [--seeds 4] [--seed 1] [--faults-per-day 4] [--rate 4]
        [--sweep 2,8] [--tune] [--json PATH]
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from sensor_traffic import DAY_S, START, Fault, Population, Traffic, inject, load_population  # noqa: E402

from core.contracts.sensor import Diagnosis, Incident, grouping_keys  # noqa: E402
from sensor.baseline import Baseline  # noqa: E402
from sensor.detector import Detector, DetectorConfig  # noqa: E402

WARMUP_DAYS = 7
TICK_S = 60
"""The sensor process ticks its detector about this often."""
DETECTABLE = 5
"""The issue's delay target counts from a fault's 5th related contact: faults with fewer are not asked for."""
TARGET_DELAY_S = 300.0
TARGET_FOUND = 0.9
TARGET_FALSE_PER_DAY = 1.0
SCALE = 250
"""Customers each seeded customer stands for: 60,000 customers, 250 to 2,500 lines behind a node."""


@dataclass
class Replayed:
    opened: list[Incident] = field(default_factory=list)
    """Every incident as it was when it opened."""
    told: dict[str, str] = field(default_factory=dict)
    """Conversation -> the open incident the bot found for it."""
    cleared: dict[str, float] = field(default_factory=dict)
    """Incident id -> when it cleared."""


def replay(config: DetectorConfig, contacts: list[Diagnosis], until: float) -> Replayed:
    """Feed ``contacts`` (in time order) to a new detector, ticking every minute; before each, look up the open
    incident as ``core.incident_board.open_incident_for`` would (node before area)."""
    detector, result = Detector(config, Baseline()), Replayed()
    open_keys: dict[str, str] = {}

    def apply(changes: list[Any]) -> None:
        for change in changes:
            if change.kind == "opened":
                result.opened.append(change.incident)
                open_keys[change.incident.key] = change.incident.id
            elif change.kind == "cleared":
                open_keys.pop(change.incident.key, None)
                result.cleared[change.incident.id] = change.incident.cleared_at or 0.0

    next_tick = START + TICK_S
    for diagnosis in contacts:
        while next_tick <= diagnosis.at:
            apply(detector.tick(next_tick))
            next_tick += TICK_S
        found = next((open_keys[key] for _, _, key in grouping_keys(diagnosis) if key in open_keys), None)
        if found is not None:
            result.told[diagnosis.conversation] = found
        apply(detector.observe(diagnosis))
    while next_tick <= until:
        apply(detector.tick(next_tick))
        next_tick += TICK_S
    return result


@dataclass
class Outcome:
    fault: Fault
    detected_at: float | None
    after: int
    """Related contacts after the detection."""
    told: int
    """Of those, told "we're investigating"."""


def outcomes(
    faults: list[Fault], replayed: Replayed, quiet_s: float, measured: tuple[float, float]
) -> tuple[list[Outcome], int]:
    """Each fault's detection, and the number of incidents opened in ``measured`` that match no fault."""
    matched: set[str] = set()
    found = []
    for fault in faults:
        if not fault.contacts:
            found.append(Outcome(fault, None, 0, 0))
            continue
        keys = {key for d in fault.contacts for _, _, key in grouping_keys(d)}
        first, last = fault.contacts[0].at, fault.contacts[-1].at + quiet_s
        hits = [i for i in replayed.opened if i.key in keys and first <= i.detected_at <= last]
        matched |= {i.id for i in hits}
        detected = min((i.detected_at for i in hits), default=None)
        later = [d for d in fault.contacts if detected is not None and d.at > detected]
        told = sum(1 for d in later if d.conversation in replayed.told)
        found.append(Outcome(fault, detected, len(later), told))
    return found, sum(1 for i in replayed.opened if measured[0] <= i.detected_at < measured[1] and i.id not in matched)


def quantiles(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"median": None, "p90": None, "max": None}
    ordered = sorted(values)
    return {"median": statistics.median(ordered), "p90": ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))],
            "max": ordered[-1]}  # fmt: skip


def run(population: Population, config: DetectorConfig, rate: float, args: argparse.Namespace) -> dict[str, Any]:
    """Every seed's replays at ``rate``, summed into the figures."""
    results: list[Outcome] = []
    false_clean = false_faulty = warmup_false = open_after_warmup = told_clean = 0
    days = WARMUP_DAYS + args.days
    measured = (START + WARMUP_DAYS * DAY_S, START + days * DAY_S)
    until = measured[1] + DAY_S  # a day more without new faults: the last day's faults are reported next morning
    for seed in range(args.seed, args.seed + args.seeds):
        traffic = Traffic(population, rate, [seed, 0])
        background = [d for day in range(days + 1) for d in traffic.background(day, busy=day >= WARMUP_DAYS)]
        broken = Traffic(population, rate, [seed, 1])  # its own generator: the same faults at every rate
        faults = inject(broken, range(WARMUP_DAYS, days), args.faults_per_day)
        for fault in faults:
            fault.contacts = [d for d in fault.contacts if d.at < until]
        with_faults = sorted(background + [d for f in faults for d in f.contacts], key=lambda d: d.at)
        faulty, clean = replay(config, with_faults, until), replay(config, background, until)
        found, unmatched = outcomes(faults, faulty, config.quiet_s, measured)
        results += found
        false_faulty += unmatched
        false_clean += sum(1 for i in clean.opened if measured[0] <= i.detected_at < measured[1])
        warmup = [i for i in clean.opened if i.detected_at < measured[0]]
        warmup_false += len(warmup)
        open_after_warmup += sum(1 for i in warmup if clean.cleared.get(i.id, until) >= measured[0])
        told_clean += sum(1 for d in background if measured[0] <= d.at < measured[1] and d.conversation in clean.told)
    detectable = [o for o in results if len(o.fault.contacts) >= DETECTABLE]
    detected = [o for o in detectable if o.detected_at is not None]
    before5 = [o.detected_at - o.fault.contacts[DETECTABLE - 1].at for o in detected if o.detected_at]
    delays5 = [max(0.0, delay) for delay in before5]  # found before its 5th contact: no delay at all
    delays1 = [o.detected_at - o.fault.contacts[0].at for o in detected if o.detected_at]
    measured_days = args.days * args.seeds
    after = sum(o.after for o in detected)
    by_kind = {
        kind: {"detectable": len(of), "found": sum(1 for o in of if o.detected_at is not None)}
        for kind in sorted({o.fault.kind for o in detectable})
        if (of := [o for o in detectable if o.fault.kind == kind])
    }
    return {
        "rate_per_1000_per_day": rate,
        "customers": population.customers,
        "measured_days": measured_days,
        "faults_injected": len(results),
        "faults_detectable": len(detectable),
        "faults_below_5_contacts": len(results) - len(detectable),
        "found_share": len(detected) / len(detectable) if detectable else None,
        "found_share_all_injected": sum(1 for o in results if o.detected_at is not None) / len(results)
        if results
        else None,
        "found_by_kind": by_kind,
        "delay_after_5th_s": quantiles(delays5),
        "within_5_min_share": sum(1 for d in delays5 if d <= TARGET_DELAY_S) / len(delays5) if delays5 else None,
        "before_5th_share": sum(1 for d in before5 if d < 0) / len(before5) if before5 else None,
        "delay_after_first_s": quantiles(delays1),
        "false_per_clean_day": false_clean / measured_days,
        "unmatched_per_faulty_day": false_faulty / measured_days,
        "false_during_warmup": warmup_false,
        "open_after_warmup": open_after_warmup,
        "told_per_clean_day": told_clean / measured_days,
        "later_contacts": after,
        "told_share": sum(o.told for o in detected) / after if after else None,
    }


def show(figures: dict[str, Any]) -> None:
    def s(value: float | None, unit: str = " s") -> str:
        return "n/a" if value is None else f"{value:.0f}{unit}"

    def verdict(ok: bool | None) -> str:
        return "not measured" if ok is None else ("met" if ok else "MISSED")

    found, false, d5 = figures["found_share"], figures["false_per_clean_day"], figures["delay_after_5th_s"]
    within = figures["within_5_min_share"]
    print(f"rate {figures['rate_per_1000_per_day']:g} per 1,000 customers a day, {figures['customers']:,} customers, "
          f"{figures['measured_days']} measured days")  # fmt: skip
    print(f"  faults injected {figures['faults_injected']}, with >= {DETECTABLE} related contacts "
          f"{figures['faults_detectable']}; by kind (found/detectable): "
          + ", ".join(f"{k} {v['found']}/{v['detectable']}" for k, v in figures["found_by_kind"].items()))  # fmt: skip
    print(f"  found / injected: {found if found is None else round(found, 3)} (target >= {TARGET_FOUND}: "
          f"{verdict(None if found is None else found >= TARGET_FOUND)}); of all injected "
          f"{figures['found_share_all_injected']:.3f}")  # fmt: skip
    print(f"  delay after the 5th related contact: median {s(d5['median'])}, p90 {s(d5['p90'])}, max {s(d5['max'])}; "
          f"within 5 min {within if within is None else round(within, 3)}, before the 5th "
          f"{figures['before_5th_share'] or 0:.3f} (target: within 5 min at p90: "
          f"{verdict(None if d5['p90'] is None else d5['p90'] <= TARGET_DELAY_S)})")  # fmt: skip
    d1 = figures["delay_after_first_s"]
    print(f"  delay after the first related contact: median {s(d1['median'])}, p90 {s(d1['p90'])}, max {s(d1['max'])}")
    print(f"  false incidents per fault-free day: {false:.2f} (target <= {TARGET_FALSE_PER_DAY:g}: "
          f"{verdict(false <= TARGET_FALSE_PER_DAY)}); unmatched per faulty day "
          f"{figures['unmatched_per_faulty_day']:.2f}; during the warm-up weeks {figures['false_during_warmup']}, "
          f"{figures['open_after_warmup']} still open when the measured days began")  # fmt: skip
    print(f"  customers told 'we're investigating' per fault-free day: {figures['told_per_clean_day']:.1f}")
    told = figures["told_share"]
    print(f"  later related contacts told 'we're investigating': {told if told is None else round(told, 3)} "
          f"of {figures['later_contacts']}", flush=True)  # fmt: skip


def tune(population: Population, base: DetectorConfig, rate: float, args: argparse.Namespace) -> list[dict[str, Any]]:
    """A small grid of the detector's parameters at ``rate``: which meet all three targets."""
    rows = []
    for window, minimum, threshold in itertools.product((1800.0, 3600.0, 7200.0), (3, 4, 5), (1e-3, 1e-4, 1e-5)):
        config = replace(base, window_s=window, min_contacts=minimum, p_threshold=threshold)
        figures = run(population, config, rate, args)
        p90, found, false = figures["delay_after_5th_s"]["p90"], figures["found_share"], figures["false_per_clean_day"]
        meets = (p90 is not None and p90 <= TARGET_DELAY_S and found is not None and found >= TARGET_FOUND
                 and false <= TARGET_FALSE_PER_DAY)  # fmt: skip
        told, told_clean = figures["told_share"] or 0.0, figures["told_per_clean_day"]
        rows.append({"window_s": window, "min_contacts": minimum, "p_threshold": threshold, "meets": meets,
                     "found_share": found, "p90_after_5th_s": p90, "false_per_clean_day": false,
                     "told_share": told, "told_per_clean_day": told_clean})  # fmt: skip
        print(f"  window {window:>5.0f} s, min {minimum}, p {threshold:.0e}: found {found or 0:.3f}, "
              f"p90 {p90 if p90 is None else round(p90)} s, false/day {false:.2f}, told {told:.3f} "
              f"(without a fault {told_clean:.1f}/day){'  <- meets all' if meets else ''}", flush=True)  # fmt: skip
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--days", type=int, default=5, help="measured days per seed, after the warm-up week")
    parser.add_argument("--seeds", type=int, default=4, help="replays with different seeds")
    parser.add_argument("--seed", type=int, default=1, help="the first seed")
    parser.add_argument("--faults-per-day", type=int, default=4)
    parser.add_argument("--rate", type=float, default=4.0, help="contacts per 1,000 customers per day")
    parser.add_argument("--scale", type=int, default=SCALE, help="customers each seeded customer stands for")
    parser.add_argument("--sweep", default="2,8", help="other rates to replay (comma-separated; '' for none)")
    parser.add_argument("--tune", action="store_true", help="replay a grid of detector parameters at --rate")
    parser.add_argument("--window", type=float, help="the detector's window_s")
    parser.add_argument("--min-contacts", type=int)
    parser.add_argument("--p-threshold", type=float)
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    config = DetectorConfig()
    overrides = {"window_s": args.window, "min_contacts": args.min_contacts, "p_threshold": args.p_threshold}
    config = replace(config, **{k: v for k, v in overrides.items() if v is not None})
    started = time.monotonic()
    population = load_population(args.scale)
    print(f"detector: {asdict(config)}; {args.seeds} seeds x ({WARMUP_DAYS} warm-up + {args.days} measured days), "
          f"{args.faults_per_day} faults a measured day", flush=True)  # fmt: skip
    figures = run(population, config, args.rate, args)
    show(figures)
    sweep = {}
    for rate in sorted({float(r) for r in args.sweep.split(",") if r.strip()} - {args.rate}):
        sweep[f"{rate:g}"] = run(population, config, rate, args)
        show(sweep[f"{rate:g}"])
    result: dict[str, Any] = {**figures, "detector": asdict(config), "sweep": sweep, "seeds": args.seeds,
                              "faults_per_day": args.faults_per_day}  # fmt: skip
    if args.tune:
        print(f"tuning at rate {args.rate:g}:")
        result["tune"] = tune(population, config, args.rate, args)
    print(f"replayed in {time.monotonic() - started:.1f} s")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
