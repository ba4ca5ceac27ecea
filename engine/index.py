"""Lookups over every open order (resting or parked stop), across instruments.

`orders` (by order id) and `by_client_id` (by account and client order id)
hold exactly the open orders: an order is in them from acceptance until its
OrderDone. `by_account` is kept lazily, because it is touched on the hot path
only when an order is added: an order that is done stays in its account's
dict until that account's next compaction, and readers keep only the entries
that are still in `orders` (`AccountOrders.live`). Compaction runs when an
account's dict doubles past its live size, so memory stays within about
twice the open orders and the work is amortised O(1) per order.
"""
from engine.book import RestingOrder

ACCOUNT_COMPACT_MIN = 64  # Entries an account may hold before its first compaction.


class AccountOrders:
    """One account's orders by id, possibly with done ones not yet swept out."""

    __slots__ = ("orders", "compact_at")

    def __init__(self):
        self.orders: dict[int, RestingOrder] = {}
        self.compact_at = ACCOUNT_COMPACT_MIN

    def live(self, open_orders: dict[int, RestingOrder]) -> list[RestingOrder]:
        """The account's open orders, in order id order; O(entries)."""
        return sorted((order for order_id, order in self.orders.items() if open_orders.get(order_id) is order),
                      key=lambda order: order.order_id)

    def compact(self, open_orders: dict[int, RestingOrder]) -> None:
        """Sweep out done orders; O(entries), at most once per doubling."""
        self.orders = {order_id: order for order_id, order in self.orders.items()
                       if open_orders.get(order_id) is order}
        self.compact_at = max(ACCOUNT_COMPACT_MIN, 2 * len(self.orders))


class OrderIndex:
    __slots__ = ("orders", "by_client_id", "by_account")

    def __init__(self):
        self.orders: dict[int, RestingOrder] = {}
        self.by_client_id: dict[tuple[int, str], RestingOrder] = {}
        self.by_account: dict[int, AccountOrders] = {}

    def add(self, order: RestingOrder) -> None:
        """Register an open order; amortised O(1)."""
        self.orders[order.order_id] = order
        if order.client_order_id is not None:
            self.by_client_id[(order.account_id, order.client_order_id)] = order
        account = self.by_account.get(order.account_id)
        if account is None:
            account = self.by_account[order.account_id] = AccountOrders()
        account.orders[order.order_id] = order
        if len(account.orders) > account.compact_at:
            account.compact(self.orders)

    def discard(self, order: RestingOrder) -> None:
        """Forget an order that left the book for good; O(1)."""
        del self.orders[order.order_id]
        if order.client_order_id is not None:
            del self.by_client_id[(order.account_id, order.client_order_id)]

    def replace(self, order: RestingOrder) -> None:
        """Point every lookup at a new object for the same open order (amend re-queue); O(1)."""
        self.orders[order.order_id] = order
        if order.client_order_id is not None:
            self.by_client_id[(order.account_id, order.client_order_id)] = order
        self.by_account[order.account_id].orders[order.order_id] = order

    def of_account(self, account_id: int) -> list[RestingOrder]:
        """An account's open orders in order id order; O(its entries)."""
        account = self.by_account.get(account_id)
        return [] if account is None else account.live(self.orders)
