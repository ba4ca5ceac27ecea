"""A Binance-spot-compatible REST subset under the real Binance paths (/api/v3/...), so that
clients such as ccxt's `binance` class work unmodified with only their API URLs pointed here.

Modules: `errors` (the one table from our refusal codes to Binance codes, and the route class
that renders every refusal as {"code": -NNNN, "msg"}), `params` (query/form parameters),
`shapes` (Binance JSON shapes of markets, orders and trades), `history` (order and trade
history reads), and the routers `market`, `trading`, `account` and `discovery`. See
docs/binance.md for what is supported and what is answered empty.
"""
