"""Custody and withdrawal desk: deposits reported by custody, withdrawal approvals and completion.

A deposit report is idempotent on `chain_tx_id`: a repeat returns the first
answer and credits nothing. A withdrawal above the four-eyes threshold needs
two approvals from different staff; `complete` is custody's report that the
transaction was broadcast (funds leave pending-withdrawals for good);
`reject` returns the funds to the customer's available balance.
"""
import msgspec
from fastapi import APIRouter, Depends, Request

from api.auth.dependency import require
from api.errors import ApiError
from api.http import body_doc, durable_venue, json_response, parse_body, submit
from api.routes.staff_fields import Reason, format_tiyin, ms
from api.symbols import amount_units, format_units
from exchange import commands as c
from exchange.access import Permission
from exchange.compliance import ApproveWithdrawal, CompleteWithdrawal, RejectWithdrawal, WithdrawalStatus


class DepositReport(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    asset: str
    address: str
    amount: str  # Decimal string in the asset's unit, e.g. "0.5" BTC.
    chain_tx_id: str


class Completion(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    chain_tx_id: str


def withdrawal_view(venue, withdrawal) -> dict:
    return {
        "withdrawal_id": withdrawal.withdrawal_id, "customer_id": int(withdrawal.customer_id),
        "asset": withdrawal.asset, "address": withdrawal.address,
        "amount": format_units(venue, withdrawal.asset, withdrawal.amount_units),
        "amount_units": withdrawal.amount_units, "value_tmt": format_tiyin(withdrawal.value_tmt_units),
        "status": withdrawal.status.value, "approvals_required": withdrawal.approvals_required,
        "approved_by": list(withdrawal.approved_by), "rejected_by": withdrawal.rejected_by,
        "reason": withdrawal.reason, "completed_by": withdrawal.completed_by, "chain_tx_id": withdrawal.chain_tx_id,
        "requested_at_ms": ms(withdrawal.requested_at_ns), "decided_at_ms": ms(withdrawal.decided_at_ns),
    }


def build(runtime) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["custody"])
    reporter = require(runtime.authenticator, Permission.REPORT_DEPOSITS)
    approver = require(runtime.authenticator, Permission.APPROVE_WITHDRAWALS)

    @router.post("/custody/deposits", summary="Custody reports a confirmed deposit (idempotent on chain_tx_id)",
                 openapi_extra=body_doc(DepositReport))
    async def report_deposit(request: Request, who=Depends(reporter)):
        body = await parse_body(request, DepositReport)
        venue = await durable_venue(runtime)
        units = amount_units(venue, body.asset, body.amount)
        result = await submit(runtime, c.ReportDeposit(actor=who.owner_id, asset=body.asset, address=body.address,
                                                       amount_units=units, chain_tx_id=body.chain_tx_id))
        data = result.data
        return json_response({**data, "amount": format_units(venue, data["asset"], data["amount_units"])})

    @router.get("/admin/withdrawals", summary="Withdrawals, optionally in one status")
    async def list_withdrawals(status: WithdrawalStatus | None = None, customer_id: int | None = None,
                               who=Depends(approver)):
        venue = await durable_venue(runtime)
        owner = None if customer_id is None else str(customer_id)
        return json_response({"withdrawals": [withdrawal_view(venue, w)
                                              for w in venue.compliance.withdrawals(owner, status)]})

    @router.get("/admin/withdrawals/{withdrawal_id}", summary="One withdrawal with its approvals")
    async def get_withdrawal(withdrawal_id: int, who=Depends(approver)):
        venue = await durable_venue(runtime)
        withdrawal = venue.compliance.withdrawal(withdrawal_id)
        if withdrawal is None:
            raise ApiError("WITHDRAWAL_NOT_FOUND", f"no withdrawal {withdrawal_id}")
        return json_response(withdrawal_view(venue, withdrawal))

    @router.post("/admin/withdrawals/{withdrawal_id}/approve",
                 summary="Approve (two different staff above the four-eyes threshold)")
    async def approve(withdrawal_id: int, who=Depends(approver)):
        return await _decide(runtime, ApproveWithdrawal(actor=who.owner_id, withdrawal_id=withdrawal_id))

    @router.post("/admin/withdrawals/{withdrawal_id}/reject", summary="Reject: the funds return to the customer",
                 openapi_extra=body_doc(Reason))
    async def reject(withdrawal_id: int, request: Request, who=Depends(approver)):
        body = await parse_body(request, Reason)
        return await _decide(runtime, RejectWithdrawal(actor=who.owner_id, withdrawal_id=withdrawal_id,
                                                       reason=body.reason))

    @router.post("/admin/withdrawals/{withdrawal_id}/complete",
                 summary="Custody broadcast the approved withdrawal: the funds leave for good",
                 openapi_extra=body_doc(Completion))
    async def complete(withdrawal_id: int, request: Request, who=Depends(approver)):
        body = await parse_body(request, Completion)
        return await _decide(runtime, CompleteWithdrawal(actor=who.owner_id, withdrawal_id=withdrawal_id,
                                                         chain_tx_id=body.chain_tx_id))

    return router


async def _decide(runtime, command):
    result = await submit(runtime, command)
    venue = await durable_venue(runtime)
    return json_response(withdrawal_view(venue, result.data["withdrawal"]))
