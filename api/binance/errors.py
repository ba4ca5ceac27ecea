"""Binance error answers: {"code": -NNNN, "msg": "..."}, from one table of our refusal codes.

Every refusal the venue, engine, ledger or compliance can give (a stable name, see
exchange/results.py) maps here to a Binance code and message. Codes and messages are chosen
so that ccxt's *generic* error table (the one it applies to a non-Binance URL) raises the
right exception: some messages are matched exactly before the code is looked at
("Account has insufficient balance for requested action." -> InsufficientFunds), and a body
naming LOT_SIZE or PRICE_FILTER is always InvalidOrder. A name missing from the table is
answered -1000 with the name in the message: a refusal, never a 500.

`BinanceRoute` is the router's route class: it renders `BinanceError` and the native
`ApiError` in this shape, so nothing on a Binance path answers in the native shape.
Authentication failures are rendered by api/auth/dependency.py in the same shape.
"""
import enum

import msgspec
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from api.errors import ApiError


class BinanceCode(enum.IntEnum):
    # Binance's own numbers: a wire contract shared with every Binance client.
    UNKNOWN = -1000
    DISCONNECTED = -1001
    ILLEGAL_CHARS = -1100
    TOO_MANY_PARAMETERS = -1101
    MANDATORY_PARAM_EMPTY_OR_MALFORMED = -1102
    PARAM_NOT_REQUIRED = -1106
    INVALID_TIF = -1115
    INVALID_ORDER_TYPE = -1116
    INVALID_SIDE = -1117
    BAD_INTERVAL = -1120
    BAD_SYMBOL = -1121
    INVALID_PARAMETER = -1130
    FILTER_FAILURE = -1013
    UNSUPPORTED_ORDER_COMBINATION = -1014
    NEW_ORDER_REJECTED = -2010
    CANCEL_REJECTED = -2011
    NO_SUCH_ORDER = -2013


class BinanceReject(msgspec.Struct, frozen=True):
    code: BinanceCode
    msg: str


_INSUFFICIENT = BinanceReject(BinanceCode.NEW_ORDER_REJECTED, "Account has insufficient balance for requested action.")
_LOT_SIZE = BinanceReject(BinanceCode.FILTER_FAILURE, "Filter failure: LOT_SIZE")
_PRICE_FILTER = BinanceReject(BinanceCode.FILTER_FAILURE, "Filter failure: PRICE_FILTER")
_COMBINATION = BinanceReject(BinanceCode.UNSUPPORTED_ORDER_COMBINATION, "Unsupported order combination.")
_MARKET_CLOSED = BinanceReject(BinanceCode.NEW_ORDER_REJECTED, "Market is closed.")
_DUPLICATE = BinanceReject(BinanceCode.NEW_ORDER_REJECTED, "Duplicate order sent.")
# "has no operation privilege" makes ccxt raise PermissionDenied: the key is fine, the account may not trade.
_NO_PRIVILEGE = "This account has no operation privilege"

# Our refusal name -> Binance answer. ccxt exception in the comment (generic table, ccxt 4.5.90).
REFUSALS: dict[str, BinanceReject] = {
    "INSUFFICIENT_FUNDS": _INSUFFICIENT,  # InsufficientFunds
    "QUANTITY_MUST_BE_POSITIVE": _LOT_SIZE,  # InvalidOrder (body names LOT_SIZE)
    "QUANTITY_NOT_ON_LOT": _LOT_SIZE,
    "QUANTITY_BELOW_MINIMUM": _LOT_SIZE,
    "QUANTITY_ABOVE_MAXIMUM": _LOT_SIZE,
    "PRICE_MUST_BE_POSITIVE": _PRICE_FILTER,  # InvalidOrder (body names PRICE_FILTER)
    "PRICE_NOT_ON_TICK": _PRICE_FILTER,
    "PRICE_OUT_OF_BAND": BinanceReject(BinanceCode.FILTER_FAILURE,
                                       "Filter failure: PERCENT_PRICE_BY_SIDE"),  # InvalidOrder (broad match)
    "NOTIONAL_BELOW_MINIMUM": BinanceReject(BinanceCode.FILTER_FAILURE,
                                            "Filter failure: NOTIONAL"),  # BadRequest, as on Binance itself
    "DECIMAL_MALFORMED": BinanceReject(BinanceCode.ILLEGAL_CHARS,
                                       "Illegal characters found in a parameter."),  # BadRequest
    "CLIENT_ORDER_ID_INVALID": BinanceReject(
        BinanceCode.ILLEGAL_CHARS, "Illegal characters found in parameter 'newClientOrderId'; "
        "legal range is '^[\\.A-Z\\:/a-z0-9_-]{1,36}$'."),  # BadRequest
    "PRICE_REQUIRED": _COMBINATION,  # InvalidOrder
    "PRICE_NOT_ALLOWED": _COMBINATION,
    "STOP_PRICE_REQUIRED": _COMBINATION,
    "STOP_PRICE_NOT_ALLOWED": _COMBINATION,
    "TIME_IN_FORCE_NOT_ALLOWED": _COMBINATION,
    "POST_ONLY_REQUIRES_LIMIT_GTC": _COMBINATION,
    "ORDER_REFERENCE_REQUIRED": _COMBINATION,
    "POST_ONLY_WOULD_CROSS": BinanceReject(BinanceCode.NEW_ORDER_REJECTED,
                                           "Order would immediately match and take."),  # OrderImmediatelyFillable
    "STOP_WOULD_TRIGGER_IMMEDIATELY": BinanceReject(BinanceCode.NEW_ORDER_REJECTED,
                                                    "Stop price would trigger immediately."),  # ditto
    "ORDER_ID_IN_USE": _DUPLICATE,  # InvalidOrder
    "CLIENT_ORDER_ID_IN_USE": _DUPLICATE,
    "ORDER_NOT_FOUND": BinanceReject(BinanceCode.CANCEL_REJECTED, "Unknown order sent."),  # OrderNotFound
    "MARKET_HALTED": _MARKET_CLOSED,  # MarketClosed
    "MARKET_CANCEL_ONLY": _MARKET_CLOSED,
    "MARKET_POST_ONLY": BinanceReject(BinanceCode.NEW_ORDER_REJECTED,
                                      "The market accepts only LIMIT_MAKER orders now."),  # InvalidOrder
    "MARKET_AUCTION_LIMIT_ONLY": BinanceReject(BinanceCode.NEW_ORDER_REJECTED,
                                               "The market is in a call auction: only LIMIT GTC orders."),
    "INSTRUMENT_UNKNOWN": BinanceReject(BinanceCode.BAD_SYMBOL, "Invalid symbol."),  # BadSymbol
    "INSTRUMENT_INVALID": BinanceReject(BinanceCode.BAD_SYMBOL, "Invalid symbol."),
    "SERVICE_UNAVAILABLE": BinanceReject(
        BinanceCode.DISCONNECTED, "Internal error; unable to process your request. Please try again."),
}
_NOT_OFFERED = BinanceReject(BinanceCode.UNSUPPORTED_ORDER_COMBINATION, "Unsupported order combination.")
_INVALID_DATA = BinanceReject(BinanceCode.INVALID_PARAMETER, "Invalid data sent for a parameter.")
# Amendment is not offered on the Binance paths; operator-only refusals cannot arise on them. Mapped anyway,
# so the table covers every engine and venue code: InvalidOrder and BadRequest respectively.
for _name in ("AMEND_NOTHING_TO_CHANGE", "AMEND_WOULD_CROSS", "AMEND_NOT_ALLOWED_FOR_STOP"):
    REFUSALS[_name] = _NOT_OFFERED
