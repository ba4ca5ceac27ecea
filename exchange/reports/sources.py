"""Gather a report's input records from the store and the (durable) venue, then render it.

Trades come from the store's trade table; deposits from the audit log (custody's
accepted `report_deposit` records, with their timestamps); withdrawal requests,
cases and customers from the compliance state; KYC history from the audit log.
Cost: the daily trade report pages through every stored trade (trade ids are
not indexed by time in the Store port), O(trades) per report.
"""
import msgspec

from exchange.reports.customer_register import customer_register, kyc_event
from exchange.reports.daily_trades import daily_trades
from exchange.reports.formats import Report, render
from exchange.reports.large_transactions import TransferRow, large_transactions
from exchange.reports.suspicious_activity import suspicious_activity

REPORT_NAMES = ("daily-trades", "large-transactions", "suspicious-activity", "customer-register")
TRADES_PAGE = 5_000


async def build_report(name: str, store, venue, date: str, fmt: str, large_threshold_tmt_units: int) -> Report:
    """One report for a UTC date in "csv" or "json"; raises ValueError for an unknown name or date."""
    decimals = {code: asset.decimals for code, asset in venue.listing.assets.items()}
    if name == "daily-trades":
        instruments = {i.instrument_id: i for i in venue.engine.instruments()}
        table = daily_trades(await _trades(store), instruments, decimals, date)
    elif name == "large-transactions":
        table = large_transactions(await _transfers(store, venue), decimals, large_threshold_tmt_units, date)
    elif name == "suspicious-activity":
        customers = {c.customer_id: c for c in venue.compliance.customers()}
        table = suspicious_activity(venue.compliance.cases(), customers, date)
    elif name == "customer-register":
        events = [event async for event in _kyc_events(store)]
        table = customer_register(venue.compliance.customers(), events, date)
    else:
        raise ValueError(f"unknown report {name!r}: one of {', '.join(REPORT_NAMES)}")
    return render(table, fmt)


async def _trades(store) -> list:
    trades, after = [], 0
    while True:
        page = await store.read_trades(after_trade_id=after, limit=TRADES_PAGE)
        trades.extend(page)
        if len(page) < TRADES_PAGE:
            return trades
        after = page[-1].trade_id


async def _transfers(store, venue) -> list[TransferRow]:
    rows, seen = [], set()
    async for record in store.read_audit():
        if record.action != "report_deposit":
            continue
        payload = msgspec.json.decode(record.payload)
        address = venue.compliance.deposit_address(payload["address"])
        if payload.get("result") != "ok" or address is None or payload["chain_tx_id"] in seen:
            continue  # A repeated chain tx id is answered "ok" again but credited once.
        seen.add(payload["chain_tx_id"])
        rows.append(TransferRow(
            kind="deposit", transfer_id=f"d:{payload['chain_tx_id']}", timestamp_ns=record.timestamp_ns,
            customer_id=int(address.customer_id), asset=payload["asset"], amount_units=payload["amount_units"],
            value_tmt_units=venue.listing.value_tmt_units(payload["asset"], payload["amount_units"]),
            status="credited", chain_tx_id=payload["chain_tx_id"]))
    for withdrawal in venue.compliance.withdrawals():
        rows.append(TransferRow(
            kind="withdrawal", transfer_id=f"w{withdrawal.withdrawal_id}", timestamp_ns=withdrawal.requested_at_ns,
            customer_id=int(withdrawal.customer_id), asset=withdrawal.asset, amount_units=withdrawal.amount_units,
            value_tmt_units=withdrawal.value_tmt_units, status=withdrawal.status.value,
            chain_tx_id=withdrawal.chain_tx_id))
    return rows


async def _kyc_events(store):
    async for record in store.read_audit():
        event = kyc_event(record)
        if event is not None:
            yield event
