"""A seeded random journal of engine commands (every command kind), for replay and snapshot tests."""
import random

from engine.commands import (AmendOrder, CancelAll, CancelOrder, DefineInstrument, MarketState, OrderType,
                             PlaceOrder, SetMarketState, SetReferencePrice, Side, StpMode, TimeInForce)
from engine_blotter import BTC_USDT

MARKET_TIME_IN_FORCE = [TimeInForce.IOC, TimeInForce.FOK]
LIMIT_TIME_IN_FORCE = [TimeInForce.GTC] * 3 + MARKET_TIME_IN_FORCE


def random_journal(seed: int, length: int) -> list:
    """Commands whose order ids are their sequence numbers (1-based position in the list)."""
    rng = random.Random(seed)
    journal: list = [DefineInstrument(instrument=BTC_USDT, reference_price_ticks=10_000)]
    placed: list[tuple[int, int]] = [(0, 1)]  # (order id, account id), most recent last
    while len(journal) < length:
        sequence = len(journal) + 1
        roll = rng.random()
        if roll < 0.6:
            order_type = rng.choice(list(OrderType))
            market = order_type in (OrderType.MARKET, OrderType.STOP_MARKET)
            stop = order_type in (OrderType.STOP_LIMIT, OrderType.STOP_MARKET)
            placed.append((sequence, rng.randint(1, 4)))
            journal.append(PlaceOrder(
                order_id=sequence, account_id=placed[-1][1], instrument_id=1,
                client_order_id=rng.choice([None, None, "a", "b"]), side=rng.choice(list(Side)),
                order_type=order_type,
                time_in_force=rng.choice(MARKET_TIME_IN_FORCE if market else LIMIT_TIME_IN_FORCE),
                price_ticks=None if market else rng.randint(9_950, 10_050),
                stop_price_ticks=rng.randint(9_950, 10_050) if stop else None,
                quantity_lots=rng.randint(1, 20), stp_mode=rng.choice(list(StpMode))))
        elif roll < 0.8:
            order_id, account_id = rng.choice(placed[-12:])
            journal.append(CancelOrder(account_id=account_id, instrument_id=1, order_id=order_id))
        elif roll < 0.9:
            order_id, account_id = rng.choice(placed[-12:])
            journal.append(AmendOrder(account_id=account_id, instrument_id=1, order_id=order_id,
                                      new_price_ticks=rng.choice([None, rng.randint(9_950, 10_050)]),
                                      new_quantity_lots=rng.choice([None, rng.randint(1, 20)])))
        elif roll < 0.95:
            journal.append(SetMarketState(instrument_id=1, market_state=rng.choice(
                [MarketState.OPEN] * 9 + [MarketState.AUCTION, MarketState.HALTED, MarketState.POST_ONLY])))
        elif roll < 0.98:
            journal.append(SetReferencePrice(instrument_id=1, price_ticks=rng.randint(9_900, 10_100)))
        else:
            journal.append(CancelAll(account_id=rng.randint(1, 4)))
    return journal
