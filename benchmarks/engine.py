"""Matching-engine benchmark against the shared ceiling (../shared/bench).

Runs the shared seeded flow (flow.py: warm-up, then N ops, seed 42) through
our Engine and through minimal_engine.py in the same process, interleaved,
R repetitions each; first checks that both produce the same trades (every
maker, taker, price and quantity) and the same final book. Then measures the
per-command latency distribution, the time to match one order that sweeps
1,000 levels, and the peak memory with 1M resting orders (RSS of a child
process, baseline subtracted). Prints a table and, last, one JSON line:
{"ours_ops_s": ..., "minimal_ops_s": ..., "ratio": ...}.

Flow ops become PlaceOrder / CancelOrder commands BEFORE timing. Buyers and
sellers use disjoint accounts (odd / even), so self-trade prevention never
fires and both engines must agree trade for trade.

    python benchmarks/engine.py                      # 1M ops x 3, as the issue asks
    python benchmarks/engine.py --ops 200000 --repeat 3
"""
import argparse
import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SHARED_BENCH = Path(os.environ.get("KARAKUM_SHARED_BENCH", Path(__file__).resolve().parents[2] / "shared" / "bench"))
sys.path.insert(0, str(SHARED_BENCH))

import flow  # noqa: E402
import minimal_engine  # noqa: E402

from engine.commands import (CancelOrder, DefineInstrument, OrderType, PlaceOrder, Side,  # noqa: E402
                             TimeInForce)
from engine.engine import Engine  # noqa: E402
from engine.events import Trade  # noqa: E402
from engine.instrument import Instrument  # noqa: E402

BENCH_INSTRUMENT = Instrument(
    instrument_id=1, symbol="BTC/USDT", base="BTC", quote="USDT", tick_size="0.01", lot_size="0.00001",
    base_units_per_lot=1_000, quote_units_per_tick_lot=1, min_quantity_lots=1, max_quantity_lots=10**9,
    min_notional_tick_lots=0, price_band_bps=1_000,
)
SIDES = (Side.BUY, Side.SELL)


def account_of(order_id: int, side: int) -> int:
    return 1 + 2 * (order_id % 500) + side


def to_commands(ops, sides: dict[int, int]) -> list:
    """Flow tuples -> engine commands (untimed). Cancels need the order's side for its account."""
    commands = []
    for kind, order_id, side, price, quantity in ops:
        if kind == 0:
            sides[order_id] = side
            commands.append(PlaceOrder(
                order_id=order_id, account_id=account_of(order_id, side), instrument_id=1,
                side=SIDES[side], order_type=OrderType.LIMIT, time_in_force=TimeInForce.GTC,
                price_ticks=price, quantity_lots=quantity))
        else:
            commands.append(CancelOrder(account_id=account_of(order_id, sides[order_id]), instrument_id=1,
                                        order_id=order_id))
    return commands


def fresh_engine(warm_commands) -> Engine:
    engine = Engine()
    engine.apply(DefineInstrument(instrument=BENCH_INSTRUMENT, reference_price_ticks=flow.MID), 0, 0)
    for sequence, command in enumerate(warm_commands, 1):
        engine.apply(command, sequence, sequence)
    return engine


def run_ours(warm_commands, commands) -> float:
    engine = fresh_engine(warm_commands)
    apply = engine.apply
    first = len(warm_commands) + 1
    gc.collect()
    started = time.perf_counter()
    for sequence, command in enumerate(commands, first):
        apply(command, sequence, sequence)
    return time.perf_counter() - started


def run_minimal(warm, ops) -> float:
    gc.collect()
    return minimal_engine.run_flow(warm, ops)[0]


