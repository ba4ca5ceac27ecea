"""Compliance officer routes: KYC decisions, tiers and limits, restricted lists, cases.

Paths live under /v1/admin (customers, lists, limits) and /v1/compliance
(cases) as docs/api.md lists them; each route requires the one Permission
that fits. Screening answers are for staff only: the customer's own routes
never mention a hit or a case (no tipping off).
"""
import msgspec
from fastapi import APIRouter, Depends, Request

from api.auth.dependency import require
from api.errors import ApiError
from api.http import body_doc, durable_venue, json_response, parse_body, submit
from api.routes.staff_fields import Reason, format_tiyin, ms, tiyin
from exchange import commands as c
from exchange.access import Permission
from exchange.compliance import (
    AnnotateCase,
    AssignTier,
    CaseResolution,
    CaseStatus,
    CloseCase,
    EscalateCase,
    LoadRestrictedParties,
    OpenCase,
    RejectCustomer,
    RestrictedPartiesCsvError,
    SetRestrictedJurisdictions,
    SetScreeningRules,
    SetTierLimits,
    SetWithdrawalPolicy,
    VerifyCustomer,
    parse_restricted_parties_csv,
)

CSV_BYTES_MAX = 20_000_000
NS_PER_SECOND = 1_000_000_000
KYC_ACTIONS = {"verify": VerifyCustomer, "reject": RejectCustomer}


