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
"""
import gc

GEN0_THRESHOLD = 20_000


def tune_gc() -> None:
    """Call once the venue is rebuilt: move it out of the collector's way."""
    gc.collect()
    gc.freeze()
    _, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(GEN0_THRESHOLD, gen1, gen2)
