"""Cancel by order id, by client order id, and cancel-all per account and per market."""
from engine.commands import CancelAll, CancelOrder, DefineInstrument
from engine.events import OrderCancelled
from engine.reject import RejectCode
from engine_blotter import BTC_USDT
import msgspec


def cancelled(events):
    return [e.order_id for e in events if isinstance(e, OrderCancelled)]


def test_cancel_by_client_order_id_frees_the_id_for_reuse(blotter):
    blotter.buy(9_000, 1, client_order_id="alpha")
    events = blotter.apply(CancelOrder(account_id=1, instrument_id=1, client_order_id="alpha"))
    assert cancelled(events) == [2]
    assert blotter.engine.order_by_client_id(1, "alpha") is None
    assert blotter.buy(9_000, 1, client_order_id="alpha")[0].order_id == 4


def test_client_order_ids_are_per_account(blotter):
    blotter.buy(9_000, 1, client_order_id="alpha")
    assert blotter.buy(9_000, 1, account_id=2, client_order_id="alpha")[0].order_id == 3


def test_cancel_needs_exactly_one_reference(blotter):
    blotter.buy(9_000, 1, client_order_id="alpha")
    both = CancelOrder(account_id=1, instrument_id=1, order_id=2, client_order_id="alpha")
    assert blotter.apply(both)[0].code is RejectCode.ORDER_REFERENCE_REQUIRED


def test_cannot_cancel_someone_elses_order(blotter):
    blotter.buy(9_000, 1)
    assert blotter.apply(CancelOrder(account_id=2, instrument_id=1, order_id=2))[0].code is \
        RejectCode.ORDER_NOT_FOUND


def test_cancel_all_per_account_and_per_market(blotter):
    other = msgspec.structs.replace(BTC_USDT, instrument_id=2, symbol="ETH/USDT", base="ETH")
    blotter.apply(DefineInstrument(instrument=other, reference_price_ticks=10_000))   # sequence 2
    blotter.buy(9_000, 1)                                                            # order 3
    blotter.buy(9_000, 1, account_id=2)                                              # order 4
    blotter.buy(9_000, 1, instrument_id=2)                                           # order 5
    blotter.buy(9_000, 1, account_id=2, instrument_id=2)                             # order 6
    assert cancelled(blotter.apply(CancelAll(account_id=1, instrument_id=1))) == [3]
    assert cancelled(blotter.apply(CancelAll(instrument_id=2))) == [5, 6]
    assert [view.order_id for view in blotter.engine.open_orders(2)] == [4]
    assert cancelled(blotter.apply(CancelAll())) == [4]
    assert blotter.apply(CancelAll()) == []