class TierChange(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    tier: int
    reason: str


class Countries(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    countries: list[str]


class ScreeningRules(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name_match_min_score: int  # 70-100; 100: equal (normalised) names only.
    reason: str


class TierLimitsBody(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Limits in TMT as decimal strings (converted to tiyin exactly)."""

    daily_deposit_tmt: str
    monthly_deposit_tmt: str
    daily_withdrawal_tmt: str
    monthly_withdrawal_tmt: str


class WithdrawalPolicy(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    cooling_off_seconds: int
    four_eyes_threshold_tmt: str
    reason: str


class Valuation(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    tmt_per_asset: str
    reason: str


class NewCase(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    customer_id: int
    summary: str
    blocks_withdrawals: bool = True


class Note(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    note: str


class Escalation(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    escalated_to: str
    reason: str


class Closing(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    resolution: CaseResolution
    reason: str


def case_view(case) -> dict:
    view = msgspec.to_builtins(case)
    view["customer_id"] = int(case.customer_id)
    for field in ("opened_at_ns", "closed_at_ns"):
        view[field.replace("_ns", "_ms")] = ms(view.pop(field))
    for note in view["notes"]:
        note["timestamp_ms"] = ms(note.pop("timestamp_ns"))
    return view


def restricted_list_counts(venue) -> dict[str, int]:
    # Compliance offers no query for list names yet (reported): read its book, never change it.
    return {name: len(entries) for name, entries in sorted(venue.compliance._book.restricted_parties.items())}


def build(runtime) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["compliance"])
    _kyc_routes(router, runtime)
    _list_routes(router, runtime)
    _limit_routes(router, runtime)
    _case_routes(router, runtime)
    return router


def _kyc_routes(router: APIRouter, runtime) -> None:
    kyc = require(runtime.authenticator, Permission.MANAGE_KYC)
    for action, kind in KYC_ACTIONS.items():
        _kyc_action(router, runtime, kyc, action, kind)

    limits = require(runtime.authenticator, Permission.MANAGE_LIMITS)

    @router.post("/admin/customers/{customer_id}/tier", summary="Move a customer to another tier",
                 openapi_extra=body_doc(TierChange))
    async def assign_tier(customer_id: int, request: Request, who=Depends(limits)):
        body = await parse_body(request, TierChange)
        result = await submit(runtime, AssignTier(customer_id=str(customer_id), actor=who.owner_id, tier=body.tier,
                                                  reason=body.reason))
        return json_response({**result.data, "tier": body.tier})


def _kyc_action(router: APIRouter, runtime, kyc, action: str, kind) -> None:
    summary = ("Verify a pending customer (refused SCREENING_HIT while a hit is open)" if action == "verify"
               else "Reject a pending customer's KYC")

    @router.post(f"/admin/customers/{{customer_id}}/{action}", summary=summary, name=f"{action}_customer",
                 openapi_extra=body_doc(Reason))
    async def decide(customer_id: int, request: Request, who=Depends(kyc)):
        body = await parse_body(request, Reason)
        result = await submit(runtime, kind(customer_id=str(customer_id), actor=who.owner_id, reason=body.reason))
        return json_response(result.data)


def _list_routes(router: APIRouter, runtime) -> None:
    lists = require(runtime.authenticator, Permission.MANAGE_RESTRICTED_LISTS)

    @router.post("/admin/restricted-parties", summary="Upload a restricted-parties list (text/csv) and re-screen")
    async def load_list(list_name: str, request: Request, who=Depends(lists)):
        body = await request.body()
        if len(body) > CSV_BYTES_MAX:
            raise ApiError("INVALID_REQUEST", f"the list is larger than {CSV_BYTES_MAX} bytes", 413)
        try:
            entries = parse_restricted_parties_csv(body.decode("utf-8"))
        except UnicodeDecodeError:
            raise ApiError("INVALID_CSV", "the list must be UTF-8 text", 400) from None
        except RestrictedPartiesCsvError as error:
            raise ApiError("INVALID_CSV", str(error), 400, details={"line": error.line}) from None
        result = await submit(runtime, LoadRestrictedParties(actor=who.owner_id, list_name=list_name,
                                                             entries=entries))
        return json_response({"list_name": list_name, "entries": len(entries),
                              "case_ids": list(result.data.get("case_ids", ()))})

    @router.get("/admin/restricted-parties", summary="Names of the loaded lists and their entry counts")
    async def show_lists(who=Depends(lists)):
        venue = await durable_venue(runtime)
        return json_response({"lists": restricted_list_counts(venue),
                              "restricted_jurisdictions": venue.compliance.restricted_jurisdictions(),
                              "name_match_min_score": venue.compliance.name_match_min_score()})

    @router.put("/admin/screening-rules", summary="How alike a name must be to a listed one to match; re-screen",
                openapi_extra=body_doc(ScreeningRules))
    async def set_screening_rules(request: Request, who=Depends(lists)):
        body = await parse_body(request, ScreeningRules)
        result = await submit(runtime, SetScreeningRules(actor=who.owner_id, reason=body.reason,
                                                         name_match_min_score=body.name_match_min_score))
        return json_response({"name_match_min_score": body.name_match_min_score,
                              "case_ids": list(result.data.get("case_ids", ()))})

    @router.put("/admin/restricted-jurisdictions", summary="Replace the restricted countries and re-screen",
                openapi_extra=body_doc(Countries))
    async def set_jurisdictions(request: Request, who=Depends(lists)):
        body = await parse_body(request, Countries)
        result = await submit(runtime, SetRestrictedJurisdictions(actor=who.owner_id, countries=body.countries))
        return json_response({"countries": sorted({code.strip().upper() for code in body.countries}),
                              "case_ids": list(result.data.get("case_ids", ()))})


def _limit_routes(router: APIRouter, runtime) -> None:
    limits = require(runtime.authenticator, Permission.MANAGE_LIMITS)

    @router.put("/admin/tiers/{tier}", summary="Define a tier or change its TMT limits",
                openapi_extra=body_doc(TierLimitsBody))
    async def set_tier(tier: int, request: Request, who=Depends(limits)):
        body = await parse_body(request, TierLimitsBody)
        values = {f"{name}_units": tiyin(getattr(body, name), name) for name in body.__struct_fields__}
        await submit(runtime, SetTierLimits(actor=who.owner_id, tier=tier, **values))
        formatted = {name.removesuffix("_units"): format_tiyin(units) for name, units in values.items()}
        return json_response({"tier": tier, **formatted, **values})

    @router.put("/admin/withdrawal-policy", summary="Cooling-off of new addresses and the four-eyes threshold",
                openapi_extra=body_doc(WithdrawalPolicy))
    async def set_policy(request: Request, who=Depends(limits)):
        body = await parse_body(request, WithdrawalPolicy)
        threshold = tiyin(body.four_eyes_threshold_tmt, "four_eyes_threshold_tmt")
        if body.cooling_off_seconds < 0:
            raise ApiError("INVALID_REQUEST", "cooling_off_seconds must not be negative", 400)
        await submit(runtime, SetWithdrawalPolicy(actor=who.owner_id,
                                                  cooling_off_ns=body.cooling_off_seconds * NS_PER_SECOND,
                                                  four_eyes_threshold_tmt_units=threshold, reason=body.reason))
        return json_response({"cooling_off_seconds": body.cooling_off_seconds,
                              "four_eyes_threshold_tmt": format_tiyin(threshold),
                              "four_eyes_threshold_tmt_units": threshold})

    @router.put("/admin/assets/{code}/valuation", summary="TMT rate of an asset, the unit limits are counted in",
                openapi_extra=body_doc(Valuation))
    async def set_valuation(code: str, request: Request, who=Depends(limits)):
        body = await parse_body(request, Valuation)
        units = tiyin(body.tmt_per_asset, "tmt_per_asset")
        await submit(runtime, c.SetAssetValuation(actor=who.owner_id, code=code, tmt_units_per_asset=units,
                                                  reason=body.reason))
        return json_response({"asset": code, "tmt_per_asset": format_tiyin(units), "tmt_units_per_asset": units})


def _case_routes(router: APIRouter, runtime) -> None:
    cases = require(runtime.authenticator, Permission.MANAGE_CASES)

    @router.get("/compliance/cases", summary="Compliance cases, optionally in one status")
    async def list_cases(status: CaseStatus | None = None, customer_id: int | None = None, who=Depends(cases)):
        venue = await durable_venue(runtime)
        owner = None if customer_id is None else str(customer_id)
        return json_response({"cases": [case_view(case) for case in venue.compliance.cases(owner, status)]})

    @router.get("/compliance/cases/{case_id}", summary="One case with its hits and notes")
    async def get_case(case_id: int, who=Depends(cases)):
        venue = await durable_venue(runtime)
        return json_response(case_view(_find_case(venue, case_id)))

    @router.post("/compliance/cases", summary="Open a case on a customer", status_code=201,
                 openapi_extra=body_doc(NewCase))
    async def open_case(request: Request, who=Depends(cases)):
        body = await parse_body(request, NewCase)
        result = await submit(runtime, OpenCase(actor=who.owner_id, customer_id=str(body.customer_id),
                                                summary=body.summary, blocks_withdrawals=body.blocks_withdrawals))
        case_id = result.data["case_ids"][0]
        return json_response(case_view(_find_case(await durable_venue(runtime), case_id)), 201)

    @router.post("/compliance/cases/{case_id}/annotate", summary="Add a note to an open case",
                 openapi_extra=body_doc(Note))
    async def annotate(case_id: int, request: Request, who=Depends(cases)):
        body = await parse_body(request, Note)
        await submit(runtime, AnnotateCase(actor=who.owner_id, case_id=case_id, note=body.note))
        return json_response(case_view(_find_case(await durable_venue(runtime), case_id)))

    @router.post("/compliance/cases/{case_id}/escalate", summary="Escalate a case (e.g. to the FIU)",
                 openapi_extra=body_doc(Escalation))
    async def escalate(case_id: int, request: Request, who=Depends(cases)):
        body = await parse_body(request, Escalation)
        await submit(runtime, EscalateCase(actor=who.owner_id, case_id=case_id, escalated_to=body.escalated_to,
                                           reason=body.reason))
        return json_response(case_view(_find_case(await durable_venue(runtime), case_id)))

    @router.post("/compliance/cases/{case_id}/close", summary="Close a case; CLEARED whitelists its screening hits",
                 openapi_extra=body_doc(Closing))
    async def close(case_id: int, request: Request, who=Depends(cases)):
        body = await parse_body(request, Closing)
        await submit(runtime, CloseCase(actor=who.owner_id, case_id=case_id, resolution=body.resolution,
                                        reason=body.reason))
        return json_response(case_view(_find_case(await durable_venue(runtime), case_id)))


def _find_case(venue, case_id: int):
    for case in venue.compliance.cases():
        if case.case_id == case_id:
            return case
    raise ApiError("CASE_NOT_FOUND", f"no case {case_id}")
