"""TMF629 customers and TMF666 billing accounts.

The customer carries what a verification step needs: phone numbers (mobile, and the landline for broadband
customers), e-mail, and the postal address whose postcode is the verification factor.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from simulator.apis import ACCOUNT, CUSTOMER
from simulator.seed.model import Person
from simulator.seed.tmf import Hrefs, Json, gbp, iso, party_ref

CREDIT_LIMIT = Decimal("150.00")


def customer_json(person: Person, hrefs: Hrefs) -> Json:
    phones: list[Json] = [
        {
            "mediumType": "phone",
            "preferred": True,
            "characteristic": {"contactType": "mobile", "phoneNumber": person.mobile},
        }
    ]
    if person.landline:
        phones.append(
            {
                "mediumType": "phone",
                "preferred": False,
                "characteristic": {"contactType": "home", "phoneNumber": person.landline},
            }
        )
    return {
        "id": person.customer_id,
        "href": hrefs(CUSTOMER, "customer", person.customer_id),
        "name": person.name,
        "status": "approved",
        "engagedParty": {
            "id": f"IND-{person.index:06d}",
            "name": person.name,
            "role": "customer",
            "@referredType": "Individual",
        },
        "account": [
            {
                "id": person.account_id,
                "href": hrefs(ACCOUNT, "billingAccount", person.account_id),
                "name": f"{person.name} (consumer)",
                "@referredType": "BillingAccount",
            }
        ],
        "contactMedium": [
            *phones,
            {
                "mediumType": "email",
                "preferred": False,
                "characteristic": {"contactType": "personal", "emailAddress": person.email},
            },
            {
                "mediumType": "postalAddress",
                "preferred": False,
                "characteristic": {
                    "contactType": "billing",
                    "street1": person.street,
                    "city": person.area.city,
                    "postCode": person.postcode,
                    "country": "GB",
                },
            },
        ],
        "validFor": {"startDateTime": iso(person.since)},
        "@type": "Customer",
    }


def billing_account_json(
    person: Person, hrefs: Hrefs, outstanding: Decimal, payment_status: str, anchor: datetime
) -> Json:
    return {
        "id": person.account_id,
        "href": hrefs(ACCOUNT, "billingAccount", person.account_id),
        "name": f"{person.name} (consumer)",
        "accountType": "consumer",
        "state": "active",
        "paymentStatus": payment_status,
        "lastModified": iso(anchor),
        "accountBalance": [
            {
                "balanceType": "outstanding",
                "amount": gbp(outstanding),
                "validFor": {"startDateTime": iso(anchor)},
            }
        ],
        "creditLimit": gbp(CREDIT_LIMIT),
        "defaultPaymentMethod": {
            "id": f"PM-DD-{person.index:06d}",
            "name": "Direct Debit",
            "@referredType": "PaymentMethod",
        },
        "relatedParty": [
            party_ref(person.customer_id, person.name, "owner", hrefs(CUSTOMER, "customer", person.customer_id))
        ],
        "@type": "BillingAccount",
    }
