"""TMF638 services: the customer's broadband line, mobile line and TV, with the node each hangs off."""

from __future__ import annotations

from simulator.apis import CUSTOMER, SERVICE_INVENTORY
from simulator.seed.model import Line, Person
from simulator.seed.tmf import Hrefs, Json, characteristic, iso, party_ref

NODE_KINDS = {"EX": "Exchange", "CAB": "StreetCabinet", "OLT": "OpticalLineTerminal", "CELL": "CellSite"}
SPECIFICATIONS = {
    "ADSL2+": ("SS-BB-ADSL", "Broadband over copper (ADSL2+)"),
    "FTTC": ("SS-BB-FTTC", "Fibre to the cabinet broadband"),
    "FTTP": ("SS-BB-FTTP", "Full fibre broadband"),
    "mobile": ("SS-MOB-SIM", "Mobile SIM service"),
    "tv": ("SS-TV-IPTV", "IPTV television"),
}


def node_kind(node: str) -> str:
    return NODE_KINDS[node.split("-", 1)[0]]


def service_json(person: Person, line: Line, hrefs: Hrefs) -> Json:
    plan = line.plan
    spec_key = plan.technology if plan.kind == "broadband" else plan.kind
    spec_id, spec_name = SPECIFICATIONS[spec_key]
    chars = [
        characteristic("productOffering", plan.id),
        characteristic("planName", plan.name),
        characteristic("area", person.area.code),
        characteristic("postcode", person.postcode),
        characteristic("networkNode", line.node),
        characteristic("accessTechnology", plan.technology),
    ]
    resources: list[Json] = [
        {"id": line.node, "name": f"{node_kind(line.node)} {line.node}", "@referredType": "NetworkNode"}
    ]
    if plan.kind == "broadband":
        chars += [
            characteristic("contractedDownloadSpeedMbps", plan.down_mbps),
            characteristic("contractedUploadSpeedMbps", plan.up_mbps),
            characteristic("minimumGuaranteedSpeedMbps", plan.min_guaranteed_mbps),
        ]
        if person.landline:
            chars.append(characteristic("landlineNumber", person.landline))
        resources.append(
            {"id": f"CPE-{person.index:06d}", "name": "Hub router", "@referredType": "CustomerPremisesEquipment"}
        )
    elif plan.kind == "mobile":
        chars += [
            characteristic("msisdn", person.mobile),
            characteristic("iccid", f"894411{person.index:06d}{line.id[-1]}0000001"),
            characteristic("servingCell", line.node),
            characteristic("simStatus", line.sim_status),
            characteristic("barring", line.barring),
            characteristic("dataAllowance", plan.allowance),
        ]
    elif (broadband := person.line("broadband")) is not None:
        chars.append(characteristic("deliveredOver", broadband.id))
    started = line.state == "active" or line.barring != "none" or line.sim_status != "active"
    return {
        "id": line.id,
        "href": hrefs(SERVICE_INVENTORY, "service", line.id),
        "name": f"{plan.name} {plan.kind}",
        "category": plan.kind,
        "serviceType": plan.kind,
        "description": f"{plan.name} at {person.address}",
        "state": line.state,
        "isServiceEnabled": line.state == "active",
        "hasStarted": started,
        "isStateful": True,
        "startDate": iso(person.since),
        "serviceSpecification": {"id": spec_id, "name": spec_name, "@referredType": "ServiceSpecification"},
        "serviceCharacteristic": chars,
        "place": [
            {
                "id": f"ADDR-{person.index:06d}",
                "name": person.address,
                "role": "installationAddress" if plan.kind != "mobile" else "registeredAddress",
                "@referredType": "GeographicAddress",
            }
        ],
        "supportingResource": resources,
        "relatedParty": [
            party_ref(person.customer_id, person.name, "customer", hrefs(CUSTOMER, "customer", person.customer_id))
        ],
    }
