"""The hub: who listens to what, and the fan-out of each committed batch.

`on_batch` is a `runtime.subscribers` callback: it runs right after a batch
commits, in sequence order, and must never wait. It updates the mirror books
(trades, candles and tickers come from the shared api/marketdata.py) and
builds each stream's message ONCE (one msgspec encode per stream per batch,
whatever the number of clients): O(changes), independent of the number of
clients. A delivery task then appends the same string to every subscriber's
bounded outbox: O(messages x subscribers), no socket I/O.

Every subscription change first delivers what was built (`flush`), so a
snapshot or first ticker sent on subscribe is followed by exactly the updates
after it, and nothing of a stream arrives after its `unsubscribed`.
"""
import time

from api.marketdata import INTERVAL_MS, market_data_of
from api.streams.connection import Connection
from api.streams.following import CommitFollower
from api.streams.private import account_message, touched_accounts
from api.streams.protocol import ACCOUNT_STREAM, KEY_REVOKED_REASON, SNAPSHOT_LEVELS_MAX, CloseCode
from api.streams.public import book_diff, book_snapshot, candle_message, ticker_message, trades_message
from api.symbols import url_symbol


def stream_name(kind: str, instrument, interval: str | None = None) -> str:
    """The canonical name messages carry, whatever spelling the client subscribed with."""
    name = f"{kind}.{url_symbol(instrument)}"
    return name if interval is None else f"{name}.{interval}"


class Hub(CommitFollower):
    def __init__(self, runtime, clock_ns=time.time_ns) -> None:
        super().__init__(runtime, clock_ns)
        # Subscribed before the hub (on first use), so tickers and candles already include each batch.
        self.market_data = market_data_of(runtime)
        self.routes: dict[tuple, set[Connection]] = {}  # (kind, instrument_id, interval) -> subscribers
        self.accounts: dict[int, set[Connection]] = {}  # customer_id -> logged-in `account` subscribers

    # Subscriptions (called by the route; each flushes first, so it sits exactly between two batches).

    def subscribe(self, connection: Connection, key: tuple, stream: str, instrument, request_id) -> None:
        """Send the stream's first message (book snapshot, ticker, candle), then route its updates here."""
        self.flush()
        first = self._first_message(key, instrument, stream, request_id)
        if first is not None:
            connection.send(first)
        connection.streams[key] = stream
        self.routes.setdefault(key, set()).add(connection)

    def subscribe_account(self, connection: Connection, key: tuple, stream: str) -> None:
        self.flush()
        connection.streams[key] = stream
        listeners = self.accounts.setdefault(connection.customer_id, set())
        if not listeners:
            self.runtime.watch_balances(connection.customer_id, True)
        listeners.add(connection)

    def unsubscribe(self, connection: Connection, key: tuple) -> None:
        self.flush()
        connection.streams.pop(key, None)
        listeners = self.accounts if key[0] == ACCOUNT_STREAM else self.routes
        route = connection.customer_id if key[0] == ACCOUNT_STREAM else key
        subscribers = listeners.get(route)
        if subscribers is not None:
            subscribers.discard(connection)
            if not subscribers:
                del listeners[route]
                if key[0] == ACCOUNT_STREAM:
                    self.runtime.watch_balances(route, False)

    def disconnect(self, connection: Connection) -> None:
        for key in list(connection.streams):
            self.unsubscribe(connection, key)
        self.connections.discard(connection)

    def _first_message(self, key: tuple, instrument, stream: str, request_id) -> str | None:
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

    # Delivery: off the commit path.

    def flush(self) -> None:
        """Append every built message to its subscribers' outboxes; O(messages x subscribers), never waits."""
        deliveries = self._deliveries
        while deliveries:
            subscribers, message = deliveries.popleft()
            for connection in subscribers:
                connection.send(message)

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
        accounts, reported = self.accounts, self.runtime.balances_reported
        for outcome in outcomes:
            for customer_id in touched_accounts(outcome):
                listeners = accounts.get(customer_id)
                # The stream starts with the first command applied after the first login: an earlier
                # one's outcome carries no balances of this customer.
                if listeners and reported(customer_id, outcome.journal.sequence):
                    self._drop_revoked(venue, listeners)
                    self._send(listeners, account_message(venue, outcome, customer_id, published_ns))

    @staticmethod
    def _drop_revoked(venue, listeners: set[Connection]) -> None:
        """A session whose key was revoked gets no more account data. Read live: a revocation still
        in flight only cuts a session early, never lets data through."""
        for connection in listeners:
            key = venue.access.key(connection.key_id)
            if key is None or not key.active:
                connection.drop(CloseCode.KEY_REVOKED, KEY_REVOKED_REASON)

    def _send(self, subscribers: set[Connection], message: str) -> None:
        self._deliveries.append((subscribers, message))
        self._delivery_due.set()
