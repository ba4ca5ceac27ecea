"""Auditor outputs: audit log, ledger export, trial balance, proof of reserves; all read-only.

Every route here is a GET. Downloads stream from the store at one durable
sequence (sent in the X-Karakum-Sequence header) and are byte-for-byte what
the offline checkers read: `karakum verify-audit` for the audit-log export,
`karakum verify-export` for the ledger export, `karakum verify-proof` for a
customer's reserves proof.

Proof of reserves is computed per asset at the current durable sequence
(epoch "sequence-N") over each customer's available + held + pending
withdrawal balance. Leaf nonces are derived from the server key, so only the
operator and the customer they are given to can link a leaf to a customer.
"""
import hashlib
import hmac
import io
from typing import AsyncIterator

import msgspec
from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse

from api.auth.dependency import require
from api.errors import ApiError
from api.http import durable_venue, json_response
from api.routes.orders import ID_MAX
from api.symbols import format_units
from exchange.access import Permission
from exchange.audit import to_line
from ledger.accounts import CUSTODY_COLD, CUSTODY_HOT
from ledger.export import ExportWriter
from ledger.reject import LedgerInvariantError
from ledger.reserves import ReservesTree
from ledger.trial_balance import TrialBalance

AUDIT_PAGE_MAX = 1_000
EXPORT_FLUSH_RECORDS = 500
_NONCE_LABEL = b"karakum proof-of-reserves nonce key"
_MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson"}


def audit_view(record) -> dict:
    return {"sequence": record.sequence, "timestamp_ms": record.timestamp_ns // 1_000_000,
            "timestamp_ns": record.timestamp_ns, "actor": record.actor, "action": record.action,
            "target": record.target, "reason": record.reason, "payload": msgspec.json.decode(record.payload),
            "previous_hash": record.previous_hash, "hash": record.hash}


class Reserves:
    """One Merkle sum tree per asset, rebuilt only when the durable sequence has moved."""

    def __init__(self, server_key) -> None:
        self._secret = hmac.new(server_key.raw, _NONCE_LABEL, hashlib.sha256).digest()
        self._trees: dict[str, ReservesTree] = {}

    def tree(self, venue, asset: str) -> ReservesTree:
        epoch = f"sequence-{venue.sequence}"
        tree = self._trees.get(asset)
        if tree is None or tree.epoch != epoch:
            tree = ReservesTree(asset, epoch, venue.ledger.customer_totals(asset), self._secret)
            self._trees[asset] = tree
        return tree


def reserves_view(venue, tree: ReservesTree) -> dict:
    asset = tree.asset
    hot = -venue.ledger.account_balance(CUSTODY_HOT, asset)
    cold = -venue.ledger.account_balance(CUSTODY_COLD, asset)
    total = int(tree.root.total_units)
    return {"asset": asset, "epoch": tree.epoch, "root_hash": tree.root.root_hash, "leaf_count": tree.root.leaf_count,
            "total": format_units(venue, asset, total), "total_units": str(total),
            "custody_hot": format_units(venue, asset, hot), "custody_cold": format_units(venue, asset, cold),
            "custody_units": str(hot + cold), "covered": hot + cold >= total, "published_root": tree.root}


def build(runtime) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["audit"])
    _audit_log_routes(router, runtime)
    _ledger_routes(router, runtime)
    _reserves_routes(router, runtime)
    return router


def _audit_log_routes(router: APIRouter, runtime) -> None:
    auditor = require(runtime.authenticator, Permission.READ_AUDIT)

    @router.get("/admin/audit-log", summary="Staff actions (who, what, when, why), hash-chained, one page")
    async def audit_log(after_sequence: int = Query(0, ge=0, le=ID_MAX),
                        limit: int = Query(100, ge=1, le=AUDIT_PAGE_MAX), who=Depends(auditor)):
        await durable_venue(runtime)
        records = []
        async for record in runtime.store.read_audit(after_sequence):
            records.append(audit_view(record))
            if len(records) == limit:
                break
        return json_response({"records": records})

    @router.get("/audit/audit-log.jsonl", summary="The whole audit log as JSON Lines, for `karakum verify-audit`")
    async def audit_export(who=Depends(auditor)):
        venue = await durable_venue(runtime)
        until = venue.sequence

        async def lines() -> AsyncIterator[bytes]:
            async for record in runtime.store.read_audit(0):
                if record.sequence > until:
                    break
                yield to_line(record)

        return StreamingResponse(lines(), media_type="application/x-ndjson",
                                 headers={"X-Karakum-Sequence": str(until),
                                          "Content-Disposition": 'attachment; filename="audit-log.jsonl"'})


