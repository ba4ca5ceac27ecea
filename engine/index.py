"""Lookups over every open order (resting or parked stop), across instruments.

Three dicts kept in step: by order id, by (account, client order id), and by
account (insertion ordered, so an account's orders list in acceptance order).
An order is in all of them from acceptance until its OrderDone. (Keeping the
per-account dicts lazily, cleaned on growth, was measured: fewer instructions
but more cache misses, because done orders stay alive; not worth it.)
"""
from engine.book import RestingOrder


class OrderIndex:
    __slots__ = ("orders", "by_client_id", "by_account")

    def __init__(self):
        self.orders: dict[int, RestingOrder] = {}
        self.by_client_id: dict[tuple[int, str], RestingOrder] = {}
        self.by_account: dict[int, dict[int, RestingOrder]] = {}

    def add(self, order: RestingOrder) -> None:
        """Register an open order; O(1)."""
        self.orders[order.order_id] = order
        if order.client_order_id is not None:
            self.by_client_id[(order.account_id, order.client_order_id)] = order
        account_orders = self.by_account.get(order.account_id)
        if account_orders is None:
            self.by_account[order.account_id] = {order.order_id: order}
        else:
            account_orders[order.order_id] = order

    def discard(self, order: RestingOrder) -> None:
        """Forget an order that left the book for good; O(1)."""
        del self.orders[order.order_id]
        if order.client_order_id is not None:
            del self.by_client_id[(order.account_id, order.client_order_id)]
        account_orders = self.by_account[order.account_id]
        del account_orders[order.order_id]
        if not account_orders:
            del self.by_account[order.account_id]

    def replace(self, order: RestingOrder) -> None:
        """Point every lookup at a new object for the same open order (amend re-queue); O(1)."""
        self.orders[order.order_id] = order
        if order.client_order_id is not None:
            self.by_client_id[(order.account_id, order.client_order_id)] = order
        self.by_account[order.account_id][order.order_id] = order

    def of_account(self, account_id: int) -> list[RestingOrder]:
        """An account's open orders in order id order; O(its open orders)."""
        orders = self.by_account.get(account_id, {})
        return [orders[order_id] for order_id in sorted(orders)]
