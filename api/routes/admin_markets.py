"""Operator routes on what is traded: assets, market listings, market states and fees.

Every route requires MANAGE_MARKETS (exchange/access/roles.py); the acting
staff member is always the authenticated key's owner, never a body field. A
listing's sizes are decimal strings converted exactly to the instrument's
integer grid; a size that does not fit the assets' decimals is a 400.
"""
import decimal

import msgspec
from fastapi import APIRouter, Depends, Request

from api.auth.dependency import require
from api.errors import ApiError
from api.http import body_doc, durable_venue, json_response, parse_body, submit
from api.routes.staff_fields import Reason, tiyin
from api.symbols import instrument_by_symbol, price_ticks, quantity_lots, url_symbol
from engine.commands import MarketState
from engine.instrument import Instrument, InstrumentValueError, parse_decimal
from exchange import commands as c
from exchange.access import Permission

QUANTITY_LOTS_MAX = 10**15
# Path word -> (market state, delist?): one route each, so /docs lists them.
MARKET_ACTIONS = {
    "halt": (MarketState.HALTED, False), "resume": (MarketState.OPEN, False),
    "cancel-only": (MarketState.CANCEL_ONLY, False), "post-only": (MarketState.POST_ONLY, False),
    "auction": (MarketState.AUCTION, False), "delist": (MarketState.HALTED, True),
}


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


def build(runtime) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["admin"])
    markets = require(runtime.authenticator, Permission.MANAGE_MARKETS)

    @router.post("/admin/assets", summary="Define an asset (code, decimals, TMT valuation)", status_code=201,
                 openapi_extra=body_doc(NewAsset))
    async def define_asset(request: Request, who=Depends(markets)):
        body = await parse_body(request, NewAsset)
        command = c.DefineAsset(actor=who.owner_id, code=body.code, decimals=body.decimals,
                                tmt_units_per_asset=tiyin(body.tmt_per_asset, "tmt_per_asset"))
        result = await submit(runtime, command)
        return json_response(result.data, 201)

    @router.post("/admin/markets", summary="List a market on two defined assets", status_code=201,
                 openapi_extra=body_doc(NewMarket))
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

    @router.put("/admin/markets/{symbol}/fees", summary="Maker/taker fees of a market, for all or one tier",
                openapi_extra=body_doc(Fees))
    async def set_fees(symbol: str, request: Request, who=Depends(markets)):
        body = await parse_body(request, Fees)
        instrument = instrument_by_symbol(await durable_venue(runtime), symbol)
        result = await submit(runtime, c.SetFees(actor=who.owner_id, instrument_id=instrument.instrument_id,
                                                 maker_fee_bps=body.maker_fee_bps,
                                                 taker_fee_bps=body.taker_fee_bps, tier=body.tier))
        return json_response(result.data)

    return router


def _market_action(router: APIRouter, runtime, markets, action: str, market_state, delist: bool) -> None:
    summary = "Delist: halt for good and cancel every order" if delist else f"Set the market to {market_state.value}"

    @router.post(f"/admin/markets/{{symbol}}/{action}", summary=summary, name=f"market_{action}",
                 openapi_extra=body_doc(Reason))
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
