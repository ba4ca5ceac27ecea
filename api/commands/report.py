"""`karakum report NAME --db URL --date YYYY-MM-DD --format csv|json --out FILE`: a regulator report.

NAME is daily-trades, large-transactions, suspicious-activity or customer-register
(docs/surveillance.md describes the columns). The venue is rebuilt from the store
(snapshot + journal, as at start-up), so the file equals what the API serves for
the same state. Prints "<sha256>  FILE", the hash of the exact bytes written.
The large-transaction threshold is the one in force in the audit log
(SetSurveillanceThresholds), unless --threshold-tmt-units overrides it.
Exit codes: 0 written, 1 bad date or unreadable store.
"""
import argparse
import sys
from pathlib import Path

from api.commands.ledger_source import add_db_argument, with_store
from exchange.recovery import rebuild
from exchange.reports.formats import FORMATS, day_bounds_ns
from exchange.reports.sources import REPORT_NAMES, build_report
from exchange.surveillance.observations import thresholds_of
from exchange.surveillance.thresholds import DEFAULT_THRESHOLDS


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "report", help="regulator reports (daily trades, large transactions, SARs, customer register)",
        description="Write one regulator report for a UTC day as CSV or JSON; prints its sha256.")
    parser.add_argument("name", choices=REPORT_NAMES)
    add_db_argument(parser)
    parser.add_argument("--date", required=True, help="UTC day, YYYY-MM-DD")
    parser.add_argument("--format", choices=FORMATS, default="json")
    parser.add_argument("--out", required=True, type=Path, help="file to write")
    parser.add_argument("--threshold-tmt-units", type=int, default=None,
                        help="large-transaction threshold in tiyin (default: the one in force)")
    parser.set_defaults(handler=run)


def run(arguments: argparse.Namespace) -> int:
    try:
        day_bounds_ns(arguments.date)
    except ValueError:
        print(f"--date {arguments.date!r} is not a YYYY-MM-DD calendar date", file=sys.stderr)
        return 1

    async def read(store):
        venue = await rebuild(store)
        threshold = arguments.threshold_tmt_units
        if threshold is None:
            threshold = await _threshold_in_force(store)
        return await build_report(arguments.name, store, venue, arguments.date, arguments.format, threshold)

    report = with_store(arguments.db, read)
    arguments.out.write_bytes(report.body)
    print(f"{report.sha256}  {arguments.out}")
    return 0


async def _threshold_in_force(store) -> int:
    threshold = DEFAULT_THRESHOLDS.large_transaction_tmt_units
    async for record in store.read_audit():
        thresholds = thresholds_of(record)
        if thresholds is not None:
            threshold = thresholds.large_transaction_tmt_units
    return threshold
