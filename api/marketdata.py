"""Public market data kept in memory: recent trades, OHLCV candles and the 24 h ticker per instrument.

Fed only by committed batches (`runtime.subscribers` is called AFTER each
commit), so nothing here was ever uncommitted. At start it is seeded from
the store with the last `SEED_TRADES_MAX` trades; trades published while the
seed is still reading wait in a buffer and are applied after it, in trade id
order, so every candle sees its trades oldest first.

Integers only: prices in ticks, volumes in lots and in tick-lots (price x
quantity summed), turned into decimal strings by the routes.

Limits: `RECENT_TRADES_MAX` trades and `CANDLES_MAX` candles per interval are
kept per instrument; the ticker is the sum of the 1-minute candles of the last
24 hours (a window that slides by whole minutes).
"""
import asyncio
import weakref
from collections import deque

from exchange.store.base import TradeRecord

RECENT_TRADES_MAX = 1_000
CANDLES_MAX = 1_500  # >= 1,440 one-minute candles, so the 24 h ticker is always complete.
SEED_TRADES_MAX = 100_000
SEED_PAGE_TRADES = 5_000
MS_PER_MINUTE = 60_000
MS_PER_DAY = 86_400_000
INTERVAL_MS = {"1m": MS_PER_MINUTE, "5m": 5 * MS_PER_MINUTE, "15m": 15 * MS_PER_MINUTE,
               "1h": 60 * MS_PER_MINUTE, "1d": MS_PER_DAY}
_BY_RUNTIME: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


class Candle:
    """One interval's OHLCV; `tick_lots` sums price_ticks * quantity_lots (quote volume in grid units)."""

    __slots__ = ("open_ms", "open_ticks", "high_ticks", "low_ticks", "close_ticks", "volume_lots", "tick_lots",
                 "trades")

    def __init__(self, open_ms: int, price_ticks: int):
        self.open_ms = open_ms
        self.open_ticks = self.high_ticks = self.low_ticks = self.close_ticks = price_ticks
        self.volume_lots = self.tick_lots = self.trades = 0

    def add(self, price_ticks: int, quantity_lots: int) -> None:
        self.high_ticks = max(self.high_ticks, price_ticks)
        self.low_ticks = min(self.low_ticks, price_ticks)
        self.close_ticks = price_ticks
        self.volume_lots += quantity_lots
        self.tick_lots += price_ticks * quantity_lots
        self.trades += 1


class Ticker:
    """The last 24 hours of one instrument; the price fields are None when nothing traded in it."""

    __slots__ = ("open_ticks", "high_ticks", "low_ticks", "last_ticks", "volume_lots", "tick_lots", "trades")

    def __init__(self, last_ticks: int | None):
        self.open_ticks = self.high_ticks = self.low_ticks = None
        self.last_ticks = last_ticks
        self.volume_lots = self.tick_lots = self.trades = 0


class InstrumentData:
    def __init__(self) -> None:
        self.trades: deque[TradeRecord] = deque(maxlen=RECENT_TRADES_MAX)
        self.candles: dict[str, deque[Candle]] = {name: deque(maxlen=CANDLES_MAX) for name in INTERVAL_MS}

    def add(self, trade: TradeRecord) -> None:
        self.trades.append(trade)
        time_ms = trade.timestamp_ns // 1_000_000
        for name, length_ms in INTERVAL_MS.items():
            candles = self.candles[name]
            open_ms = time_ms - time_ms % length_ms
            if not candles or candles[-1].open_ms < open_ms:
                candles.append(Candle(open_ms, trade.price_ticks))
            candles[-1].add(trade.price_ticks, trade.quantity_lots)


def market_data_of(runtime) -> "MarketData":
    """The runtime's one MarketData, subscribed and seeding from the store on first use.

    Route modules share it rather than each keeping its own copy (and its work on every
    committed batch). Call it inside the running event loop, e.g. from `build(runtime)`.
    """
    market_data = _BY_RUNTIME.get(runtime)
    if market_data is None:
        market_data = _BY_RUNTIME[runtime] = MarketData(runtime.clock_ns)
        runtime.subscribers.append(market_data.on_batch)
        market_data.start(runtime.store, runtime.venue.engine.trade_id_last)
    return market_data


class MarketData:
    """Subscribe with `runtime.subscribers.append(market_data.on_batch)`, then `start(store, last_trade_id)`;
    or let `market_data_of(runtime)` do both once per runtime."""

    def __init__(self, clock_ns) -> None:
        self.clock_ns = clock_ns
        self.by_instrument: dict[int, InstrumentData] = {}
        self.last_trade_id = 0
        self._buffer: list[TradeRecord] | None = []  # None once seeded.
        self._seeded: asyncio.Task | None = None

    def start(self, store, last_trade_id: int) -> None:
        """Seed from the store in the background; `ready()` waits for it."""
        self._seeded = asyncio.get_running_loop().create_task(self._seed(store, last_trade_id))

    async def ready(self) -> None:
        if self._seeded is not None and not self._seeded.done():
            await asyncio.shield(self._seeded)

    async def _seed(self, store, last_trade_id: int) -> None:
        after = max(0, last_trade_id - SEED_TRADES_MAX)
        while True:
            page = await store.read_trades(after_trade_id=after, limit=SEED_PAGE_TRADES)
            for trade in page:
                self._add(trade)
            if len(page) < SEED_PAGE_TRADES:
                break
            after = page[-1].trade_id
        buffered, self._buffer = self._buffer, None
        for trade in sorted(buffered, key=lambda t: t.trade_id):
            self._add(trade)

    def on_batch(self, outcomes) -> None:
        """Runtime subscriber: the outcomes of one committed batch, in sequence order."""
        for outcome in outcomes:
            for trade in outcome.trades:
                if self._buffer is None:
                    self._add(trade)
                else:
                    self._buffer.append(trade)

    def _add(self, trade: TradeRecord) -> None:
        if trade.trade_id <= self.last_trade_id:
            return  # Read by the seed and published too: count it once.
        self.last_trade_id = trade.trade_id
        data = self.by_instrument.get(trade.instrument_id)
        if data is None:
            data = self.by_instrument[trade.instrument_id] = InstrumentData()
        data.add(trade)

    # Queries: newest last.

    def recent_trades(self, instrument_id: int, limit: int) -> list[TradeRecord]:
        data = self.by_instrument.get(instrument_id)
        return [] if data is None else list(data.trades)[-limit:]

    def candles(self, instrument_id: int, interval: str, limit: int) -> list[Candle]:
        data = self.by_instrument.get(instrument_id)
        return [] if data is None else list(data.candles[interval])[-limit:]

    def ticker(self, instrument_id: int) -> Ticker:
        """Sum of the 1-minute candles opened in the last 24 h; O(1,440)."""
        data = self.by_instrument.get(instrument_id)
        if data is None:
            return Ticker(None)
        ticker = Ticker(data.trades[-1].price_ticks if data.trades else None)
        since_ms = self.clock_ns() // 1_000_000 - MS_PER_DAY
        for candle in data.candles["1m"]:
            if candle.open_ms + MS_PER_MINUTE <= since_ms:
                continue
            if ticker.open_ticks is None:
                ticker.open_ticks, ticker.high_ticks, ticker.low_ticks = (candle.open_ticks, candle.high_ticks,
                                                                          candle.low_ticks)
            ticker.high_ticks = max(ticker.high_ticks, candle.high_ticks)
            ticker.low_ticks = min(ticker.low_ticks, candle.low_ticks)
            ticker.volume_lots += candle.volume_lots
            ticker.tick_lots += candle.tick_lots
            ticker.trades += candle.trades
        return ticker