def same_outcome(warm, ops, warm_commands, commands) -> str:
    """Trade-for-trade and final-book equality of both engines; returns a one-line summary."""
    book = minimal_engine.Book()
    for _, order_id, side, price, quantity in warm:
        book.add(order_id, side, price, quantity)
    book.out.clear()
    theirs = []
    for kind, order_id, side, price, quantity in ops:
        if kind == 0:
            book.add(order_id, side, price, quantity)
        else:
            book.cancel(order_id)
        theirs.extend((maker, taker, price_ticks, lots) for _, maker, taker, price_ticks, lots in book.out)
        book.out.clear()
    engine = fresh_engine(warm_commands)
    ours = []
    for sequence, command in enumerate(commands, len(warm_commands) + 1):
        ours.extend((event.maker_order_id, event.taker_order_id, event.price_ticks, event.quantity_lots)
                    for event in engine.apply(command, sequence, sequence) if isinstance(event, Trade))
    if ours != theirs:
        raise SystemExit(f"trades differ: ours {len(ours)}, minimal {len(theirs)}")
    depth = engine.depth(1, 10**6)
    their_bids = [(price, sum(o.qty for o in level)) for price, level in reversed(book.bids.items())]
    their_asks = [(price, sum(o.qty for o in level)) for price, level in book.asks.items()]
    if depth.bids != their_bids or depth.asks != their_asks or len(engine.index.orders) != len(book.orders):
        raise SystemExit("final books differ")
    return f"{len(ours)} trades, {len(book.orders)} resting orders, {len(book.bids) + len(book.asks)} levels"


def latencies_ns(warm_commands, commands) -> list[int]:
    engine = fresh_engine(warm_commands)
    apply, clock = engine.apply, time.perf_counter_ns
    samples = []
    record = samples.append
    gc.collect()
    for sequence, command in enumerate(commands, len(warm_commands) + 1):
        started = clock()
        apply(command, sequence, sequence)
        record(clock() - started)
    return samples


def sweep_1000_levels_s(repeat: int = 5) -> float:
    """Median time of one market-able limit order that takes out 1,000 ask levels (one order each)."""
    timings = []
    for _ in range(repeat):
        engine = fresh_engine([])
        for offset in range(1_000):
            engine.apply(PlaceOrder(order_id=offset + 1, account_id=2, instrument_id=1, side=Side.SELL,
                                    order_type=OrderType.LIMIT, price_ticks=flow.MID + offset,
                                    quantity_lots=10), offset + 1, 0)
        sweeper = PlaceOrder(order_id=5_000, account_id=1, instrument_id=1, side=Side.BUY,
                             order_type=OrderType.LIMIT, price_ticks=flow.MID + 1_000, quantity_lots=10_000)
        started = time.perf_counter()
        events = engine.apply(sweeper, 5_000, 0)
        timings.append(time.perf_counter() - started)
        assert sum(isinstance(event, Trade) for event in events) == 1_000
    return statistics.median(timings)


