"""`karakum verify-export FILE`: recompute the hash chain of a ledger export (CSV or JSON Lines), offline.

Exit codes: 0 the chain verifies (and matches --head if given); 1 it is broken: the
first broken record's line number is printed; 2 the file cannot be read.
"""
import argparse
import sys

from api.progress import Progress
from ledger.export import detect_format, verify_lines


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "verify-export", help="verify the hash chain of a ledger export (CSV or JSON Lines)",
        description="Recompute every record's hash and report the first broken record.")
    parser.add_argument("file", help="the export: .csv, or .jsonl / .ndjson")
    parser.add_argument("--format", choices=("csv", "jsonl"), default=None,
                        help="override the format guessed from the name and first line")
    parser.add_argument("--head", default=None,
                        help="the published hash of the last record, to detect records removed at the end")
    parser.set_defaults(handler=run)


def run(arguments: argparse.Namespace) -> int:
    try:
        stream = open(arguments.file, encoding="utf-8", newline="")
        with stream:
            first_line = stream.readline()
            stream.seek(0)
            export_format = arguments.format or detect_format(arguments.file, first_line)
            progress = Progress("verify-export records")
            report = verify_lines(stream, export_format, progress.advance)
            progress.finish()
    except (OSError, UnicodeDecodeError) as error:
        print(f"verify-export: cannot read {arguments.file}: {error}", file=sys.stderr)
        return 2
    if not report.ok:
        print(f"BROKEN at line {report.broken_line} (record {report.records + 1}): {report.problem}")
        return 1
    if arguments.head is not None and arguments.head != report.head_hash:
        print(f"BROKEN at the end: head {report.head_hash} after {report.records} records is not the published "
              f"{arguments.head} (records missing or added at the end)")
        return 1
    print(f"OK {report.records} records ({export_format}), head {report.head_hash}")
    return 0
