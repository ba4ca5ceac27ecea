"""Public Binance endpoints: ping, time, exchangeInfo, depth, trades, aggTrades, klines, tickers.

Everything is read from the durable view of the venue (never from uncommitted state) and
from the runtime's shared `api.marketdata.MarketData`, fed only by committed batches. The order book's
`lastUpdateId` is the book's sequence (the last command that changed it), the same counter
the depth streams number their diffs with.

Aggregate trades (what ccxt's fetch_trades calls by default) group consecutive trades of one
taker order at one price, as Binance does; their id is the first trade's id.
"""
import decimal

import msgspec
from fastapi import APIRouter, Request

from api.binance.errors import BinanceCode, BinanceError, BinanceRoute
from api.binance.params import Params, read_params
from api.binance.shapes import binance_symbol, ms, public_trade_json, symbol_json
from api.http import durable_venue, json_response
from api.marketdata import INTERVAL_MS, MarketData, market_data_of
from api.symbols import format_units, instrument_by_symbol

DEPTH_DEFAULT = 100
DEPTH_MAX = 5_000
TRADES_DEFAULT = 500
TRADES_MAX = 1_000
KLINES_DEFAULT = 500
KLINES_MAX = 1_000
SYMBOLS_MAX = 100
MS_PER_DAY = 86_400_000
# Binance's rate limits as announced; ours are per key (api/auth/ratelimit.py), these are informative.
RATE_LIMITS = [{"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": 6000}]


def build(runtime) -> APIRouter:
    router = APIRouter(prefix="/api/v3", tags=["binance market data"], route_class=BinanceRoute)
    market_data = market_data_of(runtime)
    _general_routes(router, runtime)
    _book_routes(router, runtime)
    _trade_routes(router, runtime, market_data)
    _ticker_routes(router, runtime, market_data)
    return router


async def _instrument(runtime, params: Params):
    venue = await durable_venue(runtime)
    return venue, instrument_by_symbol(venue, params.required("symbol"))


async def _instruments(runtime, params: Params) -> tuple:
    """The venue and the markets named by `symbol`, by a JSON list in `symbols`, or all of them."""
    venue = await durable_venue(runtime)
    if params.text("symbol") is not None:
        return venue, [instrument_by_symbol(venue, params.required("symbol"))], True
    listed = params.text("symbols")
    if listed is None:
        return venue, venue.engine.instruments(), False
    try:
        names = msgspec.json.decode(listed, type=list[str])
    except (msgspec.DecodeError, msgspec.ValidationError):
        raise BinanceError(BinanceCode.ILLEGAL_CHARS,
                           'symbols must be a JSON list such as ["BTCUSDT","ETHUSDT"].') from None
    return venue, [instrument_by_symbol(venue, name) for name in names[:SYMBOLS_MAX]], False


def _general_routes(router: APIRouter, runtime) -> None:
    @router.get("/ping", summary="Connectivity test: {}")
    async def ping():
        return json_response({})

    @router.get("/time", summary="Server time in milliseconds")
    async def time():
        return json_response({"serverTime": ms(runtime.clock_ns())})

    @router.get("/exchangeInfo", summary="Markets with status, precisions, order types and filters")
    async def exchange_info(request: Request):
        venue, instruments, _one = await _instruments(runtime, await read_params(request))
        return json_response({"timezone": "UTC", "serverTime": ms(runtime.clock_ns()), "rateLimits": RATE_LIMITS,
                              "exchangeFilters": [], "symbols": [symbol_json(venue, i) for i in instruments]})


