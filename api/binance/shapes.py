"""Binance JSON shapes of markets, orders and trades, built from our records.

Numbers are decimal strings in the instrument's grid (prices with the tick size's decimals,
quantities with the lot size's) and amounts of an asset with that asset's decimals, all
exact. Symbols are BASE+QUOTE ("BTCUSDT"). Our statuses map to Binance's (CANCELLED ->
CANCELED); our order types to Binance's (a stop is a STOP_LOSS / STOP_LOSS_LIMIT: it
triggers when the last price reaches the stop in the adverse direction).

A post-only order is shown as LIMIT_MAKER, in the answer to its placement and when read back
(order records keep the post-only flag); so is an order's selfTradePreventionMode (records keep it).
"""
from api.symbols import format_units
from engine.commands import MarketState

ORDER_STATUS = {"NEW": "NEW", "PARTIALLY_FILLED": "PARTIALLY_FILLED", "FILLED": "FILLED", "CANCELLED": "CANCELED",
                "CANCELED": "CANCELED", "EXPIRED": "EXPIRED", "REJECTED": "REJECTED"}
ORDER_TYPE = {"LIMIT": "LIMIT", "MARKET": "MARKET", "STOP_LIMIT": "STOP_LOSS_LIMIT", "STOP_MARKET": "STOP_LOSS"}
SYMBOL_STATUS = {MarketState.OPEN: "TRADING", MarketState.POST_ONLY: "TRADING", MarketState.HALTED: "HALT",
                 MarketState.CANCEL_ONLY: "BREAK", MarketState.AUCTION: "AUCTION_MATCH"}
ORDER_TYPES = ["LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LOSS", "STOP_LOSS_LIMIT"]
STP_MODES = ["EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH"]


def binance_symbol(instrument) -> str:
    return instrument.base + instrument.quote


def ms(timestamp_ns: int) -> int:
    return timestamp_ns // 1_000_000


def quote_units_of(instrument, price_ticks: int, quantity_lots: int) -> int:
    return price_ticks * quantity_lots * instrument.quote_units_per_tick_lot


def symbol_json(venue, instrument) -> dict:
    """One market in /api/v3/exchangeInfo: status, assets, precisions, order types and filters."""
    assets = venue.listing.assets
    market_state = venue.engine.market_state(instrument.instrument_id)
    delisted = instrument.instrument_id in venue.listing.delisted
    band = instrument.price_band_bps
    up, down = _ratio(10_000 + band), _ratio(10_000 - band)
    min_notional = quote_units_of(instrument, instrument.min_notional_tick_lots, 1)
    base_decimals, quote_decimals = assets[instrument.base].decimals, assets[instrument.quote].decimals
    zero_price = instrument.format_price(0)
    return {
        "symbol": binance_symbol(instrument), "status": "BREAK" if delisted else SYMBOL_STATUS[market_state],
        "baseAsset": instrument.base, "baseAssetPrecision": base_decimals,
        "quoteAsset": instrument.quote, "quotePrecision": quote_decimals, "quoteAssetPrecision": quote_decimals,
        "baseCommissionPrecision": base_decimals, "quoteCommissionPrecision": quote_decimals,
        "orderTypes": ["LIMIT_MAKER"] if market_state is MarketState.POST_ONLY else ORDER_TYPES,
        "icebergAllowed": False, "ocoAllowed": False, "otoAllowed": False, "quoteOrderQtyMarketAllowed": False,
        "allowTrailingStop": False, "cancelReplaceAllowed": False, "amendAllowed": False,
        "isSpotTradingAllowed": True, "isMarginTradingAllowed": False,
        "filters": [
            # minPrice/maxPrice 0 disables that bound (Binance's rule): the band below is what limits prices.
            {"filterType": "PRICE_FILTER", "minPrice": instrument.tick_size, "maxPrice": zero_price,
             "tickSize": instrument.tick_size},
            {"filterType": "PERCENT_PRICE_BY_SIDE", "bidMultiplierUp": up, "bidMultiplierDown": down,
             "askMultiplierUp": up, "askMultiplierDown": down, "avgPriceMins": 0},
            {"filterType": "LOT_SIZE", "minQty": instrument.format_quantity(instrument.min_quantity_lots),
             "maxQty": instrument.format_quantity(instrument.max_quantity_lots), "stepSize": instrument.lot_size},
            {"filterType": "MARKET_LOT_SIZE", "minQty": instrument.format_quantity(instrument.min_quantity_lots),
             "maxQty": instrument.format_quantity(instrument.max_quantity_lots), "stepSize": instrument.lot_size},
            {"filterType": "NOTIONAL", "minNotional": format_units(venue, instrument.quote, min_notional),
             "applyMinToMarket": True, "avgPriceMins": 0},
        ],
        "permissions": [], "permissionSets": [["SPOT"]],
        "defaultSelfTradePreventionMode": "EXPIRE_TAKER", "allowedSelfTradePreventionModes": STP_MODES,
    }


