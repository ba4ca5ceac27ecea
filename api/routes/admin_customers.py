"""Operator routes on customers' accounts: list, read, suspend, reinstate, close.

Every route requires exactly one Permission (exchange/access/roles.py); the
acting staff member is always the authenticated key's owner, never a body
field. Identity data (name, document, birth date) and the full e-mail address
are shown only to roles holding READ_IDENTITY (compliance): operators see a
masked address, status and tier. KYC decisions, lists, limits and cases are
in api/routes/compliance.py; deposits and withdrawals in api/routes/custody.py.
"""
import msgspec
from fastapi import APIRouter, Depends, Query, Request

from api.auth.dependency import require
from api.errors import ApiError
from api.http import body_doc, durable_venue, json_response, parse_body, submit
from api.routes.staff_fields import Reason, format_tiyin, ms
from exchange.access import Permission
from exchange.access.roles import allowed
from exchange.compliance import CloseCustomer, KycStatus, ReinstateCustomer, SuspendCustomer

LIST_LIMIT_MAX = 1_000
ACCOUNT_ACTIONS = {"suspend": SuspendCustomer, "reinstate": ReinstateCustomer, "close": CloseCustomer}


def mask_email(email: str) -> str:
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def customer_view(customer, with_identity: bool) -> dict:
    """A customer for staff; identity and the full e-mail only for READ_IDENTITY holders."""
    view = {"customer_id": int(customer.customer_id), "kyc_status": customer.kyc_status.value,
            "tier": customer.tier, "signed_up_at_ms": ms(customer.signed_up_at_ns),
            "verified_at_ms": ms(customer.verified_at_ns), "status_reason": customer.status_reason,
            "email": customer.email if with_identity else mask_email(customer.email)}
    if with_identity:
        view["identity"] = msgspec.to_builtins(customer.identity)
        view["case_ids"] = list(customer.case_ids)
    return view


def find_customer(venue, customer_id: int):
    customer = venue.compliance.customer(str(customer_id))
    if customer is None:
        raise ApiError("CUSTOMER_NOT_FOUND", f"no customer {customer_id}")
    return customer


def customer_ids(venue) -> list[str]:
    # Compliance offers no listing query yet (reported): read its book's keys, never change them.
    return list(venue.compliance._book.customers)


def build(runtime) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["admin"])
    reader = require(runtime.authenticator, Permission.READ_CUSTOMERS)

    @router.get("/admin/customers", summary="List customers: status, tier, sign-up time (no identity data)")
    async def list_customers(status: KycStatus | None = None, after_id: int = 0,
                             limit: int = Query(100, ge=1, le=LIST_LIMIT_MAX), who=Depends(reader)):
        venue = await durable_venue(runtime)
        ids = sorted(int(i) for i in customer_ids(venue) if i.isdigit() and int(i) > after_id)
        found = []
        for customer_id in ids:
            customer = venue.compliance.customer(str(customer_id))
            if status is None or customer.kyc_status == status:
                found.append(customer_view(customer, with_identity=False))
            if len(found) == limit:
                break
        return json_response({"customers": found})

    @router.get("/admin/customers/{customer_id}", summary="One customer; identity data for compliance only")
    async def get_customer(customer_id: int, who=Depends(reader)):
        venue = await durable_venue(runtime)
        customer = find_customer(venue, customer_id)
        limits = venue.compliance.tier_limits(customer.tier)
        return json_response({**customer_view(customer, allowed(who.role, Permission.READ_IDENTITY)),
                              "tier_limits_tmt": {name.removesuffix("_tmt_units"): format_tiyin(units)
                                                  for name, units in msgspec.structs.asdict(limits).items()}})

    manager = require(runtime.authenticator, Permission.MANAGE_ACCOUNTS)
    for action, kind in ACCOUNT_ACTIONS.items():
        _account_action(router, runtime, manager, action, kind)
    return router


def _account_action(router: APIRouter, runtime, manager, action: str, kind) -> None:
    @router.post(f"/admin/customers/{{customer_id}}/{action}", summary=f"{action.capitalize()} a customer",
                 name=f"{action}_customer", openapi_extra=body_doc(Reason))
    async def change_account(customer_id: int, request: Request, who=Depends(manager)):
        body = await parse_body(request, Reason)
        result = await submit(runtime, kind(customer_id=str(customer_id), actor=who.owner_id, reason=body.reason))
        return json_response(result.data)
