"""Surveillance and regulator-report routes.

- GET  /v1/surveillance/thresholds: the thresholds in force (staff who read market activity).
- PUT  /v1/surveillance/thresholds: change some or all of them, with a reason (operators and
  compliance officers); journaled as SetSurveillanceThresholds, so it is in the audit log.
- GET  /v1/surveillance/status: how far the detector has read the committed stream.
- GET  /v1/reports/{name}?date=YYYY-MM-DD&format=csv|json: daily-trades, large-transactions,
  suspicious-activity, customer-register; compliance and auditors (Permission.EXPORT). The
  X-Content-SHA256 header is the sha256 of the exact body.

Cases surveillance opens are reviewed under /v1/compliance/cases (api/routes/compliance.py).
Starting this module starts the detector (`surveillance_of`), beside the runtime.
"""
import msgspec
from fastapi import APIRouter, Depends, Request, Response

from api.auth.dependency import require
from api.errors import ApiError
from api.http import body_doc, durable_venue, json_response, parse_body, submit
from exchange import commands as c
from exchange.access import Permission
from exchange.access.roles import Role
from exchange.reports.formats import FORMATS, day_bounds_ns
from exchange.reports.sources import REPORT_NAMES, build_report
from exchange.surveillance.service import surveillance_of
from exchange.surveillance.thresholds import Thresholds, problem

THRESHOLD_EDITORS = frozenset({Role.OPERATOR, Role.COMPLIANCE})


class ThresholdChange(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    thresholds: dict[str, int]  # Only the ones to change; the others keep their value.
    reason: str


def build(runtime) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["surveillance"])
    surveillance = surveillance_of(runtime)
    watch = require(runtime.authenticator, Permission.READ_MARKET_ACTIVITY)
    export = require(runtime.authenticator, Permission.EXPORT)

    @router.get("/surveillance/thresholds", summary="Surveillance thresholds in force")
    async def get_thresholds(who=Depends(watch)):
        return json_response({"thresholds": _current(surveillance)})

    @router.put("/surveillance/thresholds", summary="Change surveillance thresholds (operator or compliance)",
                openapi_extra=body_doc(ThresholdChange))
    async def put_thresholds(request: Request, who=Depends(watch)):
        if who.role not in THRESHOLD_EDITORS:
            raise ApiError("FORBIDDEN", f"the {who.role.value} role may not change surveillance thresholds", 403)
        body = await parse_body(request, ThresholdChange)
        try:
            thresholds = msgspec.convert({**_current(surveillance), **body.thresholds}, Thresholds)
        except msgspec.ValidationError as error:
            raise ApiError("INVALID_REQUEST", str(error), 400) from None
        wrong = problem(thresholds)
        if wrong is not None:
            raise ApiError("THRESHOLDS_INVALID", wrong, 400)
        await submit(runtime, c.SetSurveillanceThresholds(actor=who.owner_id, thresholds=thresholds,
                                                          reason=body.reason))
        return json_response({"thresholds": msgspec.to_builtins(thresholds)})

    @router.get("/surveillance/status", summary="How far surveillance has read the committed stream")
    async def status(who=Depends(watch)):
        return json_response({"analysed_sequence": surveillance.synced_sequence,
                              "committed_sequence": runtime.sequencer.committed_sequence,
                              "cases_opened": surveillance.cases_opened,
                              "batches_dropped": surveillance.batches_dropped, "resyncs": surveillance.resyncs})

    @router.get("/reports/{name}", summary="Regulator report for one UTC day, CSV or JSON, with its sha256")
    async def report(name: str, date: str, format: str = "json", who=Depends(export)):
        if name not in REPORT_NAMES:
            raise ApiError("NOT_FOUND", f"no report {name!r}: one of {', '.join(REPORT_NAMES)}", 404)
        if format not in FORMATS:
            raise ApiError("INVALID_REQUEST", "format must be csv or json", 400)
        try:
            day_bounds_ns(date)
        except ValueError:
            raise ApiError("INVALID_REQUEST", "date must be a YYYY-MM-DD calendar date", 400) from None
        venue = await durable_venue(runtime)
        threshold = _current(surveillance)["large_transaction_tmt_units"]
        built = await build_report(name, runtime.store, venue, date, format, threshold)
        return Response(built.body, media_type=built.media_type, headers={
            "X-Content-SHA256": built.sha256, "X-Karakum-Sequence": str(venue.sequence),
            "Content-Disposition": f'attachment; filename="{built.filename}"'})

    return router


def _current(surveillance) -> dict:
    thresholds = surveillance.thresholds
    return msgspec.to_builtins(thresholds if thresholds is not None else Thresholds())
