"""Signed Binance account endpoints: /api/v3/account (balances), /api/v3/myTrades and
/sapi/v1/asset/tradeFee (the customer's maker/taker rates, by tier, per market).

Balances are exact decimal strings with each asset's decimals: `free` is what is available,
`locked` is what open orders hold plus what pending withdrawals hold (both belong to the
customer but cannot be used). Trades carry Binance's commission rule: the buyer pays in the
base asset it receives, the seller in the quote asset, at its role's rate.
"""
import decimal

from fastapi import APIRouter, Depends, Request

from api.auth.dependency import Scheme, require
from api.auth.results import Authenticated
from api.binance.errors import BinanceRoute
from api.binance.history import first_after, latest_trades, trades_forward, trades_of_orders
from api.binance.params import read_params
from api.binance.shapes import binance_symbol, ms, my_trade_json
from api.binance.trading import find_order
from api.http import durable_venue, json_response
from api.routes.orders import account_of
from api.symbols import format_units, instrument_by_symbol
from exchange.access import Permission

TRADES_DEFAULT = 500
TRADES_MAX = 1_000
NS_PER_MS = 1_000_000


def build(runtime) -> APIRouter:
    router = APIRouter(tags=["binance account"], route_class=BinanceRoute)
    reader = require(runtime.authenticator, Permission.READ_OWN, Scheme.BINANCE)

    @router.get("/api/v3/account", summary="Own balances (free / locked) and permissions (USER_DATA)")
    async def account(request: Request, who: Authenticated = Depends(reader)):
        account_id = account_of(who)
        params = await read_params(request)
        venue = await durable_venue(runtime)
        can_trade = venue.compliance.check_can_trade(str(account_id)) is None
        omit_zero = params.text("omitZeroBalances") == "true"
        balances = []
        for asset in sorted(venue.listing.assets):
            ledger = venue.ledger
            free = ledger.available(account_id, asset)
            locked = ledger.held(account_id, asset) + ledger.withdrawing(account_id, asset)
            if omit_zero and free == 0 and locked == 0:
                continue
            balances.append({"asset": asset, "free": format_units(venue, asset, free),
                             "locked": format_units(venue, asset, locked)})
        return json_response({
            "canTrade": can_trade, "canWithdraw": can_trade, "canDeposit": can_trade, "brokered": False,
            "requireSelfTradePrevention": False, "preventSor": True, "updateTime": ms(runtime.clock_ns()),
            "accountType": "SPOT", "balances": balances, "permissions": ["SPOT"], "uid": account_id})

    @router.get("/api/v3/myTrades", summary="Own trades in one market, oldest first (USER_DATA)")
    async def my_trades(request: Request, who: Authenticated = Depends(reader)):
        account_id = account_of(who)
        params = await read_params(request)
        venue = await durable_venue(runtime)
        instrument = instrument_by_symbol(venue, params.required("symbol"))
        limit = params.limit(TRADES_DEFAULT, TRADES_MAX)
        trades = await _select(runtime, venue, params, account_id, instrument.instrument_id, limit)
        return json_response([my_trade_json(venue, instrument, t, account_id) for t in trades])

    @router.get("/sapi/v1/asset/tradeFee", summary="Own maker/taker rates per market, for this customer's tier (USER_DATA)")
    async def trade_fee(request: Request, who: Authenticated = Depends(reader)):
        account_id = account_of(who)
        params = await read_params(request)
        venue = await durable_venue(runtime)
        symbol = params.text("symbol")
        instruments = venue.engine.instruments() if symbol is None else [instrument_by_symbol(venue, symbol)]
        tier = venue.tier_of(account_id)
        answers = []
        for instrument in instruments:
            maker_bps, taker_bps = venue.fees.rates(instrument.instrument_id, tier)
            answers.append({"symbol": binance_symbol(instrument), "makerCommission": _rate(maker_bps),
                            "takerCommission": _rate(taker_bps)})
        return json_response(answers)

    return router


def _rate(basis_points: int) -> str:
    """Basis points as Binance's fraction string, exactly: 10 -> "0.0010"."""
    return format(decimal.Decimal(basis_points).scaleb(-4), "f")


async def _select(runtime, venue, params, account_id: int, instrument_id: int, limit: int) -> list:
    """Binance's rules: by order; from a trade id; from a start time; up to an end time; else the newest."""
    store, last_trade_id = runtime.store, venue.engine.trade_id_last
    start_ms, end_ms = params.integer("startTime"), params.integer("endTime")
    end_ns = None if end_ms is None else (end_ms + 1) * NS_PER_MS - 1
    order_id, from_id = params.integer("orderId", None, 1), params.integer("fromId", None, 0)
    if order_id is not None:
        record = await find_order(runtime, venue, account_id, instrument_id, {"order_id": order_id})
        trades = await trades_of_orders(store, venue, account_id, [record])
        return trades[:limit]
    if from_id is not None:
        return await trades_forward(store, account_id, instrument_id, max(from_id - 1, 0), limit, end_ns)
    if start_ms is not None:
        start_ns = start_ms * NS_PER_MS
        after = await first_after(store, last_trade_id, lambda t: t.timestamp_ns >= start_ns)
        return await trades_forward(store, account_id, instrument_id, after, limit, end_ns)
    before_id = last_trade_id
    if end_ns is not None:
        before_id = await first_after(store, last_trade_id, lambda t: t.timestamp_ns > end_ns)
    return await latest_trades(store, account_id, instrument_id, before_id, limit)
