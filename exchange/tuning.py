"""Process settings for the single writer.

The venue allocates many small, long-lived objects (orders, balances, records)
and few reference cycles. CPython's default collector (gen-0 threshold 700)
scans them again and again; freezing what recovery built and raising the
gen-0 threshold cut the venue's per-command CPU by about a fifth on the
shared flow (benchmarks/sequencer.py). Cycles are still collected.

The threshold is also the length of the pauses: a gen-0 collection walks every
young object still alive, about 4 per command here (new resting orders and
their bookkeeping), so at 100k one pause took 40-70 ms and set the sequencer's
p99; at 20k the pauses are ~8 ms for the same total GC time (~5 % of the CPU).

CPU pinning is opt-in (`KARAKUM_CPUS="SERVER,WRITER"`, or `karakum serve
--cpus`): the server process (venue, HTTP) and its store writer each keep one
core, and neither loses its caches to the scheduler moving it. On the shared
2-core benchmark machine it was worth +4 % on SQLite at the median of 11
interleaved pairs (-10 % to +17 %: within that machine's noise;
benchmarks/README.md); it is meant for machines whose cores the exchange has
to itself. It is not the default: two exchanges pinned to the same cores on
one machine would share them.
"""
import asyncio
import gc
import os

try:  # The event loop uvicorn runs `karakum serve` on when it is installed (uvicorn[standard] brings it).
    import uvloop
except ImportError:
    uvloop = None

EVENT_LOOP = "asyncio" if uvloop is None else "uvloop"

GEN0_THRESHOLD = 20_000
CPUS_VARIABLE = "KARAKUM_CPUS"  # "SERVER,WRITER"; the store writer inherits it from the server.


def tune_gc() -> None:
    """Call once the venue is rebuilt: move it out of the collector's way."""
    gc.collect()
    gc.freeze()
    _, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(GEN0_THRESHOLD, gen1, gen2)


def run(main):
    """Run the coroutine `main` to its end on EVENT_LOOP, the loop the server runs on (its store writer
    and the benchmarks too: asyncpg's I/O and the sequencer's futures cost less CPU on uvloop)."""
    return asyncio.run(main) if uvloop is None else uvloop.run(main)


def parse_cpus(text: str) -> tuple[int, int]:
    """"SERVER,WRITER" -> two different CPUs this process may use; ValueError saying what is wrong."""
    server, writer = _cpu_pair(text)
    allowed = os.sched_getaffinity(0)
    for cpu in (server, writer):
        if cpu not in allowed:
            raise ValueError(f"CPU {cpu} is not available here (available: {sorted(allowed)})")
    return server, writer


def pin_server(cpus: str) -> None:
    """Pin this process to the first CPU of `cpus` ("SERVER,WRITER") and leave the second to its store
    writer, which inherits the setting and pins itself (`pin_writer`). ValueError, with nothing pinned,
    when the setting is not two different CPUs this process may use."""
    server, _ = parse_cpus(cpus)
    os.environ[CPUS_VARIABLE] = cpus
    os.sched_setaffinity(0, {server})


def pin_writer() -> None:
    """In the store writer: move to the second CPU of KARAKUM_CPUS when the server set one (it checked it)."""
    text = os.environ.get(CPUS_VARIABLE, "").strip()
    if text:
        os.sched_setaffinity(0, {_cpu_pair(text)[1]})


def _cpu_pair(text: str) -> tuple[int, int]:
    if not hasattr(os, "sched_setaffinity"):
        raise ValueError("CPU pinning needs Linux")
    parts = [part.strip() for part in text.split(",")]
    if len(parts) != 2 or not all(part.isdigit() for part in parts):
        raise ValueError(f"expected two CPU numbers, SERVER,WRITER (e.g. 0,1), got {text!r}")
    server, writer = int(parts[0]), int(parts[1])
    if server == writer:
        raise ValueError("the server and its writer need two different CPUs")
    return server, writer
