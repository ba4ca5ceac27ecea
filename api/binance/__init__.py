"""A Binance-spot-compatible API under the real Binance paths (/api/v3/..., /ws, /stream), so that
clients such as ccxt's `binance` class (and ccxt.pro for market streams) work unmodified with only
their API URLs pointed here.

Modules: `errors` (the one table from our refusal codes to Binance codes, and the route class
that renders every refusal as {"code": -NNNN, "msg"}), `params` (query/form parameters),
`shapes` (Binance JSON shapes of markets, orders and trades), `history` (order and trade
history reads), the REST routers `market`, `trading`, `account` and `discovery`, and the
WebSocket streams (`streams`: fan-out, `websocket`: routes). See docs/binance.md for what is
supported and what is answered empty.
"""
