"""The venue: every part of the exchange's state, changed only by `apply()`.

`apply(command, sequence, timestamp_ns)` is pure: the same journal gives the
same results, ledger entries, trades, order rows, audit records and
`state_hash()`. Order of work per command: compliance gate -> funds check ->
engine -> settlement, fees and releases in the ledger -> audit record.

Broken invariants are our bugs: `post()` raises when the ledger refuses an
entry the venue built itself (a hold it checked, a settlement of a real
fill), and the sequencer stops rather than acknowledge a wrong state.
"""
import hashlib
from collections.abc import Collection

import msgspec

from engine.commands import AmendOrder, CancelAll, CancelOrder
from engine.engine import Engine
from ledger.ledger import Ledger
from ledger.reject import LedgerRejected
from exchange import commands as c
from exchange.access import Access
from exchange.access.commands import IssueApiKey, OwnerKind
from exchange.access.roles import Role
from exchange.audit import AuditLog, encode_payload
from exchange.compliance import Compliance, SignUp
from exchange.compliance import commands as cc
from exchange.compliance.results import Refusal
from exchange.funding import Funding
from exchange.listing import Listing
from exchange.results import Accepted, Outcome, Refused
from exchange.store.base import JournalRecord
from exchange.surveillance.thresholds import handle_set_thresholds
from exchange.trading import Trading

_SECRET_FIELDS = ("secret_ciphertext", "email")
# How msgspec writes a NUL inside a JSON string. PostgreSQL text columns cannot hold one: a command carrying it
# would fail its batch's commit and restart the exchange, so it is refused. Only commands with an actor (staff,
# custody, system) are searched: their text reaches the audit log and ledger causes; a customer's reaches text
# columns only as a client order id, which the engine checks against its pattern (and the order path stays free).
_NUL_ESCAPED = b"\\u0000"


class VenueBugError(RuntimeError):
    """A part refused what the venue built from checked facts, or an invariant broke: our bug, halt."""


