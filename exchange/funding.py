"""Money in and out: deposits, withdrawals, corrections. Never from one customer to another.

Deposits are reported by custody (asset, our deposit address, amount, chain
tx id) and credited only to the customer who owns that address, within the
customer's tier limits; a deposit above the limit is NOT credited (custody
keeps it aside for return) and custody gets LIMIT_EXCEEDED with the
remaining allowance. A repeated chain tx id returns the first answer; the
same id with another asset, amount or address is refused.

Withdrawals go only to the customer's own whitelisted external addresses
after the cooling-off period; an address that is any customer's deposit
address is refused as PAYMENT_PROHIBITED (compliance). The funds move to
the customer's pending-withdrawal account at request time and leave custody
only when custody reports completion; a rejection returns them.

Corrections take four eyes in two commands: one operator proposes (customer,
asset, signed amount, reason, ticket), and a DIFFERENT operator approves,
which posts the ledger `correction` entry between `exchange:equity` and the
customer's available account with both as approvers. Either may reject a
pending proposal instead. A proposal is checked for a known customer and
asset when made; a debit is checked against the available balance only when
approved, since that is when it moves money.
"""
import enum

import msgspec

from ledger import entries
from ledger.accounts import EXCHANGE_EQUITY, available_account
from ledger.entries import Posting
from exchange.compliance import ApproveWithdrawal, CompleteWithdrawal, RejectWithdrawal, RequestWithdrawal
from exchange.compliance.codes import ComplianceCode
from exchange.compliance.results import Refusal
from exchange.results import Accepted, VenueCode


class CorrectionStatus(enum.StrEnum):
    PROPOSED = "proposed"
    APPLIED = "applied"
    REJECTED = "rejected"


class CorrectionProposal(msgspec.Struct, frozen=True, kw_only=True):
    """One proposal; frozen, so an answer holding it never sees a later decision (replaced, not changed)."""

    correction_id: int  # The proposing command's sequence.
    customer_id: int
    asset: str
    amount_units: int
    reason: str
    ticket: str
    proposed_by: str
    proposed_at_ns: int
    status: CorrectionStatus = CorrectionStatus.PROPOSED
    decided_by: str = ""  # The approver, or whoever rejected it.
    decided_at_ns: int | None = None
    rejection_reason: str = ""
    entry_id: str = ""  # The ledger entry, once applied.


