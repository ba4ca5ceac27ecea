"""The hub: who listens to what, and the fan-out of each committed batch.

`on_batch` is a `runtime.subscribers` callback: it runs right after a batch
commits, in sequence order, and must never wait. It updates the mirror books
(trades, candles and tickers come from the shared api/marketdata.py), builds each stream's message
ONCE (one msgspec encode per stream per batch, whatever the number of
clients) and appends the same string to every subscriber's bounded outbox.
Cost per batch: O(changes + messages x subscribers), no socket I/O.

Subscribing is synchronous between two batches, so a snapshot or first
ticker sent on subscribe is followed by exactly the updates after it.
"""
import time

from api.marketdata import INTERVAL_MS, market_data_of
from api.streams.books import MirrorBooks
from api.streams.connection import Connection
from api.streams.private import account_message, touched_accounts
from api.streams.protocol import SNAPSHOT_LEVELS_MAX
from api.streams.public import book_diff, book_snapshot, candle_message, ticker_message, trades_message
from api.symbols import url_symbol

SEED_LEVELS_MAX = 1 << 62  # Seeding copies every level; snapshots are cut at SNAPSHOT_LEVELS_MAX.


def stream_name(kind: str, instrument, interval: str | None = None) -> str:
    """The canonical name messages carry, whatever spelling the client subscribed with."""
    name = f"{kind}.{url_symbol(instrument)}"
    return name if interval is None else f"{name}.{interval}"


class Hub:
    def __init__(self, runtime, clock_ns=time.time_ns) -> None:
        self.runtime = runtime
        self.clock_ns = clock_ns
        # Subscribed before the hub (on first use), so tickers and candles already include each batch.
        self.market_data = market_data_of(runtime)
        self.books = MirrorBooks()
        self.routes: dict[tuple, set[Connection]] = {}  # (kind, instrument_id, interval) -> subscribers
        self.accounts: dict[int, set[Connection]] = {}  # customer_id -> logged-in `account` subscribers
        self.connections: set[Connection] = set()
        self.messages_queued = 0

    def start(self) -> None:
        """Seed from the venue while nothing is in flight, then follow the commits."""
        sequencer = self.runtime.sequencer
        if sequencer.committed_sequence != sequencer.sequence:
            raise RuntimeError("streams must start while every applied command is committed")
        self.books.seed(self.runtime.venue.engine, SEED_LEVELS_MAX)
        self.runtime.subscribers.append(self.on_batch)

    # Subscriptions (called by the route between batches).

    def add(self, connection: Connection, key: tuple, stream: str) -> None:
        connection.streams[key] = stream
        self.routes.setdefault(key, set()).add(connection)

    def remove(self, connection: Connection, key: tuple) -> None:
        connection.streams.pop(key, None)
        subscribers = self.routes.get(key)
        if subscribers is not None:
            subscribers.discard(connection)
            if not subscribers:
                del self.routes[key]
        if key[0] == "account" and connection.customer_id is not None:
            self._remove_account(connection)

    def add_account(self, connection: Connection, key: tuple, stream: str) -> None:
        connection.streams[key] = stream
        self.accounts.setdefault(connection.customer_id, set()).add(connection)

    def _remove_account(self, connection: Connection) -> None:
        listeners = self.accounts.get(connection.customer_id)
        if listeners is not None:
            listeners.discard(connection)
            if not listeners:
                del self.accounts[connection.customer_id]

    def disconnect(self, connection: Connection) -> None:
        for key in list(connection.streams):
            self.remove(connection, key)
        self.connections.discard(connection)

    def first_message(self, key: tuple, instrument, stream: str, request_id) -> str | None:
        """What a new subscriber gets first: the book snapshot, the current ticker or candle."""
        kind, instrument_id, interval = key
        venue = self.runtime.venue
        if kind == "book":
            return book_snapshot(instrument, stream, self.books.book(instrument_id), SNAPSHOT_LEVELS_MAX,
                                 request_id)
        if kind == "ticker":
            return ticker_message(venue, instrument, stream, self.market_data.ticker(instrument_id), None)
        if kind == "candles":
            candles = self.market_data.candles(instrument_id, interval, 1)
            return candle_message(venue, instrument, stream, interval, candles[0], None) if candles else None
        return None

    # Fan-out (the runtime subscriber).

    def on_batch(self, outcomes) -> None:
        published_ns = self.clock_ns()
        changes = self.books.apply(outcomes)
        venue = self.runtime.venue
        routes = self.routes
        for instrument_id, change in changes.items():
            subscribers = routes.get(("book", instrument_id, None))
            if subscribers:
                instrument = venue.engine.instrument(instrument_id)
                message = book_diff(instrument, stream_name("book", instrument), change, published_ns)
                self._send(subscribers, message)
        if routes:
            self._publish_trades(venue, outcomes, published_ns)
        if self.accounts:
            self._publish_accounts(venue, outcomes, published_ns)

    def _publish_trades(self, venue, outcomes, published_ns: int) -> None:
        by_instrument: dict[int, list] = {}
        for outcome in outcomes:
            for trade in outcome.trades:
                by_instrument.setdefault(trade.instrument_id, []).append(trade)
        for instrument_id, trades in by_instrument.items():
            instrument = venue.engine.instrument(instrument_id)
            subscribers = self.routes.get(("trades", instrument_id, None))
            if subscribers:
                stream = stream_name("trades", instrument)
                self._send(subscribers, trades_message(venue, instrument, stream, trades, published_ns))
            subscribers = self.routes.get(("ticker", instrument_id, None))
            if subscribers:
                stream = stream_name("ticker", instrument)
                ticker = self.market_data.ticker(instrument_id)
                self._send(subscribers, ticker_message(venue, instrument, stream, ticker, published_ns))
            self._publish_candles(venue, instrument, trades[0].timestamp_ns // 1_000_000, published_ns)

    def _publish_candles(self, venue, instrument, first_trade_ms: int, published_ns: int) -> None:
        """Every candle the batch's trades touched: the last of an interval that just closed, then the new one."""
        instrument_id = instrument.instrument_id
        for interval, length_ms in INTERVAL_MS.items():
            subscribers = self.routes.get(("candles", instrument_id, interval))
            if not subscribers:
                continue
            stream = stream_name("candles", instrument, interval)
            for candle in self.market_data.candles(instrument_id, interval, 2):
                if candle.open_ms + length_ms > first_trade_ms:
                    self._send(subscribers, candle_message(venue, instrument, stream, interval, candle, published_ns))

    def _publish_accounts(self, venue, outcomes, published_ns: int) -> None:
        accounts = self.accounts
        for outcome in outcomes:
            for customer_id in touched_accounts(outcome):
                listeners = accounts.get(customer_id)
                if listeners:
                    self._send(listeners, account_message(venue, outcome, customer_id, published_ns))

    def _send(self, subscribers: set[Connection], message: str) -> None:
        for connection in subscribers:
            connection.send(message)
        self.messages_queued += len(subscribers)
