"""A tiny blotter for rule tests: trades, order rows and transfers as the committed stream carries them."""
from exchange.store.base import OrderRecord, TradeRecord
from exchange.surveillance.observations import Transfer

SECOND = 1_000_000_000
T0 = 1_764_000_000 * SECOND  # 2025-11-24, a fixed clock: rules are pure.


class Directory:
    """What the detector asks of the venue, as plain dicts."""

    def __init__(self, reference_ticks: int = 1_000) -> None:
        self.keys: dict[int, tuple[str, ...]] = {}
        self.reference_ticks = reference_ticks
        self.daily_limits: dict[int, int] = {}

    def identity_keys(self, account_id: int) -> tuple[str, ...]:
        return self.keys.get(account_id, ())

    def reference_price_ticks(self, instrument_id: int) -> int | None:
        return self.reference_ticks

    def value_tmt_units(self, asset: str, amount_units: int) -> int:
        return amount_units  # 1 unit = 1 tiyin keeps the tests readable.

    def daily_limit_tmt_units(self, account_id: int, kind: str) -> int | None:
        return self.daily_limits.get(account_id)


class Blotter:
    def __init__(self) -> None:
        self.trade_id = 0
        self.sequence = 0

    def trade(self, buyer: int, seller: int, price_ticks: int = 1_000, quantity_lots: int = 1,
              at_ns: int = T0, instrument_id: int = 1, buyer_is_taker: bool = True) -> TradeRecord:
        self.trade_id += 1
        self.sequence += 1
        taker, maker = (buyer, seller) if buyer_is_taker else (seller, buyer)
        return TradeRecord(trade_id=self.trade_id, sequence=self.sequence, timestamp_ns=at_ns,
                           instrument_id=instrument_id, price_ticks=price_ticks, quantity_lots=quantity_lots,
                           taker_side="BUY" if buyer_is_taker else "SELL", maker_order_id=self.sequence * 10,
                           taker_order_id=self.sequence * 10 + 1, maker_account_id=maker, taker_account_id=taker,
                           maker_fee_units=0, taker_fee_units=0)

    def order(self, account_id: int, order_id: int, quantity_lots: int, price_ticks: int = 1_000,
              placed_ns: int = T0, status: str = "NEW", updated_ns: int | None = None, filled_lots: int = 0,
              instrument_id: int = 1) -> OrderRecord:
        self.sequence += 1
        placed = updated_ns is None
        return OrderRecord(order_id=order_id, account_id=account_id, instrument_id=instrument_id,
                           client_order_id=None, side="BUY", order_type="LIMIT", time_in_force="GTC",
                           price_ticks=price_ticks, stop_price_ticks=None, quantity_lots=quantity_lots,
                           filled_lots=filled_lots, status=status,
                           created_sequence=order_id, updated_sequence=order_id if placed else self.sequence + order_id,
                           created_ns=placed_ns, updated_ns=placed_ns if placed else updated_ns)

    def transfer(self, account_id: int, value: int, at_ns: int = T0, kind: str = "deposit") -> Transfer:
        self.sequence += 1
        return Transfer(kind=kind, account_id=account_id, asset="TMTX", amount_units=value,
                        transfer_id=f"d:tx{self.sequence}", sequence=self.sequence, timestamp_ns=at_ns)
