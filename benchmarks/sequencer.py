"""Full sequencer throughput: the shared order flow through compliance, holds, engine, settlement, group commit.

    python benchmarks/sequencer.py [--ops 100000] [--accounts 1000] [--in-flight 512] [--stores memory,sqlite,postgres]
        [--cpus SERVER,WRITER] [--watch-balances] [--plot PNG]

The shared flow (../shared/bench/flow.py, seed 42) becomes commands from
`--accounts` verified, pre-funded customers (an order's account is its flow id
modulo the account count; cancels name the order by client order id). Each
store runs the same commands in the same process: `memory` (no store: the
upper bound), `sqlite` (WAL, synchronous=FULL, a temp file), `postgres`
(127.0.0.1:5432, a fresh schema). `--in-flight` commands are kept unanswered
(a window of futures: each answer sends the next command) so batches form as
they would under load; latency is from enqueue() to the durable answer. The
loop is uvloop when it is installed, as under `karakum serve` (uvicorn picks
it), and the store's writer process uses it too. `--cpus 0,1` pins this
process and the store's writer process to one CPU each, as `karakum serve
--cpus` does (off by default there and here). Outcomes carry no balances, as
under `karakum serve` while no one listens to an account stream;
`--watch-balances` measures every customer listening.
Prints a table, saves benchmarks/plots/sequencer-latency.png, and ends with
one JSON line.
"""
import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
import uuid
from collections import deque
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED_BENCH = Path(os.environ.get("KARAKUM_SHARED_BENCH", ROOT.parent / "shared" / "bench"))
sys.path.insert(0, str(SHARED_BENCH))

from engine.commands import CancelOrder, OrderType, Side, TimeInForce  # noqa: E402
from engine.instrument import Instrument  # noqa: E402
from benchmarks.plotting import figure_axis  # noqa: E402
from exchange import commands as c  # noqa: E402
from exchange.compliance import AssignTier, DocumentType, IssueDepositAddress, SubmitIdentity, VerifyCustomer  # noqa: E402
from exchange.compliance.commands import SetTierLimits  # noqa: E402
from exchange.results import Refused  # noqa: E402
from exchange.sequencer import Sequencer  # noqa: E402
from exchange.store import open_store  # noqa: E402
from exchange.tuning import EVENT_LOOP, pin_server, run, tune_gc  # noqa: E402
from exchange.venue import Venue  # noqa: E402