def memory_child(resting: int) -> None:
    """In a child process: RSS growth (KiB) from holding `resting` orders in the book."""
    engine = fresh_engine([])
    commands = [PlaceOrder(order_id=i, account_id=account_of(i, i % 2), instrument_id=1, side=SIDES[i % 2],
                           order_type=OrderType.LIMIT,
                           price_ticks=flow.MID - 1 - i % 5_000 if i % 2 == 0 else flow.MID + 1 + i % 5_000,
                           quantity_lots=1 + i % 100) for i in range(1, resting + 1)]
    gc.collect()
    before_kib = _rss_kib()
    for command in commands:
        engine.apply(command, command.order_id, 0)
    del commands
    gc.collect()
    assert len(engine.index.orders) == resting
    print(json.dumps({"rss_growth_kib": _rss_kib() - before_kib,
                      "peak_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))


def _rss_kib() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def measure_memory(resting: int) -> dict:
    output = subprocess.run([sys.executable, __file__, "--memory-child", str(resting)], check=True,
                            capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def plot_latency(samples: list[int], path: Path) -> str:
    """Save the latency histogram; returns where, or why not."""
    try:
        import matplotlib
    except ImportError:
        return "not drawn: matplotlib is not installed (pip install -e '.[test]')"
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    micros = sorted(sample / 1_000 for sample in samples)
    cut = micros[int(len(micros) * 0.999)]
    figure, axis = plt.subplots(figsize=(8, 4.5), dpi=100)
    axis.hist([m for m in micros if m <= cut], bins=120, color="#33658a")
    for label, q in (("p50", 0.50), ("p99", 0.99)):
        value = micros[int(len(micros) * q)]
        axis.axvline(value, color="#f26419", linestyle="--")
        axis.text(value, axis.get_ylim()[1] * 0.9, f" {label} {value:.2f} us", color="#f26419")
    axis.set_yscale("log")
    axis.set_xlabel("per-command latency, microseconds (up to p99.9)")
    axis.set_ylabel("commands")
    axis.set_title(f"Engine.apply latency on the shared flow ({len(samples):,} commands)")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    return str(path.relative_to(REPO) if path.is_relative_to(REPO) else path)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--resting-orders", type=int, default=1_000_000, help="for the memory figure")
    parser.add_argument("--plot", type=Path, default=REPO / "benchmarks" / "plots" / "engine-latency.png")
    parser.add_argument("--memory-child", type=int, help=argparse.SUPPRESS)
    arguments = parser.parse_args(argv)
    if arguments.memory_child:
        memory_child(arguments.memory_child)
        return
    warm, ops = flow.make_flow(arguments.ops, arguments.seed)
    sides: dict[int, int] = {}
    warm_commands, commands = to_commands(warm, sides), to_commands(ops, sides)
    outcome = same_outcome(warm, ops, warm_commands, commands)
    ours_s, minimal_s = [], []
    for _ in range(arguments.repeat):
        minimal_s.append(run_minimal(warm, ops))
        ours_s.append(run_ours(warm_commands, commands))
    ours_ops_s = len(ops) / statistics.median(ours_s)
    minimal_ops_s = len(ops) / statistics.median(minimal_s)
    # Each repetition runs both engines back to back, so its ratio sees one load on a shared box.
    ratio = statistics.median(minimal / ours for minimal, ours in zip(minimal_s, ours_s))
    samples = latencies_ns(warm_commands, commands)
    ordered = sorted(samples)
    p50_us, p99_us = ordered[len(ordered) // 2] / 1_000, ordered[int(len(ordered) * 0.99)] / 1_000
    sweep_ms = sweep_1000_levels_s() * 1_000
    memory = measure_memory(arguments.resting_orders)
    plotted = plot_latency(samples, arguments.plot)
    rows = [
        ("flow", f"{len(ops):,} ops after {len(warm):,} warm-up adds, seed {arguments.seed}; {outcome}"),
        ("ours ops/s (median)", f"{ours_ops_s:,.0f}  runs s: {', '.join(f'{s:.2f}' for s in ours_s)}"),
        ("minimal ops/s (median)", f"{minimal_ops_s:,.0f}  runs s: {', '.join(f'{s:.2f}' for s in minimal_s)}"),
        ("ratio ours/minimal", f"{ratio:.3f} (median of per-repetition ratios; best runs: "
                               f"{min(minimal_s) / min(ours_s):.3f}; load average {os.getloadavg()[0]:.1f})"),
        ("latency p50 / p99", f"{p50_us:.2f} us / {p99_us:.2f} us (perf_counter_ns around apply)"),
        ("sweep 1,000 levels", f"{sweep_ms:.2f} ms (one order, 1,000 trades + 1,000 maker OrderDone)"),
        (f"memory, {arguments.resting_orders:,} resting", f"{memory['rss_growth_kib'] / 1024:,.0f} MiB RSS growth "
         f"(peak RSS {memory['peak_rss_kib'] / 1024:,.0f} MiB, child process)"),
        ("latency plot", plotted),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    print(json.dumps({"ours_ops_s": round(ours_ops_s), "minimal_ops_s": round(minimal_ops_s),
                      "ratio": round(ratio, 3), "p50_us": round(p50_us, 2),
                      "p99_us": round(p99_us, 2), "sweep_1000_levels_ms": round(sweep_ms, 2),
                      "rss_mib_1m_resting": round(memory["rss_growth_kib"] / 1024)}))


if __name__ == "__main__":
    main()
