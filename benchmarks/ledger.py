"""Ledger benchmark: postings per second in memory, and durable through each Store adapter.

Workload (seeded, built before timing): 1,000 funded customers; per simulated
order a hold of the buyer's quote, a hold of the seller's base, a trade
settlement with both fees (4 postings) and a release of the buyer's unused
quote: 4 entries, 7 postings, the mix the sequencer produces for a filled order.

1. In memory: `Ledger.apply` on every entry (GC on, as in production).
2. SQLite (WAL, synchronous=FULL, a real file): `write_batch` of 1, 100 and
   1,000 entries per commit, each a fresh database (multi-row INSERTs).
3. PostgreSQL (asyncpg): the same batch sizes with COPY, with executemany, and
   with the adapter's default "auto" (COPY from 32 rows per table, executemany
   below), each in a fresh schema; the faster of COPY and executemany at 1,000
   entries per commit is named.

The configurations take turns in a shuffled order: each writes for --seconds,
then the next, for --rounds rounds, and the median rate over rounds is reported, so a change of load
on the shared machine hits every configuration alike. The in-memory run is
repeated --rounds times too. About a minute in all. Prints a table (p50/p99 are
per commit), then one JSON line.

    python benchmarks/ledger.py
    python benchmarks/ledger.py --rounds 5 --seconds 1 --postgres postgresql://postgres@127.0.0.1:5432/test
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


def fsync_per_second(directory: str, seconds: float = 0.5) -> float:
    """4 KiB append + fsync rate right now: the ceiling of one-commit-per-batch, to judge the figures by."""
    path = os.path.join(directory, "fsync-probe")
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    count, started = 0, time.perf_counter()
    try:
        while time.perf_counter() - started < seconds:
            os.write(descriptor, b"x" * 4096)
            os.fsync(descriptor)
            count += 1
    finally:
        os.close(descriptor)
        os.remove(path)
    return count / (time.perf_counter() - started)


def bench_memory(flow: list) -> float:
    """Seconds to apply the whole flow to a funded ledger (checked afterwards)."""
    ledger, _ = funded_ledger()
    started = time.perf_counter()
    for entry in flow:
        ledger.apply(entry)
    elapsed = time.perf_counter() - started
    ledger.check()
    return elapsed


class StoreRun:
    """One (store, method, batch size): a fresh database, written a bit more in every round."""

    def __init__(self, store, name: str, method: str, batch_size: int) -> None:
        self.store, self.name, self.method, self.batch_size = store, name, method, batch_size
        self.offset = 0
        self.rates: list[tuple[float, float, float]] = []  # (entries/s, postings/s, commits/s) per round
        self.latencies: list[float] = []

    async def round(self, flow: list, seconds: float) -> None:
        entries = postings = commits = 0
        started = time.perf_counter()
        while time.perf_counter() - started < seconds and self.offset + self.batch_size <= len(flow):
            batch = flow[self.offset:self.offset + self.batch_size]
            before = time.perf_counter()
            await self.store.write_batch(Batch(entries=batch))
            self.latencies.append(time.perf_counter() - before)
            self.offset += self.batch_size
            entries, postings, commits = entries + len(batch), postings + postings_in(batch), commits + 1
        elapsed = time.perf_counter() - started
        if commits:  # A fast store may use up the flow before the last round: that round measures nothing.
            self.rates.append((entries / elapsed, postings / elapsed, commits / elapsed))

    def result(self) -> dict:
        latencies = sorted(self.latencies)
        return {"store": self.name, "method": self.method, "batch": self.batch_size, "entries": self.offset,
                "entries_s": statistics.median(r[0] for r in self.rates),
                "postings_s": statistics.median(r[1] for r in self.rates),
                "commits_s": statistics.median(r[2] for r in self.rates),
                "p50_ms": statistics.median(latencies) * 1e3, "p99_ms": latencies[int(len(latencies) * 0.99)] * 1e3}


async def open_runs(directory: str, url: str, schemas: list[str]) -> list[StoreRun]:
    runs = [StoreRun(await SqliteStore.open(f"{directory}/ledger-{size}.db"), "sqlite", "multi-row", size)
            for size in BATCH_SIZES]
    admin = await asyncpg.connect(url)
    try:
        for method in ("copy", "executemany", "auto"):
            for size in BATCH_SIZES:
                schemas.append(f"bench_{uuid.uuid4().hex[:10]}")
                await admin.execute(f"CREATE SCHEMA {schemas[-1]}")
                separator = "&" if "?" in url else "?"
                store = await PostgresStore.open(f"{url}{separator}search_path={schemas[-1]}", write_method=method)
                runs.append(StoreRun(store, "postgresql", method, size))
    finally:
        await admin.close()
    return runs


async def bench_stores(url: str, flow: list, rounds: int, seconds: float) -> list[dict]:
    """Every configuration writes for `seconds`, in a shuffled turn, `rounds` times: load drift hits all alike."""
    schemas: list[str] = []
    with tempfile.TemporaryDirectory() as directory:
        runs = await open_runs(directory, url, schemas)
        try:
            turns = random.Random(7)
            for _ in range(rounds):
                for run in turns.sample(runs, len(runs)):
                    await run.round(flow, seconds)
        finally:
            for run in runs:
                await run.store.close()
            admin = await asyncpg.connect(url)
            for schema in schemas:
                await admin.execute(f"DROP SCHEMA {schema} CASCADE")
            await admin.close()
    return [run.result() for run in runs]


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
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds; medians are reported")
    parser.add_argument("--seconds", type=float, default=0.7, help="time per store configuration per round")
    parser.add_argument("--postgres", default=os.environ.get("KARAKUM_BENCH_POSTGRES",
                                                             "postgresql://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--plot", type=Path, default=REPO / "benchmarks" / "plots" / "ledger-batch.png")
    arguments = parser.parse_args()

    flow = order_flow(arguments.orders)
    memory_s = statistics.median(bench_memory(flow) for _ in range(arguments.rounds))
    results = [{"store": "memory", "method": "apply", "batch": 1, "entries": len(flow),
                "entries_s": len(flow) / memory_s, "postings_s": postings_in(flow) / memory_s,
                "commits_s": None, "p50_ms": None, "p99_ms": None}]
    probe_directory = tempfile.gettempdir()  # Where the SQLite databases live.
    fsync_before = fsync_per_second(probe_directory)
    results += asyncio.run(bench_stores(arguments.postgres, flow, arguments.rounds, arguments.seconds))
    fsync_after = fsync_per_second(probe_directory)
    print_table(results)
    at_1000 = {r["method"]: r["postings_s"] for r in results
               if r["store"] == "postgresql" and r["batch"] == 1_000 and r["method"] != "auto"}
    faster = max(at_1000, key=at_1000.get)
    print(f"postgresql: {faster} is faster at 1,000 entries per commit "
          f"({at_1000[faster]:,.0f} vs {min(at_1000.values()):,.0f} postings/s)")
    print(f"fsync ceiling on this disk during the run: {fsync_before:,.0f}/s before, {fsync_after:,.0f}/s after "
          "(4 KiB append + fsync; one commit per batch cannot beat it)")
    plotted = plot(results, arguments.plot)
    print(f"plot: {arguments.plot if plotted else 'skipped (matplotlib not installed)'}")
    summary = {f"{r['store']}_{r['method']}_{r['batch']}_postings_s": round(r["postings_s"]) for r in results}
    summary["postgres_faster_method"] = faster
    summary["fsync_per_s"] = [round(fsync_before), round(fsync_after)]
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
