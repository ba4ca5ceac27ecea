"""The venue's own cost per command, without the sequencer, the event loop or a store.

    python benchmarks/venue.py [--ops 100000] [--repeat 3] [--in-flight 512] [--watch-balances]
    python benchmarks/venue.py --instructions [--ops 20000] [--cache-sim] [--in-flight 512]   # needs valgrind

The shared flow (the same commands as benchmarks/sequencer.py: 1,000 verified,
funded accounts, client order ids, cancels by client order id) is applied
straight to `Venue.apply`: compliance gate, holds, engine, settlement, fees,
order rows, balances and book levels, all of it. What the sequencer adds on
top (futures, batches, the store) is the difference to `sequencer.py`'s
memory figure.

Time on these shared machines drifts by up to 2x within minutes, so each
repetition also runs the shared minimal engine (../shared/bench) on the same
flow right after ours: `minimal_per_venue` (how many minimal-engine ops one
venue command costs) is the figure to compare across runs and machines.
`--instructions` counts instead of timing: it runs this script twice under
`valgrind --tool=cachegrind`, with `--ops` and twice `--ops` flow commands, and
divides the difference by `--ops`, so set-up and imports cancel out. The count
is the same on a busy machine as on an idle one (within ~0.1 %).
`--cache-sim` adds cachegrind's cache model with a 2 MB last level (one core's
L2 here): L1 data misses and L2 misses per command, the part of the cost
instruction counts miss. `--in-flight N` keeps the last N outcomes alive, as
the sequencer does until their batch is committed and answered: an outcome
kept costs the venue more than one freed at once (its memory is not reused
while still in cache), ~20 % in time at 512 on this machine. Outcomes carry
no balances, as under `karakum serve` while no one listens to an account
stream; `--watch-balances` makes them carry every customer's.
Ends with one JSON line.
"""
import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import time
from collections import deque
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import sequencer as workload  # noqa: E402  (also puts the repository and ../shared/bench on sys.path)
from exchange.sequencer import Sequencer  # noqa: E402
from exchange.tuning import tune_gc  # noqa: E402
from exchange.venue import Venue  # noqa: E402

START_NS = 1_700_000_000_000_000_000


async def _opened_venue(accounts: int) -> tuple[Venue, int, list[int]]:
    """A venue with the market and `accounts` funded customers, set up as sequencer.py does."""
    sequencer = Sequencer(Venue(), workload.NullStore(), snapshot_every_commands=None, snapshot_every_s=None)
    sequencer.start()
    account_ids = await workload.open_market(sequencer, accounts)
    await sequencer.stop(snapshot=False)
    return sequencer.venue, sequencer.sequence, account_ids


def run_venue(ops: int, accounts: int, in_flight: int = 0, watch_balances: bool = False) -> tuple[float, int]:
    """Seconds to apply the flow's `ops` commands after its warm-up, and how many were applied."""
    venue, sequence, account_ids = asyncio.run(_opened_venue(accounts))
    venue.balance_watch = None if watch_balances else {}  # As sequencer.py (and `karakum serve`) runs it.
    warm, flow = workload.flow_commands(ops, account_ids)
    tune_gc()
    for command in warm:
        sequence += 1
        venue.apply(command, sequence, START_NS + sequence)
    waiting: deque = deque(maxlen=in_flight)  # Outcomes whose batch would still be committing.
    started = time.perf_counter()
    for command in flow:
        sequence += 1
        waiting.append(venue.apply(command, sequence, START_NS + sequence))  # maxlen 0 keeps none.
    elapsed = time.perf_counter() - started
    venue.check()
    return elapsed, len(flow)


def run_minimal(ops: int) -> float:
    import flow
    import minimal_engine

    warm, operations = flow.make_flow(ops)
    return minimal_engine.run_flow(warm, operations)[0]


_COUNTS = {"instructions": r"I\s+refs:", "d1_misses": r"D1\s+misses:", "l2_misses": r"LL misses:"}


def counts(ops: int, in_flight: int, cache_sim: bool, watch_balances: bool) -> dict[str, int]:
    """Instructions (and cache misses) of one run of this script applying `ops` flow commands, by cachegrind."""
    model = ["--cache-sim=yes", "--LL=2097152,16,64"] if cache_sim else ["--cache-sim=no"]
    command = ["valgrind", "--tool=cachegrind", *model, "--cachegrind-out-file=/dev/null", sys.executable, __file__,
               "--ops", str(ops), "--repeat", "1", "--no-minimal", "--in-flight", str(in_flight),
               *(["--watch-balances"] if watch_balances else [])]
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"},
                          check=True)
    found = {name: re.search(pattern + r"\s+([\d,]+)", done.stderr) for name, pattern in _COUNTS.items()}
    return {name: int(match.group(1).replace(",", "")) for name, match in found.items() if match}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=100_000)
    parser.add_argument("--accounts", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--in-flight", type=int, default=0, help="keep the last N outcomes alive, as the sequencer does")
    parser.add_argument("--watch-balances", action="store_true", help="outcomes carry every customer's balances")
    parser.add_argument("--instructions", action="store_true", help="count instructions under valgrind")
    parser.add_argument("--cache-sim", action="store_true", help="with --instructions: also L1d and 2 MB L2 misses")
    parser.add_argument("--no-minimal", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.instructions:
        single, double = (counts(ops, arguments.in_flight, arguments.cache_sim, arguments.watch_balances)
                          for ops in (arguments.ops, 2 * arguments.ops))
        per_command = {f"{name}_per_command": (double[name] - single[name]) // arguments.ops for name in single}
        print(", ".join(f"{name.replace('_', ' ')}: {value:,}" for name, value in per_command.items()) +
              f" (runs of {arguments.ops:,} and {2 * arguments.ops:,} commands)")
        print(json.dumps({**per_command, "ops": arguments.ops, "in_flight": arguments.in_flight,
                          "watch_balances": arguments.watch_balances}))
        return
    venue_us, ratios = [], []
    for _ in range(arguments.repeat):
        elapsed, applied = run_venue(arguments.ops, arguments.accounts, arguments.in_flight,
                                     arguments.watch_balances)
        venue_us.append(elapsed / applied * 1e6)
        if not arguments.no_minimal:
            minimal_us = run_minimal(arguments.ops) / arguments.ops * 1e6
            ratios.append(venue_us[-1] / minimal_us)
    median_us = statistics.median(venue_us)
    print(f"venue: {median_us:.1f} us per command, {1e6 / median_us:,.0f} commands/s "
          f"(runs: {', '.join(f'{us:.1f}' for us in venue_us)} us)")
    summary = {"venue_us_per_command": round(median_us, 2), "venue_commands_s": round(1e6 / median_us),
               "ops": arguments.ops, "repeat": arguments.repeat}
    if ratios:
        summary["minimal_per_venue"] = round(statistics.median(ratios), 1)
        print(f"one venue command costs {summary['minimal_per_venue']} minimal-engine ops "
              f"(runs: {', '.join(f'{r:.1f}' for r in ratios)})")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
