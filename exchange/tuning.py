"""Process settings for the single writer.

The venue allocates many small, long-lived objects (orders, balances, records)
and few reference cycles. CPython's default collector (gen-0 threshold 700)
scans them again and again; freezing what recovery built and raising the
gen-0 threshold cut the venue's per-command CPU by about a fifth on the
shared flow (benchmarks/sequencer.py). Cycles are still collected.
"""
import gc

GEN0_THRESHOLD = 100_000


def tune_gc() -> None:
    """Call once the venue is rebuilt: move it out of the collector's way."""
    gc.collect()
    gc.freeze()
    _, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(GEN0_THRESHOLD, gen1, gen2)
