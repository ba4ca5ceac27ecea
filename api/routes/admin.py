"""Operator routes: customers' account status, assets, markets, fees, staff and API keys.

Every route requires exactly one Permission (exchange/access/roles.py); the
acting staff member is always the authenticated key's owner, never a body
field. Identity data (name, document, birth date) and the full e-mail address
are shown only to roles holding READ_IDENTITY (compliance): operators see a
masked address, status and tier. KYC decisions, lists, limits and cases are
in api/routes/compliance.py; deposits and withdrawals in api/routes/custody.py.
"""
import decimal

import msgspec
from fastapi import APIRouter, Depends, Query, Request

from api.auth.crypto import encrypt_secret, new_key_id, new_secret
from api.auth.dependency import require
from api.errors import ApiError
from api.http import durable_venue, json_response, parse_body, submit
from api.symbols import instrument_by_symbol, price_ticks, quantity_lots, url_symbol
from engine.commands import MarketState
from engine.instrument import Instrument, InstrumentValueError, parse_decimal
from exchange import commands as c
from exchange.access import CreateStaff, IssueApiKey, OwnerKind, Permission, RevokeApiKey, Role
from exchange.access.commands import customer_actor
from exchange.access.roles import allowed
from exchange.compliance import CloseCustomer, KycStatus, ReinstateCustomer, SuspendCustomer

LIST_LIMIT_MAX = 1_000
QUANTITY_LOTS_MAX = 10**15
# Path word -> (market state, delist?): one route each, so /docs lists them.
MARKET_ACTIONS = {
    "halt": (MarketState.HALTED, False), "resume": (MarketState.OPEN, False),
    "cancel-only": (MarketState.CANCEL_ONLY, False), "post-only": (MarketState.POST_ONLY, False),
    "auction": (MarketState.AUCTION, False), "delist": (MarketState.HALTED, True),
}
ACCOUNT_ACTIONS = {"suspend": SuspendCustomer, "reinstate": ReinstateCustomer, "close": CloseCustomer}


