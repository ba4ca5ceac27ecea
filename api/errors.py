"""Errors at the edge: every refusal is JSON {"code", "message"} with the right HTTP status.

Codes are the stable names used inside (engine, ledger, compliance, access,
venue), so one table maps them to HTTP statuses; an unknown code is a
business refusal (422), never a 500.
"""
import msgspec
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

_NOT_FOUND = {"ORDER_NOT_FOUND", "INSTRUMENT_UNKNOWN", "ASSET_UNKNOWN", "ACCOUNT_UNKNOWN", "CUSTOMER_NOT_FOUND",
              "WITHDRAWAL_NOT_FOUND", "CASE_NOT_FOUND", "KEY_NOT_FOUND", "STAFF_NOT_FOUND", "NOT_FOUND",
              "ADDRESS_UNKNOWN", "TIER_NOT_FOUND", "CORRECTION_UNKNOWN"}
_FORBIDDEN = {"KYC_REQUIRED", "PAYMENT_PROHIBITED", "FORBIDDEN", "ACTOR_NOT_ALLOWED", "CUSTOMER_SUSPENDED",
              "CUSTOMER_CLOSED", "SCREENING_HIT", "RESTRICTED_JURISDICTION", "COMPLIANCE_REVIEW",
              "CORRECTION_SAME_APPROVER"}
_CONFLICT = {"ORDER_ID_IN_USE", "CLIENT_ORDER_ID_IN_USE", "INSTRUMENT_ID_IN_USE", "ASSET_EXISTS", "EMAIL_TAKEN",
             "DUPLICATE_IDENTITY", "KEY_EXISTS_WITH_DIFFERENT_FIELDS", "STAFF_EXISTS_WITH_DIFFERENT_FIELDS",
             "ENTRY_ID_REUSED", "KEY_ALREADY_REVOKED", "CUSTOMER_EXISTS", "SAME_APPROVER",
             "ADDRESS_ALREADY_WHITELISTED", "CHAIN_TX_ALREADY_USED", "DEPOSIT_ALREADY_RECORDED",
             "KYC_TRANSITION_NOT_ALLOWED", "WITHDRAWAL_NOT_PENDING", "CASE_CLOSED",
             "DEPOSIT_EXISTS_WITH_DIFFERENT_FIELDS", "CORRECTION_NOT_PENDING"}
_BAD_REQUEST_PREFIXES = ("QUANTITY_", "PRICE_MUST", "PRICE_NOT_ON_TICK", "DECIMAL_", "PRICE_REQUIRED",
                         "PRICE_NOT_ALLOWED", "STOP_PRICE_", "TIME_IN_FORCE_", "POST_ONLY_REQUIRES",
                         "CLIENT_ORDER_ID_INVALID", "ORDER_REFERENCE_REQUIRED", "AMEND_NOTHING", "INVALID",
                         "NOTIONAL_BELOW", "MALFORMED", "AMOUNT_MUST", "ID_MUST_NOT", "REASON_REQUIRED",
                         "THRESHOLDS_INVALID", "CORRECTION_INVALID")


def status_of(code: str) -> int:
    if code in _NOT_FOUND:
        return 404
    if code in _FORBIDDEN:
        return 403
    if code in _CONFLICT:
        return 409
    if code.startswith(_BAD_REQUEST_PREFIXES):
        return 400
    if code == "SERVICE_UNAVAILABLE":
        return 503
    return 422


class ApiError(Exception):
    """A refusal to answer as JSON; `status` defaults from the code."""

    def __init__(self, code: str, message: str, status: int | None = None, details: dict | None = None,
                 headers: dict | None = None):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status if status is not None else status_of(code)
        self.details = details or {}
        self.headers = headers


def error_body(code: str, message: str, details: dict | None = None) -> dict:
    body = {"code": code, "message": message}
    if details:
        body["details"] = msgspec.to_builtins(details)
    return body


async def api_error_handler(request: Request, error: ApiError) -> JSONResponse:
    return JSONResponse(error_body(error.code, error.message, error.details), status_code=error.status,
                        headers=error.headers)


async def validation_error_handler(request: Request, error: RequestValidationError) -> JSONResponse:
    first = error.errors()[0] if error.errors() else {}
    where = ".".join(str(part) for part in first.get("loc", ()))
    return JSONResponse(error_body("INVALID_REQUEST", f"{where}: {first.get('msg', 'invalid request')}"),
                        status_code=400)


async def http_error_handler(request: Request, error: StarletteHTTPException) -> JSONResponse:
    code = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}.get(error.status_code, "HTTP_ERROR")
    return JSONResponse(error_body(code, str(error.detail)), status_code=error.status_code)