class Venue:
    def __init__(self) -> None:
        self.sequence = 0
        self.engine = Engine()
        # Entry ids come from the journal sequence or the trade id and never repeat: no idempotency table.
        self.ledger = Ledger(remember_entries=False)
        self.compliance = Compliance()
        self.access = Access()
        self.audit = AuditLog()
        self.listing = Listing(self)
        self.fees = self.listing.fees
        self.trading = Trading(self)
        self.funding = Funding(self)
        self._handlers = self._build_handlers()
        # Whose post-command balances outcomes carry (`Outcome.balances`): None for every customer; the
        # running exchange gives the customers its account streams serve (ids as text, as the ledger
        # names them), so an exchange without listeners does not collect balances no one reads.
        self.balance_watch: Collection[str] | None = None

    def _build_handlers(self) -> dict:
        handlers = {
            c.DefineAsset: self.listing.define_asset, c.SetAssetValuation: self.listing.set_valuation,
            c.ListMarket: self.listing.list_market, c.ChangeMarket: self.listing.change_market,
            c.SetFees: self.listing.set_fees, c.OpenAccount: self._open_account,
            c.SubmitOrder: self.trading.submit, CancelOrder: self.trading.cancel, CancelAll: self.trading.cancel,
            AmendOrder: self.trading.amend, c.ReportDeposit: self.funding.report_deposit,
            c.Withdraw: self.funding.withdraw, c.ProposeCorrection: self.funding.propose_correction,
            c.ApproveCorrection: self.funding.approve_correction, c.RejectCorrection: self.funding.reject_correction,
            cc.ApproveWithdrawal: self.funding.decide, cc.RejectWithdrawal: self.funding.decide,
            cc.CompleteWithdrawal: self.funding.decide, c.SetSurveillanceThresholds: handle_set_thresholds,
        }
        for kind in c.ComplianceCommand.__args__:
            handlers.setdefault(kind, self._compliance)
        for kind in c.AccessCommand.__args__:
            handlers.setdefault(kind, self._access)
        return handlers

    def apply(self, command, sequence: int, timestamp_ns: int) -> Outcome:
        """Apply one command; returns everything it produced. O(work of the command)."""
        outcome = Outcome(JournalRecord(sequence, timestamp_ns, c.encode_command(command)))
        self.sequence = sequence
        watch = self.balance_watch
        ledger = self.ledger
        ledger.track_balances = watch is None or len(watch) > 0
        actor = getattr(command, "actor", None)
        if actor is not None and _NUL_ESCAPED in outcome.journal.command:
            outcome.result = self.refused("INVALID_TEXT", "text must not contain the NUL character")
        else:
            outcome.result = self._handlers[type(command)](command, sequence, timestamp_ns, outcome)
        if outcome.entries and ledger.track_balances:
            outcome.balances = ledger.take_touched_balances(int, watch)
        if actor is not None and not actor.startswith("customer:"):
            self._audit(command, actor, sequence, timestamp_ns, outcome)
        return outcome

    # Helpers for the parts.

    def refused(self, code: str, message: str, **details) -> Refused:
        return Refused(code=code, message=message, details=details)

    def refused_by(self, refusal: Refusal) -> Refused:
        details = {k: v for k, v in msgspec.structs.asdict(refusal).items()
                   if k not in ("code", "message") and v not in (None, ())}
        return Refused(code=str(refusal.code), message=refusal.message, details=details)

    def entry_id(self, sequence: int, outcome: Outcome) -> str:
        """A unique, deterministic id for the next entry of this command."""
        return f"s{sequence}.{len(outcome.entries)}"

    def post(self, entry, outcome: Outcome) -> None:
        rejected = self.try_post(entry, outcome)
        if rejected is not None:
            raise VenueBugError(f"ledger refused {entry.entry_id}: {rejected.code.name} {rejected.message}")

    def try_post(self, entry, outcome: Outcome) -> LedgerRejected | None:
        result = self.ledger.apply(entry)
        if type(result) is LedgerRejected:
            return result
        if outcome.entries:
            outcome.entries.append(entry)
        else:
            outcome.entries = [entry]
        return None

    def tier_of(self, account_id: int) -> int | None:
        return self.compliance.tier_of(str(account_id))

    # Commands handled here.

    def _open_account(self, command: c.OpenAccount, sequence: int, timestamp_ns: int, outcome: Outcome):
        customer_id = str(sequence)
        signed_up = self.compliance.apply(SignUp(customer_id=customer_id, email=command.email), sequence,
                                          timestamp_ns)
        if type(signed_up) is Refusal:
            return self.refused_by(signed_up)
        issued = self.access.apply(IssueApiKey(key_id=command.key_id, owner_kind=OwnerKind.CUSTOMER,
                                               owner_id=customer_id, role=Role.TRADER,
                                               secret_ciphertext=command.secret_ciphertext, label="sign-up"),
                                   sequence, timestamp_ns)
        refusal = _access_refusal(issued)
        if refusal is not None:
            raise VenueBugError(f"sign-up key refused after the customer was created: {refusal.message}")
        return Accepted(data={"customer_id": sequence, "key_id": command.key_id, "kyc_status": "pending"})

    def _compliance(self, command, sequence: int, timestamp_ns: int, outcome: Outcome):
        result = self.compliance.apply(command, sequence, timestamp_ns)
        if type(result) is Refusal:
            return self.refused_by(result)
        data = {k: v for k, v in msgspec.structs.asdict(result).items() if v not in (None, ())}
        return Accepted(data=data)

    def _access(self, command, sequence: int, timestamp_ns: int, outcome: Outcome):
        result = self.access.apply(command, sequence, timestamp_ns)
        refusal = _access_refusal(result)
        if refusal is not None:
            return refusal
        return Accepted(data={k: v for k, v in msgspec.structs.asdict(result).items()
                              if k not in _SECRET_FIELDS and v is not None})

    def _audit(self, command, actor: str, sequence: int, timestamp_ns: int, outcome: Outcome) -> None:
        fields = {k: v for k, v in msgspec.to_builtins(command).items() if k not in _SECRET_FIELDS}
        result = outcome.result
        fields["result"] = result.code if type(result) is Refused else "ok"
        target = next((str(fields[k]) for k in ("customer_id", "instrument_id", "withdrawal_id", "case_id",
                                                  "correction_id", "key_id", "staff_id", "code", "asset")
                       if k in fields), "")
        # A command refused for a NUL is still audited: its text with the NUL shown as U+FFFD.
        reason = str(fields.get("reason", ""))
        actor, target, reason = (text.replace("\x00", "\ufffd") for text in (actor, target, reason))
        record = self.audit.append(sequence, timestamp_ns, actor, type(command).__struct_config__.tag, target,
                                   reason, encode_payload(fields))
        outcome.audit = [*outcome.audit, record]  # At most one per command.

    # Whole-state checks, hash and snapshot.

    def check(self) -> None:
        """Raise on any broken invariant: ledger sums, and held == open orders' reservations."""
        self.ledger.check()
        for (account_id, asset), units in self.trading.reserved().items():
            held = self.ledger.held(account_id, asset)
            if held != units:
                raise VenueBugError(f"account {account_id} holds {held} {asset}, open orders reserve {units}")

    def state_hash(self) -> str:
        digest = hashlib.sha256()
        for part in (self.engine.state_hash(), self.ledger.state_hash(), self.compliance.state_hash(),
                     self.access.state_hash(), self.audit.head_hash):
            digest.update(part.encode())
        digest.update(msgspec.json.encode(self._own_state(), order="sorted"))
        return digest.hexdigest()

    def _own_state(self) -> dict:
        state = {
            "sequence": self.sequence,
            "assets": sorted((a.code, a.decimals, a.tmt_units_per_asset) for a in self.listing.assets.values()),
            "fees": self.listing.fees.to_builtins(),
            "delisted": sorted(self.listing.delisted),
            "deposits": sorted(self.funding.deposits_by_tx),
            "orders": sorted((o.order_id, o.filled_lots, o.status, o.asset, o.reserved_units)
                             for o in self.trading.open.values()),
            "client_orders": sorted((k[0], k[1], *v) for k, v in self.trading.client_orders.items()),
        }
        if self.funding.corrections:  # Only when there are any: hashes stored before corrections still match.
            state["corrections"] = list(self.funding.corrections.values())
        return state


def _access_refusal(result) -> Refused | None:
    code = getattr(result, "code", None)
    if code is None:
        return None
    return Refused(code=code.name, message=getattr(result, "message", code.name))
