"""Venue snapshots: the whole state at a sequence number, with its state hash.

A snapshot is msgpack of each part's own canonical snapshot (engine, ledger,
compliance, access) plus the venue's own tables (assets, fees, open-order
reservations, credited deposits, correction proposals, audit-chain head).
`restore(data)` gives a venue whose `state_hash()` equals the one recorded with
the snapshot; a snapshot that does not decode, or decodes to another hash, is
unusable and recovery falls back to an older one.
"""
import msgspec

from engine.commands import StpMode
from engine.engine import Engine
from ledger.ledger import Ledger
from exchange.access import Access
from exchange.audit import AuditLog
from exchange.compliance import Compliance
from exchange.funding import CorrectionProposal
from exchange.listing import Asset, FeeSchedule
from exchange.results import Accepted
from exchange.trading import OpenOrder

FORMAT_VERSION = 1
_ORDER_FIELDS = OpenOrder.__slots__


class _VenueSnapshot(msgspec.Struct, frozen=True):
    version: int
    sequence: int
    engine: bytes
    ledger: bytes
    compliance: bytes
    access: bytes
    audit_head: tuple[str, int, int]
    assets: list[Asset]
    fees: dict
    delisted: list[int]
    open_orders: list[tuple]
    deposits: dict[str, dict]
    client_orders: list[tuple[int, str, int, str, int]]  # oldest first
    corrections: list[CorrectionProposal] = []  # oldest first; absent from snapshots taken before corrections


class SnapshotError(ValueError):
    """The bytes are not a usable venue snapshot."""


def encode(venue) -> bytes:
    """Canonical bytes of the venue's state; O(state)."""
    return msgspec.msgpack.encode(_VenueSnapshot(
        version=FORMAT_VERSION, sequence=venue.sequence, engine=venue.engine.snapshot(),
        ledger=venue.ledger.snapshot(), compliance=venue.compliance.snapshot(), access=venue.access.snapshot(),
        audit_head=(venue.audit.head_hash, venue.audit.last_sequence, venue.audit.records_count),
        assets=[venue.listing.assets[code] for code in sorted(venue.listing.assets)],
        fees=venue.listing.fees.to_builtins(), delisted=sorted(venue.listing.delisted),
        open_orders=[tuple(getattr(order, name) for name in _ORDER_FIELDS)
                     for _, order in sorted(venue.trading.open.items())],
        deposits={tx: result.data for tx, result in sorted(venue.funding.deposits_by_tx.items())},
        client_orders=[(account, client_id, *venue.trading.client_orders[(account, client_id)])
                       for _, (account, client_id) in venue.trading._client_order_times
                       if (account, client_id) in venue.trading.client_orders],
        corrections=list(venue.funding.corrections.values()),
    ))


def restore(data: bytes):
    """A venue rebuilt from `encode()` output; raises SnapshotError when the bytes are unusable."""
    from exchange.venue import Venue

    try:
        snapshot = msgspec.msgpack.decode(data, type=_VenueSnapshot)
    except (msgspec.DecodeError, msgspec.ValidationError) as error:
        raise SnapshotError(f"snapshot does not decode: {error}") from None
    if snapshot.version != FORMAT_VERSION:
        raise SnapshotError(f"unknown snapshot version {snapshot.version}")
    venue = Venue()
    venue.sequence = snapshot.sequence
    try:
        venue.engine = Engine.restore(snapshot.engine)
        venue.ledger = Ledger.restore(snapshot.ledger, remember_entries=False)
        venue.compliance = Compliance.restore(snapshot.compliance)
        venue.access = Access.restore(snapshot.access)
    except Exception as error:  # noqa: BLE001 - any part failing makes the whole snapshot unusable.
        raise SnapshotError(f"snapshot part does not restore: {error}") from None
    venue.audit = AuditLog(*snapshot.audit_head)
    venue.listing.assets = {asset.code: asset for asset in snapshot.assets}
    venue.listing.fees = venue.fees = FeeSchedule.from_builtins(snapshot.fees)
    venue.listing.delisted = set(snapshot.delisted)
    for fields in snapshot.open_orders:
        order = OpenOrder()
        order.post_only = False  # Snapshots from before post_only was kept have no such field.
        order.stp_mode = StpMode.EXPIRE_TAKER.value  # Nor, from before stp_mode was kept, this one.
        for name, value in zip(_ORDER_FIELDS, fields):
            setattr(order, name, value)
        venue.trading.open[order.order_id] = order
    venue.funding.deposits_by_tx = {tx: Accepted(data=data) for tx, data in snapshot.deposits.items()}
    venue.funding.corrections = {proposal.correction_id: proposal for proposal in snapshot.corrections}
    for account, client_id, order_id, fingerprint, timestamp_ns in snapshot.client_orders:
        venue.trading.remember_client_order(account, client_id, order_id, fingerprint, timestamp_ns)
    return venue