class Reason(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    reason: str


class NewAsset(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    code: str
    decimals: int
    tmt_per_asset: str  # TMT per whole asset, decimal string (tiyin exact).


class NewMarket(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    base: str
    quote: str
    tick_size: str
    lot_size: str
    min_quantity: str
    max_quantity: str
    min_notional: str  # In quote; "0" for none.
    price_band_bps: int
    reference_price: str
    maker_fee_bps: int
    taker_fee_bps: int


class Fees(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    maker_fee_bps: int
    taker_fee_bps: int
    tier: int | None = None


class NewStaff(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    staff_id: str
    name: str
    role: Role


class NewKey(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    owner_kind: OwnerKind
    owner_id: str
    label: str = "issued by staff"


def ms(timestamp_ns: int | None) -> int | None:
    return None if timestamp_ns is None else timestamp_ns // 1_000_000


def tiyin(text: str, field: str) -> int:
    """A TMT decimal string as exact tiyin (1/100 TMT); 400 when it has more than 2 decimals."""
    try:
        units = parse_decimal(text).scaleb(2)
    except InstrumentValueError:
        raise ApiError("DECIMAL_MALFORMED", f"{field} {text!r} is not a plain decimal") from None
    if units != units.to_integral_value():
        raise ApiError("AMOUNT_NOT_ON_UNIT", f"{field} {text!r} has more than 2 decimals (tiyin)", 400)
    return int(units)


def format_tiyin(units: int) -> str:
    return format(decimal.Decimal(units).scaleb(-2).quantize(decimal.Decimal("0.01")), "f")


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
    _customer_routes(router, runtime)
    _market_routes(router, runtime)
    _staff_routes(router, runtime)
    return router


def _customer_routes(router: APIRouter, runtime) -> None:
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


def _account_action(router: APIRouter, runtime, manager, action: str, kind) -> None:
    @router.post(f"/admin/customers/{{customer_id}}/{action}", summary=f"{action.capitalize()} a customer",
                 name=f"{action}_customer")
    async def change_account(customer_id: int, request: Request, who=Depends(manager)):
        body = await parse_body(request, Reason)
        result = await submit(runtime, kind(customer_id=str(customer_id), actor=who.owner_id, reason=body.reason))
        return json_response(result.data)


def _market_routes(router: APIRouter, runtime) -> None:
    markets = require(runtime.authenticator, Permission.MANAGE_MARKETS)

    @router.post("/admin/assets", summary="Define an asset (code, decimals, TMT valuation)", status_code=201)
    async def define_asset(request: Request, who=Depends(markets)):
        body = await parse_body(request, NewAsset)
        command = c.DefineAsset(actor=who.owner_id, code=body.code, decimals=body.decimals,
                                tmt_units_per_asset=tiyin(body.tmt_per_asset, "tmt_per_asset"))
        result = await submit(runtime, command)
        return json_response(result.data, 201)

    @router.post("/admin/markets", summary="List a market on two defined assets", status_code=201)
    async def list_market(request: Request, who=Depends(markets)):
        body = await parse_body(request, NewMarket)
        venue = await durable_venue(runtime)
        instrument, reference_ticks = new_instrument(venue, body)
        await submit(runtime, c.ListMarket(actor=who.owner_id, instrument=instrument,
                                           reference_price_ticks=reference_ticks,
                                           maker_fee_bps=body.maker_fee_bps, taker_fee_bps=body.taker_fee_bps))
        return json_response({"symbol": url_symbol(instrument), "instrument": instrument}, 201)

    for action, (market_state, delist) in MARKET_ACTIONS.items():
        _market_action(router, runtime, markets, action, market_state, delist)

    @router.put("/admin/markets/{symbol}/fees", summary="Maker/taker fees of a market, for all or one tier")
    async def set_fees(symbol: str, request: Request, who=Depends(markets)):
        body = await parse_body(request, Fees)
        instrument = instrument_by_symbol(await durable_venue(runtime), symbol)
        result = await submit(runtime, c.SetFees(actor=who.owner_id, instrument_id=instrument.instrument_id,
                                                 maker_fee_bps=body.maker_fee_bps,
                                                 taker_fee_bps=body.taker_fee_bps, tier=body.tier))
        return json_response(result.data)


def _market_action(router: APIRouter, runtime, markets, action: str, market_state, delist: bool) -> None:
    summary = "Delist: halt for good and cancel every order" if delist else f"Set the market to {market_state.value}"

    @router.post(f"/admin/markets/{{symbol}}/{action}", summary=summary, name=f"market_{action}")
    async def change_market(symbol: str, request: Request, who=Depends(markets)):
        body = await parse_body(request, Reason)
        instrument = instrument_by_symbol(await durable_venue(runtime), symbol)
        result = await submit(runtime, c.ChangeMarket(actor=who.owner_id, instrument_id=instrument.instrument_id,
                                                      market_state=market_state, reason=body.reason, delist=delist))
        return json_response(result.data)


def _decimal(text: str, field: str) -> decimal.Decimal:
    try:
        return parse_decimal(text)
    except InstrumentValueError:
        raise ApiError("DECIMAL_MALFORMED", f"{field} {text!r} is not a plain decimal") from None


def _whole(value: decimal.Decimal, field: str, step: str) -> int:
    if value != value.to_integral_value() or value < 0:
        raise ApiError("INVALID_REQUEST", f"{field} is not a whole number of {step}", 400)
    return int(value)


def new_instrument(venue, body: NewMarket) -> tuple[Instrument, int]:
    """The instrument for a listing request, on the next free id; 400 when a size is not exact."""
    assets = venue.listing.assets
    for code in (body.base, body.quote):
        if code not in assets:
            raise ApiError("ASSET_UNKNOWN", f"no asset {code!r}: define it first")
    base_decimals, quote_decimals = assets[body.base].decimals, assets[body.quote].decimals
    with decimal.localcontext() as context:
        context.prec = 100  # Exact products of two 40-digit decimals.
        tick, lot = _decimal(body.tick_size, "tick_size"), _decimal(body.lot_size, "lot_size")
        if tick == 0 or lot == 0:
            raise ApiError("INVALID_REQUEST", "tick_size and lot_size must be positive", 400)
        tick_lot = tick * lot
        base_per_lot = _whole(lot.scaleb(base_decimals), "lot_size", f"{body.base} units")
        quote_per_tick_lot = _whole(tick_lot.scaleb(quote_decimals), "tick_size * lot_size", f"{body.quote} units")
        min_notional = _decimal(body.min_notional, "min_notional")
        min_notional_tick_lots = _whole(min_notional / tick_lot, "min_notional", f"tick_size * lot_size ({tick_lot})")
    next_id = max((i.instrument_id for i in venue.engine.instruments()), default=0) + 1
    draft = Instrument(instrument_id=next_id, symbol=f"{body.base}/{body.quote}", base=body.base, quote=body.quote,
                       tick_size=body.tick_size, lot_size=body.lot_size, base_units_per_lot=base_per_lot,
                       quote_units_per_tick_lot=quote_per_tick_lot, min_quantity_lots=1,
                       max_quantity_lots=QUANTITY_LOTS_MAX, min_notional_tick_lots=min_notional_tick_lots,
                       price_band_bps=body.price_band_bps)
    instrument = msgspec.structs.replace(
        draft, min_quantity_lots=quantity_lots(draft, body.min_quantity, "min_quantity"),
        max_quantity_lots=quantity_lots(draft, body.max_quantity, "max_quantity"))
    return instrument, price_ticks(draft, body.reference_price, "reference_price")


def _staff_routes(router: APIRouter, runtime) -> None:
    staff_manager = require(runtime.authenticator, Permission.MANAGE_STAFF)
    key_manager = require(runtime.authenticator, Permission.MANAGE_KEYS)
    own_keys = require(runtime.authenticator, Permission.MANAGE_OWN_KEYS)

    @router.get("/admin/staff", summary="Staff members and their roles")
    async def list_staff(who=Depends(staff_manager)):
        venue = await durable_venue(runtime)
        return json_response({"staff": [{"staff_id": s.staff_id, "name": s.name, "role": s.role.value,
                                         "created_at_ms": ms(s.created_timestamp_ns)}
                                        for s in venue.access.staff_members()]})

    @router.post("/admin/staff", summary="Add a staff member; answers a first API key (secret shown once)",
                 status_code=201)
    async def create_staff(request: Request, who=Depends(staff_manager)):
        body = await parse_body(request, NewStaff)
        await submit(runtime, CreateStaff(staff_id=body.staff_id, name=body.name, role=body.role, actor=who.owner_id))
        key = await _issue(runtime, who.owner_id, OwnerKind.STAFF, body.staff_id, body.role, "first key")
        return json_response({"staff_id": body.staff_id, "name": body.name, "role": body.role.value, **key}, 201)

    @router.post("/admin/api-keys", summary="Issue an API key to a customer or staff member (secret shown once)",
                 status_code=201)
    async def issue_key(request: Request, who=Depends(key_manager)):
        body = await parse_body(request, NewKey)
        venue = await durable_venue(runtime)
        if body.owner_kind == OwnerKind.CUSTOMER:
            find_customer(venue, _customer_number(body.owner_id))
            role = Role.TRADER
        else:
            member = venue.access.staff(body.owner_id)
            if member is None:
                raise ApiError("STAFF_NOT_FOUND", f"no staff member {body.owner_id!r}")
            role = member.role
        key = await _issue(runtime, who.owner_id, body.owner_kind, body.owner_id, role, body.label)
        return json_response({"owner_kind": body.owner_kind.value, "owner_id": body.owner_id, "role": role.value,
                              **key}, 201)

    @router.delete("/admin/api-keys/{key_id}", summary="Revoke anyone's API key, with a reason")
    async def revoke_key(key_id: str, request: Request, who=Depends(key_manager)):
        body = await parse_body(request, Reason)
        await submit(runtime, RevokeApiKey(key_id=key_id, actor=who.owner_id, reason=body.reason))
        return json_response({"key_id": key_id, "revoked": True})

    @router.delete("/me/api-keys/{key_id}", summary="Revoke one of your own API keys")
    async def revoke_own_key(key_id: str, request: Request, who=Depends(own_keys)):
        body = await parse_body(request, Reason)
        key = (await durable_venue(runtime)).access.key(key_id)
        if key is None or key.owner_kind != OwnerKind.CUSTOMER or key.owner_id != who.owner_id:
            raise ApiError("KEY_NOT_FOUND", "no such key among yours")  # Another's key looks absent.
        await submit(runtime, RevokeApiKey(key_id=key_id, actor=customer_actor(who.owner_id), reason=body.reason))
        return json_response({"key_id": key_id, "revoked": True})


def _customer_number(owner_id: str) -> int:
    if not owner_id.isdigit():
        raise ApiError("CUSTOMER_NOT_FOUND", f"no customer {owner_id!r}")
    return int(owner_id)


async def _issue(runtime, actor: str, owner_kind: OwnerKind, owner_id: str, role: Role, label: str) -> dict:
    key_id, secret = new_key_id(), new_secret()
    await submit(runtime, IssueApiKey(key_id=key_id, owner_kind=owner_kind, owner_id=owner_id, role=role,
                                      secret_ciphertext=encrypt_secret(runtime.server_key, secret), label=label,
                                      actor=actor))
    return {"api_key": key_id, "secret": secret}
