"""The private `account` stream: login, and one message per command that touched the account.

Login is signed like a native GET of /v1/ws (docs/streams.md): the same key
lookup, constant-time signature compare, receive window, replay memory and
rate limit as every signed REST request (api/auth). Only a customer key with
READ_OWN may log in.

Each committed command that changed something of an account yields ONE
message for it, carrying that command's order rows, fills and post-command
balances, in journal order; the command's `sequence` lets a client check the
order. Nothing of another account ever goes into a message: rows are picked
by `account_id`, fills by maker or taker account, balances by customer.
"""
from api.auth.results import AuthError, Authenticated
from api.routes.orders import fill_json, order_json
from api.streams.protocol import ACCOUNT_STREAM, LOGIN_PATH, Login
from api.streams.public import encode
from api.symbols import format_units
from exchange.access import OwnerKind, Permission


def login(authenticator, request: Login) -> Authenticated | AuthError | None:
    """The caller's identity, an AuthError, or None for a key that is not a customer's."""
    headers = {"X-KK-APIKEY": request.api_key, "X-KK-TIMESTAMP": str(request.timestamp_ms),
               "X-KK-SIGNATURE": request.signature}
    result = authenticator.native("GET", LOGIN_PATH, "", b"", headers, Permission.READ_OWN)
    if isinstance(result, Authenticated) and result.owner_kind != OwnerKind.CUSTOMER:
        return None
    return result


def touched_accounts(outcome) -> set[int]:
    """Every customer whose orders, fills or balances this command changed."""
    accounts = {order.account_id for order in outcome.orders}
    for trade in outcome.trades:
        accounts.add(trade.maker_account_id)
        accounts.add(trade.taker_account_id)
    accounts.update(balance[0] for balance in outcome.balances)
    return accounts


def account_message(venue, outcome, customer_id: int, published_ns: int) -> str:
    """What `outcome` changed for `customer_id` only."""
    balances = [{"asset": asset, "available": format_units(venue, asset, available),
                 "held": format_units(venue, asset, held), "available_units": available, "held_units": held}
                for customer, asset, available, held in outcome.balances if customer == customer_id]
    fills = [fill_json(venue, trade, customer_id) for trade in outcome.trades
             if customer_id in (trade.maker_account_id, trade.taker_account_id)]
    orders = [order_json(venue, order) for order in outcome.orders if order.account_id == customer_id]
    return encode({"type": "account", "stream": ACCOUNT_STREAM, "sequence": outcome.journal.sequence,
                   "timestamp_ms": outcome.journal.timestamp_ns // 1_000_000, "published_ns": published_ns,
                   "orders": orders, "fills": fills, "balances": balances})
