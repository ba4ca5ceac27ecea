"""Public market data (no key needed): markets, order book, recent trades, 24 h ticker, candles.

Every price and quantity is a decimal string in the instrument's grid
(`format_price` / `format_quantity`); quote volumes are formatted with the
quote asset's decimals. Public trades never carry account or order ids.
Market info carries the risk warning the law requires.
"""
import decimal

from fastapi import APIRouter, Query

from api.http import durable_venue, json_response
from api.marketdata import INTERVAL_MS, market_data_of
from api.symbols import format_units, instrument_by_symbol, url_symbol
from exchange.compliance import RISK_WARNING

DEPTH_DEFAULT = 50
DEPTH_MAX = 500
TRADES_DEFAULT = 100
CANDLES_DEFAULT = 100
LIMIT_MAX = 1_000


def market_json(venue, instrument) -> dict:
    """One market's rules, fees and state, as decimal strings."""
    instrument_id = instrument.instrument_id
    maker_fee_bps, taker_fee_bps = venue.listing.fees.rates(instrument_id)
    band_low, band_high = venue.engine.price_band(instrument_id)
    min_notional_units = instrument.min_notional_tick_lots * instrument.quote_units_per_tick_lot
    return {
        "symbol": url_symbol(instrument), "instrument_id": instrument_id,
        "base": instrument.base, "quote": instrument.quote,
        "tick_size": instrument.tick_size, "lot_size": instrument.lot_size,
        "min_quantity": instrument.format_quantity(instrument.min_quantity_lots),
        "max_quantity": instrument.format_quantity(instrument.max_quantity_lots),
        "min_notional": format_units(venue, instrument.quote, min_notional_units),
        "price_band_bps": instrument.price_band_bps,
        "price_band": {"low": instrument.format_price(band_low), "high": instrument.format_price(band_high)},
        "maker_fee_bps": maker_fee_bps, "taker_fee_bps": taker_fee_bps,
        "market_state": venue.engine.market_state(instrument_id).value,
        "delisted": instrument_id in venue.listing.delisted,
        "risk_warning": RISK_WARNING,
    }


def public_trade_json(venue, instrument, trade) -> dict:
    quote_units = trade.price_ticks * trade.quantity_lots * instrument.quote_units_per_tick_lot
    return {
        "trade_id": trade.trade_id, "price": instrument.format_price(trade.price_ticks),
        "quantity": instrument.format_quantity(trade.quantity_lots),
        "quote_quantity": format_units(venue, instrument.quote, quote_units),
        "taker_side": trade.taker_side, "time_ms": trade.timestamp_ns // 1_000_000,
    }


def _price(instrument, price_ticks: int | None) -> str | None:
    return None if price_ticks is None else instrument.format_price(price_ticks)


def _quote_volume(venue, instrument, tick_lots: int) -> str:
    return format_units(venue, instrument.quote, tick_lots * instrument.quote_units_per_tick_lot)


def _change(instrument, open_ticks: int | None, last_ticks: int | None) -> tuple[str | None, str | None]:
    """(absolute change, percent change with 2 decimals) from the 24 h open to the last price."""
    if open_ticks is None or last_ticks is None:
        return None, None
    tick = decimal.Decimal(instrument.tick_size)
    change = (last_ticks - open_ticks) * tick
    percent = (decimal.Decimal(last_ticks - open_ticks) * 100 / open_ticks).quantize(decimal.Decimal("0.01"))
    return format(change.quantize(tick), "f"), format(percent, "f")


def ticker_json(venue, instrument, stats) -> dict:
    """24 h statistics of a market (REST and the ticker stream)."""
    change, change_percent = _change(instrument, stats.open_ticks, stats.last_ticks)
    return {
        "symbol": url_symbol(instrument), "open": _price(instrument, stats.open_ticks),
        "high": _price(instrument, stats.high_ticks), "low": _price(instrument, stats.low_ticks),
        "last": _price(instrument, stats.last_ticks), "volume": instrument.format_quantity(stats.volume_lots),
        "quote_volume": _quote_volume(venue, instrument, stats.tick_lots), "trades": stats.trades,
        "change": change, "change_percent": change_percent,
    }


