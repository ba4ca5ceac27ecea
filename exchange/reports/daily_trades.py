"""Daily trade report: every trade of one UTC day with both parties, market, price, quantity, fees.

Fees follow the venue's rule: the buyer pays in the base asset it receives,
the seller in the quote asset it receives.
"""
from exchange.reports.formats import Table, day_bounds_ns, decimal_units, iso_ns

COLUMNS = ("trade_id", "sequence", "timestamp", "timestamp_ns", "market", "instrument_id", "price", "quantity",
           "price_ticks", "quantity_lots", "taker_side", "buyer_account_id", "seller_account_id",
           "maker_account_id", "taker_account_id", "maker_order_id", "taker_order_id", "maker_fee",
           "maker_fee_units", "maker_fee_asset", "taker_fee", "taker_fee_units", "taker_fee_asset")


def daily_trades(trades, instruments: dict, asset_decimals: dict[str, int], date: str) -> Table:
    """`trades`: TradeRecords in trade id order (any days); `instruments`: id -> Instrument."""
    start_ns, end_ns = day_bounds_ns(date)
    rows = [_row(trade, instruments[trade.instrument_id], asset_decimals)
            for trade in trades if start_ns <= trade.timestamp_ns < end_ns]
    return Table(report="daily-trades", date=date, columns=COLUMNS, rows=rows)


def _row(trade, instrument, asset_decimals: dict[str, int]) -> dict:
    taker_buys = trade.taker_side == "BUY"
    buyer, seller = ((trade.taker_account_id, trade.maker_account_id) if taker_buys
                     else (trade.maker_account_id, trade.taker_account_id))
    maker_fee_asset = instrument.quote if taker_buys else instrument.base
    taker_fee_asset = instrument.base if taker_buys else instrument.quote
    return {
        "trade_id": trade.trade_id, "sequence": trade.sequence, "timestamp": iso_ns(trade.timestamp_ns),
        "timestamp_ns": trade.timestamp_ns, "market": instrument.symbol, "instrument_id": trade.instrument_id,
        "price": instrument.format_price(trade.price_ticks), "quantity": instrument.format_quantity(trade.quantity_lots),
        "price_ticks": trade.price_ticks, "quantity_lots": trade.quantity_lots, "taker_side": trade.taker_side,
        "buyer_account_id": buyer, "seller_account_id": seller, "maker_account_id": trade.maker_account_id,
        "taker_account_id": trade.taker_account_id, "maker_order_id": trade.maker_order_id,
        "taker_order_id": trade.taker_order_id,
        "maker_fee": decimal_units(trade.maker_fee_units, asset_decimals[maker_fee_asset]),
        "maker_fee_units": trade.maker_fee_units, "maker_fee_asset": maker_fee_asset,
        "taker_fee": decimal_units(trade.taker_fee_units, asset_decimals[taker_fee_asset]),
        "taker_fee_units": trade.taker_fee_units, "taker_fee_asset": taker_fee_asset,
    }
