"""Surveillance rebuilt from the store: hits committed while it was not running are opened once,
a second start opens nothing new, and a full queue (dropped batches) resyncs without a duplicate."""
import asyncio
import logging

from api.auth.crypto import generate_server_key, parse_server_key
from api.runtime import Runtime
from engine.commands import OrderType, Side
from exchange import commands as c
from exchange.compliance import DocumentType, IssueDepositAddress, SubmitIdentity, VerifyCustomer
from exchange.store import open_store
from exchange.surveillance.service import Surveillance
from tests.surveillance.normal_session import INSTRUMENT, MID_TICKS

KEY = parse_server_key(generate_server_key())


async def _runtime(path) -> Runtime:
    runtime = Runtime(await open_store(f"sqlite:///{path}"), KEY)
    await runtime._start()
    return runtime


async def _setup(runtime) -> list[int]:
    for code, decimals in (("BTC", 8), ("USDT", 6)):
        await runtime.submit(c.DefineAsset(actor="admin", code=code, decimals=decimals, tmt_units_per_asset=1))
    await runtime.submit(c.ListMarket(actor="admin", instrument=INSTRUMENT, reference_price_ticks=MID_TICKS,
                                      maker_fee_bps=0, taker_fee_bps=0))
    accounts = []
    for index in range(2):
        opened = await runtime.submit(c.OpenAccount(email=f"r{index}@example.tm", key_id=f"r-{index}",
                                                    secret_ciphertext="x"))
        customer = str(opened.data["customer_id"])
        await runtime.submit(SubmitIdentity(customer_id=customer, full_name=f"Restart {index}",
                                            document_type=DocumentType.PASSPORT, document_number=f"R{index}",
                                            country="TM", date_of_birth="1980-01-01"))
        await runtime.submit(VerifyCustomer(customer_id=customer, actor="officer", reason="checked"))
        for asset in ("BTC", "USDT"):
            address = await runtime.submit(IssueDepositAddress(customer_id=customer, asset=asset))
            await runtime.submit(c.ReportDeposit(actor="custody", asset=asset, amount_units=10**9,
                                                 address=address.data["deposit_address"],
                                                 chain_tx_id=f"r-{customer}-{asset}"))
        accounts.append(int(customer))
    return accounts


async def _round_trips(runtime, a: int, b: int, trips: int) -> None:
    for _ in range(trips):
        for seller, buyer in ((a, b), (b, a)):
            for account, side in ((seller, Side.SELL), (buyer, Side.BUY)):
                await runtime.submit(c.SubmitOrder(account_id=account, instrument_id=1, side=side,
                                                   order_type=OrderType.LIMIT, price_ticks=MID_TICKS,
                                                   quantity_lots=3))


def _surveillance_cases(runtime) -> list:
    return [case for case in runtime.venue.compliance.cases() if case.opened_by == "surveillance"]


async def _started(runtime, **options) -> Surveillance:
    surveillance = Surveillance(runtime, **options)
    surveillance.start()
    assert await surveillance.caught_up()
    return surveillance


async def _scenario(path) -> None:
    runtime = await _runtime(path)
    a, b = await _setup(runtime)
    await _round_trips(runtime, a, b, 3)  # Committed while no surveillance runs (as if it crashed).
    await runtime.close()

    runtime = await _runtime(path)
    surveillance = await _started(runtime)
    cases = _surveillance_cases(runtime)
    assert sorted(case.customer_id for case in cases) == sorted([str(a), str(b)])
    assert all("wash_trading_round_trips" in case.summary for case in cases)
    assert surveillance.cases_opened == 2
    await runtime.close()

    runtime = await _runtime(path)
    surveillance = await _started(runtime)
    assert surveillance.cases_opened == 0
    await _round_trips(runtime, a, b, 2)  # Same pair, same window: the same cases.
    assert await surveillance.caught_up()
    assert len(_surveillance_cases(runtime)) == 2
    await runtime.close()


def test_a_restart_opens_missed_cases_once_and_never_again(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    asyncio.run(_scenario(tmp_path / "exchange.db"))
    assert "surveillance opened a case" in caplog.text
    assert "Restart 0" not in caplog.text and "Restart 1" not in caplog.text  # identity never logged


async def _overflow(path) -> None:
    runtime = await _runtime(path)
    surveillance = await _started(runtime, queue_batches_max=1)
    a, b = await _setup(runtime)
    await _round_trips(runtime, a, b, 4)
    assert await surveillance.caught_up()
    assert surveillance.batches_dropped > 0 and surveillance.resyncs > 1
    assert sorted(case.customer_id for case in _surveillance_cases(runtime)) == sorted([str(a), str(b)])
    await runtime.close()


def test_a_full_queue_drops_batches_then_resyncs_from_the_store_without_a_duplicate(tmp_path):
    asyncio.run(_overflow(tmp_path / "exchange.db"))