def _ratio(basis_points: int) -> str:
    whole, fraction = divmod(basis_points, 10_000)
    return f"{whole}.{fraction:04d}"


def order_json(venue, record, executed_quote_units: int, post_only: bool = False) -> dict:
    """An order as GET /api/v3/order answers it."""
    instrument = venue.engine.instrument(record.instrument_id)
    zero_price = instrument.format_price(0)
    post_only = post_only or record.post_only
    order_type = "LIMIT_MAKER" if post_only else ORDER_TYPE[record.order_type]
    answer = {
        "symbol": binance_symbol(instrument), "orderId": record.order_id, "orderListId": -1,
        "clientOrderId": record.client_order_id or "",
        "price": zero_price if record.price_ticks is None else instrument.format_price(record.price_ticks),
        "origQty": instrument.format_quantity(record.quantity_lots),
        "executedQty": instrument.format_quantity(record.filled_lots),
        "cummulativeQuoteQty": format_units(venue, instrument.quote, executed_quote_units),
        "status": ORDER_STATUS.get(record.status.upper(), record.status), "timeInForce": record.time_in_force,
        "type": order_type, "side": record.side,
        "stopPrice": zero_price if record.stop_price_ticks is None else instrument.format_price(
            record.stop_price_ticks),
        "icebergQty": instrument.format_quantity(0), "time": ms(record.created_ns),
        "updateTime": ms(record.updated_ns), "isWorking": record.stop_price_ticks is None,
        "workingTime": ms(record.created_ns), "origQuoteOrderQty": format_units(venue, instrument.quote, 0),
        "selfTradePreventionMode": record.stp_mode,
    }
    if post_only:
        del answer["timeInForce"]  # Binance's LIMIT_MAKER orders carry no timeInForce.
    return answer


def side_of(trade, account_id: int, order_id: int | None = None) -> tuple[bool, bool]:
    """(is_buyer, is_maker) of `account_id` (or of `order_id` when given) in a trade."""
    if order_id is not None:
        is_maker = trade.maker_order_id == order_id
    else:
        is_maker = trade.maker_account_id == account_id
    taker_buys = trade.taker_side == "BUY"
    return (not taker_buys) if is_maker else taker_buys, is_maker


def commission(venue, instrument, trade, is_buyer: bool, is_maker: bool) -> tuple[str, str]:
    """(commission, asset): the buyer pays in the base it receives, the seller in the quote."""
    asset = instrument.base if is_buyer else instrument.quote
    units = trade.maker_fee_units if is_maker else trade.taker_fee_units
    return format_units(venue, asset, units), asset


def fill_json(venue, instrument, trade, order_id: int, account_id: int) -> dict:
    """One fill in a FULL /api/v3/order answer."""
    is_buyer, is_maker = side_of(trade, account_id, order_id)
    fee, fee_asset = commission(venue, instrument, trade, is_buyer, is_maker)
    return {"price": instrument.format_price(trade.price_ticks),
            "qty": instrument.format_quantity(trade.quantity_lots), "commission": fee,
            "commissionAsset": fee_asset, "tradeId": trade.trade_id}


def my_trade_json(venue, instrument, trade, account_id: int) -> dict:
    """One of the account's trades in /api/v3/myTrades."""
    is_buyer, is_maker = side_of(trade, account_id)
    fee, fee_asset = commission(venue, instrument, trade, is_buyer, is_maker)
    quote_units = quote_units_of(instrument, trade.price_ticks, trade.quantity_lots)
    return {"symbol": binance_symbol(instrument), "id": trade.trade_id,
            "orderId": trade.maker_order_id if is_maker else trade.taker_order_id, "orderListId": -1,
            "price": instrument.format_price(trade.price_ticks),
            "qty": instrument.format_quantity(trade.quantity_lots),
            "quoteQty": format_units(venue, instrument.quote, quote_units), "commission": fee,
            "commissionAsset": fee_asset, "time": ms(trade.timestamp_ns), "isBuyer": is_buyer,
            "isMaker": is_maker, "isBestMatch": True}


def public_trade_json(venue, instrument, trade) -> dict:
    """One trade in /api/v3/trades: no account or order ids."""
    quote_units = quote_units_of(instrument, trade.price_ticks, trade.quantity_lots)
    return {"id": trade.trade_id, "price": instrument.format_price(trade.price_ticks),
            "qty": instrument.format_quantity(trade.quantity_lots),
            "quoteQty": format_units(venue, instrument.quote, quote_units), "time": ms(trade.timestamp_ns),
            "isBuyerMaker": trade.taker_side == "SELL", "isBestMatch": True}