def _book_routes(router: APIRouter, runtime) -> None:
    @router.get("/depth", summary="Order book levels; lastUpdateId is the book sequence")
    async def depth(request: Request):
        params = await read_params(request)
        venue, instrument = await _instrument(runtime, params)
        book = venue.engine.depth(instrument.instrument_id, params.limit(DEPTH_DEFAULT, DEPTH_MAX))
        return json_response({
            "lastUpdateId": book.sequence,
            "bids": [[instrument.format_price(p), instrument.format_quantity(q)] for p, q in book.bids],
            "asks": [[instrument.format_price(p), instrument.format_quantity(q)] for p, q in book.asks]})

    @router.get("/ticker/bookTicker", summary="Best bid and ask of one or every market")
    async def book_ticker(request: Request):
        venue, instruments, one = await _instruments(runtime, await read_params(request))
        answers = []
        for instrument in instruments:
            book = venue.engine.depth(instrument.instrument_id, 1)
            bid_price, bid_qty = _level(instrument, book.bids)
            ask_price, ask_qty = _level(instrument, book.asks)
            answers.append({"symbol": binance_symbol(instrument), "bidPrice": bid_price, "bidQty": bid_qty,
                            "askPrice": ask_price, "askQty": ask_qty})
        return json_response(answers[0] if one else answers)


def _level(instrument, levels) -> tuple[str, str]:
    price_ticks, quantity_lots = levels[0] if levels else (0, 0)
    return instrument.format_price(price_ticks), instrument.format_quantity(quantity_lots)


def _trade_routes(router: APIRouter, runtime, market_data: MarketData) -> None:
    async def kept_trades(request: Request):
        """The venue, the market, the parameters and the trades kept in memory for it, oldest first."""
        params = await read_params(request)
        venue, instrument = await _instrument(runtime, params)
        await market_data.ready()
        return venue, instrument, params, market_data.recent_trades(instrument.instrument_id, TRADES_MAX)

    @router.get("/trades", summary="Recent public trades, oldest first")
    async def trades(request: Request):
        venue, instrument, params, kept = await kept_trades(request)
        limit = params.limit(TRADES_DEFAULT, TRADES_MAX)
        return json_response([public_trade_json(venue, instrument, t) for t in kept[-limit:]])

    @router.get("/aggTrades", summary="Recent trades aggregated per taker order and price, oldest first")
    async def agg_trades(request: Request):
        _venue, instrument, params, kept = await kept_trades(request)
        limit = params.limit(TRADES_DEFAULT, TRADES_MAX)
        from_id, start_ms, end_ms = params.integer("fromId"), params.integer("startTime"), params.integer("endTime")
        aggregates = _aggregate(instrument, [t for t in kept if (start_ms is None or ms(t.timestamp_ns) >= start_ms)
                                             and (end_ms is None or ms(t.timestamp_ns) <= end_ms)])
        if from_id is not None:
            aggregates = [a for a in aggregates if a["a"] >= from_id]
        from_oldest = from_id is not None or start_ms is not None  # Binance: from there on, else the newest.
        return json_response(aggregates[:limit] if from_oldest else aggregates[-limit:])

    @router.get("/klines", summary="OHLCV candles, oldest first (intervals 1m, 5m, 15m, 1h, 1d)")
    async def klines(request: Request):
        params = await read_params(request)
        venue, instrument = await _instrument(runtime, params)
        interval = params.required("interval")
        if interval not in INTERVAL_MS:
            raise BinanceError(BinanceCode.BAD_INTERVAL, "Invalid interval.")
        await market_data.ready()
        start_ms, end_ms = params.integer("startTime"), params.integer("endTime")
        candles = [c for c in market_data.candles(instrument.instrument_id, interval, KLINES_MAX)
                   if (start_ms is None or c.open_ms >= start_ms) and (end_ms is None or c.open_ms <= end_ms)]
        limit = params.limit(KLINES_DEFAULT, KLINES_MAX)
        candles = candles[:limit] if start_ms is not None else candles[-limit:]
        length_ms = INTERVAL_MS[interval]
        # Taker-buy volumes are not tracked: "0" in fields 9 and 10 (clients read fields 0-5).
        return json_response([
            [c.open_ms, instrument.format_price(c.open_ticks), instrument.format_price(c.high_ticks),
             instrument.format_price(c.low_ticks), instrument.format_price(c.close_ticks),
             instrument.format_quantity(c.volume_lots), c.open_ms + length_ms - 1,
             format_units(venue, instrument.quote, c.tick_lots * instrument.quote_units_per_tick_lot), c.trades,
             "0", "0", "0"] for c in candles])


