"""Customers as the network's first sensor (issue 21): the action server's side.

Every finished broadband, mobile or bill diagnosis is appended to the sensor's stream as a
``core.contracts.sensor.Diagnosis`` (pseudonyms only, no identifiers); the sensor process (``sensor/``) groups the
unexplained ones into suspected incidents. When the diagnosis falls in an open incident, the customer is told that
others near them reported the same and that the network team is investigating, and is offered the text of issue 9
under the incident's key, instead of a fault ticket or a dispute of their own and a place in a queue. Asking for a
person still works: the incident travels in ``findings`` to the agent's case.

The stream and the incidents live in Redis. A diagnosis never fails or waits long because of them: Redis down or
slow is logged and the customer gets the usual path.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from typing import Literal

from redis.asyncio import Redis
from redis.exceptions import RedisError

from actions.diagnosis import Context
from actions.notifications import TEXT_ME
from core import incident_board
from core.contracts.sensor import DIAGNOSES_MAXLEN, DIAGNOSES_STREAM, Diagnosis, Incident, Symptom
from core.oss import models as m
from core.pseudonyms import pseudonym
from core.redis.connect import connect
from core.settings import get_settings

log = logging.getLogger(__name__)

SENSOR_BUDGET_S = 1.5
"""The longest a diagnosis waits for the sensor's Redis before going on without it (a line test takes seconds)."""
REDIS_TIMEOUT_S = 1.0
SYMPTOMS: dict[str, Symptom] = {
    "report_internet_down": "broadband_down",
    "report_slow_internet": "broadband_slow",
    "report_mobile_no_service": "mobile_no_service",
    "bill_too_high": "bill_increase",
}
Audience = Literal["broadband", "mobile", "bill", "bill_disputable"]
INVESTIGATING: dict[Audience, str] = {
    "broadband": "utter_incident_investigating",
    "mobile": "utter_incident_investigating_mobile",
    "bill": "utter_incident_investigating_bill",
    "bill_disputable": "utter_incident_investigating_bill_disputable",
}
BILL_LINE_CHARS = 80  # a grouping key and the incident's target on staff pages: a line's words, not a paragraph
_UNIT = r"(?:[KMGT]B|[km]bps|min(?:ute)?s?|sec(?:ond)?s?|h(?:ou)?rs?|texts?|SMS|MMS|calls?|days?|months?|p|x)"
_PER_UNIT = re.compile(rf"(?:\bper\s+|/\s*){_UNIT}\b", re.I)
_AMOUNT = re.compile(r"[£$€]\s*\d[\d,]*(?:\.\d+)?|\b\d[\d,]*(?:\.\d+)?\s*(?:GBP|EUR|USD)\b", re.I)
_QUANTITY = re.compile(rf"(?:\bx\s*)?\d[\d,]*(?:\.\d+)?(?:\s*%|\s*{_UNIT}\b)?", re.I)
_LEFT_OVER = re.compile(r"\b(?:[KMGT]B|GBP|EUR|USD)\b|[£$€\d]|\(\s*\)", re.I)
_DANGLING = re.compile(r"^(?:(?:at|of|for|per|x|@)\b|[\s,.:;@-])+|(?:\b(?:at|of|for|per|x)|[\s,.:;@-])+$", re.I)
SENSOR_ERRORS = (RedisError, OSError, TimeoutError, ValueError)
"""Redis down or slow, or an incident record the contract cannot read: the customer gets the usual path."""


def redis_client() -> Redis:
    """A client per action run with short timeouts: never tied to another run's event loop, never slow."""
    return connect(
        get_settings().effective_redis_url, socket_timeout=REDIS_TIMEOUT_S, socket_connect_timeout=REDIS_TIMEOUT_S
    )


def bill_line_key(description: str) -> str | None:
    """A bill line as many accounts share it: no amounts, quantities, currency or units, at most
    ``BILL_LINE_CHARS``; ``None`` when nothing is left.

    A line's text carries the customer's own usage and prices ("3.2 GB of data used in the United States at
    £12.00 per GB"), which differ per account: sent as it is, the same wrong charge never groups into a surge.
    So "Roaming 3.2 GB at £12.00 per GB" and "Roaming 1.1 GB at £12.00 per GB" are both "Roaming"."""
    text = _PER_UNIT.sub(" ", description)
    text = _AMOUNT.sub(" ", text)
    text = _QUANTITY.sub(" ", text)
    text = _LEFT_OVER.sub(" ", text)
    text = _DANGLING.sub("", " ".join(text.split()))
    text = " ".join(text.split())[:BILL_LINE_CHARS].rstrip()
    return text or None


