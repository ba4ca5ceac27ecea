"""Rebuild the detector's windows from the store, so a restart neither loses nor repeats a case.

Reads, up to the committed sequence `until_sequence`:
- the thresholds in force (the last accepted change) and every market's listing
  reference price, from the audit log;
- the last REBUILD_TRADES_MAX trades;
- each customer's last REBUILD_ORDERS_PER_ACCOUNT order rows (placements
  counted for the size statistics, final rows judged);
- deposits and withdrawal requests among the last REBUILD_COMMANDS_MAX
  commands, with their journal timestamps;
and feeds them to the detector in sequence order, exactly as the live stream
would. Hits that a case already covers are dropped by the caller (the case
summaries carry the keys). The defaults cover the 24 h windows at the rates
measured in benchmarks/results/surveillance.md; older evidence than the
limits is not re-read (stated in docs/surveillance.md).
"""
from contextlib import aclosing

from exchange.surveillance.hits import Hit
from exchange.surveillance.observations import transfer_of

REBUILD_TRADES_MAX = 200_000
REBUILD_COMMANDS_MAX = 500_000
REBUILD_ORDERS_PER_ACCOUNT = 500
TRADES_PAGE = 5_000
_PLACED, _TRADE, _ORDER, _TRANSFER = 0, 1, 2, 3  # Within one command: trades first, as `observe` does.


async def rebuild(detector, store, venue, until_sequence: int) -> list[Hit]:
    """Feed the detector the recent committed facts; returns every hit they raise."""
    async for record in store.read_audit():
        if record.sequence <= until_sequence:
            detector.on_audit(record)
    after_sequence = max(0, until_sequence - REBUILD_COMMANDS_MAX)
    facts = await _trades(store, venue, until_sequence)
    facts += await _orders(store, venue, after_sequence, until_sequence)
    facts += await _transfers(store, after_sequence, until_sequence)
    facts.sort(key=lambda fact: fact[:3])
    hits: list[Hit] = []
    for _, rank, _, fact in facts:
        if rank == _PLACED:
            detector.on_placed(fact)
            continue
        found = (detector.on_trade(fact) if rank == _TRADE else
                 [detector.on_order(fact)] if rank == _ORDER else [detector.on_transfer(fact)])
        hits.extend(hit for hit in found if hit is not None)
    return hits


async def _trades(store, venue, until_sequence: int) -> list[tuple]:
    facts = []
    after = max(0, venue.engine.trade_id_last - REBUILD_TRADES_MAX)
    while True:
        page = await store.read_trades(after_trade_id=after, limit=TRADES_PAGE)
        facts.extend((trade.sequence, _TRADE, trade.trade_id, trade) for trade in page
                     if trade.sequence <= until_sequence)
        if len(page) < TRADES_PAGE:
            return facts
        after = page[-1].trade_id


async def _orders(store, venue, after_sequence: int, until_sequence: int) -> list[tuple]:
    facts = []
    for customer in venue.compliance.customers():
        rows = await store.read_orders(int(customer.customer_id), limit=REBUILD_ORDERS_PER_ACCOUNT)
        for row in rows:
            if not after_sequence < row.updated_sequence <= until_sequence:
                continue
            facts.append((row.created_sequence, _PLACED, row.order_id, row))
            if row.updated_sequence != row.created_sequence:
                facts.append((row.updated_sequence, _ORDER, row.order_id, row))
    return facts


async def _transfers(store, after_sequence: int, until_sequence: int) -> list[tuple]:
    entries = [entry async for entry in store.read_entries(after_sequence, until_sequence)
               if transfer_of(entry, 0) is not None]
    if not entries:
        return []
    wanted = {entry.sequence for entry in entries}
    timestamps = {}
    async with aclosing(store.read_journal(min(wanted) - 1)) as journal:
        async for record in journal:
            if record.sequence > until_sequence:
                break
            if record.sequence in wanted:
                timestamps[record.sequence] = record.timestamp_ns
    facts = []
    for entry in entries:
        transfer = transfer_of(entry, timestamps[entry.sequence])
        facts.append((entry.sequence, _TRANSFER, transfer.transfer_id, transfer))
    return facts
