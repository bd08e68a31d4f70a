"""One router per TMF API, plus the admin router; :data:`TMF_ROUTERS` lists the API ones."""

from __future__ import annotations

from fastapi import APIRouter

from simulator.routers import (
    account,
    alarm,
    customer,
    customer_bill,
    payment,
    product_order,
    service_inventory,
    service_test,
    trouble_ticket,
)

TMF_ROUTERS: tuple[APIRouter, ...] = (
    customer.router,
    account.router,
    service_inventory.router,
    alarm.router,
    service_test.router,
    customer_bill.router,
    payment.router,
    product_order.router,
    trouble_ticket.router,
)