for _name in ("INSTRUMENT_ID_IN_USE", "ASSET_UNKNOWN", "ASSET_EXISTS", "ASSET_INVALID", "FEE_INVALID",
              "AMOUNT_MUST_BE_POSITIVE", "ADDRESS_UNKNOWN", "DEPOSIT_EXISTS_WITH_DIFFERENT_FIELDS",
              "CORRECTION_INVALID", "CORRECTION_UNKNOWN", "CORRECTION_NOT_PENDING", "CORRECTION_SAME_APPROVER"):
    REFUSALS[_name] = _INVALID_DATA
# Who may trade is a compliance decision (KYC, suspension, closure, review): PermissionDenied.
for _name in ("KYC_REQUIRED", "CUSTOMER_SUSPENDED", "CUSTOMER_CLOSED", "CUSTOMER_NOT_FOUND", "COMPLIANCE_REVIEW",
              "SCREENING_HIT", "RESTRICTED_JURISDICTION", "IDENTITY_REQUIRED", "FORBIDDEN"):
    REFUSALS[_name] = BinanceReject(BinanceCode.NEW_ORDER_REJECTED, f"{_NO_PRIVILEGE}: {_name}.")

_STATUS = {BinanceCode.DISCONNECTED: 503}


class BinanceError(Exception):
    """A refusal on a Binance path; HTTP 400 unless the code says otherwise."""

    def __init__(self, code: BinanceCode, msg: str, headers: dict | None = None) -> None:
        super().__init__(f"{int(code)}: {msg}")
        self.code = code
        self.msg = msg
        self.headers = headers

    def response(self) -> JSONResponse:
        return JSONResponse({"code": int(self.code), "msg": self.msg}, status_code=_STATUS.get(self.code, 400),
                            headers=self.headers)


def refusal(name: str, message: str = "") -> BinanceError:
    """The Binance answer for one of our refusal names; `message` is used only for unmapped names."""
    mapped = REFUSALS.get(name)
    if mapped is None:
        return BinanceError(BinanceCode.UNKNOWN, f"Order or request refused: {name} {message}".strip())
    return BinanceError(mapped.code, mapped.msg)


def missing(name: str) -> BinanceError:
    return BinanceError(BinanceCode.MANDATORY_PARAM_EMPTY_OR_MALFORMED,
                        f"Mandatory parameter '{name}' was not sent, was empty/null, or malformed.")


def not_required(name: str) -> BinanceError:
    return BinanceError(BinanceCode.PARAM_NOT_REQUIRED, f"Parameter '{name}' sent when not required.")


class BinanceRoute(APIRoute):
    """Route class of the Binance routers: every refusal leaves in Binance's shape."""

    def get_route_handler(self):
        handler = super().get_route_handler()

        async def binance_handler(request):
            try:
                return await handler(request)
            except (BinanceError, ApiError) as error:
                return binance_error_response(error)

        return binance_handler


def binance_error_response(error: BinanceError | ApiError) -> JSONResponse:
    """The answer on a Binance path for its own refusal or a native one (BinanceRoute and api/fastpath.py)."""
    if isinstance(error, ApiError):
        answer = refusal(error.code, error.message)
        answer.headers = error.headers
        return answer.response()
    return error.response()
