"""Every RejectCode has a scenario that produces it, and a refused command changes nothing."""
import msgspec
import pytest

from engine.commands import (AmendOrder, CancelOrder, DefineInstrument, MarketState, OrderType, PlaceOrder,
                             SetMarketState, Side, TimeInForce)
from engine.events import OrderRejected
from engine.instrument import InstrumentValueError
from engine.reject import RejectCode
from engine_blotter import BTC_USDT

STRICT = msgspec.structs.replace(BTC_USDT, instrument_id=2, symbol="ETH/USDT", base="ETH",
                                 min_quantity_lots=5, min_notional_tick_lots=10**6)


def place(blotter, **fields):
    command = dict(order_id=blotter.sequence + 1, account_id=1, instrument_id=1, side=Side.BUY,
                   order_type=OrderType.LIMIT, price_ticks=10_000, quantity_lots=1)
    command.update(fields)
    return blotter.apply(PlaceOrder(**command))


def state(blotter, market_state):
    blotter.apply(SetMarketState(instrument_id=1, market_state=market_state))


def list_strict(blotter):
    blotter.apply(DefineInstrument(instrument=STRICT, reference_price_ticks=10_000))


def conversion(text, convert):
    try:
        convert(text)
    except InstrumentValueError as error:
        return error.code
    raise AssertionError(f"{text!r} converted")


SCENARIOS = {
    RejectCode.QUANTITY_MUST_BE_POSITIVE: lambda b: place(b, quantity_lots=0),
    RejectCode.PRICE_MUST_BE_POSITIVE: lambda b: place(b, price_ticks=0),
    RejectCode.PRICE_NOT_ON_TICK: lambda b: conversion("1.001", BTC_USDT.price_ticks),
    RejectCode.QUANTITY_NOT_ON_LOT: lambda b: conversion("0.00001", BTC_USDT.quantity_lots),
    RejectCode.DECIMAL_MALFORMED: lambda b: conversion("1e5", BTC_USDT.price_ticks),
    RejectCode.PRICE_REQUIRED: lambda b: place(b, price_ticks=None),
    RejectCode.PRICE_NOT_ALLOWED: lambda b: place(b, order_type=OrderType.MARKET, time_in_force=TimeInForce.IOC),
    RejectCode.STOP_PRICE_REQUIRED: lambda b: place(b, order_type=OrderType.STOP_LIMIT),
    RejectCode.STOP_PRICE_NOT_ALLOWED: lambda b: place(b, stop_price_ticks=10_100),
    RejectCode.TIME_IN_FORCE_NOT_ALLOWED: lambda b: place(b, order_type=OrderType.MARKET, price_ticks=None),
    RejectCode.POST_ONLY_REQUIRES_LIMIT_GTC: lambda b: place(b, post_only=True, time_in_force=TimeInForce.IOC),
    RejectCode.CLIENT_ORDER_ID_INVALID: lambda b: place(b, client_order_id="has space"),
    RejectCode.ORDER_REFERENCE_REQUIRED: lambda b: b.apply(CancelOrder(account_id=1, instrument_id=1)),
    RejectCode.AMEND_NOTHING_TO_CHANGE: lambda b: (place(b), b.apply(AmendOrder(
        account_id=1, instrument_id=1, order_id=b.sequence)))[-1],
    RejectCode.INSTRUMENT_INVALID: lambda b: b.apply(DefineInstrument(
        instrument=msgspec.structs.replace(STRICT, tick_size="0"), reference_price_ticks=10_000)),
    RejectCode.QUANTITY_BELOW_MINIMUM: lambda b: (list_strict(b), place(b, instrument_id=2, quantity_lots=4))[-1],
    RejectCode.QUANTITY_ABOVE_MAXIMUM: lambda b: place(b, quantity_lots=1_000_001),
    RejectCode.NOTIONAL_BELOW_MINIMUM: lambda b: (list_strict(b), place(b, instrument_id=2, quantity_lots=99))[-1],
    RejectCode.ORDER_NOT_FOUND: lambda b: b.apply(CancelOrder(account_id=1, instrument_id=1, order_id=99)),
    RejectCode.ORDER_ID_IN_USE: lambda b: (place(b), place(b, order_id=b.sequence))[-1],
    RejectCode.CLIENT_ORDER_ID_IN_USE: lambda b: (place(b, client_order_id="x"), place(b, client_order_id="x"))[-1],
    RejectCode.POST_ONLY_WOULD_CROSS: lambda b: (place(b, side=Side.SELL, account_id=2),
                                                 place(b, post_only=True))[-1],
    RejectCode.STOP_WOULD_TRIGGER_IMMEDIATELY: lambda b: place(b, order_type=OrderType.STOP_LIMIT,
                                                               stop_price_ticks=9_999),
    RejectCode.AMEND_WOULD_CROSS: lambda b: (place(b, side=Side.SELL, price_ticks=10_005, account_id=2), place(b),
                                             b.apply(AmendOrder(account_id=1, instrument_id=1, order_id=b.sequence,
                                                                new_price_ticks=10_005)))[-1],
    RejectCode.AMEND_NOT_ALLOWED_FOR_STOP: lambda b: (
        place(b, order_type=OrderType.STOP_LIMIT, stop_price_ticks=10_100, price_ticks=10_100),
        b.apply(AmendOrder(account_id=1, instrument_id=1, order_id=b.sequence, new_quantity_lots=2)))[-1],
    RejectCode.PRICE_OUT_OF_BAND: lambda b: place(b, price_ticks=11_001),
    RejectCode.INSTRUMENT_UNKNOWN: lambda b: place(b, instrument_id=9),
    RejectCode.INSTRUMENT_ID_IN_USE: lambda b: b.apply(DefineInstrument(instrument=BTC_USDT,
                                                                        reference_price_ticks=1)),
    RejectCode.MARKET_HALTED: lambda b: (state(b, MarketState.HALTED), place(b))[-1],
    RejectCode.MARKET_CANCEL_ONLY: lambda b: (state(b, MarketState.CANCEL_ONLY), place(b))[-1],
    RejectCode.MARKET_POST_ONLY: lambda b: (state(b, MarketState.POST_ONLY),
                                            place(b, time_in_force=TimeInForce.IOC))[-1],
    RejectCode.MARKET_AUCTION_LIMIT_ONLY: lambda b: (state(b, MarketState.AUCTION),
                                                     place(b, time_in_force=TimeInForce.IOC))[-1],
}


def test_every_code_has_a_scenario():
    assert set(SCENARIOS) == set(RejectCode)


def test_codes_are_stable_wire_numbers():
    assert RejectCode.QUANTITY_MUST_BE_POSITIVE == 1001
    assert RejectCode.ORDER_NOT_FOUND == 3001
    assert RejectCode.INSTRUMENT_UNKNOWN == 4001
    assert len({code.value for code in RejectCode}) == len(RejectCode)


@pytest.mark.parametrize("code", list(SCENARIOS), ids=lambda code: code.name)
def test_scenario_yields_its_code_alone_and_changes_nothing(blotter, code):
    outcome = SCENARIOS[code](blotter)
    if isinstance(outcome, RejectCode):
        assert outcome is code
        return
    assert len(outcome) == 1 and isinstance(outcome[0], OrderRejected)
    assert outcome[0].code is code
    assert blotter.engine.state_hash() == blotter.hash_before
