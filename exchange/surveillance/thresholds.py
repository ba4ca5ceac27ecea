"""Surveillance thresholds: one Struct of integers, defaults chosen in docs/surveillance.md.

Changed only by the journaled `SetSurveillanceThresholds` command (exchange/commands.py),
so every change is in the journal and the audit log with its actor and reason, and the
detector recovers the thresholds in force from the audit log after a restart.
Money is tiyin (`*_tmt_units`), prices are relative (`*_bps`), time is `*_ns`.
"""
import msgspec

NS_PER_SECOND = 1_000_000_000
NS_PER_MINUTE = 60 * NS_PER_SECOND
NS_PER_HOUR = 60 * NS_PER_MINUTE
NS_PER_DAY = 24 * NS_PER_HOUR
BPS_PER_UNIT = 10_000


class Thresholds(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Every number a rule compares against; all must be positive (validated by `problem()`)."""

    # Wash trading: accounts sharing identity data trade once; or round trips between one pair.
    wash_round_trips_min: int = 3
    wash_round_trip_within_ns: int = NS_PER_MINUTE  # A buys q lots from B, B buys q back within this...
    wash_round_trip_price_bps: int = 10  # ...at a price this close to the first leg's (no market risk taken).
    wash_window_ns: int = NS_PER_DAY
    # Trade-based value transfer.
    reference_trades_max: int = 21  # The reference: median of up to this many recent trades by other accounts.
    off_market_single_bps: int = 1_000  # One trade this far from the reference is a hit on its own.
    off_market_pair_bps: int = 200  # Repeated trades this far, value flowing the same way in one pair.
    off_market_pair_trades_min: int = 3
    fan_in_sellers_min: int = 5  # Distinct accounts selling into one buyer...
    fan_in_seller_trades_min: int = 2  # ...each at least this many times...
    fan_in_share_percent: int = 80  # ...with at least this share of their sells going to that buyer.
    value_transfer_window_ns: int = NS_PER_DAY
    # Spoofing / layering.
    spoof_size_multiple: int = 5  # "Large": at least this many times the mean recent order size.
    spoof_size_history: int = 200  # Orders the mean is taken over, per market.
    spoof_touch_bps: int = 100  # "Near the touch": within this distance of the reference price.
    spoof_cancel_within_ns: int = 60 * NS_PER_SECOND
    spoof_cancels_min: int = 3
    spoof_window_ns: int = 10 * NS_PER_MINUTE
    # Structuring (deposits or withdrawals split to stay under a limit or the reporting threshold).
    structuring_near_percent: int = 90  # "Just under": at least this share of the threshold, below it.
    structuring_count_min: int = 3
    structuring_window_ns: int = 7 * NS_PER_DAY
    large_transaction_tmt_units: int = 1_000_000  # 10,000 TMT: reporting threshold (large transaction report).


def problem(thresholds: Thresholds) -> str | None:
    """What is wrong with a set of thresholds, in words; None when every value is usable."""
    for name in thresholds.__struct_fields__:
        if getattr(thresholds, name) <= 0:
            return f"{name} must be positive"
    for name in ("fan_in_share_percent", "structuring_near_percent"):
        if getattr(thresholds, name) > 100:
            return f"{name} must be at most 100"
    if thresholds.spoof_size_history > 100_000 or thresholds.reference_trades_max > 10_000:
        return "history lengths are bounded (spoof_size_history <= 100000, reference_trades_max <= 10000)"
    return None


DEFAULT_THRESHOLDS = Thresholds()


class SurveillanceCode:
    """Refusal codes of surveillance commands (stable wire names)."""

    THRESHOLDS_INVALID = "THRESHOLDS_INVALID"
    REASON_REQUIRED = "REASON_REQUIRED"


def handle_set_thresholds(command, sequence: int, timestamp_ns: int, outcome):
    """Venue handler: validate only. The venue keeps no copy; the detector follows the audit log."""
    from exchange.results import Accepted, Refused  # Deferred: exchange.commands imports this module.

    if not command.reason.strip():
        return Refused(code=SurveillanceCode.REASON_REQUIRED, message="a threshold change needs a reason")
    wrong = problem(command.thresholds)
    if wrong is not None:
        return Refused(code=SurveillanceCode.THRESHOLDS_INVALID, message=wrong)
    return Accepted(data={"thresholds": msgspec.to_builtins(command.thresholds)})