def candle_json(venue, instrument, interval: str, candle) -> dict:
    """One OHLCV candle (REST and the candle stream)."""
    return {"open_time_ms": candle.open_ms, "close_time_ms": candle.open_ms + INTERVAL_MS[interval] - 1,
            "open": instrument.format_price(candle.open_ticks), "high": instrument.format_price(candle.high_ticks),
            "low": instrument.format_price(candle.low_ticks), "close": instrument.format_price(candle.close_ticks),
            "volume": instrument.format_quantity(candle.volume_lots),
            "quote_volume": _quote_volume(venue, instrument, candle.tick_lots), "trades": candle.trades}


def build(runtime) -> APIRouter:
    router = APIRouter(prefix="/v1/markets", tags=["market data"])
    _market_routes(router, runtime)
    _trade_routes(router, runtime, market_data_of(runtime))
    return router


def _market_routes(router: APIRouter, runtime) -> None:
    @router.get("", summary="Every market with its rules, fees, state and the risk warning")
    async def markets():
        venue = await durable_venue(runtime)
        return json_response({"risk_warning": RISK_WARNING,
                              "markets": [market_json(venue, i) for i in venue.engine.instruments()]})

    @router.get("/{symbol}", summary="One market (symbol like BTC-USDT)")
    async def market(symbol: str):
        venue = await durable_venue(runtime)
        return json_response(market_json(venue, instrument_by_symbol(venue, symbol)))

    @router.get("/{symbol}/book", summary="Aggregated order book levels, best first, with the book sequence")
    async def book(symbol: str, depth: int = Query(DEPTH_DEFAULT, ge=1, le=DEPTH_MAX)):
        venue = await durable_venue(runtime)
        instrument = instrument_by_symbol(venue, symbol)
        levels = venue.engine.depth(instrument.instrument_id, depth)
        return json_response({
            "symbol": url_symbol(instrument), "sequence": levels.sequence,
            "bids": [[instrument.format_price(p), instrument.format_quantity(q)] for p, q in levels.bids],
            "asks": [[instrument.format_price(p), instrument.format_quantity(q)] for p, q in levels.asks],
        })


def _trade_routes(router: APIRouter, runtime, market_data) -> None:
    @router.get("/{symbol}/trades", summary="Recent public trades, oldest first (no account data)")
    async def trades(symbol: str, limit: int = Query(TRADES_DEFAULT, ge=1, le=LIMIT_MAX)):
        venue = await durable_venue(runtime)
        instrument = instrument_by_symbol(venue, symbol)
        await market_data.ready()
        recent = market_data.recent_trades(instrument.instrument_id, limit)
        return json_response({"symbol": url_symbol(instrument),
                              "trades": [public_trade_json(venue, instrument, t) for t in recent]})

    @router.get("/{symbol}/ticker", summary="24 h statistics: open, high, low, last, volumes, change")
    async def ticker(symbol: str):
        venue = await durable_venue(runtime)
        instrument = instrument_by_symbol(venue, symbol)
        await market_data.ready()
        return json_response(ticker_json(venue, instrument, market_data.ticker(instrument.instrument_id)))

    @router.get("/{symbol}/candles", summary="OHLCV candles (interval 1m, 5m, 15m, 1h, 1d), oldest first")
    async def candles(symbol: str, interval: str = Query("1m", pattern="^(1m|5m|15m|1h|1d)$"),
                      limit: int = Query(CANDLES_DEFAULT, ge=1, le=LIMIT_MAX)):
        venue = await durable_venue(runtime)
        instrument = instrument_by_symbol(venue, symbol)
        await market_data.ready()
        return json_response({"symbol": url_symbol(instrument), "interval": interval, "candles": [
            candle_json(venue, instrument, interval, c)
            for c in market_data.candles(instrument.instrument_id, interval, limit)]})
