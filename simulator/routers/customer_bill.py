"""TMF678 Customer Bill: bills of a billing account and their line items (appliedCustomerBillingRate)."""

from __future__ import annotations

from fastapi import APIRouter

from simulator.apis import CUSTOMER_BILL, base_path
from simulator.identifiers import ACCOUNT_ID, BILL_ID, BILL_RATE_ID
from simulator.query import Filter, Listing, attributes
from simulator.routers.common import read_routes

BILL_FIELDS = attributes(
    "id href billDate billNo category lastUpdate nextBillDate paymentDueDate runType amountDue appliedPayment"
    " billDocument billingAccount billingPeriod financialAccount paymentMethod relatedParty remainingAmount state"
    " taxExcludedAmount taxIncludedAmount taxItem @baseType @schemaLocation @type"
)
RATE_FIELDS = attributes(
    "id href date description isBilled name type appliedTax bill billingAccount characteristic periodCoverage"
    " product taxExcludedAmount taxIncludedAmount @baseType @schemaLocation @type"
)
BILLS = Listing(
    resource="customerBill",
    id_pattern=BILL_ID,
    fields=BILL_FIELDS,
    filters={
        "id": Filter(BILL_ID, identifier=True),
        "billingAccount.id": Filter(ACCOUNT_ID, identifier=True),
        "state": Filter(choices=frozenset({"new", "onHold", "validated", "sent", "partiallyPaid", "settled"})),
    },
    sortable=frozenset({"billDate", "paymentDueDate"}),
    default_sort="-billDate",
)
RATES = Listing(
    resource="appliedCustomerBillingRate",
    id_pattern=BILL_RATE_ID,
    fields=RATE_FIELDS,
    filters={
        "id": Filter(BILL_RATE_ID, identifier=True),
        "bill.id": Filter(BILL_ID, identifier=True),
        "billingAccount.id": Filter(ACCOUNT_ID, identifier=True),
        "type": Filter(choices=frozenset({"recurringCharge", "oneTimeCharge", "usageCharge"})),
    },
    sortable=frozenset({"date"}),
)

router = APIRouter(prefix=base_path(CUSTOMER_BILL), tags=["TMF678 Customer Bill"])
read_routes(router, BILLS)
read_routes(router, RATES)
