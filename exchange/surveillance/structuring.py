"""Structuring: deposits or withdrawals kept just under a limit or the reporting threshold.

A transfer is "just under" a threshold T when its TMT value v satisfies
T x structuring_near_percent / 100 <= v < T. The thresholds are the
large-transaction reporting threshold and the customer's tier daily limit
for that direction. `structuring_count_min` such transfers of one customer
and direction within `structuring_window_ns` are a hit.

Known gap: splitting into many clearly smaller amounts (5 x 40 %) is not
caught here; the daily and monthly tier limits bound it, and the large
transaction report shows the totals.
"""
from exchange.surveillance.hits import Hit, Rule
from exchange.surveillance.windows import Windows


class Structuring:
    def __init__(self, settings, directory) -> None:
        self._settings = settings
        self._directory = directory
        self._near = Windows()  # (account, kind) -> (timestamp_ns, transfer_id, value_tmt_units, threshold)

    def on_transfer(self, transfer) -> Hit | None:
        thresholds = self._settings.thresholds
        value = self._directory.value_tmt_units(transfer.asset, transfer.amount_units)
        under = self._threshold_just_above(transfer, value)
        if under is None:
            return None
        items = self._near.add((transfer.account_id, transfer.kind),
                               (transfer.timestamp_ns, transfer.transfer_id, value, under),
                               thresholds.structuring_window_ns)
        if len(items) < thresholds.structuring_count_min:
            return None
        limits = sorted({item[3] for item in items})
        return Hit(rule=Rule.STRUCTURING, account_ids=(transfer.account_id,),
                   window_index=transfer.timestamp_ns // thresholds.structuring_window_ns,
                   timestamp_ns=transfer.timestamp_ns,
                   detail=(f"{len(items)} {transfer.kind}s each just under a threshold "
                           f"({', '.join(_tmt(limit) for limit in limits)} TMT) within the window, "
                           f"{_tmt(sum(item[2] for item in items))} TMT in total"),
                   transfer_ids=tuple(item[1] for item in items))

    def _threshold_just_above(self, transfer, value: int) -> int | None:
        thresholds = self._settings.thresholds
        candidates = [thresholds.large_transaction_tmt_units]
        daily = self._directory.daily_limit_tmt_units(transfer.account_id, transfer.kind)
        if daily:
            candidates.append(daily)
        for limit in sorted(candidates):
            if limit * thresholds.structuring_near_percent <= value * 100 < limit * 100:
                return limit
        return None


def _tmt(tiyin: int) -> str:
    return f"{tiyin // 100:,}.{tiyin % 100:02d}"