class Funding:
    def __init__(self, venue):
        self.venue = venue
        self.deposits_by_tx: dict[str, object] = {}  # chain tx id -> the first answer
        self.corrections: dict[int, CorrectionProposal] = {}  # correction id -> proposal, oldest first

    def report_deposit(self, command, sequence: int, timestamp_ns: int, outcome):
        previous = self.deposits_by_tx.get(command.chain_tx_id)
        if previous is not None:
            return previous if self._same_deposit(previous.data, command) else self.venue.refused(
                VenueCode.DEPOSIT_EXISTS_WITH_DIFFERENT_FIELDS,
                f"chain transaction {command.chain_tx_id} was reported with another asset, amount or address")
        result = self._credit(command, sequence, timestamp_ns, outcome)
        if type(result) is Accepted:
            self.deposits_by_tx[command.chain_tx_id] = result
        return result

    def _same_deposit(self, data: dict, command) -> bool:
        address = self.venue.compliance.deposit_address(command.address)
        owner = None if address is None else int(address.customer_id)
        return (data["asset"], data["amount_units"], data["customer_id"]) == (command.asset, command.amount_units,
                                                                              owner)

    def _credit(self, command, sequence: int, timestamp_ns: int, outcome):
        venue = self.venue
        if command.asset not in venue.listing.assets:
            return venue.refused(VenueCode.ASSET_UNKNOWN, f"no asset {command.asset}")
        if command.amount_units <= 0:
            return venue.refused(VenueCode.AMOUNT_MUST_BE_POSITIVE, "a deposit amount must be positive")
        address = venue.compliance.deposit_address(command.address)
        if address is None or address.asset != command.asset:
            return venue.refused(VenueCode.ADDRESS_UNKNOWN, "not one of our deposit addresses for this asset")
        value = venue.listing.value_tmt_units(command.asset, command.amount_units)
        refusal = venue.compliance.check_deposit(address.customer_id, value, timestamp_ns)
        if refusal is not None:
            return venue.refused_by(refusal)
        recorded = venue.compliance.record_deposit(address.customer_id, value, command.chain_tx_id, sequence,
                                                   timestamp_ns)
        if type(recorded) is Refusal:
            return venue.refused_by(recorded)
        customer_id = int(address.customer_id)
        venue.post(entries.deposit(f"d:{command.chain_tx_id}", sequence, customer_id, command.asset,
                                   command.amount_units, command.chain_tx_id), outcome)
        return Accepted(data={"customer_id": customer_id, "asset": command.asset,
                              "amount_units": command.amount_units, "chain_tx_id": command.chain_tx_id})

    def withdraw(self, command, sequence: int, timestamp_ns: int, outcome):
        venue = self.venue
        customer = str(command.account_id)
        if command.asset not in venue.listing.assets:
            return venue.refused(VenueCode.ASSET_UNKNOWN, f"no asset {command.asset}")
        if command.amount_units <= 0:
            return venue.refused(VenueCode.AMOUNT_MUST_BE_POSITIVE, "a withdrawal amount must be positive")
        value = venue.listing.value_tmt_units(command.asset, command.amount_units)
        refusal = venue.compliance.check_withdrawal(customer, command.asset, command.address, value, timestamp_ns)
        if refusal is not None:
            return venue.refused_by(refusal)
        if venue.ledger.available(command.account_id, command.asset) < command.amount_units:
            return venue.refused(VenueCode.INSUFFICIENT_FUNDS, f"not enough {command.asset} available")
        result = venue.compliance.apply(RequestWithdrawal(
            customer_id=customer, asset=command.asset, address=command.address,
            amount_units=command.amount_units, value_tmt_units=value), sequence, timestamp_ns)
        if type(result) is Refusal:
            return venue.refused_by(result)
        withdrawal = result.withdrawal
        venue.post(entries.withdrawal_request(f"w{withdrawal.withdrawal_id}:request", sequence, command.account_id,
                                              command.asset, command.amount_units,
                                              f"withdrawal {withdrawal.withdrawal_id}"), outcome)
        return Accepted(data={"withdrawal": withdrawal})

    def decide(self, command, sequence: int, timestamp_ns: int, outcome):
        """Approve, reject or complete a withdrawal; reject and complete move the pending funds."""
        venue = self.venue
        result = venue.compliance.apply(command, sequence, timestamp_ns)
        if type(result) is Refusal:
            return venue.refused_by(result)
        withdrawal = result.withdrawal
        kind = type(command)
        if kind is RejectWithdrawal or kind is CompleteWithdrawal:
            build, step = ((entries.withdrawal_reject, "reject") if kind is RejectWithdrawal
                           else (entries.withdrawal_complete, "complete"))
            venue.post(build(f"w{withdrawal.withdrawal_id}:{step}", sequence, int(withdrawal.customer_id),
                             withdrawal.asset, withdrawal.amount_units, f"withdrawal {withdrawal.withdrawal_id}"),
                       outcome)
        else:
            assert kind is ApproveWithdrawal
        return Accepted(data={"withdrawal": withdrawal})

    # Corrections.

    def correction(self, correction_id: int) -> CorrectionProposal | None:
        return self.corrections.get(correction_id)

    def correction_list(self, status: CorrectionStatus | None = None) -> list[CorrectionProposal]:
        """Proposals oldest first, optionally in one status. O(proposals)."""
        return [p for p in self.corrections.values() if status is None or p.status == status]

    def propose_correction(self, command, sequence: int, timestamp_ns: int, outcome):
        venue = self.venue
        if command.asset not in venue.listing.assets:
            return venue.refused(VenueCode.ASSET_UNKNOWN, f"no asset {command.asset}")
        if venue.compliance.customer(str(command.customer_id)) is None:
            return venue.refused(ComplianceCode.CUSTOMER_NOT_FOUND.value, f"no customer {command.customer_id}")
        if command.amount_units == 0:
            return venue.refused(VenueCode.CORRECTION_INVALID, "a correction amount is never 0")
        if not command.reason.strip() or not command.ticket.strip():
            return venue.refused(VenueCode.CORRECTION_INVALID, "a correction states its reason and ticket")
        proposal = CorrectionProposal(
            correction_id=sequence, customer_id=command.customer_id, asset=command.asset,
            amount_units=command.amount_units, reason=command.reason, ticket=command.ticket,
            proposed_by=command.actor, proposed_at_ns=timestamp_ns)
        self.corrections[sequence] = proposal
        return Accepted(data={"correction": proposal})

    def approve_correction(self, command, sequence: int, timestamp_ns: int, outcome):
        venue = self.venue
        proposal, refused = self._pending(command.correction_id)
        if refused is not None:
            return refused
        if command.actor == proposal.proposed_by:
            return venue.refused(VenueCode.CORRECTION_SAME_APPROVER,
                                 "a correction is approved by another staff member than its proposer")
        account = available_account(proposal.customer_id)
        debit, credit = (EXCHANGE_EQUITY, account) if proposal.amount_units > 0 else (account, EXCHANGE_EQUITY)
        entry = entries.correction(f"c{proposal.correction_id}", sequence,
                                   (Posting(debit, credit, proposal.asset, abs(proposal.amount_units)),),
                                   proposal.reason, (proposal.proposed_by, command.actor), proposal.ticket)
        rejected = venue.try_post(entry, outcome)
        if rejected is not None:  # Stays pending: approved once the funds are there, or rejected.
            return venue.refused(rejected.code.name, rejected.message)
        return self._decided(proposal, CorrectionStatus.APPLIED, command.actor, timestamp_ns,
                             entry_id=entry.entry_id)

    def reject_correction(self, command, sequence: int, timestamp_ns: int, outcome):
        proposal, refused = self._pending(command.correction_id)
        if refused is not None:
            return refused
        if not command.reason.strip():
            return self.venue.refused(VenueCode.CORRECTION_INVALID, "a rejection states its reason")
        return self._decided(proposal, CorrectionStatus.REJECTED, command.actor, timestamp_ns,
                             rejection_reason=command.reason)

    def _pending(self, correction_id: int):
        proposal = self.corrections.get(correction_id)
        if proposal is None:
            return None, self.venue.refused(VenueCode.CORRECTION_UNKNOWN, f"no correction {correction_id}")
        if proposal.status != CorrectionStatus.PROPOSED:
            return None, self.venue.refused(VenueCode.CORRECTION_NOT_PENDING,
                                            f"correction {correction_id} is already {proposal.status}")
        return proposal, None

    def _decided(self, proposal, status, actor: str, timestamp_ns: int, **fields):
        decided = msgspec.structs.replace(proposal, status=status, decided_by=actor, decided_at_ns=timestamp_ns,
                                          **fields)
        self.corrections[proposal.correction_id] = decided
        return Accepted(data={"correction": decided})
