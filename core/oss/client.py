"""The async OSS/BSS client the custom actions use: TMF Open APIs in, typed results and domain errors out.

Build one per process with ``OssClient(OssConfig.from_settings(settings))`` when the action server starts,
share it (it holds one connection pool), and ``await client.aclose()`` at shutdown. Every method takes an
optional ``journal`` (a list will do) that receives one :class:`~core.oss.journal.CallRecord` per call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import quote

import httpx

from core.oss import adapters as a
from core.oss import config as apis
from core.oss import models as m
from core.oss import summaries as s
from core.oss.billdiff import BillComparison, compare_bills
from core.oss.config import OssConfig
from core.oss.errors import OssNotFound
from core.oss.identifiers import normalize_account, normalize_phone
from core.oss.journal import Journal
from core.oss.transport import Call, TmfTransport

T = TypeVar("T")
LINE_TEST = "TS-BB-LINE"
REGISTRATION_CHECK = "TS-MOB-REG"
TEST_FOR_KIND = {"broadband": LINE_TEST, "mobile": REGISTRATION_CHECK}


class OssClient:
    def __init__(self, config: OssConfig, *, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.config = config
        self._transport = TmfTransport(config, transport=transport)

    async def __aenter__(self) -> OssClient:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._transport.aclose()

    def breaker_state(self, api: str) -> str:
        return self._transport.breakers[api].state

    # TMF629 Customer -------------------------------------------------------------------------------------------

    async def get_customer(self, customer_id: str, journal: Journal | None = None) -> m.Customer:
        call = Call(apis.CUSTOMER, "get_customer", "GET", _item("customer", customer_id), customer_id)
        return await self._one(call, a.customer, s.customer, journal)

    async def find_customer(self, ref: str, journal: Journal | None = None) -> m.Customer:
        """The customer with this billing account number (``AC12345678``) or UK phone number (any usual spelling).

        :class:`OssNotFound` when nobody matches; :class:`OssRejected` when ``ref`` is neither, without a call.
        """
        account = normalize_account(ref)
        number = None if account else normalize_phone(ref)
        if account:
            params, target = {"account.id": account}, account
        elif number:
            params, target = {"contactMedium.characteristic.phoneNumber": number}, number
        else:
            call = Call(apis.CUSTOMER, "find_customer", "GET", "/customer", ref[:40])
            raise self._transport.refuse(
                call, "neither an account number nor a UK phone number", "INVALID_REF", journal
            )
        call = Call(apis.CUSTOMER, "find_customer", "GET", "/customer", target, params)
        found = await self._many(call, a.customer, s.customers, journal, empty_is_not_found=True)
        return found[0]

    # TMF666 Account --------------------------------------------------------------------------------------------

    async def get_billing_account(self, account_id: str, journal: Journal | None = None) -> m.BillingAccount:
        call = Call(apis.ACCOUNT, "get_billing_account", "GET", _item("billingAccount", account_id), account_id)
        return await self._one(call, a.billing_account, s.billing_account, journal)

    # TMF638 Service Inventory ----------------------------------------------------------------------------------

    async def list_services(self, customer_id: str, journal: Journal | None = None) -> list[m.Service]:
        call = Call(
            apis.SERVICE_INVENTORY, "list_services", "GET", "/service", customer_id, {"relatedParty.id": customer_id}
        )
        return await self._many(call, a.service, s.services, journal)

    # TMF642 Alarm ----------------------------------------------------------------------------------------------

    async def list_alarms(
        self,
        *,
        area: str | None = None,
        node: str | None = None,
        active_only: bool = True,
        journal: Journal | None = None,
    ) -> list[m.Alarm]:
        """Alarms raised against an area (postcode outward code) or a network node, newest first."""
        params: dict[str, str] = {}
        if area:
            params["place.id"] = area
        if node:
            params["alarmedObject.id"] = node
        if active_only:
            params["state"] = "raised,updated"
        call = Call(apis.ALARM, "list_alarms", "GET", "/alarm", area or node or "*", params)
        return await self._many(call, a.alarm, s.alarms, journal)

    async def alarms_affecting(self, service: m.Service, journal: Journal | None = None) -> list[m.Alarm]:
        """Active service-affecting alarms the network raised on the service's node or area; the network sensor's
        own suspicions (``customer-reported``) are not outages and are left out."""
        if not service.area:
            return []
        alarms = await self.list_alarms(area=service.area, journal=journal)
        return [alarm for alarm in alarms if alarm.affects(service) and not alarm.customer_reported]

    # TMF653 Service Test ---------------------------------------------------------------------------------------

    async def run_service_test(
        self, service: m.Service | str, specification: str | None = None, journal: Journal | None = None
    ) -> m.ServiceTestResult:
        """Run a line test (broadband) or registration check (mobile); never retried, as it is not idempotent."""
        service_id = service if isinstance(service, str) else service.id
        spec = specification or (
            TEST_FOR_KIND.get(service.kind, LINE_TEST) if isinstance(service, m.Service) else LINE_TEST
        )
        body = {
            "name": f"{spec} requested by the triage bot",
            "relatedService": {"id": service_id},
            "testSpecification": {"id": spec},
        }
        call = Call(apis.SERVICE_TEST, "run_service_test", "POST", "/serviceTest", service_id, body=body)
        return await self._one(call, a.service_test, s.service_test, journal)

    async def get_service_test(self, test_id: str, journal: Journal | None = None) -> m.ServiceTestResult:
        call = Call(apis.SERVICE_TEST, "get_service_test", "GET", _item("serviceTest", test_id), test_id)
        return await self._one(call, a.service_test, s.service_test, journal)

    # TMF678 Customer Bill --------------------------------------------------------------------------------------

    async def list_bills(self, account_id: str, limit: int = 3, journal: Journal | None = None) -> list[m.Bill]:
        """The account's latest bills, newest first."""
        call = Call(
            apis.CUSTOMER_BILL,
            "list_bills",
            "GET",
            "/customerBill",
            account_id,
            {"billingAccount.id": account_id, "sort": "-billDate", "limit": str(limit)},
        )
        return await self._many(call, a.bill, s.bills, journal)

    async def list_bill_items(self, bill_id: str, journal: Journal | None = None) -> list[m.BillItem]:
        call = Call(
            apis.CUSTOMER_BILL, "list_bill_items", "GET", "/appliedCustomerBillingRate", bill_id, {"bill.id": bill_id}
        )
        return await self._many(call, a.bill_item, s.bill_items, journal)

    async def compare_latest_bills(self, account_id: str, journal: Journal | None = None) -> BillComparison:
        """Why the latest bill differs from the one before; :class:`OssNotFound` with fewer than two bills."""
        bills = await self.list_bills(account_id, limit=2, journal=journal)
        if len(bills) < 2:
            raise OssNotFound(apis.CUSTOMER_BILL, "compare_latest_bills", f"{account_id} has fewer than two bills")
        current, previous = bills[0], bills[1]
        current_items = await self.list_bill_items(current.id, journal=journal)
        previous_items = await self.list_bill_items(previous.id, journal=journal)
        return compare_bills(previous, previous_items, current, current_items)

    # TMF676 Payment --------------------------------------------------------------------------------------------

    async def list_payments(self, account_id: str, journal: Journal | None = None) -> list[m.Payment]:
        """The account's payments, newest first; failed ones carry their reason."""
        call = Call(apis.PAYMENT, "list_payments", "GET", "/payment", account_id, {"account.id": account_id})
        return await self._many(call, a.payment, s.payments, journal)

    # TMF622 Product Ordering -----------------------------------------------------------------------------------

    async def list_orders(self, customer_id: str, journal: Journal | None = None) -> list[m.ProductOrder]:
        call = Call(
            apis.PRODUCT_ORDER, "list_orders", "GET", "/productOrder", customer_id, {"relatedParty.id": customer_id}
        )
        return await self._many(call, a.product_order, s.orders, journal)

    async def get_order(self, order_id: str, journal: Journal | None = None) -> m.ProductOrder:
        call = Call(apis.PRODUCT_ORDER, "get_order", "GET", _item("productOrder", order_id), order_id)
        return await self._one(call, a.product_order, s.order, journal)

    # TMF621 Trouble Ticket -------------------------------------------------------------------------------------

    async def create_ticket(self, draft: m.TicketDraft, journal: Journal | None = None) -> m.TroubleTicket:
        """Open a ticket; never retried, so a timeout may hide a ticket that was created (check the list)."""
        body: dict[str, Any] = {
            "description": draft.description,
            "severity": draft.severity,
            "ticketType": draft.ticket_type,
            "relatedParty": [{"id": draft.customer_id, "role": "customer", "@referredType": "Customer"}],
            "channel": {"id": "CH-CHAT", "name": "Web chat"},
        }
        if draft.name:
            body["name"] = draft.name
        if draft.service_id:
            body["relatedEntity"] = [{"id": draft.service_id, "role": "affectedService", "@referredType": "Service"}]
        if draft.note:
            body["note"] = [{"text": draft.note, "author": "triage-bot"}]
        call = Call(apis.TROUBLE_TICKET, "create_ticket", "POST", "/troubleTicket", draft.customer_id, body=body)
        return await self._one(call, a.trouble_ticket, s.ticket, journal)

    async def get_ticket(self, ticket_id: str, journal: Journal | None = None) -> m.TroubleTicket:
        call = Call(apis.TROUBLE_TICKET, "get_ticket", "GET", _item("troubleTicket", ticket_id), ticket_id)
        return await self._one(call, a.trouble_ticket, s.ticket, journal)

    async def update_ticket(
        self, ticket_id: str, changes: dict[str, Any], journal: Journal | None = None
    ) -> m.TroubleTicket:
        """TMF621 merge patch: arrays in ``changes`` (e.g. ``note``) replace the ticket's whole, so send the old too."""
        call = Call(
            apis.TROUBLE_TICKET, "update_ticket", "PATCH", _item("troubleTicket", ticket_id), ticket_id, body=changes
        )
        return await self._one(call, a.trouble_ticket, s.ticket, journal)

    async def list_tickets(self, customer_id: str, journal: Journal | None = None) -> list[m.TroubleTicket]:
        call = Call(
            apis.TROUBLE_TICKET, "list_tickets", "GET", "/troubleTicket", customer_id, {"relatedParty.id": customer_id}
        )
        return await self._many(call, a.trouble_ticket, s.tickets, journal)

    # plumbing --------------------------------------------------------------------------------------------------

    async def _one(
        self, call: Call, parse: Callable[[dict[str, Any]], T], summarize: Callable[[T], str], journal: Journal | None
    ) -> T:
        return await self._transport.request(call, lambda payload: a.one(payload, parse), summarize, journal)

    async def _many(
        self,
        call: Call,
        parse: Callable[[dict[str, Any]], T],
        summarize: Callable[[list[T]], str],
        journal: Journal | None,
        *,
        empty_is_not_found: bool = False,
    ) -> list[T]:
        def parse_all(payload: Any) -> list[T]:
            items = a.many(payload, parse)
            if empty_is_not_found and not items:
                raise OssNotFound(call.api, call.operation, f"nothing matches {call.target}", status=200)
            return items

        return await self._transport.request(call, parse_all, summarize, journal)


def _item(resource: str, ident: str) -> str:
    """The path of one resource, its id percent-encoded so it cannot add path segments or a query."""
    return f"/{resource}/{quote(ident, safe='')}"
