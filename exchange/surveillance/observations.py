"""What surveillance reads from a committed outcome: trades, order rows, transfers, threshold changes.

Transfers come from the ledger entries the batch committed: a `deposit` entry
credits `user:<id>:available` (id "d:<chain tx id>"), a `withdrawal_request`
entry debits it (id "w<withdrawal id>"). Threshold changes come from the audit
records, so the same reader serves the live stream and the rebuild from the store.
"""
import msgspec

from ledger.entries import EntryKind
from exchange.surveillance.thresholds import Thresholds

THRESHOLDS_ACTION = "set_surveillance_thresholds"
DEPOSIT = "deposit"
WITHDRAWAL = "withdrawal"


class Transfer(msgspec.Struct, frozen=True, kw_only=True):
    kind: str  # DEPOSIT or WITHDRAWAL
    account_id: int
    asset: str
    amount_units: int
    transfer_id: str
    sequence: int
    timestamp_ns: int


def transfer_of(entry, timestamp_ns: int) -> Transfer | None:
    """The deposit or withdrawal request an entry records; None for every other kind."""
    if entry.kind == EntryKind.DEPOSIT:
        kind, account, transfer_id = DEPOSIT, entry.postings[0].credit_account, entry.entry_id
    elif entry.kind == EntryKind.WITHDRAWAL_REQUEST:
        kind, account, transfer_id = WITHDRAWAL, entry.postings[0].debit_account, entry.entry_id.split(":")[0]
    else:
        return None
    posting = entry.postings[0]
    return Transfer(kind=kind, account_id=int(account.split(":")[1]), asset=posting.asset,
                    amount_units=posting.amount_units, transfer_id=transfer_id, sequence=entry.sequence,
                    timestamp_ns=timestamp_ns)


def thresholds_of(audit_record) -> Thresholds | None:
    """The thresholds an accepted change set, from its audit record; None for any other record."""
    if audit_record.action != THRESHOLDS_ACTION:
        return None
    payload = msgspec.json.decode(audit_record.payload)
    if payload.get("result") != "ok":
        return None
    return msgspec.convert(payload["thresholds"], Thresholds)
