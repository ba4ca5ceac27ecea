"""What a group commit costs the store alone: the shared flow's batches written straight to SQLite and PostgreSQL.

    python benchmarks/store_writes.py [--ops 100000] [--batches 256] [--repeat 3] [--stores sqlite,postgres]
    python benchmarks/store_writes.py --batches 32,64,128,256,512,1024 --repeat 1   # and a plot

The venue applies the shared flow (the same commands as benchmarks/sequencer.py)
once; its outcomes are cut into batches of `--batches` commands, as the
sequencer would commit them, and each store writes them one after the other
into a fresh database (a temp SQLite file with WAL and synchronous=FULL; a fresh
schema on 127.0.0.1:5432). No venue, no event loop work, no writer process in
between: per command, the wall time of the commits, the CPU of this process
(the client: row building, binding, COPY encoding; SQLite's own work too) and,
for PostgreSQL, the CPU of its server process (read from /proc). The sequencer
overlaps these commits with applying the next batch, so a store costing less
per command than the venue is not what limits `sequencer.py`.
With several batch sizes, saves benchmarks/plots/store-writes.png. Ends with one JSON line.
"""
import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import sequencer as workload  # noqa: E402
from benchmarks.plotting import figure_axis  # noqa: E402  (also puts the repository and ../shared/bench on sys.path)
import venue as venue_benchmark  # noqa: E402
from exchange.sequencer import Sequencer  # noqa: E402
from exchange.store.base import Batch  # noqa: E402


def flow_outcomes(ops: int, accounts: int) -> list:
    """Every outcome of the flow's warm-up and its `ops` commands, as the venue produced them."""
    venue, sequence, account_ids = asyncio.run(venue_benchmark._opened_venue(accounts))
    warm, flow = workload.flow_commands(ops, account_ids)
    outcomes = []
    for command in warm + flow:
        sequence += 1
        outcomes.append(venue.apply(command, sequence, venue_benchmark.START_NS + sequence))
    return outcomes


def _backend_cpu_s(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # A server on another host or in a container: its CPU is not ours to read.
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _timed_writes(store, batches: list[Batch]) -> tuple[float, float]:
    """Seconds of wall and of this process's CPU (every thread: SQLite's worker too) to write `batches`."""
    started, cpu = time.perf_counter(), time.process_time()
    for batch in batches:
        await store.write_batch(batch)
    return time.perf_counter() - started, time.process_time() - cpu


async def _write_sqlite(batches: list[Batch], scratch: Path) -> tuple[float, float, float | None]:
    from exchange.store.sqlite import SqliteStore

    store = await SqliteStore.open(str(scratch / f"writes-{uuid.uuid4().hex[:8]}.db"))
    try:
        wall, cpu = await _timed_writes(store, batches)
    finally:
        await store.close()
    return wall, cpu, None


async def _write_postgres(batches: list[Batch], scratch: Path) -> tuple[float, float, float | None]:
    import asyncpg

    from exchange.store.postgres import PostgresStore

    schema = f"writes_{uuid.uuid4().hex[:10]}"
    connection = await asyncpg.connect(workload.POSTGRES_URL)
    await connection.execute(f"CREATE SCHEMA {schema}")
    try:
        # One pooled connection: every batch goes through the server process whose CPU is read.
        store = await PostgresStore.open(f"{workload.POSTGRES_URL}?search_path={schema}", connections_max=1)
        try:
            backend = (await store._fetch("SELECT pg_backend_pid()", ()))[0][0]
            backend_before = _backend_cpu_s(backend)
            wall, cpu = await _timed_writes(store, batches)
            backend_after = _backend_cpu_s(backend)
        finally:
            await store.close()
    finally:
        await connection.execute(f"DROP SCHEMA {schema} CASCADE")
        await connection.close()
    backend_cpu = None if backend_before is None or backend_after is None else backend_after - backend_before
    return wall, cpu, backend_cpu


WRITERS = {"sqlite": _write_sqlite, "postgres": _write_postgres}


def measure(kind: str, batches: list[Batch], repeat: int, scratch: Path) -> dict:
    commands = sum(len(batch.journal) for batch in batches)
    runs = [asyncio.run(WRITERS[kind](batches, scratch)) for _ in range(repeat)]

    def per_command(index: int) -> float | None:
        values = [run[index] for run in runs if run[index] is not None]
        return round(statistics.median(values) / commands * 1e6, 1) if values else None

    return {"wall_us": per_command(0), "client_cpu_us": per_command(1), "server_cpu_us": per_command(2),
            "commands": commands}


def plot(results: dict, path: Path) -> None:
    with figure_axis(path, "Group commits of the shared flow, store alone") as axis:
        if axis is None:
            return
        for kind, by_size in results.items():
            sizes = sorted(by_size)
            axis.plot(sizes, [by_size[size]["wall_us"] for size in sizes], marker="o", label=f"{kind}: wall")
            axis.plot(sizes, [by_size[size]["client_cpu_us"] for size in sizes], marker=".", linestyle="--",
                      label=f"{kind}: this process's CPU")
            server = [by_size[size]["server_cpu_us"] for size in sizes]
            if None not in server:
                axis.plot(sizes, server, marker=".", linestyle=":", label=f"{kind}: its server's CPU")
        axis.set_xscale("log", base=2)
        axis.set_xlabel("commands per commit")
        axis.set_ylabel("us per command")
        axis.set_ylim(bottom=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=100_000)
    parser.add_argument("--accounts", type=int, default=1_000)
    parser.add_argument("--batches", default="256", help="commands per commit, comma-separated")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--stores", default="sqlite,postgres")
    parser.add_argument("--plot", type=Path, default=ROOT / "benchmarks" / "plots" / "store-writes.png")
    arguments = parser.parse_args()
    sizes = [int(size) for size in arguments.batches.split(",")]
    outcomes = flow_outcomes(arguments.ops, arguments.accounts)
    results: dict[str, dict[int, dict]] = {kind: {} for kind in arguments.stores.split(",")}
    print(f"{'store':<10}{'batch':>7}{'commands':>10}{'wall us':>9}{'client CPU us':>15}{'server CPU us':>15}")
    with tempfile.TemporaryDirectory() as scratch:
        for size in sizes:
            batches = [Sequencer._batch(outcomes[start:start + size]) for start in range(0, len(outcomes), size)]
            for kind in results:
                result = results[kind][size] = measure(kind, batches, arguments.repeat, Path(scratch))
                server = "-" if result["server_cpu_us"] is None else result["server_cpu_us"]
                print(f"{kind:<10}{size:>7}{result['commands']:>10}{result['wall_us']:>9}"
                      f"{result['client_cpu_us']:>15}{server:>15}")
    if len(sizes) > 1:
        plot(results, arguments.plot)
    summary = {f"{kind}_{size}_{key}": value for kind, by_size in results.items() for size, result in by_size.items()
               for key, value in result.items() if key != "commands"}
    summary.update({"ops": arguments.ops, "repeat": arguments.repeat})
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