POSTGRES_URL = os.environ.get("KARAKUM_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
OPERATOR = "bench-operator"
INSTRUMENT = Instrument(instrument_id=1, symbol="BTC/USDT", base="BTC", quote="USDT", tick_size="0.01",
                        lot_size="0.0001", base_units_per_lot=10_000, quote_units_per_tick_lot=1,
                        min_quantity_lots=1, max_quantity_lots=10**9, min_notional_tick_lots=0,
                        price_band_bps=5_000)
BIG = 10**15


def setup_commands() -> list:
    """The assets, the market and the tier the accounts get (applied before timing)."""
    commands = [
        c.DefineAsset(actor=OPERATOR, code="BTC", decimals=8, tmt_units_per_asset=1),
        c.DefineAsset(actor=OPERATOR, code="USDT", decimals=6, tmt_units_per_asset=1),
        c.ListMarket(actor=OPERATOR, instrument=INSTRUMENT, reference_price_ticks=100_000, maker_fee_bps=10,
                     taker_fee_bps=20),
        SetTierLimits(actor=OPERATOR, tier=9, daily_deposit_tmt_units=BIG, monthly_deposit_tmt_units=BIG,
                      daily_withdrawal_tmt_units=BIG, monthly_withdrawal_tmt_units=BIG),
    ]
    return commands


async def open_market(sequencer: Sequencer, accounts: int) -> list[int]:
    """Set up the market, then open `accounts` verified, funded customers; their ids."""
    for command in setup_commands():
        await sequencer.submit(command)
    return await open_accounts(sequencer, accounts)


async def open_accounts(sequencer: Sequencer, accounts: int) -> list[int]:
    ids = []
    for index in range(accounts):
        opened = await sequencer.submit(c.OpenAccount(email=f"bench{index}@example.tm", key_id=f"bench-{index}",
                                                      secret_ciphertext="bench-not-a-secret"))
        customer = str(opened.data["customer_id"])
        for command in (
            SubmitIdentity(customer_id=customer, full_name=f"Bench Trader {index}", document_type=DocumentType.PASSPORT,
                           document_number=f"BENCH{index:07d}", country="TM", date_of_birth="1990-01-01"),
            VerifyCustomer(customer_id=customer, actor=OPERATOR, reason="benchmark"),
            AssignTier(customer_id=customer, actor=OPERATOR, tier=9, reason="benchmark"),
        ):
            await sequencer.submit(command)
        for asset in ("BTC", "USDT"):
            address = (await sequencer.submit(IssueDepositAddress(customer_id=customer, asset=asset))).data[
                "deposit_address"]
            await sequencer.submit(c.ReportDeposit(actor=OPERATOR, asset=asset, address=address,
                                                   amount_units=10**14, chain_tx_id=f"bench-{customer}-{asset}"))
        ids.append(int(customer))
    return ids


def flow_commands(ops: int, account_ids: list[int]) -> list:
    from flow import make_flow

    warm, flow = make_flow(ops)
    owner: dict[int, int] = {}
    commands = []
    for kind, oid, side, price, quantity in list(warm) + list(flow):
        if kind == 0:
            account = account_ids[oid % len(account_ids)]
            owner[oid] = account
            commands.append(c.SubmitOrder(account_id=account, instrument_id=1, client_order_id=str(oid),
                                          side=Side.BUY if side == 0 else Side.SELL, order_type=OrderType.LIMIT,
                                          time_in_force=TimeInForce.GTC, price_ticks=price, quantity_lots=quantity))
        else:
            commands.append(CancelOrder(account_id=owner[oid], instrument_id=1, client_order_id=str(oid)))
    return commands[:len(warm)], commands[len(warm):]


class NullStore:
    """No durability: the in-memory upper bound of the sequencer."""

    async def write_batch(self, batch) -> None:
        await asyncio.sleep(0)

    async def close(self) -> None:
        pass


async def make_store(kind: str, scratch: Path):
    if kind == "memory":
        return NullStore(), None
    if kind == "sqlite":
        return await open_store(f"sqlite:///{scratch / f'bench-{uuid.uuid4().hex[:8]}.db'}", separate_writer=True), None
    import asyncpg

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    connection = await asyncpg.connect(POSTGRES_URL)
    await connection.execute(f"CREATE SCHEMA {schema}")
    await connection.close()
    return await open_store(f"{POSTGRES_URL}?search_path={schema}", separate_writer=True), schema


async def drop_schema(schema: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(POSTGRES_URL)
    await connection.execute(f"DROP SCHEMA {schema} CASCADE")
    await connection.close()


async def drive(sequencer: Sequencer, commands: list, in_flight: int) -> list[int]:
    """Submit every command keeping `in_flight` of them unanswered; latencies in ns.

    The load is a window of futures with callbacks (`Sequencer.enqueue`), not `in_flight` client
    tasks: a task per waiting command costs ~20 % more than sequencing it on these 2 cores, and that
    is the clients' cost (benchmarks/api.py measures it with real HTTP clients), not the sequencer's.
    Refusals are counted: a benchmark of refused orders would measure nothing (the flow's cancels
    of orders that already filled are the only expected ones)."""
    loop = asyncio.get_running_loop()
    latencies: list[int] = []
    # Send times, oldest first: the sequencer answers in the order commands were queued, so the oldest
    # send time is the answered command's (cheaper than a closure or partial per command).
    sent: deque[int] = deque()
    refused: dict[str, int] = {}
    iterator = iter(commands)
    finished = loop.create_future()
    unanswered = 0

    def answered(future: asyncio.Future) -> None:
        nonlocal unanswered
        latencies.append(time.perf_counter_ns() - sent.popleft())
        unanswered -= 1
        if future.exception() is not None:
            if not finished.done():
                finished.set_exception(future.exception())
            return
        result = future.result()
        if type(result) is Refused:
            refused[result.code] = refused.get(result.code, 0) + 1
        send_next()

    def send_next() -> None:
        nonlocal unanswered
        command = next(iterator, None)
        if command is None:
            if unanswered == 0 and not finished.done():
                finished.set_result(None)
            return
        unanswered += 1
        sent.append(time.perf_counter_ns())
        sequencer.enqueue(command).add_done_callback(answered)

    for _ in range(in_flight):
        send_next()
    await finished
    unexpected = {code: count for code, count in refused.items() if code != "ORDER_NOT_FOUND"}
    if sum(unexpected.values()) > len(commands) // 100:
        raise RuntimeError(f"the benchmark flow is being refused: {unexpected}")
    return latencies


async def run_store(kind: str, arguments, scratch: Path) -> dict:
    store, schema = await make_store(kind, scratch)
    venue = Venue()
    # As under `karakum serve` with no account-stream listener, unless told that every customer listens.
    venue.balance_watch = None if arguments.watch_balances else {}
    sequencer = Sequencer(venue, store, snapshot_every_commands=None,  # snapshots: benchmarks/recovery.py
                          snapshot_every_s=None)
    sequencer.start()
    account_ids = await open_market(sequencer, arguments.accounts)
    warm, flow = flow_commands(arguments.ops, account_ids)
    tune_gc()  # as `karakum serve` does after recovery
    await drive(sequencer, warm, arguments.in_flight)
    batches_before = sequencer.sequence
    started = time.perf_counter()
    latencies = await drive(sequencer, flow, arguments.in_flight)
    elapsed = time.perf_counter() - started
    sequencer.venue.check()
    await sequencer.stop(snapshot=False)
    await store.close()
    if schema:
        await drop_schema(schema)
    latencies.sort()
    return {"store": kind, "commands": len(flow), "commands_s": round(len(flow) / elapsed),
            "p50_ms": round(latencies[len(latencies) // 2] / 1e6, 2),
            "p99_ms": round(latencies[int(len(latencies) * 0.99)] / 1e6, 2),
            "first_sequence": batches_before, "latencies_ns": latencies}


def plot(results: list[dict], path: Path) -> None:
    with figure_axis(path, "Sequencer latency on the shared flow") as axis:
        if axis is None:
            return
        for result in results:
            values = [v / 1e6 for v in result["latencies_ns"]]
            axis.hist(values, bins=100, histtype="step", label=f"{result['store']} ({result['commands_s']} cmd/s)")
        axis.set_xlabel("submit -> durable answer (ms)")
        axis.set_ylabel("commands")
        axis.set_yscale("log")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=100_000)
    parser.add_argument("--accounts", type=int, default=1_000)
    parser.add_argument("--in-flight", type=int, default=512)
    parser.add_argument("--stores", default="memory,sqlite,postgres")
    parser.add_argument("--watch-balances", action="store_true",
                        help="every customer has an account-stream listener: outcomes carry all balances")
    parser.add_argument("--cpus", help="SERVER,WRITER: pin this process and the store writer (e.g. 0,1)")
    parser.add_argument("--plot", type=Path, default=ROOT / "benchmarks" / "plots" / "sequencer-latency.png")
    arguments = parser.parse_args()
    if arguments.cpus:
        try:
            pin_server(arguments.cpus)
        except ValueError as error:
            parser.error(f"--cpus: {error}")
    results = []
    with tempfile.TemporaryDirectory() as scratch:
        for kind in arguments.stores.split(","):
            results.append(run(run_store(kind, arguments, Path(scratch))))
    print(f"{'store':<10}{'commands':>10}{'cmd/s':>10}{'p50 ms':>10}{'p99 ms':>10}")
    for r in results:
        print(f"{r['store']:<10}{r['commands']:>10}{r['commands_s']:>10}{r['p50_ms']:>10}{r['p99_ms']:>10}")
    plot(results, arguments.plot)
    summary = {f"{r['store']}_{key}": r[key] for r in results for key in ("commands_s", "p50_ms", "p99_ms")}
    summary.update({"ops": arguments.ops, "accounts": arguments.accounts, "in_flight": arguments.in_flight,
                    "loop": EVENT_LOOP, "cpus": arguments.cpus, "watch_balances": arguments.watch_balances})
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