def build(
    ctx: Context,
    finding: str,
    *,
    service: m.Service | None = None,
    bill_line: str | None = None,
    alarm: str | None = None,
    explained: bool = False,
) -> Diagnosis | None:
    """The diagnosis as the sensor reads it, or ``None`` for a problem the sensor does not watch."""
    symptom = SYMPTOMS.get(ctx.problem)
    if symptom is None:
        return None
    secret = get_settings().learning_pseudonym_secret.get_secret_value()
    customer = ctx.identity.get("customer_id")
    return Diagnosis(
        at=time.time(),
        conversation=pseudonym(secret, ctx.tracker.sender_id),
        customer=pseudonym(secret, str(customer)) if customer else None,
        symptom=symptom,
        service_kind=service.kind if service else None,
        area=service.area if service else None,
        node=service.node if service else None,
        finding=finding,
        bill_line=bill_line,
        explained=explained,
        alarm=alarm,
    )


async def sense(
    ctx: Context,
    finding: str,
    *,
    service: m.Service | None = None,
    bill_line: str | None = None,
    alarm: str | None = None,
    explained: bool = False,
) -> Incident | None:
    """Return the open incident this diagnosis falls in, if any, and append it to the sensor's stream.

    ``finding`` is the test's fault location (``pass`` when it passed), or for bills the kind of the largest
    change. Notes ``node``, ``area``, ``symptom``, ``finding`` (and ``bill_line``) in the findings, and ``incident``
    when one is open for it, so an agent who gets this case sees it, and the staff pages group the case as the
    sensor would (a finding on the customer's side belongs to no incident)."""
    diagnosis = build(ctx, finding, service=service, bill_line=bill_line, alarm=alarm, explained=explained)
    if diagnosis is None:
        return None
    shared = {"node": diagnosis.node, "area": diagnosis.area, "bill_line": diagnosis.bill_line}
    ctx.note(symptom=diagnosis.symptom, finding=diagnosis.finding,
             **{name: value for name, value in shared.items() if value is not None})  # fmt: skip
    redis = redis_client()
    try:
        async with asyncio.timeout(SENSOR_BUDGET_S):
            # Looked up before this contact is added: the sensor may open an incident on it within milliseconds,
            # and whether this customer is told must not depend on that race. Told are those who come after.
            found = await incident_board.open_incident_for(redis, diagnosis)
            await redis.xadd(
                DIAGNOSES_STREAM, {"d": diagnosis.model_dump_json()}, maxlen=DIAGNOSES_MAXLEN, approximate=True
            )
    except SENSOR_ERRORS as exc:
        log.warning("sensor: diagnosis of %s not recorded: %s", diagnosis.symptom, type(exc).__name__)
        return None
    finally:
        await redis.aclose()
    if found is not None:
        ctx.note(incident=found.id)
    return found


def period(incident: Incident, now: float) -> str:
    """Since the incident's first contact, in whole minutes and at least one: "minute", "12 minutes"."""
    minutes = max(1, round((now - incident.first_contact_at) / 60))
    return "minute" if minutes == 1 else f"{minutes} minutes"


async def tell_investigating(ctx: Context, incident: Incident, audience: Audience) -> None:
    """Tell the customer others reported the same and the team is investigating; offer the text when it ends.

    The answer goes to ``action_notify_when_restored`` (``awaiting: outage_notification``), which subscribes
    under ``findings["alarm"]``: the incident's key, which the notifier knows."""
    ctx.note(alarm=incident.notify_key, diagnosis="suspected_incident")
    ctx.say(INVESTIGATING[audience], buttons=TEXT_ME, period=period(incident, time.time()))
    ctx.expect("outage_notification")
    redis = redis_client()
    try:
        async with asyncio.timeout(SENSOR_BUDGET_S):
            await incident_board.count_told(redis, incident.id)
    except SENSOR_ERRORS as exc:
        log.warning("sensor: customer told of %s not counted: %s", incident.id, type(exc).__name__)
    finally:
        await redis.aclose()


async def open_in_area(area: str) -> list[Incident]:
    """Open service incidents in a postcode district (not bill lines), largest first; none when Redis is down."""
    redis = redis_client()
    try:
        async with asyncio.timeout(SENSOR_BUDGET_S):
            incidents = await incident_board.open_incidents(redis)
    except SENSOR_ERRORS as exc:
        log.warning("sensor: open incidents unreadable: %s", type(exc).__name__)
        return []
    finally:
        await redis.aclose()
    return [i for i in incidents if i.symptom != "bill_increase" and area in (i.area, i.target)]
