"""`karakum verify-audit FILE`: check a JSON Lines audit-log export, offline.

Exit codes: 0 the chain verifies; 1 it is broken (the first bad record is named);
2 the file cannot be read. Needs no server and no database: an auditor runs it on a copy.
"""
import argparse
import sys
from collections.abc import Iterator

from exchange.audit import GENESIS_HASH, AuditRecord, ExportLineError, check_chain, read_jsonl


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "verify-audit", help="verify the hash chain of an audit-log export (JSON Lines)",
        description="Verify every record of an audit-log export and its hash chain.")
    parser.add_argument("file", help="the .jsonl export (- for standard input)")
    parser.add_argument("--previous-hash", default=GENESIS_HASH,
                        help="hash before the first record, for a partial export (default: genesis)")
    parser.add_argument("--head", default=None,
                        help="expected hash of the last record, to detect records missing at the end")
    parser.set_defaults(handler=run)


def run(arguments: argparse.Namespace) -> int:
    try:
        stream = sys.stdin.buffer if arguments.file == "-" else open(arguments.file, "rb")
    except OSError as error:
        print(f"verify-audit: cannot read {arguments.file}: {error.strerror}", file=sys.stderr)
        return 2
    counter = _Counter()
    with stream:
        try:
            broken = check_chain(counter.through(read_jsonl(stream)), arguments.previous_hash,
                                 arguments.head)
        except ExportLineError as error:
            print(f"BROKEN at record {error.index}: unreadable line ({error})")
            return 1
    if broken is not None:
        where = (f"sequence {counter.last_sequence}" if broken.index < counter.count
                 else "after the last record")
        print(f"BROKEN at record {broken.index} ({where}): {broken.reason}")
        return 1
    print(f"OK {counter.count} records, head {counter.last_hash or arguments.previous_hash}")
    return 0


class _Counter:
    """Watches records stream past: check_chain stops right after the first broken one."""

    def __init__(self) -> None:
        self.count = 0
        self.last_hash = ""
        self.last_sequence = 0

    def through(self, records: Iterator[AuditRecord]) -> Iterator[AuditRecord]:
        for record in records:
            self.count += 1
            self.last_hash, self.last_sequence = record.hash, record.sequence
            yield record
