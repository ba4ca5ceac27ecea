"""Balance corrections by four eyes: one operator proposes, another approves, and only then the ledger moves.

A proposal names the customer, asset, signed amount (negative debits the
customer), reason and ticket; approving it posts a `correction` entry
between `exchange:equity` and the customer's available balance with both
operators as approvers. Approving one's own proposal is refused (403), so is
deciding a proposal twice (409). Any operator, the proposer included, may
reject a pending proposal with a reason.
"""
import msgspec
from fastapi import APIRouter, Depends, Request

from api.auth.dependency import require
from api.errors import ApiError
from api.http import body_doc, durable_venue, json_response, parse_body, submit
from api.routes.staff_fields import Reason, ms
from api.symbols import amount_units, format_units
from exchange import commands as c
from exchange.access import Permission
from exchange.funding import CorrectionStatus


class NewCorrection(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    customer_id: int
    asset: str
    amount: str  # Decimal string in the asset's unit; negative debits the customer, e.g. "-1.5".
    reason: str
    ticket: str


def correction_view(venue, proposal) -> dict:
    applied, rejected = proposal.status == CorrectionStatus.APPLIED, proposal.status == CorrectionStatus.REJECTED
    return {
        "correction_id": proposal.correction_id, "customer_id": proposal.customer_id, "asset": proposal.asset,
        "amount": format_units(venue, proposal.asset, proposal.amount_units),
        "amount_units": proposal.amount_units, "reason": proposal.reason, "ticket": proposal.ticket,
        "status": proposal.status.value, "proposer": proposal.proposed_by,
        "approver": proposal.decided_by if applied else None,
        "rejected_by": proposal.decided_by if rejected else None, "rejection_reason": proposal.rejection_reason,
        "entry_id": proposal.entry_id or None,
        "proposed_at_ms": ms(proposal.proposed_at_ns), "decided_at_ms": ms(proposal.decided_at_ns),
    }


def signed_units(venue, asset: str, text: str) -> int:
    """Exact units of a signed decimal string; `amount_units` takes only positive amounts."""
    negative = text.startswith("-")
    try:
        units = amount_units(venue, asset, text[1:] if negative else text)
    except ApiError as error:
        if error.code != "AMOUNT_MUST_BE_POSITIVE":
            raise
        raise ApiError("CORRECTION_INVALID", "amount must be a non-zero decimal, negative to debit") from None
    return -units if negative else units


def build(runtime) -> APIRouter:
    router = APIRouter(prefix="/v1/admin", tags=["corrections"])
    corrector = require(runtime.authenticator, Permission.CORRECT_LEDGER)

    @router.post("/corrections", summary="Propose a correction of one customer's balance (applied on approval)",
                 openapi_extra=body_doc(NewCorrection))
    async def propose(request: Request, who=Depends(corrector)):
        body = await parse_body(request, NewCorrection)
        venue = await durable_venue(runtime)
        units = signed_units(venue, body.asset, body.amount)
        result = await submit(runtime, c.ProposeCorrection(
            actor=who.owner_id, customer_id=body.customer_id, asset=body.asset, amount_units=units,
            reason=body.reason, ticket=body.ticket))
        return json_response(correction_view(venue, result.data["correction"]), 201)

    @router.get("/corrections", summary="Correction proposals, oldest first, optionally in one status")
    async def list_corrections(status: CorrectionStatus | None = None, who=Depends(corrector)):
        venue = await durable_venue(runtime)
        return json_response({"corrections": [correction_view(venue, p)
                                              for p in venue.funding.correction_list(status)]})

    @router.get("/corrections/{correction_id}", summary="One correction proposal")
    async def get_correction(correction_id: int, who=Depends(corrector)):
        venue = await durable_venue(runtime)
        proposal = venue.funding.correction(correction_id)
        if proposal is None:
            raise ApiError("CORRECTION_UNKNOWN", f"no correction {correction_id}")
        return json_response(correction_view(venue, proposal))

    @router.post("/corrections/{correction_id}/approve",
                 summary="Approve another operator's proposal: the ledger entry is posted")
    async def approve(correction_id: int, who=Depends(corrector)):
        result = await submit(runtime, c.ApproveCorrection(actor=who.owner_id, correction_id=correction_id))
        return json_response(correction_view(await durable_venue(runtime), result.data["correction"]))

    @router.post("/corrections/{correction_id}/reject", summary="Reject a pending proposal: nothing is posted",
                 openapi_extra=body_doc(Reason))
    async def reject(correction_id: int, request: Request, who=Depends(corrector)):
        body = await parse_body(request, Reason)
        result = await submit(runtime, c.RejectCorrection(actor=who.owner_id, correction_id=correction_id,
                                                          reason=body.reason))
        return json_response(correction_view(await durable_venue(runtime), result.data["correction"]))

    return router
