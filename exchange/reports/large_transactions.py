"""Large transaction report: deposits and withdrawals of one UTC day valued above a threshold.

Values are in tiyin at the operator-set TMT rate of the asset (the same
valuation the tier limits use). Deposits are credited deposits (refused ones
never entered the books); withdrawals are requests, with their current status.
"""
import msgspec

from exchange.reports.formats import Table, day_bounds_ns, decimal_units, iso_ns

COLUMNS = ("kind", "transfer_id", "timestamp", "timestamp_ns", "customer_id", "asset", "amount", "amount_units",
           "value_tmt", "value_tmt_units", "status", "chain_tx_id")


class TransferRow(msgspec.Struct, frozen=True, kw_only=True):
    kind: str  # "deposit" | "withdrawal"
    transfer_id: str  # "d:<chain tx id>" or "w<withdrawal id>", as surveillance names them.
    timestamp_ns: int
    customer_id: int
    asset: str
    amount_units: int
    value_tmt_units: int
    status: str  # "credited" for deposits; the withdrawal's status.
    chain_tx_id: str


def large_transactions(transfers: list[TransferRow], asset_decimals: dict[str, int], threshold_tmt_units: int,
                       date: str) -> Table:
    """Transfers of the day whose value is at or above `threshold_tmt_units`, oldest first."""
    start_ns, end_ns = day_bounds_ns(date)
    chosen = sorted((t for t in transfers
                     if start_ns <= t.timestamp_ns < end_ns and t.value_tmt_units >= threshold_tmt_units),
                    key=lambda t: (t.timestamp_ns, t.transfer_id))
    rows = [{"kind": t.kind, "transfer_id": t.transfer_id, "timestamp": iso_ns(t.timestamp_ns),
             "timestamp_ns": t.timestamp_ns, "customer_id": t.customer_id, "asset": t.asset,
             "amount": decimal_units(t.amount_units, asset_decimals[t.asset]), "amount_units": t.amount_units,
             "value_tmt": decimal_units(t.value_tmt_units, 2), "value_tmt_units": t.value_tmt_units,
             "status": t.status, "chain_tx_id": t.chain_tx_id} for t in chosen]
    return Table(report="large-transactions", date=date, columns=COLUMNS, rows=rows)
