"""Binance-format market streams: diff depth and trades, as ccxt.pro and Binance WebSocket clients expect.

Paths as on Binance: `/ws` (raw events), `/ws/<stream>/<stream>...` (streams named in the path;
a segment without "@", such as ccxt's connection index "0", is ignored) and
`/stream?streams=a/b` (every event wrapped as {"stream", "data"}). Requests are Binance's:
{"method": "SUBSCRIBE" | "UNSUBSCRIBE" | "LIST_SUBSCRIPTIONS", "params": [...], "id": ...}
answered {"result": null | [...], "id": ...} or {"error": {"code", "msg"}, "id": ...}.

Streams: `<symbol>@depth` (also spelled `@depth@100ms` / `@depth@1000ms`: every committed batch
that changes the book gives one event) and `<symbol>@trade`. Depth events carry
`U` = previous book sequence + 1 and `u` = this batch's last book sequence, the same counter
as REST `lastUpdateId`, so `U == previous u + 1` always holds and a client rebuilds the book
from a REST snapshot plus the events after it (Binance's documented procedure). Quantities
are absolute; "0" removes a level.

The routes are in api/binance/websocket.py. Built on the native streams' parts: `MirrorBooks` (committed books, changed only by published
batches) and `Connection` (a bounded outbox; a client that falls behind is dropped and closed
with 4008 "slow consumer, resubscribe"). Each event is encoded once per batch, whatever the
number of subscribers, in the commit path; a delivery task then appends it to the outboxes.
Every subscription change first delivers what was built, so a stream starts and stops exactly
between two batches.
"""
import time

import msgspec

from api.binance.shapes import binance_symbol
from api.errors import ApiError
from api.streams.connection import Connection
from api.streams.following import CommitFollower
from api.streams.protocol import STREAMS_PER_CONNECTION_MAX
from api.symbols import instrument_by_symbol

DEPTH_NAMES = ("depth", "depth@100ms", "depth@1000ms")
# Binance's WebSocket error codes.
INVALID_VALUE = 1
INVALID_REQUEST = 2
INVALID_JSON = 3


class StreamRefused(Exception):
    def __init__(self, code: int, msg: str) -> None:
        super().__init__(msg)
        self.code = code
        self.msg = msg


class BinanceStreams(CommitFollower):
    """Who listens to which (kind, instrument) stream, and the fan-out of each committed batch."""

    def __init__(self, runtime, clock_ns=time.time_ns) -> None:
        super().__init__(runtime, clock_ns)
        self.routes: dict[tuple[str, int], set[Connection]] = {}
        self.wrapped: set[Connection] = set()  # Connections on /stream: events wrapped with their stream name.

    def resolve(self, name: str) -> tuple[str, int]:
        symbol, _, kind = name.partition("@")
        if kind not in DEPTH_NAMES and kind != "trade":
            raise StreamRefused(INVALID_VALUE, f"Invalid value: unknown stream {name!r}; streams are "
                                "<symbol>@depth, <symbol>@depth@100ms, <symbol>@trade")
        try:
            instrument = instrument_by_symbol(self.runtime.venue, symbol)
        except ApiError:
            raise StreamRefused(INVALID_VALUE, f"Invalid value: no market {symbol!r}") from None
        return ("depth" if kind in DEPTH_NAMES else "trade"), instrument.instrument_id

    def subscribe(self, connection: Connection, names: list[str]) -> None:
        """All or nothing: every name is checked first. Flushes first: the stream starts at a batch boundary."""
        self.flush()
        keys = {self.resolve(name): name for name in names}
        if len(connection.streams) + sum(k not in connection.streams for k in keys) > STREAMS_PER_CONNECTION_MAX:
            raise StreamRefused(INVALID_REQUEST, f"at most {STREAMS_PER_CONNECTION_MAX} streams per connection")
        for key, name in keys.items():
            connection.streams[key] = name
            self.routes.setdefault(key, set()).add(connection)

    def unsubscribe(self, connection: Connection, names: list[str]) -> None:
        self.flush()  # Nothing of these streams arrives after the answer.
        for key in {self.resolve(name) for name in names}:
            connection.streams.pop(key, None)
            listeners = self.routes.get(key)
            if listeners is not None:
                listeners.discard(connection)
                if not listeners:
                    del self.routes[key]

    def disconnect(self, connection: Connection) -> None:
        self.unsubscribe(connection, list(connection.streams.values()))
        self.connections.discard(connection)
        self.wrapped.discard(connection)

    def on_batch(self, outcomes) -> None:
        """Runtime subscriber, after each commit; never waits. O(changes): each event is encoded once."""
        changes = self.books.apply(outcomes)
        if not self.routes:
            return
        event_ms = self.clock_ns() // 1_000_000
        engine = self.runtime.venue.engine
        for instrument_id, change in changes.items():
            key = ("depth", instrument_id)
            listeners = self.routes.get(key)
            if listeners:
                self._send(listeners, key, _depth_event(engine.instrument(instrument_id), change, event_ms))
        for outcome in outcomes:
            for trade in outcome.trades:
                key = ("trade", trade.instrument_id)
                listeners = self.routes.get(key)
                if listeners:
                    self._send(listeners, key, _trade_event(engine.instrument(trade.instrument_id), trade, event_ms))

    def _send(self, listeners: set[Connection], key: tuple[str, int], event: dict) -> None:
        self._deliveries.append((listeners, key, msgspec.json.encode(event).decode()))
        self._delivery_due.set()

    def flush(self) -> None:
        """Append every built event to its listeners' outboxes; O(events x listeners), never waits."""
        deliveries = self._deliveries
        while deliveries:
            listeners, key, raw = deliveries.popleft()
            wrapped: dict[str, str] = {}  # One wrapped message per spelling of the stream name.
            for connection in listeners:
                if connection not in self.wrapped:
                    connection.send(raw)
                    continue
                name = connection.streams[key]
                message = wrapped.get(name)
                if message is None:
                    message = wrapped[name] = f'{{"stream":{msgspec.json.encode(name).decode()},"data":{raw}}}'
                connection.send(message)


def _depth_event(instrument, change, event_ms: int) -> dict:
    bids = sorted(((p, q) for (side, p), q in change.levels.items() if side == "BUY"), reverse=True)
    asks = sorted((p, q) for (side, p), q in change.levels.items() if side == "SELL")
    return {"e": "depthUpdate", "E": event_ms, "s": binance_symbol(instrument),
            "U": change.previous_sequence + 1, "u": change.last_sequence,
            "b": [[instrument.format_price(p), instrument.format_quantity(q)] for p, q in bids],
            "a": [[instrument.format_price(p), instrument.format_quantity(q)] for p, q in asks]}


def _trade_event(instrument, trade, event_ms: int) -> dict:
    return {"e": "trade", "E": event_ms, "s": binance_symbol(instrument), "t": trade.trade_id,
            "p": instrument.format_price(trade.price_ticks), "q": instrument.format_quantity(trade.quantity_lots),
            "T": trade.timestamp_ns // 1_000_000, "m": trade.taker_side == "SELL", "M": True}
