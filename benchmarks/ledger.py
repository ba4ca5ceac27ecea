"""Ledger benchmark: postings per second in memory, and durable through each Store adapter.

Workload (seeded, built before timing): 1,000 funded customers; per simulated
order a hold of the buyer's quote, a hold of the seller's base, a trade
settlement with both fees (4 postings) and a release of the buyer's unused
quote: 4 entries, 7 postings, the mix the sequencer produces for a filled order.

1. In memory: `Ledger.apply` on every entry (GC on, as in production).
2. SQLite (WAL, synchronous=FULL, a real file): `write_batch` of 1, 100 and
   1,000 entries per commit, each a fresh database.
3. PostgreSQL (asyncpg): the same batch sizes with COPY, with executemany, and
   with the adapter's default "auto" (COPY from 32 rows per table, executemany
   below), each in a fresh schema; the faster of COPY and executemany at 1,000
   entries per commit is named.

Each store configuration runs for --seconds (or until the workload is used up),
so the whole run takes about a minute. Prints a table, then one JSON line.

    python benchmarks/ledger.py
    python benchmarks/ledger.py --seconds 2 --postgres postgresql://postgres@127.0.0.1:5432/test
"""
import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import asyncpg  # noqa: E402

from exchange.store import Batch  # noqa: E402
from exchange.store.postgres import PostgresStore  # noqa: E402
from exchange.store.sqlite import SqliteStore  # noqa: E402
from ledger import Ledger  # noqa: E402
from ledger import entries as E  # noqa: E402

CUSTOMERS = 1_000
BATCH_SIZES = (1, 100, 1_000)


def funded_ledger() -> tuple[Ledger, list]:
    ledger = Ledger()
    ledger.define_asset("BTC", 8)
    ledger.define_asset("USDT", 6)
    deposits = []
    for customer in range(CUSTOMERS):
        deposits.append(E.deposit(f"d{customer}:b", 0, customer, "BTC", 10**15, "genesis"))
        deposits.append(E.deposit(f"d{customer}:u", 0, customer, "USDT", 10**15, "genesis"))
    for entry in deposits:
        ledger.apply(entry)
    return ledger, deposits


