"""Recovery time: latest snapshot + N journaled commands; snapshot write time and size.

    python benchmarks/recovery.py [--sizes 100000,1000000] [--resting 100000] [--db sqlite|postgres]

For each N: the shared flow (../shared/bench/flow.py) runs through the real
sequencer into a fresh store (SQLite file by default): set-up and warm-up,
a snapshot, then N more commands with no snapshot after them, then a stop
without a final snapshot (as after a crash). The timed part is
`exchange.recovery.rebuild()`: load the snapshot, replay N commands, compare
every replayed ledger entry with the stored one, check invariants.
Separately: a venue with `--resting` resting orders is snapshotted; encode
time, write time and size are reported. Table, then one JSON line.
"""
import argparse
import asyncio
import json
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from sequencer import POSTGRES_URL, drive, drop_schema, flow_commands, open_market, setup_commands  # noqa: E402

from engine.commands import OrderType, Side, TimeInForce  # noqa: E402
from exchange import commands as c  # noqa: E402
from exchange import snapshots  # noqa: E402
from exchange.recovery import rebuild  # noqa: E402
from exchange.sequencer import Sequencer  # noqa: E402
from exchange.store import open_store  # noqa: E402
from exchange.venue import Venue  # noqa: E402


async def open_fresh(db: str, scratch: Path):
    if db == "sqlite":
        return f"sqlite:///{scratch / f'recovery-{uuid.uuid4().hex[:8]}.db'}", None
    import asyncpg

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    connection = await asyncpg.connect(POSTGRES_URL)
    await connection.execute(f"CREATE SCHEMA {schema}")
    await connection.close()
    return f"{POSTGRES_URL}?search_path={schema}", schema


async def recovery_run(commands_after: int, db: str, scratch: Path) -> dict:
    url, schema = await open_fresh(db, scratch)
    store = await open_store(url)
    sequencer = Sequencer(Venue(), store, snapshot_every_commands=None, snapshot_every_s=None)
    sequencer.start()
    accounts = await open_market(sequencer, 1_000)
    warm, flow = flow_commands(commands_after, accounts)
    await drive(sequencer, warm, 512)
    await sequencer.durable()
    await sequencer.snapshot()
    snapshot_sequence = sequencer.sequence
    await drive(sequencer, flow[:commands_after], 512)
    live_hash = sequencer.venue.state_hash()
    await sequencer.stop(snapshot=False)  # as after a crash: the journal runs past the last snapshot
    await store.close()

    store = await open_store(url)
    started = time.perf_counter()
    venue = await rebuild(store)
    elapsed = time.perf_counter() - started
    assert venue.state_hash() == live_hash, "recovered state differs from the live one"
    await store.close()
    if schema:
        await drop_schema(schema)
    return {"commands_after_snapshot": venue.sequence - snapshot_sequence, "recover_s": round(elapsed, 2),
            "replay_commands_s": round((venue.sequence - snapshot_sequence) / elapsed)}


async def snapshot_run(resting: int, db: str, scratch: Path) -> dict:
    venue = Venue()
    sequence = 0

    def apply(command):
        nonlocal sequence
        sequence += 1
        return venue.apply(command, sequence, 1_767_225_600_000_000_000 + sequence)

    from sequencer import INSTRUMENT  # noqa: F401 - same market as the flow
    for command in setup_commands():
        apply(command)
    # One customer per 100 orders, funded through the real commands.
    accounts = []
    for index in range(max(1, resting // 100)):
        accounts.append(await _account_in_memory(apply, index))
    for index in range(resting):
        side = Side.BUY if index % 2 else Side.SELL
        price = 99_000 - index % 500 if side is Side.BUY else 101_000 + index % 500
        apply(c.SubmitOrder(account_id=accounts[index % len(accounts)], instrument_id=1, side=side,
                            order_type=OrderType.LIMIT, time_in_force=TimeInForce.GTC, price_ticks=price,
                            quantity_lots=10))
    url, schema = await open_fresh(db, scratch)
    store = await open_store(url)
    started = time.perf_counter()
    data = snapshots.encode(venue)
    state_hash = venue.state_hash()
    encoded = time.perf_counter()
    await store.save_snapshot(sequence, state_hash, data)
    written = time.perf_counter()
    restored = snapshots.restore(data)
    restored_at = time.perf_counter()
    assert restored.state_hash() == state_hash
    await store.close()
    if schema:
        await drop_schema(schema)
    return {"resting_orders": len(venue.trading.open), "snapshot_bytes": len(data),
            "encode_and_hash_s": round(encoded - started, 3), "write_s": round(written - encoded, 3),
            "restore_s": round(restored_at - written, 3)}


async def _account_in_memory(apply, index: int) -> int:
    from exchange.compliance import AssignTier, DocumentType, IssueDepositAddress, SubmitIdentity, VerifyCustomer

    opened = apply(c.OpenAccount(email=f"snap{index}@example.tm", key_id=f"snap-{index}",
                                 secret_ciphertext="bench")).result
    customer = str(opened.data["customer_id"])
    apply(SubmitIdentity(customer_id=customer, full_name=f"Snapshot Trader {index}",
                         document_type=DocumentType.PASSPORT, document_number=f"SNAP{index:07d}", country="TM",
                         date_of_birth="1990-01-01"))
    apply(VerifyCustomer(customer_id=customer, actor="bench-operator", reason="benchmark"))
    apply(AssignTier(customer_id=customer, actor="bench-operator", tier=9, reason="benchmark"))
    for asset in ("BTC", "USDT"):
        address = apply(IssueDepositAddress(customer_id=customer, asset=asset)).result.data["deposit_address"]
        apply(c.ReportDeposit(actor="bench-operator", asset=asset, address=address, amount_units=10**14,
                              chain_tx_id=f"snap-{customer}-{asset}"))
    return int(customer)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--resting", type=int, default=100_000)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    arguments = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as scratch:
        for size in (int(s) for s in arguments.sizes.split(",")):
            run = asyncio.run(recovery_run(size, arguments.db, Path(scratch)))
            results[f"recover_{size}"] = run
            print(f"recover from snapshot + {run['commands_after_snapshot']:>8} commands: {run['recover_s']:>7} s "
                  f"({run['replay_commands_s']} commands/s)")
        snap = asyncio.run(snapshot_run(arguments.resting, arguments.db, Path(scratch)))
    print(f"snapshot of {snap['resting_orders']} resting orders: {snap['snapshot_bytes'] / 1e6:.1f} MB, "
          f"encode+hash {snap['encode_and_hash_s']} s, write {snap['write_s']} s, restore {snap['restore_s']} s")
    summary = {"db": arguments.db, **{f"{k}_s": v["recover_s"] for k, v in results.items()},
               **{f"{k}_commands": v["commands_after_snapshot"] for k, v in results.items()}, **snap}
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