def _ledger_routes(router: APIRouter, runtime) -> None:
    exporter = require(runtime.authenticator, Permission.EXPORT)
    reader = require(runtime.authenticator, Permission.READ_LEDGER)

    @router.get("/audit/ledger-export", summary="Every posting, hash-chained (CSV or JSON Lines), streamed")
    async def ledger_export(format: str = Query("csv", pattern="^(csv|jsonl)$"), who=Depends(exporter)):
        venue = await durable_venue(runtime)
        until = venue.sequence
        return StreamingResponse(_export_chunks(runtime.store, format, until), media_type=_MEDIA_TYPES[format],
                                 headers={"X-Karakum-Sequence": str(until),
                                          "Content-Disposition": f'attachment; filename="ledger-{until}.{format}"'})

    @router.get("/audit/trial-balance", summary="Balances by account per asset at a sequence, from the store")
    async def trial_balance(sequence: int | None = Query(None, ge=0), who=Depends(reader)):
        venue = await durable_venue(runtime)
        until = venue.sequence if sequence is None else sequence
        if until > venue.sequence:
            raise ApiError("INVALID_REQUEST", f"sequence {until} is after the last committed {venue.sequence}", 400)
        balance = TrialBalance()
        async for entry in runtime.store.read_entries(0, until):
            balance.add(entry)
        return json_response(_trial_balance_view(venue, balance, until))


def _trial_balance_view(venue, balance: TrialBalance, until: int) -> dict:
    assets = {}
    for asset, accounts in balance.balances().items():
        assets[asset] = {"accounts": {name: {"balance": format_units(venue, asset, units), "balance_units": str(units)}
                                      for name, units in accounts.items()},
                         "sum_units": str(sum(accounts.values()))}
    try:
        balance.check()
        problem = None
    except LedgerInvariantError as error:
        problem = str(error)
    return {"sequence": until, "entries": balance.entries, "assets": assets, "invariants_hold": problem is None,
            "problem": problem}


async def _export_chunks(store, export_format: str, until: int) -> AsyncIterator[bytes]:
    buffer = io.StringIO()
    writer = ExportWriter(buffer, export_format)
    pending = 0
    async for entry in store.read_entries(0, until):
        writer.write_entry(entry)
        pending += 1
        if pending >= EXPORT_FLUSH_RECORDS:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    yield buffer.getvalue().encode()


def _reserves_routes(router: APIRouter, runtime) -> None:
    exporter = require(runtime.authenticator, Permission.EXPORT)
    own = require(runtime.authenticator, Permission.READ_OWN)
    reserves = Reserves(runtime.server_key)

    @router.get("/audit/proof-of-reserves", summary="Per asset: Merkle sum root, customer total, custody balances")
    async def proof_of_reserves(who=Depends(exporter)):
        venue = await durable_venue(runtime)
        return json_response({"sequence": venue.sequence,
                              "assets": [reserves_view(venue, reserves.tree(venue, asset))
                                         for asset in sorted(venue.listing.assets)]})

    @router.get("/me/reserves-proof", summary="Your inclusion proof in an asset's reserves tree (karakum verify-proof)")
    async def reserves_proof(asset: str, who=Depends(own)):
        venue = await durable_venue(runtime)
        if asset not in venue.listing.assets:
            raise ApiError("ASSET_UNKNOWN", f"no asset {asset!r}")
        tree = reserves.tree(venue, asset)
        if who.owner_id not in tree.customers():
            raise ApiError("NOT_FOUND", f"you hold no {asset} at {tree.epoch}: nothing to prove")
        return json_response(tree.proof(who.owner_id))