def order_flow(orders: int, seed: int = 42) -> list:
    """4 entries (7 postings) per filled order, with unique ids."""
    rng = random.Random(seed)
    flow = []
    for n in range(1, orders + 1):
        buyer, seller = rng.sample(range(CUSTOMERS), 2)
        base_units, price = rng.randint(1, 10_000), rng.randint(50, 150)
        quote_units = base_units * price
        flow.append(E.hold(f"s{n}:hold:q", n, buyer, "USDT", quote_units + 100, f"s{n}"))
        flow.append(E.hold(f"s{n}:hold:b", n, seller, "BTC", base_units, f"s{n}"))
        flow.append(E.trade_settlement(f"t{n}", n, n, buyer, seller, "BTC", base_units, "USDT", quote_units,
                                       base_units // 1000 + 1, quote_units // 1000 + 1))
        flow.append(E.release(f"s{n}:release", n, buyer, "USDT", 100, f"s{n}"))
    return flow


def postings_in(entries) -> int:
    return sum(len(entry.postings) for entry in entries)


def bench_memory(flow: list) -> dict:
    ledger, _ = funded_ledger()
    started = time.perf_counter()
    for entry in flow:
        ledger.apply(entry)
    elapsed = time.perf_counter() - started
    ledger.check()
    return {"store": "memory", "method": "apply", "batch": 1, "entries": len(flow),
            "entries_s": len(flow) / elapsed, "postings_s": postings_in(flow) / elapsed,
            "commits_s": None, "p50_ms": None, "p99_ms": None}


async def bench_store(store, name: str, method: str, batch_size: int, flow: list, seconds: float) -> dict:
    latencies, written = [], 0
    started = time.perf_counter()
    for start in range(0, len(flow) - batch_size + 1, batch_size):
        batch = Batch(entries=flow[start:start + batch_size])
        before = time.perf_counter()
        await store.write_batch(batch)
        latencies.append(time.perf_counter() - before)
        written += batch_size
        if before - started > seconds:
            break
    elapsed = time.perf_counter() - started
    await store.close()
    written_entries = flow[:written]
    latencies.sort()
    return {"store": name, "method": method, "batch": batch_size, "entries": written,
            "entries_s": written / elapsed, "postings_s": postings_in(written_entries) / elapsed,
            "commits_s": len(latencies) / elapsed, "p50_ms": statistics.median(latencies) * 1e3,
            "p99_ms": latencies[int(len(latencies) * 0.99)] * 1e3}


async def bench_sqlite(flow: list, seconds: float) -> list[dict]:
    results = []
    with tempfile.TemporaryDirectory() as directory:
        for batch_size in BATCH_SIZES:
            store = await SqliteStore.open(f"{directory}/ledger-{batch_size}.db")
            results.append(await bench_store(store, "sqlite", "executemany", batch_size, flow, seconds))
    return results


async def bench_postgres(url: str, flow: list, seconds: float) -> list[dict]:
    results = []
    for method in ("copy", "executemany", "auto"):
        for batch_size in BATCH_SIZES:
            schema = f"bench_{uuid.uuid4().hex[:10]}"
            admin = await asyncpg.connect(url)
            await admin.execute(f"CREATE SCHEMA {schema}")
            try:
                separator = "&" if "?" in url else "?"
                store = await PostgresStore.open(f"{url}{separator}search_path={schema}", write_method=method)
                results.append(await bench_store(store, "postgresql", method, batch_size, flow, seconds))
            finally:
                await admin.execute(f"DROP SCHEMA {schema} CASCADE")
                await admin.close()
    return results


def print_table(results: list[dict]) -> None:
    print(f"{'store':<11} {'method':<12} {'batch':>6} {'entries':>8} {'entries/s':>11} {'postings/s':>11} "
          f"{'commits/s':>10} {'p50 ms':>8} {'p99 ms':>8}")
    for r in results:
        commits = "-" if r["commits_s"] is None else f"{r['commits_s']:,.0f}"
        p50 = "-" if r["p50_ms"] is None else f"{r['p50_ms']:.2f}"
        p99 = "-" if r["p99_ms"] is None else f"{r['p99_ms']:.2f}"
        print(f"{r['store']:<11} {r['method']:<12} {r['batch']:>6} {r['entries']:>8} {r['entries_s']:>11,.0f} "
              f"{r['postings_s']:>11,.0f} {commits:>10} {p50:>8} {p99:>8}")


def plot(results: list[dict], path: Path) -> bool:
    try:
        import matplotlib
    except ImportError:
        return False
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    figure, axis = plt.subplots(figsize=(8, 4.5), dpi=100)
    for store, method in sorted({(r["store"], r["method"]) for r in results if r["store"] != "memory"}):
        series = [r for r in results if (r["store"], r["method"]) == (store, method)]
        axis.plot([r["batch"] for r in series], [r["postings_s"] for r in series], marker="o",
                  label=f"{store} {method}")
    memory = [r for r in results if r["store"] == "memory"]
    if memory:
        axis.axhline(memory[0]["postings_s"], color="grey", linestyle="--", label="in-memory apply")
    axis.set_xscale("log")
    axis.set_yscale("log")
    axis.set_xlabel("entries per commit (batch size)")
    axis.set_ylabel("postings per second (durable)")
    axis.set_title("Ledger postings throughput against batch size")
    axis.legend()
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=60_000, help="simulated filled orders (4 entries each)")
    parser.add_argument("--seconds", type=float, default=3.0, help="time budget per store configuration")
    parser.add_argument("--postgres", default=os.environ.get("KARAKUM_BENCH_POSTGRES",
                                                             "postgresql://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--plot", type=Path, default=REPO / "benchmarks" / "plots" / "ledger-batch.png")
    arguments = parser.parse_args()

    flow = order_flow(arguments.orders)
    results = [bench_memory(flow)]
    results += asyncio.run(bench_sqlite(flow, arguments.seconds))
    results += asyncio.run(bench_postgres(arguments.postgres, flow, arguments.seconds))
    print_table(results)
    at_1000 = {r["method"]: r["postings_s"] for r in results
               if r["store"] == "postgresql" and r["batch"] == 1_000 and r["method"] != "auto"}
    faster = max(at_1000, key=at_1000.get)
    print(f"postgresql: {faster} is faster at 1,000 entries per commit "
          f"({at_1000[faster]:,.0f} vs {min(at_1000.values()):,.0f} postings/s)")
    plotted = plot(results, arguments.plot)
    print(f"plot: {arguments.plot if plotted else 'skipped (matplotlib not installed)'}")
    summary = {f"{r['store']}_{r['method']}_{r['batch']}_postings_s": round(r["postings_s"]) for r in results}
    summary["postgres_faster_method"] = faster
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