def _aggregate(instrument, trades) -> list[dict]:
    groups: list[list] = []
    for trade in trades:
        last = groups[-1][-1] if groups else None
        if last is not None and last.taker_order_id == trade.taker_order_id and last.price_ticks == trade.price_ticks:
            groups[-1].append(trade)
        else:
            groups.append([trade])
    return [{"a": group[0].trade_id, "p": instrument.format_price(group[0].price_ticks),
             "q": instrument.format_quantity(sum(t.quantity_lots for t in group)),
             "f": group[0].trade_id, "l": group[-1].trade_id, "T": ms(group[0].timestamp_ns),
             "m": group[0].taker_side == "SELL", "M": True} for group in groups]


def _ticker_routes(router: APIRouter, runtime, market_data: MarketData) -> None:
    @router.get("/ticker/24hr", summary="24 h statistics of one or every market")
    async def ticker_24hr(request: Request):
        venue, instruments, one = await _instruments(runtime, await read_params(request))
        await market_data.ready()
        now_ms = ms(runtime.clock_ns())
        answers = [_ticker_json(venue, i, market_data, now_ms) for i in instruments]
        return json_response(answers[0] if one else answers)

    @router.get("/ticker/price", summary="Last price of one or every market")
    async def ticker_price(request: Request):
        venue, instruments, one = await _instruments(runtime, await read_params(request))
        await market_data.ready()
        answers = []
        for instrument in instruments:
            last = market_data.recent_trades(instrument.instrument_id, 1)
            answers.append({"symbol": binance_symbol(instrument),
                            "price": instrument.format_price(last[-1].price_ticks if last else 0)})
        return json_response(answers[0] if one else answers)


def _ticker_json(venue, instrument, market_data: MarketData, now_ms: int) -> dict:
    stats = market_data.ticker(instrument.instrument_id)
    book = venue.engine.depth(instrument.instrument_id, 1)
    bid_price, bid_qty = _level(instrument, book.bids)
    ask_price, ask_qty = _level(instrument, book.asks)
    recent = market_data.recent_trades(instrument.instrument_id, 1)
    last_ticks, open_ticks = stats.last_ticks or 0, stats.open_ticks or 0
    tick = decimal.Decimal(instrument.tick_size)
    percent = decimal.Decimal(0) if not open_ticks else decimal.Decimal((last_ticks - open_ticks) * 100) / open_ticks
    average = decimal.Decimal(0) if not stats.volume_lots else decimal.Decimal(stats.tick_lots) / stats.volume_lots
    return {
        "symbol": binance_symbol(instrument),
        "priceChange": instrument.format_price(last_ticks - open_ticks) if open_ticks else instrument.format_price(0),
        "priceChangePercent": format(percent.quantize(decimal.Decimal("0.001")), "f"),
        "weightedAvgPrice": format((average * tick).quantize(tick), "f"),
        "lastPrice": instrument.format_price(last_ticks),
        "lastQty": instrument.format_quantity(recent[-1].quantity_lots if recent else 0),
        "bidPrice": bid_price, "bidQty": bid_qty, "askPrice": ask_price, "askQty": ask_qty,
        "openPrice": instrument.format_price(open_ticks),
        "highPrice": instrument.format_price(stats.high_ticks or 0),
        "lowPrice": instrument.format_price(stats.low_ticks or 0),
        "volume": instrument.format_quantity(stats.volume_lots),
        "quoteVolume": format_units(venue, instrument.quote, stats.tick_lots * instrument.quote_units_per_tick_lot),
        "openTime": now_ms - MS_PER_DAY, "closeTime": now_ms, "count": stats.trades,
    }
