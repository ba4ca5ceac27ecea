"""`karakum export-ledger --db URL --format csv|jsonl --out FILE`: the hash-chained ledger export.

Prints the head hash (the last record's) to publish beside the file; an auditor
checks the file with `karakum verify-export FILE --head HASH`.
"""
import argparse
import sys

from api.commands.ledger_source import add_db_argument, with_store
from api.progress import Progress
from exchange.store.ledger_reads import export_ledger


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "export-ledger", help="export the ledger's postings as hash-chained CSV or JSON Lines",
        description="Write every posting up to a sequence, each record chained to the one before.")
    add_db_argument(parser)
    parser.add_argument("--format", choices=("csv", "jsonl"), default="jsonl")
    parser.add_argument("--out", required=True, help="file to write (- for standard output)")
    parser.add_argument("--until-sequence", type=int, default=None, help="last command sequence to include")
    parser.set_defaults(handler=run)


def run(arguments: argparse.Namespace) -> int:
    try:
        stream = sys.stdout if arguments.out == "-" else open(arguments.out, "w", encoding="utf-8", newline="")
    except OSError as error:
        print(f"export-ledger: cannot write {arguments.out}: {error.strerror}", file=sys.stderr)
        return 2
    progress = Progress("export-ledger entries")
    try:
        writer = with_store(arguments.db, lambda store: export_ledger(
            store, stream, arguments.format, arguments.until_sequence, progress))
    finally:
        progress.finish()
        if stream is not sys.stdout:
            stream.close()
    print(f"exported {writer.records} records, head {writer.head_hash}", file=sys.stderr)
    return 0
