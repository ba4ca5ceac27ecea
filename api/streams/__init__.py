"""WebSocket market data and private account streams (protocol: docs/streams.md).

One endpoint, `/v1/ws`, many streams per connection. Everything sent was
committed first: the hub is a `runtime.subscribers` callback, called after
each batch's commit, and builds messages only from that batch's `Outcome`s
(never from live venue state, which may already be a batch ahead). Book
snapshots come from mirror books kept from those batches (books.py); the
only live reads are static definitions (instrument grids, asset decimals)
and, to cut a session, whether an API key is still active.

Modules: protocol.py (wire messages, codes, limits), connection.py (one
client's bounded outbox), books.py (the committed books, mirrored from the
batches), public.py / private.py (messages built once per batch), hub.py
(routing and fan-out), route.py (the FastAPI endpoint, `build(runtime)`).
"""
